// Trains the demo's built-in catalog with our own pipeline, reproducibly:
//
//   npm run demo:catalog        (node scripts/make-demo-catalog.js; needs build/native)
//
// 1. The demo's 160 items (8 topics x 20 titles, web/demo/catalog.js) and a synthetic
//    interaction log over them: 1,200 users, each with 1-3 topics whose mix drifts over
//    the user's history, 5% exploration, items chosen by popularity within a topic, and
//    a reading order (within a topic, "the next article" follows half of the time, so a
//    sequence model has something to learn). Seeded: the same log every run.
// 2. interest-train (implicit ALS, 32 factors, 1 thread, seed 42) turns the log into the
//    item factors; interest-seq trains the GRU the demo loads (.ieseq, H 32, 1 thread).
// 3. Writes web/demo/builtin-factors.js (ids, float32 factors as base64, popularity =
//    the log's interaction counts) and web/demo/sequence.ieseq, both committed; the
//    log and the tools' outputs stay in build/demo-catalog/.
//
// Same inputs, same tools, one thread each: the same bytes (a test checks the committed
// files against a fresh run when the native tools are built).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinItems, seededRandom } from '../web/demo/catalog-items.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.resolve(process.argv[2] ?? path.join(ROOT, 'build', 'demo-catalog'));
const OUT = path.resolve(process.argv[3] ?? path.join(ROOT, 'web', 'demo'));
const TOOLS = path.join(ROOT, 'build', 'native');
export const FACTORS = 32;
export const LOG_SEED = 20261128;
const USERS = 1200;

/** The synthetic log as CSV lines (user,item,timestamp in seconds), time-ordered per user. */
export function syntheticLog({ items, topics }) {
  const random = seededRandom(LOG_SEED);
  const byTopic = topics.map((_, t) => items.filter((item) => item.topic === t).map((item) => item.id));
  // Popularity within a topic: a Zipf-like weight over a random permutation.
  const weight = new Map();
  for (const ids of byTopic) {
    const order = shuffle([...ids], random);
    order.forEach((id, rank) => weight.set(id, 1 / Math.pow(rank + 1, 0.8)));
  }
  const pick = (ids, seen) => {
    const open = ids.filter((id) => !seen.has(id));
    if (open.length === 0) return null;
    let total = 0;
    for (const id of open) total += weight.get(id);
    let r = random() * total;
    for (const id of open) if ((r -= weight.get(id)) <= 0) return id;
    return open[open.length - 1];
  };
  const lines = ['user,item,timestamp'];
  const start = 1_764_000_000; // seconds
  for (let u = 0; u < USERS; u++) {
    const count = 1 + Math.floor(random() * 3);
    const interests = shuffle([...topics.keys()], random).slice(0, count);
    const startMix = interests.map(() => 0.2 + random());
    const endMix = interests.map(() => 0.2 + random());
    const length = 15 + Math.floor(random() * 30);
    const seen = new Set();
    let time = start + Math.floor(random() * 30 * 86400);
    let previous = null;
    for (let s = 0; s < length; s++) {
      const progress = s / length;
      const mix = startMix.map((a, k) => (1 - progress) * a + progress * endMix[k]);
      let topic;
      if (random() < 0.05) topic = Math.floor(random() * topics.length);
      else {
        let r = random() * mix.reduce((a, b) => a + b, 0);
        topic = interests[interests.length - 1];
        for (let k = 0; k < interests.length; k++) if ((r -= mix[k]) <= 0) { topic = interests[k]; break; }
      }
      let id = null;
      const ids = byTopic[topic];
      if (previous && random() < 0.5) {
        // The reading order: the next article of the same topic, when not read yet.
        const prevTopic = items.find((item) => item.id === previous).topic;
        const list = byTopic[prevTopic];
        const next = list[(list.indexOf(previous) + 1) % list.length];
        if (!seen.has(next)) id = next;
      }
      id ??= pick(ids, seen) ?? pick(items.map((item) => item.id), seen);
      if (id === null) break;
      seen.add(id);
      lines.push(`u${u},${id},${time}`);
      previous = id;
      // Sessions: minutes between reads, now and then a gap of hours to days.
      time += random() < 0.15 ? 3600 * (2 + Math.floor(random() * 70)) : 60 + Math.floor(random() * 600);
    }
  }
  return lines;
}

function shuffle(array, random) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
  return array;
}

function tool(name, args) {
  const bin = path.join(TOOLS, name);
  execFileSync(bin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Runs the whole pipeline; returns the generated module text and the model bytes. */
export async function makeDemoCatalog(work = WORK) {
  const meta = builtinItems();
  const lines = syntheticLog(meta);
  await fs.mkdir(work, { recursive: true });
  const logFile = path.join(work, 'log.csv');
  await fs.writeFile(logFile, lines.join('\n') + '\n');
  const factorsFile = path.join(work, 'factors.json');
  tool('interest-train', ['--data', logFile, '--factors', String(FACTORS), '--iterations', '15', '--threads', '1',
    '--seed', '42', '--out-catalog', factorsFile]);
  const modelFile = path.join(work, 'sequence.ieseq');
  tool('interest-seq', ['--data', logFile, '--hidden', '32', '--threads', '1', '--seed', '42', '--epochs', '30',
    '--out', modelFile]);

  const trained = JSON.parse(await fs.readFile(factorsFile, 'utf8'));
  if (trained.dim !== FACTORS) throw new Error(`expected ${FACTORS} factors, got ${trained.dim}`);
  const vectorOf = new Map(trained.items.map((item) => [String(item.id), item.vector]));
  const counts = new Map();
  for (const line of lines.slice(1)) {
    const id = line.split(',')[1];
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const ids = meta.items.map((item) => item.id);
  const vectors = new Float32Array(ids.length * FACTORS);
  ids.forEach((id, i) => {
    const v = vectorOf.get(id);
    if (!v) throw new Error(`item ${id} has no trained factors (never in the log)`);
    vectors.set(v, i * FACTORS);
  });
  const top = Math.max(...counts.values());
  const popularity = ids.map((id) => Math.round((1000 * (counts.get(id) ?? 0)) / top) / 1000);
  const base64 = Buffer.from(vectors.buffer).toString('base64');
  const module = `// GENERATED by scripts/make-demo-catalog.js (npm run demo:catalog): do not edit.
// Item factors of the demo's built-in catalog, trained by interest-train (implicit ALS,
// ${FACTORS} factors, 15 iterations, seed 42, 1 thread) on a synthetic log of ${lines.length - 1} interactions
// by ${USERS} users (log seed ${LOG_SEED}); popularity = interactions / the most read item's.
export const FACTORS = Object.freeze({
  dim: ${FACTORS},
  ids: ${JSON.stringify(ids)},
  popularity: ${JSON.stringify(popularity)},
  vectorsBase64: '${base64}',
});
`;
  return { module, model: await fs.readFile(modelFile), interactions: lines.length - 1 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { module, model, interactions } = await makeDemoCatalog();
  await fs.writeFile(path.join(OUT, 'builtin-factors.js'), module);
  await fs.writeFile(path.join(OUT, 'sequence.ieseq'), model);
  console.log(`trained the demo catalog on ${interactions} interactions: ${path.join(OUT, 'builtin-factors.js')}, ` +
    `${path.join(OUT, 'sequence.ieseq')} (${model.length} bytes)`);
}
