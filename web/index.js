// interest-engine: the typed, validating JS layer over the wasm core.
//
// Picks the SIMD or baseline build by feature detection, checks every argument
// before native code sees it, moves bulk data through typed arrays in one call per
// batch, and returns plain objects and typed arrays that the caller owns.

export { enablePersistence, PersistenceError } from './persistence.js';

/** Error thrown by every engine call; `code` is a stable snake_case name. */
export class InterestEngineError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'InterestEngineError';
    this.code = code;
  }
}

/** Event types and their wire codes (the order of src/engine/event.h). */
export const EVENT_TYPES = Object.freeze([
  'impression', 'click', 'dwell', 'like', 'add_to_cart', 'purchase', 'share', 'skip', 'hide',
]);
const EVENT_CODES = new Map(EVENT_TYPES.map((name, code) => [name, code]));

/** Blend components, in the order of explanation arrays. */
export const COMPONENTS = Object.freeze(['server', 'longTerm', 'shortTerm', 'attention', 'sequence', 'negative']);

// A module using one v128 instruction: validates only where wasm SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this JS engine runs WebAssembly SIMD128. */
export function simdSupported() {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

const CONFIG_NUMBERS = [
  'dim', 'capacity', 'halfLifeMinutes', 'interestSlots', 'mergeThreshold', 'recentWindow', 'attentionSharpness',
  'longTermHalfLifeDays', 'alpha', 'lambda', 'serverVectorPrior', 'pendingCapacity', 'consumedCapacity',
];
const INTEGER_FIELDS = new Set(['dim', 'capacity', 'interestSlots', 'recentWindow', 'pendingCapacity', 'consumedCapacity']);
const LOAD_OPTIONS = new Set(['simd', 'wasmUrl']);

function fail(code, message) {
  throw new InterestEngineError(code, message);
}

function checkConfig(config, { requireDim }) {
  if (config === null || typeof config !== 'object') fail('invalid_argument', 'options must be an object');
  for (const key of Object.keys(config)) {
    if (LOAD_OPTIONS.has(key)) continue;
    if (key === 'int8') {
      if (typeof config.int8 !== 'boolean') fail('invalid_argument', 'option int8 must be a boolean');
      continue;
    }
    if (key === 'weights' || key === 'eventWeights') {
      const table = config[key];
      if (table === null || typeof table !== 'object') fail('invalid_argument', `${key} must be an object`);
      const allowed = key === 'weights' ? COMPONENTS : [...EVENT_TYPES, 'dwellPerSecond', 'dwellCap'];
      for (const [name, value] of Object.entries(table)) {
        if (!allowed.includes(name)) fail('invalid_argument', `unknown ${key} entry '${name}' (expected ${allowed.join(', ')})`);
        if (typeof value !== 'number' || !Number.isFinite(value)) fail('invalid_argument', `${key}.${name} must be a finite number`);
      }
      continue;
    }
    if (!CONFIG_NUMBERS.includes(key)) fail('invalid_argument', `unknown option '${key}'`);
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) fail('invalid_argument', `option ${key} must be a finite number`);
    // The core holds these as uint32: a negative or huge value would wrap silently.
    if (INTEGER_FIELDS.has(key) && (!Number.isInteger(value) || value < 0 || value > 0xffffffff))
      fail('invalid_argument', `option ${key} must be a non-negative integer`);
  }
  if (requireDim && config.dim === undefined) fail('invalid_argument', 'option dim (the factor dimension, 1..1024) is required');
}

async function loadFactory(simd) {
  // Literal specifiers so bundlers see (and copy) both builds.
  const module = simd ? await import('../dist/interest_engine_simd.mjs') : await import('../dist/interest_engine_base.mjs');
  return module.default;
}

// wasmUrl: one URL (used for whichever build loads: pair it with simd: true / false),
// or { simd, base } with a URL per build. Without it the glue fetches the .wasm next to
// itself (new URL(..., import.meta.url)), which bundlers such as Vite and webpack 5 copy.
function pickWasmUrl(wasmUrl, useSimd) {
  if (wasmUrl === undefined) return undefined;
  if (typeof wasmUrl === 'string' || wasmUrl instanceof URL) return String(wasmUrl);
  if (wasmUrl !== null && typeof wasmUrl === 'object') {
    const url = useSimd ? wasmUrl.simd : wasmUrl.base;
    if (url === undefined) return undefined;
    if (typeof url === 'string' || url instanceof URL) return String(url);
  }
  fail('invalid_argument', 'option wasmUrl must be a string, a URL or { simd, base } of those');
}

