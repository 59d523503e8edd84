import { createEngine, simdSupported } from 'interest-engine';
import { dim, ids, vectors, events, candidates, rankOptions, report } from './shared.js';

report((async () => {
  const engine = await createEngine({ dim });
  engine.upsertItems(ids, vectors);
  engine.observe(events);
  return { simdSupported: simdSupported(), backend: engine.backend, ids: engine.rerank(candidates, rankOptions).ids };
})());
