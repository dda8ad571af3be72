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

bench_work nginx

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
zpid=$!
pids+=("$zpid")
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

# cpu_ticks PID… → user+system clock ticks of these processes (all threads)
cpu_ticks() {
  local t=0
  for p in "$@"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done
  echo "$t"
}
# run PORT PID… → "req/s p99_ms requests_per_cpu_second [errors]"
run() {
  local port=$1
  shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$work/mix.lua" "http://127.0.0.1:$port/" >/dev/null
  local c0 c1
  c0=$(cpu_ticks "$@")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/mix.lua" "http://127.0.0.1:$port/" >"$work/wrk.out"
  c1=$(cpu_ticks "$@")
  python3 - "$work/wrk.out" "$((c1 - c0))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
cpu = int(sys.argv[2]) / int(sys.argv[3])
reqs = int(re.search(r"(\d+) requests in", t).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
v, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", t, re.M).groups()
p99 = float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
errs = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", t)
print(f"{rps:.0f} {p99:.3f} {reqs / cpu if cpu else 0:.0f}", "errors:" + errs.group(0).replace(" ", "_") if errs else "")
PY
}

echo "public-vs-nginx: $host, ${#paths[@]} URLs (${paths[*]}), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS round(s)"
best_z=0 best_n=0 p99_z=0 p99_n=0 cpu_z=0 cpu_n=0
nginx_pids() { echo "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); }
for r in $(seq "$ROUNDS"); do
  read -r zr zp zc ze <<<"$(run "$zport" "$zpid")"
  # shellcheck disable=SC2046
  read -r nr np nc ne <<<"$(run "$nport" $(nginx_pids))"
  echo "  round $r: zhanqun $zr req/s p99 ${zp} ms, $zc req per CPU s $ze | nginx $nr req/s p99 ${np} ms, $nc req per CPU s $ne"
  if python3 -c "import sys; sys.exit(0 if float('$zr') > float('$best_z') else 1)"; then best_z=$zr p99_z=$zp cpu_z=$zc; fi
  if python3 -c "import sys; sys.exit(0 if float('$nr') > float('$best_n') else 1)"; then best_n=$nr p99_n=$np cpu_n=$nc; fi
done
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "zhanqun serve : $best_z req/s, p99 $p99_z ms, $cpu_z requests per CPU second"
echo "nginx         : $best_n req/s, p99 $p99_n ms, $cpu_n requests per CPU second"
echo "RESULT public-vs-nginx req/s ratio $(ratio "$best_z" "$best_n")x (aim >= 1.0), p99 ratio $(ratio "$p99_z" "$p99_n")x (aim <= 1.0), per CPU second $(ratio "$cpu_z" "$cpu_n")x"