/**
 * Creates an engine. Options: dim (required), capacity, halfLifeMinutes, weights, ...
 * (see index.d.ts), plus load options: simd ('auto' | true | false) and wasmUrl.
 */
export async function createEngine(options = {}) {
  checkConfig(options, { requireDim: true });
  const { simd = 'auto', wasmUrl, ...config } = options;
  if (simd !== 'auto' && typeof simd !== 'boolean') fail('invalid_argument', "option simd must be 'auto', true or false");
  const useSimd = simd === 'auto' ? simdSupported() : simd;
  if (useSimd && !simdSupported()) fail('unsupported', 'this JS engine has no WebAssembly SIMD; use simd: false or "auto"');
  const factory = await loadFactory(useSimd);
  const moduleArgs = {};
  const url = pickWasmUrl(wasmUrl, useSimd);
  if (url !== undefined) moduleArgs.locateFile = () => url;
  const wasm = await factory(moduleArgs);
  const raw = new wasm.RawEngine();
  const code = raw.init(config);
  if (code !== 0) {
    const error = new InterestEngineError(raw.lastErrorCode(), raw.lastError());
    raw.delete();
    throw error;
  }
  return new Engine(wasm, raw, useSimd ? 'wasm-simd128' : 'wasm');
}

const encoder = new TextEncoder();
// A lone UTF-16 surrogate has no UTF-8 form (it would be sent as U+FFFD, so two
// different ids could name the same item).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// A cheap first test (no lookaround): most ids have no surrogate at all.
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

/** A byte view of a Uint8Array, ArrayBuffer or any ArrayBufferView (no copy); else `message`. */
function toBytes(bytes, message) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return fail('invalid_argument', message);
}

function toIdArray(ids, what) {
  if (!Array.isArray(ids)) fail('invalid_argument', `${what} must be an array of string or number ids`);
  const out = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id === 'string') {
      if (id.length === 0) fail('invalid_id', `${what}[${i}] is an empty id`);
      if (id.includes('\0')) fail('invalid_id', `${what}[${i}] contains a NUL character`);
      if (ANY_SURROGATE.test(id) && LONE_SURROGATE.test(id)) fail('invalid_id', `${what}[${i}] contains a lone UTF-16 surrogate`);
      out[i] = id;
    } else if (typeof id === 'number' && Number.isFinite(id)) {
      out[i] = String(id);
    } else {
      fail('invalid_id', `${what}[${i}] must be a string or a finite number, got ${id === null ? 'null' : typeof id}`);
    }
  }
  return out;
}

/**
 * Whether every one of `ids` is a non-empty string (the usual list). Such a list is staged
 * as it is: the checks toIdArray makes inside each id (NUL, lone surrogates) are left to
 * one pass over the joined block (#stageIds) and to the core's split, and an error re-runs
 * them id by id (#checkIds) so that its message names the id. Per id they cost more than
 * the rest of the id path together (~45 µs per 1,000 ids in node 20).
 */
function plainStringIds(ids) {
  if (!Array.isArray(ids)) return false;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'string' || id.length === 0) return false;
  }
  return true;
}

/** Validates event #i; returns its type code. */
function checkEvent(e, i) {
  if (e === null || typeof e !== 'object') fail('invalid_argument', `event #${i} must be an object {item, type, time, value?}`);
  const code = EVENT_CODES.get(e.type);
  if (code === undefined)
    fail('unknown_event_type', `event #${i}: unknown event type ${JSON.stringify(e.type)} (expected ${EVENT_TYPES.join(', ')})`);
  if (typeof e.time !== 'number') fail('invalid_argument', `event #${i}: time must be a finite number (ms since the epoch)`);
  if (!Number.isFinite(e.time)) fail('non_finite', `event #${i}: time is ${e.time}; it must be a finite number (ms since the epoch)`);
  if (e.value !== undefined && typeof e.value !== 'number') fail('invalid_argument', `event #${i}: value must be a finite number`);
  if (e.value !== undefined && !Number.isFinite(e.value)) fail('non_finite', `event #${i}: value is ${e.value}; it must be a finite number`);
  return code;
}

