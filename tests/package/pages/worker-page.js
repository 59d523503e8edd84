// Drives interest-engine/worker from the page; the test reads window.__result.
import { createWorkerEngine, InterestEngineError } from '../../../web/worker-client.js';
import { createEngine } from '../../../web/index.js';

const dim = 4;
const ids = ['a', 'b', 'c', 'd'];
const vectors = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0.7, 0.7, 0, 0]);
const t0 = 1_700_000_000_000;
const events = [
  { item: 'b', type: 'click', time: t0 },
  { item: 'b', type: 'dwell', time: t0 + 5000, value: 20 },
];

async function run() {
  const out = {};
  const engine = await createWorkerEngine({ dim });
  out.backend = engine.backend;
  out.dim = engine.dim;
  out.isWorker = engine.worker instanceof Worker;

  await engine.upsertItems(ids, vectors);
  out.inputKeptByDefault = vectors.length; // still 16: a copy was transferred
  await engine.observe(events);
  const ranked = await engine.rerank(['a', 'c', 'd'], { now: t0 + 6000, explain: true });
  out.ids = ranked.ids;
  out.scores = Array.from(ranked.scores);
  out.scoresIsFloat32 = ranked.scores instanceof Float32Array;
  out.because = ranked.explanations[1].because && ranked.explanations[0].because.item;
  out.stats = await engine.stats();
  out.config = (await engine.getConfig()).dim;

  // Moving inputs: the caller's buffer is detached once sent.
  const moved = new Float32Array([0, 0, 0, 1]);
  const fast = await createWorkerEngine({ dim, transferInputs: true });
  await fast.upsertItems(['z'], moved);
  out.detachedWithTransfer = moved.length;
  out.fastHasZ = await fast.hasItem('z');
  await fast.dispose();

  // Errors keep their class, code and message.
  try {
    await engine.upsertItems(['x'], new Float32Array(3));
    out.error = 'none';
  } catch (e) {
    out.error = { isEngineError: e instanceof InterestEngineError, code: e.code, message: e.message };
  }
  try {
    await engine.call('noSuchMethod');
  } catch (e) {
    out.unknownMethod = e.code;
  }

  // The same calls in the page's thread give the same answer.
  const local = await createEngine({ dim });
  local.upsertItems(ids, vectors);
  local.observe(events);
  const same = local.rerank(['a', 'c', 'd'], { now: t0 + 6000 });
  out.localIds = same.ids;
  out.localScores = Array.from(same.scores);
  local.dispose();

  await engine.dispose();
  try {
    await engine.rerank(['a']);
  } catch (e) {
    out.afterDispose = e.code;
  }
  try {
    await createWorkerEngine({ dim: 0 });
  } catch (e) {
    out.badInit = { isEngineError: e instanceof InterestEngineError, code: e.code };
  }
  return out;
}

run().then((r) => (window.__result = r), (e) => (window.__error = `${e && e.code} ${e && e.stack}`));
