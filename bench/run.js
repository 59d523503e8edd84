// npm run bench: the whole suite in node (see bench/suite.js), then module sizes and
// time to ready. BENCH_ROUNDS overrides the rounds per case; BENCH_ONLY=size skips the
// speed cases; BENCH_CASES=1,4 runs only those cases.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

import { createEngine } from '../web/index.js';
import { benchSequenceModel } from './sequence-model.js';
import { runSuite } from './suite.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 31);
const lines = [];
const log = (s = '') => (lines.push(s), console.log(s));

async function loadTf() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
  wasm.setThreadsCount?.(1);
  await tf.setBackend('wasm');
  await tf.ready();
  return tf;
}

async function loadOrt() {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = pathToFileURL(path.join(ROOT, 'node_modules/onnxruntime-web/dist') + path.sep).href;
  return ort;
}

if (process.env.BENCH_ONLY !== 'size') {
  const tf = await loadTf();
  const ort = await loadOrt();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  await runSuite({
    createEngine,
    tf,
    ort,
    rounds,
    log,
    sequenceModel: benchSequenceModel(ROOT),
    cases: process.env.BENCH_CASES ? process.env.BENCH_CASES.split(',').map(Number) : null,
    env: `node ${process.version}, ${cpu}, ${os.cpus().length} cores; TF.js ${tf.version_core} (wasm backend: ${tf.getBackend()}), onnxruntime-web ${ort.env.versions?.web ?? ''} (wasm, 1 thread)`,
  });
}

// ---------------------------------------------------------------- module size
log('### Module size');
log('');
log('| file | raw | gzip -9 |');
log('|---|---:|---:|');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const totals = {};
for (const flavour of ['simd', 'base']) {
  for (const ext of ['wasm', 'mjs']) {
    const file = `dist/interest_engine_${flavour}.${ext}`;
    const data = fs.readFileSync(path.join(ROOT, file));
    const gz = zlib.gzipSync(data, { level: 9 }).length;
    totals[flavour] = (totals[flavour] ?? 0) + gz;
    log(`| ${file} | ${kb(data.length)} | ${kb(gz)} |`);
  }
}
const index = fs.readFileSync(path.join(ROOT, 'web/index.js'));
log(`| web/index.js | ${kb(index.length)} | ${kb(zlib.gzipSync(index, { level: 9 }).length)} |`);
log(`| **SIMD .wasm + .mjs** | | **${kb(totals.simd)}** |`);
log(`| **baseline .wasm + .mjs** | | **${kb(totals.base)}** |`);
log('');

// ---------------------------------------------------------------- time to ready
// A fresh node process per sample: import web/index.js, createEngine({dim: 64}) — the
// import of the glue, reading and compiling the .wasm, instantiation, engine init.
// The probe is a module file, as a node application is: under \`node -e\` the first
// dynamic import also pays a one-time loader set-up (7-9 ms here for an empty module,
// against ~1.4 ms from a file), which is node's, not the package's.
const probe = `
const t0 = performance.now();
const { createEngine } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'web/index.js')).href)});
const e = await createEngine({ dim: 64, simd: process.argv[2] === 'simd' });
const t1 = performance.now();
e.dispose();
console.log(JSON.stringify({ ms: t1 - t0 }));
`;
const readyRuns = Number(process.env.BENCH_READY_RUNS ?? 9);
const probeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ie-ready-')), 'probe.mjs');
fs.writeFileSync(probeFile, probe);
log(`### Time to ready (createEngine, cold: a fresh node process each, median of ${readyRuns})`);
log('');
log('| build | median | min–max |');
log('|---|---:|---:|');
for (const flavour of ['simd', 'base']) {
  const ms = [];
  for (let r = 0; r < readyRuns; r++) {
    const outText = execFileSync(process.execPath, [probeFile, flavour], { encoding: 'utf8' });
    ms.push(JSON.parse(outText.trim().split('\n').at(-1)).ms);
  }
  ms.sort((a, b) => a - b);
  log(`| ${flavour === 'simd' ? 'SIMD' : 'baseline'} | ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms | ${ms[0].toFixed(1)}–${ms.at(-1).toFixed(1)} ms |`);
}
fs.rmSync(path.dirname(probeFile), { recursive: true, force: true });
{
  // Warm: a second engine in the same process (module already compiled).
  const ms = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    const e = await createEngine({ dim: 64 });
    ms.push(performance.now() - t0);
    e.dispose();
  }
  ms.sort((a, b) => a - b);
  log(`| SIMD, warm (module cached in-process) | ${ms[4].toFixed(2)} ms | ${ms[0].toFixed(2)}–${ms.at(-1).toFixed(2)} ms |`);
}
log('');
if (process.env.BENCH_OUT) fs.writeFileSync(process.env.BENCH_OUT, lines.join('\n') + '\n');
