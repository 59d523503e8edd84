// The API surface of web/index.js (typed by web/index.d.ts), against the built wasm.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, InterestEngineError, EVENT_TYPES, COMPONENTS, simdSupported } from '../../web/index.js';
import { MINUTE, HOUR, T0, plantedCatalog, assertRejects } from './helpers.js';

const catalog = plantedCatalog({ topics: 4, perTopic: 10, dim: 16, seed: 3 });

async function engineWithCatalog(options = {}) {
  const engine = await createEngine({ dim: catalog.dim, ...options });
  engine.upsertItems(catalog.ids, catalog.vectors);
  return engine;
}

describe('module exports', () => {
  test('EVENT_TYPES and COMPONENTS are the frozen lists of the declarations', () => {
    assert.deepEqual([...EVENT_TYPES], ['impression', 'click', 'dwell', 'like', 'add_to_cart', 'purchase', 'share', 'skip', 'hide']);
    assert.deepEqual([...COMPONENTS], ['server', 'longTerm', 'shortTerm', 'attention', 'sequence', 'negative']);
    assert.ok(Object.isFrozen(EVENT_TYPES));
    assert.ok(Object.isFrozen(COMPONENTS));
  });
  test('simdSupported agrees with WebAssembly.validate on a v128 module', () => {
    const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
    assert.equal(simdSupported(), WebAssembly.validate(probe));
    assert.equal(simdSupported(), true); // node 20 runs wasm SIMD
  });
  test('InterestEngineError carries a code', () => {
    const e = new InterestEngineError('invalid_id', 'bad id');
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'InterestEngineError');
    assert.equal(e.code, 'invalid_id');
    assert.equal(e.message, 'bad id');
  });
});

describe('createEngine', () => {
  test('backend names the build that runs', async () => {
    const simd = await createEngine({ dim: 8, simd: true });
    const base = await createEngine({ dim: 8, simd: false });
    const auto = await createEngine({ dim: 8 });
    assert.equal(simd.backend, 'wasm-simd128');
    assert.equal(base.backend, 'wasm');
    assert.equal(auto.backend, simdSupported() ? 'wasm-simd128' : 'wasm');
    for (const e of [simd, base, auto]) e.dispose();
  });
  test('dim and config reflect the options, with documented defaults', async () => {
    const engine = await createEngine({ dim: 12, capacity: 500, halfLifeMinutes: 45, weights: { server: 0.7 }, eventWeights: { click: 1.5 } });
    assert.equal(engine.dim, 12);
    const c = engine.config;
    assert.equal(c.dim, 12);
    assert.equal(c.capacity, 500);
    assert.equal(c.halfLifeMinutes, 45);
    assert.equal(c.interestSlots, 4);
    assert.equal(c.recentWindow, 50);
    assert.equal(c.longTermHalfLifeDays, 60);
    assert.equal(c.alpha, 10);
    assert.equal(c.pendingCapacity, 256);
    assert.equal(c.consumedCapacity, 2048);
    assert.ok(Math.abs(c.weights.server - 0.7) < 1e-6);
    assert.ok(Math.abs(c.weights.longTerm - 0.1) < 1e-6);
    assert.deepEqual(Object.keys(c.weights).sort(), [...COMPONENTS].sort());
    assert.equal(c.eventWeights.click, 1.5);
    assert.equal(c.eventWeights.hide, -3);
    assert.ok(Math.abs(c.eventWeights.dwellPerSecond - 0.1) < 1e-6);
    // A copy: changing it changes nothing.
    c.weights.server = 99;
    assert.ok(Math.abs(engine.config.weights.server - 0.7) < 1e-6);
    engine.dispose();
  });
});

