// The state API through the built module in node: saveState/loadState round trip, every
// refused input leaves the saved bytes unchanged, exportState, subscribe, forget,
// allowLate, and persistence without IndexedDB (node has none).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createEngine, enablePersistence, PersistenceError, InterestEngineError } from '../../web/index.js';

const DIM = 16;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

function vectors(n, seed = 1) {
  const out = new Float32Array(n * DIM);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 1073741824 - 1;
  }
  return out;
}

const ids = (n, prefix = 'item-') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function populated(options = {}) {
  const engine = await createEngine({ dim: DIM, ...options });
  engine.upsertItems(ids(50), vectors(50));
  const types = ['click', 'like', 'skip', 'hide', 'dwell', 'impression', 'share', 'purchase'];
  const events = [];
  for (let i = 0; i < 60; i++) {
    const type = types[i % types.length];
    const e = { item: `item-${(i * 7) % 60}`, type, time: T0 + i * 60000 };  // 50..59 stay pending
    if (type === 'dwell') e.value = 30;
    events.push(e);
  }
  engine.observe(events);
  return engine;
}

const last = T0 + 59 * 60000;

// CRC-32 (IEEE), to re-seal a deliberately edited blob so it reaches the deeper checks.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function reseal(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(20, crc32(bytes.subarray(64)), true);
  view.setUint32(60, crc32(bytes.subarray(0, 60)), true);
  return bytes;
}

function assertRefused(engine, fn, code, messagePart) {
  const before = engine.saveState();
  assert.throws(fn, (error) => {
    assert.ok(error instanceof InterestEngineError, `expected InterestEngineError, got ${error}`);
    assert.equal(error.code, code, error.message);
    if (messagePart) assert.match(error.message, messagePart);
    return true;
  });
  assert.deepEqual(engine.saveState(), before, 'a refused call must leave the state unchanged');
}

test('saveState -> loadState -> saveState is bit-identical and ranks identically', async () => {
  const a = await populated();
  a.configure({ weights: { server: 0.9 }, halfLifeMinutes: 20 });
  a.setUserVector(new Float32Array(DIM).fill(0.05));
  const bytes = a.saveState();
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 7)), 'IESTATE');

  const b = await createEngine({ dim: DIM });
  b.upsertItems(ids(50), vectors(50));
  b.loadState(bytes);
  assert.deepEqual(b.saveState(), bytes);
  assert.equal(b.config.weights.server, a.config.weights.server);
  assert.equal(b.config.halfLifeMinutes, 20);
  assert.deepEqual(b.stats(), a.stats());

  const candidates = ids(60);
  const now = last + 5 * 60000;
  const ra = a.rerank(candidates, { now, explain: true });
  const rb = b.rerank(candidates, { now, explain: true });
  assert.deepEqual(rb.ids, ra.ids);
  assert.deepEqual(rb.scores, ra.scores);
  assert.deepEqual(rb.explanations, ra.explanations);
  // An ArrayBuffer works too; the saved copy is the caller's (later calls don't change it).
  const copy = bytes.slice();
  b.observe({ item: 'item-1', type: 'click', time: now });
  assert.deepEqual(bytes, copy);
  b.loadState(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  assert.deepEqual(b.saveState(), bytes);
  a.dispose();
  b.dispose();
});

