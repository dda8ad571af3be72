#!/usr/bin/env bash
# Builds the libFuzzer targets (every fuzz/<name>_fuzz.cc) with clang, ASan and
# UBSan in build-fuzz/, then runs each for FUZZ_SECONDS (default 30) over a
# working copy of its seed corpus. Exits non-zero if any target fails.
#
#   scripts/fuzz.sh                     # every target
#   scripts/fuzz.sh multipart_fuzz      # just these
#   FUZZ_SECONDS=600 scripts/fuzz.sh    # longer run
#
# Inputs the fuzzer finds accumulate in build-fuzz/corpus/<name>/ and are
# reused next time; the checked-in seeds in fuzz/corpus/<name>/ are never
# written. Crash reproducers go to build-fuzz/artifacts/<name>/; rerun one
# with `build-fuzz/fuzz/<name> <file>`, and after fixing, copy it into
# fuzz/corpus/<name>/ so the ctest replay keeps it fixed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-30}
jobs=${FUZZ_JOBS:-2}

# Coverage instrumentation must reach the project libraries as well as the
# target executables (fuzz/CMakeLists.txt instruments only the latter), or
# libFuzzer cannot see into the code under test.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
flags+=" -fno-omit-frame-pointer"
# Clang 14 does not define what Boost.Asio checks before enabling coroutines.
flags+=" -DBOOST_ASIO_HAS_CO_AWAIT=1 -DBOOST_ASIO_HAS_STD_COROUTINE=1"

if (($# > 0)); then
  targets=("$@")
else
  targets=()
  for src in "$root"/fuzz/*_fuzz.cc; do
    [[ -e $src ]] && targets+=("$(basename "$src" .cc)")
  done
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz.sh: no fuzz targets in $root/fuzz" >&2
  exit 1
fi

CC=clang CXX=clang++ cmake -S "$root" -B "$build" \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZQ_FUZZ=ON -DZQ_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="$flags"
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

failed=()
summary=()
for t in "${targets[@]}"; do
  seeds=$root/fuzz/corpus/$t
  work=$build/corpus/$t
  artifacts=$build/artifacts/$t
  log=$build/logs/$t.log
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  if [[ -d $seeds ]]; then
    cp -n "$seeds"/* "$work"/ 2>/dev/null || true
  fi
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  if [[ -f $root/fuzz/$t.dict ]]; then
    args+=(-dict="$root/fuzz/$t.dict")
  fi
  echo "== $t: ${seconds}s, corpus $work"
  status=0
  "$build/fuzz/$t" "${args[@]}" "$work" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if ((status != 0)); then
    failed+=("$t")
    summary+=("$t: FAILED (exit $status), see $log and $artifacts/")
    tail -n 60 "$log" >&2
  else
    summary+=("$t: ok, ${units:-?} runs, ${execs:-?} execs/s, corpus $(find "$work" -type f | wc -l) files")
  fi
done

echo
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: failing targets: ${failed[*]}" >&2
  exit 1
fi
