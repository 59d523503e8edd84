// Runs before the Emscripten glue, at module scope. Under node (no fetch of file: URLs
// in 3.1.6's glue), read the sibling .wasm ourselves; browsers and workers skip this.
const ieNodeWasmBinary =
  typeof process === 'object' && process.versions && process.versions.node && typeof window === 'undefined' &&
  typeof importScripts === 'undefined'
    ? await (await import('node:fs/promises')).readFile(new URL(import.meta.url.replace(/\.mjs$/, '.wasm')))
    : undefined;
