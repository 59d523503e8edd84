#!/usr/bin/env bash
# Every test: native Catch2 (ctest), the engine's Catch2 suite compiled to wasm (node),
# the TypeScript declarations (tsc --strict), node --test against the built module, and
# real-browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== native C++ tests (ctest)"
ctest --test-dir build/native --output-on-failure -j2
# Native tests again under AddressSanitizer + UndefinedBehaviorSanitizer (build/asan,
# incremental). Always on in CI; IE_SKIP_ASAN=1 skips it locally.
if [ "${IE_SKIP_ASAN:-0}" != 1 ] || [ -n "${CI:-}" ]; then
  echo "== native C++ tests under ASan + UBSan (build/asan)"
  [ -f build/asan/CMakeCache.txt ] || cmake -S . -B build/asan -DIE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build/asan -j "${IE_JOBS:-2}" --target ie_tests
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j2
fi
echo "== engine C++ tests compiled to wasm (ctest, node)"
ctest --test-dir build/wasm --output-on-failure
echo "== TypeScript declarations (tsc --strict)"
npx --no-install tsc -p tests/types/tsconfig.json
bash tests/types/negative.sh
npx --no-install tsc -p tests/package/tsconfig.json
echo "== JS API tests (node --test)"
node --test tests/js/
echo "== browser tests (Chromium)"
node --test --test-concurrency=1 tests/browser/
