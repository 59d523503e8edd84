// Opt-in persistence of an engine's interest state in IndexedDB, shared by every tab of
// the origin. Nothing here touches the network.
//
// Model (see README, "Persistence and several tabs"):
// - Storage: database `dbName`, store `snapshots` (key -> {epoch, state, applied, savedAt})
//   and store `log` (auto-increment -> {key, tab, seq, epoch, events}).
// - Every batch the page observes gets the next sequence number of this tab and is
//   appended to the log (write-ahead), then broadcast on a BroadcastChannel. A tab that
//   receives a peer's batch applies it with observe(..., {allowLate: true}): events land
//   where they belong in time, whatever order they arrive in.
// - `applied` maps tab -> highest sequence number folded into this engine. A save writes
//   the snapshot with its `applied` and deletes the log entries it covers, in one
//   transaction, and only when its `applied` covers the stored snapshot's (otherwise the
//   tab is missing a peer's batch that is still in flight, and it retries later): a
//   save never drops an event another tab's snapshot had.
// - Opening: snapshot, then every log entry it does not cover, merged by time.
// - forget(): a new epoch; the snapshot becomes an empty tombstone of that epoch, the log
//   is cleared, peers reset. Batches and saves of an older epoch are ignored from then on.

const DB_VERSION = 1;
const SNAPSHOTS = 'snapshots';
const LOG = 'log';

/** An error of the storage layer; `code` says what kind. The engine keeps working in memory. */
export class PersistenceError extends Error {
  constructor(code, message, cause) {
    super(message);
    this.name = 'PersistenceError';
    this.code = code;
    if (cause !== undefined) this.cause = cause;
  }
}

function randomId() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function requestPromise(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function transactionDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
}

function storageError(error, doing) {
  const name = error && error.name;
  if (name === 'QuotaExceededError')
    return new PersistenceError('quota_exceeded', `storage is full while ${doing}: the engine keeps working in memory`, error);
  return new PersistenceError(
    'storage_failed',
    `IndexedDB failed while ${doing} (${name ?? 'error'}: ${error && error.message}): the engine keeps working in memory`,
    error,
  );
}

/** True when version vector `applied` (tab -> seq) has folded in everything `other` has. */
function covers(applied, other) {
  for (const [tab, seq] of Object.entries(other ?? {})) if ((applied[tab] ?? 0) < seq) return false;
  return true;
}

const OPTION_NAMES = new Set(['dbName', 'key', 'debounceMs', 'multiTab', 'onError', 'indexedDB', 'BroadcastChannel']);

/**
 * Loads the stored state into `engine` (when there is one) and keeps it saved from then
 * on. Resolves to a Persistence once loaded; storage problems never reject: they are
 * reported through `onError` and the 'error' event, and the engine keeps working in memory.
 */
export async function enablePersistence(engine, options = {}) {
  if (engine === null || typeof engine !== 'object' || typeof engine.saveState !== 'function')
    throw new TypeError('enablePersistence: engine must be an engine from createEngine');
  if (options === null || typeof options !== 'object') throw new TypeError('enablePersistence: options must be an object');
  for (const name of Object.keys(options))
    if (!OPTION_NAMES.has(name)) throw new TypeError(`enablePersistence: unknown option '${name}'`);
  const persistence = new Persistence(engine, options);
  await persistence.start();
  return persistence;
}

