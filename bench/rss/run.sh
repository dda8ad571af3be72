#!/usr/bin/env bash
# Resident memory of `zhanqun serve` holding the full demo district (70 sites)
# after a warm-up crawl of every site: home, every column's first page, the
# first articles, the theme's CSS, an image, the search page. The same crawl
# against nginx (master + workers, `zhanqun nginx-conf`) for comparison.
#   bench/rss/run.sh            (SITES=70 ARTICLES_PER_SITE=10)
source "$(dirname "$0")/../lib.sh"
SITES=${SITES:-70}
ARTICLES_PER_SITE=${ARTICLES_PER_SITE:-10}
need_pkg nginx-light
need_zhanqun

bench_work rss

t=$(date +%s)
"$ZQ" demo --data "$work/data" --sites "$SITES" --seed 1 >"$work/demo.log"
echo "rss: demo district of $SITES sites built in $(( $(date +%s) - t )) s ($(grep -o '共.*篇信息' "$work/demo.log"))"

zport=$(free_port)
"$ZQ" serve --data "$work/data" --admin 127.0.0.1:0 --public "127.0.0.1:$zport" >"$work/zq.log" 2>&1 &
zpid=$!
pids+=("$zpid")
wait_port "$zport"
nport=$(free_port)
start_nginx "$work/data" "$work/nginx" "$nport" "$zport"
pids+=("$NGINX_PID")

# crawl PORT: every site, the pages above, twice (the second pass hits caches).
crawl() {
  python3 - "$work/data/publish" "$1" "$ARTICLES_PER_SITE" <<'PY'
import http.client, json, os, sys, urllib.parse
root, port, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
n = bad = 0
for _ in range(2):
    for code in sorted(os.listdir(root)):
        if code.startswith("."):
            continue
        files = json.load(open(os.path.join(root, code, "manifest.json")))["files"]
        html = sorted(p for p in files if p.endswith(".html"))
        arts = [p for p in html if p.startswith("/a/")][:per]
        cols = [p for p in html if p.endswith("/index.html") and p.count("/") == 2]
        other = [p for p in files if p.endswith(".css") or p.endswith(".png")][:4]
        paths = ["/"] + [p[: -len("index.html")] for p in cols] + arts + other + ["/search?q=" + urllib.parse.quote("科技"), "/no-such-page"]
        c = http.client.HTTPConnection("127.0.0.1", port)
        for p in paths:
            c.request("GET", p, headers={"Host": f"{code}.demo.test", "Accept-Encoding": "gzip, br"})
            r = c.getresponse()
            r.read()
            n += 1
            if p.startswith("/search"):
                # one client searching 140 times: the per-client limit answers 429
                ok = r.status in (200, 429)
            else:
                ok = r.status == (404 if p == "/no-such-page" else 200)
            if not ok:
                bad += 1
                if bad <= 5:
                    print(f"unexpected {r.status} for {code} {p}", file=sys.stderr)
        c.close()
print(n, bad)
PY
}
# kb PID… → summed VmRSS and VmHWM in kB
kb() {
  local rss=0 hwm=0
  for p in "$@"; do
    rss=$(( rss + $(awk '/^VmRSS/{print $2}' "/proc/$p/status") ))
    hwm=$(( hwm + $(awk '/^VmHWM/{print $2}' "/proc/$p/status") ))
  done
  echo "$rss $hwm"
}
read -r zn zbad <<<"$(crawl "$zport")"
read -r nn nbad <<<"$(crawl "$nport")"
read -r zrss zhwm <<<"$(kb "$zpid")"
# nginx master and its workers
npids=("$NGINX_PID" $(pgrep -P "$NGINX_PID" || true))
read -r nrss nhwm <<<"$(kb "${npids[@]}")"
mb() { python3 -c "print(f'{$1/1024:.1f}')"; }
echo "crawl: $zn requests to zhanqun ($zbad unexpected status), $nn to nginx ($nbad unexpected status)"
echo "zhanqun serve : VmRSS $(mb "$zrss") MB, VmHWM $(mb "$zhwm") MB"
echo "nginx (${#npids[@]} processes): VmRSS $(mb "$nrss") MB, VmHWM $(mb "$nhwm") MB"
echo "RESULT rss zhanqun VmRSS $(mb "$zrss") MB (aim < 150 MB: $(ratio "$zrss" $((150 * 1024)))x of the aim), $(ratio "$zrss" "$nrss")x nginx's"
[ "$zbad" = 0 ] && [ "$nbad" = 0 ]
