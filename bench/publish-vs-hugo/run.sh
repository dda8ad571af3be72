#!/usr/bin/env bash
# Full publish of one site with 10,000 articles: `zhanqun publish` (theme
# qingsong, 20 items a list page, article pages, RSS, sitemap, plus .gz/.br
# variants, the manifest and the search index) against Hugo building the
# same articles (exported from the store as HTML content with the same
# titles, dates, bodies and columns) with a minimal equivalent template
# (home, column lists paginated by 20, article pages, RSS per column).
# Hugo writes the pages only; so the same files as zhanqun's are measured
# too: Hugo followed by the .gz and .br variants of its pages, made with the
# same libraries at the same settings (libdeflate-gzip -6, brotli -q 5 with
# the window fitted to each file) on both cores.
#   bench/publish-vs-hugo/run.sh        (ARTICLES=10000 ROUNDS=2)
source "$(dirname "$0")/../lib.sh"
ARTICLES=${ARTICLES:-10000}
ROUNDS=${ROUNDS:-2}
need_pkg hugo sqlite3 libdeflate-tools brotli
need_zhanqun

bench_work hugo
data="$work/data"

t=$(date +%s.%N)
"$ZQ" demo --data "$data" --sites 1 --seed 1 --news-articles "$ARTICLES" --no-publish >"$work/demo.log"
code=$(sed -n 's/^站点 \([^ ]*\) .*/\1/p' "$work/demo.log" | head -1)
total=$(sqlite3 "$data/zhanqun.db" "SELECT COUNT(*) FROM articles WHERE status='published'")
echo "publish-vs-hugo: site $code, $total published articles (created in $(python3 -c "import time; print(f'{time.time()-$t:.0f}')") s)"

# The same content for Hugo: one HTML content file per article, JSON front
# matter, in a section per column.
site="$work/hugo"
mkdir -p "$site/content" "$site/layouts/_default"
sqlite3 -json "$data/zhanqun.db" "SELECT a.id, a.title, a.author, a.body, a.published_at, c.slug, c.name AS column_name
  FROM articles a JOIN columns c ON c.id = a.column_id WHERE a.status = 'published'" >"$work/articles.json"
python3 - "$work/articles.json" "$site/content" <<'PY'
import datetime, json, os, sys
rows = json.load(open(sys.argv[1]))
root = sys.argv[2]
sections = {}
for r in rows:
    d = os.path.join(root, r["slug"])
    if r["slug"] not in sections:
        os.makedirs(d, exist_ok=True)
        sections[r["slug"]] = r["column_name"]
        with open(os.path.join(d, "_index.html"), "w") as f:
            f.write(json.dumps({"title": r["column_name"]}, ensure_ascii=False) + "\n")
    date = datetime.datetime.fromtimestamp(r["published_at"] / 1000, datetime.timezone(datetime.timedelta(hours=8)))
    fm = {"title": r["title"], "date": date.isoformat(), "author": r["author"], "url": f"/a/{r['id']}.html"}
    with open(os.path.join(d, f"{r['id']}.html"), "w") as f:
        f.write(json.dumps(fm, ensure_ascii=False) + "\n" + r["body"] + "\n")
PY
cat >"$site/hugo.toml" <<'TOML'
baseURL = "/"
languageCode = "zh-CN"
title = "示范学校"
paginate = 20
disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404"]
[outputs]
  home = ["HTML"]
  section = ["HTML", "RSS"]
  page = ["HTML"]
[services.rss]
  limit = 20
TOML
cat >"$site/layouts/_default/baseof.html" <<'HTML'
<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} - {{ .Site.Title }}</title><link rel="stylesheet" href="/style.css"></head>
<body><a class="skip-link" href="#main">跳到主要内容</a>
<header><p class="site-name"><a href="/">{{ .Site.Title }}</a></p>
<nav aria-label="主导航"><ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav></header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer><p>主办单位：{{ .Site.Title }}</p></footer>
</body></html>
HTML
cat >"$site/layouts/_default/list.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}
{{ $pg := .Paginate $pages }}<ul class="list">{{ range $pg.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}
</ul>
<nav aria-label="分页">{{ if $pg.HasPrev }}<a href="{{ $pg.Prev.URL }}">上一页</a>{{ end }} 第 {{ $pg.PageNumber }} / {{ $pg.TotalPages }} 页 {{ if $pg.HasNext }}<a href="{{ $pg.Next.URL }}">下一页</a>{{ end }}</nav>{{ end }}
HTML
cat >"$site/layouts/_default/single.html" <<'HTML'
{{ define "main" }}<nav aria-label="面包屑"><a href="/">首页</a> › <a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></nav>
<article><h1>{{ .Title }}</h1><p class="meta">发布时间：<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006-01-02" }}</time> 作者：{{ .Params.author }}</p>
<div class="article-body">{{ .Content }}</div></article>
<nav aria-label="上下篇">{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">上一篇：{{ .Title }}</a>{{ end }} {{ with .NextInSection }}<a href="{{ .RelPermalink }}">下一篇：{{ .Title }}</a>{{ end }}</nav>{{ end }}
HTML

# timed OUT -- COMMAND…: runs it, writes "wall_s cpu_s" (user+sys of it and
# its children) to OUT and its standard output to OUT.out. CPU time matters on a shared machine, where the wall
# clock also counts waiting for a core.
timed() {
  local out=$1
  shift 2
  python3 - "$out" "$@" <<'PY'
import resource, subprocess, sys, time
t = time.time()
r = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1] + ".out", "w"), stderr=subprocess.PIPE)
wall = time.time() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{wall:.3f} {u.ru_utime + u.ru_stime:.3f}\n")
if r.returncode:
    sys.stderr.write(r.stderr.decode())
    sys.exit(r.returncode)
