// Every error class of the JS API: an InterestEngineError with its code, a message
// naming the problem, and an engine state exactly as it was before the call.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../web/index.js';
import { MINUTE, T0, plantedCatalog, assertRejects, assertRejectsAsync } from './helpers.js';

const catalog = plantedCatalog({ topics: 3, perTopic: 8, dim: 8, seed: 9 });
const DIM = catalog.dim;
const NOW = T0 + 30 * MINUTE;
const LAST = T0 + 3 * MINUTE; // time of the last observed event
const CANDIDATES = [...catalog.ids.slice(0, 12), 'never-seen'];

let engine;
let ctx;
before(async () => {
  engine = await createEngine({ dim: DIM, capacity: 100 });
  engine.upsertItems(catalog.ids, catalog.vectors);
  engine.observe([
    { item: 'A0', type: 'click', time: T0 },
    { item: 'B1', type: 'like', time: T0 + MINUTE },
    { item: 'C2', type: 'hide', time: T0 + 2 * MINUTE },
    { item: 'pending-item', type: 'click', time: LAST },
  ]);
  ctx = { engine, now: NOW, candidates: CANDIDATES };
});

const vec = (fill = 0.5) => new Float32Array(DIM).fill(fill);
const ok = { item: 'A1', type: 'click', time: LAST + 1 };

describe('upsertItems', () => {
  test('wrong vector length', () => {
    assertRejects(() => engine.upsertItems(['n1', 'n2'], new Float32Array(2 * DIM - 1)), 'dimension_mismatch', /vectors has 15 values, expected 16/, ctx);
    assertRejects(() => engine.upsertItems(['n1'], [1, 2, 3]), 'dimension_mismatch', /expected 8/, ctx);
  });
  test('NaN or Infinity in a vector', () => {
    const v = new Float32Array(2 * DIM).fill(0.1);
    v[DIM + 2] = NaN;
    assertRejects(() => engine.upsertItems(['n1', 'n2'], v), 'non_finite', /'n2'.*non-finite.*component 2/, ctx);
    const w = Array(DIM).fill(1);
    w[0] = -Infinity;
    assertRejects(() => engine.upsertItems(['n1'], w), 'non_finite', /'n1'/, ctx);
    // Beyond float32 range a finite double becomes Infinity: rejected as well.
    assertRejects(() => engine.upsertItems(['n1'], Array(DIM).fill(1e39)), 'non_finite', /non-finite/, ctx);
  });
  test('empty, over-long (> 256 UTF-8 bytes) and NUL-containing ids', () => {
    assertRejects(() => engine.upsertItems(['n1', ''], new Float32Array(2 * DIM)), 'invalid_id', /ids\[1\] is an empty id/, ctx);
    assertRejects(() => engine.upsertItems(['x'.repeat(257)], vec()), 'invalid_id', /257 bytes long \(at most 256\)/, ctx);
    // 129 two-byte characters: 129 UTF-16 units, 258 bytes.
    assertRejects(() => engine.upsertItems(['é'.repeat(129)], vec()), 'invalid_id', /258 bytes/, ctx);
    assertRejects(() => engine.upsertItems(['a\0b'], vec()), 'invalid_id', /NUL/, ctx);
    assertRejects(() => engine.upsertItems(['tab\there'], vec()), 'invalid_id', /control character/, ctx);
    assertRejects(() => engine.upsertItems(['\uD800x'], vec()), 'invalid_id', /surrogate/, ctx);
    assertRejects(() => engine.upsertItems([NaN], vec()), 'invalid_id', /finite number/, ctx);
    assertRejects(() => engine.upsertItems([null], vec()), 'invalid_id', /got null/, ctx);
    assertRejects(() => engine.upsertItems([{}], vec()), 'invalid_id', /got object/, ctx);
    // The limits themselves are fine (on a scratch engine, to keep this one's state).
  });
  test('duplicate ids in a batch', () => {
    assertRejects(() => engine.upsertItems(['n1', 'n2', 'n1'], new Float32Array(3 * DIM)), 'duplicate_id', /'n1' appears twice/, ctx);
    assertRejects(() => engine.upsertItems([5, '5'], new Float32Array(2 * DIM)), 'duplicate_id', /'5'/, ctx);
  });
  test('wrong argument types', () => {
    assertRejects(() => engine.upsertItems('A0', vec()), 'invalid_argument', /ids must be an array/, ctx);
    assertRejects(() => engine.upsertItems(['n1'], 'vector'), 'invalid_argument', /vectors must be a Float32Array/, ctx);
    assertRejects(() => engine.upsertItems(['n1'], null), 'invalid_argument', /vectors/, ctx);
    assertRejects(() => engine.upsertItems(['n1']), 'invalid_argument', /vectors/, ctx);
  });
  test('batch larger than the capacity', () => {
    const ids = Array.from({ length: 101 }, (_, i) => `big${i}`);
    assertRejects(() => engine.upsertItems(ids, new Float32Array(101 * DIM)), 'invalid_argument', /101 items exceeds the capacity of 100/, ctx);
  });
});

