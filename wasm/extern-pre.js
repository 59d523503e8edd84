// Runs before the Emscripten glue, at module scope. Under node (no fetch of file: URLs
// in 3.1.6's glue), read the sibling .wasm ourselves; browsers and workers skip this.
// The module name is not a literal, and marked ignored, so bundlers (Vite, webpack) do
// not try to resolve a node built-in for the browser.
const ieNodeFs = 'node:fs/promises';
const ieNodeWasmBinary =
  typeof process === 'object' && process.versions && process.versions.node && typeof window === 'undefined' &&
  typeof importScripts === 'undefined'
    ? await (await import(/* webpackIgnore: true */ /* @vite-ignore */ ieNodeFs)).readFile(new URL(import.meta.url.replace(/\.mjs$/, '.wasm')))
    : undefined;
