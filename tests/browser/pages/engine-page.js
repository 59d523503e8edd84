// Module script of engine.html (no inline script: the server sends a strict CSP).
import { createEngine } from '/web/index.js';
import { DIM, NOW, EVENTS, catalog, candidates } from './fixture.js';

const status = document.getElementById('status');
try {
  const engine = await createEngine({ dim: DIM });
  const { ids, vectors } = catalog();
  engine.upsertItems(ids, vectors);
  engine.observe(EVENTS);
  const result = engine.rerank(candidates(), { now: NOW, explain: true });
  const list = document.getElementById('result');
  result.ids.forEach((id, i) => {
    const li = document.createElement('li');
    li.dataset.id = id;
    li.dataset.score = String(result.scores[i]);
    li.dataset.because = result.explanations[i].because?.item ?? '';
    li.textContent = `${id} (${result.scores[i].toFixed(3)})`;
    list.append(li);
  });
  document.body.dataset.backend = engine.backend;
  document.body.dataset.demoted = String(result.demoted);
  status.textContent = `ranked ${result.ids.length} items with ${engine.backend}`;
  engine.dispose();
  document.body.dataset.ready = 'true';
} catch (error) {
  status.textContent = `error: ${error.code ?? ''} ${error.message}`;
  document.body.dataset.ready = 'error';
  console.error(error);
}