describe('observe', () => {
  test('unknown event types', () => {
    for (const type of ['Click', 'view', '', undefined, 3, null]) {
      assertRejects(() => engine.observe([ok, { item: 'A1', type, time: LAST + 2 }]), 'unknown_event_type', /event #1: unknown event type/, ctx);
    }
  });
  test('NaN / Infinity in time or value', () => {
    assertRejects(() => engine.observe([ok, { item: 'A1', type: 'click', time: NaN }]), 'non_finite', /event #1: time is NaN/, ctx);
    assertRejects(() => engine.observe({ item: 'A1', type: 'click', time: Infinity }), 'non_finite', /time is Infinity/, ctx);
    assertRejects(() => engine.observe({ item: 'A1', type: 'dwell', time: LAST + 1, value: NaN }), 'non_finite', /value is NaN/, ctx);
    assertRejects(() => engine.observe({ item: 'A1', type: 'click', time: LAST + 1, value: -Infinity }), 'non_finite', /value/, ctx);
  });
  test('events out of time order', () => {
    assertRejects(() => engine.observe({ item: 'A1', type: 'click', time: LAST - 1 }), 'out_of_order', /earlier than an event already observed/, ctx);
    assertRejects(
      () => engine.observe([{ item: 'A1', type: 'click', time: LAST + 10 }, { item: 'A2', type: 'click', time: LAST + 5 }]),
      'out_of_order',
      /event #1/,
      ctx,
    );
  });
  test('dwell needs a non-negative value in seconds', () => {
    assertRejects(() => engine.observe([ok, { item: 'A1', type: 'dwell', time: LAST + 2 }]), 'invalid_argument', /dwell needs value/, ctx);
    assertRejects(() => engine.observe({ item: 'A1', type: 'dwell', time: LAST + 2, value: -3 }), 'invalid_argument', /dwell/, ctx);
  });
  test('bad item ids', () => {
    assertRejects(() => engine.observe([ok, { item: '', type: 'click', time: LAST + 2 }]), 'invalid_id', /empty/, ctx);
    assertRejects(() => engine.observe({ item: 'y'.repeat(300), type: 'click', time: LAST + 2 }), 'invalid_id', /300 bytes/, ctx);
    assertRejects(() => engine.observe({ item: 'nul\0', type: 'click', time: LAST + 2 }), 'invalid_id', /NUL/, ctx);
    assertRejects(() => engine.observe({ type: 'click', time: LAST + 2 }), 'invalid_id', /got undefined/, ctx);
  });
  test('wrong argument types', () => {
    assertRejects(() => engine.observe('click'), 'invalid_argument', /event #0 must be an object/, ctx);
    assertRejects(() => engine.observe([ok, null]), 'invalid_argument', /event #1 must be an object/, ctx);
    assertRejects(() => engine.observe({ item: 'A1', type: 'click', time: '2024-01-01' }), 'invalid_argument', /time must be a finite number/, ctx);
    assertRejects(() => engine.observe({ item: 'A1', type: 'click', time: LAST + 2, value: '3' }), 'invalid_argument', /value must be a finite number/, ctx);
  });
});

describe('rerank', () => {
  test('NaN / Infinity in serverScores', () => {
    const ids = ['A0', 'B0', 'C0'];
    assertRejects(() => engine.rerank(ids, { now: NOW, serverScores: [1, NaN, 2] }), 'non_finite', /server score of candidate 'B0' is not finite/, ctx);
    assertRejects(() => engine.rerank(ids, { now: NOW, serverScores: new Float32Array([1, 2, Infinity]) }), 'non_finite', /'C0'/, ctx);
  });
  test('serverScores of the wrong length or type', () => {
    assertRejects(() => engine.rerank(['A0', 'B0'], { now: NOW, serverScores: [1] }), 'dimension_mismatch', /serverScores has 1 values, expected 2/, ctx);
    assertRejects(() => engine.rerank(['A0'], { now: NOW, serverScores: 'high' }), 'invalid_argument', /serverScores/, ctx);
  });
  test('NaN / Infinity / wrong type for now', () => {
    assertRejects(() => engine.rerank(['A0'], { now: NaN }), 'non_finite', /now is NaN/, ctx);
    assertRejects(() => engine.rerank(['A0'], { now: -Infinity }), 'non_finite', /now/, ctx);
    assertRejects(() => engine.rerank(['A0'], { now: new Date(NOW) }), 'invalid_argument', /now must be a finite number/, ctx);
  });
  test('bad ids, duplicates', () => {
    assertRejects(() => engine.rerank(['A0', ''], { now: NOW }), 'invalid_id', /ids\[1\] is an empty id/, ctx);
    assertRejects(() => engine.rerank(['A0', 'z'.repeat(257)], { now: NOW }), 'invalid_id', /257 bytes/, ctx);
    assertRejects(() => engine.rerank(['A0\0'], { now: NOW }), 'invalid_id', /NUL/, ctx);
    assertRejects(() => engine.rerank(['A0', 'A0'], { now: NOW }), 'duplicate_id', /'A0' appears twice/, ctx);
    assertRejects(() => engine.rerank('A0', { now: NOW }), 'invalid_argument', /ids must be an array/, ctx);
  });
  test('bad ids inside a list of plain strings are named (checked over the joined block)', () => {
    const before = engine.rerank(['A0', 'B0', 'A1'], { now: NOW });
    assertRejects(() => engine.rerank(['A0', 'B0', 'x\0y', 'A1'], { now: NOW }), 'invalid_id', /ids\[2\] contains a NUL character/, ctx);
    assertRejects(() => engine.rerank(['A0', 'B0', 'A1\uDC00'], { now: NOW }), 'invalid_id', /ids\[2\] contains a lone UTF-16 surrogate/, ctx);
    // A high surrogate ending one id and a low one starting the next are not a pair.
    assertRejects(() => engine.rerank(['A0', 'x\uD83D', '\uDE00y'], { now: NOW }), 'invalid_id', /ids\[1\] contains a lone UTF-16 surrogate/, ctx);
    assertRejects(() => engine.rerank(['A0', 'tab\there'], { now: NOW }), 'invalid_id', /control character/, ctx);
    assertRejects(() => engine.rerank(['A0', 'del\x7F'], { now: NOW }), 'invalid_id', /control character/, ctx);
    assertRejects(() => engine.rerank(['A0', 'B0', 'A0'], { now: NOW }), 'duplicate_id', /'A0' appears twice/, ctx);
    // Nothing changed, and ids with paired surrogates or U+FFFD are fine.
    assert.deepEqual(engine.rerank(['A0', 'B0', 'A1'], { now: NOW }), before);
    assert.equal(engine.rerank(['A0', 'new \uD83D\uDE00', 'new \uFFFD', 'B0'], { now: NOW }).ids.length, 4);
  });
  test('unknown options and bad option values', () => {
    assertRejects(() => engine.rerank(['A0'], { now: NOW, topK: 3 }), 'invalid_argument', /unknown option 'topK'/, ctx);
    assertRejects(() => engine.rerank(['A0'], null), 'invalid_argument', /options must be an object/, ctx);
    for (const k of [-1, 1.5, '3', NaN, Infinity]) assertRejects(() => engine.rerank(['A0'], { now: NOW, k }), 'invalid_argument', /k must be a non-negative integer/, ctx);
    assertRejects(() => engine.rerank(['A0'], { now: NOW, exclude: 'hidden' }), 'invalid_argument', /exclude must be 'consumed' or 'none'/, ctx);
    assertRejects(() => engine.rerank(['A0'], { now: NOW, explain: 1 }), 'invalid_argument', /explain must be a boolean/, ctx);
  });
});

describe('recommend, interests, setUserVector, hasItem', () => {
  test('recommend validates k, now and options', () => {
    assertRejects(() => engine.recommend(-2, { now: NOW }), 'invalid_argument', /k must be/, ctx);
    assertRejects(() => engine.recommend(3, { now: NaN }), 'non_finite', /now/, ctx);
    assertRejects(() => engine.recommend(3, { now: NOW, serverScores: [1] }), 'invalid_argument', /recommend takes no serverScores/, ctx);
    assertRejects(() => engine.recommend(3, { now: NOW, limit: 2 }), 'invalid_argument', /unknown option 'limit'/, ctx);
  });
  test('interests validates its options', () => {
    assertRejects(() => engine.interests({ now: Infinity }), 'non_finite', /now/, ctx);
    assertRejects(() => engine.interests({ at: NOW }), 'invalid_argument', /unknown option 'at'/, ctx);
    assertRejects(() => engine.interests(null), 'invalid_argument', /options must be an object/, ctx);
  });
  test('setUserVector: wrong length, NaN, wrong type', () => {
    assertRejects(() => engine.setUserVector(new Float32Array(DIM + 1)), 'dimension_mismatch', /user vector has 9 values, expected 8/, ctx);
    const v = vec(0.2);
    v[3] = NaN;
    assertRejects(() => engine.setUserVector(v), 'non_finite', /server user vector has a non-finite value/, ctx);
    assertRejects(() => engine.setUserVector(undefined), 'invalid_argument', /user vector must be a Float32Array/, ctx);
  });
  test('hasItem: bad ids', () => {
    assertRejects(() => engine.hasItem(''), 'invalid_id', /empty/, ctx);
    assertRejects(() => engine.hasItem(undefined), 'invalid_id', /got undefined/, ctx);
  });
});

describe('configuration', () => {
  test('createEngine rejects unknown options and bad values', async () => {
    await assertRejectsAsync(() => createEngine({ dim: 8, halfLife: 3 }), 'invalid_argument', /unknown option 'halfLife'/);
    await assertRejectsAsync(() => createEngine({}), 'invalid_argument', /option dim .* is required/);
    await assertRejectsAsync(() => createEngine(null), 'invalid_argument', /options must be an object/);
    await assertRejectsAsync(() => createEngine({ dim: 0 }), 'invalid_argument', /dim must be an integer in 1\.\.1024/);
    await assertRejectsAsync(() => createEngine({ dim: 2000 }), 'invalid_argument', /dim must be an integer in 1\.\.1024/);
    await assertRejectsAsync(() => createEngine({ dim: 8.5 }), 'invalid_argument', /dim must be a non-negative integer/);
    await assertRejectsAsync(() => createEngine({ dim: '8' }), 'invalid_argument', /dim must be a finite number/);
    await assertRejectsAsync(() => createEngine({ dim: 8, halfLifeMinutes: NaN }), 'invalid_argument', /halfLifeMinutes must be a finite number/);
    await assertRejectsAsync(() => createEngine({ dim: 8, halfLifeMinutes: -1 }), 'invalid_argument', /halfLifeMinutes must be a finite number > 0/);
    await assertRejectsAsync(() => createEngine({ dim: 8, pendingCapacity: -1 }), 'invalid_argument', /pendingCapacity must be a non-negative integer/);
    await assertRejectsAsync(() => createEngine({ dim: 8, consumedCapacity: 2 ** 32 }), 'invalid_argument', /consumedCapacity/);
    await assertRejectsAsync(() => createEngine({ dim: 8, interestSlots: 0 }), 'invalid_argument', /interestSlots must be an integer in 1\.\.16/);
    await assertRejectsAsync(() => createEngine({ dim: 8, weights: { serverr: 1 } }), 'invalid_argument', /unknown weights entry 'serverr'/);
    await assertRejectsAsync(() => createEngine({ dim: 8, weights: { server: Infinity } }), 'invalid_argument', /weights\.server must be a finite number/);
    await assertRejectsAsync(() => createEngine({ dim: 8, eventWeights: { hide: 1 } }), 'invalid_argument', /skip and hide are negative feedback/);
    await assertRejectsAsync(() => createEngine({ dim: 8, eventWeights: null }), 'invalid_argument', /eventWeights must be an object/);
    await assertRejectsAsync(() => createEngine({ dim: 8, simd: 'yes' }), 'invalid_argument', /simd must be 'auto', true or false/);
  });
  test('configure rejects unknown options, fixed fields and bad values, changing nothing', () => {
    assertRejects(() => engine.configure({ halfLife: 3 }), 'invalid_argument', /unknown option 'halfLife'/, ctx);
    assertRejects(() => engine.configure({ capacity: 50 }), 'invalid_argument', /fixed when the engine is created/, ctx);
    assertRejects(() => engine.configure({ dim: 4 }), 'invalid_argument', /fixed/, ctx);
    assertRejects(() => engine.configure({ simd: false }), 'invalid_argument', /only applies to createEngine/, ctx);
    assertRejects(() => engine.configure({ lambda: 0 }), 'invalid_argument', /lambda must be a finite number > 0/, ctx);
    assertRejects(() => engine.configure({ weights: { negative: NaN } }), 'invalid_argument', /weights\.negative/, ctx);
    assertRejects(() => engine.configure(undefined), 'invalid_argument', /options must be an object/, ctx);
  });
});

test('after all the rejected calls the engine still accepts valid ones', () => {
  const before = engine.stats().eventsObserved;
  engine.observe(ok);
  assert.equal(engine.stats().eventsObserved, before + 1);
  assert.deepEqual(engine.upsertItems(['é'.repeat(128), 'x'.repeat(256)], new Float32Array(2 * DIM).fill(0.3)), []);
  assert.equal(engine.hasItem('é'.repeat(128)), true);
});
