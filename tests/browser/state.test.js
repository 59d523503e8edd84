// Browser tests of the state layer in Debian's Chromium (playwright-core): strict CSP, no
// network after the .wasm, two tabs sharing IndexedDB and BroadcastChannel, forget across
// tabs, and a full / failing IndexedDB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer, STRICT_CSP } from '../../scripts/serve.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const PAGE = '/tests/browser/pages/state.html';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser;
let server;

before(async () => {
  server = await startServer({ root: ROOT, index: PAGE });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.server.close();
});

// A page that fails the test on any page error, console error, CSP violation or 4xx/5xx.
async function openPage(context, query = '') {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
  const response = await page.goto(`${server.url}${PAGE}${query}`);
  page.problems = problems;
  page.mainResponse = response;
  return page;
}

async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 20000 });
}

test('under the strict CSP the module loads, observes, re-ranks, saves and persists', async () => {
  const context = await browser.newContext();
  const page = await openPage(context, '?run=basic');
  assert.equal(page.mainResponse.headers()['content-security-policy'], STRICT_CSP);
  await page.waitForFunction(() => document.body.dataset.result, null, { timeout: 20000 });
  const result = JSON.parse(await page.evaluate(() => document.body.dataset.result));
  await page.screenshot({ path: path.join(ARTIFACTS, 'state-csp.png') });
  assert.equal(result.error, undefined, result.error);
  assert.equal(result.backend, 'wasm-simd128');
  assert.equal(result.last, 'item-9', 'the hidden item goes last');
  assert.ok(result.stateBytes > 0);
  assert.equal(result.flushed, true, 'saved to IndexedDB');
  assert.deepEqual(result.errors, []);
  assert.equal(result.recent, 4);
  assert.deepEqual(result.violations, []);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('no network: after the .wasm, loading, observing, re-ranking and saving make zero requests', async () => {
  const context = await browser.newContext();
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  // The page loads web/index.js; the wasm build is fetched by createEngine. Let the page
  // settle first (the browser's own fetches, such as the tab icon, happen now), then run.
  const page = await openPage(context);
  await ready(page);
  await page.waitForTimeout(500);
  const beforeSession = requests.length;
  const result = await page.evaluate(() => window.runBasic());
  // Let any late beacon, prefetch or retry show up.
  await page.waitForTimeout(1000);
  assert.equal(result.flushed, true);
  assert.ok(requests.slice(0, beforeSession).every((url) => !url.endsWith('.wasm')), 'no wasm before the session');
  const wasmAt = requests.findIndex((url) => url.endsWith('.wasm'));
  assert.ok(wasmAt >= 0, `the .wasm was requested: ${requests.join(', ')}`);
  assert.deepEqual(requests.slice(wasmAt + 1), [], 'requests after the .wasm');
  for (const url of requests) assert.ok(url.startsWith(server.url), `only the page's own server: ${url}`);
  console.log(`# requests while loading and running: ${requests.map((u) => new URL(u).pathname).join(' ')}`);
  assert.deepEqual(page.problems, []);
  await context.close();
});

// Creates an engine with the shared items and persistence in a page; keeps them on window.
async function setUpTab(page, dbName, debounceMs = 100) {
  await ready(page);
  return page.evaluate(
    async ({ dbName, debounceMs }) => {
      const engine = await window.ie.createEngine({ dim: 16 });
      engine.upsertItems(Array.from({ length: 30 }, (_, i) => `item-${i}`), window.itemVectors(30));
      window.errors = [];
      window.remote = 0;
      const persistence = await window.ie.enablePersistence(engine, { dbName, debounceMs, onError: (e) => window.errors.push(`${e.code}: ${e.message}`) });
      persistence.addEventListener('remotechange', () => window.remote++);
      window.engine = engine;
      window.persistence = persistence;
      return { events: engine.stats().eventsObserved, tab: persistence.tabId, available: persistence.available };
    },
    { dbName, debounceMs },
  );
}

// Observes n events one small batch at a time, yielding between batches so the tabs interleave.
function observeMany(page, tag, n, offset) {
  return page.evaluate(
    async ({ tag, n, offset }) => {
      const t0 = Date.UTC(2026, 0, 1);
      const types = ['click', 'like', 'impression', 'skip', 'share'];
      for (let i = 0; i < n; i += 5) {
        const batch = [];
        for (let j = i; j < Math.min(n, i + 5); j++)
          batch.push({ item: j % 4 === 3 ? `${tag}-unknown-${j}` : `item-${(j * 7) % 30}`, type: types[j % 5], time: t0 + 1000 * (2 * j + offset) });
        window.engine.observe(batch);
        await new Promise((r) => setTimeout(r, Math.random() * 4));
      }
    },
    { tag, n, offset },
  );
}

const stats = (page) => page.evaluate(() => window.engine.stats());

test('two tabs observing concurrently lose none of each other\'s events', async () => {
  const N = 200;
  const dbName = `two-tabs-${Date.now()}`;
  const context = await browser.newContext();
  const [a, b] = [await openPage(context), await openPage(context)];
  const [sa, sb] = [await setUpTab(a, dbName), await setUpTab(b, dbName)];
  assert.equal(sa.available, true);
  assert.notEqual(sa.tab, sb.tab);

  // Concurrently: A's events at even seconds, B's at odd ones, so each tab must merge the
  // other's older events into its own stream (allowLate) all the time.
  await Promise.all([observeMany(a, 'a', N, 0), observeMany(b, 'b', N, 1)]);
  await a.waitForFunction((n) => window.engine.stats().eventsObserved === n, 2 * N, { timeout: 10000 });
  await b.waitForFunction((n) => window.engine.stats().eventsObserved === n, 2 * N, { timeout: 10000 });

  // Both save; a save deferred because a peer's batch was still in flight is retried.
  const flushA = await a.evaluate(() => window.persistence.flush());
  const flushB = await b.evaluate(() => window.persistence.flush());
  assert.ok(flushA || flushB, 'at least one save went through at once');
  for (const page of [a, b])
    await page.waitForFunction(async () => (await window.persistence.flush()) === true, null, { timeout: 10000, polling: 200 });

  // Both tabs hold the same events in the same time order, and the same pending ones.
  const [ea, eb] = [await a.evaluate(() => window.engine.exportState({ now: Date.UTC(2026, 0, 2) })),
    await b.evaluate(() => window.engine.exportState({ now: Date.UTC(2026, 0, 2) }))];
  assert.equal(ea.summary.eventsObserved, 2 * N);
  assert.equal(eb.summary.eventsObserved, 2 * N);
  assert.deepEqual(eb.recentEvents.map((e) => e.time), ea.recentEvents.map((e) => e.time));
  const times = ea.recentEvents.map((e) => e.time);
  assert.deepEqual(times, [...times].sort((x, y) => x - y));
  assert.deepEqual(eb.pendingEvents.map((e) => e.item).sort(), ea.pendingEvents.map((e) => e.item).sort());
  assert.ok(ea.pendingEvents.some((e) => e.item.startsWith('a-')) && ea.pendingEvents.some((e) => e.item.startsWith('b-')));
  assert.ok((await a.evaluate(() => window.remote)) > 0 && (await b.evaluate(() => window.remote)) > 0);

  // A third tab opened now loads the saved state: all 2N events.
  const c = await openPage(context);
  const sc = await setUpTab(c, dbName);
  assert.equal(sc.events, 2 * N);
  const ec = await c.evaluate(() => window.engine.exportState({ now: Date.UTC(2026, 0, 2) }));
  assert.deepEqual(ec.recentEvents.map((e) => e.time), ea.recentEvents.map((e) => e.time));
  for (const page of [a, b, c]) {
    assert.deepEqual(await page.evaluate(() => window.errors), []);
    assert.deepEqual(page.problems, []);
  }
  console.log(`# two tabs: ${N} events each -> ${sc.events} in a tab opened afterwards`);
  await a.screenshot({ path: path.join(ARTIFACTS, 'state-two-tabs.png') });
  await context.close();
});

test('a tab closed before its debounced save loses nothing: the write-ahead log has its events', async () => {
  const dbName = `wal-${Date.now()}`;
  const context = await browser.newContext();
  const a = await openPage(context);
  await setUpTab(a, dbName, 60000);  // no save for a minute
  await observeMany(a, 'a', 40, 0);
  // Wait until the log writes are done (they precede the broadcast), then close the tab.
  await a.evaluate(() => new Promise((r) => setTimeout(r, 200)));
  await a.close({ runBeforeUnload: false });
  const b = await openPage(context);
  const sb = await setUpTab(b, dbName);
  assert.equal(sb.events, 40);
  assert.deepEqual(await b.evaluate(() => window.errors), []);
  await context.close();
});

test('forget in one tab wipes the other tab and the stored state', async () => {
  const dbName = `forget-${Date.now()}`;
  const context = await browser.newContext();
  const [a, b] = [await openPage(context), await openPage(context)];
  await setUpTab(a, dbName);
  await setUpTab(b, dbName);
  await observeMany(a, 'a', 30, 0);
  await b.waitForFunction(() => window.engine.stats().eventsObserved === 30);
  await a.evaluate(() => window.persistence.flush());
  await a.evaluate(() => window.engine.forget());
  await b.waitForFunction(() => window.engine.stats().eventsObserved === 0, null, { timeout: 5000 });
  // B's next save must not bring the forgotten events back, and new events still flow.
  await b.evaluate(() => window.persistence.flush());
  const c = await openPage(context);
  assert.equal((await setUpTab(c, dbName)).events, 0);
  await observeMany(b, 'b', 10, 1);
  await a.waitForFunction(() => window.engine.stats().eventsObserved === 10);
  await c.waitForFunction(() => window.engine.stats().eventsObserved === 10);
  for (const page of [a, b, c]) assert.deepEqual(await page.evaluate(() => window.errors), []);
  await context.close();
});

test('a full IndexedDB (QuotaExceededError) is reported and the engine keeps working in memory', async () => {
  const context = await browser.newContext();
  const page = await openPage(context);
  const dbName = `quota-${Date.now()}`;
  await setUpTab(page, dbName, 20);
  const outcome = await page.evaluate(async () => {
    const events = [];
    window.persistence.addEventListener('error', (e) => events.push(e.detail.code));
    // Storage fills up: every write throws as Chromium does when over quota.
    const { put, add } = IDBObjectStore.prototype;
    const full = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    IDBObjectStore.prototype.put = full;
    IDBObjectStore.prototype.add = full;
    const t0 = Date.UTC(2026, 0, 1);
    window.engine.observe({ item: 'item-1', type: 'like', time: t0 });
    const flushedWhileFull = await window.persistence.flush();
    window.engine.observe({ item: 'item-2', type: 'click', time: t0 + 1000 });
    const ranked = window.engine.rerank(['item-1', 'item-2', 'item-5'], { now: t0 + 2000 });
    const stillWorks = window.engine.stats().eventsObserved;
    // Space comes back: the next save succeeds with everything observed meanwhile.
    IDBObjectStore.prototype.put = put;
    IDBObjectStore.prototype.add = add;
    const flushedAfter = await window.persistence.flush();
    return { events, errors: window.errors, flushedWhileFull, flushedAfter, stillWorks, ranked: ranked.ids, lastError: window.persistence.lastError?.code };
  });
  assert.equal(outcome.flushedWhileFull, false);
  assert.equal(outcome.flushedAfter, true);
  assert.equal(outcome.stillWorks, 2);
  assert.equal(outcome.ranked.length, 3);
  assert.ok(outcome.events.includes('quota_exceeded'), JSON.stringify(outcome.events));
  assert.ok(outcome.errors.some((e) => e.startsWith('quota_exceeded: storage is full while saving the state')), JSON.stringify(outcome.errors));
  assert.ok(outcome.errors.some((e) => e.startsWith('quota_exceeded: storage is full while appending events')), JSON.stringify(outcome.errors));
  // A tab opened now gets both events from the save made once space came back.
  const reloaded = await openPage(context);
  assert.equal((await setUpTab(reloaded, dbName)).events, 2);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('IndexedDB unavailable in the page: a storage_unavailable error, the engine works', async () => {
  const context = await browser.newContext();
  const page = await openPage(context);
  await ready(page);
  const outcome = await page.evaluate(async () => {
    const engine = await window.ie.createEngine({ dim: 16 });
    engine.upsertItems(['x', 'y'], window.itemVectors(2));
    const errors = [];
    const persistence = await window.ie.enablePersistence(engine, { indexedDB: undefined, onError: (e) => errors.push(e.code) });
    engine.observe({ item: 'x', type: 'click', time: 1 });
    return { errors, available: persistence.available, flushed: await persistence.flush(), events: engine.stats().eventsObserved, top: engine.rerank(['y', 'x'], { now: 2, exclude: 'none' }).ids[0] };
  });
  assert.deepEqual(outcome.errors, ['storage_unavailable']);
  assert.equal(outcome.available, false);
  assert.equal(outcome.flushed, false);
  assert.equal(outcome.events, 1);
  assert.equal(outcome.top, 'x');
  await context.close();
});

test('a stored state that cannot be loaded (the page changed dim) is reported, then replaced', async () => {
  const dbName = `dim-change-${Date.now()}`;
  const context = await browser.newContext();
  const old = await openPage(context);
  await setUpTab(old, dbName);
  await observeMany(old, 'old', 20, 0);
  await old.evaluate(() => window.persistence.close());
  await old.close();
  const page = await openPage(context);
  await ready(page);
  const outcome = await page.evaluate(async (dbName) => {
    const engine = await window.ie.createEngine({ dim: 8 });
    engine.upsertItems(['x'], new Float32Array(8).fill(1));
    const errors = [];
    const persistence = await window.ie.enablePersistence(engine, { dbName, onError: (e) => errors.push(`${e.code}: ${e.message}`) });
    const loaded = engine.stats().eventsObserved;
    engine.observe({ item: 'x', type: 'like', time: 1 });
    const flushed = await persistence.flush();
    await persistence.close();
    const again = await window.ie.createEngine({ dim: 8 });
    const errors2 = [];
    const p2 = await window.ie.enablePersistence(again, { dbName, onError: (e) => errors2.push(e.code) });
    const reloaded = again.stats().eventsObserved;
    await p2.close();
    return { errors, loaded, flushed, reloaded, errors2 };
  }, dbName);
  assert.equal(outcome.errors.length, 1);
  assert.match(outcome.errors[0], /^load_failed: the stored state could not be loaded \(dimension_mismatch\): state: saved with dim 16, the engine's dimension is 8/);
  assert.equal(outcome.loaded, 0);
  assert.equal(outcome.flushed, true, 'the unusable snapshot does not block saving');
  assert.equal(outcome.reloaded, 1);
  assert.deepEqual(outcome.errors2, []);
  await context.close();
});
