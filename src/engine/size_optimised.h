// IE_SIZE_OPTIMISED and IE_COLD: mark functions of a file compiled for speed as ones to
// compile for size instead, in the wasm build (clang's `minsize`; no effect natively).
//
// IE_SIZE_OPTIMISED: code that runs once per load, save or configuration change, inside
// files whose other functions are per-call paths: the module's download shrinks and the
// per-call paths keep -O3. Whole files of such code are compiled with -Oz instead
// (IE_COLD_SOURCES in CMakeLists.txt).
//
// IE_COLD: the same for a function that runs only when something fails (it words an
// error), also never inlined: a per-call function that calls it keeps only the call, not
// the string building of every message it can return.
#pragma once

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#define IE_SIZE_OPTIMISED __attribute__((minsize))
#define IE_COLD __attribute__((minsize, noinline, cold))
#else
#define IE_SIZE_OPTIMISED
#define IE_COLD
#endif
