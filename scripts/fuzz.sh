#!/usr/bin/env bash
# Builds and runs every libFuzzer target fuzz/<name>_fuzz.cpp (clang, ASan + UBSan) for
# SECONDS each (default 60), starting from its seed corpus fuzz/corpus/<name>/. The seeds
# are copied to a temporary working corpus, so the repository is never modified; new
# inputs found are reported, crashes are kept in build/fuzz/artifacts/ and fail the run.
#   bash scripts/fuzz.sh [seconds-per-target] [name ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
jobs="${IE_JOBS:-2}"
out=build/fuzz
mkdir -p "$out/obj" "$out/artifacts"

CXX="${FUZZ_CXX:-clang++}"
FLAGS=(-std=c++17 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -Isrc -isystem /usr/include/eigen3 -DEIGEN_MPL2_ONLY
       -fsanitize-coverage-ignorelist=fuzz/coverage_ignore.txt)

# The engine sources and the pipeline's catalog readers (the catalog target fuzzes those
# too), compiled once for every target (incremental: only what changed).
sources=(src/engine/*.cpp src/pipeline/catalog_*.cpp)
objects=()
for src in "${sources[@]}"; do objects+=("$out/obj/$(basename "${src%.cpp}").o"); done
for src in "${sources[@]}"; do
  obj="$out/obj/$(basename "${src%.cpp}").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ fuzz/coverage_ignore.txt -nt "$obj" ] || [ scripts/fuzz.sh -nt "$obj" ] || \
     [ -n "$(find src/engine src/pipeline -name '*.h' -newer "$obj" -print -quit)" ]; then
    echo "$src $obj"
  fi
done | xargs -r -n2 -P "$jobs" sh -c 'echo "  compile $0"; '"$CXX"' '"${FLAGS[*]}"' -c "$0" -o "$1"'

targets=()
if [ $# -gt 0 ]; then
  for name in "$@"; do targets+=("fuzz/${name}_fuzz.cpp"); done
else
  targets=(fuzz/*_fuzz.cpp)
fi

status=0
summary=()
for target in "${targets[@]}"; do
  name="$(basename "${target%_fuzz.cpp}")"
  bin="$out/${name}_fuzz"
  echo "== $name: build"
  "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer "$target" "${objects[@]}" -o "$bin"
  work="$(mktemp -d)"
  seeds="fuzz/corpus/$name"
  mkdir -p "$work/corpus"
  seedCount=0
  if [ -d "$seeds" ]; then
    cp -r "$seeds/." "$work/corpus/" 2>/dev/null || true
    seedCount=$(find "$seeds" -type f | wc -l)
  fi
  echo "== $name: ${seconds}s from $seedCount seeds"
  set +e
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
    "$bin" "$work/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$out/artifacts/${name}-" >"$work/log" 2>&1
  rc=$?
  set -e
  # "|| true": a run that crashed may print no stats, and grep finding nothing must not
  # end the script (set -e with pipefail) before it reports the crash.
  execs=$(grep -oP 'stat::number_of_executed_units:\s*\K[0-9]+' "$work/log" | tail -1 || true)
  files=$(find "$work/corpus" -type f | wc -l)
  bytes=$(du -sb "$work/corpus" | cut -f1)
  cov=$(grep -oP 'cov: \K[0-9]+' "$work/log" | tail -1 || true)
  if [ $rc -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|libFuzzer)|runtime error:' "$work/log"; then
    echo "!! $name FAILED (exit $rc); log: $out/${name}.log"
    cp "$work/log" "$out/${name}.log"
    grep -E 'ERROR|runtime error|SUMMARY|abort' "$work/log" | head -20
    status=1
    summary+=("$name: FAILED after ${execs:-?} execs")
  else
    cp "$work/log" "$out/${name}.log"
    summary+=("$name: ${execs:-0} execs in ${seconds}s, 0 crashes, coverage ${cov:-?} edges, corpus $seedCount seeds -> $files inputs ($bytes bytes)")
  fi
  rm -rf "$work"
done
echo "== fuzz summary"
printf '  %s\n' "${summary[@]}"
exit $status
