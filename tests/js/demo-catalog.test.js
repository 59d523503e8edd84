// The demo's built-in catalog is trained by our pipeline (scripts/make-demo-catalog.js):
// the committed factors and sequence model are what the script produces from source,
// and the trained factors keep the topics apart (what the demo's map and bars show).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { builtinCatalog } from '../../web/demo/catalog.js';
import { makeDemoCatalog } from '../../scripts/make-demo-catalog.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const built = fs.existsSync(path.join(root, 'build/native/interest-train')) && fs.existsSync(path.join(root, 'build/native/interest-seq'));

test('the committed catalog and model are what npm run demo:catalog produces', { skip: built ? false : 'native tools not built' }, async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ie-demo-'));
  try {
    const { module, model } = await makeDemoCatalog(work);
    const committed = fs.readFileSync(path.join(root, 'web/demo/builtin-factors.js'), 'utf8');
    const committedModel = fs.readFileSync(path.join(root, 'web/demo/sequence.ieseq'));
    if (module === committed && Buffer.compare(model, committedModel) === 0) return;  // bit for bit (this machine)
    // The tools are built with -march=native: on another CPU the floats may differ in the
    // last bits. Then the log (ids, popularity) must still match exactly and the factors
    // closely; the model must have the same shape.
    const field = (text, name) => text.match(new RegExp(`${name}: (.*),\n`))[1];
    for (const name of ['dim', 'ids', 'popularity']) assert.equal(field(module, name), field(committed, name), name);
    const floats = (text) => new Float32Array(Buffer.from(text.match(/vectorsBase64: '([^']*)'/)[1], 'base64').buffer.slice(0));
    const a = floats(module), b = floats(committed);
    assert.equal(a.length, b.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 1e-3, `factors differ by up to ${worst}`);
    assert.equal(model.length, committedModel.length);
    assert.ok(Buffer.compare(model.subarray(0, 28), committedModel.subarray(0, 28)) === 0, 'same header: magic, version, H, n, cell');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('trained factors keep the topics apart', () => {
  const c = builtinCatalog();
  assert.equal(c.items.length, 160);
  assert.equal(c.dim, 32);
  assert.equal(c.topics.length, 8);
  for (const item of c.items) assert.ok(item.title && item.serverScore > 0 && item.serverScore <= 1, item.id);
  const d = c.dim;
  const row = (i) => c.vectors.subarray(i * d, (i + 1) * d);
  const cos = (a, b) => {
    let s = 0, x = 0, y = 0;
    for (let k = 0; k < d; k++) s += a[k] * b[k], x += a[k] * a[k], y += b[k] * b[k];
    return s / Math.sqrt(x * y);
  };
  let within = 0, wn = 0, between = 0, bn = 0;
  for (let i = 0; i < c.items.length; i++)
    for (let j = i + 1; j < c.items.length; j++) {
      const s = cos(row(i), row(j));
      if (c.items[i].topic === c.items[j].topic) within += s, wn++;
      else between += s, bn++;
    }
  within /= wn;
  between /= bn;
  // Measured: 0.816 within a topic, 0.119 between topics.
  assert.ok(within > 0.5 && between < 0.2, `within ${within.toFixed(3)}, between ${between.toFixed(3)}`);
});
