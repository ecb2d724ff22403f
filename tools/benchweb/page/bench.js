// bench.js times one decoder implementation the same way for every page of
// tools/benchweb: fetch the weights named by ?weights=, hand them to the
// page's setup, then time decodes of one digit (each sample the mean of 10,
// since the browser's clock ticks in steps near a decode's length) and of a
// batch of 100. The results land in window.benchResult for the harness, or
// the failure in window.benchError.
"use strict";

const SINGLE = { n: 1, reps: 10, samples: 200, warmup: 50 };
const BATCH = { n: 100, reps: 1, samples: 30, warmup: 5 };

// time returns the milliseconds per decode of each sample.
function timeDecodes(impl, p) {
  for (let i = 0; i < p.warmup; i++) impl.decode(p.n, p.reps);
  const ms = [];
  for (let i = 0; i < p.samples; i++) {
    const t = performance.now();
    impl.decode(p.n, p.reps);
    ms.push((performance.now() - t) / p.reps);
  }
  return ms;
}

// runBench runs setup(weightsBytes), which returns {latent, info,
// decode(n, reps), check(z, label)}, and times what it returns.
async function runBench(name, setup) {
  try {
    const url = new URLSearchParams(location.search).get("weights") || "cvae.safetensors";
    const resp = await fetch(url);
    if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
    const buf = await resp.arrayBuffer();
    const t0 = performance.now();
    const impl = await setup(buf);
    const setupMs = performance.now() - t0;
    const single = timeDecodes(impl, SINGLE);
    const batch = timeDecodes(impl, BATCH);
    // A fixed latent code, decoded by every page, shows they compute the same.
    const z = Array.from({ length: impl.latent }, (_, i) => Math.sin(i + 1));
    const pixels = Array.from(impl.check(z, 3));
    window.benchResult = { name, setupMs, single, batch, pixels, info: impl.info || {} };
  } catch (err) {
    window.benchError = String((err && err.stack) || err);
  }
}
