// Soak: a long run of events and re-ranks through the JS API in node, checking that
// memory stops growing once warmed up and that no handles leak.
//   npm run soak                                     1,000,000 events, 100,000 re-ranks
//   node --expose-gc tests/js/soak.js 100000 10000   any other size
// Warm-up is the first 20% of the run. Memory is sampled (after forced GC) at every 1% of
// the run from then on; "after warm-up" is the median of the first 5 samples (20-24%),
// "at the end" the median of the last 5 (96-100%): single snapshots of node's heap swing
// by +-100 KB with V8's JIT (code space, tiering metadata), which is not growth. Prints
// wasm heap (HEAP8.length), node's heap and the embind handle count; fails (exit 1) when
// the wasm heap or node's heap grew by 1% or more, or handles leaked.
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../web/index.js';

const TYPES = ['impression', 'impression', 'impression', 'click', 'dwell', 'like', 'skip', 'hide', 'share', 'purchase', 'add_to_cart'];

function gcNow() {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc');
  for (let i = 0; i < 3; i++) globalThis.gc();
}

function snapshot(engine) {
  gcNow();
  const m = process.memoryUsage();
  const e = engine.memoryUsage();
  return { wasmHeap: e.wasmHeapBytes, jsHandles: e.jsHandles, jsHeapUsed: m.heapUsed, external: m.external, rss: m.rss };
}

const mb = (n) => `${(n / 1048576).toFixed(2)} MB`;

/** Runs the soak; returns the measurements (throws nothing; the caller judges). */
export async function runSoak({ events: totalEvents = 1_000_000, reranks: totalReranks = 100_000, dim = 64, log = console.log, samples = 0 } = {}) {
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
  const step = Math.max(1, Math.floor(totalReranks / 100));
  const warmAt = 20 * step;
  const taken = [];  // snapshots from warm-up on, one per 1% of the run
  const median = (key, list) => list.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const summarise = (list) => ({
    wasmHeap: median('wasmHeap', list), jsHeapUsed: median('jsHeapUsed', list), external: median('external', list),
    rss: median('rss', list), jsHandles: Math.max(...list.map((x) => x.jsHandles)),
  });
  let warm = null;
  const started = performance.now();
  for (let loop = 0; loop < totalReranks; loop++) {
    if (loop >= warmAt && loop % step === 0) {
      taken.push(snapshot(engine));
      if (taken.length === 5) {
        warm = summarise(taken);
        log(`after warm-up (${observed} events, ${loop} re-ranks; median of 5 samples from ${warmAt}): wasm heap ${mb(warm.wasmHeap)}, ` +
            `JS heap used ${mb(warm.jsHeapUsed)}, external ${mb(warm.external)}, rss ${mb(warm.rss)}, wasm-held JS handles ${warm.jsHandles}`);
      }
      if (samples && taken.length % Math.max(1, Math.floor(80 / samples)) === 0)
        log(`  ${loop} re-ranks: wasm heap ${mb(taken.at(-1).wasmHeap)}, JS heap used ${mb(taken.at(-1).jsHeapUsed)}`);
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
    const result = engine.rerank(candidates, { now: time, serverScores: server, k: 20, explain: loop % 100 === 0 });
    if (result.ids.length !== 20) throw new Error('rerank returned a wrong count');
    if (loop % 50 === 0) {  // new items arrive from the server; the oldest get evicted
      upsertBatch(upsertCursor);
      upsertCursor += 200;
    }
    if (loop % 1000 === 0) {  // persistence paths too
      const bytes = engine.saveState();
      engine.loadState(bytes);
      saved++;
      engine.exportState({ now: time });
    }
  }
  taken.push(snapshot(engine));
  const end = summarise(taken.slice(-5));
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
    jsGrowth: growth(warm.jsHeapUsed, end.jsHeapUsed),
  };
  log(`at the end (${observed} events, ${totalReranks} re-ranks, ${seconds.toFixed(1)} s; median of the last 5 samples): wasm heap ${mb(end.wasmHeap)}, ` +
      `JS heap used ${mb(end.jsHeapUsed)}, external ${mb(end.external)}, rss ${mb(end.rss)}, wasm-held JS handles ${end.jsHandles}`);
  log(`growth after warm-up: wasm heap ${(100 * result.wasmGrowth).toFixed(3)}%, JS heap ${(100 * result.jsGrowth).toFixed(3)}%; ` +
      `state ${result.stateBytes} bytes; stats ${JSON.stringify(engine.stats())}`);
  engine.dispose();
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const reranks = Number(process.argv[3] ?? 100_000);
  const r = await runSoak({ events, reranks });
  const ok = r.wasmGrowth < 0.01 && r.jsGrowth < 0.01 && r.end.jsHandles === r.warm.jsHandles && r.events === events;
  console.log(ok ? 'soak: PASS' : 'soak: FAIL');
  process.exit(ok ? 0 : 1);
}
