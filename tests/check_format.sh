#!/usr/bin/env bash
# The `format` test: every C source and header of the project is as clang-format (.clang-format) writes it.
set -u
cd "$(dirname "$0")/.." || exit 1
command -v clang-format >/dev/null || { echo "clang-format not installed"; exit 77; }
bad=0
for f in $(find app include io mesh physics solver tests benchmarks -name '*.[ch]' 2>/dev/null | sort); do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (run: clang-format -i $f)"
    bad=1
  fi
done
[ $bad = 0 ] && echo "all sources formatted"
exit $bad
