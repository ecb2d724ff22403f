// loader.js starts the vaeplay widget in embed.html: it checks what the
// browser must offer, downloads main.wasm with a progress bar, runs it with
// wasm_exec.js, and shows any failure in the page by name. From then on
// main.wasm draws everything and keeps window.vaeplay up to date.
"use strict";

(() => {
  const overlay = document.getElementById("loader");
  const bar = document.getElementById("loader-bar");
  const label = document.getElementById("loader-text");
  const inFrame = window.parent !== window;
  let failed = false;

  // post sends a message to the embedding page, as main.wasm does.
  const post = (msg) => {
    if (inFrame) window.parent.postMessage(Object.assign({ source: "vaeplay" }, msg), "*");
  };

  // The state object of the contract, as it stands before main.wasm runs.
  const rect = { x: 0, y: 0, w: 0, h: 0 };
  const initial = (status, errors) => ({
    status, model: "cvae", digit: -1, seed: 0, z: [], decodeMs: 0, samples: 0,
    errors, layout: { digit: rect, row: rect, chooser: [] },
  });
  window.vaeplay = initial("loading", []);

  // fail shows an error that keeps the widget from starting, and reports it
  // the way the contract says: window.vaeplay with status "error", and an
  // error message to the parent.
  const fail = (message) => {
    if (failed) return;
    failed = true;
    window.vaeplay = initial("error", [message]);
    console.error("vaeplay: " + message);
    post({ type: "error", message });
    post({ type: "state", state: window.vaeplay });
    overlay.hidden = false;
    overlay.setAttribute("role", "alert");
    overlay.replaceChildren();
    const box = document.createElement("div");
    box.className = "loader-box loader-error";
    const title = document.createElement("p");
    title.className = "loader-title";
    title.textContent = "The digit generator could not start";
    const text = document.createElement("pre");
    text.textContent = message;
    box.append(title, text);
    overlay.append(box);
  };

  // main.wasm calls these through window.vaeplayLoader.
  window.vaeplayLoader = {
    hide() { if (!failed) overlay.remove(); },
    fail,
  };

  const mb = (n) => (n / 1e6).toFixed(1) + " MB";

  // fetchWasm downloads url with progress. A compressed body's
  // Content-Length counts compressed bytes, so then only bytes are shown.
  async function fetchWasm(url) {
    let resp;
    try {
      resp = await fetch(url);
    } catch (err) {
      throw new Error(`${url}: fetch failed (network error): ${err.message || err}`);
    }
    if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status} ${resp.statusText}`.trim());
    const enc = resp.headers.get("Content-Encoding");
    const total = enc && enc !== "identity" ? 0 : Number(resp.headers.get("Content-Length")) || 0;
    if (!resp.body) return new Uint8Array(await resp.arrayBuffer());
    const reader = resp.body.getReader();
    const chunks = [];
    let got = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      if (total > 0 && got <= total) {
        bar.value = got / total;
        label.textContent = `${url}: ${mb(got)} of ${mb(total)}`;
      } else {
        bar.removeAttribute("value"); // indeterminate
        label.textContent = `${url}: ${mb(got)}`;
      }
    }
    const bytes = new Uint8Array(got);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return bytes;
  }

  async function start() {
    if (typeof WebAssembly !== "object") throw new Error("WebAssembly is not available in this browser");
    if (!document.createElement("canvas").getContext("webgl2")) {
      throw new Error("WebGL2 is not available in this browser (the widget draws with it); try another browser or enable hardware acceleration");
    }
    if (typeof Go !== "function") throw new Error("wasm_exec.js did not load, so main.wasm cannot run");

    const bytes = await fetchWasm("main.wasm");
    label.textContent = "starting…";
    bar.removeAttribute("value");

    const go = new Go();
    // Keep the end of the program's output: a crash prints its reason there.
    let tail = "";
    const fs = globalThis.fs;
    const writeSync = fs.writeSync;
    fs.writeSync = function (fd, buf) {
      tail = (tail + new TextDecoder().decode(buf)).slice(-2000);
      return writeSync.call(this, fd, buf);
    };
    go.exit = (code) => {
      if (code !== 0) {
        const lines = tail.trim().split("\n").slice(-8).join("\n");
        fail(`main.wasm stopped with exit code ${code}` + (lines ? `:\n${lines}` : ""));
      }
    };
    let instance;
    try {
      ({ instance } = await WebAssembly.instantiate(bytes, go.importObject));
    } catch (err) {
      throw new Error(`main.wasm failed to compile: ${err.message || err}`);
    }
    await go.run(instance);
  }

  start().catch((err) => fail(err.message || String(err)));
})();
