// Behaviour on a synthetic catalog with planted topics (6 topics x 40 items, dim 32,
// topic direction + noise, seeded): interest shifts, decay, hiding, and SIMD/baseline
// agreement.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../web/index.js';
import { MINUTE, HOUR, DAY, T0, plantedCatalog, ranks } from './helpers.js';

const catalog = plantedCatalog({ topics: 6, perTopic: 40, dim: 32, noise: 0.08, seed: 42 });
const [A, B, C] = [0, 1, 2];
const topicOf = (id) => catalog.topicOf.get(id);

// History: 20 clicks on topic A spread over a day, then 5 clicks on topic B.
const aClicks = catalog.byTopic(A).slice(0, 20);
const bClicks = catalog.byTopic(B).slice(0, 5);
const history = [
  ...aClicks.map((item, i) => ({ item, type: 'click', time: T0 + Math.round((i * DAY) / 19) })),
  ...bClicks.map((item, i) => ({ item, type: 'click', time: T0 + DAY + (i + 1) * 2 * MINUTE })),
];
const lastEvent = history.at(-1).time;
// A mixed feed of items the user has not opened: 10 per topic, interleaved.
const feed = [];
for (let i = 30; i < 40; i++) for (let t = 0; t < catalog.topics; t++) feed.push(catalog.byTopic(t)[i]);

function topicCount(ids, topic) {
  return ids.filter((id) => topicOf(id) === topic).length;
}
function meanRank(result, ids) {
  const r = ranks(result);
  return ids.reduce((s, id) => s + r.get(id), 0) / ids.length;
}

async function engineWithHistory(simd) {
  const engine = await createEngine({ dim: catalog.dim, simd });
  engine.upsertItems(catalog.ids, catalog.vectors);
  engine.observe(history);
  return engine;
}

describe('planted topics', () => {
  let engine;
  before(async () => {
    engine = await engineWithHistory('auto');
  });
  after(() => engine.dispose());

  test('the catalog has the planted structure (sanity of the fixture)', () => {
    assert.equal(catalog.ids.length, 240);
    assert.equal(feed.length, 60);
    for (let t = 0; t < 6; t++) assert.equal(topicCount(feed, t), 10);
  });

  test('(a) after a day of topic A, five clicks on topic B take at least half of the top 10', () => {
    const now = lastEvent + MINUTE;
    const top10 = engine.rerank(feed, { now, k: 10 }).ids;
    const b = topicCount(top10, B);
    assert.ok(b >= 5, `topic B holds ${b} of the top 10: ${top10.join(' ')}`);
    // Topic A is not forgotten: the rest of the top 10 is A, not unrelated topics.
    assert.equal(topicCount(top10, A) + b, 10, top10.join(' '));
  });

  test('(b) 24 idle hours later, topic A leads again', () => {
    const now = lastEvent + DAY;
    const result = engine.rerank(feed, { now });
    const top10 = result.ids.slice(0, 10);
    assert.equal(topicOf(result.ids[0]), A, `first: ${result.ids[0]}`);
    assert.ok(topicCount(top10, A) >= 6, top10.join(' '));
    assert.ok(topicCount(top10, A) > topicCount(top10, B), top10.join(' '));
    assert.ok(meanRank(result, feed.filter((id) => topicOf(id) === A)) < meanRank(result, feed.filter((id) => topicOf(id) === B)));
    // The short-term state has decayed away (48 half-lives): what is left is long-term.
    const explained = engine.rerank(feed, { now, explain: true, k: 10 }).explanations;
    for (const e of explained) assert.ok(Math.abs(e.contributions.shortTerm) < 1e-6 && Math.abs(e.contributions.attention) < 1e-6, e.id);
  });

  test('(c) hiding two items of topic C moves the rest of topic C down', async () => {
    const scratch = await engineWithHistory('auto');
    const now = lastEvent + 5 * MINUTE;
    const cItems = feed.filter((id) => topicOf(id) === C);
    const [hidden1, hidden2] = catalog.byTopic(C).slice(0, 2);
    const before = scratch.rerank(feed, { now });
    scratch.observe([
      { item: hidden1, type: 'hide', time: lastEvent + MINUTE },
      { item: hidden2, type: 'hide', time: lastEvent + 2 * MINUTE },
    ]);
    const afterHide = scratch.rerank(feed, { now });
    const rankBefore = meanRank(before, cItems);
    const rankAfter = meanRank(afterHide, cItems);
    assert.ok(rankAfter > rankBefore + 5, `mean rank of topic C: ${rankBefore} -> ${rankAfter}`);
    // Every C item's score went down.
    const scoreOf = (res) => new Map(res.ids.map((id, i) => [id, res.scores[i]]));
    const sb = scoreOf(before);
    const sa = scoreOf(afterHide);
    for (const id of cItems) assert.ok(sa.get(id) < sb.get(id), id);
    // Hidden items, when they are candidates, trail the feed.
    const withHidden = scratch.rerank([hidden1, ...feed, hidden2], { now, exclude: 'none' });
    assert.deepEqual(new Set(withHidden.ids.slice(-2)), new Set([hidden1, hidden2]));
    assert.equal(withHidden.demoted, 2);
    scratch.dispose();
  });

  test('(d) the SIMD and baseline builds rank identically', async () => {
    const simd = await engineWithHistory(true);
    const base = await engineWithHistory(false);
    assert.equal(simd.backend, 'wasm-simd128');
    assert.equal(base.backend, 'wasm');
    for (const now of [lastEvent + MINUTE, lastEvent + 3 * HOUR, lastEvent + DAY]) {
      for (const options of [{ now }, { now, serverScores: feed.map((_, i) => Math.sin(i)) }, { now, exclude: 'none', explain: true }]) {
        const rs = simd.rerank(feed, options);
        const rb = base.rerank(feed, options);
        assert.deepEqual(rs.ids, rb.ids, `order differs at now=${now - lastEvent}`);
        for (let i = 0; i < rs.scores.length; i++) assert.ok(Math.abs(rs.scores[i] - rb.scores[i]) <= 1e-4, `${rs.ids[i]}: ${rs.scores[i]} vs ${rb.scores[i]}`);
      }
      const recS = simd.recommend(50, { now });
      const recB = base.recommend(50, { now });
      assert.deepEqual(recS.ids, recB.ids);
      const is = simd.interests({ now });
      const ib = base.interests({ now });
      for (let k = 0; k < catalog.dim; k++) assert.ok(Math.abs(is.longTerm[k] - ib.longTerm[k]) <= 1e-4);
    }
    simd.dispose();
    base.dispose();
  });
});

