#!/usr/bin/env bash
# Negative type tests: every tests/types/negative/*.ts holds exactly one deliberate
# misuse of the API and a first line "// expect TS<code>: <what>". Each must FAIL to
# compile with exactly that error, in that file, and no other error (so a broken setup,
# e.g. declarations not found, cannot pass by accident). Exits 0 only if all do.
set -uo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
count=0
for file in tests/types/negative/*.ts; do
  count=$((count + 1))
  header="$(head -n 1 "$file")"
  code="$(sed -n 's|^// expect \(TS[0-9]*\):.*|\1|p' <<<"$header")"
  what="${header#*: }"
  if [ -z "$code" ]; then
    echo "negative types: $file has no '// expect TS<code>: ...' first line"
    status=1
    continue
  fi
  cat >"$tmp/tsconfig.json" <<JSON
{ "extends": "$root/tests/types/tsconfig.json", "files": ["$root/$file"] }
JSON
  output="$(npx --no-install tsc -p "$tmp/tsconfig.json" 2>&1)"
  rc=$?
  errors="$(grep -c 'error TS' <<<"$output")"
  if [ $rc -ne 0 ] && [ "$errors" -eq 1 ] && grep -q "$(basename "$file").*error $code" <<<"$output"; then
    echo "negative types: ok   $file: $what (tsc rejects it with $code)"
  else
    echo "negative types: FAIL $file: expected exactly one $code ($what); tsc exit $rc, $errors error(s):"
    echo "$output" | sed 's/^/    /'
    status=1
  fi
done
if [ "$count" -eq 0 ]; then
  echo "negative types: no files in tests/types/negative"
  status=1
fi
exit $status
