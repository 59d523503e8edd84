// Pretends to be a browser without wasm SIMD: every WebAssembly.validate says no.
WebAssembly.validate = () => false;
import('./nosimd-run.js');