class Persistence extends EventTarget {
  #engine;
  #dbName;
  #key;
  #debounceMs;
  #onError;
  #idb;
  #Channel;
  #db = null;
  #channel = null;
  #unsubscribe = null;
  #tab = randomId();
  #seq = 0;
  #epoch = 0;
  #applied = new Map();
  #applying = false;
  #loaded = false;
  #buffered = [];
  #timer = null;
  #saveChain = Promise.resolve();
  #logQueue = [];
  #logChain = Promise.resolve();
  #closed = false;
  #onHide = () => {
    if (globalThis.document === undefined || globalThis.document.visibilityState === 'hidden') void this.flush();
  };

  /** The last storage error, or null. */
  lastError = null;
  /** Time (ms) of the last successful save, or null. */
  lastSavedAt = null;

  constructor(engine, options) {
    super();
    const { dbName = 'interest-engine', key = 'default', debounceMs = 1000, multiTab = true, onError } = options;
    if (typeof dbName !== 'string' || dbName === '') throw new TypeError('enablePersistence: dbName must be a non-empty string');
    if (typeof key !== 'string' || key === '') throw new TypeError('enablePersistence: key must be a non-empty string');
    if (typeof debounceMs !== 'number' || !(debounceMs >= 0)) throw new TypeError('enablePersistence: debounceMs must be >= 0');
    if (onError !== undefined && typeof onError !== 'function') throw new TypeError('enablePersistence: onError must be a function');
    this.#engine = engine;
    this.#dbName = dbName;
    this.#key = key;
    this.#debounceMs = debounceMs;
    this.#onError = onError;
    this.#idb = 'indexedDB' in options ? options.indexedDB : globalThis.indexedDB;
    this.#Channel = multiTab ? ('BroadcastChannel' in options ? options.BroadcastChannel : globalThis.BroadcastChannel) : undefined;
  }

  /** True while IndexedDB is open and usable. */
  get available() {
    return this.#db !== null;
  }

  /** This tab's id in the shared log. */
  get tabId() {
    return this.#tab;
  }

  async start() {
    if (typeof this.#Channel === 'function') {
      this.#channel = new this.#Channel(`interest-engine:${this.#dbName}:${this.#key}`);
      this.#channel.unref?.();  // node: an open channel must not keep the process alive
      this.#channel.onmessage = (event) => (this.#loaded ? this.#receive(event.data) : this.#buffered.push(event.data));
    }
    if (!this.#idb || typeof this.#idb.open !== 'function') {
      this.#report(new PersistenceError('storage_unavailable', 'IndexedDB is not available here: the engine keeps working in memory, nothing is saved'));
    } else {
      try {
        this.#db = await this.#open();
        await this.#load();
      } catch (error) {
        this.#db?.close();
        this.#db = null;
        this.#report(
          error instanceof PersistenceError
            ? error
            : new PersistenceError('storage_unavailable', `IndexedDB could not be opened (${error && error.name}: ${error && error.message}): the engine keeps working in memory`, error),
        );
      }
    }
    this.#unsubscribe = this.#engine.subscribe((change) => this.#onChange(change));
    this.#loaded = true;
    for (const message of this.#buffered.splice(0)) this.#receive(message);
    globalThis.addEventListener?.('pagehide', this.#onHide);
    globalThis.document?.addEventListener?.('visibilitychange', this.#onHide);
  }

  #open() {
    return new Promise((resolve, reject) => {
      let request;
      try {
        request = this.#idb.open(this.#dbName, DB_VERSION);
      } catch (error) {
        reject(error);
        return;
      }
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(SNAPSHOTS)) db.createObjectStore(SNAPSHOTS);
        if (!db.objectStoreNames.contains(LOG)) db.createObjectStore(LOG, { autoIncrement: true }).createIndex('key', 'key');
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new PersistenceError('storage_unavailable', 'IndexedDB upgrade blocked by another tab'));
    });
  }

  async #load() {
    const tx = this.#db.transaction([SNAPSHOTS, LOG], 'readonly');
    const [snapshot, entries] = await Promise.all([
      requestPromise(tx.objectStore(SNAPSHOTS).get(this.#key)),
      requestPromise(tx.objectStore(LOG).index('key').getAll(this.#key)),
    ]);
    if (snapshot) {
      this.#epoch = snapshot.epoch ?? 0;
      // What the snapshot covers counts as applied even if it cannot be loaded: its events
      // live only there, and refusing to save would keep a useless snapshot forever.
      for (const [tab, seq] of Object.entries(snapshot.applied ?? {})) this.#applied.set(tab, seq);
      if (snapshot.state) {
        try {
          this.#withoutEcho(() => this.#engine.loadState(snapshot.state));
        } catch (error) {
          this.#report(new PersistenceError('load_failed', `the stored state could not be loaded (${error.code ?? error.name}): ${error.message}`, error));
        }
      }
    }
    const fresh = [];
    for (const entry of entries) {
      if (entry.epoch !== this.#epoch) continue;  // from before a forget
      if (entry.seq <= (this.#applied.get(entry.tab) ?? 0)) continue;
      fresh.push(entry);
    }
    this.#merge(fresh);
  }

  // Applies peers' (or stored) batches, merged by time; then counts them as applied.
  #merge(entries) {
    if (entries.length === 0) return;
    const events = [];
    for (const entry of entries) for (const e of entry.events) events.push(e);
    events.sort((a, b) => a.time - b.time);  // stable: equal times keep batch order
    try {
      this.#withoutEcho(() => this.#engine.observe(events, { allowLate: true }));
    } catch (error) {
      this.#report(new PersistenceError('merge_failed', `events from another tab were refused (${error.code}): ${error.message}`, error));
    }
    for (const entry of entries) this.#applied.set(entry.tab, Math.max(this.#applied.get(entry.tab) ?? 0, entry.seq));
    this.#schedule();
  }

  #withoutEcho(fn) {
    this.#applying = true;
    try {
      return fn();
    } finally {
      this.#applying = false;
    }
  }

  #receive(message) {
    if (this.#closed || message === null || typeof message !== 'object') return;
    if (message.type === 'forget') {
      if (message.epoch > this.#epoch) this.#resetTo(message.epoch);
      return;
    }
    if (message.type !== 'events' || message.tab === this.#tab) return;
    if (message.epoch > this.#epoch) this.#resetTo(message.epoch);  // its forget is still on the way
    if (message.epoch < this.#epoch || message.seq <= (this.#applied.get(message.tab) ?? 0)) {
      // Forgotten, or already applied: only counts as seen.
      this.#applied.set(message.tab, Math.max(this.#applied.get(message.tab) ?? 0, message.seq));
      return;
    }
    this.#merge([message]);
    this.dispatchEvent(new CustomEvent('remotechange', { detail: { type: 'events', tab: message.tab, count: message.events.length } }));
  }

  #resetTo(epoch) {
    this.#epoch = epoch;
    this.#withoutEcho(() => this.#engine.reset());
    this.dispatchEvent(new CustomEvent('remotechange', { detail: { type: 'forget' } }));
  }

  #onChange(change) {
    if (this.#applying || this.#closed) return undefined;
    if (change.type === 'forget') return this.#forgetStored();
    if (change.type === 'observe') {
      const entry = { key: this.#key, tab: this.#tab, seq: ++this.#seq, epoch: this.#epoch, events: change.events };
      this.#applied.set(this.#tab, entry.seq);
      this.#append(entry);
    }
    this.#schedule();
    return undefined;
  }

  // Write-ahead: batches queue up and go to the log in one transaction, then out on the channel.
  #append(entry) {
    this.#logQueue.push(entry);
    if (this.#logQueue.length > 1) return;
    this.#logChain = this.#logChain.then(async () => {
      const batch = this.#logQueue.splice(0);
      if (this.#db) {
        try {
          const tx = this.#db.transaction(LOG, 'readwrite');
          const done = transactionDone(tx);
          const store = tx.objectStore(LOG);
          try {
            for (const e of batch) store.add(e);
          } catch (error) {
            tx.abort();
            done.catch(() => {});
            throw error;
          }
          await done;
        } catch (error) {
          this.#report(storageError(error, 'appending events to the log'));
        }
      }
      for (const e of batch) this.#channel?.postMessage({ type: 'events', ...e });
    });
  }

  #schedule() {
    if (this.#timer !== null || this.#closed || !this.#db) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#save();
    }, this.#debounceMs);
  }

  /** Saves now (after any queued log writes). Resolves true when written, false when not. */
  flush() {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    return this.#save();
  }

  #save() {
    const run = async () => {
      await this.#logChain;
      if (!this.#db) return false;
      let state;
      try {
        state = this.#engine.saveState();
      } catch (error) {
        if (error && error.code === 'disposed') return false;
        throw error;
      }
      const applied = Object.fromEntries(this.#applied);
      const epoch = this.#epoch;
      let written = false;
      try {
        const tx = this.#db.transaction([SNAPSHOTS, LOG], 'readwrite');
        const done = transactionDone(tx);
        const stored = await requestPromise(tx.objectStore(SNAPSHOTS).get(this.#key));
        // Checked against the vector captured with `state`: merges during the await don't count.
        if (stored && ((stored.epoch ?? 0) > epoch || ((stored.epoch ?? 0) === epoch && !covers(applied, stored.applied)))) {
          // Another tab saved events this one has not received yet: retry once they arrive.
          tx.abort();
          await done.catch(() => {});
          this.#schedule();
          return false;
        }
        try {
          tx.objectStore(SNAPSHOTS).put({ epoch, state, applied, savedAt: Date.now(), tab: this.#tab }, this.#key);
        } catch (error) {
          tx.abort();
          done.catch(() => {});
          throw error;
        }
        const cursorRequest = tx.objectStore(LOG).index('key').openCursor(this.#key);
        cursorRequest.onsuccess = () => {
          const cursor = cursorRequest.result;
          if (!cursor) return;
          const e = cursor.value;
          if (e.epoch < epoch || (e.epoch === epoch && e.seq <= (applied[e.tab] ?? 0))) cursor.delete();
          cursor.continue();
        };
        await done;
        written = true;
        this.lastSavedAt = Date.now();
      } catch (error) {
        this.#report(storageError(error, 'saving the state'));
      }
      if (written) this.dispatchEvent(new CustomEvent('save', { detail: { bytes: state.length } }));
      return written;
    };
    const result = this.#saveChain.then(run, run);
    this.#saveChain = result.catch(() => false);
    return result;
  }

  async #forgetStored() {
    this.#epoch += 1;
    const epoch = this.#epoch;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#channel?.postMessage({ type: 'forget', epoch, tab: this.#tab });
    await this.#logChain;
    await this.#saveChain;
    if (!this.#db) return;
    try {
      const tx = this.#db.transaction([SNAPSHOTS, LOG], 'readwrite');
      const done = transactionDone(tx);
      tx.objectStore(SNAPSHOTS).put({ epoch, state: null, applied: {}, savedAt: Date.now(), tab: this.#tab }, this.#key);
      const cursorRequest = tx.objectStore(LOG).index('key').openCursor(this.#key);
      cursorRequest.onsuccess = () => {
        const cursor = cursorRequest.result;
        if (!cursor) return;
        cursor.delete();
        cursor.continue();
      };
      await done;
    } catch (error) {
      const wrapped = storageError(error, 'forgetting the stored state');
      this.#report(wrapped);
      throw wrapped;
    }
  }

  #report(error) {
    this.lastError = error;
    if (this.#onError) {
      try {
        this.#onError(error);
      } catch (callbackError) {
        queueMicrotask(() => {
          throw callbackError;
        });
      }
    }
    this.dispatchEvent(new CustomEvent('error', { detail: error }));
  }

  /** Saves a last time, then stops saving and listening (the engine stays as it is). */
  async close() {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#unsubscribe?.();
    this.#channel?.close();
    this.#db?.close();
    this.#db = null;
    globalThis.removeEventListener?.('pagehide', this.#onHide);
    globalThis.document?.removeEventListener?.('visibilitychange', this.#onHide);
  }
}
