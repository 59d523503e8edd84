// Test page for tests/browser/state.test.js. Exposes the module on window.ie; with
// ?run=basic it also does a whole session by itself (load, upsert, observe, rerank, save,
// load, persist, flush) and writes the outcome to #out and body[data-result].
import { createEngine, enablePersistence, PersistenceError } from '../../../web/index.js';

window.ie = { createEngine, enablePersistence, PersistenceError };
const violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
window.cspViolations = violations;

const DIM = 16;
export function itemVectors(n, seed = 3) {
  const out = new Float32Array(n * DIM);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 1073741824 - 1;
  }
  return out;
}
window.itemVectors = itemVectors;

async function basic() {
  const engine = await createEngine({ dim: DIM });
  const ids = Array.from({ length: 40 }, (_, i) => `item-${i}`);
  engine.upsertItems(ids, itemVectors(40));
  const t0 = Date.UTC(2026, 0, 1);
  engine.observe([
    { item: 'item-1', type: 'click', time: t0 },
    { item: 'item-2', type: 'dwell', value: 30, time: t0 + 1000 },
    { item: 'item-9', type: 'hide', time: t0 + 2000 },
  ]);
  const ranked = engine.rerank(ids, { now: t0 + 3000, explain: true });
  const bytes = engine.saveState();
  engine.loadState(bytes);
  const errors = [];
  const persistence = await enablePersistence(engine, { dbName: `basic-${Math.random()}`, debounceMs: 10, onError: (e) => errors.push(e.code) });
  engine.observe({ item: 'item-3', type: 'like', time: t0 + 4000 });
  const flushed = await persistence.flush();
  const exported = engine.exportState({ now: t0 + 5000 });
  return {
    backend: engine.backend,
    top: ranked.ids.slice(0, 3),
    last: ranked.ids.at(-1),
    stateBytes: bytes.length,
    flushed,
    errors,
    recent: exported.recentEvents.length,
    violations,
  };
}

window.runBasic = basic;
const run = new URL(location.href).searchParams.get('run');
const out = document.getElementById('out');
if (run === 'basic') {
  basic().then(
    (result) => {
      out.textContent = JSON.stringify(result, null, 1);
      document.body.dataset.result = JSON.stringify(result);
    },
    (error) => {
      out.textContent = `error: ${error.code ?? ''} ${error.message}`;
      document.body.dataset.result = JSON.stringify({ error: String(error.message) });
    },
  );
} else {
  out.textContent = 'ready';
  document.body.dataset.ready = '1';
}
