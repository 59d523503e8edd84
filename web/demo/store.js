// demoStore: where the demo keeps what it needs to come back after a reload.
//
// One IndexedDB record holding a JSON text: the event log the user produced, the
// simulated clock and the settings (see session.js, `DemoSession#record`). On load the
// log is replayed into a fresh engine. Storing the JSON text (not an object) keeps the
// "size on this device" figure exact and the export byte-identical to what is stored.
//
// The interface is deliberately tiny — save(record) / load() / clear() — so it can later
// hold `engine.saveState()` bytes instead of a log without the page changing.

const DB_NAME = 'interest-engine-demo';
const STORE = 'state';
const KEY = 'current';

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function transact(mode, work) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

const encoder = new TextEncoder();

/** Bytes a JSON text takes as UTF-8 (what the record costs on this device). */
export function byteSize(text) {
  return encoder.encode(text).length;
}

export const demoStore = {
  /** Where the data lives, for the privacy panel. */
  location: `IndexedDB database "${DB_NAME}", object store "${STORE}", key "${KEY}"`,

  /** Stores a record (a JSON-serialisable object); resolves to its size in bytes. */
  async save(record) {
    const text = JSON.stringify(record);
    await transact('readwrite', (store) => store.put(text, KEY));
    return byteSize(text);
  },

  /** The stored record, or null when there is none (or it is unreadable). */
  async load() {
    const text = await transact('readonly', (store) => store.get(KEY));
    if (typeof text !== 'string') return null;
    try {
      return JSON.parse(text);
    } catch {
      return null; // A damaged record is treated as no record: the page starts clean.
    }
  },

  /** Erases everything the demo stored. */
  async clear() {
    await transact('readwrite', (store) => store.delete(KEY));
  },
};
