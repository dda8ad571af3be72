#!/usr/bin/env bash
# The whole test suite: builds, runs every test on SQLite, then again on a
# throwaway PostgreSQL cluster on loopback. Set ZQ_SKIP_PG=1 to skip the
# second engine (never in CI). Everything is fetched first (Debian packages,
# the theme tools' and the console's npm packages), then built: every target.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/theme-tools.sh
BUILD_DIR=${BUILD_DIR:-build} ZQ_TARGETS="" scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
mkdir -p test-artifacts

echo "== tests on SQLite =="
ctest --test-dir "$BUILD_DIR" -j "$JOBS" --output-on-failure --timeout 600

if [ "${ZQ_SKIP_PG:-0}" = "1" ]; then
  echo "== PostgreSQL skipped (ZQ_SKIP_PG=1) =="
  exit 0
fi

pgdir=$(mktemp -d /tmp/zq-pg-XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
trap 'scripts/pg.sh stop "$pgdir"' EXIT
url=$(scripts/pg.sh start "$pgdir" "$port")
echo "== tests on PostgreSQL ($url) =="
ZHANQUN_TEST_PG="$url" ctest --test-dir "$BUILD_DIR" -j "$JOBS" --output-on-failure --timeout 600 -L integration
