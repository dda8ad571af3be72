#!/usr/bin/env bash
# Creates the demo district (once) in ./demo-data and runs the platform.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${ZHANQUN_DEMO_DATA:-demo-data}
ADMIN=${ZHANQUN_DEMO_ADMIN:-127.0.0.1:8081}
PUBLIC=${ZHANQUN_DEMO_PUBLIC:-127.0.0.1:8080}
if [ ! -f "$DATA/DEMO-LOGINS.txt" ]; then
  mkdir -p "$DATA"
  umask 077
  build/zhanqun demo --data "$DATA" --sites "${ZHANQUN_DEMO_SITES:-70}" --seed 1 >"$DATA/DEMO-LOGINS.txt"
fi
echo "================================================================"
echo " 站群 Zhanqun 演示区"
echo " 管理端（admin console / API）: http://$ADMIN/"
cat "$DATA/DEMO-LOGINS.txt"
echo "================================================================"
exec build/zhanqun serve --data "$DATA" --admin "$ADMIN" --public "$PUBLIC"
