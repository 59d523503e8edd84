// PCA of the item vectors, for the 2-D map: the top two principal axes by power
// iteration on the (dim x dim) covariance, with deflation. Small and exact enough for
// catalogs of thousands of items x 64 dims; runs once per page load.

/**
 * Returns { mean, axes: [Float64Array, Float64Array], project(vector) -> [x, y] }.
 * `vectors` holds n rows of `dim` floats.
 */
export function pca2(vectors, n, dim) {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) mean[k] += vectors[i * dim + k];
  for (let k = 0; k < dim; k++) mean[k] /= Math.max(1, n);
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) row[k] = vectors[i * dim + k] - mean[k];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a];

  const axes = [];
  for (let c = 0; c < 2; c++) {
    // Deterministic start (not random) so the map looks the same on every load.
    let v = new Float64Array(dim).map((_, k) => 1 / Math.sqrt(dim) + (k === c ? 0.5 : 0));
    let eigen = 0;
    for (let iter = 0; iter < 300; iter++) {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) {
        let s = 0;
        for (let b = 0; b < dim; b++) s += cov[a * dim + b] * v[b];
        w[a] = s;
      }
      const norm = Math.hypot(...w);
      if (!(norm > 0)) break;
      let change = 0;
      for (let k = 0; k < dim; k++) {
        w[k] /= norm;
        change += Math.abs(w[k] - v[k]);
      }
      v = w;
      eigen = norm;
      if (change < 1e-10) break;
    }
    // Sign convention: the largest component positive (stable orientation).
    let big = 0;
    for (let k = 1; k < dim; k++) if (Math.abs(v[k]) > Math.abs(v[big])) big = k;
    if (v[big] < 0) v = v.map((x) => -x);
    axes.push(v);
    // Deflate: remove this axis from the covariance.
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] -= eigen * v[a] * v[b];
  }

  function project(vector) {
    let x = 0;
    let y = 0;
    for (let k = 0; k < dim; k++) {
      const d = vector[k] - mean[k];
      x += d * axes[0][k];
      y += d * axes[1][k];
    }
    return [x, y];
  }
  return { mean, axes, project };
}
