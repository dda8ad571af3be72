#!/usr/bin/env bash
# Incremental publish latency (issue 3): one site with 10,000 published
# articles; a reviewer corrects one published article in place, E times; the
# latency from the edit to the last affected file renamed into place, and its
# CPU time. Aim: p99 under 50 ms.
#   bench/incremental/run.sh      (ARTICLES=10000 EDITS=200 NEW=20)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${ZQ_BENCH_NO_BUILD:-0}" != 1 ]; then
  BUILD_DIR="$root/build" JOBS=${JOBS:-2} "$root/scripts/build.sh" >/dev/null
fi
out=$(mktemp)
"$root/build/bench/incremental/zq_bench_incremental" --articles "${ARTICLES:-10000}" \
  --edits "${EDITS:-200}" --new "${NEW:-20}" | tee "$out"
p99=$(sed -n 's/^edit -> live (store + files).*p99 \([0-9.]*\) ms.*/\1/p' "$out")
cpu=$(sed -n 's/^edit -> live, CPU time.*p99 \([0-9.]*\) ms.*/\1/p' "$out")
echo "RESULT incremental: edit -> live p99 ${p99} ms (CPU p99 ${cpu} ms), aim < 50 ms"
rm -f "$out"