PY
}
per() { python3 -c "print(f'{$1/$2:.0f}')"; }
# One untimed build of each first (then moved aside like every round's):
# the store's write-ahead log from the demo is checkpointed, the binaries
# and the content are in the page cache.
"$ZQ" publish --data "$data" --site "$code" >/dev/null
hugo --quiet --source "$site" --destination "$site/public" >/dev/null
mkdir -p "$work/old/0/versions"
mv "$data/publish/$code" "$work/old/0/live"
mv "$data/publish/.versions/$code" "$work/old/0/versions/"
mv "$site/public" "$work/old/0/hugo-public"
best_z="" best_h="" best_zc="" best_hc="" best_v="" best_vc=""
for r in $(seq "$ROUNDS"); do
  # The previous round's output is moved aside, not deleted: ext4 skips
  # inodes freed in the last minutes when it allocates new ones (find_inode_bit
  # / recently_deleted), which made whichever build followed a large delete
  # up to twice as slow. And each side starts with nothing of the other's
  # left to write back: zhanqun syncs its own output before it returns, Hugo
  # does not, and writing back its 11,000 files would be charged to the next.
  mkdir -p "$work/old/$r/versions"
  [ -e "$data/publish/$code" ] && mv "$data/publish/$code" "$work/old/$r/live"
  [ -e "$data/publish/.versions/$code" ] && mv "$data/publish/.versions/$code" "$work/old/$r/versions/"
  sync
  timed "$work/zt" -- "$ZQ" publish --data "$data" --site "$code"
  read -r zsec zcpu <"$work/zt"
  zpages=$(find -L "$data/publish/$code" -name '*.html' | wc -l)
  zfiles=$(find -L "$data/publish/$code" -type f | wc -l)
  [ -e "$site/public" ] && mv "$site/public" "$work/old/$r/hugo-public"
  rm -rf "$site/resources"
  sync
  timed "$work/ht" -- hugo --quiet --source "$site" --destination "$site/public"
  read -r hsec hcpu <"$work/ht"
  hpages=$(find "$site/public" -name '*.html' | wc -l)
  hfiles=$(find "$site/public" -type f | wc -l)
  # Hugo's pages made servable like zhanqun's: a .gz and a .br beside each
  # page and feed of 256 bytes or more.
  sync
  timed "$work/vt" -- sh -c 'find "$1" -type f \( -name "*.html" -o -name "*.xml" \) -size +255c -print0 |
    xargs -0 -P2 -n 500 sh -c '"'"'libdeflate-gzip -6 -k "$@" && brotli -q 5 -w 0 -k -n "$@"'"'"' sh' sh "$site/public"
  read -r vsec vcpu <"$work/vt"
  vfiles=$(find "$site/public" -type f | wc -l)
  vsec=$(python3 -c "print($hsec + $vsec)") vcpu=$(python3 -c "print($hcpu + $vcpu)")
  zr=$(per "$zpages" "$zsec") hr=$(per "$hpages" "$hsec") zc=$(per "$zpages" "$zcpu") hc=$(per "$hpages" "$hcpu")
  vr=$(per "$hpages" "$vsec") vc=$(per "$hpages" "$vcpu")
  printf '  round %s: zhanqun %d pages (%d files) in %.2f s (%.2f s CPU) = %s pages/s (%s per CPU s) | hugo %d pages (%d files) in %.2f s (%.2f s CPU) = %s pages/s (%s per CPU s) | hugo + variants (%d files) in %.2f s (%.2f s CPU) = %s pages/s (%s per CPU s)\n' \
    "$r" "$zpages" "$zfiles" "$zsec" "$zcpu" "$zr" "$zc" "$hpages" "$hfiles" "$hsec" "$hcpu" "$hr" "$hc" "$vfiles" "$vsec" "$vcpu" "$vr" "$vc"
  sed -n 's/^[^：]*：[^（]*（\(.*\)）$/    zhanqun: \1/p' "$work/zt.out"
  if [ -z "$best_z" ] || [ "$zr" -gt "$best_z" ]; then best_z=$zr; fi
  if [ -z "$best_h" ] || [ "$hr" -gt "$best_h" ]; then best_h=$hr; fi
  if [ -z "$best_zc" ] || [ "$zc" -gt "$best_zc" ]; then best_zc=$zc; fi
  if [ -z "$best_hc" ] || [ "$hc" -gt "$best_hc" ]; then best_hc=$hc; fi
  if [ -z "$best_v" ] || [ "$vr" -gt "$best_v" ]; then best_v=$vr; fi
  if [ -z "$best_vc" ] || [ "$vc" -gt "$best_vc" ]; then best_vc=$vc; fi
done
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "zhanqun publish : $best_z pages/s ($best_zc pages per CPU second)"
echo "hugo            : $best_h pages/s ($best_hc pages per CPU second), pages only"
echo "hugo + variants : $best_v pages/s ($best_vc pages per CPU second), the same files as zhanqun's"
echo "RESULT publish-vs-hugo pages/s ratio $(ratio "$best_z" "$best_h")x (aim >= 1.0); per CPU second $(ratio "$best_zc" "$best_hc")x"
echo "RESULT publish-vs-hugo-with-variants pages/s ratio $(ratio "$best_z" "$best_v")x; per CPU second $(ratio "$best_zc" "$best_vc")x"
