#!/usr/bin/env bash
# End-to-end tests of the admin console in Debian's Chromium (playwright-core).
# Usage: tests/e2e/run.sh <path/to/zhanqun> <temp dir>
# Env: E2E_SCREENSHOTS (default build/e2e-screenshots), E2E_ONLY (substring of test names).
set -euo pipefail
BIN=$(realpath "${1:?usage: run.sh <zhanqun binary> <temp dir>}")
TMP=$(realpath -m "${2:?usage: run.sh <zhanqun binary> <temp dir>}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WEB="$ROOT/web/admin"
export E2E_SCREENSHOTS=$(realpath -m "${E2E_SCREENSHOTS:-$ROOT/build/e2e-screenshots}")
mkdir -p "$TMP" "$E2E_SCREENSHOTS"

if [ ! -d "$WEB/node_modules/playwright-core" ]; then (cd "$WEB" && npm ci --no-audit --no-fund); fi
if [ ! -f "$WEB/dist/index.html" ]; then (cd "$WEB" && npm run build); fi

# The binary finds the console and the themes next to itself (<exe>/../web/admin/dist,
# <exe>/../themes); for a binary elsewhere point it at this checkout.
export ZHANQUN_SERVER_CONSOLE_DIR="${ZHANQUN_SERVER_CONSOLE_DIR:-$WEB/dist}"
export ZHANQUN_PUBLISH_THEMES_DIR="${ZHANQUN_PUBLISH_THEMES_DIR:-$ROOT/themes}"

DATA="$TMP/data"
rm -rf "$DATA"
"$BIN" demo --data "$DATA" --sites 3 > "$TMP/demo.out" 2>&1 || { cat "$TMP/demo.out"; exit 1; }

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
ADMIN_PORT=$(free_port); PUBLIC_PORT=$(free_port)
while [ "$PUBLIC_PORT" = "$ADMIN_PORT" ]; do PUBLIC_PORT=$(free_port); done
"$BIN" serve --data "$DATA" --admin "127.0.0.1:$ADMIN_PORT" --public "127.0.0.1:$PUBLIC_PORT" > "$TMP/serve.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$ADMIN_PORT/api/v1/health" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER" 2>/dev/null; then echo "server exited:"; cat "$TMP/serve.log"; exit 1; fi
  sleep 0.1
done

export E2E_ADMIN="http://127.0.0.1:$ADMIN_PORT" E2E_PUBLIC_PORT="$PUBLIC_PORT" E2E_DEMO_OUT="$TMP/demo.out" E2E_DATA="$DATA" E2E_TMP="$TMP" E2E_WEB="$WEB"
status=0
node "$ROOT/tests/e2e/console.test.mjs" || status=$?
node "$ROOT/tests/e2e/xss.test.mjs" || status=$?
node "$ROOT/tests/e2e/ops.test.mjs" || status=$?
if [ $status -ne 0 ]; then echo "--- server log (tail) ---"; tail -n 40 "$TMP/serve.log"; fi
echo "screenshots: $E2E_SCREENSHOTS"
exit $status
