#!/usr/bin/env bash
# The same published tree (a demo district) served by `zhanqun serve`'s public
# listener and by nginx with the configuration `zhanqun nginx-conf` prints;
# wrk on loopback, keep-alive, same threads/connections/duration, a mix of
# URLs (home, article, list, image, css) with a Host header.
#   bench/public-vs-nginx/run.sh      (THREADS=2 CONNECTIONS=64 DURATION=10 ROUNDS=2)
source "$(dirname "$0")/../lib.sh"
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
need_pkg wrk nginx-light
need_zhanqun

work=$(mktemp -d /tmp/zq-bench-nginx-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$ZQ" demo --data "$work/data" --sites 2 --seed 1 >"$work/demo.log"
code=$(sed -n 's/^站点 \([^ ]*\) .*/\1/p' "$work/demo.log" | head -1)
host="$code.demo.test"
site="$work/data/publish/$code"
theme=$(ls "$site/_theme" | head -1)
article=$(cd "$site" && ls a/*.html | sort -t/ -k2 -n | tail -1)
image=$(cd "$site" && find _media -name '*.png' | head -1)
paths=("/" "/$article" "/news/" "/news/2.html" "/$image" "/_theme/$theme/style.css")

zport=$(free_port)
"$ZQ" serve --data "$work/data" --admin 127.0.0.1:0 --public "127.0.0.1:$zport" >"$work/zq.log" 2>&1 &
pids+=($!)
wait_port "$zport"

nport=$(free_port)
start_nginx "$work/data" "$work/nginx" "$nport" "$zport"
pids+=("$NGINX_PID")

for p in "${paths[@]}"; do
  for port in "$zport" "$nport"; do
    s=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$p")
    [ "$s" = 200 ] || { echo "bench: $p on port $port answered $s" >&2; exit 1; }
  done
done

{
  echo "local paths = {"
  for p in "${paths[@]}"; do echo "  \"$p\","; done
  echo "}"
  echo "local i = 0"
  echo "request = function()"
  echo "  i = i % #paths + 1"
  echo "  return wrk.format(\"GET\", paths[i], {[\"Host\"] = \"$host\", [\"Accept-Encoding\"] = \"gzip\"})"
  echo "end"
} >"$work/mix.lua"

# run PORT → "req/s p99_ms"
run() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$work/mix.lua" "http://127.0.0.1:$1/" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/mix.lua" "http://127.0.0.1:$1/" >"$work/wrk.out"
  python3 - "$work/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
v, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", t, re.M).groups()
p99 = float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
errs = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", t)
print(f"{rps:.0f} {p99:.3f}", "errors:" + errs.group(0).replace(" ", "_") if errs else "")
PY
}

echo "public-vs-nginx: $host, ${#paths[@]} URLs (${paths[*]}), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS round(s)"
best_z=0 best_n=0 p99_z=0 p99_n=0
for r in $(seq "$ROUNDS"); do
  read -r zr zp ze <<<"$(run "$zport")"
  read -r nr np ne <<<"$(run "$nport")"
  echo "  round $r: zhanqun $zr req/s p99 ${zp} ms $ze | nginx $nr req/s p99 ${np} ms $ne"
  if python3 -c "import sys; sys.exit(0 if float('$zr') > float('$best_z') else 1)"; then best_z=$zr p99_z=$zp; fi
  if python3 -c "import sys; sys.exit(0 if float('$nr') > float('$best_n') else 1)"; then best_n=$nr p99_n=$np; fi
done
echo "zhanqun serve : $best_z req/s, p99 $p99_z ms"
echo "nginx         : $best_n req/s, p99 $p99_n ms"
echo "RESULT public-vs-nginx req/s ratio $(ratio "$best_z" "$best_n")x (aim >= 1.0), p99 ratio $(ratio "$p99_z" "$p99_n")x (aim <= 1.0)"
