// Visual identity of topics: a colour class (t0..t8, defined in demo.css, all with
// contrast >= 4.5:1 against white text) and a small SVG glyph drawn with DOM calls —
// no images, icon fonts or network, so the page works offline and under a strict CSP.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Number of distinct topic colours; topics beyond share the last ("Other") one. */
export const TOPIC_COLOURS = 9;

export function topicClass(topicIndex) {
  return `t${Math.min(topicIndex, TOPIC_COLOURS - 1)}`;
}

function star(cx, cy, outer, inner) {
  const points = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 ? inner : outer;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    points.push(`${(cx + r * Math.cos(a)).toFixed(2)},${(cy + r * Math.sin(a)).toFixed(2)}`);
  }
  return points.join(' ');
}

function pentagon(cx, cy, r) {
  const points = [];
  for (let i = 0; i < 5; i++) {
    const a = -Math.PI / 2 + (i * 2 * Math.PI) / 5;
    points.push(`${(cx + r * Math.cos(a)).toFixed(2)},${(cy + r * Math.sin(a)).toFixed(2)}`);
  }
  return points.join(' ');
}

// Shapes in a 16 x 16 box, as [tag, attributes]; drawn in currentColor.
const GLYPHS = {
  Jazz: [
    ['ellipse', { cx: 5.6, cy: 12, rx: 2.6, ry: 2.1 }],
    ['rect', { x: 7, y: 2.5, width: 1.6, height: 9.5 }],
    ['path', { d: 'M8.6 2.5 L13 4.6 L13 7.2 L8.6 5.2 Z' }],
  ],
  Poetry: [
    ['path', { d: 'M1.5 3.5 L7.3 4.6 L7.3 13.5 L1.5 12.4 Z' }],
    ['path', { d: 'M8.7 4.6 L14.5 3.5 L14.5 12.4 L8.7 13.5 Z' }],
  ],
  Chess: [
    ['circle', { cx: 8, cy: 4.3, r: 2.3 }],
    ['path', { d: 'M6 7.3 H10 L11 12 H5 Z' }],
    ['rect', { x: 3.5, y: 12, width: 9, height: 2.3, rx: 0.6 }],
  ],
  Astronomy: [['polygon', { points: star(8, 8.5, 6.8, 2.8) }]],
  Hiking: [['path', { d: 'M0.8 13.5 L6 4.5 L9.2 9.8 L11.2 7 L15.2 13.5 Z' }]],
  Football: [
    ['circle', { cx: 8, cy: 8, r: 5.6, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.6 }],
    ['polygon', { points: pentagon(8, 8.2, 2.4) }],
  ],
  Gardening: [
    ['path', { d: 'M2.5 13.5 C2.5 6.5 7 2.5 14 2.5 C14 9.5 9.5 13.5 2.5 13.5 Z' }],
  ],
  Cooking: [
    ['rect', { x: 3, y: 7, width: 10, height: 6.5, rx: 1.6 }],
    ['rect', { x: 1.2, y: 5.6, width: 13.6, height: 1.6, rx: 0.8 }],
    ['rect', { x: 6.5, y: 3.6, width: 3, height: 1.6, rx: 0.6 }],
  ],
};

/** An <svg> glyph for a topic (decorative: aria-hidden). Unknown topics get their initial. */
export function topicGlyph(name) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('glyph-svg');
  const shapes = GLYPHS[name];
  if (shapes) {
    for (const [tag, attributes] of shapes) {
      const el = document.createElementNS(SVG_NS, tag);
      for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
      if (!('fill' in attributes)) el.setAttribute('fill', 'currentColor');
      svg.append(el);
    }
  } else {
    const text = document.createElementNS(SVG_NS, 'text');
    text.setAttribute('x', '8');
    text.setAttribute('y', '12');
    text.setAttribute('text-anchor', 'middle');
    text.setAttribute('font-size', '11');
    text.setAttribute('font-weight', '700');
    text.setAttribute('fill', 'currentColor');
    text.textContent = (name || '?').charAt(0).toUpperCase();
    svg.append(text);
  }
  return svg;
}

/** A round badge: topic colour with the glyph in white. */
export function topicBadge(name, topicIndex) {
  const span = document.createElement('span');
  span.className = `glyph ${topicClass(topicIndex)}`;
  span.setAttribute('aria-hidden', 'true');
  span.append(topicGlyph(name));
  return span;
}

export { SVG_NS };
