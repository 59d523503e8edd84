// Writes the seed corpora of the fuzz targets (run once; the seeds are committed):
//   node fuzz/make_seeds.mjs
// state/: real state blobs from the built module (dim 8, as fuzz/state_fuzz.cpp's engine),
// each twice: mode byte 0 (as is) and 1 (re-sealed by the target). events/: op streams.
import fs from 'node:fs';
import { createEngine } from '../web/index.js';

const dir = new URL('./corpus/', import.meta.url);
const write = (name, bytes) => fs.writeFileSync(new URL(name, dir), bytes);
fs.mkdirSync(new URL('state/', dir), { recursive: true });
fs.mkdirSync(new URL('events/', dir), { recursive: true });

const types = ['impression', 'click', 'dwell', 'like', 'add_to_cart', 'purchase', 'share', 'skip', 'hide'];
async function blob(dim, events, { server = false, config = {} } = {}) {
  const e = await createEngine({ dim, ...config });
  const ids = Array.from({ length: 12 }, (_, i) => `i${i}`);
  e.upsertItems(ids, Float32Array.from({ length: 12 * dim }, (_, k) => Math.sin(k * 0.7)));
  const batch = [];
  for (let i = 0; i < events; i++) {
    const type = types[i % types.length];
    batch.push({ item: `i${(i * 5) % 15}`, type, time: 1.7e12 + i * 45000, ...(type === 'dwell' ? { value: i % 40 } : {}) });
  }
  e.observe(batch);
  if (server) e.setUserVector(new Float32Array(dim).fill(0.25));
  const bytes = e.saveState();
  e.dispose();
  return bytes;
}
const seeds = {
  empty: await blob(8, 0),
  few: await blob(8, 5),
  full: await blob(8, 80, { server: true, config: { recentWindow: 16, pendingCapacity: 16, consumedCapacity: 32 } }),
  defaults: await blob(8, 40),
  wide: await blob(16, 10),
};
for (const [name, bytes] of Object.entries(seeds))
  for (const mode of [0, 1]) write(`state/${name}-${mode}`, Buffer.concat([Buffer.from([mode]), Buffer.from(bytes)]));

// events/: config bytes (window, pending, consumed, slots), then ops. Deterministic LCG.
let s = 12345;
const rnd = (n) => ((s = (s * 1103515245 + 12345) % 2147483648), s % n);
for (let f = 0; f < 12; f++) {
  const out = [1 + rnd(32), rnd(8), rnd(16), rnd(4)];
  for (let step = 0; step < 40; step++) {
    const op = rnd(8);
    out.push(op);
    if (op <= 3) {
      const n = 1 + rnd(8);
      out.push(n);
      for (let i = 0; i < n; i++) {
        out.push(rnd(24), rnd(f < 6 ? 9 : 11), rnd(f < 8 ? 240 : 256));
        if (out.at(-1) >= 240) for (let b = 0; b < 8; b++) out.push(rnd(256));
        out.push(rnd(2));
        if (out.at(-1)) out.push(0, 0, 0x20, 0x41);  // 10.0f
      }
      if (op === 3) out.push(rnd(240));
    } else if (op === 4) {
      const n = 1 + rnd(4);
      out.push(n - 1);
      for (let i = 0; i < n; i++) out.push(rnd(24));
      for (let i = 0; i < n * 8; i++) out.push(rnd(256));
    } else if (op === 5 || op === 6) {
      const n = rnd(10);
      out.push(n);
      for (let i = 0; i < n; i++) out.push(rnd(24), rnd(256));
      out.push(rnd(240), rnd(2), rnd(12), rnd(2));
    }
  }
  write(`events/seed-${String(f).padStart(2, '0')}`, Buffer.from(out));
}
console.log('seeds written');