/** Whether `ids` is an array with exactly the elements of `previous` (=== each). */
function sameIds(ids, previous) {
  if (!Array.isArray(ids) || ids.length !== previous.length) return false;
  for (let i = 0; i < ids.length; i++) if (ids[i] !== previous[i]) return false;
  return true;
}

function toFloat32(values, expected, what) {
  if (values instanceof Float32Array) {
    if (values.length !== expected) fail('dimension_mismatch', `${what} has ${values.length} values, expected ${expected}`);
    return values;
  }
  if (Array.isArray(values) || ArrayBuffer.isView(values)) {
    if (values.length !== expected) fail('dimension_mismatch', `${what} has ${values.length} values, expected ${expected}`);
    return Float32Array.from(values);
  }
  fail('invalid_argument', `${what} must be a Float32Array`);
}

function checkNow(now) {
  if (now === undefined) return Date.now();
  if (typeof now !== 'number') fail('invalid_argument', 'now must be a finite number (ms since the epoch)');
  if (!Number.isFinite(now)) fail('non_finite', `now is ${now}; it must be a finite number (ms since the epoch)`);
  return now;
}

// The core takes k as a 32-bit size: larger values (Number.MAX_SAFE_INTEGER for "all")
// would arrive as 0. No store holds more than 2^32 - 1 items, so clamping changes nothing.
const MAX_K = 0xffffffff;
const NO_SLOT = 0xffffffff; // candidateSlots(): an id the engine does not hold

function checkK(k, n) {
  if (k === undefined) return Math.min(n, MAX_K);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) fail('invalid_argument', 'k must be a non-negative integer');
  return Math.min(k, MAX_K);
}

function checkExclude(exclude) {
  if (exclude === undefined || exclude === 'consumed') return true;
  if (exclude === 'none') return false;
  fail('invalid_argument', "exclude must be 'consumed' or 'none'");
}

const RANK_OPTIONS = new Set(['now', 'serverScores', 'k', 'exclude', 'explain']);
function checkRankOptions(options) {
  if (options === null || typeof options !== 'object') fail('invalid_argument', 'options must be an object');
  for (const key of Object.keys(options)) if (!RANK_OPTIONS.has(key)) fail('invalid_argument', `unknown option '${key}'`);
  if (options.explain !== undefined && typeof options.explain !== 'boolean') fail('invalid_argument', 'explain must be a boolean');
}

/** The sequence model's part of exportState, in plain words. */
function sequenceSummary(info) {
  if (!info) return { modelLoaded: false, steps: 0, lastItem: null, lastStepAt: null };
  return {
    modelLoaded: true,
    steps: info.steps,
    lastItem: info.lastItem === '' ? null : info.lastItem,
    lastStepAt: isoTime(info.lastStepTime),
  };
}

function isoTime(ms) {
  // Date covers +-8.64e15 ms; a time outside it (possible: times are the caller's) has no ISO form.
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null;
}

function reportListenerError(error) {
  // A listener's failure must not turn a successful engine call into a failed one: report
  // it as browsers report an event listener's exception (window 'error'), or log it.
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error(error);
}

class Engine {
  #wasm;
  #raw;
  #backend;
  #dim;
  #disposed = false;
  #listeners = new Set();
  #lastCandidates = null; // {input, list} of the last successful rerank, for rerankSame
  #idStage = null; // the id staging view (see #stageIds)
  // Candidate id -> item slot, learnt from the core's resolution of earlier lists while its
  // slots version was #slotsVersion (no id has left its slot since: see #stageSlots).
  // A null-prototype object, not a Map: keyed lookups measured ~2x faster in node 20
  // (~10 against ~16-25 us per 1,000 ids), whether the strings are the caller's or new
  // ones from JSON.parse.
  #slotOf = Object.create(null);
  #slotsVersion = -1;
  #slotStage = null; // the slot staging view
  #resultHeader = null; // the view of the core's result header (#header)
  // Time of the newest event this page observed itself: its own events must come in time
  // order; events merged from elsewhere (loadState, other tabs, allowLate) may interleave.
  #localLast = -Infinity;

