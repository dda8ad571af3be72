#!/usr/bin/env bash
# clang-tidy over the project's sources with the checks in .clang-tidy (all
# errors), from the compile commands of ${BUILD_DIR:-build}. Exits non-zero on
# any finding.   scripts/tidy.sh [file.cc…]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
[ -f "$BUILD_DIR/compile_commands.json" ] || { echo "tidy: run scripts/build.sh first" >&2; exit 2; }
runner=$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)
files=("$@")
if [ ${#files[@]} -eq 0 ]; then mapfile -t files < <(git ls-files 'src/*.cc'); fi
# Clang 14 does not define what Boost.Asio checks before enabling coroutines.
extra=(-extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT=1 -extra-arg=-DBOOST_ASIO_HAS_STD_COROUTINE=1
       -extra-arg=-Wno-unknown-warning-option)
if [ -n "$runner" ]; then
  "$runner" -quiet -p "$BUILD_DIR" -j "${JOBS:-$(nproc)}" "${extra[@]}" "${files[@]/#/$PWD/}"
else
  status=0
  for f in "${files[@]}"; do clang-tidy -quiet -p "$BUILD_DIR" "${extra[@]}" "$f" || status=1; done
  exit $status
fi
