// Type declarations of interest-engine (hand-written; checked by tsc in `npm test`).

/** An item id: strings are used as they are, numbers are converted with String(n). */
export type ItemId = string | number;

/** Event types the engine understands. */
export type EventType =
  | 'impression'
  | 'click'
  | 'dwell'
  | 'like'
  | 'add_to_cart'
  | 'purchase'
  | 'share'
  | 'skip'
  | 'hide';

/** Blend components, in the order used by explanations. */
export type Component = 'server' | 'longTerm' | 'shortTerm' | 'attention' | 'sequence' | 'negative';

export const EVENT_TYPES: readonly EventType[];
export const COMPONENTS: readonly Component[];

/** One thing the user did. */
export interface InterestEvent {
  /** The item acted on. */
  item: ItemId;
  /** What happened. */
  type: EventType;
  /** When, in ms since the epoch (the caller's clock; events must come in time order). */
  time: number;
  /** Seconds for `dwell` (required there); ignored by the other types. */
  value?: number;
}

/** Weight of each component in the final score (see README, "How scores are made"). */
export interface BlendWeights {
  /** The server's score, standardised over the candidates. Default 0.02 (tuned on validation splits: z-scores dominate otherwise). */
  server?: number;
  /** Long-term preference u·v (on-device ALS fold-in). Default 0.1. */
  longTerm?: number;
  /** Best match among the short-term interests. Default 0.1. */
  shortTerm?: number;
  /** Target attention over the recent events. Default 4. */
  attention?: number;
  /** The recurrent sequence model, when one is loaded (its file may ship its own blend). Default 2. */
  sequence?: number;
  /** Similarity to skipped and hidden items (subtracted). Default 2. */
  negative?: number;
}

/** Weight of each event type; skip and hide must be <= 0. */
export interface EventWeights {
  /** Default 0.05. */ impression?: number;
  /** Default 1. */ click?: number;
  /** Per-second weight is dwellPerSecond; this entry is unused for dwell. */ dwell?: number;
  /** Default 2. */ like?: number;
  /** Default 3. */ add_to_cart?: number;
  /** Default 4. */ purchase?: number;
  /** Default 2.5. */ share?: number;
  /** Default -0.5. */ skip?: number;
  /** Default -3. */ hide?: number;
  /** Dwell weight per second. Default 0.1. */ dwellPerSecond?: number;
  /** Dwell weight cap. Default 3. */ dwellCap?: number;
}

/** Tunables of an engine. Only `dim` is required at creation. */
export interface EngineConfig {
  /** Factor dimension, 1..1024 (fixed per engine). */
  dim: number;
  /** Items held at most; least recently used items are evicted beyond. Default 100000. */
  capacity?: number;
  /** Half-life of short-term, attention and negative interest, in minutes. Default 30. */
  halfLifeMinutes?: number;
  /** Interests held at once, 1..16. Default 4. */
  interestSlots?: number;
  /** Cosine above which an event joins an existing interest. Default 0.5. */
  mergeThreshold?: number;
  /** Recent events kept for attention and explanations, 1..512. Default 50. */
  recentWindow?: number;
  /** Sharpness of the attention similarity kernel, 0..100. Default 5. */
  attentionSharpness?: number;
  /** Half-life of long-term evidence, in days. Default 60. */
  longTermHalfLifeDays?: number;
  /** Confidence per unit of event weight in the long-term fold-in (ALS alpha). Default 10. */
  alpha?: number;
  /** Ridge regularisation of the long-term fold-in (ALS lambda). Default 0.1. */
  lambda?: number;
  /** How many events' worth of trust a server-provided user vector gets. Default 5. */
  serverVectorPrior?: number;
  /** Events kept for items whose vector has not arrived yet. Default 256. */
  pendingCapacity?: number;
  /** Consumed / hidden item ids remembered. Default 2048. */
  consumedCapacity?: number;
  /** Keep an int8 copy of the item vectors (per-row scale) and score the long-term component
   *  (recommend's retrieval scan) with it: a quarter of the bytes, rankings approximate. Default false. */
  int8?: boolean;
  /** Blend weights. */
  weights?: BlendWeights;
  /** Event weights. */
  eventWeights?: EventWeights;
}

