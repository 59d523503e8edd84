// interest-engine/worker in Chromium: the engine runs in a module worker (under the strict
// CSP of scripts/serve.js), answers like the in-thread engine, transfers buffers, and
// reports errors as InterestEngineError with code and message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../scripts/serve.js';
import { launch, open, pageResult, chromiumMissing } from '../package/browser.js';

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

test('createWorkerEngine runs the engine in a worker behind the async API', { skip }, async () => {
  const { page, problems, requested } = await open(browser, `${server.url}/tests/package/pages/worker.html`);
  const r = await pageResult(page);
  assert.equal(r.backend, 'wasm-simd128');
  assert.equal(r.dim, 4);
  assert.equal(r.isWorker, true);
  assert.equal(r.config, 4);
  assert.equal(r.inputKeptByDefault, 16, 'without transferInputs the caller keeps its array');
  assert.equal(r.detachedWithTransfer, 0, 'with transferInputs the buffer moves to the worker');
  assert.equal(r.fastHasZ, true);
  assert.deepEqual(r.ids, r.localIds, 'same order as the in-thread engine');
  r.scores.forEach((s, i) => assert.ok(Math.abs(s - r.localScores[i]) < 1e-6));
  assert.equal(r.ids[0], 'd', 'd (closest to the clicked b) ranks first');
  assert.equal(r.scoresIsFloat32, true);
  assert.equal(r.stats.items, 4);
  assert.equal(r.stats.eventsObserved, 2);
  assert.deepEqual(r.error.isEngineError, true);
  assert.equal(r.error.code, 'dimension_mismatch');
  assert.match(r.error.message, /vectors has 3 values, expected 4/);
  assert.equal(r.unknownMethod, 'invalid_argument');
  assert.equal(r.afterDispose, 'disposed');
  assert.deepEqual(r.badInit, { isEngineError: true, code: 'invalid_argument' });
  assert.ok(requested.some((u) => u.endsWith('/web/worker.js')), 'the worker script was loaded');
  assert.ok(requested.some((u) => u.endsWith('/dist/interest_engine_simd.wasm')));
  assert.deepEqual(problems, []);
});
