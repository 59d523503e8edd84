// Type declarations of interest-engine/worker (hand-written).
import type {
  CreateEngineOptions, EngineConfig, BlendWeights, EventWeights, ItemId, InterestEvent, RankOptions, RankResult,
  Interests, EngineStats,
} from './index.js';
import { InterestEngineError } from './index.js';

export { InterestEngineError };

/** Options of createWorkerEngine: those of createEngine, plus where and how the worker runs. */
export interface CreateWorkerEngineOptions extends CreateEngineOptions {
  /**
   * The worker to use: a `Worker` you created from `interest-engine/worker-entry` (with
   * `{ type: 'module' }`; it is not terminated by dispose), or that script's URL.
   * Default: a module worker started from the package's own `worker.js`.
   */
  worker?: Worker | string | URL;
  /**
   * false (default): Float32Array inputs are copied once and the copy is transferred;
   * your array stays usable. true: an input that owns its whole ArrayBuffer is moved to
   * the worker without a copy, and is detached (length 0) afterwards.
   */
  transferInputs?: boolean;
}

/**
 * The engine running in a Web Worker. Same methods as `Engine`, each returning a promise;
 * calls run in the order made. Rejections are `InterestEngineError` with the engine's
 * `code` and `message` (plus `'internal'` when the worker itself fails).
 */
export interface WorkerEngine {
  /** Which build runs in the worker. */
  readonly backend: 'wasm-simd128' | 'wasm';
  /** The factor dimension. */
  readonly dim: number;
  /** The worker the engine runs in. */
  readonly worker: Worker;
  /** The configuration in force (a copy). */
  getConfig(): Promise<Required<EngineConfig> & { weights: Required<BlendWeights>; eventWeights: Required<EventWeights> }>;
  /** Changes run-time tunables. */
  configure(changes: Partial<EngineConfig>): Promise<void>;
  /** Inserts or replaces items (vectors: ids.length × dim floats, sent as a transferred buffer). Resolves to the evicted ids. */
  upsertItems(ids: readonly ItemId[], vectors: Float32Array | readonly number[]): Promise<string[]>;
  /** Observes one event or several, in time order. */
  observe(events: InterestEvent | readonly InterestEvent[]): Promise<void>;
  /** Re-ranks candidates; `scores` comes back as a transferred Float32Array. */
  rerank(ids: readonly ItemId[], options?: RankOptions): Promise<RankResult>;
  /** Ranks all stored items and returns the k best. */
  recommend(k: number, options?: Omit<RankOptions, 'serverScores'>): Promise<RankResult>;
  /** What the engine holds about the user. */
  interests(options?: { now?: number }): Promise<Interests>;
  /** Counters. */
  stats(): Promise<EngineStats>;
  /** Sets (or with null clears) a server-provided long-term user vector. */
  setUserVector(vector: Float32Array | readonly number[] | null): Promise<void>;
  /** True when the engine holds a vector for the id. */
  hasItem(id: ItemId): Promise<boolean>;
  /** Forgets the in-memory interest state (items stay). */
  reset(): Promise<void>;
  /** Calls another engine method by name (one without a typed wrapper here). Arguments must be structured-cloneable. */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** Frees the engine and terminates the worker (unless you passed your own Worker). Later calls reject with code 'disposed'. */
  dispose(): Promise<void>;
}

/** Starts a worker, loads the right wasm build in it and creates an engine. */
export function createWorkerEngine(options: CreateWorkerEngineOptions): Promise<WorkerEngine>;
