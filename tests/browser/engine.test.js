// Real-browser tests in Debian's Chromium (playwright-core, no downloaded browser):
// the engine under the strict CSP of scripts/serve.js, and the minimal demo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.js';
import { createEngine } from '../../web/index.js';
import { DIM, NOW, EVENTS, catalog, candidates } from './pages/fixture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let server;
let baseUrl;
let browser;

before(async () => {
  ({ server, url: baseUrl } = await startServer({ port: 0 }));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  await fs.mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/** A page that records every page error, console error and failed or 4xx/5xx request. */
async function openPage() {
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { page, problems };
}

test('the engine runs in Chromium under the strict CSP and ranks like it does in node', async () => {
  const { page, problems } = await openPage();
  const response = await page.goto(`${baseUrl}/tests/browser/pages/engine.html`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  await page.waitForSelector('body[data-ready]');
  const state = await page.evaluate(() => ({
    ready: document.body.dataset.ready,
    status: document.getElementById('status').textContent,
    backend: document.body.dataset.backend,
    demoted: Number(document.body.dataset.demoted),
    items: [...document.querySelectorAll('#result li')].map((li) => ({
      id: li.dataset.id,
      score: Number(li.dataset.score),
      because: li.dataset.because,
    })),
  }));
  await page.screenshot({ path: path.join(ARTIFACTS, 'engine-page.png'), fullPage: true });
  assert.equal(state.ready, 'true', state.status);
  assert.equal(state.backend, 'wasm-simd128'); // Chromium runs wasm SIMD

  // A permutation of the candidates.
  const feed = candidates();
  assert.deepEqual(state.items.map((i) => i.id).sort(), [...feed].sort());
  // Behaviour: sport (clicked) first, the hidden music item last, music below neutral.
  assert.ok(state.items.slice(0, 4).every((i) => i.id.startsWith('sport-')), state.items.map((i) => i.id).join(' '));
  assert.equal(state.items.at(-1).id, 'music-0');
  assert.equal(state.demoted, 1);
  assert.match(state.items[0].because, /^sport-[01]$/);
  const neutral = state.items.findIndex((i) => i.id === 'not-in-catalog');
  assert.equal(state.items[neutral].score, 0);
  for (const i of state.items.filter((x) => x.id.startsWith('music-') && x.id !== 'music-0')) {
    assert.ok(state.items.indexOf(i) > neutral, `${i.id} should rank below the neutral item`);
  }

  // The same inputs in node give the same order and scores (same SIMD build).
  const engine = await createEngine({ dim: DIM, simd: true });
  const { ids, vectors } = catalog();
  engine.upsertItems(ids, vectors);
  engine.observe(EVENTS);
  const expected = engine.rerank(feed, { now: NOW });
  engine.dispose();
  assert.deepEqual(state.items.map((i) => i.id), expected.ids);
  state.items.forEach((item, r) => assert.ok(Math.abs(item.score - expected.scores[r]) < 1e-6, item.id));

  assert.deepEqual(problems, []);
  await page.close();
});
