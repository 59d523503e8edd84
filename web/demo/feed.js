// The feed: cards keyed by item id, reused across re-ranks so they can animate from
// their old place to the new one (FLIP: measure First, move, measure Last, Invert with
// a transform, then Play by removing it) and say how far they moved.

import { h, srOnly, setVar, prefersReducedMotion } from './dom.js';
import { topicBadge, topicClass } from './topics.js';
import { ago, signed } from './format.js';

/** Cards shown: the top of the re-ranked catalog. */
export const FEED_SIZE = 12;

const ACTIONS = [
  { action: 'open', label: 'Open', primary: true },
  { action: 'like', label: 'Like' },
  { action: 'skip', label: 'Skip' },
  { action: 'hide', label: 'Hide' },
];

const COMPONENT_LABELS = {
  server: 'Server score (popularity)',
  longTerm: 'Long-term interest',
  shortTerm: 'Short-term interest',
  attention: 'Attention to recent events',
  sequence: 'Sequence model',
  negative: 'Skips and hides',
};

const VERBS = { click: 'opened', dwell: 'read', like: 'liked', share: 'shared', add_to_cart: 'saved', purchase: 'bought' };

export class FeedView {
  #list;
  #session;
  #math;
  #onAction;
  #cards = new Map(); // id -> { el, rank, moved, why, whyButton }
  #order = []; // ids currently shown, in order
  #openWhy = new Set();

