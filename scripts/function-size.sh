#!/usr/bin/env bash
# No function outside tests longer than 120 lines: clang-tidy's
# readability-function-size (LineThreshold 120, lines of the body including
# blank lines and comments) over every file the build compiles, tests left out.
# Usage: scripts/function-size.sh [BUILD_DIR]   (default build; it needs the
# compile_commands.json CMake writes there). Exit 0: none too long; 1: some,
# listed; 77: skipped (no clang-tidy, or no compile_commands.json), saying why.
#
# scripts/function-size-allowlist.txt lists the known offenders that other
# work is splitting ("path function" per line). It must shrink to empty: an
# entry that is no longer too long fails the check until it is removed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
allow="$root/scripts/function-size-allowlist.txt"
tidy="$(command -v clang-tidy || true)"
if [ -z "$tidy" ]; then
  echo "function-size: SKIPPED: clang-tidy is not installed (apt-get install clang-tidy, or scripts/install-deps.sh)"
  exit 77
fi
if [ ! -f "$build/compile_commands.json" ]; then
  echo "function-size: SKIPPED: no $build/compile_commands.json (configure with CMake first)"
  exit 77
fi
# The sources the build compiles, outside tests/.
mapfile -t all < <(grep -o '"file": *"[^"]*"' "$build/compile_commands.json" | sed 's/.*"file": *"//; s/"$//' |
  grep -v "^$root/tests/" | grep "^$root/" | sort -u)
# A function longer than 120 lines needs a file longer than 120 lines: only
# sources that long, or whose own header is, are parsed (about 2/3 of the
# files and of the time; a full pass costs about 4 min of CPU on this code,
# mostly parsing CLI11, Boost and fmt). A long header without a source of its
# own is checked through a parsed source that includes it (--header-filter
# reports a header's functions), one added if none does.
long_file() { [ -f "$1" ] && [ "$(wc -l <"$1")" -gt 120 ]; }
includes() { sed -n 's/^#include "\(.*\)"/\1/p' "$1"; }
files=()
for f in "${all[@]}"; do
  if long_file "$f" || long_file "${f%.cc}.h"; then files+=("$f"); fi
done
reached="$(for f in "${files[@]}"; do
  includes "$f"
  includes "$f" | while read -r h; do [ -f "$root/$h" ] && includes "$root/$h"; done
done | sort -u)"
for h in $(cd "$root" && find model sim scenario formats kernel cli packetdrill -name '*.h'); do
  long_file "$root/$h" || continue
  grep -qxF "$h" <<<"$reached" && continue
  for f in "${all[@]}"; do
    if includes "$f" | grep -qxF "$h"; then files+=("$f"); break; fi
  done
done
config='{Checks: "-*,readability-function-size", CheckOptions: [{key: readability-function-size.LineThreshold, value: 120}]}'
filter="^$root/(model|sim|scenario|formats|kernel|cli|packetdrill|bench)/"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 4 "$tidy" -p "$build" --quiet --config="$config" --header-filter="$filter" \
    --extra-arg=-Wno-unknown-warning-option 2>/dev/null >>"$out" || true
# "path:line:col: warning: function 'name' exceeds ..." then a note with its lines.
found="$(awk -v root="$root/" '
  /warning: function .* exceeds recommended size/ {
    split($0, p, ":"); file = p[1]; sub(root, "", file)
    match($0, /function \x27[^\x27]*\x27/); name = substr($0, RSTART + 10, RLENGTH - 11)
    pending = file " " name; next
  }
  pending != "" && /lines including whitespace and comments/ {
    match($0, /[0-9]+ lines/); print pending " " substr($0, RSTART, RLENGTH); pending = ""
  }' "$out" | sort -u)"
status=0
while read -r file name n _; do
  [ -z "$file" ] && continue
  if grep -qxF "$file $name" "$allow" 2>/dev/null; then
    echo "allowed for now: $file: $name ($n lines)"
  else
    echo "too long: $file: $name ($n lines; at most 120)"
    status=1
  fi
done <<<"$found"
while read -r file name; do
  case "$file" in ''|'#'*) continue ;; esac
  if ! grep -q "^$file $name " <<<"$found"; then
    echo "$allow: $file $name is no longer too long: remove it from the list"
    status=1
  fi
done <"$allow"
[ "$status" = 0 ] && echo "function-size: no function outside tests is longer than 120 lines (${#files[@]} of ${#all[@]} files parsed)"
exit $status
