#!/usr/bin/env bash
# Every test: native Catch2 (ctest), the engine's Catch2 suite compiled to wasm (node),
# the TypeScript declarations (tsc --strict), node --test against the built module, and
# real-browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== native C++ tests (ctest)"
ctest --test-dir build/native --output-on-failure -j2
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
