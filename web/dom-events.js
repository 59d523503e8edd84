// interest-engine/dom-events: turns what the user does with a feed into engine events,
// with no glue code. Elements matching `selector` (default `[data-item-id]`) under `root`
// are watched, including ones added later:
//   impression  the element was at least `impressionRatio` visible (or covered that share
//               of the viewport) for `impressionMs` while the tab was visible; once per element
//   dwell       seconds the element stayed visible while the tab was visible, sent when it
//               leaves view, when the tab is hidden, on flush() and on stop();
//               only for elements that earned an impression (a scroll-by is not dwell)
//   click       a click anywhere inside the element (capture phase, so the app's
//               stopPropagation does not hide it); sent at once
// Events are stamped with `now()` as they happen (never going backwards), queued, and
// handed to engine.observe() in time order, in batches every `flushMs`. Works with the
// in-thread engine and with the worker engine (whose observe returns a promise).

const DEFAULTS = { selector: '[data-item-id]', impressionRatio: 0.5, impressionMs: 1000, flushMs: 5000 };

function checkNumber(name, value, min, max) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new TypeError(`watchFeed: ${name} must be a number in [${min}, ${max}]`);
}

/** Watches feed elements and feeds impressions, dwell and clicks to engine.observe(). */
export function watchFeed(engine, options = {}) {
  if (!engine || typeof engine.observe !== 'function') throw new TypeError('watchFeed: engine must have an observe() method');
  const {
    root = document.body,
    selector = DEFAULTS.selector,
    impressionRatio = DEFAULTS.impressionRatio,
    impressionMs = DEFAULTS.impressionMs,
    flushMs = DEFAULTS.flushMs,
    now = Date.now,
    idOf = (element) => element.getAttribute('data-item-id'),
    onError = (error) => console.error('interest-engine watchFeed:', error),
  } = options;
  if (!root || typeof root.querySelectorAll !== 'function') throw new TypeError('watchFeed: root must be an element or document');
  if (typeof selector !== 'string' || selector === '') throw new TypeError('watchFeed: selector must be a CSS selector');
  checkNumber('impressionRatio', impressionRatio, 0, 1);
  checkNumber('impressionMs', impressionMs, 0, 3_600_000);
  checkNumber('flushMs', flushMs, 0, 3_600_000);
  if (typeof now !== 'function') throw new TypeError('watchFeed: now must be a function returning ms since the epoch');

  const tracked = new Map(); // element -> { id, visible, since, timer, impressed }
  let queue = [];
  let lastTime = -Infinity;
  let pageVisible = document.visibilityState !== 'hidden';
  let stopped = false;
  let sending = Promise.resolve();

  function emit(item, type, value) {
    if (item === null || item === undefined || item === '') return;
    const time = Math.max(now(), lastTime);
    lastTime = time;
    queue.push(value === undefined ? { item, type, time } : { item, type, time, value });
  }

  function send() {
    if (queue.length === 0) return sending;
    const batch = queue;
    queue = [];
    // Chained, so batches reach the engine one after another even when observe is async.
    sending = sending.then(() => engine.observe(batch)).catch(onError);
    return sending;
  }

  function startSegment(state) {
    if (state.since !== null) return;
    state.since = now();
    if (!state.impressed) {
      state.timer = setTimeout(() => {
        state.timer = null;
        if (state.since === null || state.impressed) return;
        state.impressed = true;
        emit(state.id, 'impression');
      }, impressionMs);
    }
  }

  function endSegment(state) {
    if (state.timer !== null) clearTimeout(state.timer);
    state.timer = null;
    if (state.since === null) return;
    const ms = Math.max(0, now() - state.since);
    state.since = null;
    if (state.impressed && ms > 0) emit(state.id, 'dwell', ms / 1000);
  }

  function seen(entry) {
    if (!entry.isIntersecting) return false;
    if (entry.intersectionRatio >= impressionRatio - 1e-3) return true;
    // Elements taller than the viewport: covering that share of the viewport counts.
    const view = entry.rootBounds;
    return !!view && view.height > 0 && entry.intersectionRect.height >= impressionRatio * view.height;
  }

  const io = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const state = tracked.get(entry.target);
        if (!state) continue;
        const visible = seen(entry);
        if (visible === state.visible) continue;
        state.visible = visible;
        if (visible && pageVisible) startSegment(state);
        else if (!visible) endSegment(state);
      }
    },
    { threshold: [0, impressionRatio, 1].filter((t, i, a) => a.indexOf(t) === i).sort() },
  );

  function track(element) {
    if (tracked.has(element)) return;
    tracked.set(element, { id: idOf(element), visible: false, since: null, timer: null, impressed: false });
    io.observe(element);
  }

  function untrack(element) {
    const state = tracked.get(element);
    if (!state) return;
    endSegment(state);
    io.unobserve(element);
    tracked.delete(element);
  }

  function matchesIn(node) {
    if (node.nodeType !== 1) return [];
    const found = [...node.querySelectorAll(selector)];
    if (node.matches(selector)) found.unshift(node);
    return found;
  }

  const mo = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.removedNodes) for (const element of matchesIn(node)) if (!element.isConnected) untrack(element);
      for (const node of record.addedNodes) for (const element of matchesIn(node)) track(element);
    }
  });

  function onClick(event) {
    const element = event.target instanceof Element ? event.target.closest(selector) : null;
    if (!element || !root.contains(element)) return;
    const state = tracked.get(element);
    emit(state ? state.id : idOf(element), 'click');
    send();
  }

  function closeAll() {
    for (const state of tracked.values()) endSegment(state);
  }

  function onVisibility() {
    const visible = document.visibilityState !== 'hidden';
    if (visible === pageVisible) return;
    pageVisible = visible;
    if (!visible) {
      closeAll();
      send();
    } else {
      for (const state of tracked.values()) if (state.visible) startSegment(state);
    }
  }

  function onPageHide() {
    closeAll();
    send();
  }

  for (const element of root.querySelectorAll(selector)) track(element);
  mo.observe(root, { childList: true, subtree: true });
  root.addEventListener('click', onClick, true);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('pagehide', onPageHide);
  const interval = flushMs > 0 ? setInterval(send, flushMs) : null;

  return {
    /** Sends dwell so far for visible elements (they keep counting) and every queued event. */
    flush() {
      if (stopped) return sending;
      for (const state of tracked.values()) {
        if (state.since === null || !state.impressed) continue; // keep an impression countdown running
        endSegment(state);
        if (state.visible && pageVisible) startSegment(state);
      }
      return send();
    },
    /** Sends what is pending and stops watching. */
    stop() {
      if (stopped) return sending;
      stopped = true;
      closeAll();
      io.disconnect();
      mo.disconnect();
      root.removeEventListener('click', onClick, true);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', onPageHide);
      if (interval !== null) clearInterval(interval);
      tracked.clear();
      return send();
    },
  };
}
