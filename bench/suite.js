// The benchmark suite, shared by node (bench/run.js) and the browser (bench/browser.html).
// Everything environment-specific (how to import TF.js / ORT, module sizes, cold starts)
// is passed in or measured by the caller; this file only builds the workloads, runs all
// implementations alternating within one run, and formats the tables.
//
// Timing: each sample is a batch of calls sized to take >= ~2 ms (browsers coarsen
// performance.now()); the per-call time of a sample is batch time / calls. Within a round,
// every implementation of a case takes one sample, in rotating order. Reported: median
// per-call time, the interquartile spread, and the ratio to plain JS of the same workload.
import { BANDWIDTH_WASM } from './bandwidth-wasm.js';
import { buildTopKModel } from './onnx-model.js';

const DIM = 64;
const T0 = 1_700_000_000_000;

function gaussian(seed) {
  let s = seed >>> 0;
  const u = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** n items `item-0` .. `item-(n-1)`, Gaussian vectors (sd 0.125) from `seed`. */
export function makeItems(n, seed) {
  const g = gaussian(seed);
  const ids = Array.from({ length: n }, (_, i) => `item-${i}`);
  const vectors = new Float32Array(n * DIM);
  for (let i = 0; i < vectors.length; i++) vectors[i] = g() * 0.125;
  return { n, ids, vectors };
}

function unitRows(vectors, n) {
  const out = new Float32Array(vectors.length);
  const inv = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < DIM; k++) s += vectors[i * DIM + k] ** 2;
    inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < DIM; k++) out[i * DIM + k] = vectors[i * DIM + k] * inv[i];
  }
  return { unit: out, inv };
}

// ------------------------------------------------------------------ plain JS
/** Bounded min-heap top-k over scores (ties: lower index first), best first. */
export function heapTopK(scores, n, k) {
  k = Math.min(k, n);
  const hs = new Float32Array(k);
  const hi = new Int32Array(k);
  let size = 0;
  // worse(a, b): a ranks after b.
  const worse = (sa, ia, sb, ib) => sa < sb || (sa === sb && ia > ib);
  const siftDown = (pos) => {
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= size) return;
      let w = l;
      if (l + 1 < size && worse(hs[l + 1], hi[l + 1], hs[l], hi[l])) w = l + 1;
      if (!worse(hs[w], hi[w], hs[pos], hi[pos])) return;
      const ts = hs[w], ti = hi[w];
      hs[w] = hs[pos], hi[w] = hi[pos], hs[pos] = ts, hi[pos] = ti;
      pos = w;
    }
  };
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (size < k) {
      let pos = size++;
      hs[pos] = s, hi[pos] = i;
      while (pos > 0) {
        const p = (pos - 1) >> 1;
        if (!worse(hs[pos], hi[pos], hs[p], hi[p])) break;
        const ts = hs[p], ti = hi[p];
        hs[p] = hs[pos], hi[p] = hi[pos], hs[pos] = ts, hi[pos] = ti;
        pos = p;
      }
    } else if (worse(hs[0], hi[0], s, i)) {
      hs[0] = s, hi[0] = i;
      siftDown(0);
    }
  }
  const order = Array.from({ length: size }, (_, j) => j).sort((a, b) => hs[b] - hs[a] || hi[a] - hi[b]);
  return order.map((j) => hi[j]);
}

/** Plain JS: one query, dot products over a Float32Array, heap top-k. */
function plainSingle(vectors, n, query, k) {
  const scores = new Float32Array(n);
  for (let i = 0, o = 0; i < n; i++, o += DIM) {
    let d = 0;
    for (let j = 0; j < DIM; j++) d += vectors[o + j] * query[j];
    scores[i] = d;
  }
  return heapTopK(scores, n, k);
}

/** Plain JS: Q queries, max over them, heap top-k. */
function plainMulti(vectors, n, queries, q, k) {
  const scores = new Float32Array(n);
  for (let i = 0, o = 0; i < n; i++, o += DIM) {
    let best = -Infinity;
    for (let c = 0; c < q; c++) {
      let d = 0;
      for (let j = 0; j < DIM; j++) d += vectors[o + j] * queries[c * DIM + j];
      if (d > best) best = d;
    }
    scores[i] = best;
  }
  return heapTopK(scores, n, k);
}