  constructor(list, { session, math, onAction }) {
    this.#list = list;
    this.#session = session;
    this.#math = math;
    this.#onAction = onAction;
    list.addEventListener('transitionend', (event) => {
      if (event.propertyName === 'transform' && event.target.classList.contains('card')) event.target.classList.remove('flip-play');
    });
    // One delegated listener: cards come and go, the list stays.
    list.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (!button || !list.contains(button)) return;
      const card = button.closest('[data-item-id]');
      if (button.dataset.action === 'why') this.#toggleWhy(card.dataset.itemId);
      else this.#onAction(button.dataset.action, card.dataset.itemId, button);
    });
  }

  /** Ids shown, best first. */
  get order() {
    return [...this.#order];
  }

  /** The card element of an item, when shown. */
  card(id) {
    return this.#cards.get(id)?.el ?? null;
  }

  /**
   * Shows the top of `ranking` (from DemoSession#rank). With `animate`, cards glide
   * to their new places and show their movement. Returns { moves, entered, left }.
   */
  render(ranking, { animate = false } = {}) {
    const top = ranking.ids.slice(0, Math.min(FEED_SIZE, ranking.kept));
    const explanations = new Map(ranking.explanations.map((e, i) => [e.id, { ...e, score: ranking.scores[i] }]));
    const before = new Map(this.#order.map((id, i) => [id, i]));
    const firstRects = new Map();
    if (animate) for (const id of this.#order) firstRects.set(id, this.#cards.get(id).el.getBoundingClientRect());
    const focused = document.activeElement;
    const focusedCard = focused?.closest?.('[data-item-id]');

    // Drop cards that left the feed.
    const keep = new Set(top);
    const left = this.#order.filter((id) => !keep.has(id));
    for (const id of left) {
      this.#cards.get(id).el.remove();
      this.#cards.delete(id);
      this.#openWhy.delete(id);
    }

    const moves = new Map();
    const entered = [];
    top.forEach((id, i) => {
      let card = this.#cards.get(id);
      if (!card) {
        card = this.#createCard(id);
        this.#cards.set(id, card);
        if (animate) entered.push(id);
      }
      // Move only what is out of place, so most nodes (and focus) stay put.
      const at = this.#list.children[i];
      if (at !== card.el) this.#list.insertBefore(card.el, at ?? null);
      const was = before.get(id);
      const delta = was === undefined ? null : was - i;
      if (animate) moves.set(id, delta);
      this.#updateCard(card, i, animate ? delta : 0, explanations.get(id));
    });
    this.#order = top;

    // Re-moving a focused node blurs it: give focus back to the same control.
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
    else if (focusedCard && !focusedCard.isConnected) this.#focusNear(before.get(focusedCard.dataset.itemId) ?? 0);

    if (animate && !prefersReducedMotion()) this.#play(firstRects, entered);
    return { moves, entered, left };
  }

  /** Focuses the card now at `index` (or the last one), e.g. after a card left. */
  #focusNear(index) {
    const id = this.#order[Math.min(index, this.#order.length - 1)];
    const target = id ? this.#cards.get(id).el.querySelector('button[data-action="open"]') : null;
    (target ?? document.getElementById('feed-heading'))?.focus({ preventScroll: true });
  }

  /** Focus the "Open" button of an item if shown, else the card at `index`. */
  restoreFocus(id, index) {
    const card = this.#cards.get(id);
    if (card) card.el.querySelector('button[data-action="open"]').focus();
    else this.#focusNear(index);
  }

  #play(firstRects, entered) {
    for (const [id, first] of firstRects) {
      const card = this.#cards.get(id);
      if (!card) continue;
      const last = card.el.getBoundingClientRect();
      const dy = first.top - last.top;
      if (Math.abs(dy) < 1) continue;
      // Invert: jump back to where it was, without transition...
      card.el.classList.remove('flip-play');
      setVar(card.el, 'transform', `translateY(${dy}px)`);
    }
    for (const id of entered) this.#cards.get(id)?.el.classList.add('entering');
    // ...then play: one forced layout, and every card transitions to its place.
    void this.#list.offsetHeight;
    for (const [id] of firstRects) {
      const card = this.#cards.get(id);
      if (!card || !card.el.style.transform) continue;
      card.el.classList.add('flip-play');
      card.el.style.removeProperty('transform');
    }
    for (const id of entered) this.#cards.get(id)?.el.classList.remove('entering');
  }

  #createCard(id) {
    const item = this.#session.byId.get(id);
    const topicName = this.#session.catalog.topics[item.topic];
    const titleId = `title-${cssId(id)}`;
    const whyId = `why-${cssId(id)}`;
    const rank = h('span', { class: 'rank', 'data-testid': 'rank' });
    const moved = h('span', { class: 'moved', 'data-testid': 'moved' });
    const whyButton = h('button', {
      type: 'button', class: 'why-button', dataset: { action: 'why' }, 'aria-expanded': 'false', 'aria-controls': whyId,
    }, 'Why?', srOnly(` (why this item): ${item.title}`));
    const why = h('div', { class: 'why', id: whyId, hidden: true, 'data-testid': 'why' });
    const el = h('li', { class: 'card', 'data-item-id': id, 'data-topic': topicName, 'data-testid': 'feed-item', 'aria-labelledby': titleId },
      topicBadge(topicName, item.topic),
      h('div', { class: 'card-main' },
        h('h3', { class: 'card-title', id: titleId }, item.title),
        h('p', { class: 'card-meta' },
          h('span', { class: `chip ${topicClass(item.topic)}` }, topicName),
          item.tags.length ? h('span', { class: 'tags' }, item.tags.join(' · ')) : null)),
      h('div', { class: 'card-rank' }, rank, moved),
      h('div', { class: 'card-actions' },
        ACTIONS.map(({ action, label, primary }) =>
          h('button', { type: 'button', class: primary ? 'primary' : null, dataset: { action } }, label, srOnly(`: ${item.title}`))),
        whyButton),
      why);
    return { el, rank, moved, why, whyButton };
  }

  #updateCard(card, index, delta, explanation) {
    card.rank.textContent = `#${index + 1}`;
    card.el.dataset.rank = String(index + 1);
    card.moved.replaceChildren();
    card.moved.className = 'moved';
    if (delta === null) {
      card.moved.classList.add('new');
      card.moved.append(h('span', { 'aria-hidden': 'true' }, 'new'), srOnly('new in your feed'));
    } else if (delta > 0) {
      card.moved.classList.add('up');
      card.moved.append(h('span', { 'aria-hidden': 'true' }, `▲${delta}`), srOnly(`moved up ${delta}`));
    } else if (delta < 0) {
      card.moved.classList.add('down');
      card.moved.append(h('span', { 'aria-hidden': 'true' }, `▼${-delta}`), srOnly(`moved down ${-delta}`));
    }
    card.el.dataset.moved = delta === null ? 'new' : String(delta);
    card.explanation = explanation;
    if (this.#openWhy.has(card.el.dataset.itemId)) this.#fillWhy(card);
  }

  #toggleWhy(id) {
    const card = this.#cards.get(id);
    const open = !this.#openWhy.has(id);
    if (open) this.#openWhy.add(id);
    else this.#openWhy.delete(id);
    card.whyButton.setAttribute('aria-expanded', String(open));
    card.why.hidden = !open;
    if (open) this.#fillWhy(card);
  }

  #fillWhy(card) {
    const e = card.explanation;
    if (!e) return;
    const { contributions: c } = e;
    const names = Object.keys(COMPONENT_LABELS).filter((name) => name !== 'sequence' || c.sequence !== 0);
    const scale = Math.max(1, ...names.map((name) => Math.abs(c[name])));
    const rows = names.map((name) => {
      const value = c[name];
      const bar = h('span', { class: `contrib-bar ${value < 0 ? 'neg' : 'pos'}`, 'aria-hidden': 'true' });
      setVar(bar, '--size', Math.min(1, Math.abs(value) / scale).toFixed(3));
      return h('li', { class: 'contrib', dataset: { component: name, value: value.toFixed(4) } },
        h('span', { class: 'contrib-name' }, COMPONENT_LABELS[name]),
        h('span', { class: 'contrib-track' }, bar),
        h('span', { class: 'contrib-value' }, signed(value)));
    });
    card.why.replaceChildren(
      h('p', { class: 'why-score' }, `Score ${signed(e.score)}, the sum of:`),
      h('ul', { class: 'contribs' }, rows),
      h('p', { class: 'because', 'data-testid': 'because' }, this.#because(card.el.dataset.itemId, e)));
  }

  /** The "because" sentence, honest about weak links (the engine always names its best event). */
  #because(id, e) {
    const b = e.because;
    if (!b) return e.contributions.server > 0.05
      ? 'Nothing you did points here: it is popular (server score).'
      : 'Nothing you did points here yet.';
    const other = this.#session.byId.get(b.item);
    const title = other ? `“${other.title}”` : b.item;
    const verb = VERBS[b.type] ?? b.type;
    const when = ago(b.minutesAgo);
    if (b.item === id) return `You ${verb} this ${when}.`;
    const similarity = other ? cosine(this.#math, this.#session.byId.get(id).index, other.index) : 0;
    if (similarity >= 0.5) return `Because you ${verb} ${title} ${when}.`;
    return `Only a weak link to what you did: you ${verb} ${title} ${when} (similarity ${similarity.toFixed(2)}).`;
  }
}

function cosine(math, i, j) {
  let s = 0;
  for (let k = 0; k < math.dim; k++) s += math.units[i * math.dim + k] * math.units[j * math.dim + k];
  return s;
}

function cssId(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}
