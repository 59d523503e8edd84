// DemoSession: the engine, the simulated clock, the settings and the log of what the
// user did — the model behind the page (no DOM here).
//
// Persistence is a replay: the record holds the log (events and settings changes, in
// the order they happened) and the clock; `DemoSession.create` replays it into a fresh
// engine with the same calls, so the state comes back exactly. The record is small and
// human-readable, which is also what the privacy panel shows and exports.

import { createEngine } from '../index.js';
import { SimClock } from './clock.js';

export const RECORD_FORMAT = 'interest-engine-demo';
export const RECORD_VERSION = 1;

/**
 * Defaults of the knobs the page exposes: a blend that makes each component visible on
 * the small built-in catalog (the engine's defaults, tuned on MovieLens, lean on
 * attention; the sliders let a visitor try them).
 */
export const DEFAULT_SETTINGS = Object.freeze({
  weights: Object.freeze({ server: 0.3, longTerm: 1, shortTerm: 1, attention: 1, sequence: 0.3, negative: 1 }),
  halfLifeMinutes: 30,
});

function copySettings(s) {
  return { weights: { ...s.weights }, halfLifeMinutes: s.halfLifeMinutes };
}

export class DemoSession {
  /**
   * Builds a session over `catalog`; when `record` is a stored record of the same
   * catalog, replays it. Returns { session, restored } (restored: events replayed).
   */
  static async create(catalog, record = null) {
    const engine = await createEngine({ dim: catalog.dim, ...copySettings(DEFAULT_SETTINGS) });
    engine.upsertItems(catalog.items.map((item) => item.id), catalog.vectors);
    // The built-in catalog comes with a GRU trained on the same log; the page keeps its
    // own blend (sliders) rather than the file's.
    if (catalog.sequenceModel) engine.loadSequenceModel(catalog.sequenceModel, { applyBlend: false });
    const usable = record && record.format === RECORD_FORMAT && record.version === RECORD_VERSION && record.catalog === catalog.key;
    const session = new DemoSession(engine, catalog, usable ? record : null);
    return { session, restored: usable ? session.eventCount : 0, discarded: Boolean(record) && !usable };
  }

  #engine;
  #catalog;
  #clock;
  #settings;
  #log;
  #startedAt;
  #forwarded = 0;

  constructor(engine, catalog, record) {
    this.#engine = engine;
    this.#catalog = catalog;
    this.byId = new Map(catalog.items.map((item, i) => [item.id, { ...item, index: i }]));
    this.ids = catalog.items.map((item) => item.id);
    this.serverScores = Float32Array.from(catalog.items, (item) => item.serverScore);
    this.#start(record);
  }

  #start(record) {
    this.#settings = copySettings(DEFAULT_SETTINGS);
    this.#log = [];
    this.#engine.reset();
    this.#engine.configure(copySettings(DEFAULT_SETTINGS));
    if (!record) {
      this.#clock = new SimClock(Date.now());
      this.#startedAt = this.#clock.time;
      this.#forwarded = 0;
      return;
    }
    // Replay in order: runs of events go in one observe call, settings in between.
    let batch = [];
    const flush = () => {
      if (batch.length) this.#engine.observe(batch);
      batch = [];
    };
    for (const entry of record.log) {
      if (entry.settings) {
        flush();
        this.#applySettings(entry.settings);
      } else {
        batch.push(entry.value === undefined
          ? { item: entry.item, type: entry.type, time: entry.time }
          : { item: entry.item, type: entry.type, time: entry.time, value: entry.value });
      }
      this.#log.push(entry);
    }
    flush();
    this.#clock = new SimClock(record.clock);
    this.#startedAt = record.startedAt ?? record.clock;
    this.#forwarded = record.forwarded ?? 0;
  }

  get engine() {
    return this.#engine;
  }

  get catalog() {
    return this.#catalog;
  }

  /** The simulated time rankings use (ms since the epoch). */
  get now() {
    return this.#clock.time;
  }

  get clock() {
    return this.#clock;
  }

  get settings() {
    return copySettings(this.#settings);
  }

  get log() {
    return this.#log;
  }

  get eventCount() {
    return this.#log.filter((entry) => !entry.settings).length;
  }

  /**
   * Records what the user did on an item: the clock ticks first (real time passed),
   * then the engine observes the event. `value` is the dwell in seconds.
   */
  act(type, item, value) {
    const time = this.#clock.tick();
    const event = value === undefined ? { item, type, time } : { item, type, time, value: Math.round(value * 10) / 10 };
    this.#engine.observe(event);
    this.#log.push(event);
    return event;
  }

  /** Fast-forwards the simulated clock by `ms`. */
  advance(ms) {
    this.#forwarded += ms;
    return this.#clock.advance(ms);
  }

  /** Total fast-forward so far, in ms. */
  get forwarded() {
    return this.#forwarded;
  }

  /** Changes blend weights and/or the half-life; logged, since the half-life shapes the state. */
  updateSettings(changes) {
    const next = copySettings(this.#settings);
    if (changes.weights) Object.assign(next.weights, changes.weights);
    if (changes.halfLifeMinutes !== undefined) next.halfLifeMinutes = changes.halfLifeMinutes;
    this.#applySettings(next);
    // Consecutive changes without an event in between collapse into one entry: the
    // engine's state only depends on the settings in force when events arrive.
    const time = this.#clock.time;
    const last = this.#log[this.#log.length - 1];
    if (last && last.settings) last.settings = copySettings(next);
    else this.#log.push({ settings: copySettings(next), time });
  }

  #applySettings(settings) {
    this.#settings = copySettings(settings);
    this.#engine.configure({ weights: { ...settings.weights }, halfLifeMinutes: settings.halfLifeMinutes });
  }

  /** Re-ranks the whole catalog at the simulated time; returns the best `k`, with explanations. */
  rank(k = this.ids.length) {
    const result = this.#engine.rerank(this.ids, { now: this.now, serverScores: this.serverScores, explain: true, k });
    const kept = result.ids.length - result.demoted;
    return { ...result, kept };
  }

  /** The engine's interests at the simulated time. */
  interests() {
    return this.#engine.interests({ now: this.now });
  }

  /** The record to store: everything needed to come back to this exact state. */
  record() {
    return {
      format: RECORD_FORMAT,
      version: RECORD_VERSION,
      catalog: this.#catalog.key,
      startedAt: this.#startedAt,
      clock: this.#clock.time,
      forwarded: this.#forwarded,
      settings: copySettings(this.#settings),
      log: this.#log.map((entry) => ({ ...entry })),
    };
  }

  /** Forgets everything: the engine's memory, the log, the settings; the clock restarts now. */
  forget() {
    this.#start(null);
  }
}