/** Plain JS: the engine's full blend (long-term, short-term, attention), heap top-k. */
function makePlainBlend(engine, data, events, now) {
  const { ids, vectors, n } = data;
  const index = new Map(ids.map((id, i) => [id, i]));
  const { inv } = unitRows(vectors, n);
  const state = engine.interests({ now });
  const u = state.longTerm;
  const interests = state.shortTerm.map((s) => s.vector);
  const recent = events.map((e) => ({ row: index.get(e.item), w: 1, t: e.time }));
  const { weights, halfLifeMinutes, attentionSharpness: beta } = engine.config;
  const halfLife = halfLifeMinutes * 60_000;
  return function rerank(candidates, k) {
    const c = candidates.length;
    const scores = new Float32Array(c);
    let mass = 0;
    for (const r of recent) mass += 2 ** (-(now - r.t) / halfLife) * Math.abs(r.w);
    for (let x = 0; x < c; x++) {
      const i = index.get(candidates[x]);
      const o = i * DIM;
      let long = 0;
      for (let j = 0; j < DIM; j++) long += u[j] * vectors[o + j];
      let short = -Infinity;
      for (const q of interests) {
        let d = 0;
        for (let j = 0; j < DIM; j++) d += q[j] * vectors[o + j];
        short = Math.max(short, d * inv[i]);
      }
      if (short === -Infinity) short = 0;
      let att = 0;
      for (const r of recent) {
        const p = r.row * DIM;
        let d = 0;
        for (let j = 0; j < DIM; j++) d += vectors[p + j] * vectors[o + j];
        let y = Math.max(0, 1 + (beta * (d * inv[i] * inv[r.row] - 1)) / 16);
        y *= y; y *= y; y *= y; y *= y;
        att += 2 ** (-(now - r.t) / halfLife) * r.w * y;
      }
      scores[x] = weights.longTerm * long + weights.shortTerm * short + (weights.attention * att) / (1 + mass);
    }
    return heapTopK(scores, c, k).map((j) => candidates[j]);
  };
}

// ------------------------------------------------------------------ competitors
function makeTf(tf, vectors, n, q, k) {
  const items = tf.tensor2d(vectors, [n, DIM]);
  const run = (query) => {
    const out = tf.tidy(() => {
      const scores = tf.matMul(items, tf.tensor2d(query, [DIM, q]));
      const best = q > 1 ? tf.max(scores, 1) : tf.reshape(scores, [n]);
      const { values, indices } = tf.topk(best, k, true);
      return [values, indices];
    });
    out[0].dataSync();
    const idx = out[1].dataSync();
    tf.dispose(out);
    return idx;
  };
  run.dispose = () => items.dispose();
  return run;
}

async function makeOrt(ort, vectors, n, q, k) {
  const model = buildTopKModel({ items: vectors, n, dim: DIM, queries: q, k });
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const run = async (query) => {
    const out = await session.run({ query: new ort.Tensor('float32', query, [DIM, q]) });
    const idx = out.indices.data;
    out.values.dispose?.();
    out.indices.dispose?.();
    return Array.from(idx, Number);
  };
  run.dispose = () => session.release();
  run.modelBytes = model.length;
  return run;
}

// ------------------------------------------------------------------ timing
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

const WARMUP_MS = Number(globalThis.process?.env?.BENCH_WARMUP_MS ?? 300);

async function timeOnce(fn, reps) {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const v = fn();
    if (v && typeof v.then === 'function') await v;
  }
  return (performance.now() - t0) / reps;
}

/** Runs every implementation `rounds` times, alternating; returns {name: [µs per call]}. */
async function measure(impls, rounds, targetMs = 3) {
  const reps = {};
  for (const [name, fn] of Object.entries(impls)) {
    // Warm-up (JIT, first-touch, lazy init) until WARMUP_MS have passed: V8 runs wasm and JS
    // as baseline code first and needs 100-200 ms per large function to optimise it here.
    const until = performance.now() + WARMUP_MS;
    do await timeOnce(fn, 3); while (performance.now() < until);
    // Double the batch until it takes targetMs (robust to coarse browser timers).
    let n = 1;
    while (n < 100_000 && (await timeOnce(fn, n)) * n < targetMs) n *= 2;
    reps[name] = n;
  }
  const names = Object.keys(impls);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + r) % names.length];
      samples[name].push((await timeOnce(impls[name], reps[name])) * 1000);
    }
  }
  return samples;
}

