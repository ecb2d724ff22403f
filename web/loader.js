// loader.js starts the vaeplay widget in embed.html: it checks what the
// browser must offer, downloads main.wasm with a progress bar while the
// browser compiles it (streaming compilation), runs it with wasm_exec.js,
// and shows any failure in the page by name. From then on main.wasm draws
// everything and keeps window.vaeplay up to date.
//
// The shipped weights are requested at once, beside main.wasm, rather than
// when main.wasm gets to ask for them: see prefetch.
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
    status, model: "cvae", digit: -1, seed: 0, z: [], decodeMs: 0, fps: 0, samples: 0,
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

  // prefetch downloads the shipped weights now, in parallel with main.wasm,
  // and hands each to main.wasm's own fetch of the same URL (once; later
  // fetches go to the network). Without it the weights would start only
  // after main.wasm has downloaded, compiled and started. The body is read
  // here at once: a response nobody reads stalls once the browser's buffer
  // fills. The response handed on holds the decoded bytes, so its
  // Content-Length is their count (main.wasm shows progress by it); a
  // failed response is handed on as it came. A page given weights= leaves
  // the choice of files to main.wasm, which validates the parameter. The
  // model the page shows first goes first.
  function prefetch() {
    const params = new URLSearchParams(location.search);
    if (params.has("weights") || typeof fetch !== "function") return;
    const names = ["cvae", "vae"];
    if (params.get("model") === "vae" && !params.has("digit")) names.reverse();
    const early = new Map();
    for (const n of names) {
      const url = new URL(`weights/${n}.safetensors`, document.baseURI).href;
      const p = fetch(url).then(async (resp) => {
        if (!resp.ok) return resp;
        const body = await resp.arrayBuffer();
        return new Response(body, {
          status: resp.status,
          statusText: resp.statusText,
          headers: { "Content-Type": resp.headers.get("Content-Type") || "application/octet-stream", "Content-Length": String(body.byteLength) },
        });
      });
      p.catch(() => {}); // main.wasm's fetch reports a failure, not this one
      early.set(url, p);
    }
    const networkFetch = window.fetch;
    window.fetch = function (input, init) {
      if (typeof input === "string" && init === undefined) {
        const url = new URL(input, document.baseURI).href;
        const p = early.get(url);
        if (p) {
          early.delete(url);
          if (early.size === 0) window.fetch = networkFetch;
          return p;
        }
      }
      return networkFetch.apply(this, arguments);
    };
  }

  // fetchWasm starts downloading url and returns the response, its body
  // counted into the progress bar as it streams. A compressed body's
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
    if (!resp.body || typeof TransformStream !== "function") return resp;
    let got = 0;
    let shown = 0; // when the bar was last redrawn
    const counted = resp.body.pipeThrough(new TransformStream({
      transform(chunk, out) {
        got += chunk.length;
        out.enqueue(chunk);
        // Hundreds of chunks arrive, each a relayout if shown: ten updates
        // a second are all a reader sees, and they leave the main thread to
        // compiling the module.
        const now = performance.now();
        if (now - shown < 100) return;
        shown = now;
        if (total > 0 && got <= total) {
          bar.value = got / total;
          label.textContent = `${url}: ${mb(got)} of ${mb(total)}`;
        } else {
          bar.removeAttribute("value"); // indeterminate
          label.textContent = `${url}: ${mb(got)}`;
        }
      },
      flush() {
        label.textContent = "starting…";
        bar.removeAttribute("value");
      },
    }));
    // A new Response drops the Content-Encoding, so it needs its type back
    // for instantiateStreaming.
    return new Response(counted, { headers: { "Content-Type": "application/wasm" } });
  }

  // instantiate compiles the module as its bytes arrive when the browser
  // can, else after the whole download.
  async function instantiate(resp, imports) {
    if (typeof WebAssembly.instantiateStreaming === "function") {
      return WebAssembly.instantiateStreaming(resp, imports);
    }
    return WebAssembly.instantiate(await resp.arrayBuffer(), imports);
  }

  async function start() {
    if (typeof WebAssembly !== "object") throw new Error("WebAssembly is not available in this browser");
    if (!document.createElement("canvas").getContext("webgl2")) {
      throw new Error("WebGL2 is not available in this browser (the widget draws with it); try another browser or enable hardware acceleration");
    }
    if (typeof Go !== "function") throw new Error("wasm_exec.js did not load, so main.wasm cannot run");

    prefetch();
    const resp = await fetchWasm("main.wasm");

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
      ({ instance } = await instantiate(resp, go.importObject));
    } catch (err) {
      throw new Error(`main.wasm failed to compile: ${err.message || err}`);
    }
    // Marks for the benchmark's timeline of the first digit (tools/benchweb).
    performance.mark("vaeplay:compiled");
    await go.run(instance);
  }

  start().catch((err) => fail(err.message || String(err)));
})();
