// The demo's catalog: a built-in, seeded generator with planted topics, and a loader
// for catalogs in the pipeline's JSON format (`?catalog=URL`, optional `?meta=URL`).
//
// Both produce the same shape, which is all the rest of the demo relies on:
//   { key, dim, items: [{ id, title, topic, tags, serverScore }], vectors: Float32Array,
//     topics: [name, ...], source }
// `topic` indexes `topics`; `serverScore` is the fixed score a server would send
// with the item (popularity), passed to rerank as `serverScores`.
//
// This module touches no DOM, so node can import it too (scripts/make-demo-catalog.js).

/** Topics of the built-in catalog, in the order of their planted directions. */
export const BUILTIN_TOPICS = Object.freeze([
  'Jazz', 'Poetry', 'Chess', 'Astronomy', 'Hiking', 'Football', 'Gardening', 'Cooking',
]);

const BUILTIN_DIM = 32;
const ITEMS_PER_TOPIC = 20;
const BUILTIN_SEED = 20240611;

// Ten subjects per topic and title templates that read well with any of them; each
// subject is used twice with two different templates, so 20 distinct titles a topic.
const SUBJECTS = {
  Jazz: ['modal jazz', 'the walking bass line', 'bebop piano', 'late-night jam sessions', 'big-band arrangements',
    'jazz standards', 'the tenor saxophone', 'scat singing', 'brushes on a snare drum', 'cool jazz'],
  Poetry: ['the sonnet', 'haiku', 'free verse', 'reading poems aloud', 'Emily Dickinson', 'the villanelle',
    'slam poetry', 'translating poems', 'the prose poem', 'keeping a poetry notebook'],
  Chess: ['the Sicilian Defence', 'rook endgames', 'blitz chess', 'the queen\'s gambit', 'chess puzzles',
    'pawn structures', 'correspondence chess', 'the London System', 'knight forks', 'studying old masters'],
  Astronomy: ['the Andromeda galaxy', 'backyard telescopes', 'meteor showers', 'the rings of Saturn',
    'dark-sky parks', 'variable stars', 'the Moon\'s craters', 'planetary nebulae', 'star charts', 'solar eclipses'],
  Hiking: ['alpine ridges', 'ultralight backpacking', 'trail navigation', 'hut-to-hut treks', 'hiking boots',
    'winter hiking', 'long-distance trails', 'trail snacks', 'summit sunrises', 'river crossings'],
  Football: ['the offside rule', 'pressing tactics', 'youth academies', 'the perfect free kick', 'goalkeeping',
    'the World Cup', 'set pieces', 'the false nine', 'grassroots clubs', 'match-day rituals'],
  Gardening: ['tomato seedlings', 'compost heaps', 'raised beds', 'pruning roses', 'herb gardens',
    'attracting pollinators', 'saving seeds', 'balcony gardens', 'growing garlic', 'winter mulch'],
  Cooking: ['sourdough bread', 'one-pot dinners', 'knife skills', 'homemade pasta', 'slow-cooked ragù',
    'spice blends', 'fermented vegetables', 'weeknight curries', 'the perfect omelette', 'baking with rye'],
};
const TEMPLATES = [
  (s) => `A beginner's guide to ${s}`,
  (s) => `Why we still care about ${s}`,
  (s) => `${cap(s)}, explained in five minutes`,
  (s) => `The hidden history of ${s}`,
  (s) => `Ten myths about ${s}`,
  (s) => `Notes on ${s}`,
  (s) => `What experts get wrong about ${s}`,
  (s) => `${cap(s)}: a field guide`,
  (s) => `Rethinking ${s}`,
  (s) => `The quiet joy of ${s}`,
];
const TAGS = {
  Jazz: ['music', 'improvisation', 'history', 'live', 'piano'],
  Poetry: ['writing', 'reading', 'language', 'classics', 'craft'],
  Chess: ['strategy', 'openings', 'endgames', 'puzzles', 'tournaments'],
  Astronomy: ['space', 'night sky', 'telescopes', 'science', 'planets'],
  Hiking: ['outdoors', 'mountains', 'gear', 'trails', 'travel'],
  Football: ['sport', 'tactics', 'teams', 'training', 'fans'],
  Gardening: ['plants', 'outdoors', 'seasons', 'soil', 'vegetables'],
  Cooking: ['food', 'recipes', 'baking', 'kitchen', 'vegetables'],
};

