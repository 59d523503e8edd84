// The privacy panel: what this device stores (in words), its size, export and "forget me".

import { h } from './dom.js';
import { bytes, clockTime, duration, plural } from './format.js';

const VERBS = {
  click: 'opened', like: 'liked', skip: 'skipped', hide: 'hid', share: 'shared',
  add_to_cart: 'saved', purchase: 'bought', impression: 'saw',
};
const LOG_SHOWN = 40;

export class PrivacyPanel {
  #session;
  #summary;
  #log;
  #memory;
  #size = 0;
  #location;

  constructor({ summary, log, memory, exportButton, forgetButton }, { session, location, onExport, onForget }) {
    this.#session = session;
    this.#summary = summary;
    this.#log = log;
    this.#memory = memory;
    this.#location = location;
    exportButton.addEventListener('click', onExport);
    forgetButton.addEventListener('click', onForget);
  }

  /** Size in bytes of the stored record (0 when nothing is stored). */
  set size(n) {
    this.#size = n;
    this.update();
  }

  update() {
    const session = this.#session;
    const settings = session.settings;
    const w = settings.weights;
    const stored = this.#size > 0;
    this.#summary.replaceChildren(
      row('Stored where', stored ? this.#location : 'Nothing stored yet: act on an item and it will be kept here.'),
      row('Size on this device', bytes(this.#size), { 'data-testid': 'storage-size', 'data-bytes': String(this.#size) }),
      row('Your events', plural(session.eventCount, 'event'), { 'data-testid': 'event-count' }),
      row('Demo clock', clockTime(session.now)),
      row('Settings', `weights: server ${w.server}, long-term ${w.longTerm}, short-term ${w.shortTerm}, ` +
        `attention ${w.attention}, negative ${w.negative}; half-life ${duration(settings.halfLifeMinutes * 60_000)}`),
      row('Sent to a server', 'Nothing. After loading its files this page makes no requests.'));

    const entries = session.log;
    const items = entries.slice(-LOG_SHOWN).reverse().map((entry) => h('li', {}, describe(entry, session)));
    if (entries.length > LOG_SHOWN) items.push(h('li', { class: 'muted' }, `… and ${entries.length - LOG_SHOWN} earlier entries`));
    if (items.length === 0) items.push(h('li', { class: 'muted' }, 'No events: the engine knows nothing about you.'));
    this.#log.replaceChildren(...items);

    const interests = session.interests();
    const active = interests.shortTerm.filter((s) => s.strength / (s.strength + 1) >= 0.01).length;
    this.#memory.textContent =
      `In memory the engine derives from these: a long-term vector (${interests.longTerm.length} numbers, ` +
      `evidence ${interests.longTermMass.toFixed(2)}), ${plural(active, 'active short-term interest')} and ` +
      `${plural(interests.recentEvents.length, 'recent event')} for attention. It is rebuilt from the log on reload.`;
  }
}

function row(term, value, attributes = {}) {
  return h('div', { class: 'fact' }, h('dt', {}, term), h('dd', attributes, value));
}

/** One log entry in words: "Tue 14:03 — liked “A beginner's guide to modal jazz” (Jazz)". */
function describe(entry, session) {
  const when = clockTime(entry.time);
  if (entry.settings) return `${when} — changed settings`;
  const item = session.byId.get(entry.item);
  const title = item ? `“${item.title}” (${session.catalog.topics[item.topic]})` : entry.item;
  if (entry.type === 'dwell') return `${when} — read ${title} for ${entry.value} s`;
  return `${when} — ${VERBS[entry.type] ?? entry.type} ${title}`;
}
