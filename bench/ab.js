// A/B of two builds of the engine in one node process: the same feed workload on an engine
// from each checkout, alternating blocks of calls, so that both see the same phases of the
// machine (whole-run comparisons on this VM move by +-30% with its phases).
//
//   node bench/ab.js <checkout A> <checkout B> [mode] [calls]
//
// Each checkout needs its dist/ built (scripts/build.sh wasm) and this checkout's
// build/native/interest-eval (it trains the small GRU the workload uses). Modes, 1,000
// candidates, 50 recent events, full blend + GRU:
//   again  re-rank the same ids, same now (no event)
//   later  re-rank the same ids, now moving 10 ms per call (no event: what a page does)
//   lists  alternate two orders of the same ids, now moving (a new list every call)
//   feed   observe one click, then re-rank the same ids (the feed step)
// Prints the median µs per call of each engine over 20 blocks and their ratio B/A.
// Run it both ways round (A/B and B/A): the engine created first can be a little faster.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { benchSequenceModel } from './sequence-model.js';
import { makeItems } from './suite.js';

const [rootA, rootB, mode = 'again', callsText = '20000'] = process.argv.slice(2);
const modes = ['again', 'later', 'lists', 'feed'];
if (!rootA || !rootB || !modes.includes(mode) || !(Number(callsText) >= 20)) {
  console.error(`usage: node bench/ab.js <checkout A> <checkout B> [${modes.join('|')}] [calls >= 20]`);
  process.exit(2);
}
const calls = Number(callsText);
const DIM = 64;
const N = 1000;
const T0 = 1_700_000_000_000;
const { ids, vectors } = makeItems(N, 4);

// The GRU bench/run.js uses: one epoch on a synthetic log.
const model = benchSequenceModel(path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
if (!model) {
  console.error('build/native/interest-eval is missing: build the native tools first (scripts/build.sh)');
  process.exit(1);
}

const history = Array.from({ length: 50 }, (_, j) => ({ item: ids[(j * 37) % N], type: 'click', time: T0 + j * 60000 }));
const swapped = ids.slice();
[swapped[0], swapped[1]] = [ids[1], ids[0]];

async function workload(root) {
  const { createEngine } = await import(pathToFileURL(path.resolve(root, 'web/index.js')).href);
  const engine = await createEngine({ dim: DIM, simd: true });
  engine.upsertItems(ids, vectors);
  engine.loadSequenceModel(model);
  engine.observe(history);
  let clock = history.at(-1).time;
  let i = 0;
  let flip = 0;
  const options = (now) => ({ k: 50, now, exclude: 'none' });
  const step = {
    again: () => engine.rerank(ids, options(clock + 1000)),
    later: () => engine.rerank(ids, options(clock + 1000 + 10 * flip++)),
    lists: () => engine.rerank(flip & 1 ? swapped : ids, options(clock + 1000 + 10 * flip++)),
    feed: () => {
      engine.observe({ item: ids[(i++ * 7) % N], type: 'click', time: (clock += 1000) });
      return engine.rerank(ids, options(clock + 1000));
    },
  }[mode];
  const top = engine.rerank(ids, options(clock + 1000)).ids.join();
  return { step, top };
}

const a = await workload(rootA);
const b = await workload(rootB);
if (a.top !== b.top) console.log('note: the two builds rank the first call differently');
for (let r = 0; r < 2000; r++) a.step(), b.step();
const times = { A: [], B: [] };
const block = Math.floor(calls / 20);
for (let k = 0; k < 20; k++) {
  for (const name of k & 1 ? ['A', 'B'] : ['B', 'A']) {
    const step = name === 'A' ? a.step : b.step;
    const t = performance.now();
    for (let r = 0; r < block; r++) step();
    times[name].push(((performance.now() - t) / block) * 1000);
  }
}
const median = (v) => v.slice().sort((x, y) => x - y)[v.length >> 1];
const [ma, mb] = [median(times.A), median(times.B)];
console.log(`${mode}: A ${ma.toFixed(1)} µs, B ${mb.toFixed(1)} µs per call, B/A ${(mb / ma).toFixed(3)}`);
