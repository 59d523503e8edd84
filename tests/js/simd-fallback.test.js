// Feature detection: on a JS engine without wasm SIMD, 'auto' falls back to the
// baseline build and simd: true is refused. Simulated by making the SIMD probe fail
// (node --test runs each file in its own process, so no other test sees the stub).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, simdSupported } from '../../web/index.js';
import { assertRejectsAsync } from './helpers.js';

const realValidate = WebAssembly.validate;
const SIMD_OPCODE_PREFIX = 253; // 0xfd: the v128 instruction prefix

test('without wasm SIMD, auto picks the baseline build and simd: true is refused', async () => {
  // Reject only modules that use a v128 instruction; everything else validates as usual.
  WebAssembly.validate = (bytes) => !new Uint8Array(bytes).includes(SIMD_OPCODE_PREFIX) && realValidate(bytes);
  try {
    assert.equal(simdSupported(), false);
    const engine = await createEngine({ dim: 4 });
    assert.equal(engine.backend, 'wasm');
    engine.upsertItems(['a', 'b'], [1, 0, 0, 0, 0, 1, 0, 0]);
    engine.observe({ item: 'b', type: 'click', time: 1 });
    assert.deepEqual(engine.rerank(['a', 'b'], { now: 2, exclude: 'none' }).ids, ['b', 'a']);
    engine.dispose();
    await assertRejectsAsync(() => createEngine({ dim: 4, simd: true }), 'unsupported', /no WebAssembly SIMD/);
    const base = await createEngine({ dim: 4, simd: false });
    assert.equal(base.backend, 'wasm');
    base.dispose();
  } finally {
    WebAssembly.validate = realValidate;
  }
  assert.equal(simdSupported(), true);
});
