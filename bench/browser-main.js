// The browser side of `npm run bench:browser`: the same suite as in node (bench/suite.js).
// ?ready=1 measures only time to ready (the driver loads that in fresh pages).
const out = document.getElementById('out');
const params = new URLSearchParams(location.search);
const lines = [];
const log = (s = '') => {
  lines.push(s);
  out.textContent = lines.join('\n');
  console.log(s);
};

try {
  if (params.has('ready')) {
    const t0 = performance.now();
    const { createEngine } = await import('../web/index.js');
    const engine = await createEngine({ dim: 64, simd: params.get('ready') !== 'base' });
    window.__readyMs = performance.now() - t0;
    engine.dispose();
  } else {
    const { createEngine } = await import('../web/index.js');
    const { runSuite } = await import('./suite.js');
    const tf = window.tf;
    tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    await tf.setBackend('wasm');
    await tf.ready();
    const ort = await import('/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
    const rounds = Number(params.get('rounds') ?? 31);
    const ua = navigator.userAgent.match(/(HeadlessChrome|Chrome)\/[\d.]+/)?.[0] ?? navigator.userAgent;
    await runSuite({
      createEngine, tf, ort, rounds, log,
      env: `${ua}, ${navigator.hardwareConcurrency} cores; TF.js ${tf.version_core} (wasm backend: ${tf.getBackend()}), onnxruntime-web (wasm, 1 thread)`,
    });
  }
  window.__benchDone = { ok: true, text: lines.join('\n') };
} catch (error) {
  log(`FAILED: ${error?.stack ?? error}`);
  window.__benchDone = { ok: false, text: lines.join('\n') };
}