test('truncated, corrupted, newer and wrong-dimension states are refused; the engine is unchanged', async () => {
  const source = await populated();
  const good = source.saveState();
  const target = await populated();
  target.observe({ item: 'item-3', type: 'like', time: last + 1000 });  // differs from source

  assertRefused(target, () => target.loadState(good.subarray(0, 10)), 'truncated', /10 bytes, a header needs 64/);
  assertRefused(target, () => target.loadState(good.subarray(0, good.length - 1)), 'truncated',
    new RegExp(`expected ${good.length} bytes, found ${good.length - 1}`));
  assertRefused(target, () => target.loadState(new Uint8Array(0)), 'truncated');

  const flipped = good.slice();
  flipped[good.length - 20] ^= 0x40;
  assertRefused(target, () => target.loadState(flipped), 'corrupt_data', /checksum mismatch: expected 0x[0-9a-f]{8}, found 0x[0-9a-f]{8}/);
  const header = good.slice();
  header[30] ^= 1;
  assertRefused(target, () => target.loadState(header), 'corrupt_data', /header checksum mismatch/);
  assertRefused(target, () => target.loadState(new TextEncoder().encode('{"not": "a state"}')), 'corrupt_data', /not an interest-engine state/);

  const newer = good.slice();
  new DataView(newer.buffer).setUint32(8, 3, true);
  assertRefused(target, () => target.loadState(reseal(newer)), 'unsupported_version', /format version 3, this build reads versions 1\.\.2/);

  const nanTime = good.slice();
  // STAT is the last section: its final 8 bytes are the last event time.
  new DataView(nanTime.buffer).setFloat64(nanTime.length - 8, NaN, true);
  assertRefused(target, () => target.loadState(reseal(nanTime)), 'corrupt_data', /last event time/);

  const other = await createEngine({ dim: 8 });
  assertRefused(target, () => target.loadState(other.saveState()), 'dimension_mismatch', /saved with dim 8, the engine's dimension is 16/);
  assertRefused(target, () => target.loadState('IESTATE'), 'invalid_argument');
  assertRefused(target, () => target.loadState([1, 2, 3]), 'invalid_argument');
});

test('every refused upsert, observe, rerank, configure and user vector leaves the state unchanged', async () => {
  const e = await populated();
  // upsert: the id of a pending event would resolve it if the call went through.
  assertRefused(e, () => e.upsertItems(['item-55'], new Float32Array(DIM - 1)), 'dimension_mismatch');
  assertRefused(e, () => e.upsertItems(['item-55'], new Float32Array(DIM).fill(NaN)), 'non_finite');
  assertRefused(e, () => e.upsertItems(['item-55', 'item-55'], new Float32Array(2 * DIM)), 'duplicate_id');
  assertRefused(e, () => e.upsertItems(['item-55', ''], new Float32Array(2 * DIM)), 'invalid_id');
  assertRefused(e, () => e.upsertItems(['item-55', 'x'.repeat(300)], new Float32Array(2 * DIM)), 'invalid_id');
  assertRefused(e, () => e.upsertItems('item-55', new Float32Array(DIM)), 'invalid_argument');
  // observe: each batch starts with a valid event, so a partial apply would show.
  const ok = { item: 'item-1', type: 'click', time: last + 1 };
  assertRefused(e, () => e.observe([ok, { item: 'item-2', type: 'poke', time: last + 2 }]), 'unknown_event_type');
  assertRefused(e, () => e.observe([ok, { item: 'item-2', type: 'click', time: NaN }]), 'non_finite');
  assertRefused(e, () => e.observe([ok, { item: 'item-2', type: 'click', time: last - 1 }]), 'out_of_order');
  assertRefused(e, () => e.observe({ item: 'item-2', type: 'click', time: last - 1 }), 'out_of_order', /earlier than an event already observed/);
  assertRefused(e, () => e.observe([ok, { item: 'item-2', type: 'dwell', time: last + 2 }]), 'invalid_argument', /dwell/);
  assertRefused(e, () => e.observe([ok, { item: 'item-2', type: 'dwell', value: -3, time: last + 2 }]), 'invalid_argument');
  assertRefused(e, () => e.observe([ok, { item: '', type: 'click', time: last + 2 }]), 'invalid_id');
  assertRefused(e, () => e.observe([ok, { item: 'a\u0001b', type: 'click', time: last + 2 }]), 'invalid_id');
  assertRefused(e, () => e.observe([ok, null]), 'invalid_argument');
  assertRefused(e, () => e.observe(ok, { allowLate: 'yes' }), 'invalid_argument');
  assertRefused(e, () => e.observe(ok, { merge: true }), 'unknown_option' === 'x' ? '' : 'invalid_argument');
  // rerank / recommend: refused or not, ranking never changes the state.
  assertRefused(e, () => e.rerank(['item-1', 'item-1']), 'duplicate_id');
  assertRefused(e, () => e.rerank(['new-1', 'item-2', 'new-1']), 'duplicate_id');
  assertRefused(e, () => e.rerank(['item-1', 'item-2'], { serverScores: [1, NaN] }), 'non_finite');
  assertRefused(e, () => e.rerank(['item-1', 'item-2'], { serverScores: [1] }), 'dimension_mismatch');
  assertRefused(e, () => e.rerank(['item-1'], { now: Infinity }), 'non_finite');
  assertRefused(e, () => e.rerank(['item-1'], { k: -1 }), 'invalid_argument');
  assertRefused(e, () => e.recommend(3, { serverScores: [1] }), 'invalid_argument');
  const before = e.saveState();
  e.rerank(ids(60), { now: last + 1, explain: true });
  e.recommend(5, { now: last + 1 });
  assert.deepEqual(e.saveState(), before, 'a successful rerank does not change the state');
  // configure / user vector
  assertRefused(e, () => e.configure({ recentWindow: 10 }), 'invalid_argument', /fixed/);
  assertRefused(e, () => e.configure({ halfLifeMinutes: -1 }), 'invalid_argument');
  assertRefused(e, () => e.configure({ eventWeights: { hide: 2 } }), 'invalid_argument');
  assertRefused(e, () => e.configure({ weights: { nonsense: 1 } }), 'invalid_argument');
  assertRefused(e, () => e.setUserVector(new Float32Array(DIM - 1)), 'dimension_mismatch');
  assertRefused(e, () => e.setUserVector(new Float32Array(DIM).fill(Infinity)), 'non_finite');
  // ...and the valid versions of these calls do change it (so the checks above can fail).
  e.observe(ok);
  assert.notDeepEqual(e.saveState(), before);
});

test('allowLate merges older events where they belong; the page\'s own order is kept', async () => {
  const e = await createEngine({ dim: DIM });
  e.upsertItems(ids(10), vectors(10));
  e.observe([{ item: 'item-1', type: 'click', time: 1000 }, { item: 'item-2', type: 'click', time: 5000 }]);
  e.observe([{ item: 'item-3', type: 'like', time: 9000 }, { item: 'unknown', type: 'like', time: 9500 }], { allowLate: true });
  e.observe({ item: 'item-4', type: 'like', time: 3000 }, { allowLate: true });
  assert.deepEqual(e.interests({ now: 10000 }).recentEvents.map((r) => r.time), [1000, 3000, 5000, 9000, 9500]);
  assert.equal(e.stats().lastEventTime, 9500);
  // The page's next own event only has to follow the page's own newest (5000), not 9500.
  e.observe({ item: 'item-5', type: 'click', time: 6000 });
  assert.deepEqual(e.interests({ now: 10000 }).recentEvents.map((r) => r.time), [1000, 3000, 5000, 6000, 9000, 9500]);
  assertRefused(e, () => e.observe({ item: 'item-5', type: 'click', time: 5999 }), 'out_of_order');
  // Within one late batch, times must still be non-decreasing.
  assertRefused(e, () => e.observe([{ item: 'item-1', type: 'click', time: 10 }, { item: 'item-2', type: 'click', time: 5 }], { allowLate: true }), 'out_of_order');
});

test('exportState says in plain fields what the engine believes', async () => {
  const e = await populated();
  e.setUserVector(new Float32Array(DIM).fill(0.1));
  const out = e.exportState({ now: last + 60000, examples: 3 });
  const json = JSON.parse(JSON.stringify(out));
  assert.deepEqual(json, out, 'the export is plain JSON');
  assert.equal(out.exportedAt, new Date(last + 60000).toISOString());
  assert.equal(out.summary.eventsObserved, 60);
  assert.equal(out.summary.lastEventAt, new Date(last).toISOString());
  assert.equal(out.summary.pendingEvents, e.stats().pendingEvents);
  assert.ok(out.summary.pendingEvents > 0);
  // Hidden: every 'hide' event's item. Consumed: items of click, like, dwell, share, purchase.
  const hidden = new Set(), consumed = new Set();
  const types = ['click', 'like', 'skip', 'hide', 'dwell', 'impression', 'share', 'purchase'];
  for (let i = 0; i < 60; i++) {
    const type = types[i % types.length], item = `item-${(i * 7) % 60}`;
    if (type === 'hide') hidden.add(item);
    if (['click', 'like', 'dwell', 'share', 'purchase'].includes(type)) consumed.add(item);
  }
  assert.equal(out.summary.hiddenItems, hidden.size);
  assert.equal(out.summary.consumedItems, consumed.size);
  assert.equal(out.recentEvents.length, 50);
  assert.equal(out.recentEvents.at(-1).at, new Date(last).toISOString());
  assert.ok(out.recentEvents.every((r) => typeof r.weight === 'number' && typeof r.item === 'string'));
  assert.ok(out.pendingEvents.every((p) => /^item-5\d$/.test(p.item)));
  assert.ok(out.interests.length >= 1 && out.interests.every((i) => i.strength > 0 && i.itemsLikeThis.length === 3));
  assert.ok(out.avoiding.length >= 1);
  assert.equal(out.longTerm.vector.length, DIM);
  assert.equal(out.longTerm.includesServerVector, true);
  assert.equal(out.longTerm.itemsLikeThis.length, 3);
  assert.equal(out.settings.dim, DIM);
  assert.equal(out.settings.weights.server, Math.fround(0.02));
});

test('subscribe reports each change; a throwing listener does not fail the call', async () => {
  const e = await createEngine({ dim: DIM });
  e.upsertItems(ids(3), vectors(3));
  const seen = [];
  const off = e.subscribe((change) => seen.push(change.type === 'observe' ? `observe:${change.events.length}:${change.late}` : change.type));
  const offBuggy = e.subscribe(() => {
    throw new Error('listener bug');
  });
  const logged = [];
  const consoleError = console.error;
  console.error = (error) => logged.push(error);
  try {
    e.observe([{ item: 'item-0', type: 'click', time: 1 }, { item: 'later', type: 'dwell', value: 2, time: 2 }]);
  } finally {
    console.error = consoleError;
  }
  offBuggy();
  assert.equal(logged.length, 1);
  assert.equal(logged[0].message, 'listener bug');
  assert.equal(e.stats().eventsObserved, 2, 'the call itself succeeded');
  e.observe({ item: 'item-1', type: 'like', time: 0 }, { allowLate: true });
  assert.throws(() => e.observe({ item: 'item-1', type: 'poke', time: 3 }));
  e.upsertItems(['later'], vectors(1, 9));  // resolves the pending event
  e.upsertItems(['other'], vectors(1, 8));  // nothing pending: no state change
  e.configure({ weights: { server: 1 } });
  e.setUserVector(null);
  e.loadState(e.saveState());
  e.reset();
  await e.forget();
  off();
  e.observe({ item: 'item-0', type: 'click', time: 10 });
  assert.deepEqual(seen, ['observe:2:false', 'observe:1:true', 'items', 'configure', 'userVector', 'load', 'reset', 'forget']);
});

test('forget wipes memory to a fresh engine\'s state and awaits storage listeners', async () => {
  const e = await populated();
  const fresh = await createEngine({ dim: DIM });
  let wiped = false;
  e.subscribe((change) => (change.type === 'forget' ? new Promise((r) => setTimeout(() => r((wiped = true)), 20)) : undefined));
  await e.forget();
  assert.equal(wiped, true);
  assert.deepEqual(e.saveState(), fresh.saveState());
  assert.equal(e.stats().eventsObserved, 0);
  assert.equal(e.stats().items, 50, 'items stay');
  // After forgetting, old times are fine again for the page's own events.
  e.observe({ item: 'item-1', type: 'click', time: 5 });
  e.subscribe((change) => (change.type === 'forget' ? Promise.reject(new Error('disk gone')) : undefined));
  await assert.rejects(e.forget(), /disk gone/);
  assert.equal(e.stats().eventsObserved, 0, 'memory is wiped even when storage is not');
});

test('without IndexedDB, persistence reports storage_unavailable and the engine works in memory', async () => {
  assert.equal(globalThis.indexedDB, undefined, 'node has no IndexedDB');
  const e = await populated();
  const errors = [];
  const events = [];
  const persistence = await enablePersistence(e, { onError: (error) => errors.push(error), debounceMs: 5 });
  persistence.addEventListener('error', (event) => events.push(event.detail));
  assert.equal(persistence.available, false);
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof PersistenceError);
  assert.equal(errors[0].code, 'storage_unavailable');
  assert.match(errors[0].message, /keeps working in memory/);
  e.observe({ item: 'item-2', type: 'like', time: last + 10 });
  assert.equal(e.rerank(ids(10), { now: last + 20 }).ids.length, 10);
  assert.equal(await persistence.flush(), false);
  assert.equal(e.stats().eventsObserved, 61);
  await persistence.close();

  // An IndexedDB whose open() throws (e.g. a sandboxed iframe) is reported the same way.
  const throwing = { open() { throw new DOMException('denied', 'SecurityError'); } };
  const second = await enablePersistence(e, { indexedDB: throwing, onError: (error) => errors.push(error) });
  second.addEventListener('error', (event) => events.push(event.detail));
  assert.equal(errors.at(-1).code, 'storage_unavailable');
  assert.match(errors.at(-1).message, /SecurityError: denied/);
  await second.close();
  e.observe({ item: 'item-3', type: 'like', time: last + 30 });
  assert.equal(e.stats().eventsObserved, 62);

  await assert.rejects(enablePersistence(e, { dbname: 'typo' }), /unknown option 'dbname'/);
  await assert.rejects(enablePersistence({}, {}), /engine must be/);
});
