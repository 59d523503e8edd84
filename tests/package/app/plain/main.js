// No bundler: the installed package imported by path, as a CDN would serve it.
import { createEngine } from '../node_modules/interest-engine/web/index.js';
import { createWorkerEngine } from '../node_modules/interest-engine/web/worker-client.js';
import { dim, ids, vectors, events, candidates, rankOptions, report } from '../shared.js';

report((async () => {
  const engine = await createEngine({ dim });
  engine.upsertItems(ids, vectors);
  engine.observe(events);
  const remote = await createWorkerEngine({ dim });
  await remote.upsertItems(ids, vectors);
  await remote.observe(events);
  const out = { backend: engine.backend, ids: engine.rerank(candidates, rankOptions).ids, workerIds: (await remote.rerank(candidates, rankOptions)).ids };
  await remote.dispose();
  return out;
})());
