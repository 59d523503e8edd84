// IE_SIZE_OPTIMISED: marks a function of a file compiled for speed as one to compile for
// size instead, in the wasm build (clang's `minsize`; no effect natively).
//
// For code that runs once per load, save or configuration change, or only to report an
// error, inside files whose other functions are per-call paths: the module's download
// shrinks and the per-call paths keep -O3. Whole files of such code are compiled with -Oz
// instead (IE_COLD_SOURCES in CMakeLists.txt).
#pragma once

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#define IE_SIZE_OPTIMISED __attribute__((minsize))
#else
#define IE_SIZE_OPTIMISED
#endif
