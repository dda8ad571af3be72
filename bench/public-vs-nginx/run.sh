#!/usr/bin/env bash
# The same published tree (a demo district) served by `zhanqun serve`'s public
# listener and by two nginx peers:
#   nginx-conf   nginx with the configuration `zhanqun nginx-conf` prints (what
#                operators deploy), worker_processes auto;
#   nginx-tuned  nginx as its documentation tunes it for static files
#                (start_nginx_tuned in bench/lib.sh: sendfile, tcp_nopush,
#                open_file_cache, gzip_static, access_log off, 2 workers) with
#                one plain server block for the site: root, index, charset,
#                gzip_static, and the same response headers (security headers,
#                Cache-Control) as the others; no disable_symlinks, no regular
#                expression locations, no try_files.
# wrk on loopback, keep-alive, same threads/connections/duration, a mix of
# URLs (home, article, list, image, css) with a Host header and
# Accept-Encoding: gzip. Before measuring, every URL is fetched from each
# server and its body compared with the file on disk (the .gz variant when the
# publisher wrote one), and the response headers compared with zhanqun's.
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

# Peer 1: `zhanqun nginx-conf`.
cport=$(free_port)
start_nginx "$work/data" "$work/nginx-conf" "$cport" "$zport"
cpid=$NGINX_PID
pids+=("$cpid")

# Peer 2: tuned for static files. The header lines are the ones nginx-conf
# writes (security headers; Cache-Control by the same content-hash rule as
# static_site.cc), so that all three send the same headers and bodies.
tport=$(free_port)
mkdir -p "$work/nginx-tuned"
{
  echo "map \$uri \$zq_cache_control {"
  echo "    default \"no-cache\";"
  # kContentHashedRegex (static_site.cc), anchored under /_theme or /_media
  sed -n 's/^ *location ~ "\(\^\/_(theme|media)(\/\.\*)?.*\)" {$/    "~\1" "public, max-age=31536000, immutable";/p' \
    "$work/nginx-conf/zhanqun.conf" | head -1
  echo "    \"~^/_(theme|media)/\" \"public, max-age=3600\";"
  echo "}"
  echo "server {"
  echo "    listen 127.0.0.1:$tport;"
  echo "    server_name $host;"
  echo "    root \"$site\";"
  echo "    index index.html;"
  echo "    charset utf-8;"
  grep -m1 '^ *charset_types ' "$work/nginx-conf/zhanqun.conf"
  echo "    gzip_vary on;"
  echo "    add_header Cache-Control \$zq_cache_control always;"
  grep '^ *add_header \(Content-Security-Policy\|X-Content-Type-Options\|Referrer-Policy\|Permissions-Policy\|X-Frame-Options\) ' \
    "$work/nginx-conf/zhanqun.conf" | sed 's/^ */    /' | sort -u
  echo "    location / { }"
  echo "}"
  echo "server {"
  echo "    listen 127.0.0.1:$tport default_server;"
  echo "    return 404;"
  echo "}"
} >"$work/nginx-tuned/servers.conf"
grep -q immutable "$work/nginx-tuned/servers.conf" || { echo "bench: no content-hash rule in nginx-conf's output" >&2; exit 1; }
start_nginx_tuned "$work/nginx-tuned" "$tport" "$work/nginx-tuned/servers.conf"
tpid=$NGINX_PID
pids+=("$tpid")

# Same bytes from all three: the body is the file on disk, its .gz when there
# is one (Content-Encoding: gzip then), and the headers match zhanqun's but for
# those that name the server or the moment (Date, Server, Connection,
# Keep-Alive) and the ETag, whose format differs (size-mtime on both, in
# another order): printed, not fatal.
for p in "${paths[@]}"; do
  f=${p#/}
  case "$f" in "" | */) f="${f}index.html" ;; esac
  want="$site/$f"
  enc=""
  [ -f "$want.gz" ] && { want="$want.gz"; enc=gzip; }
  want_sum=$(sha256sum <"$want" | cut -d' ' -f1)
  for side in zhanqun:$zport nginx-conf:$cport nginx-tuned:$tport; do
    name=${side%%:*} port=${side##*:}
    s=$(curl -s -o "$work/body" -D "$work/head.$name" -w '%{http_code}' -H "Host: $host" \
      -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$p")
    [ "$s" = 200 ] || { echo "bench: $p on $name answered $s" >&2; exit 1; }
    got_sum=$(sha256sum <"$work/body" | cut -d' ' -f1)
    [ "$got_sum" = "$want_sum" ] || { echo "bench: $p on $name: body is not ${want#"$site"/}" >&2; exit 1; }
    got_enc=$(tr -d '\r' <"$work/head.$name" | sed -n 's/^[Cc]ontent-[Ee]ncoding: *//p')
    [ "$got_enc" = "$enc" ] || { echo "bench: $p on $name: Content-Encoding '$got_enc', want '$enc'" >&2; exit 1; }
    tr -d '\r' <"$work/head.$name" | sed 1d | grep -v '^$' |
      grep -iv '^\(date\|server\|connection\|keep-alive\|etag\):' |
      awk -F': ' '{printf "%s: %s\n", tolower($1), $2}' | sort >"$work/fields.$name"
  done
  for name in nginx-conf nginx-tuned; do
    { diff "$work/fields.zhanqun" "$work/fields.$name" || true; } |
      sed -n "s|^< |  header note: $name does not send, on $p: |p; s|^> |  header note: $name also sends, on $p: |p"
  done
done
echo "  bodies checked: ${#paths[@]} URLs, identical on all three (gzip variants where written)"

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
pids_of() { echo "$1" $(pgrep -P "$1" || true); }
better() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$1" "$2"; }

echo "public-vs-nginx: $host, ${#paths[@]} URLs (${paths[*]}), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS round(s)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A best=([z]=0 [c]=0 [t]=0) p99=([z]=0 [c]=0 [t]=0) cpu=([z]=0 [c]=0 [t]=0)
for r in $(seq "$ROUNDS"); do
  line="  round $r:"
  for side in z:zhanqun:$zport:$zpid c:nginx-conf:$cport:$cpid t:nginx-tuned:$tport:$tpid; do
    IFS=: read -r k name port pid <<<"$side"
    # shellcheck disable=SC2046
    read -r rr rp rc re <<<"$(run "$port" $(pids_of "$pid"))"
    line+=" $name $rr req/s p99 $rp ms, $rc req/CPU s${re:+ $re} |"
    if better "$rr" "${best[$k]}"; then best[$k]=$rr p99[$k]=$rp cpu[$k]=$rc; fi
  done
  echo "${line% |}"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
load="load average ${load_before%% *} before, ${load_after%% *} after ($load_after) on $(nproc) cores"
echo "$load"
echo "zhanqun serve : ${best[z]} req/s, p99 ${p99[z]} ms, ${cpu[z]} requests per CPU second"
echo "nginx-conf    : ${best[c]} req/s, p99 ${p99[c]} ms, ${cpu[c]} requests per CPU second"
echo "nginx-tuned   : ${best[t]} req/s, p99 ${p99[t]} ms, ${cpu[t]} requests per CPU second"
for k in c t; do
  name=nginx-conf aim=""
  [ "$k" = t ] && name=nginx-tuned aim=" (aim >= 1.2)"
  echo "RESULT public-vs-$name req/s ratio $(ratio "${best[z]}" "${best[$k]}")x, p99 ratio $(ratio "${p99[z]}" "${p99[$k]}")x (aim <= 1.0), per CPU second $(ratio "${cpu[z]}" "${cpu[$k]}")x$aim; $load"
done
