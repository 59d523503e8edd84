// A shortened soak (tests/js/soak.js) inside `npm test`: 100,000 events and 10,000
// re-ranks through the JS API. The wasm heap must not grow after warm-up, no embind handle
// may leak and the state must stay within 64 KB. Node's live JS objects are printed; the
// full `npm run soak` (1M events) judges them, as over so short a run V8's own metadata
// is still a visible fraction of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('short soak: 100k events, 10k re-ranks: wasm heap flat, no handle leak', () => {
  const script = fileURLToPath(new URL('./soak.js', import.meta.url));
  const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e',
    `import { runSoak } from ${JSON.stringify(script)};
     const r = await runSoak({ events: 100000, reranks: 10000 });
     console.log('RESULT ' + JSON.stringify(r));`], { encoding: 'utf8', timeout: 600000 });
  assert.equal(run.status, 0, run.stderr);
  for (const line of run.stdout.split('\n')) if (line && !line.startsWith('RESULT')) console.log(`# ${line}`);
  const r = JSON.parse(run.stdout.split('\n').find((line) => line.startsWith('RESULT ')).slice(7));
  assert.equal(r.events, 100000);
  assert.ok(r.wasmGrowth < 0.01, `wasm heap grew ${(100 * r.wasmGrowth).toFixed(3)}% after warm-up`);
  assert.equal(r.end.jsHandles, r.warm.jsHandles, 'embind handles leaked');
  assert.ok(r.stateBytes <= 64 * 1024, `state ${r.stateBytes} bytes`);
});
