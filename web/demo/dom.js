// Tiny DOM helpers: build elements without innerHTML (so no markup injection from
// catalog titles) and set styles through the CSSOM, which a strict CSP allows.

/** h('button', { class: 'x', dataset: { a: 1 }, on: { click } }, 'text', child, ...) */
export function h(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'on') for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Text only screen readers get (visible text stays short). */
export function srOnly(text) {
  return h('span', { class: 'visually-hidden' }, text);
}

/** Sets a CSS custom property (used for bar widths, colours, transforms). */
export function setVar(el, name, value) {
  el.style.setProperty(name, String(value));
}

export function prefersReducedMotion() {
  return globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}
