// "Your interests, live": per-topic short- and long-term bars, and a 2-D map of the
// catalog (PCA of the item vectors) with the user's interests as moving markers.

import { h, setVar } from './dom.js';
import { topicBadge, topicClass, SVG_NS } from './topics.js';
import { shortTermGain } from './analysis.js';
import { pca2 } from './pca.js';

export class InterestBars {
  #rows = [];

  /** `table`: an empty <tbody> host; one row per topic. */
  constructor(tbody, { topics }) {
    for (const [t, name] of topics.entries()) {
      const shortBar = bar('short', name);
      const longBar = bar('long', name);
      const row = h('tr', { dataset: { topic: name } },
        h('th', { scope: 'row' }, h('span', { class: 'topic-name' }, topicBadge(name, t), name)),
        h('td', {}, shortBar.cell),
        h('td', {}, longBar.cell));
      tbody.append(row);
      this.#rows.push({ shortBar, longBar });
    }
  }

  /** Updates from per-topic values ({ shortTerm: [], longTerm: [] }, see analysis.js). */
  update(values) {
    this.#rows.forEach(({ shortBar, longBar }, t) => {
      shortBar.set(values.shortTerm[t]);
      longBar.set(values.longTerm[t]);
    });
  }
}

function bar(kind, topic) {
  const fill = h('span', { class: `bar-fill ${kind}` });
  const value = h('span', { class: 'bar-value' }, '0.00');
  const track = h('span', {
    class: 'bar', 'data-testid': `bar-${kind}-${topic}`, 'data-value': '0', 'aria-hidden': 'true',
  }, fill);
  const cell = h('span', { class: 'bar-cell' }, track, value);
  return {
    cell,
    set(v) {
      // Bars show 0..1 (the engine's scale for an average item); the number is exact.
      track.dataset.value = v.toFixed(4);
      setVar(fill, '--size', Math.max(0, Math.min(1, v)).toFixed(4));
      value.textContent = v.toFixed(2).replace('-0.00', '0.00').replace('-', '−');
    },
  };
}

const VIEW = { width: 320, height: 240, margin: 14 };
const MAX_DOTS = 3000;

export class InterestMap {
  #svg;
  #desc;
  #caption;
  #session;
  #math;
  #projection;
  #scale;
  #dots = new Map(); // id -> circle
  #points = []; // [item index, x, y] in PCA space
  #longMarker;
  #shortMarkers = [];

