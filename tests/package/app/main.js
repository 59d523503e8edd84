// A bundled app: engine in the page, engine in a worker, and the DOM helper.
import { createEngine } from 'interest-engine';
import { createWorkerEngine } from 'interest-engine/worker';
import { watchFeed } from 'interest-engine/dom-events';
import { dim, ids, vectors, events, candidates, rankOptions, report } from './shared.js';

report((async () => {
  const engine = await createEngine({ dim });
  engine.upsertItems(ids, vectors);
  engine.observe(events);
  const local = engine.rerank(candidates, rankOptions);
  const watcher = watchFeed(engine, { root: document.getElementById('feed') });
  await watcher.stop();
  const remote = await createWorkerEngine({ dim });
  await remote.upsertItems(ids, vectors);
  await remote.observe(events);
  const viaWorker = await remote.rerank(candidates, rankOptions);
  const out = { backend: engine.backend, ids: local.ids, workerBackend: remote.backend, workerIds: viaWorker.ids };
  await remote.dispose();
  engine.dispose();
  return out;
})());
