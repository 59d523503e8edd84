// Large batches grow the wasm memory, which detaches every typed view on it: results
// read after growth must still be right. The short-term component alone (other
// weights 0) has a closed form: one click of weight 1 gives g(1) = 1/2, so
// score(v) = 0.5 * cos(v, v_clicked), computed here in double precision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../web/index.js';
import { prng, T0, MINUTE } from './helpers.js';

test('results stay correct across memory growth (30k x 64 catalog, explain on 20k candidates)', async () => {
  const dim = 64;
  const n = 30_000;
  const random = prng(77);
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < vectors.length; i++) vectors[i] = random() * 2 - 1;
  const ids = Array.from({ length: n }, (_, i) => `item-${i}`);
  const engine = await createEngine({
    dim,
    weights: { server: 0, longTerm: 0, shortTerm: 1, attention: 0, sequence: 0, negative: 0 },
  });
  // Three batches: each upsert grows the heap.
  for (let b = 0; b < 3; b++) {
    const lo = b * 10_000;
    assert.deepEqual(engine.upsertItems(ids.slice(lo, lo + 10_000), vectors.subarray(lo * dim, (lo + 10_000) * dim)), []);
  }
  assert.equal(engine.stats().items, n);
  const clicked = 123;
  engine.observe({ item: ids[clicked], type: 'click', time: T0 });

  const candidates = ids.slice(5_000, 25_000);
  const result = engine.rerank(candidates, { now: T0, explain: true, exclude: 'none' });
  assert.equal(result.ids.length, candidates.length);
  assert.equal(new Set(result.ids).size, candidates.length);
  const row = (i) => vectors.subarray(i * dim, (i + 1) * dim);
  const cos = (a, b) => {
    let ab = 0, aa = 0, bb = 0;
    for (let k = 0; k < dim; k++) {
      ab += a[k] * b[k];
      aa += a[k] * a[k];
      bb += b[k] * b[k];
    }
    return ab / Math.sqrt(aa * bb);
  };
  const target = row(clicked);
  let worst = 0;
  result.ids.forEach((id, r) => {
    const expected = 0.5 * cos(row(Number(id.slice(5))), target);
    worst = Math.max(worst, Math.abs(result.scores[r] - expected));
    const e = result.explanations[r];
    assert.equal(e.id, id);
    assert.ok(Math.abs(e.contributions.shortTerm - result.scores[r]) < 1e-6);
  });
  assert.ok(worst < 1e-5, `largest deviation from 0.5 cos: ${worst}`);
  // Sorted by that closed form.
  for (let r = 1; r < result.scores.length; r++) assert.ok(result.scores[r - 1] >= result.scores[r]);

  // recommend over all 30k: the clicked item itself is the best match (cos = 1).
  const top = engine.recommend(3, { now: T0 + MINUTE, exclude: 'none' });
  assert.equal(top.ids[0], ids[clicked]);
  // One minute later the strength is m = 2^(-1/30) (30-minute half-life), gain m/(m+1).
  const m = 2 ** (-1 / 30);
  assert.ok(Math.abs(top.scores[0] - m / (m + 1)) < 1e-5, `${top.scores[0]}`);

  // More items after those calls: the memory grows again under the result views the JS
  // layer keeps between calls (they are fetched again), and results are still right.
  const heapBefore = engine.memoryUsage().wasmHeapBytes;
  const extra = 20_000;
  const extraVectors = new Float32Array(extra * dim);
  for (let i = 0; i < extraVectors.length; i++) extraVectors[i] = random() * 2 - 1;
  engine.upsertItems(Array.from({ length: extra }, (_, i) => `extra-${i}`), extraVectors);
  assert.ok(engine.memoryUsage().wasmHeapBytes > heapBefore, 'the upsert grew the memory');
  const few = ids.slice(0, 200);
  const again = engine.rerank(few, { now: T0, exclude: 'none' });
  assert.equal(again.ids.length, few.length);
  again.ids.forEach((id, r) => {
    const expected = 0.5 * cos(row(Number(id.slice(5))), target);
    assert.ok(Math.abs(again.scores[r] - expected) < 1e-5, `${id}: ${again.scores[r]} against ${expected}`);
  });
  assert.equal(engine.recommend(1, { now: T0 + MINUTE, exclude: 'none' }).ids[0], ids[clicked]);
  engine.dispose();
});
