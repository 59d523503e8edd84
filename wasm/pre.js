// Hands the bytes read by extern-pre.js (node only) to the glue, unless the caller
// already supplied wasmBinary or instantiateWasm.
if (typeof ieNodeWasmBinary !== 'undefined' && ieNodeWasmBinary && !Module['wasmBinary'] && !Module['instantiateWasm']) {
  Module['wasmBinary'] = ieNodeWasmBinary;
}