describe('items', () => {
  test('upsertItems accepts Float32Array or number arrays, numeric ids become strings', async () => {
    const engine = await createEngine({ dim: 2 });
    assert.deepEqual(engine.upsertItems([1, 'two', 3.5], new Float32Array([1, 0, 0, 1, 1, 1])), []);
    assert.deepEqual(engine.upsertItems([-4], [0.5, 0.5]), []);
    assert.equal(engine.stats().items, 4);
    for (const id of [1, '1', 'two', 3.5, '3.5', -4, '-4']) assert.equal(engine.hasItem(id), true, String(id));
    assert.equal(engine.hasItem('3'), false);
    assert.equal(engine.hasItem(2), false);
    const r = engine.rerank([3.5, 1, 'ghost', 7], { now: T0 });
    assert.deepEqual([...r.ids].sort(), ['1', '3.5', '7', 'ghost']);
    for (const id of r.ids) assert.equal(typeof id, 'string');
    // 1 and '1' are the same id.
    assertRejects(() => engine.rerank([1, '1'], { now: T0 }), 'duplicate_id', /'1'/);
    engine.dispose();
  });
  test('a full store evicts the least recently used ids and returns them', async () => {
    const engine = await createEngine({ dim: 1, capacity: 3 });
    engine.upsertItems(['a', 'b', 'c'], [1, 2, 3]);
    engine.rerank(['a'], { now: T0 }); // a is now recent: b is the oldest
    assert.deepEqual(engine.upsertItems(['d'], [4]), ['b']);
    engine.observe({ item: 'c', type: 'impression', time: T0 }); // an event is use too
    assert.deepEqual(engine.upsertItems(['e', 'f'], [5, 6]), ['a', 'd']);
    assert.equal(engine.stats().items, 3);
    assert.equal(engine.hasItem('c'), true);
    assert.equal(engine.hasItem('b'), false);
    // Recency f > e > c: c is next, but a batch that contains c keeps it and evicts e.
    assert.deepEqual(engine.upsertItems(['g', 'c'], [7, 3]), ['e']);
    assert.deepEqual(['c', 'f', 'g'].map((id) => engine.hasItem(id)), [true, true, true]);
    engine.dispose();
  });
});

describe('events and state', () => {
  test('observe takes one event or an array; stats count them; pending events wait for their vector', async () => {
    const engine = await engineWithCatalog();
    engine.observe({ item: 'A0', type: 'click', time: T0 });
    engine.observe([
      { item: 'A1', type: 'dwell', time: T0 + MINUTE, value: 12 },
      { item: 'later', type: 'like', time: T0 + 2 * MINUTE },
      { item: 'B0', type: 'skip', time: T0 + 2 * MINUTE },
    ]);
    engine.observe([]);
    let s = engine.stats();
    assert.equal(s.eventsObserved, 4);
    assert.equal(s.pendingEvents, 1);
    assert.equal(s.pendingDropped, 0);
    assert.equal(s.lastEventTime, T0 + 2 * MINUTE);
    assert.equal(s.seenItems, 3); // A0, A1 consumed; 'later' liked; a skip marks nothing
    assert.equal(s.items, catalog.ids.length);
    const massBefore = engine.interests({ now: T0 + 2 * MINUTE }).longTermMass;
    engine.upsertItems(['later'], catalog.vectors.subarray(0, catalog.dim));
    s = engine.stats();
    assert.equal(s.pendingEvents, 0);
    // The like (weight 2) now counts in the long-term evidence.
    assert.ok(Math.abs(engine.interests({ now: T0 + 2 * MINUTE }).longTermMass - (massBefore + 2)) < 1e-6);
    engine.dispose();
  });

  test('interests(): long-term vector and mass, short-term interests with gain m/(m+1), recent events', async () => {
    const engine = await engineWithCatalog();
    assert.equal(engine.interests({ now: T0 }).longTermMass, 0);
    assert.deepEqual(engine.interests({ now: T0 }).shortTerm, []);
    engine.observe([
      { item: 'A0', type: 'click', time: T0 },
      { item: 'A1', type: 'like', time: T0 },
      { item: 'C3', type: 'dwell', time: T0 + MINUTE, value: 100 },
    ]);
    const now = T0 + 30 * MINUTE; // one short-term half-life after the clicks
    const it = engine.interests({ now });
    assert.ok(it.longTerm instanceof Float32Array);
    assert.equal(it.longTerm.length, catalog.dim);
    // Mass: |w| summed, decayed with the 60-day long-term half-life: 1 + 2 + 3 (dwell cap).
    const ltDecay = 2 ** (-(30 * MINUTE) / (60 * 24 * HOUR));
    assert.ok(Math.abs(it.longTermMass - 6 * ltDecay) < 1e-3, `mass ${it.longTermMass}`);
    // Two topics, two interests: A with strength (1 + 2) / 2, C with 3 * 2^(-29/30).
    assert.equal(it.shortTerm.length, 2);
    const strengths = it.shortTerm.map((s) => s.strength).sort((a, b) => a - b);
    assert.ok(Math.abs(strengths[0] - 1.5) < 1e-4, `strengths ${strengths}`);
    assert.ok(Math.abs(strengths[1] - 3 * 2 ** (-29 / 30)) < 1e-4, `strengths ${strengths}`);
    for (const { strength, vector } of it.shortTerm) {
      assert.ok(vector instanceof Float32Array);
      assert.equal(vector.length, catalog.dim);
      assert.ok(Math.abs(Math.hypot(...vector) - strength / (strength + 1)) < 1e-4);
    }
    assert.deepEqual(
      it.recentEvents.map((e) => [e.item, e.type, e.time]),
      [['A0', 'click', T0], ['A1', 'like', T0], ['C3', 'dwell', T0 + MINUTE]],
    );
    assert.deepEqual(it.recentEvents.map((e) => e.weight), [1, 2, 3]);
    assert.equal(it.recentEvents[2].value, 100);
    // The long-term vector predicts the clicked topic above an untouched one.
    const dot = (id) => {
      const i = catalog.ids.indexOf(id);
      let s = 0;
      for (let k = 0; k < catalog.dim; k++) s += it.longTerm[k] * catalog.vectors[i * catalog.dim + k];
      return s;
    };
    assert.ok(dot('A5') > dot('B5') + 0.2);
    engine.dispose();
  });

  test('setUserVector is a prior for the long-term vector; null clears it', async () => {
    const engine = await engineWithCatalog();
    const u = Float32Array.from({ length: catalog.dim }, (_, k) => (k % 3) - 1);
    engine.setUserVector(u);
    assert.deepEqual(engine.interests({ now: T0 }).longTerm, u);
    engine.setUserVector(Array.from(u, (x) => x * 2)); // plain arrays work too
    assert.deepEqual(engine.interests({ now: T0 }).longTerm, u.map((x) => x * 2));
    engine.setUserVector(null);
    assert.deepEqual(engine.interests({ now: T0 }).longTerm, new Float32Array(catalog.dim));
    engine.dispose();
  });

  test('reset forgets the user and keeps the items', async () => {
    const engine = await engineWithCatalog();
    engine.observe([{ item: 'A0', type: 'click', time: T0 }, { item: 'B0', type: 'hide', time: T0 + 1 }]);
    engine.reset();
    const s = engine.stats();
    assert.equal(s.eventsObserved, 0);
    assert.equal(s.seenItems, 0);
    assert.equal(s.lastEventTime, -Infinity);
    assert.equal(s.items, catalog.ids.length);
    const r = engine.rerank(['B0', 'A0', 'C0'], { now: T0 + 2 });
    assert.deepEqual(r.ids, ['B0', 'A0', 'C0']); // no opinion left: input order
    assert.equal(r.demoted, 0);
    assert.deepEqual([...r.scores], [0, 0, 0]);
    // Earlier times are accepted again.
    engine.observe({ item: 'A0', type: 'click', time: 1 });
    engine.dispose();
  });
});

