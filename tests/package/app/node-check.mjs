// Node: the installed package by name, and its subpaths resolve.
import { createEngine } from 'interest-engine';
import { dim, ids, vectors, events, candidates, rankOptions } from './shared.js';

const engine = await createEngine({ dim });
engine.upsertItems(ids, vectors);
engine.observe(events);
const base = await createEngine({ dim, simd: false });
base.upsertItems(ids, vectors);
base.observe(events);
console.log(JSON.stringify({
  backend: engine.backend,
  ids: engine.rerank(candidates, rankOptions).ids,
  baseBackend: base.backend,
  baseIds: base.rerank(candidates, rankOptions).ids,
  resolved: ['interest-engine/worker', 'interest-engine/dom-events', 'interest-engine/worker-entry', 'interest-engine/simd.wasm', 'interest-engine/base.wasm']
    .map((s) => import.meta.resolve(s).replace(/^.*node_modules\//, '')),
}));
