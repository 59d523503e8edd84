// interest-engine/worker: the engine in a Web Worker, behind an async copy of the engine
// API. Every method returns a promise; calls run in order; vectors travel as transferred
// buffers (no structured-clone copy of large arrays), and failures reject with the same
// InterestEngineError (code + message) the in-thread engine throws.
import { InterestEngineError } from './index.js';

const CLIENT_OPTIONS = new Set(['worker', 'transferInputs']);

function fail(code, message) {
  throw new InterestEngineError(code, message);
}

// Resolves a relative wasmUrl against the page, not against the worker script.
function absolute(url) {
  const base = typeof location === 'object' && location ? location.href : undefined;
  return new URL(String(url), base).href;
}

function prepareOptions(options) {
  const out = {};
  for (const [key, value] of Object.entries(options)) if (!CLIENT_OPTIONS.has(key)) out[key] = value;
  const wasmUrl = out.wasmUrl;
  if (typeof wasmUrl === 'string' || wasmUrl instanceof URL) out.wasmUrl = absolute(wasmUrl);
  else if (wasmUrl && typeof wasmUrl === 'object') {
    out.wasmUrl = {};
    for (const key of ['simd', 'base']) if (wasmUrl[key] !== undefined) out.wasmUrl[key] = absolute(wasmUrl[key]);
  }
  return out;
}

function startWorker(worker) {
  if (worker === undefined) {
    // This exact form lets bundlers (Vite, webpack 5, Parcel) find and bundle the worker.
    return { worker: new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'interest-engine' }), owned: true };
  }
  if (typeof worker === 'string' || worker instanceof URL) return { worker: new Worker(worker, { type: 'module', name: 'interest-engine' }), owned: true };
  if (worker && typeof worker.postMessage === 'function') return { worker, owned: false };
  fail('invalid_argument', 'option worker must be a Worker, or the URL of interest-engine/worker-entry');
}

/**
 * Starts a worker, creates an engine in it with `options` (those of createEngine, plus
 * `worker` and `transferInputs`), and resolves to its async API.
 */
export async function createWorkerEngine(options = {}) {
  if (options === null || typeof options !== 'object') fail('invalid_argument', 'options must be an object');
  if (options.transferInputs !== undefined && typeof options.transferInputs !== 'boolean')
    fail('invalid_argument', 'option transferInputs must be a boolean');
  const { worker, owned } = startWorker(options.worker);
  const client = new WorkerEngine(worker, owned, options.transferInputs === true);
  try {
    await client._init(prepareOptions(options));
  } catch (error) {
    client._close();
    throw error;
  }
  return client;
}

class WorkerEngine {
  #worker;
  #owned;
  #transferInputs;
  #pending = new Map();
  #nextId = 1;
  #backend = null;
  #dim = 0;
  #closed = false;
  #onMessage;
  #onError;

  constructor(worker, owned, transferInputs) {
    this.#worker = worker;
    this.#owned = owned;
    this.#transferInputs = transferInputs;
    this.#onMessage = (event) => this.#reply(event.data);
    this.#onError = (event) => {
      if (typeof event.preventDefault === 'function') event.preventDefault();
      const detail = event && event.message ? event.message : 'the worker failed to start or crashed';
      this.#rejectAll(new InterestEngineError('internal', `interest-engine worker: ${detail}`));
    };
    worker.addEventListener('message', this.#onMessage);
    worker.addEventListener('error', this.#onError);
    worker.addEventListener('messageerror', this.#onError);
  }

  #reply(message) {
    if (!message || typeof message !== 'object') return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new InterestEngineError(message.error.code, message.error.message));
  }

  #rejectAll(error) {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }

  #call(op, args = [], transfer = []) {
    if (this.#closed) return Promise.reject(new InterestEngineError('disposed', 'this engine was disposed; create a new one'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ id, op, args }, transfer);
      } catch (error) {
        this.#pending.delete(id);
        reject(new InterestEngineError('invalid_argument', `cannot send to the worker: ${error.message}`));
      }
    });
  }

  // Bulk floats go over as a transferred Float32Array. Without transferInputs the caller's
  // array is copied first (only its own range, never the whole underlying buffer) and the
  // copy is transferred; with it, an array that owns its whole buffer moves (and is detached).
  #floats(values, transfer) {
    if (values === null || values === undefined || typeof values !== 'object') return values;
    let floats;
    if (values instanceof Float32Array) {
      const ownsBuffer = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength && values.buffer instanceof ArrayBuffer;
      floats = this.#transferInputs && ownsBuffer ? values : values.slice();
    } else if (Array.isArray(values) || ArrayBuffer.isView(values)) {
      floats = Float32Array.from(values);
    } else {
      return values; // let the engine report the type error
    }
    transfer.push(floats.buffer);
    return floats;
  }

  async _init(options) {
    const info = await this.#call('init', [options]);
    this.#backend = info.backend;
    this.#dim = info.dim;
  }

  _close() {
    this.#closed = true;
    this.#worker.removeEventListener('message', this.#onMessage);
    this.#worker.removeEventListener('error', this.#onError);
    this.#worker.removeEventListener('messageerror', this.#onError);
    if (this.#owned) this.#worker.terminate();
    this.#rejectAll(new InterestEngineError('disposed', 'this engine was disposed; create a new one'));
  }

  /** 'wasm-simd128' or 'wasm' (known once created). */
  get backend() {
    return this.#backend;
  }

  /** The factor dimension. */
  get dim() {
    return this.#dim;
  }

  /** The worker the engine runs in. */
  get worker() {
    return this.#worker;
  }

  /** The configuration in force (a copy). */
  getConfig() {
    return this.#call('config');
  }

  configure(changes) {
    return this.#call('configure', [changes]);
  }

  upsertItems(ids, vectors) {
    const transfer = [];
    const floats = this.#floats(vectors, transfer);
    return this.#call('upsertItems', [ids, floats], transfer);
  }

  observe(events) {
    return this.#call('observe', [events]);
  }

  rerank(ids, options) {
    const transfer = [];
    let opts = options;
    if (options && typeof options === 'object' && options.serverScores !== undefined)
      opts = { ...options, serverScores: this.#floats(options.serverScores, transfer) };
    return this.#call('rerank', opts === undefined ? [ids] : [ids, opts], transfer);
  }

  recommend(k, options) {
    return this.#call('recommend', options === undefined ? [k] : [k, options]);
  }

  interests(options) {
    return this.#call('interests', options === undefined ? [] : [options]);
  }

  stats() {
    return this.#call('stats');
  }

  setUserVector(vector) {
    const transfer = [];
    return this.#call('setUserVector', [vector === null ? null : this.#floats(vector, transfer)], transfer);
  }

  hasItem(id) {
    return this.#call('hasItem', [id]);
  }

  reset() {
    return this.#call('reset');
  }

  /** Calls any other engine method by name (e.g. one added after this client was written). */
  call(method, ...args) {
    if (typeof method !== 'string') return Promise.reject(new InterestEngineError('invalid_argument', 'method must be a string'));
    return this.#call(method, args);
  }

  /** Frees the engine and stops the worker (unless you passed your own). Idempotent. */
  async dispose() {
    if (this.#closed) return;
    try {
      await this.#call('dispose');
    } finally {
      this._close();
    }
  }
}

export { InterestEngineError };
