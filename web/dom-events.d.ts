// Type declarations of interest-engine/dom-events (hand-written).
import type { InterestEvent } from './index.js';

/** Anything with an engine's observe(): the engine, the worker engine, or your own wrapper. */
export interface EventSink {
  observe(events: InterestEvent[]): unknown;
}

export interface WatchFeedOptions {
  /** The element (or document) holding the feed; cards added later are watched too. Default `document.body`. */
  root?: Element | Document;
  /** CSS selector of a feed item. Default `'[data-item-id]'`. */
  selector?: string;
  /** Share of the element (or of the viewport, for tall elements) that must be visible, 0..1. Default 0.5. */
  impressionRatio?: number;
  /** How long it must stay that visible, with the tab visible, to count as an impression (ms). Default 1000. */
  impressionMs?: number;
  /** Queued events are sent every flushMs (ms); 0 sends only on click, flush(), stop() and when the tab hides. Default 5000. */
  flushMs?: number;
  /** The clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** The item id of an element. Default: its `data-item-id` attribute. */
  idOf?: (element: Element) => string | null;
  /** Called when observe() throws or rejects. Default: console.error. */
  onError?: (error: unknown) => void;
}

export interface FeedWatcher {
  /** Sends the dwell so far of visible cards (they keep counting) and every queued event. */
  flush(): Promise<void>;
  /** Sends what is pending and stops watching (observers, listeners and timers removed). */
  stop(): Promise<void>;
}

/**
 * Watches feed elements and sends what the user does to `engine.observe()`, in time
 * order and in batches: `impression` (seen long enough, once per element), `dwell`
 * (`value`: seconds visible while the tab was visible, sent when the card leaves view,
 * the tab hides, or on flush/stop) and `click` (sent at once).
 */
export function watchFeed(engine: EventSink, options?: WatchFeedOptions): FeedWatcher;