const fmt = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);

/** Markdown table: rows [{name, samples, ref (name of the plain-JS row it compares to)}]. */
function table(rows, samples) {
  const lines = ['| implementation | median | p25–p75 | vs plain JS |', '|---|---:|---:|---:|'];
  for (const row of rows) {
    if (row.text) {
      lines.push(`| ${row.name} | ${row.text} | | ${row.ratio ?? ''} |`);
      continue;
    }
    const s = samples[row.name];
    const m = median(s);
    const ratio = row.ref ? `${(median(samples[row.ref]) / m).toFixed(2)}x` : '—';
    lines.push(`| ${row.name} | ${fmt(m)} | ${fmt(quantile(s, 0.25))}–${fmt(quantile(s, 0.75))} | ${ratio} |`);
  }
  return lines.join('\n');
}

const sameTop = (a, b, n = 10) => a.slice(0, n).join() === b.slice(0, n).join();

/**
 * Re-ranks `lists` lists of 1,000 ids never ranked before, one timed call each, then the
 * same lists twice more: the id path on first sight, when the JS layer learns the ids
 * (they recur), and with the ids learnt.
 */
async function firstSight(createEngine, events, now, k, lists = 32) {
  const data = makeItems(1000 * lists, 5);
  const engine = await createEngine({ dim: DIM, simd: true, capacity: data.n });
  engine.upsertItems(data.ids, data.vectors);
  engine.observe(events);
  engine.rerank(data.ids.slice(0, 10), { k, now, exclude: 'none' }); // the lazy Gramian, outside the timings
  const pages = Array.from({ length: lists }, (_, p) => data.ids.slice(p * 1000, (p + 1) * 1000));
  const time = () =>
    median(pages.map((page) => {
      const t0 = performance.now();
      engine.rerank(page, { k, now, exclude: 'none' });
      return (performance.now() - t0) * 1000;
    }));
  const first = time();
  const second = time();
  const third = time();
  engine.dispose();
  return { lists, items: data.n, first, second, third };
}

// ------------------------------------------------------------------ the suite
/**
 * options: createEngine, tf (with the wasm backend ready) or null, ort or null,
 * rounds, log (line printer). Returns the printed text.
 */
