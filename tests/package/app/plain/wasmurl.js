// The .wasm hosted somewhere else (a CDN path): wasmUrl must be what the glue fetches.
import { createEngine } from '../node_modules/interest-engine/web/index.js';
import { createWorkerEngine } from '../node_modules/interest-engine/web/worker-client.js';
import { dim, ids, vectors, events, candidates, rankOptions, report } from '../shared.js';

report((async () => {
  const engine = await createEngine({ dim, wasmUrl: { simd: '/hosted/simd-copy.wasm', base: '/hosted/base-copy.wasm' } });
  engine.upsertItems(ids, vectors);
  engine.observe(events);
  const base = await createEngine({ dim, simd: false, wasmUrl: new URL('/hosted/base-copy.wasm', location.href) });
  // Relative to the page, even from inside the worker.
  const remote = await createWorkerEngine({ dim, wasmUrl: '../hosted/worker-copy.wasm' });
  return { backend: engine.backend, baseBackend: base.backend, workerBackend: remote.backend, ids: engine.rerank(candidates, rankOptions).ids };
})());
