// Soak: a long run of events and re-ranks through the JS API in node, checking that
// memory stops growing once warmed up and that no handles leak.
//   npm run soak                                     1,000,000 events, 100,000 re-ranks
//   node --expose-gc tests/js/soak.js 100000 10000   any other size
// Warm-up is the first 20% of the run (every code path runs often enough for V8 to reach
// its final JIT tier). After warm-up and at the end it prints the wasm heap (HEAP8.length),
// node's process.memoryUsage() and a heap snapshot's exact live graph, split into JS
// objects, compiled code and ArrayBuffer data. process.memoryUsage().heapUsed is printed
// but not judged: after forced GC it swings by +-300 KB between runs (measured), while the
// snapshot is the live graph itself. Fails (exit 1) when the wasm heap or the live JS
// objects grew by 1% or more, or embind handles leaked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../web/index.js';

const TYPES = ['impression', 'impression', 'impression', 'click', 'dwell', 'like', 'skip', 'hide', 'share', 'purchase', 'add_to_cart'];

function gcNow() {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc');
  for (let i = 0; i < 3; i++) globalThis.gc();
}

// The live heap graph by kind (a heap snapshot collects garbage first).
function liveHeap() {
  const file = path.join(os.tmpdir(), `ie-soak-${process.pid}-${Date.now()}.heapsnapshot`);
  v8.writeHeapSnapshot(file);
  const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file);
  const fields = snapshot.snapshot.meta.node_fields;
  const typeNames = snapshot.snapshot.meta.node_types[0];
  const stride = fields.length, typeAt = fields.indexOf('type'), nameAt = fields.indexOf('name'), sizeAt = fields.indexOf('self_size');
  const out = { objects: 0, code: 0, arrayBufferData: 0 };
  const nodes = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = typeNames[nodes[i + typeAt]];
    const size = nodes[i + sizeAt];
    if (type === 'code') out.code += size;
    else if (type === 'native' && snapshot.strings[nodes[i + nameAt]] === 'system / JSArrayBufferData') out.arrayBufferData += size;
    else out.objects += size;
  }
  return out;
}

function snapshot(engine) {
  gcNow();
  const m = process.memoryUsage();
  const e = engine.memoryUsage();
  return { wasmHeap: e.wasmHeapBytes, jsHandles: e.jsHandles, heapUsed: m.heapUsed, external: m.external, rss: m.rss, live: liveHeap() };
}

const mb = (n) => `${(n / 1048576).toFixed(2)} MB`;