function cap(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random) {
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * The built-in catalog: 8 topics x 20 items, dim 32, deterministic for a seed.
 *
 * Factor vectors = topic direction + noise + a small shared popularity component:
 *  - dims 0-1 place the 8 topics on a circle (neighbours such as Jazz and Poetry share
 *    a little taste, opposite ones are dissimilar), so a 2-D PCA of the catalog shows a
 *    readable "taste wheel";
 *  - dims 2-9 give each topic its own axis, so topics stay separable (cosine between
 *    neighbouring topics ~0.4, within a topic ~0.8);
 *  - dim 10 carries popularity (what a matrix factorisation learns from exposure);
 *  - every dim gets Gaussian noise, so items are individuals, not copies.
 * The server score of an item is its popularity: the feed's order before any event.
 */
export function builtinCatalog(seed = BUILTIN_SEED) {
  const random = seededRandom(seed);
  const topics = BUILTIN_TOPICS;
  const n = topics.length * ITEMS_PER_TOPIC;
  const dim = BUILTIN_DIM;
  const vectors = new Float32Array(n * dim);
  const items = [];
  // Popularity: a gentle long tail over a random permutation of the items. (A steep
  // Zipf tail would give the top item a standardised server score near 8 and let
  // popularity drown every personal signal.)
  const ranks = shuffle([...Array(n).keys()], random);
  for (let t = 0; t < topics.length; t++) {
    const name = topics[t];
    const angle = (2 * Math.PI * t) / topics.length;
    for (let j = 0; j < ITEMS_PER_TOPIC; j++) {
      const i = t * ITEMS_PER_TOPIC + j;
      const subject = SUBJECTS[name][j % 10];
      // Second use of a subject shifts the template, so the two titles differ.
      const template = TEMPLATES[(j % 10 + t * 3 + (j >= 10 ? 5 : 0)) % TEMPLATES.length];
      const tags = TAGS[name];
      const popularity = 0.1 + 0.9 * Math.exp((-3 * ranks[i]) / n);
      const row = vectors.subarray(i * dim, (i + 1) * dim);
      for (let k = 0; k < dim; k++) row[k] = 0.1 * gaussian(random);
      row[0] += Math.cos(angle);
      row[1] += Math.sin(angle);
      row[2 + t] += 0.8;
      row[10] += 0.5 * popularity;
      items.push({
        id: `${name.toLowerCase()}-${String(j + 1).padStart(2, '0')}`,
        title: template(subject),
        topic: t,
        tags: [tags[j % tags.length], tags[(j + 2) % tags.length]],
        serverScore: Math.round(popularity * 1000) / 1000,
      });
    }
  }
  return { key: `builtin:${seed}`, source: 'built-in', dim, items, vectors, topics: [...topics] };
}

function shuffle(array, random) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
  return array;
}

const MAX_TOPICS = 8;

/**
 * Builds a catalog from the pipeline's JSON catalog and optional metadata sidecar:
 *   catalog: {"format":"interest-engine-catalog","version":1,"dim":D,"items":[{"id":..,"vector":[..]}]}
 *   meta:    {"items":{"<id>":{"title":..,"tags":[..], "popularity"?: number}}}
 * An item's topic is its first tag; the 8 most frequent become topics, the rest "Other".
 * The server score is the sidecar's `popularity` when given, else the vector's norm
 * (in matrix factorisation, popular items get longer vectors).
 */
export function catalogFromJson(json, meta = null, key = 'json') {
  if (!json || json.format !== 'interest-engine-catalog') throw new Error('not an interest-engine-catalog JSON document');
  if (json.version !== 1) throw new Error(`unsupported catalog version ${json.version} (this demo reads version 1)`);
  const dim = json.dim;
  if (!Number.isInteger(dim) || dim < 1 || dim > 1024) throw new Error('catalog dim must be an integer 1..1024');
  if (!Array.isArray(json.items)) throw new Error('catalog items must be an array');
  const metaItems = (meta && meta.items) || {};
  const vectors = new Float32Array(json.items.length * dim);
  const rows = json.items.map((item, i) => {
    const id = String(item.id);
    if (!Array.isArray(item.vector) || item.vector.length !== dim) throw new Error(`items[${i}] (id ${id}): vector must have ${dim} numbers`);
    vectors.set(item.vector, i * dim);
    const m = metaItems[id] || {};
    const tags = Array.isArray(m.tags) ? m.tags.map(String) : [];
    let norm = 0;
    for (const x of item.vector) norm += x * x;
    return {
      id,
      title: typeof m.title === 'string' && m.title ? m.title : `Item ${id}`,
      tags: tags.slice(1), // the first tag is the topic (shown as the topic chip)
      firstTag: tags[0] ?? 'Other',
      serverScore: typeof m.popularity === 'number' && Number.isFinite(m.popularity) ? m.popularity : Math.sqrt(norm),
    };
  });
  const counts = new Map();
  for (const r of rows) counts.set(r.firstTag, (counts.get(r.firstTag) ?? 0) + 1);
  const top = [...counts.entries()].filter(([name]) => name !== 'Other').sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const topics = top.slice(0, MAX_TOPICS).map(([name]) => name);
  if (rows.some((r) => !topics.includes(r.firstTag))) topics.push('Other');
  const index = new Map(topics.map((name, t) => [name, t]));
  const items = rows.map(({ firstTag, ...r }) => ({ ...r, topic: index.get(firstTag) ?? index.get('Other') }));
  return { key, source: key, dim, items, vectors, topics };
}

/**
 * Loads the catalog the page asks for: `?catalog=URL` (and `?meta=URL`) when given,
 * else the built-in one. URLs resolve against the page; the page's CSP only allows
 * its own origin, so a catalog must be served next to the demo.
 */
export async function loadCatalog(search = globalThis.location?.search ?? '') {
  const params = new URLSearchParams(search);
  const catalogUrl = params.get('catalog');
  if (!catalogUrl) return builtinCatalog();
  const metaUrl = params.get('meta');
  const [json, meta] = await Promise.all([fetchJson(catalogUrl), metaUrl ? fetchJson(metaUrl) : null]);
  return catalogFromJson(json, meta, `url:${catalogUrl}|${metaUrl ?? ''}`);
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  return response.json();
}

/** The built-in catalog in the pipeline's JSON format plus its sidecar (for tools and tests). */
export function toJsonFormat(catalog) {
  const { dim, items, vectors } = catalog;
  return {
    catalog: {
      format: 'interest-engine-catalog',
      version: 1,
      dim,
      items: items.map((item, i) => ({ id: item.id, vector: Array.from(vectors.subarray(i * dim, (i + 1) * dim)) })),
    },
    meta: {
      items: Object.fromEntries(items.map((item) => [item.id, {
        title: item.title,
        tags: [catalog.topics[item.topic], ...item.tags],
        popularity: item.serverScore,
      }])),
    },
  };
}
