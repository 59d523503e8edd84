// A classic script, so it runs before any module: no wasm SIMD here.
WebAssembly.validate = () => false;
