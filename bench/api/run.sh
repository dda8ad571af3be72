#!/usr/bin/env bash
# The admin API at scale: the article list (plain, filtered by column and
# status, a title search that finds some and one that finds none, a deep page) and article create, under 32
# concurrent clients (wrk, closed loop, keep-alive, one session), on SQLite and
# on PostgreSQL, for a site of 10,000 and of 100,000 articles.
#   bench/api/run.sh          (SIZES="10000 100000" ENGINES="sqlite postgres"
#                              CONNECTIONS=32 DURATION=10)
# Prints p50/p99 and requests/s per request kind; the aim (issue 11): list
# p99 < 20 ms at 100,000 articles on both engines, create p99 < 30 ms.
source "$(dirname "$0")/../lib.sh"
SIZES=${SIZES:-"10000 100000"}
ENGINES=${ENGINES:-"sqlite postgres"}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10}
need_pkg wrk
need_zhanqun
bench_work api

pg_url=""
if [[ " $ENGINES " == *" postgres "* ]]; then
  pgport=$(free_port)
  # durable, as SQLite is (synchronous=FULL): the server's own default fsync=on
  pg_url=$(PG_FSYNC=on "$ROOT/scripts/pg.sh" start "$work/pg" "$pgport")
  trap '"$ROOT/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true; bench_cleanup' EXIT
fi

# login BASE USER PASSWORD → "cookie csrf"
login() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys, urllib.request
base, user, pw = sys.argv[1:]
req = urllib.request.Request(base + "/api/v1/auth/login", data=json.dumps({"username": user, "password": pw}).encode(),
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req) as r:
    body = json.load(r)
    cookie = r.headers["Set-Cookie"].split(";")[0]
print(cookie, body["csrf"])
PY
}

# get BASE COOKIE PATH → JSON body
get() { curl -fsS -H "Cookie: $2" "$1$3"; }

# wrk_run NAME METHOD PATH [BODY] → "p50_ms p99_ms req/s errors"
wrk_run() {
  local name=$1 method=$2 path=$3 body=${4:-}
  cat >"$work/$name.lua" <<LUA
wrk.method = "$method"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$csrf"
wrk.headers["Content-Type"] = "application/json"
local body = [[$body]]
local n = 0
request = function()
  n = n + 1
  if wrk.method == "POST" then
    return wrk.format(nil, "$path", nil, (body:gsub("#N#", tostring(n))))
  end
  return wrk.format(nil, "$path")
end
LUA
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$work/$name.lua" "$base" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/$name.lua" "$base" >"$work/$name.out"
  python3 - "$work/$name.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def pct(p):
    v, unit = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, t, re.M).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
s = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
errs = (int(m.group(1)) if m else 0) + (sum(int(x) for x in s.groups()) if s else 0)
print(f"{pct(50):.2f} {pct(99):.2f} {rps:.0f} {errs}")
PY
}

results=()
for engine in $ENGINES; do
  for size in $SIZES; do
    data="$work/$engine-$size"
    dbargs=()
    if [ "$engine" = postgres ]; then
      schema="b${size}"
      psql "$pg_url" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
      dbargs=(--db "$pg_url?options=-csearch_path%3D$schema")
    fi
    t0=$(date +%s.%N)
    "$ZQ" demo --data "$data" "${dbargs[@]}" --sites 1 --seed 1 --news-articles "$size" --no-publish >"$work/demo.log"
    t1=$(date +%s.%N)
    code=$(sed -n 's/^站点 \([^ ]*\) .*/\1/p' "$work/demo.log" | head -1)
    pw=$(sed -n 's/^演示账号：.*密码 \(.*\)$/\1/p' "$work/demo.log")
    port=$(free_port)
    "$ZQ" serve --data "$data" "${dbargs[@]}" --admin "127.0.0.1:$port" --public 127.0.0.1:0 >"$work/serve-$engine-$size.log" 2>&1 &
    spid=$!
    pids+=("$spid")
    wait_port "$port"
    base="http://127.0.0.1:$port"
    read -r cookie csrf <<<"$(login "$base" "$code.admin" "$pw")"
    site=$(get "$base" "$cookie" "/api/v1/sites" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
    total=$(get "$base" "$cookie" "/api/v1/sites/$site/articles?page_size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
    news=$(get "$base" "$cookie" "/api/v1/sites/$site/columns" | python3 -c '
import json,sys
for c in json.load(sys.stdin)["items"]:
    if c["slug"] == "news": print(c["id"])')
    deep=$(( total / 2 / 20 ))
    # A topic word of the generated titles ("<school>举行<topic>活动": a few
    # percent of the titles have it), and a word that no title has (the
    # search reads every title of the site).
    word=$(get "$base" "$cookie" "/api/v1/sites/$site/articles?page_size=1&page=7" | python3 -c '
import json,sys; t=json.load(sys.stdin)["items"][0]["title"]; print(t.split("举行")[-1][:2])')
    wenc=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$word")
    rare=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("无此标题"))')
    echo "$engine, $total articles (demo built in $(python3 -c "print(f'{$t1-$t0:.0f}')") s): site $code ($site), news column $news, deep page $deep, search \"$word\""
    declare -A kinds=(
      [list]="GET /api/v1/sites/$site/articles?page=1&page_size=20"
      [list_column_status]="GET /api/v1/sites/$site/articles?column_id=$news&status=published&page=1&page_size=20"
      [list_search]="GET /api/v1/sites/$site/articles?q=$wenc&page=1&page_size=20"
      [list_search_none]="GET /api/v1/sites/$site/articles?q=$rare&page=1&page_size=20"
      [list_deep]="GET /api/v1/sites/$site/articles?page=$deep&page_size=20"
    )
    for k in list list_column_status list_search list_search_none list_deep; do
      read -r m p <<<"${kinds[$k]}"
      read -r p50 p99 rps errs <<<"$(wrk_run "$k" "$m" "$p")"
      echo "  $k: p50 $p50 ms, p99 $p99 ms, $rps req/s, errors $errs"
      results+=("RESULT api $engine $total $k p50 $p50 ms p99 $p99 ms $rps req/s errors $errs")
    done
    body="{\"column_id\": $news, \"title\": \"基准测试信息 #N#\", \"body\": \"<p>学校举行基准测试活动，第 #N# 篇。</p>\"}"
    read -r p50 p99 rps errs <<<"$(wrk_run create POST "/api/v1/sites/$site/articles" "$body")"
    echo "  create: p50 $p50 ms, p99 $p99 ms, $rps req/s, errors $errs"
    results+=("RESULT api $engine $total create p50 $p50 ms p99 $p99 ms $rps req/s errors $errs")
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    rm -rf "$data"
  done
done
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s per kind; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '%s\n' "${results[@]}"