  constructor(svg, caption, { session, math }) {
    this.#svg = svg;
    this.#caption = caption;
    this.#session = session;
    this.#math = math;
    const { catalog } = session;
    this.#projection = pca2(catalog.vectors, catalog.items.length, catalog.dim);
    // Dots: every item (a deterministic subsample for very large catalogs).
    const step = Math.max(1, Math.ceil(catalog.items.length / MAX_DOTS));
    const points = [];
    for (let i = 0; i < catalog.items.length; i += step) {
      points.push([i, this.#projection.project(catalog.vectors.subarray(i * catalog.dim, (i + 1) * catalog.dim))]);
    }
    this.#points = points.map(([i, [x, y]]) => [i, x, y]);
    const maxX = Math.max(1e-9, ...points.map(([, [x]]) => Math.abs(x)));
    const maxY = Math.max(1e-9, ...points.map(([, [, y]]) => Math.abs(y)));
    this.#scale = Math.min((VIEW.width / 2 - VIEW.margin) / maxX, (VIEW.height / 2 - VIEW.margin) / maxY);
    svg.setAttribute('viewBox', `0 0 ${VIEW.width} ${VIEW.height}`);
    const dots = svgEl('g', { class: 'dots' });
    for (const [i, [x, y]] of points) {
      const item = catalog.items[i];
      const [cx, cy] = this.#toView(x, y);
      const dot = svgEl('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: '3.2', class: `dot ${topicClass(item.topic)}` });
      this.#dots.set(item.id, dot);
      dots.append(dot);
    }
    const centre = svgEl('g', { class: 'centre', 'aria-hidden': 'true' },
      svgEl('line', { x1: VIEW.width / 2 - 5, y1: VIEW.height / 2, x2: VIEW.width / 2 + 5, y2: VIEW.height / 2 }),
      svgEl('line', { x1: VIEW.width / 2, y1: VIEW.height / 2 - 5, x2: VIEW.width / 2, y2: VIEW.height / 2 + 5 }));
    this.#longMarker = marker('long', 'L');
    const shortGroup = svgEl('g', {});
    for (let k = 0; k < 16; k++) {
      const m = marker('short', 'S');
      this.#shortMarkers.push(m);
      shortGroup.append(m.g);
    }
    // Topic names at their clusters, pushed a little outward from the centre.
    const labels = svgEl('g', { class: 'map-labels', 'aria-hidden': 'true' });
    catalog.topics.forEach((name, t) => {
      const mine = this.#points.filter(([i]) => catalog.items[i].topic === t);
      if (!mine.length) return;
      const mx = mine.reduce((a, [, x]) => a + x, 0) / mine.length;
      const my = mine.reduce((a, [, , y]) => a + y, 0) / mine.length;
      const [lx, ly] = this.#toView(mx, my);
      const dx = lx - VIEW.width / 2;
      const dy = ly - VIEW.height / 2;
      const d = Math.hypot(dx, dy) || 1;
      const x = clamp(lx + (dx / d) * 26, 24, VIEW.width - 24);
      const y = clamp(ly + (dy / d) * 26 + 3, 10, VIEW.height - 4);
      labels.append(svgEl('text', { x: x.toFixed(1), y: y.toFixed(1), 'text-anchor': 'middle', class: topicClass(t) }, name));
    });
    this.#desc = svg.querySelector('desc');
    svg.append(dots, centre, labels, this.#longMarker.g, shortGroup);
  }

  #toView(x, y) {
    return [VIEW.width / 2 + x * this.#scale, VIEW.height / 2 - y * this.#scale];
  }

  /**
   * Places a marker for an interest: at the mean position of the items it favours
   * (weights max(0, score)^4, so the best matches dominate), pulled toward the centre
   * by its strength `gain` (0..1) — a fading interest slides back to "no preference".
   * `scoreOf(i)` is the interest's raw score of item i.
   */
  #place(m, scoreOf, gain) {
    let sx = 0;
    let sy = 0;
    let sw = 0;
    for (const [i, x, y] of this.#points) {
      const s = scoreOf(i);
      if (!(s > 0)) continue;
      const w = s ** 4;
      sx += w * x;
      sy += w * y;
      sw += w;
    }
    if (!(sw > 0) || gain < 0.01) {
      m.g.classList.add('off');
      return;
    }
    const [vx, vy] = this.#toView((sx / sw) * gain, (sy / sw) * gain);
    const cx = clamp(vx, VIEW.margin, VIEW.width - VIEW.margin);
    const cy = clamp(vy, VIEW.margin, VIEW.height - VIEW.margin);
    m.g.classList.remove('off');
    setVar(m.g, 'transform', `translate(${cx.toFixed(1)}px, ${cy.toFixed(1)}px)`);
    m.g.dataset.x = cx.toFixed(1);
    m.g.dataset.y = cy.toFixed(1);
    m.g.dataset.gain = gain.toFixed(3);
  }

  /** Redraws markers and item states from the engine's interests and the user's log. */
  update(interests, values, { consumed, hidden }) {
    const { dim, units } = this.#math;
    const vectors = this.#session.catalog.vectors;
    const dotWith = (rows, i, q) => {
      let s = 0;
      for (let k = 0; k < dim; k++) s += rows[i * dim + k] * q[k];
      return s;
    };
    const mass = interests.longTermMass;
    const u = interests.longTerm;
    this.#place(this.#longMarker, (i) => dotWith(vectors, i, u), mass / (mass + 1));
    this.#shortMarkers.forEach((m, k) => {
      const slot = interests.shortTerm[k];
      if (!slot) m.g.classList.add('off');
      else this.#place(m, (i) => dotWith(units, i, slot.vector), slot.strength / (slot.strength + 1));
    });
    for (const [id, dot] of this.#dots) {
      dot.classList.toggle('seen', consumed.has(id));
      dot.classList.toggle('gone', hidden.has(id));
    }
    const topics = this.#session.catalog.topics;
    const leading = (list) => {
      const best = list.reduce((b, v, t) => (v > list[b] ? t : b), 0);
      return list[best] > 0.05 ? topics[best] : null;
    };
    const hasLong = mass > 1e-6;
    const hasShort = shortTermGain(interests) >= 0.01;
    const longTopic = hasLong ? leading(values.longTerm) : null;
    const shortTopic = hasShort ? leading(values.shortTerm) : null;
    const text = [
      !hasLong ? 'No long-term interest yet.'
        : longTopic ? `Long-term interest (L) points toward ${longTopic}.` : 'Long-term interest (L) has no clear topic yet.',
      !hasShort ? 'No active short-term interest.'
        : shortTopic ? `Short-term interest (S) points toward ${shortTopic}.` : 'Short-term interest (S) has no clear topic.',
    ].join(' ');
    this.#caption.textContent = text;
    this.#desc.textContent = `Items of the catalog as coloured dots grouped by topic. ${text}`;
  }
}

// Long-term: a ring labelled L beside it; short-term: a filled disc with S inside, so
// both stay visible when they sit on the same spot.
function marker(kind, label) {
  const g = kind === 'long'
    ? svgEl('g', { class: 'marker long off', 'data-testid': 'marker-long', 'aria-hidden': 'true' },
      svgEl('circle', { r: '12' }),
      svgEl('text', { x: '13', y: '-9', 'text-anchor': 'start' }, label))
    : svgEl('g', { class: 'marker short off', 'data-testid': 'marker-short', 'aria-hidden': 'true' },
      svgEl('circle', { r: '7' }),
      svgEl('text', { 'text-anchor': 'middle', dy: '0.35em' }, label));
  return { g };
}

function svgEl(tag, attributes = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  for (const child of children) el.append(child);
  return el;
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}