describe('re-ranking the same candidates again (the engine reuses their resolved ids)', () => {
  test('repeat calls, in-place edits, new arrays and item updates all rank like a fresh engine', async () => {
    const warm = await engineWithHistory(true);
    const fresh = async () => engineWithHistory(true);
    const candidates = feed.slice();
    const now = lastEvent + MINUTE;
    const first = warm.rerank(candidates, { now });
    // Same array again, with a new event in between: the reused path must see the event.
    warm.observe({ item: catalog.byTopic(C)[0], type: 'click', time: lastEvent + 30_000 });
    const again = warm.rerank(candidates, { now });
    assert.notDeepEqual(again.ids, first.ids, 'a click on topic C must move the ranking');
    const reference = await fresh();
    reference.observe({ item: catalog.byTopic(C)[0], type: 'click', time: lastEvent + 30_000 });
    assert.deepEqual(again, reference.rerank(feed.slice(), { now }));
    // The caller edits the array in place: the new id must be ranked, not the old one.
    candidates[5] = catalog.byTopic(C)[20];
    const edited = warm.rerank(candidates, { now });
    assert.ok(edited.ids.includes(catalog.byTopic(C)[20]));
    assert.ok(!edited.ids.includes(feed[5]));
    assert.deepEqual(edited, reference.rerank(candidates.slice(), { now }));
    // An item's vector changes between two identical calls: the update is used.
    const moved = candidates[7];
    const v = new Float32Array(catalog.dim).fill(0);
    v.set(catalog.vectors.subarray(catalog.ids.indexOf(catalog.byTopic(C)[1]) * catalog.dim, (catalog.ids.indexOf(catalog.byTopic(C)[1]) + 1) * catalog.dim));
    warm.upsertItems([moved], v);
    reference.upsertItems([moved], v);
    const afterUpdate = warm.rerank(candidates, { now });
    assert.deepEqual(afterUpdate, reference.rerank(candidates.slice(), { now }));
    // Server scores and k still apply on the reused path.
    const server = candidates.map((_, i) => (i === 0 ? 100 : 0));
    const withServer = warm.rerank(candidates, { now, serverScores: server, k: 5 });
    assert.deepEqual(withServer, reference.rerank(candidates.slice(), { now, serverScores: server, k: 5 }));
    assert.equal(withServer.ids.length, 5);
    // A refused call (duplicate) is refused every time, and the next good call still works.
    const dup = [...candidates, candidates[0]];
    assert.throws(() => warm.rerank(dup, { now }), /appears twice/);
    assert.throws(() => warm.rerank(dup, { now }), /appears twice/);
    assert.deepEqual(warm.rerank(candidates, { now }), reference.rerank(candidates.slice(), { now }));
    warm.dispose();
    reference.dispose();
  });
});

