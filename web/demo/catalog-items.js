// The demo's built-in items: titles, topics and tags (no vectors, no DOM), shared by the
// page (catalog.js) and the script that trains their factors (scripts/make-demo-catalog.js).

/** Topics of the built-in catalog. */
export const BUILTIN_TOPICS = Object.freeze([
  'Jazz', 'Poetry', 'Chess', 'Astronomy', 'Hiking', 'Football', 'Gardening', 'Cooking',
]);

const ITEMS_PER_TOPIC = 20;

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

/**
 * The built-in catalog's items without vectors: 8 topics x 20 titled items, with tags.
 * Their factor vectors are trained by our pipeline (scripts/make-demo-catalog.js) on a
 * synthetic log over these items; see builtinCatalog() in catalog.js.
 */
export function builtinItems() {
  const topics = BUILTIN_TOPICS;
  const items = [];
  for (let t = 0; t < topics.length; t++) {
    const name = topics[t];
    for (let j = 0; j < ITEMS_PER_TOPIC; j++) {
      const subject = SUBJECTS[name][j % 10];
      // Second use of a subject shifts the template, so the two titles differ.
      const template = TEMPLATES[(j % 10 + t * 3 + (j >= 10 ? 5 : 0)) % TEMPLATES.length];
      const tags = TAGS[name];
      items.push({
        id: `${name.toLowerCase()}-${String(j + 1).padStart(2, '0')}`,
        title: template(subject),
        topic: t,
        tags: [tags[j % tags.length], tags[(j + 2) % tags.length]],
      });
    }
  }
  return { items, topics: [...topics] };
}