/** Options of createEngine: the configuration plus how to load the wasm. */
export interface CreateEngineOptions extends EngineConfig {
  /** 'auto' (default) picks SIMD when supported; false forces the baseline build. */
  simd?: 'auto' | boolean;
  /**
   * Where the .wasm file is served from (for bundlers and CDNs). One URL is used for
   * whichever build loads (pair it with `simd: true` or `false`); `{ simd, base }` gives
   * one per build. Default: the file next to the glue (`new URL(..., import.meta.url)`).
   */
  wasmUrl?: string | URL | { simd?: string | URL; base?: string | URL };
}

/** Options of rerank and recommend. */
export interface RankOptions {
  /** Ranking time in ms since the epoch. Default Date.now(). */
  now?: number;
  /** The server's score of each candidate (rerank only), same length as ids. */
  serverScores?: Float32Array | readonly number[];
  /** Keep only the k best. Default: all. */
  k?: number;
  /** 'consumed' (default): items the user already consumed go last; 'none': no exclusion. */
  exclude?: 'consumed' | 'none';
  /** Add per-item explanations. Default false. */
  explain?: boolean;
}

/** Why an item ranks where it does. */
export interface Explanation {
  id: string;
  /** Each component's contribution to the score (weight × value; negative is already subtracted). */
  contributions: Record<Component, number>;
  /** The recent event that supports this item most, if any. */
  because: { item: string; type: EventType; time: number; minutesAgo: number } | null;
}

/** Result of rerank / recommend. */
export interface RankResult {
  /** Ids best first (for rerank: a permutation of the input, truncated to k). */
  ids: string[];
  /** Final score of each id. */
  scores: Float32Array;
  /** How many trailing ids were demoted (hidden, or consumed with exclude 'consumed'). */
  demoted: number;
  /** Present when explain is true, one per id. */
  explanations?: Explanation[];
}

/** A recent event as the engine remembers it. */
export interface RememberedEvent {
  item: string;
  type: EventType;
  time: number;
  value: number;
  /** The signed weight the event was given. */
  weight: number;
}

/** What the engine currently holds about the user. */
export interface Interests {
  /** The long-term user vector (dim values). */
  longTerm: Float32Array;
  /** Decayed evidence behind the long-term vector. */
  longTermMass: number;
  /** Active short-term interests: direction × gain, and strength. */
  shortTerm: { strength: number; vector: Float32Array }[];
  recentEvents: RememberedEvent[];
}

export interface SequenceModelInfo {
  /** Hidden size H of the GRU. */
  hidden: number;
  /** Items the model knows. */
  vocabulary: number;
  /** Steps taken for this user (0: the component is 0 for every item). */
  steps: number;
  /** Item of the last step ('' before the first). */
  lastItem: string;
  /** Time of the last step (ms since the epoch; -Infinity before the first). */
  lastStepTime: number;
  /** The blend the model file recommends, or null. */
  blend: Required<BlendWeights> | null;
}

export interface EngineStats {
  items: number;
  eventsObserved: number;
  pendingEvents: number;
  pendingDropped: number;
  lastEventTime: number;
  seenItems: number;
}