describe('new lists of ids the engine has resolved before (it keeps id -> slot)', () => {
  const now = lastEvent + MINUTE;
  // What an engine that never saw a list before returns (its ids go through the core's
  // id index).
  async function firstCall(list, options = {}) {
    const engine = await engineWithHistory(true);
    const result = engine.rerank(list, { now, ...options });
    engine.dispose();
    return result;
  }
  // Ids are learnt from a list most of whose ids were candidates before: rank a list,
  // then the same ids in another order.
  function teach(engine, list) {
    engine.rerank(list, { now });
    engine.rerank(list.slice().reverse(), { now });
  }

  test('reordered, partial and mixed lists rank like a first call, consumed items included', async () => {
    const warm = await engineWithHistory(true);
    teach(warm, feed);
    teach(warm, [...aClicks, ...bClicks]);
    const reversed = feed.slice().reverse();
    assert.deepEqual(warm.rerank(reversed, { now }), await firstCall(reversed));
    // Items the user clicked (consumed) among them: demoted by their hashed ids.
    const mixed = [...feed.filter((_, i) => i % 3 === 0), ...aClicks.slice(0, 4), bClicks[2]];
    const demoting = warm.rerank(mixed, { now, exclude: 'consumed' });
    assert.equal(demoting.demoted, 5);
    assert.deepEqual(demoting, await firstCall(mixed, { exclude: 'consumed' }));
    const server = mixed.map((_, i) => i % 7);
    assert.deepEqual(warm.rerank(mixed.slice().reverse(), { now, serverScores: server, k: 9, explain: true }),
      await firstCall(mixed.slice().reverse(), { serverScores: server, k: 9, explain: true }));
    warm.dispose();
  });

  test('a duplicate or a bad server score is refused, naming the id; unknown ids still rank', async () => {
    const warm = await engineWithHistory(true);
    teach(warm, feed);
    assert.throws(() => warm.rerank([feed[3], feed[1], feed[3]], { now }), {
      code: 'duplicate_id',
      message: new RegExp(`'${feed[3]}' appears twice \\(positions 0 and 2\\)`),
    });
    assert.throws(() => warm.rerank([feed[4], feed[2]], { now, serverScores: [0, NaN] }),
      new RegExp(`server score of candidate '${feed[2]}' is not finite`));
    const withUnknown = [feed[5], 'never-upserted', feed[0]];
    assert.deepEqual(warm.rerank(withUnknown, { now }), await firstCall(withUnknown));
    assert.deepEqual(warm.rerank([feed[9], feed[8]], { now }), await firstCall([feed[9], feed[8]]));
    warm.dispose();
  });

  test('learnt ids: a list staged as slots still refuses ids that are not strings or finite numbers', async () => {
    const dim = catalog.dim;
    const ids = ['true', 'NaN', '7', 'x'];
    const engine = await createEngine({ dim });
    engine.upsertItems(ids, catalog.vectors.subarray(0, ids.length * dim));
    teach(engine, ids);
    // Looked up in the id -> slot table, true and NaN would read as the ids 'true' and 'NaN'.
    assert.throws(() => engine.rerank([true, 'x'], { now }), { code: 'invalid_id' });
    assert.throws(() => engine.rerank(['x', NaN], { now }), { code: 'invalid_id' });
    // A finite number is an id (its decimal text), through the table too.
    assert.deepEqual(engine.rerank([7, 'x'], { now }), engine.rerank(['7', 'x'], { now }));
    engine.dispose();
  });

  test('an evicted id is not scored with the vector of the item that took its slot', async () => {
    const dim = catalog.dim;
    const rows = catalog.vectors.subarray(0, 5 * dim);
    const [a, b, c, d, e] = catalog.ids.slice(0, 5);
    const user = Float32Array.from(rows.subarray(4 * dim, 5 * dim)); // e's direction
    const small = async () => {
      const engine = await createEngine({ dim, capacity: 4 });
      engine.upsertItems([a, b, c, d], rows.subarray(0, 4 * dim));
      engine.setUserVector(user);
      return engine;
    };
    const warm = await small();
    warm.rerank([b, c, d, a], { now });
    warm.rerank([a, b, c, d], { now }); // learns a..d; a is now the least recently used
    assert.deepEqual(warm.upsertItems([e], rows.subarray(4 * dim)), [a]); // e takes a's slot
    const list = [d, a, c, b];
    const got = warm.rerank(list, { now, explain: true });
    const reference = await small();
    assert.deepEqual(reference.upsertItems([e], rows.subarray(4 * dim)), [a]);
    assert.deepEqual(got, reference.rerank(list, { now, explain: true }));
    // a is unknown now: no opinion (0), where e's vector would score |e|^2 > 0.
    assert.equal(got.scores[got.ids.indexOf(a)], 0);
    warm.dispose();
    reference.dispose();
  });
});
