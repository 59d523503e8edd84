// SimClock: the demo's own clock. Events carry its time and rankings use it as `now`.
//
// It runs with real time while the page is open, but only moves when asked (`tick`,
// called before each user action), so a ranking redrawn without an action — or after
// a reload — uses exactly the same `now` and gives exactly the same order. It can be
// fast-forwarded (+1 hour, +1 day) to watch short-term interest fade. It does not run
// while the page is closed: a visitor comes back to the moment they left.

export class SimClock {
  #time;
  #lastReal;

  /** `time`: the simulated time to start from, in ms since the epoch. */
  constructor(time = Date.now()) {
    this.#time = Math.round(time);
    this.#lastReal = performance.now();
  }

  /** The simulated time, ms since the epoch (an integer). */
  get time() {
    return this.#time;
  }

  /** Adds the real time that passed since the last tick; returns the new time. */
  tick() {
    const real = performance.now();
    this.#time += Math.max(0, Math.round(real - this.#lastReal));
    this.#lastReal = real;
    return this.#time;
  }

  /** Jumps ahead by `ms` (after a tick, so the real time is not lost). */
  advance(ms) {
    this.tick();
    this.#time += Math.round(ms);
    return this.#time;
  }
}
