// Shared helpers of the node --test suites (not a test file itself).
import assert from 'node:assert/strict';
import { InterestEngineError } from '../../web/index.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2024, 0, 15, 8, 0, 0);

/** Deterministic PRNG (mulberry32), uniform in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal from a uniform source (Box-Muller). */
function gaussian(random) {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * A synthetic catalog with planted topics: each topic a random unit direction, each
 * item its topic's direction plus Gaussian noise. Ids `<topic letter><index>`.
 */
export function plantedCatalog({ topics = 6, perTopic = 40, dim = 32, noise = 0.08, seed = 1 } = {}) {
  const random = prng(seed);
  const directions = [];
  for (let t = 0; t < topics; t++) {
    const d = Array.from({ length: dim }, () => gaussian(random));
    const n = Math.hypot(...d);
    directions.push(d.map((x) => x / n));
  }
  const ids = [];
  const topicOf = new Map();
  const vectors = new Float32Array(topics * perTopic * dim);
  let row = 0;
  for (let i = 0; i < perTopic; i++) {
    for (let t = 0; t < topics; t++) {
      const id = `${String.fromCharCode(65 + t)}${i}`;
      ids.push(id);
      topicOf.set(id, t);
      for (let k = 0; k < dim; k++) vectors[row * dim + k] = directions[t][k] + noise * gaussian(random);
      row++;
    }
  }
  const byTopic = (t) => ids.filter((id) => topicOf.get(id) === t);
  return { ids, vectors, dim, topics, topicOf, byTopic };
}

/** Everything observable about an engine, for "the state did not change" checks. */
export function snapshot(engine, { now, candidates }) {
  return {
    rerank: engine.rerank(candidates, { now, explain: true }),
    rerankNone: engine.rerank(candidates, { now, exclude: 'none', k: 5 }),
    recommend: engine.recommend(1000, { now, explain: true }),
    stats: engine.stats(),
    interests: engine.interests({ now }),
    config: engine.config,
  };
}

/**
 * Asserts that fn throws an InterestEngineError with `code` and a message matching
 * `message` (a RegExp), and that the engine's observable state is unchanged.
 */
export function assertRejects(fn, code, message, { engine, now, candidates } = {}) {
  const before = engine ? snapshot(engine, { now, candidates }) : null;
  let thrown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown, `expected an InterestEngineError '${code}', nothing was thrown`);
  assert.ok(thrown instanceof InterestEngineError, `expected InterestEngineError, got ${thrown?.constructor?.name}: ${thrown?.message}`);
  assert.ok(thrown instanceof Error);
  assert.equal(thrown.name, 'InterestEngineError');
  assert.equal(thrown.code, code, `code of: ${thrown.message}`);
  assert.match(thrown.message, message);
  if (engine) assert.deepStrictEqual(snapshot(engine, { now, candidates }), before, 'engine state changed after a rejected call');
  return thrown;
}

/** Same as assertRejects for async functions (createEngine). */
export async function assertRejectsAsync(fn, code, message) {
  await assert.rejects(fn, (e) => {
    assert.ok(e instanceof InterestEngineError, `expected InterestEngineError, got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.code, code, `code of: ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
}

/** Rank (0 = best) of each id in a result. */
export function ranks(result) {
  return new Map(result.ids.map((id, r) => [id, r]));
}
