// The browser page's inputs, shared with the node test that checks the page's result
// against the same computation in node. Plain ES module: importable by both.
export const DIM = 8;
export const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
export const TOPICS = ['news', 'sport', 'music'];

/** 3 topics x 6 items: topic t is basis direction t plus a small fixed pattern. */
export function catalog() {
  const ids = [];
  const vectors = new Float32Array(18 * DIM);
  for (let i = 0; i < 6; i++) {
    for (let t = 0; t < TOPICS.length; t++) {
      const row = ids.length;
      ids.push(`${TOPICS[t]}-${i}`);
      for (let k = 0; k < DIM; k++) vectors[row * DIM + k] = (k === t ? 1 : 0) + 0.05 * Math.sin(row * 7 + k * 3);
    }
  }
  return { ids, vectors };
}

/** Two sport clicks and a hide on a music item, a few minutes before NOW. */
export const EVENTS = [
  { item: 'sport-0', type: 'click', time: NOW - 5 * 60_000 },
  { item: 'sport-1', type: 'click', time: NOW - 4 * 60_000 },
  { item: 'music-0', type: 'hide', time: NOW - 3 * 60_000 },
];

/** The feed to re-rank: everything but the clicked items, plus an unknown id. */
export function candidates() {
  return [...catalog().ids.filter((id) => id !== 'sport-0' && id !== 'sport-1'), 'not-in-catalog'];
}
