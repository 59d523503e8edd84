// Minimal page: a synthetic catalog with planted topics, a feed re-ranked after each click.
import { createEngine } from '../index.js';

const TOPICS = ['Jazz', 'Hiking', 'Cooking', 'Chess'];
const COLORS = ['#6b3fa0', '#2e7d32', '#b3541e', '#1f5f8b'];
const DIM = 16;

function seeded(seed) {
  return () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const random = seeded(7);
const items = [];
const vectors = new Float32Array(40 * DIM);
for (let i = 0; i < 40; i++) {
  const topic = i % TOPICS.length;
  items.push({ id: `item-${i}`, topic, title: `${TOPICS[topic]} story #${Math.floor(i / TOPICS.length) + 1}` });
  for (let k = 0; k < DIM; k++) vectors[i * DIM + k] = (k % TOPICS.length === topic ? 1 : 0) + (random() - 0.5) * 0.3;
}

const engine = await createEngine({ dim: DIM });
engine.upsertItems(items.map((it) => it.id), vectors);
const byId = new Map(items.map((it) => [it.id, it]));
let clock = Date.now();

function render() {
  const ranked = engine.rerank(items.map((it) => it.id), { now: clock, exclude: 'none' });
  const feed = document.getElementById('feed');
  feed.replaceChildren(
    ...ranked.ids.slice(0, 12).map((id) => {
      const item = byId.get(id);
      const li = document.createElement('li');
      li.dataset.itemId = id;
      const topic = document.createElement('span');
      topic.className = 'topic';
      topic.style.background = COLORS[item.topic];
      topic.textContent = TOPICS[item.topic];
      const title = document.createElement('span');
      title.className = 'title';
      title.textContent = item.title;
      const button = document.createElement('button');
      button.textContent = 'Open';
      button.setAttribute('aria-label', `Open ${item.title}`);
      button.addEventListener('click', () => {
        clock += 1000;
        engine.observe({ item: id, type: 'click', time: clock });
        render();
      });
      li.append(topic, title, button);
      return li;
    }),
  );
}

render();
document.getElementById('status').textContent = `Engine ready (${engine.backend}). Open items and watch the feed follow you.`;
document.body.dataset.ready = 'true';
