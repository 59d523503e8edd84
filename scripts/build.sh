#!/usr/bin/env bash
# Builds everything (or only `native` / `wasm`): incremental, so a second run is quick.
#   build/native  : core + pipeline libraries, tools (interest-train, ...), Catch2 tests
#   build/wasm    : dist/interest_engine_{simd,base}.{mjs,wasm} + engine tests in wasm
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
jobs="${IE_JOBS:-2}"

if [ "$what" = all ] || [ "$what" = native ]; then
  [ -f build/native/CMakeCache.txt ] || cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/native -j "$jobs"
fi
if [ "$what" = all ] || [ "$what" = wasm ]; then
  export NODE_PATH=/usr/share/nodejs
  [ -f build/wasm/CMakeCache.txt ] || emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/wasm -j "$jobs"
fi
