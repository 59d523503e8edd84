#!/usr/bin/env bash
# Negative type tests: every tests/types/negative/*.ts holds exactly one deliberate
# misuse of the API and a first line "// expect TS<code>: <what>". tsc (with the strict
# options of tests/types/tsconfig.json) must FAIL, reporting exactly that error in each
# file and no other error anywhere (so a broken setup, e.g. declarations not found,
# cannot pass by accident). One compiler run checks all files. Exits 0 only if all fail
# as expected.
set -uo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The local compiler directly (npx costs a second or more per call on a busy machine).
tsc=(node_modules/.bin/tsc)
[ -x "${tsc[0]}" ] || tsc=(npx --no-install tsc)

files=(tests/types/negative/*.ts)
if [ ! -e "${files[0]}" ]; then
  echo "negative types: no files in tests/types/negative"
  exit 1
fi
list=""
for file in "${files[@]}"; do list+="${list:+, }\"$root/$file\""; done
cat >"$tmp/tsconfig.json" <<JSON
{ "extends": "$root/tests/types/tsconfig.json", "files": [$list] }
JSON
output="$("${tsc[@]}" -p "$tmp/tsconfig.json" 2>&1)"
rc=$?

status=0
if [ $rc -eq 0 ]; then
  echo "negative types: FAIL tsc accepted files that must not compile"
  status=1
fi
total="$(grep -c 'error TS' <<<"$output")"
if [ "$total" -ne "${#files[@]}" ]; then
  echo "negative types: FAIL expected ${#files[@]} errors (one per file), tsc reported $total:"
  echo "$output" | sed 's/^/    /'
  status=1
fi
for file in "${files[@]}"; do
  header="$(head -n 1 "$file")"
  code="$(sed -n 's|^// expect \(TS[0-9]*\):.*|\1|p' <<<"$header")"
  what="${header#*: }"
  name="$(basename "$file")"
  if [ -z "$code" ]; then
    echo "negative types: FAIL $file has no '// expect TS<code>: ...' first line"
    status=1
  elif [ "$(grep -c "$name([0-9,]*): error TS" <<<"$output")" -eq 1 ] && grep -q "$name([0-9,]*): error $code" <<<"$output"; then
    echo "negative types: ok   $file: $what (tsc rejects it with $code)"
  else
    echo "negative types: FAIL $file: expected exactly one $code ($what); tsc said:"
    grep "$name" <<<"$output" | sed 's/^/    /'
    status=1
  fi
done
exit $status