  constructor(wasm, raw, backend) {
    this.#wasm = wasm;
    this.#raw = raw;
    this.#backend = backend;
    this.#dim = raw.config().dim;
  }

  /** 'wasm-simd128' or 'wasm'. */
  get backend() {
    return this.#backend;
  }

  /** The factor dimension. */
  get dim() {
    return this.#dim;
  }

  #live() {
    if (this.#disposed) fail('disposed', 'this engine was disposed; create a new one');
    return this.#raw;
  }

  #check(code) {
    if (code !== 0) fail(this.#raw.lastErrorCode(), this.#raw.lastError());
  }

  /**
   * #check for a call that consumed staged ids. `unchecked` (the ids' name in messages) says
   * the ids skipped the per-id checks (plainStringIds): on an error they are checked one by
   * one first, so a NUL inside an id is reported as such, naming it.
   */
  #checkIds(code, ids, unchecked) {
    if (code !== 0 && unchecked !== null) toIdArray(ids, unchecked);
    this.#check(code);
  }

  /**
   * Encodes ids NUL-separated into the staging buffer; returns the byte count. With
   * `unchecked` (see #checkIds), a lone surrogate anywhere in the block fails here, naming
   * the id (toIdArray).
   */
  #stageIds(raw, ids, unchecked = null) {
    const text = ids.length === 1 ? ids[0] : ids.join('\0');
    if (unchecked !== null && ANY_SURROGATE.test(text) && LONE_SURROGATE.test(text)) toIdArray(ids, unchecked);
    const need = text.length * 3;
    // The staging view is kept between calls (fetching one costs a binding round trip):
    // fetched again when too small, when a memory growth detached it, or after any other
    // staging (#stageBytes) may have moved the buffer.
    let view = this.#idStage;
    if (view === null || view.byteLength === 0 || view.length < need)
      view = this.#idStage = raw.stageBytes(Math.max(need, 4096));
    return encoder.encodeInto(text, view).written;
  }

  /**
   * Stages the candidates' item slots from #slotOf; false when an id is not in it (never
   * resolved, unknown to the engine, or not a string: a number would be looked up as its
   * decimal text). The core checks #slotsVersion before it trusts them (rerankSlots). A
   * new list of known ids then costs a keyed lookup per id instead of its UTF-8 staging,
   * splitting and hashing (~5x less in node 20).
   */
  #stageSlots(raw, list) {
    const slotOf = this.#slotOf;
    if (list.length === 0 || typeof list[0] !== 'string' || slotOf[list[0]] === undefined) return false;
    let view = this.#slotStage;
    if (view === null || view.byteLength === 0 || view.length < list.length)
      view = this.#slotStage = raw.stageSlots(Math.max(list.length, 1024));
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      const slot = typeof id === 'string' ? slotOf[id] : undefined;
      if (slot === undefined) return false;
      view[i] = slot;
    }
    return true;
  }

  /**
   * Adds the ids of the list the core has just resolved to #slotOf, when most of them were
   * candidates before: ids that recur across lists. A new page of ids is not learnt: an
   * insertion costs ~3x a lookup, ~40-90 us per 1,000 ids in node 20, and such a page is
   * usually re-ranked as the same list (rerankSame), which needs no ids at all.
   */
  #learnSlots(raw, list) {
    if (raw.recurringCandidates() * 2 < list.length) return;
    const version = raw.slotsVersion();
    if (version !== this.#slotsVersion) {
      // An id has left its slot (eviction, a new store): start again.
      this.#slotOf = Object.create(null);
      this.#slotsVersion = version;
    }
    const slotOf = this.#slotOf;
    const slots = raw.candidateSlots();
    for (let i = 0; i < list.length; i++) if (slots[i] !== NO_SLOT) slotOf[list[i]] = slots[i];
  }

  /** A staging view of exactly n bytes (catalogs, models, states). */
  #stageBytes(raw, n) {
    this.#idStage = null;
    return raw.stageBytes(n);
  }

  /** The configuration in force (a copy). */
  get config() {
    return this.#live().config();
  }

  /** Changes run-time tunables (weights, eventWeights, halfLifeMinutes, ...). */
  configure(changes) {
    const raw = this.#live();
    checkConfig(changes, { requireDim: false });
    for (const key of [...LOAD_OPTIONS, 'int8']) if (key in changes) fail('invalid_argument', `option ${key} only applies to createEngine`);
    this.#check(raw.reconfigure(changes));
    this.#emit({ type: 'configure' });
  }

  /**
   * Calls `listener(change)` after every call that changed the interest state:
   * {type: 'observe', events, late}, 'items' (pending events resolved), 'configure',
   * 'userVector', 'reset', 'load', and 'forget' (forget() awaits what it returns).
   * Returns a function that unsubscribes.
   */
  subscribe(listener) {
    this.#live();
    if (typeof listener !== 'function') fail('invalid_argument', 'listener must be a function');
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change) {
    const results = [];
    for (const listener of [...this.#listeners]) {
      try {
        results.push(listener(change));
      } catch (error) {
        reportListenerError(error);
      }
    }
    return results;
  }

  /** Inserts or replaces items. Returns the ids evicted to make room (LRU). */
  upsertItems(ids, vectors) {
    const raw = this.#live();
    const unchecked = plainStringIds(ids) ? 'ids' : null;
    const list = unchecked !== null ? ids : toIdArray(ids, 'ids');
    const floats = toFloat32(vectors, list.length * this.#dim, 'vectors');
    const bytes = this.#stageIds(raw, list, unchecked);
    raw.stageFloats(floats.length).set(floats);
    const pendingBefore = this.#listeners.size ? raw.stats().pendingEvents : 0;
    this.#checkIds(raw.upsert(list.length, bytes), list, unchecked);
    const evicted = list.length && raw.evicted().length ? raw.evicted() : [];
    if (pendingBefore && raw.stats().pendingEvents !== pendingBefore) this.#emit({ type: 'items' });
    return evicted;
  }

  /**
   * Loads a binary catalog (.iecat, written by interest-train / interest-catalog) from a
   * Uint8Array or ArrayBuffer in one call. The whole file is checked (magic, version,
   * checksums, dimension) before any item changes. Returns { loaded, evicted }.
   */
  loadCatalog(bytes) {
    const raw = this.#live();
    const view = toBytes(bytes, 'loadCatalog takes a Uint8Array or an ArrayBuffer');
    this.#stageBytes(raw, view.length).set(view);
    this.#check(raw.loadCatalog(view.length));
    return { loaded: raw.loadedCount(), evicted: raw.evicted() };
  }

  /**
   * Loads a sequence model (.ieseq, written by interest-seq / interest-eval --seq-out):
   * a GRU stepped once per consumption event, whose scores become the blend's `sequence`
   * component. The file is fully validated first; on error the engine keeps its model.
   * The user's hidden state is restored from a loaded state saved with the same model,
   * else rebuilt from the recent events. A file that carries a recommended blend (tuned on a
   * validation split with the model) sets the engine's weights, unless {applyBlend: false}.
   * Returns { hidden, vocabulary, blend } (blend: the file's weights, or null).
   */
  loadSequenceModel(bytes, options = {}) {
    const raw = this.#live();
    const view = toBytes(bytes, 'loadSequenceModel takes a Uint8Array or an ArrayBuffer');
    if (options === null || typeof options !== 'object') fail('invalid_argument', 'options must be an object');
    const applyBlend = options.applyBlend === undefined ? true : options.applyBlend;
    if (typeof applyBlend !== 'boolean') fail('invalid_argument', 'applyBlend must be a boolean');
    this.#stageBytes(raw, view.length).set(view);
    this.#check(raw.loadSequenceModel(view.length, applyBlend));
    this.#emit({ type: 'model' });
    const info = raw.sequenceInfo();
    return { hidden: info.hidden, vocabulary: info.vocabulary, blend: info.blend };
  }

  /** The loaded sequence model and the user's progress through it, or null. */
  sequenceModel() {
    return this.#live().sequenceInfo();
  }

  /**
   * Observes one event or an array of events, in time order. With {allowLate: true} the
   * events (still in time order among themselves) may be older than events already
   * observed: they are merged where they belong in time (other tabs, other devices).
   */
  observe(eventOrEvents, options = {}) {
    const raw = this.#live();
    if (options === null || typeof options !== 'object') fail('invalid_argument', 'options must be an object');
    for (const key of Object.keys(options)) if (key !== 'allowLate') fail('invalid_argument', `unknown option '${key}'`);
    if (options.allowLate !== undefined && typeof options.allowLate !== 'boolean')
      fail('invalid_argument', 'allowLate must be a boolean');
    const allowLate = options.allowLate === true;
    const events = Array.isArray(eventOrEvents) ? eventOrEvents : [eventOrEvents];
    const n = events.length;
    const ids = new Array(n);
    const codes = new Uint8Array(n);
    const times = new Float64Array(n);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const e = events[i];
      codes[i] = checkEvent(e, i);
      ids[i] = e.item;
      times[i] = e.time;
      values[i] = e.value === undefined ? NaN : e.value;
    }
    const unchecked = plainStringIds(ids) ? 'event item' : null;
    const list = unchecked !== null ? ids : toIdArray(ids, 'event item');
    const bytes = this.#stageIds(raw, list, unchecked);
    const notBefore = allowLate ? -Infinity : this.#localLast;
    if (n === 1) {
      // One event (one call per user action): its fields go as arguments.
      this.#checkIds(raw.observeOne(bytes, codes[0], times[0], values[0], notBefore), list, unchecked);
    } else {
      raw.stageCodes(n).set(codes);
      raw.stageTimes(n).set(times);
      raw.stageFloats(n).set(values);
      this.#checkIds(raw.observe(n, bytes, notBefore), list, unchecked);
    }
    if (n === 0) return;
    if (!allowLate) this.#localLast = times[n - 1];
    if (this.#listeners.size) {
      const copies = new Array(n);
      for (let i = 0; i < n; i++) {
        copies[i] = { item: list[i], type: EVENT_TYPES[codes[i]], time: times[i] };
        if (!Number.isNaN(values[i])) copies[i].value = values[i];
      }
      this.#emit({ type: 'observe', events: copies, late: allowLate });
    }
  }

  /** Re-ranks candidates: a permutation of `ids` (truncated to k), best first. */
  rerank(ids, options = {}) {
    const raw = this.#live();
    checkRankOptions(options);
    // A feed re-ranks the same candidates after every event: when `ids` holds exactly the
    // previous call's ids, the engine reuses their resolved slots (no staging, no hashing).
    const memo = this.#lastCandidates;
    const same = memo !== null && sameIds(ids, memo.input);
    // Ids the JS layer knows go as slots; staging them checks that each is such a string,
    // so the separate pass of plainStringIds is skipped for them.
    const staged = !same && Array.isArray(ids) && this.#stageSlots(raw, ids);
    // Plain string ids are staged as they are (a copy: the caller may change its array).
    const unchecked = !same && (staged || plainStringIds(ids)) ? 'ids' : null;
    const list = same ? memo.list : unchecked !== null ? ids.slice() : toIdArray(ids, 'ids');
    const now = checkNow(options.now);
    const k = checkK(options.k, list.length);
    const excludeConsumed = checkExclude(options.exclude);
    let server = null;
    if (options.serverScores !== undefined) server = toFloat32(options.serverScores, list.length, 'serverScores');
    if (server) raw.stageFloats(server.length).set(server);
    this.#lastCandidates = null;
    let code = same ? raw.rerankSame(list.length, now, server !== null, k, excludeConsumed, !!options.explain) : -1;
    // Not staged yet: the previous list (rerankSame could not use it), or ids converted by
    // toIdArray (numbers); plain strings that missed the table above would miss it again.
    if (code === -1 && (staged || ((same || unchecked === null) && this.#stageSlots(raw, list))))
      code = raw.rerankSlots(list.length, this.#slotsVersion, now, server !== null, k, excludeConsumed, !!options.explain);
    let resolved = false;
    if (code === -1) {
      const bytes = this.#stageIds(raw, list, unchecked);
      code = raw.rerank(list.length, bytes, now, server !== null, k, excludeConsumed, !!options.explain);
      resolved = true;
    }
    this.#checkIds(code, list, unchecked);
    if (resolved) this.#learnSlots(raw, list);
    this.#lastCandidates = same ? memo : { input: unchecked !== null ? list : ids.slice(), list };
    const order = this.#resultOrder(raw);
    const resultIds = new Array(order.length);
    for (let i = 0; i < order.length; i++) resultIds[i] = list[order[i]];
    return this.#result(raw, resultIds, now, !!options.explain);
  }

  /** The k best stored items. */
  recommend(k, options = {}) {
    const raw = this.#live();
    checkRankOptions(options);
    if ('serverScores' in options) fail('invalid_argument', 'recommend takes no serverScores');
    // options.k (allowed by the declarations) truncates too: the smaller k wins.
    const count = Math.min(checkK(k, 0), checkK(options.k, MAX_K));
    const now = checkNow(options.now);
    const excludeConsumed = checkExclude(options.exclude);
    this.#check(raw.recommend(count, now, excludeConsumed, !!options.explain));
    const text = raw.resultIds();
    const resultIds = text.length ? text.slice(0, -1).split('\0') : [];
    return this.#result(raw, resultIds, now, !!options.explain);
  }

  /** The core's result header (order address, scores address, count, demoted): see bindings.cpp. */
  #header(raw) {
    let header = this.#resultHeader;
    // Fetched again when a memory growth detached it.
    if (header === null || header.byteLength === 0) header = this.#resultHeader = raw.resultHeader();
    return header;
  }

  /** The last ranking's order (indices into its candidates, or item slots): a view, valid until the next call. */
  #resultOrder(raw) {
    const header = this.#header(raw);
    return new Uint32Array(header.buffer, header[0], header[2]);
  }

  #result(raw, ids, now, explain) {
    const header = this.#header(raw);
    const scores = new Float32Array(header.buffer, header[1], header[2]).slice();
    const result = { ids, scores, demoted: header[3] };
    if (explain) {
      const contributions = raw.resultContributions().slice();
      const support = raw.resultSupport().slice();
      const recent = raw.recentEvents();
      result.explanations = ids.map((id, i) => {
        const parts = {};
        COMPONENTS.forEach((name, c) => (parts[name] = contributions[i * COMPONENTS.length + c]));
        const event = support[i] >= 0 ? recent[support[i]] : null;
        return {
          id,
          contributions: parts,
          because: event ? { item: event.item, type: event.type, time: event.time, minutesAgo: (now - event.time) / 60000 } : null,
        };
      });
    }
    return result;
  }

  /** What the engine holds about the user right now (copies). */
  interests(options = {}) {
    const raw = this.#live();
    if (options === null || typeof options !== 'object') fail('invalid_argument', 'options must be an object');
    for (const key of Object.keys(options)) if (key !== 'now') fail('invalid_argument', `unknown option '${key}'`);
    const now = checkNow(options.now);
    const longTerm = raw.longTermVector(now).slice();
    const longTermMass = raw.longTermMass(now);
    const strengths = Array.from(raw.shortTermStrengths(now)).filter((s) => s > 0);
    const rows = raw.shortTermInterests(now).slice();
    const shortTerm = strengths.map((strength, q) => ({ strength, vector: rows.slice(q * this.#dim, (q + 1) * this.#dim) }));
    return { longTerm, longTermMass, shortTerm, recentEvents: raw.recentEvents() };
  }

  /** Counters: items held, events observed, pending events, ... */
  stats() {
    return this.#live().stats();
  }

  /** Sets a server-provided long-term user vector (Float32Array of dim), or clears it with null. */
  setUserVector(vector) {
    const raw = this.#live();
    if (vector === null) {
      this.#check(raw.setServerUserVector(0));
      this.#emit({ type: 'userVector' });
      return;
    }
    const floats = toFloat32(vector, this.#dim, 'user vector');
    raw.stageFloats(floats.length).set(floats);
    this.#check(raw.setServerUserVector(floats.length));
    this.#emit({ type: 'userVector' });
  }

  /** True when the engine holds a vector for this id. */
  hasItem(id) {
    const raw = this.#live();
    return raw.hasItem(toIdArray([id], 'id')[0]);
  }

  /** Forgets the user's interest state in memory (items stay). */
  reset() {
    this.#live().resetInterest();
    this.#localLast = -Infinity;
    this.#emit({ type: 'reset' });
  }

  /**
   * Forgets everything about the user: the in-memory state now, and the stored copy (and
   * other tabs' copies) through whatever persistence is attached. Resolves when storage is
   * wiped; rejects with that error when it could not be (memory is wiped regardless).
   */
  async forget() {
    this.#live().resetInterest();
    this.#localLast = -Infinity;
    await Promise.all(this.#emit({ type: 'forget' }));
  }

  /**
   * The interest state as bytes (state format v1, see src/engine/state_format.h): what the
   * engine learned and its run-time tunables, not the items. About 19 KB at dim 64 when
   * empty, at most ~54 KB with default settings and UUID-length ids.
   */
  saveState() {
    const raw = this.#live();
    const view = raw.saveState();
    if (view.length === 0) fail(raw.lastErrorCode(), raw.lastError());
    return view.slice();
  }

  /**
   * Replaces the interest state with a saved one (items stay). Refused with 'truncated',
   * 'corrupt_data', 'unsupported_version' or 'dimension_mismatch'; the engine is then unchanged.
   */
  loadState(bytes) {
    const raw = this.#live();
    const view = toBytes(bytes, 'state must be a Uint8Array or an ArrayBuffer');
    this.#stageBytes(raw, view.length).set(view);
    this.#check(raw.loadState(view.length));
    this.#emit({ type: 'load' });
  }

  /**
   * What the engine believes about the user, as plain JSON a person can read: recent and
   * pending events with ISO times, interests with the stored items most like them, the
   * long-term vector's summary, consumed/hidden counts and the settings.
   */
  exportState(options = {}) {
    const raw = this.#live();
    if (options === null || typeof options !== 'object') fail('invalid_argument', 'options must be an object');
    const now = checkNow(options.now);
    const examples = options.examples === undefined ? 5 : checkK(options.examples, 0);
    const stats = raw.stats();
    const summary = raw.stateSummary();
    const longTerm = raw.longTermVector(now).slice();
    let norm = 0;
    for (const x of longTerm) norm += x * x;
    const interests = (negative) =>
      raw.interestExamples(now, examples, negative).map((e) => ({ strength: e.strength, itemsLikeThis: e.items }));
    const event = (e, withWeight) => {
      const out = { item: e.item, type: e.type, at: isoTime(e.time), time: e.time };
      if (e.type === 'dwell' || (e.value !== 0 && !Number.isNaN(e.value))) out.value = e.value;
      if (withWeight) out.weight = e.weight;
      return out;
    };
    const config = raw.config();
    return {
      format: 'interest-engine export 1',
      about: 'What this engine has learned on this device from your own activity. It is not sent anywhere.',
      exportedAt: isoTime(now),
      summary: {
        eventsObserved: stats.eventsObserved,
        lastEventAt: isoTime(stats.lastEventTime),
        consumedItems: summary.consumedItems,
        hiddenItems: summary.hiddenItems,
        pendingEvents: stats.pendingEvents,
        pendingDropped: stats.pendingDropped,
        itemsHeld: stats.items,
      },
      interests: interests(false),
      avoiding: interests(true),
      longTerm: {
        evidence: raw.longTermMass(now),
        norm: Math.sqrt(norm),
        includesServerVector: summary.serverVector,
        itemsLikeThis: raw.longTermExamples(now, examples),
        vector: Array.from(longTerm),
      },
      sequence: sequenceSummary(raw.sequenceInfo()),
      recentEvents: raw.recentEvents().map((e) => event(e, true)),
      pendingEvents: summary.pendingEvents.map((e) => event(e, false)),
      settings: config,
    };
  }

  /**
   * For leak checks: the wasm heap in bytes (it grows, never shrinks) and the number of JS
   * values the wasm side holds handles to (embind's emval table; steady when nothing leaks).
   */
  memoryUsage() {
    this.#live();
    const wasm = this.#wasm;
    return {
      wasmHeapBytes: wasm.HEAP8.length,
      jsHandles: typeof wasm.count_emval_handles === 'function' ? wasm.count_emval_handles() : 0,
    };
  }

  /** Frees the wasm instance. Further calls throw InterestEngineError('disposed'). */
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#slotOf = null;
    this.#raw.delete();
    this.#raw = null;
    this.#wasm = null;
  }
}