export async function runSuite({ createEngine, tf, ort, rounds = 31, log = console.log, env = '', sequenceModel = null, cases = null }) {
  const want = (n) => !cases || cases.includes(n);
  let int8Supported = true;
  try {
    (await createEngine({ dim: DIM, int8: true })).dispose();
  } catch {
    int8Supported = false;
  }
  const out = [];
  const print = (s = '') => (out.push(s), log(s));
  const flavours = [
    ['SIMD', true],
    ['baseline', false],
  ];
  print(`interest-engine benchmark — ${env}; dim ${DIM}; ${rounds} alternating rounds per case; times per call`);
  print('');

  // ---------------------------------------------------------------- case 1: 1,000, top-50
  if (want(1)) {
    const data = makeItems(1000, 1);
    const k = 50;
    const events = Array.from({ length: 50 }, (_, j) => ({ item: data.ids[(j * 37) % data.n], type: 'click', time: T0 + j * 60_000 }));
    const now = events.at(-1).time + 60_000;
    const g = gaussian(7);
    const query = Float32Array.from({ length: DIM }, () => g());
    const eng = {};
    for (const [name, simd] of flavours) {
      const blend = await createEngine({ dim: DIM, simd });
      blend.upsertItems(data.ids, data.vectors);
      blend.observe(events);
      const single = await createEngine({ dim: DIM, simd });
      single.upsertItems(data.ids, data.vectors);
      single.setUserVector(query);
      eng[name] = { blend, single };
    }
    const plainBlend = makePlainBlend(eng.SIMD.blend, data, events, now);
    const tfRun = tf ? makeTf(tf, data.vectors, data.n, 1, k) : null;
    const ortRun = ort ? await makeOrt(ort, data.vectors, data.n, 1, k) : null;
    const impls = {};
    // The engine reuses the resolved ids when rerank gets the previous call's ids again (a
    // feed re-ranking its page); two lists differing in order defeat that: 'new list' rows.
    const otherIds = data.ids.slice();
    otherIds[0] = data.ids[1], otherIds[1] = data.ids[0];
    let flip = 0;
    const newList = () => ((flip++ & 1) ? otherIds : data.ids);
    for (const [name] of flavours) {
      impls[`engine ${name}: rerank(1000 ids, {k: 50}), full blend`] = () => eng[name].blend.rerank(data.ids, { k, now, exclude: 'none' });
      impls[`engine ${name}: rerank(new 1000-id list, {k: 50}), full blend`] = () => eng[name].blend.rerank(newList(), { k, now, exclude: 'none' });
      impls[`engine ${name}: recommend(50), full blend`] = () => eng[name].blend.recommend(k, { now, exclude: 'none' });
    }
    impls['plain JS: full blend + heap top-k'] = () => plainBlend(data.ids, k);
    for (const [name] of flavours) {
      impls[`engine ${name}: rerank(1000 ids, {k: 50}), one query`] = () => eng[name].single.rerank(data.ids, { k, now, exclude: 'none' });
      impls[`engine ${name}: recommend(50), one query`] = () => eng[name].single.recommend(k, { now, exclude: 'none' });
    }
    impls['engine SIMD: rerank(new 1000-id list, {k: 50}), one query'] = () => eng.SIMD.single.rerank(newList(), { k, now, exclude: 'none' });
    impls['engine SIMD: rerank([]) (empty: JS + binding overhead)'] = () => eng.SIMD.single.rerank([], { now, exclude: 'none' });
    impls['plain JS: one query + heap top-k'] = () => plainSingle(data.vectors, data.n, query, k);
    if (tfRun) impls['TF.js wasm: matMul + topk'] = () => tfRun(query);
    if (ortRun) impls['onnxruntime-web wasm: MatMul + TopK'] = () => ortRun(query);

    // Sanity: same rankings.
    const expectBlend = plainBlend(data.ids, k);
    const expectSingle = plainSingle(data.vectors, data.n, query, k).map((i) => data.ids[i]);
    const checks = [
      ['engine blend rerank', sameTop(eng.SIMD.blend.rerank(data.ids, { k, now, exclude: 'none' }).ids, expectBlend)],
      ['engine baseline blend', sameTop(eng.baseline.blend.rerank(data.ids, { k, now, exclude: 'none' }).ids, expectBlend)],
      ['engine one-query recommend', sameTop(eng.SIMD.single.recommend(k, { now }).ids, expectSingle)],
    ];
    if (tfRun) checks.push(['TF.js', sameTop(Array.from(tfRun(query), (i) => data.ids[i]), expectSingle)]);
    if (ortRun) checks.push(['ORT', sameTop((await ortRun(query)).map((i) => data.ids[i]), expectSingle)]);

    const samples = await measure(impls, rounds);
    const blendRef = 'plain JS: full blend + heap top-k';
    const singleRef = 'plain JS: one query + heap top-k';
    const rows = Object.keys(impls).map((name) => ({ name, ref: name.includes('full blend') ? blendRef : singleRef }));
    print(`### Score + top-50 of 1,000 × ${DIM}`);
    print(`full blend = long-term + 4-interest short-term + target attention over 50 recent events (what rerank computes by default);`);
    print(`one query = the same engine with only a user vector (one dot product per item), comparable to MatMul + TopK`);
    print('');
    print(table(rows, samples));
    print('');
    print(`top-10 identical to plain JS: ${checks.map(([n, ok]) => `${n} ${ok ? 'yes' : 'NO'}`).join(', ')}`);
    const rr = median(samples['engine SIMD: rerank(1000 ids, {k: 50}), one query']);
    const rn = median(samples['engine SIMD: rerank(new 1000-id list, {k: 50}), one query']);
    const rc = median(samples['engine SIMD: recommend(50), one query']);
    const re = median(samples['engine SIMD: rerank([]) (empty: JS + binding overhead)']);
    print(`rerank(1000 ids) rows re-rank the previous call's ids with no event in between: resolved slots, attention cells and sums, interest dot products and the long-term scores are reused, so they measure the engine's caches, not its kernels (recommend rows compute every dot product); 'new 1000-id list' rows resolve the ids every call (the per-item attention and interest cells, the attention sums kept per item since the last event, and the long-term and sequence scores of items already scored with the same user vector and hidden state, are reused).`);
    print(`JS→kernel path: empty rerank ${fmt(re)}; per 1000 ids: new list − recommend over the same slots = ${fmt(rn - rc)} (ids the engine has resolved before: a keyed lookup per id in the JS layer's id → slot table, the slots' copy, the duplicate check), repeated ids − recommend = ${fmt(rr - rc)}`);
    const sight = await firstSight(createEngine, events, now, k);
    print(`Lists of ids never ranked before (a server's new pages), engine SIMD, full blend, one call timed per list over ${sight.lists} lists of 1,000 from a ${sight.items.toLocaleString('en-US')}-item catalog (medians): first call ${fmt(sight.first)} (ids staged as UTF-8, hashed and looked up by the core); second ${fmt(sight.second)} (the same, and the JS layer learns the ids, which recur); third ${fmt(sight.third)} (looked up in the JS layer's table)`);
    print('');
    for (const e of Object.values(eng)) e.blend.dispose(), e.single.dispose();
    tfRun?.dispose();
    await ortRun?.dispose();
  }

  // ---------------------------------------------------------------- case 2: 100,000, top-100
  if (want(2)) {
    const data = makeItems(100_000, 2);
    const k = 100;
    const g = gaussian(11);
    const query = Float32Array.from({ length: DIM }, () => g());
    const now = T0;
    const bw = makeBandwidth(data.vectors);
    const eng = {};
    const variants = [['SIMD', true, false], ['baseline', false, false]];
    if (int8Supported) variants.push(['SIMD int8', true, true], ['baseline int8', false, true]);
    for (const [name, simd, int8] of variants) {
      const e = await createEngine({ dim: DIM, simd, capacity: data.n, ...(int8 ? { int8 } : {}) });
      e.upsertItems(data.ids, data.vectors);
      e.setUserVector(query);
      eng[name] = e;
    }
    const tfRun = tf ? makeTf(tf, data.vectors, data.n, 1, k) : null;
    const ortRun = ort ? await makeOrt(ort, data.vectors, data.n, 1, k) : null;
    const impls = {};
    for (const name of Object.keys(eng)) impls[`engine ${name}: recommend(100)`] = () => eng[name].recommend(k, { now });
    impls['plain JS: one query + heap top-k'] = () => plainSingle(data.vectors, data.n, query, k);
    const bwName = `streaming sum over ${((data.n * DIM * 4) / 1e6).toFixed(1)} MB (wasm SIMD, bandwidth probe)`;
    impls[bwName] = bw.run;
    if (tfRun) impls['TF.js wasm: matMul + topk'] = () => tfRun(query);
    if (ortRun) impls['onnxruntime-web wasm: MatMul + TopK'] = () => ortRun(query);
    const expect = plainSingle(data.vectors, data.n, query, k).map((i) => data.ids[i]);
    const checks = [['engine SIMD', sameTop(eng.SIMD.recommend(k, { now }).ids, expect)]];
    if (tfRun) checks.push(['TF.js', sameTop(Array.from(tfRun(query), (i) => data.ids[i]), expect)]);
    if (ortRun) checks.push(['ORT', sameTop((await ortRun(query)).map((i) => data.ids[i]), expect)]);
    const samples = await measure(impls, rounds);
    const ref = 'plain JS: one query + heap top-k';
    const rows = Object.keys(impls).map((name) => ({ name, ref }));
    bw.gbps = (data.n * DIM * 4) / (median(samples[bwName]) * 1e3);
    const bound32 = (data.n * DIM * 4) / (bw.gbps * 1e3); // µs
    const bound8 = (data.n * (DIM + 4)) / (bw.gbps * 1e3);
    rows.push({ name: `bandwidth bound, float32 (${((data.n * DIM * 4) / 1e6).toFixed(1)} MB at ${bw.gbps.toFixed(1)} GB/s)`, text: fmt(bound32) });
    rows.push({ name: `bandwidth bound, int8 + per-row scale (${((data.n * (DIM + 4)) / 1e6).toFixed(1)} MB)`, text: fmt(bound8) });
    print(`### Score + top-100 of 100,000 × ${DIM} (one query: the engine holds only a user vector)`);
    print('');
    print(table(rows, samples));
    print('');
    const e = median(samples['engine SIMD: recommend(100)']);
    print(`bandwidth ${bw.gbps.toFixed(1)} GB/s: the streaming-sum row, measured alternating with the others; engine SIMD float32 = ${(e / bound32).toFixed(2)}x the float32 bound`);
    if (int8Supported) {
      const e8 = median(samples['engine SIMD int8: recommend(100)']);
      // Overlap of int8 with float32 rankings over 20 user vectors (Gaussian factors, no trained ones here).
      let top10 = 0, recall10 = 0, top100 = 0;
      for (let u = 0; u < 20; u++) {
        const gu = gaussian(1000 + u);
        const uq = Float32Array.from({ length: DIM }, () => gu());
        eng.SIMD.setUserVector(uq);
        eng['SIMD int8'].setUserVector(uq);
        const a = eng.SIMD.recommend(k, { now }).ids;
        const b = eng['SIMD int8'].recommend(k, { now }).ids;
        const b10 = new Set(b.slice(0, 10)), b100 = new Set(b);
        top10 += a.slice(0, 10).filter((id) => b10.has(id)).length / 10;
        recall10 += a.slice(0, 10).filter((id) => b100.has(id)).length / 10;
        top100 += a.filter((id) => b100.has(id)).length / k;
      }
      print(`int8: engine SIMD int8 / SIMD float32 time = ${(e8 / e).toFixed(2)}x; int8 / int8 bound = ${(e8 / bound8).toFixed(2)}x; top-10 overlap with float32 ${(top10 / 20).toFixed(3)}, float32 top-10 found in int8 top-100 ${(recall10 / 20).toFixed(3)}, top-100 overlap ${(top100 / 20).toFixed(3)} (20 random Gaussian user vectors over Gaussian items; no trained factors in this run)`);
    }
    print(`top-10 identical to plain JS: ${checks.map(([n, ok]) => `${n} ${ok ? 'yes' : 'NO'}`).join(', ')}`);
    print('');
    for (const x of Object.values(eng)) x.dispose();
    tfRun?.dispose();
    await ortRun?.dispose();
  }

  // ---------------------------------------------------------------- case 3: 8 queries x 1,000
  if (want(3)) {
    const data = makeItems(1000, 3);
    const k = 50;
    const Q = 8;
    // Eight clicks on mutually dissimilar items open eight interests (cosine < mergeThreshold).
    const events = Array.from({ length: Q }, (_, j) => ({ item: data.ids[j * 101], type: 'click', time: T0 + j * 1000 }));
    const now = T0 + Q * 1000;
    const weights = { server: 0, longTerm: 0, shortTerm: 1, attention: 0, sequence: 0, negative: 0 };
    const eng = {};
    for (const [name, simd] of flavours) {
      const e = await createEngine({ dim: DIM, simd, interestSlots: Q, weights });
      e.upsertItems(data.ids, data.vectors);
      e.observe(events);
      eng[name] = e;
    }
    const interests = eng.SIMD.interests({ now }).shortTerm;
    if (interests.length !== Q) throw new Error(`expected ${Q} interests, got ${interests.length}`);
    // Competitors score unit rows (the engine's short-term component is a cosine): the
    // same ranking, the same cost. Query matrix [dim, Q] for MatMul, rows for plain JS.
    const { unit } = unitRows(data.vectors, data.n);
    const rowsQ = new Float32Array(Q * DIM);
    const colsQ = new Float32Array(DIM * Q);
    interests.forEach((s, c) => s.vector.forEach((x, j) => ((rowsQ[c * DIM + j] = x), (colsQ[j * Q + c] = x))));
    const tfRun = tf ? makeTf(tf, unit, data.n, Q, k) : null;
    const ortRun = ort ? await makeOrt(ort, unit, data.n, Q, k) : null;
    const impls = {};
    for (const [name] of flavours) impls[`engine ${name}: rerank(1000 ids, {k: 50}), 8 interests`] = () => eng[name].rerank(data.ids, { k, now, exclude: 'none' });
    const otherIds = data.ids.slice();
    otherIds[0] = data.ids[1], otherIds[1] = data.ids[0];
    let flip = 0;
    impls['engine SIMD: rerank(new 1000-id list, {k: 50}), 8 interests'] = () =>
      eng.SIMD.rerank((flip++ & 1) ? otherIds : data.ids, { k, now, exclude: 'none' });
    // The engine keeps the candidates' dot products with each interest between calls (an
    // event changes one interest); configure() re-creates the interest state, so the next
    // rerank computes all 8,000 again: the kernel's cost is that row minus configure alone.
    // (A separate engine: its re-created state must not reach the other rows' engine.)
    const freshEngine = await createEngine({ dim: DIM, simd: true, interestSlots: Q, weights });
    freshEngine.upsertItems(data.ids, data.vectors);
    freshEngine.observe(events);
    let toggle = 0;
    const threshold = freshEngine.config.mergeThreshold;
    const reconfigure = () => freshEngine.configure({ mergeThreshold: (toggle++ & 1) ? threshold : threshold * 0.999 });
    impls['engine SIMD: configure() + rerank(1000 ids, {k: 50}), 8 interests scored afresh'] = () => {
      reconfigure();
      return freshEngine.rerank(data.ids, { k, now, exclude: 'none' });
    };
    impls['engine SIMD: configure() alone'] = reconfigure;
    impls['plain JS: 8 dots per item, max, heap top-k'] = () => plainMulti(unit, data.n, rowsQ, Q, k);
    if (tfRun) impls['TF.js wasm: matMul [1000,64]x[64,8] + max + topk'] = () => tfRun(colsQ);
    if (ortRun) impls['onnxruntime-web wasm: MatMul + ReduceMax + TopK'] = () => ortRun(colsQ);
    const expect = plainMulti(unit, data.n, rowsQ, Q, k).map((i) => data.ids[i]);
    const checks = [['engine SIMD', sameTop(eng.SIMD.rerank(data.ids, { k, now, exclude: 'none' }).ids, expect)]];
    if (tfRun) checks.push(['TF.js', sameTop(Array.from(tfRun(colsQ), (i) => data.ids[i]), expect)]);
    if (ortRun) checks.push(['ORT', sameTop((await ortRun(colsQ)).map((i) => data.ids[i]), expect)]);
    const samples = await measure(impls, rounds);
    const ref = 'plain JS: 8 dots per item, max, heap top-k';
    print(`### 8 query vectors × 1,000 × ${DIM}: score, max over queries, top-50`);
    print(`engine: the public API has no multi-query call; this is rerank through the engine's multi-interest path`);
    print(`(interestSlots 8, eight interests from eight clicks, blend weights shortTerm 1, the others 0)`);
    print('');
    print(table(Object.keys(impls).map((name) => ({ name, ref })), samples));
    print('');
    const fresh = median(samples['engine SIMD: configure() + rerank(1000 ids, {k: 50}), 8 interests scored afresh']) -
      median(samples['engine SIMD: configure() alone']);
    const ortMedian = samples['onnxruntime-web wasm: MatMul + ReduceMax + TopK'] ? median(samples['onnxruntime-web wasm: MatMul + ReduceMax + TopK']) : NaN;
    print(`rerank(1000 ids) rows reuse the dot products cached by the previous call (no event in between); scored afresh (configure() + rerank − configure() alone): ${fmt(fresh)}${Number.isFinite(ortMedian) ? `, ${(ortMedian / fresh).toFixed(2)}x faster than onnxruntime-web` : ''}`);
    print(`top-10 identical to plain JS: ${checks.map(([n, ok]) => `${n} ${ok ? 'yes' : 'NO'}`).join(', ')}`);
    print('');
    for (const x of Object.values(eng)) x.dispose();
    freshEngine.dispose();
    tfRun?.dispose();
    await ortRun?.dispose();
  }
  // ---------------------------------------------------------------- case 4: on-device cost per event
  // Issue 4's device budget: observe() including the GRU step, and a re-rank of 1,000
  // candidates with attention over the last 50 events, the GRU and the whole blend.
  if (want(4) && sequenceModel) {
    const data = makeItems(1000, 4);
    const events = Array.from({ length: 50 }, (_, j) => ({ item: data.ids[(j * 37) % data.n], type: 'click', time: T0 + j * 60_000 }));
    let clock = events.at(-1).time;
    const eng = {};
    for (const [name, simd] of flavours) {
      const plain = await createEngine({ dim: DIM, simd });
      plain.upsertItems(data.ids, data.vectors);
      plain.observe(events);
      // One engine per row: a row's calls must not change the state another row measures
      // (hundreds of observes between two feed-step samples would add 50 new attention keys).
      const withModel = async () => {
        const e = await createEngine({ dim: DIM, simd });
        e.upsertItems(data.ids, data.vectors);
        const info = e.loadSequenceModel(sequenceModel);
        e.observe(events);
        return [e, info];
      };
      const [seq, info] = await withModel();
      const [feed] = await withModel();
      const [again] = await withModel();
      const [lists] = await withModel();
      eng[name] = { plain, seq, feed, again, lists, hidden: info.hidden };
    }
    // Two candidate lists differing in the order of two ids: alternating them defeats the
    // engine's reuse of the previous call's candidates (a new list every call); their ids
    // are looked up in the JS layer's id -> slot table.
    const otherIds = data.ids.slice();
    otherIds[0] = data.ids[1], otherIds[1] = data.ids[0];
    const impls = {};
    let i = 0;
    let flip = 0;
    const stepRow = (name) => `engine ${name}: feed step = observe(1 click) + rerank(1000 ids, {k: 50}), full blend + GRU`;
    const obsRow = (name) => `engine ${name}: observe(1 click) incl. the GRU step`;
    for (const [name] of flavours) {
      impls[`engine ${name}: observe(1 click), no sequence model`] = () =>
        eng[name].plain.observe({ item: data.ids[(i++ * 7) % data.n], type: 'click', time: (clock += 1000) });
      impls[obsRow(name)] = () =>
        eng[name].seq.observe({ item: data.ids[(i++ * 7) % data.n], type: 'click', time: (clock += 1000) });
      impls[stepRow(name)] = () => {
        eng[name].feed.observe({ item: data.ids[(i++ * 7) % data.n], type: 'click', time: (clock += 1000) });
        return eng[name].feed.rerank(data.ids, { k: 50, now: clock + 1000, exclude: 'none' });
      };
      impls[`engine ${name}: rerank(1000 ids, {k: 50}) again, no new event`] = () =>
        eng[name].again.rerank(data.ids, { k: 50, now: T0 + 3_600_000, exclude: 'none' });
      impls[`engine ${name}: rerank(another 1000-id list each call), ids looked up every call`] = () =>
        eng[name].lists.rerank((flip++ & 1) ? otherIds : data.ids, { k: 50, now: T0 + 3_600_000, exclude: 'none' });
    }
    // The same fixed pure-compute work in every run: it tells whether a slow run had a slow
    // core (the reference moves too) or slow memory (the per-event rows move alone).
    const spinRow = 'machine reference: 10,000 dependent float multiply-adds (wasm, no memory)';
    impls[spinRow] = makeSpin();
    const samples = await measure(impls, rounds);
    print(`### On-device cost: one event, one re-rank (GRU H = ${eng.SIMD.hidden}, ${DIM} dims, attention over the last 50 events)`);
    print('');
    print(table(Object.keys(impls).map((name) => ({ name })), samples));
    print('');
    for (const [name] of flavours) {
      const step = median(samples[stepRow(name)]), obs = median(samples[obsRow(name)]);
      print(`${name}: re-rank after one event (feed step − observe) = ${fmt(step - obs)}`);
    }
    print(`machine reference in this run: ${fmt(median(samples[spinRow]))} (pure compute; compare across runs: slower per-event rows beside a steady reference point at the memory system, not the core)`);
    print('');
    for (const e of Object.values(eng)) for (const x of [e.plain, e.seq, e.feed, e.again, e.lists]) x.dispose();
  } else if (want(4)) {
    print('### On-device cost: skipped (no sequence model given to the suite)');
    print('');
  }
  return out.join('\n');
}

/** A wasm SIMD streaming sum over a copy of `floats`: run() is one pass (for measure()). */
export function makeBandwidth(floats) {
  const bytes = floats.byteLength;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(BANDWIDTH_WASM), {});
  inst.exports.memory.grow(Math.ceil(bytes / 65536));
  new Float32Array(inst.exports.memory.buffer, 0, floats.length).set(floats);
  return { run: () => inst.exports.sum(0, bytes), gbps: 0 };
}

/** A fixed amount of pure compute (bandwidth.wat's spin): how fast this process's core runs. */
export function makeSpin(steps = 10_000) {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(BANDWIDTH_WASM), {});
  return () => inst.exports.spin(steps);
}
