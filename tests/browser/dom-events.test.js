// watchFeed in Chromium: scroll a page of cards, dwell, click, and check the events
// handed to observe(): impressions for cards seen long enough (none for cards scrolled
// past quickly), dwell with the time spent, the click, all batches in time order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../../scripts/serve.js';
import { launch, open, chromiumMissing } from '../package/browser.js';

const skip = chromiumMissing();
let server;
let browser;

before(async () => {
  if (skip) return;
  server = await startServer({ port: 0 });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.server.close();
});

async function session(mode) {
  const { page, problems } = await open(browser, `${server.url}/tests/package/pages/feed.html`, { viewport: { width: 800, height: 600 } });
  await page.waitForFunction(() => window.ready);
  await page.evaluate((m) => window.start(m), mode);
  const scroll = (y) => page.evaluate((v) => window.scrollTo(0, v), y);
  await sleep(550); // c0, c1 on screen
  await scroll(600); // c2, c3
  await sleep(550);
  await scroll(1200); // c4, c5
  await sleep(550);
  await scroll(1800); // c6, c7: scrolled past quickly
  await sleep(60);
  await scroll(2400); // c8, c9: dwell here
  await sleep(1500);
  await page.click('[data-item-id="c8"] button');
  await sleep(100);
  const callsBeforeFlush = await page.evaluate(() => window.calls.length);
  await scroll(3000); // c8, c9 leave view -> dwell
  await sleep(150);
  await page.evaluate(() => window.watcher.stop());
  const calls = await page.evaluate(() => window.calls);
  return { page, problems, calls, callsBeforeFlush };
}

function check({ calls, callsBeforeFlush, problems }) {
  assert.deepEqual(problems, []);
  assert.ok(calls.every(Array.isArray), 'observe gets batches (arrays)');
  const events = calls.flat();
  for (let i = 1; i < events.length; i++) assert.ok(events[i].time >= events[i - 1].time, `time order at #${i}`);
  const of = (type) => events.filter((e) => e.type === type);
  const impressed = of('impression').map((e) => e.item).sort();
  assert.deepEqual(impressed, ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c8', 'c9'], 'impressions: seen cards, not the ones scrolled past');
  const clicks = of('click');
  assert.deepEqual(clicks.map((e) => e.item), ['c8']);
  assert.ok(callsBeforeFlush >= 1, 'a click is sent without waiting for a flush');
  const dwell = Object.fromEntries(of('dwell').map((e) => [e.item, e.value]));
  assert.deepEqual(Object.keys(dwell).sort(), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c8', 'c9']);
  assert.ok(dwell.c8 > 1.3 && dwell.c8 < 3.5, `dwell on c8 ~1.6 s, got ${dwell.c8}`);
  assert.ok(dwell.c0 > 0.3 && dwell.c0 < 1.5, `dwell on c0 ~0.55 s, got ${dwell.c0}`);
  const c8 = events.filter((e) => e.item === 'c8').map((e) => e.type);
  assert.deepEqual(c8, ['impression', 'click', 'dwell']);
  return events;
}

test('scrolling, dwelling and clicking yield impressions, dwell and clicks (spy engine)', { skip }, async () => {
  const run = await session('spy');
  check(run);
  await run.page.context().close();
});

test('the same session feeds a real engine', { skip }, async () => {
  const run = await session('engine');
  const events = check(run);
  const state = await run.page.evaluate(() => {
    const e = window.realEngine;
    return { stats: e.stats(), recent: e.interests().recentEvents.map((r) => `${r.item}:${r.type}`) };
  });
  assert.equal(state.stats.eventsObserved, events.length);
  assert.ok(state.recent.includes('c8:click'));
  await run.page.context().close();
});
