// A feed of 12 cards (300 px each) watched by watchFeed; the test scrolls and clicks.
// window.start(mode): 'spy' records observe() batches; 'engine' feeds a real engine too.
import { watchFeed } from '../../../web/dom-events.js';
import { createEngine } from '../../../web/index.js';

const feed = document.getElementById('feed');
for (let i = 0; i < 12; i++) {
  const card = document.createElement('article');
  card.className = 'card';
  card.dataset.itemId = `c${i}`;
  card.innerHTML = `<button>card ${i}</button>`;
  feed.append(card);
}
// Stops propagation, as apps do: the helper listens in the capture phase anyway.
feed.addEventListener('click', (e) => e.stopPropagation());

window.calls = [];
window.start = async (mode, options = {}) => {
  let engine = { observe: (batch) => window.calls.push(structuredClone(batch)) };
  if (mode === 'engine') {
    const real = await createEngine({ dim: 4 });
    const ids = [...feed.children].map((c) => c.dataset.itemId);
    const vectors = new Float32Array(ids.length * 4).map((_, j) => ((j % 4) === (Math.floor(j / 4) % 4) ? 1 : 0.1));
    real.upsertItems(ids, vectors);
    window.realEngine = real;
    engine = { observe: (batch) => (window.calls.push(structuredClone(batch)), real.observe(batch)) };
  }
  window.watcher = watchFeed(engine, { root: feed, impressionMs: 300, flushMs: 0, ...options });
  return true;
};
window.ready = true;