/** An engine instance: one per page (or per worker). */
export interface Engine {
  /** Which build runs. */
  readonly backend: 'wasm-simd128' | 'wasm';
  /** The factor dimension. */
  readonly dim: number;
  /** The configuration in force (a copy). */
  readonly config: Required<EngineConfig> & { weights: Required<BlendWeights>; eventWeights: Required<EventWeights> };
  /** Changes run-time tunables; dim, capacity, interestSlots, recentWindow and the capacities are fixed. */
  configure(changes: Partial<EngineConfig>): void;
  /** Inserts or replaces items (vectors: ids.length × dim floats). Returns the ids evicted (LRU). */
  upsertItems(ids: readonly ItemId[], vectors: Float32Array | readonly number[]): string[];
  /**
   * Loads a binary catalog (.iecat from interest-train / interest-catalog) in one call.
   * The file is fully validated (magic, version, checksums, dimension) before any item
   * changes; errors: corrupt_data, truncated, unsupported_version, dimension_mismatch.
   */
  loadCatalog(bytes: Uint8Array | ArrayBuffer): { loaded: number; evicted: string[] };
  /**
   * Loads a sequence model (.ieseq from interest-seq / interest-eval --seq-out): a GRU the
   * engine steps once per consumption event (click, dwell, like, add_to_cart, purchase,
   * share; repeats of one item are one step). Its scores, standardised over the
   * candidates it knows, are the blend's `sequence` component. Fully validated first;
   * errors: corrupt_data, truncated, unsupported_version, invalid_id, duplicate_id,
   * non_finite — the engine then keeps its current model. The hidden state is restored
   * from a loaded state saved with the same model, else rebuilt from the recent events.
   * A file carrying a recommended blend (tuned on a validation split together with the
   * model; `interest-seq --blend`) sets the engine's weights, unless `applyBlend: false`.
   */
  loadSequenceModel(
    bytes: Uint8Array | ArrayBuffer | ArrayBufferView,
    options?: { applyBlend?: boolean },
  ): { hidden: number; vocabulary: number; blend: Required<BlendWeights> | null };
  /** The loaded sequence model and the user's progress through it, or null when none is loaded. */
  sequenceModel(): SequenceModelInfo | null;
  /**
   * Observes one event or several, in time order: each call's events are non-decreasing in
   * time and not earlier than the newest event this page observed itself (else
   * 'out_of_order'). With `allowLate`, the events (still ordered among themselves) may be
   * older than events already observed and are merged where they belong in time; this is
   * how events from other tabs are applied. Events merged that way or brought by loadState
   * never make the page's own later events out of order.
   */
  observe(events: InterestEvent | readonly InterestEvent[], options?: { allowLate?: boolean }): void;
  /** Re-ranks candidates. */
  rerank(ids: readonly ItemId[], options?: RankOptions): RankResult;
  /** Ranks all stored items and returns the k best. */
  recommend(k: number, options?: Omit<RankOptions, 'serverScores'>): RankResult;
  /** What the engine holds about the user. */
  interests(options?: { now?: number }): Interests;
  /** Counters. */
  stats(): EngineStats;
  /** Sets (or with null clears) a server-provided long-term user vector. */
  setUserVector(vector: Float32Array | readonly number[] | null): void;
  /** True when the engine holds a vector for the id. */
  hasItem(id: ItemId): boolean;
  /** Forgets the in-memory interest state (items stay). Storage is rewritten at the next save. */
  reset(): void;
  /**
   * Forgets everything about the user: memory at once, and the stored state and other tabs'
   * copies through the attached persistence. Rejects (with a PersistenceError) only when
   * storage could not be wiped; memory is wiped regardless.
   */
  forget(): Promise<void>;
  /**
   * The interest state as bytes (format v2, src/engine/state_format.h): everything the engine
   * learned (including the sequence model's hidden state) plus its run-time tunables, not the
   * items. 19,078 bytes empty at dim 64; at most 53,572 bytes with default settings and
   * 36-byte ids (+4 H + 36 with a sequence model), whatever the history length. Version 1
   * states load (migrated).
   */
  saveState(): Uint8Array;
  /**
   * Replaces the interest state with saved bytes (items stay; the state's tunables replace the
   * current ones). Throws 'truncated', 'corrupt_data', 'unsupported_version' or
   * 'dimension_mismatch' and then leaves the engine unchanged.
   */
  loadState(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): void;
  /** What the engine believes about the user, as JSON a person can read. */
  exportState(options?: { now?: number; examples?: number }): StateExport;
  /** Calls `listener` after every change of the interest state; returns an unsubscribe function. */
  subscribe(listener: (change: StateChange) => void | Promise<void>): () => void;
  /** For leak checks: the wasm heap in bytes (grows, never shrinks) and the JS values the wasm side holds handles to. */
  memoryUsage(): { wasmHeapBytes: number; jsHandles: number };
  /** Frees the engine; later calls throw InterestEngineError with code 'disposed'. */
  dispose(): void;
}

/** A change of the interest state, as passed to subscribe() listeners. */
export type StateChange =
  | { type: 'observe'; events: { item: string; type: EventType; time: number; value?: number }[]; late: boolean }
  | { type: 'items' | 'configure' | 'userVector' | 'reset' | 'load' | 'forget' | 'model' };

/** An event in an export: `at` is the ISO time (null when out of Date's range), `time` the ms. */
export interface ExportedEvent {
  item: string;
  type: EventType;
  at: string | null;
  time: number;
  value?: number;
  /** Recent events only: the signed weight the event was given. */
  weight?: number;
}

