// The demo page: wires the catalog, the session (engine + clock + log), the views and
// the store together. Every user action goes the same way:
//   session.act(...) -> persist() -> refresh({ animate: true }) -> announce(...)

import { loadCatalog } from './catalog.js';
import { DemoSession, DEFAULT_SETTINGS } from './session.js';
import { demoStore } from './store.js';
import { prepareCatalogMath, topicInterests } from './analysis.js';
import { FeedView, FEED_SIZE } from './feed.js';
import { InterestBars, InterestMap } from './interests.js';
import { SettingsControls, ClockView } from './controls.js';
import { PrivacyPanel } from './privacy.js';
import { Reader } from './reader.js';
import { h } from './dom.js';
import { topicBadge } from './topics.js';
import { plural } from './format.js';

const $ = (id) => document.getElementById(id);
const statusEl = $('status');
const announcer = $('announcer');
const TOP = 8; // "the top of the feed" in announcements

main().catch((error) => {
  statusEl.textContent = `The demo could not start: ${error.message}`;
  statusEl.classList.add('error');
  statusEl.setAttribute('role', 'alert');
  console.error(error);
});

async function main() {
  const catalog = await loadCatalog();
  const math = prepareCatalogMath(catalog);
  // Storage can be unavailable (some private modes): the demo then runs without memory.
  let stored = null;
  let storageOk = true;
  try {
    stored = await demoStore.load();
  } catch {
    storageOk = false;
  }
  const { session, restored, discarded } = await DemoSession.create(catalog, stored);

  const feed = new FeedView($('feed'), { session, math, onAction: (action, id) => onAction(action, id) });
  const bars = new InterestBars($('bars'), { topics: catalog.topics });
  const map = new InterestMap($('map'), $('map-caption'), { session, math });
  $('legend').append(...catalog.topics.map((name, t) => h('li', {}, topicBadge(name, t), name)));
  const clockView = new ClockView({
    time: $('clock-time'), lead: $('clock-lead'), hour: $('ff-hour'), day: $('ff-day'), onAdvance,
  });
  const controls = new SettingsControls($('controls'), {
    settings: session.settings,
    onChange: onSettings,
    onReset: () => {
      controls.set(DEFAULT_SETTINGS);
      onSettings(DEFAULT_SETTINGS, { final: true });
    },
  });
  const privacy = new PrivacyPanel({
    summary: $('privacy-summary'), log: $('privacy-log'), memory: $('privacy-memory'),
    exportButton: $('export'), forgetButton: $('forget'),
  }, { session, location: demoStore.location, onExport, onForget });
  let openedAt = 0; // feed position of the opened card, to put focus back near it
  const reader = new Reader($('reader'), {
    session,
    onLike: (id) => act('like', id),
    onClose: (id, seconds) => {
      act('dwell', id, seconds);
      feed.restoreFocus(id, openedAt);
    },
  });

  // Persistence: saves run one after another; the body says when the last one landed
  // (tests wait for data-save-state="saved" before reloading).
  let saving = Promise.resolve();
  let saveSeq = 0;
  function persist() {
    if (!storageOk) return;
    const record = session.record();
    const seq = ++saveSeq;
    document.body.dataset.saveState = 'saving';
    saving = saving
      .then(() => demoStore.save(record))
      .then((size) => {
        if (seq !== saveSeq) return;
        privacy.size = size;
        document.body.dataset.saveState = 'saved';
      })
      .catch(() => {
        storageOk = false;
        say('This browser refused to store data: the demo will forget you when you leave.');
      });
  }

  function consumedAndHidden() {
    const consumed = new Set();
    const hidden = new Set();
    for (const e of session.log) {
      if (e.type === 'hide') hidden.add(e.item);
      else if (e.type === 'click' || e.type === 'dwell' || e.type === 'like') consumed.add(e.item);
    }
    return { consumed, hidden };
  }

  /** Re-ranks and redraws everything; returns what moved in the feed. */
  function refresh({ animate }) {
    const ranking = session.rank(FEED_SIZE);
    const moved = feed.render(ranking, { animate });
    const interests = session.interests();
    const values = topicInterests(math, interests);
    bars.update(values);
    map.update(interests, values, consumedAndHidden());
    clockView.update(session);
    privacy.update();
    return moved;
  }

  /** A sentence for screen readers (and the status line) after a re-rank. */
  function announce(what, { moves, entered }) {
    const order = feed.order;
    const counts = new Map();
    for (const id of order.slice(0, TOP)) {
      const topic = catalog.topics[session.byId.get(id).topic];
      counts.set(topic, (counts.get(topic) ?? 0) + 1);
    }
    const [leader, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    const up = [...moves.values()].filter((d) => d !== null && d > 0).length;
    const parts = [what, 'Feed re-ranked:'];
    if (order.length) parts.push(`first is “${session.byId.get(order[0]).title}”;`);
    parts.push(`${up} moved up, ${entered.length} new.`);
    if (count >= 3) parts.push(`${leader} holds ${count} of the top ${TOP}.`);
    say(parts.join(' '), `${what} Feed re-ranked.`);
  }

  /** Screen readers get `spoken` (aria-live); the status line a short version. */
  function say(spoken, shown = spoken) {
    announcer.textContent = spoken;
    statusEl.textContent = shown;
  }

  function title(id) {
    return `“${session.byId.get(id).title}”`;
  }

  function act(type, id, value) {
    session.act(type, id, value);
    persist();
    const moved = refresh({ animate: true });
    const what = {
      click: `You opened ${title(id)}.`,
      like: `You liked ${title(id)}.`,
      skip: `You skipped ${title(id)}.`,
      hide: `You hid ${title(id)}; it left your feed.`,
      dwell: `You read ${title(id)} for ${Math.round(value)} s.`,
    }[type];
    announce(what, moved);
  }

  function onAction(action, id) {
    if (action === 'open') {
      openedAt = feed.order.indexOf(id);
      act('click', id);
      reader.open(id);
    } else {
      act(action, id);
    }
  }

  function onAdvance(ms, label) {
    session.advance(ms);
    persist();
    announce(`Time moved ${label} ahead.`, refresh({ animate: true }));
  }

  // Sliders: the feed follows every move; the store and the announcement wait for release.
  let pending = null;
  function onSettings(changes, { final }) {
    session.updateSettings(changes);
    if (final) {
      persist();
      announce('Weights changed.', refresh({ animate: true }));
      return;
    }
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = null;
      refresh({ animate: true });
    });
  }

  function onExport() {
    const text = JSON.stringify(session.record(), null, 2);
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = h('a', { href: url, download: 'interest-engine-demo-data.json' });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    say('Exported your data as interest-engine-demo-data.json, made on this device, not downloaded from a server.');
  }

  async function onForget() {
    session.forget();
    controls.set(session.settings);
    saveSeq++;
    document.body.dataset.saveState = 'saving';
    await saving.catch(() => {});
    if (storageOk) await demoStore.clear();
    privacy.size = 0;
    document.body.dataset.saveState = 'saved';
    announce('Forgotten: your events, settings and stored data are erased.', refresh({ animate: true }));
  }

  refresh({ animate: false });
  if (stored && !discarded) privacy.size = new TextEncoder().encode(JSON.stringify(stored)).length;
  const backend = session.engine.backend === 'wasm-simd128' ? 'WebAssembly SIMD' : 'WebAssembly';
  say([
    `Engine ready (${backend}, ${plural(catalog.items.length, 'item')}).`,
    restored ? `Welcome back: ${plural(restored, 'event')} restored from this device.` : 'Open, like, skip or hide items.',
    discarded ? 'A stored record for another catalog was ignored.' : '',
    storageOk ? '' : 'Storage is unavailable: nothing will be remembered.',
  ].filter(Boolean).join(' '));
  document.body.dataset.ready = 'true';
  document.body.dataset.saveState = 'saved';
}