describe('rerank and recommend', () => {
  test('rerank is a permutation of the candidates, k truncates the same order', async () => {
    const engine = await engineWithCatalog();
    engine.observe([{ item: 'A0', type: 'click', time: T0 }, { item: 'B1', type: 'like', time: T0 + MINUTE }]);
    const candidates = [...catalog.ids.slice(5, 30), 'unknown-1', 'unknown-2'];
    const now = T0 + 5 * MINUTE;
    const full = engine.rerank(candidates, { now });
    assert.deepEqual([...full.ids].sort(), [...candidates].sort());
    assert.ok(full.scores instanceof Float32Array);
    assert.equal(full.scores.length, candidates.length);
    // B1 was liked (consumed): it trails; scores descend within the kept and the demoted part.
    assert.equal(full.demoted, 1);
    assert.equal(full.ids.at(-1), 'B1');
    const kept = full.scores.length - full.demoted;
    for (let i = 1; i < full.scores.length; i++) if (i !== kept) assert.ok(full.scores[i - 1] >= full.scores[i], `rank ${i}`);
    for (const k of [0, 1, 7, candidates.length, candidates.length + 5]) {
      const r = engine.rerank(candidates, { now, k });
      assert.equal(r.ids.length, Math.min(k, candidates.length));
      assert.deepEqual(r.ids, full.ids.slice(0, k));
      assert.deepEqual([...r.scores], [...full.scores.slice(0, k)]);
    }
    assert.deepEqual(engine.rerank([], { now }).ids, []);
    // Huge k means "all" (values >= 2^32 used to reach the 32-bit core as 0).
    for (const k of [2 ** 32, Number.MAX_SAFE_INTEGER, 1e20]) assert.deepEqual(engine.rerank(candidates, { now, k }).ids, full.ids, `k=${k}`);
    // Unknown candidates have no personal opinion: score 0.
    for (const id of ['unknown-1', 'unknown-2']) assert.equal(full.scores[full.ids.indexOf(id)], 0);
    engine.dispose();
  });

  test('server scores alone order the feed; unknown ids keep the server opinion', async () => {
    const engine = await engineWithCatalog();
    const ids = ['x-unknown', 'A0', 'B0', 'y-unknown'];
    const server = [0.2, 0.9, -0.4, 0.5];
    const r = engine.rerank(ids, { now: T0, serverScores: server });
    assert.deepEqual(r.ids, ['A0', 'y-unknown', 'x-unknown', 'B0']);
    const mean = server.reduce((a, b) => a + b) / server.length;
    const sd = Math.sqrt(server.reduce((a, b) => a + (b - mean) ** 2, 0) / server.length);
    r.ids.forEach((id, i) => assert.ok(Math.abs(r.scores[i] - (0.02 * (server[ids.indexOf(id)] - mean)) / sd) < 1e-5));
    assert.deepEqual(engine.rerank(ids, { now: T0, serverScores: Float32Array.from(server) }).ids, r.ids);
    engine.dispose();
  });

  test('duplicate candidates are reported with the id and positions', async () => {
    const engine = await engineWithCatalog();
    assertRejects(() => engine.rerank(['A0', 'B0', 'C0', 'B0'], { now: T0 }), 'duplicate_id', /'B0'.*positions 1 and 3/);
    assertRejects(() => engine.rerank(['new', 'A0', 'new'], { now: T0 }), 'duplicate_id', /'new'.*positions 0 and 2/);
    engine.dispose();
  });

  test("exclude 'consumed' (default) demotes consumed items; 'none' does not; hidden always trail", async () => {
    const engine = await engineWithCatalog();
    engine.observe([
      { item: 'A0', type: 'click', time: T0 },
      { item: 'A1', type: 'impression', time: T0 + 1 },
      { item: 'C0', type: 'hide', time: T0 + 2 },
      { item: 'A2', type: 'purchase', time: T0 + 3 },
    ]);
    const ids = ['C0', 'A0', 'A1', 'A2', 'A3', 'B3', 'D3'];
    const now = T0 + MINUTE;
    const def = engine.rerank(ids, { now });
    assert.deepEqual(engine.rerank(ids, { now, exclude: 'consumed' }), def);
    assert.equal(def.demoted, 3);
    assert.deepEqual(new Set(def.ids.slice(-3)), new Set(['A0', 'A2', 'C0']));
    assert.ok(def.ids.indexOf('A1') < 2, 'an impression does not consume; the topic is liked');
    const none = engine.rerank(ids, { now, exclude: 'none' });
    assert.equal(none.demoted, 1);
    assert.equal(none.ids.at(-1), 'C0');
    assert.ok(none.ids.indexOf('A2') < 2, 'the purchased item matches the interest best');
    // recommend follows the same rule.
    const rec = engine.recommend(catalog.ids.length, { now });
    assert.equal(rec.demoted, 3);
    assert.deepEqual(new Set(rec.ids.slice(-3)), new Set(['A0', 'A2', 'C0']));
    assert.equal(engine.recommend(catalog.ids.length, { now, exclude: 'none' }).demoted, 1);
    engine.dispose();
  });

  test('recommend returns the k best stored items, as rerank over all of them would', async () => {
    const engine = await engineWithCatalog();
    engine.observe([{ item: 'D4', type: 'like', time: T0 }]);
    const now = T0 + MINUTE;
    const all = engine.recommend(catalog.ids.length, { now });
    assert.deepEqual([...all.ids].sort(), [...catalog.ids].sort());
    const viaRerank = engine.rerank(catalog.ids, { now });
    assert.deepEqual(all.ids, viaRerank.ids);
    assert.deepEqual(engine.recommend(5, { now }).ids, all.ids.slice(0, 5));
    assert.deepEqual(engine.recommend(0, { now }).ids, []);
    assert.deepEqual(engine.recommend(Number.MAX_SAFE_INTEGER, { now }).ids, all.ids);
    // options.k (allowed by the declarations) truncates as well: the smaller k wins.
    assert.deepEqual(engine.recommend(5, { now, k: 2 }).ids, all.ids.slice(0, 2));
    assert.deepEqual(engine.recommend(2, { now, k: 5 }).ids, all.ids.slice(0, 2));
    // The liked topic leads (the liked item itself is consumed and trails).
    for (const id of all.ids.slice(0, 5)) assert.equal(catalog.topicOf.get(id), 3, id);
    assert.equal(all.ids.at(-1), 'D4');
    engine.dispose();
  });

  test('explain: contributions per component add up to the score; because names the supporting event', async () => {
    const engine = await engineWithCatalog();
    engine.observe([
      { item: 'A0', type: 'click', time: T0 },
      { item: 'B0', type: 'like', time: T0 + 10 * MINUTE },
      { item: 'C0', type: 'skip', time: T0 + 11 * MINUTE },
    ]);
    const now = T0 + 20 * MINUTE;
    const ids = ['A5', 'B5', 'C5', 'nobody'];
    const r = engine.rerank(ids, { now, explain: true, serverScores: [1, 2, 3, 4] });
    assert.equal(r.explanations.length, ids.length);
    r.explanations.forEach((ex, i) => {
      assert.equal(ex.id, r.ids[i]);
      assert.deepEqual(Object.keys(ex.contributions), [...COMPONENTS]);
      const sum = Object.values(ex.contributions).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - r.scores[i]) < 1e-5, `${ex.id}: ${sum} vs ${r.scores[i]}`);
      assert.ok(ex.contributions.negative <= 0);
      assert.equal(ex.contributions.sequence, 0);
    });
    const byId = Object.fromEntries(r.explanations.map((e) => [e.id, e]));
    assert.deepEqual(byId.A5.because, { item: 'A0', type: 'click', time: T0, minutesAgo: 20 });
    assert.deepEqual(byId.B5.because, { item: 'B0', type: 'like', time: T0 + 10 * MINUTE, minutesAgo: 10 });
    assert.equal(byId.nobody.because, null);
    assert.ok(byId.nobody.contributions.server > 0); // highest server score
    assert.equal(byId.nobody.contributions.longTerm, 0);
    assert.ok(byId.C5.contributions.negative < 0);
    assert.ok(byId.A5.contributions.shortTerm > 0);
    // Without explain, no explanations key.
    assert.equal('explanations' in engine.rerank(ids, { now }), false);
    assert.equal(engine.recommend(3, { now, explain: true }).explanations.length, 3);
    engine.dispose();
  });

  test('configure changes run-time weights', async () => {
    const engine = await engineWithCatalog();
    engine.observe({ item: 'A0', type: 'like', time: T0 });
    const ids = ['A1', 'B1', 'C1'];
    const server = [0, 1, 2]; // the server prefers C1
    assert.equal(engine.rerank(ids, { now: T0, serverScores: server }).ids[0], 'A1');
    engine.configure({ weights: { longTerm: 0, shortTerm: 0, attention: 0, negative: 0 } });
    assert.equal(engine.config.weights.longTerm, 0);
    assert.ok(Math.abs(engine.config.weights.server - 0.02) < 1e-6); // untouched
    assert.deepEqual(engine.rerank(ids, { now: T0, serverScores: server }).ids, ['C1', 'B1', 'A1']);
    engine.configure({ halfLifeMinutes: 5, eventWeights: { like: 5 } });
    assert.equal(engine.config.halfLifeMinutes, 5);
    assert.equal(engine.config.eventWeights.like, 5);
    engine.dispose();
  });
});

describe('dispose', () => {
  test('every call after dispose() throws disposed; dispose is idempotent', async () => {
    const engine = await engineWithCatalog();
    engine.dispose();
    engine.dispose();
    const calls = {
      config: () => engine.config,
      configure: () => engine.configure({ halfLifeMinutes: 10 }),
      upsertItems: () => engine.upsertItems(['z'], new Float32Array(catalog.dim)),
      observe: () => engine.observe({ item: 'A0', type: 'click', time: T0 }),
      rerank: () => engine.rerank(['A0'], { now: T0 }),
      recommend: () => engine.recommend(3, { now: T0 }),
      interests: () => engine.interests({ now: T0 }),
      stats: () => engine.stats(),
      setUserVector: () => engine.setUserVector(null),
      hasItem: () => engine.hasItem('A0'),
      reset: () => engine.reset(),
    };
    for (const [name, call] of Object.entries(calls)) {
      const e = assertRejects(call, 'disposed', /disposed/);
      assert.ok(e, name);
    }
    // Plain properties stay readable.
    assert.equal(engine.dim, catalog.dim);
  });
});