/** exportState(): what the engine believes about the user, in plain fields. */
export interface StateExport {
  format: 'interest-engine export 1';
  about: string;
  exportedAt: string | null;
  summary: {
    eventsObserved: number;
    lastEventAt: string | null;
    /** Items remembered as consumed (clicked, liked, bought, ...). */
    consumedItems: number;
    /** Items remembered as hidden ("not interested"). */
    hiddenItems: number;
    pendingEvents: number;
    pendingDropped: number;
    itemsHeld: number;
  };
  /** Short-term interests: decayed strength and the stored items most like each. */
  interests: { strength: number; itemsLikeThis: string[] }[];
  /** What skips and hides taught it to avoid, the same way. */
  avoiding: { strength: number; itemsLikeThis: string[] }[];
  longTerm: {
    /** Decayed weight of the events behind the long-term vector. */
    evidence: number;
    norm: number;
    includesServerVector: boolean;
    itemsLikeThis: string[];
    vector: number[];
  };
  /** The sequence model's memory of your recent order of items (a GRU state: numbers, not a list). */
  sequence: { modelLoaded: boolean; steps: number; lastItem: string | null; lastStepAt: string | null };
  recentEvents: ExportedEvent[];
  pendingEvents: ExportedEvent[];
  settings: Engine['config'];
}

/** Error codes of the storage layer. */
export type PersistenceErrorCode =
  | 'storage_unavailable'
  | 'quota_exceeded'
  | 'storage_failed'
  | 'load_failed'
  | 'merge_failed';

/** A storage problem; the engine keeps working in memory. */
export class PersistenceError extends Error {
  readonly code: PersistenceErrorCode;
  readonly cause?: unknown;
  constructor(code: PersistenceErrorCode, message: string, cause?: unknown);
}

export interface PersistenceOptions {
  /** IndexedDB database name. Default 'interest-engine'. */
  dbName?: string;
  /** Which state in the database (one per user profile or engine). Default 'default'. */
  key?: string;
  /** A change is saved at most this many ms later. Default 1000. */
  debounceMs?: number;
  /** Share events with other tabs of the origin (BroadcastChannel). Default true. */
  multiTab?: boolean;
  /** Called with every storage error (also dispatched as an 'error' event). */
  onError?: (error: PersistenceError) => void;
  /** The IndexedDB factory to use (default globalThis.indexedDB; undefined = unavailable). */
  indexedDB?: IDBFactory | undefined;
  /** The BroadcastChannel constructor to use (default globalThis.BroadcastChannel). */
  BroadcastChannel?: typeof BroadcastChannel | undefined;
}

/**
 * Persistence attached to an engine. Events: 'error' (detail: PersistenceError), 'save'
 * (detail: {bytes}), 'remotechange' (detail: {type: 'events' | 'forget', ...}): another tab
 * changed the state.
 */
export interface Persistence extends EventTarget {
  /** True while IndexedDB is open and usable. */
  readonly available: boolean;
  /** This tab's id in the shared event log. */
  readonly tabId: string;
  readonly lastError: PersistenceError | null;
  readonly lastSavedAt: number | null;
  /** Saves now; resolves true when written, false when storage is unavailable or a peer's events are still in flight. */
  flush(): Promise<boolean>;
  /** Saves a last time, then detaches (the engine keeps working). */
  close(): Promise<void>;
}

/**
 * Loads the stored state into the engine (if any) and keeps it saved in IndexedDB,
 * shared with the origin's other tabs. Never rejects for storage problems: they go to
 * onError and the 'error' event, and the engine keeps working in memory.
 */
export function enablePersistence(engine: Engine, options?: PersistenceOptions): Promise<Persistence>;

/** Error codes an engine call can throw. */
export type ErrorCode =
  | 'invalid_argument'
  | 'dimension_mismatch'
  | 'non_finite'
  | 'invalid_id'
  | 'unknown_event_type'
  | 'out_of_order'
  | 'duplicate_id'
  | 'corrupt_data'
  | 'unsupported_version'
  | 'truncated'
  | 'not_found'
  | 'io_error'
  | 'disposed'
  /** The worker of interest-engine/worker failed to start or crashed. */
  | 'internal'
  | 'unsupported';

export class InterestEngineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string);
}

/** True when this JS engine runs WebAssembly SIMD128. */
export function simdSupported(): boolean;

/** Loads the right wasm build and creates an engine. */
export function createEngine(options: CreateEngineOptions): Promise<Engine>;
