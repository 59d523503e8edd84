// The sequence model through the JS API: a GRU trained by our own tool on a log with a
// planted order (item k is followed by item k+1) must, once loaded, put the successor of
// what the user just opened on top; its hidden state survives saveState/loadState; bad
// files are refused without touching the loaded model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createEngine, InterestEngineError } from '../../web/index.js';
import { prng } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tool = path.join(root, 'build/native/interest-eval');
const ITEMS = 24;
const DIM = 8;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const ids = Array.from({ length: ITEMS }, (_, i) => `m${i}`);

let modelBytes = null;
function trainedModel() {
  if (modelBytes) return modelBytes;
  // 150 users, each walking the cycle m0 -> m1 -> ... from a random start for 8-15 steps.
  const random = prng(7);
  const lines = ['user,item,timestamp'];
  for (let u = 0; u < 150; u++) {
    let k = Math.floor(random() * ITEMS);
    const length = 8 + Math.floor(random() * 8);
    for (let s = 0; s < length; s++, k = (k + 1) % ITEMS) lines.push(`u${u},m${k},${1_000_000 + u * 100 + s}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ie-seq-'));
  fs.writeFileSync(path.join(dir, 'log.csv'), lines.join('\n') + '\n');
  execFileSync(tool, ['--data', path.join(dir, 'log.csv'), '--task', 'loo', '--sequence', '--seq-hidden', '16',
    '--seq-epochs', '25', '--seq-out', path.join(dir, 'model.ieseq'), '--quiet', '--threads', '1'], { stdio: 'ignore' });
  modelBytes = new Uint8Array(fs.readFileSync(path.join(dir, 'model.ieseq')));
  fs.rmSync(dir, { recursive: true, force: true });
  return modelBytes;
}

function vectors() {
  const random = prng(3);
  return Float32Array.from({ length: ITEMS * DIM }, () => random() * 2 - 1);
}

async function engineWithModel() {
  const engine = await createEngine({ dim: DIM, weights: { server: 0, longTerm: 0, shortTerm: 0, attention: 0, sequence: 1, negative: 0 } });
  engine.upsertItems(ids, vectors());
  const info = engine.loadSequenceModel(trainedModel());
  assert.equal(info.blend, null);  // interest-eval --seq-out ships no blend
  assert.equal(engine.config.weights.sequence, 1); // as created: no blend shipped, none applied
  assert.equal(info.hidden, 16);
  assert.equal(info.vocabulary, ITEMS);
  return engine;
}

const skip = fs.existsSync(tool) ? false : 'build/native/interest-eval is not built';

test('a trained GRU puts the planted successor on top', { skip }, async () => {
  const engine = await engineWithModel();
  assert.equal(engine.sequenceModel().steps, 0);
  let hits = 0;
  for (let k = 0; k < ITEMS; k += 3) {
    engine.reset();
    engine.observe([{ item: `m${k}`, type: 'click', time: T0 }, { item: `m${(k + 1) % ITEMS}`, type: 'click', time: T0 + 1000 }]);
    assert.equal(engine.sequenceModel().steps, 2);
    const { ids: order } = engine.recommend(1, { now: T0 + 2000 });
    if (order[0] === `m${(k + 2) % ITEMS}`) hits++;
  }
  // 8 starting points; a model that learned nothing would hit about 8/22 of one.
  assert.ok(hits >= 7, `successor on top for ${hits} of 8 starts`);
  engine.dispose();
});

test('dwell and like on the item just clicked do not step again; impressions never step', { skip }, async () => {
  const engine = await engineWithModel();
  engine.observe([
    { item: 'm3', type: 'click', time: T0 },
    { item: 'm3', type: 'dwell', value: 30, time: T0 + 1 },
    { item: 'm3', type: 'like', time: T0 + 2 },
    { item: 'm9', type: 'impression', time: T0 + 3 },
  ]);
  assert.equal(engine.sequenceModel().steps, 1);
  assert.equal(engine.sequenceModel().lastItem, 'm3');
  engine.dispose();
});

test('the hidden state is saved with the interest state and restored', { skip }, async () => {
  const a = await engineWithModel();
  a.observe([{ item: 'm4', type: 'click', time: T0 }, { item: 'm5', type: 'click', time: T0 + 10 }]);
  const bytes = a.saveState();
  const before = a.recommend(5, { now: T0 + 100 });

  // Loaded before the model arrives (the usual page start-up order): parked, then restored.
  const b = await createEngine({ dim: DIM });
  b.upsertItems(ids, vectors());
  b.loadState(bytes);
  assert.equal(b.sequenceModel(), null);
  b.loadSequenceModel(trainedModel());
  assert.equal(b.sequenceModel().steps, 2);
  assert.deepEqual(b.recommend(5, { now: T0 + 100 }).ids, before.ids);
  assert.deepEqual(b.saveState(), bytes);
  a.dispose();
  b.dispose();
});

test('a corrupt or truncated model is refused and the loaded one stays', { skip }, async () => {
  const engine = await engineWithModel();
  engine.observe({ item: 'm1', type: 'click', time: T0 });
  const state = engine.saveState();
  const bad = trainedModel().slice();
  bad[bad.length - 5] ^= 0x20;
  for (const [bytes, code] of [[bad, 'corrupt_data'], [trainedModel().subarray(0, 40), 'truncated'], [new Uint8Array(0), 'truncated']]) {
    assert.throws(() => engine.loadSequenceModel(bytes), (e) => e instanceof InterestEngineError && e.code === code);
    assert.equal(engine.sequenceModel().steps, 1);
    assert.deepEqual(engine.saveState(), state);
  }
  assert.throws(() => engine.loadSequenceModel('not bytes'), (e) => e.code === 'invalid_argument');
  assert.throws(() => engine.loadSequenceModel(trainedModel(), { applyBlend: 'yes' }), (e) => e.code === 'invalid_argument');
  assert.equal(engine.sequenceModel().steps, 1);
  engine.dispose();
});
