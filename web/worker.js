// interest-engine worker entry: runs one engine inside a Web Worker and answers the
// messages of worker-client.js. Load it as a module worker:
//   new Worker(new URL('interest-engine/worker-entry', import.meta.url), { type: 'module' })
// (createWorkerEngine does this for you).
//
// Protocol (one request, one reply, handled strictly in arrival order):
//   request  { id, op, args }            op: 'init' | 'config' | 'dispose' | an engine method
//   reply    { id, ok: true, result }    typed arrays in result are transferred, not copied
//            { id, ok: false, error: { code, message } }
import { createEngine } from './index.js';

// Any public engine method may be called (so methods added to the engine later, such
// as state persistence, work through the client's call()); these are refused.
const BLOCKED = new Set(['constructor', 'dispose']);

let engine = null;
let queue = Promise.resolve();

function transferables(value, out = new Set()) {
  if (value === null || typeof value !== 'object') return out;
  if (ArrayBuffer.isView(value)) {
    // Never the wasm heap: results are copies, but guard anyway (detaching it would kill the engine).
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
    return out;
  }
  if (value instanceof ArrayBuffer) return out.add(value);
  const items = Array.isArray(value) ? value : Object.values(value);
  for (const item of items) transferables(item, out);
  return out;
}

function errorReply(id, error) {
  const code = error && typeof error.code === 'string' ? error.code : 'internal';
  const message = error && error.message ? String(error.message) : String(error);
  return { id, ok: false, error: { code, message } };
}

async function handle({ id, op, args = [] }) {
  if (op === 'init') {
    if (engine) engine.dispose();
    engine = null;
    engine = await createEngine(args[0]);
    return { backend: engine.backend, dim: engine.dim };
  }
  if (op === 'dispose') {
    if (engine) engine.dispose();
    engine = null;
    return undefined;
  }
  if (!engine) {
    const error = new Error('this engine was disposed; create a new one');
    error.code = 'disposed';
    throw error;
  }
  if (op === 'config') return engine.config;
  const method = typeof op === 'string' && !op.startsWith('_') && !BLOCKED.has(op) ? engine[op] : undefined;
  if (typeof method !== 'function') {
    const error = new Error(`unknown engine method ${JSON.stringify(op)}`);
    error.code = 'invalid_argument';
    throw error;
  }
  return method.apply(engine, args);
}

self.addEventListener('message', (event) => {
  const message = event.data;
  if (!message || typeof message !== 'object' || typeof message.id !== 'number') return;
  queue = queue.then(async () => {
    let reply;
    let transfer = [];
    try {
      const result = await handle(message);
      reply = { id: message.id, ok: true, result };
      transfer = [...transferables(result)];
    } catch (error) {
      reply = errorReply(message.id, error);
    }
    try {
      self.postMessage(reply, transfer);
    } catch (error) {
      // A result that cannot be cloned: report it rather than leave the caller waiting.
      self.postMessage(errorReply(message.id, Object.assign(new Error(`result not transferable: ${error.message}`), { code: 'internal' })));
    }
  });
});
