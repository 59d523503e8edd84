// Usage of every public entry point, compiled with tsc --strict (tests/package/tsconfig.json
// against web/, and by tests/browser/package.test.js against the installed tarball).
import { createEngine, InterestEngineError, simdSupported, type RankResult, type InterestEvent } from 'interest-engine';
import { createWorkerEngine, type WorkerEngine } from 'interest-engine/worker';
import { watchFeed, type FeedWatcher } from 'interest-engine/dom-events';

export async function main(): Promise<string[]> {
  const engine = await createEngine({
    dim: 4,
    simd: simdSupported() ? 'auto' : false,
    wasmUrl: { simd: '/static/simd.wasm', base: new URL('https://cdn.example/base.wasm') },
    weights: { server: 0.5 },
    eventWeights: { dwellPerSecond: 0.2 },
  });
  const evicted: string[] = engine.upsertItems(['a', 2], new Float32Array(8));
  const event: InterestEvent = { item: 'a', type: 'dwell', time: Date.now(), value: 12 };
  engine.observe([event]);
  const ranked: RankResult = engine.rerank(['a', 2], { k: 1, serverScores: [0.2, 0.1], explain: true });
  const because = ranked.explanations?.[0]?.because?.minutesAgo ?? 0;

  const remote: WorkerEngine = await createWorkerEngine({ dim: 4, transferInputs: true });
  const backend: 'wasm-simd128' | 'wasm' = remote.backend;
  await remote.upsertItems(['a'], new Float32Array(4));
  const viaWorker: RankResult = await remote.rerank(['a'], { now: Date.now() });
  const scores: Float32Array = viaWorker.scores;
  const dim: number = (await remote.getConfig()).dim;
  try {
    await remote.observe({ item: 'a', type: 'click', time: 0 });
  } catch (error) {
    if (error instanceof InterestEngineError && error.code === 'out_of_order') console.log(error.message);
  }
  await remote.dispose();

  const watcher: FeedWatcher = watchFeed(engine, { root: document.body, impressionMs: 800, flushMs: 2000, now: () => Date.now() });
  const workerWatcher: FeedWatcher = watchFeed(remote, { selector: '.card', idOf: (el) => el.getAttribute('data-id') });
  await watcher.flush();
  await workerWatcher.stop();
  engine.dispose();
  return [...evicted, ...ranked.ids, backend, String(because + scores.length + dim)];
}
