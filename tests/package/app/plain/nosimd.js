import { createEngine } from '../node_modules/interest-engine/web/index.js';
import { dim, ids, vectors, events, candidates, rankOptions, report } from '../shared.js';

report((async () => {
  const engine = await createEngine({ dim });
  engine.upsertItems(ids, vectors);
  engine.observe(events);
  return { backend: engine.backend, ids: engine.rerank(candidates, rankOptions).ids };
})());
