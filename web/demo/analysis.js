// Per-topic interest, computed in JS from what `engine.interests()` returns.
//
// For each item the engine's raw (unweighted) components are
//   long-term   u . v                              (u: the long-term vector)
//   short-term  max_k q_k . v / |v|                (q_k: unit direction x gain of interest k)
// and a topic's interest is the mean of that component over the topic's items. So a
// bar is "how much this part of the engine would lift an average item of the topic",
// on the engine's own scale, independent of the blend weights. Because u . v is
// linear, the long-term mean is simply u . (centroid of the topic).

/** Precomputes unit vectors, topic members and centroids of a catalog. */
export function prepareCatalogMath(catalog) {
  const { dim, items, vectors, topics } = catalog;
  const n = items.length;
  const units = new Float32Array(n * dim);
  const norms = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += vectors[i * dim + k] ** 2;
    norms[i] = Math.sqrt(s);
    const inv = norms[i] > 0 ? 1 / norms[i] : 0;
    for (let k = 0; k < dim; k++) units[i * dim + k] = vectors[i * dim + k] * inv;
  }
  const members = topics.map(() => []);
  items.forEach((item, i) => members[item.topic].push(i));
  const centroids = members.map((list) => {
    const c = new Float64Array(dim);
    for (const i of list) for (let k = 0; k < dim; k++) c[k] += vectors[i * dim + k];
    for (let k = 0; k < dim; k++) c[k] /= Math.max(1, list.length);
    return c;
  });
  const meanNorm = norms.reduce((a, b) => a + b, 0) / Math.max(1, n);
  return { dim, n, units, norms, members, centroids, meanNorm };
}

function dot(a, aOffset, b, dim) {
  let s = 0;
  for (let k = 0; k < dim; k++) s += a[aOffset + k] * b[k];
  return s;
}

/** Raw short-term component of item i: best match over the short-term interests (0 without any). */
export function shortTermOf(math, i, shortTerm) {
  if (shortTerm.length === 0) return 0;
  let best = -Infinity;
  for (const { vector } of shortTerm) best = Math.max(best, dot(math.units, i * math.dim, vector, math.dim));
  return best;
}

/** Mean short-term and long-term component per topic: { shortTerm: number[], longTerm: number[] }. */
export function topicInterests(math, interests) {
  const shortTerm = math.members.map((list) => {
    if (list.length === 0) return 0;
    let s = 0;
    for (const i of list) s += shortTermOf(math, i, interests.shortTerm);
    return s / list.length;
  });
  const longTerm = math.centroids.map((c) => dot(c, 0, interests.longTerm, math.dim));
  return { shortTerm, longTerm };
}

/** Strength of the whole short-term state: the largest gain among the interests (0..1). */
export function shortTermGain(interests) {
  return interests.shortTerm.reduce((g, { strength }) => Math.max(g, strength / (strength + 1)), 0);
}