/** Runs the soak; returns the measurements (throws nothing; the caller judges). */
export async function runSoak({ events: totalEvents = 1_000_000, reranks: totalReranks = 100_000, dim = 64, log = console.log, every = 0 } = {}) {
  const engine = await createEngine({ dim, capacity: 20_000 });
  // A deterministic stream: a feed over 60,000 item ids of which the engine holds at most
  // 20,000 (LRU churn), events on items whose vector may not have arrived (pending).
  let seed = 42;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const vector = new Float32Array(dim * 200);
  const upsertBatch = (start) => {
    for (let i = 0; i < vector.length; i++) vector[i] = (rand(2001) - 1000) / 1000;
    const ids = Array.from({ length: 200 }, (_, i) => `item-${(start + i) % 60_000}`);
    engine.upsertItems(ids, vector);
  };
  for (let s = 0; s < 20_000; s += 200) upsertBatch(s);

  const eventsPerLoop = totalEvents / totalReranks;
  const candidates = new Array(100);
  const server = new Float32Array(100);
  let time = Date.UTC(2026, 0, 1);
  let observed = 0;
  let upsertCursor = 20_000;
  let saved = 0;
  const warmAt = Math.floor(totalReranks / 5);
  let warm = null;
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const describe = (x) =>
    `wasm heap ${mb(x.wasmHeap)}, node heapUsed ${mb(x.heapUsed)}, external ${mb(x.external)}, rss ${mb(x.rss)}; ` +
    `live JS objects ${kb(x.live.objects)}, compiled code ${kb(x.live.code)}, ArrayBuffer data ${mb(x.live.arrayBufferData)}; ` +
    `wasm-held JS handles ${x.jsHandles}`;
  // Print before measuring anything: the first write to stdout creates its stream (with a
  // pipe: ~64 KB of sockets, stream states and their hidden classes), which was counted as
  // growth when the first line came right after the warm-up snapshot.
  log(`soak: ${totalEvents} events, ${totalReranks} re-ranks, dim ${dim}, warm-up ${warmAt} re-ranks`);
  const started = performance.now();
  for (let loop = 0; loop < totalReranks; loop++) {
    if (loop === warmAt) {
      warm = snapshot(engine);
      log(`after warm-up (${observed} events, ${loop} re-ranks): ${describe(warm)}`);
    }
    if (every && loop > warmAt && loop % every === 0) {
      const x = snapshot(engine);
      log(`  ${loop} re-ranks: ${describe(x)}`);
    }
    // Events: batches of 1..2*eventsPerLoop-1, so the total comes out right on average.
    let want = Math.min(totalEvents - observed, loop === totalReranks - 1 ? totalEvents - observed : 1 + rand(2 * eventsPerLoop - 1));
    while (want > 0) {
      const n = Math.min(want, 50);
      const batch = new Array(n);
      for (let i = 0; i < n; i++) {
        time += 1 + rand(20_000);
        const type = TYPES[rand(TYPES.length)];
        batch[i] = { item: `item-${rand(60_000)}`, type, time };
        if (type === 'dwell') batch[i].value = rand(120);
      }
      engine.observe(batch);
      observed += n;
      want -= n;
    }
    // A re-rank of 100 candidates with server scores.
    const base = rand(60_000);
    for (let i = 0; i < 100; i++) {
      candidates[i] = `item-${(base + i * 7) % 60_000}`;
      server[i] = rand(1000) / 100;
    }
    const explain = loop % 100 === 0 || (loop < warmAt && loop % 5 === 0);
    const result = engine.rerank(candidates, { now: time, serverScores: server, k: 20, explain });
    if (result.ids.length !== 20) throw new Error('rerank returned a wrong count');
    if (loop % 50 === 0) {  // new items arrive from the server; the oldest get evicted
      upsertBatch(upsertCursor);
      upsertCursor += 200;
    }
    // Persistence paths too: every 1000 loops, and every 10 during warm-up so that V8 has
    // compiled them to their final tier before memory is measured.
    if (loop % 1000 === 0 || (loop < warmAt && loop % 10 === 0)) {
      const bytes = engine.saveState();
      engine.loadState(bytes);
      saved++;
      engine.exportState({ now: time });
    }
  }
  const end = snapshot(engine);
  const seconds = (performance.now() - started) / 1000;
  const growth = (a, b) => (b - a) / a;
  const result = {
    events: observed,
    reranks: totalReranks,
    seconds,
    saves: saved,
    stateBytes: engine.saveState().length,
    warm,
    end,
    wasmGrowth: growth(warm.wasmHeap, end.wasmHeap),
    objectGrowth: growth(warm.live.objects, end.live.objects),
    codeGrowth: growth(warm.live.code, end.live.code),
    heapUsedGrowth: growth(warm.heapUsed, end.heapUsed),
  };
  log(`at the end (${observed} events, ${totalReranks} re-ranks, ${seconds.toFixed(1)} s): ${describe(end)}`);
  const pct = (x) => `${(100 * x).toFixed(3)}%`;
  log(`growth after warm-up: wasm heap ${pct(result.wasmGrowth)}, live JS objects ${pct(result.objectGrowth)} ` +
      `(${kb(end.live.objects - warm.live.objects)}), compiled code ${pct(result.codeGrowth)}, node heapUsed ${pct(result.heapUsedGrowth)} (not judged); ` +
      `state ${result.stateBytes} bytes; stats ${JSON.stringify(engine.stats())}`);
  engine.dispose();
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const reranks = Number(process.argv[3] ?? 100_000);
  const r = await runSoak({ events, reranks });
  const ok = r.wasmGrowth < 0.01 && r.objectGrowth < 0.01 && r.end.jsHandles === r.warm.jsHandles && r.events === events;
  console.log(ok ? 'soak: PASS' : 'soak: FAIL');
  process.exit(ok ? 0 : 1);
}
