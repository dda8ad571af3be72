# Sourced by the benchmarks: paths, tool installs, free ports, the binary.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
ZQ=$BUILD_DIR/zhanqun

# need_pkg DEBIAN-PACKAGE… : apt-get install what is missing.
need_pkg() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "bench: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The release build of zhanqun (scripts/build.sh; quick when up to date).
need_zhanqun() {
  if [ "${ZQ_BENCH_NO_BUILD:-0}" != 1 ]; then
    "$ROOT/scripts/deps.sh"
    BUILD_DIR=$BUILD_DIR JOBS=${JOBS:-2} "$ROOT/scripts/build.sh" >/dev/null
  fi
  [ -x "$ZQ" ] || { echo "bench: $ZQ is missing" >&2; exit 1; }
}

# bench_work NAME: a temporary directory in $work, removed on exit together
# with every process whose pid the script appends to $pids.
bench_work() {
  work=$(mktemp -d "/tmp/zq-bench-$1-XXXXXX")
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT: until something listens there (10 s).
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on $1" >&2
  return 1
}

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }

# start_nginx DATA DIR PORT UPSTREAM_PORT: nginx in the foreground (background
# job) with `zhanqun nginx-conf`'s configuration, every path it writes in DIR.
# Sets NGINX_PID.
start_nginx() {
  local data=$1 nd=$2 port=$3 up=$4
  mkdir -p "$nd"
  "$ZQ" nginx-conf --data "$data" --listen "127.0.0.1:$port" --upstream "127.0.0.1:$up" >"$nd/zhanqun.conf"
  {
    echo "worker_processes auto;"
    # as root, workers would run as nobody and could not read a private tmp dir
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    echo "pid $nd/nginx.pid;"
    echo "error_log $nd/error.log;"
    echo "events { worker_connections 1024; }"
    echo "http {"
    echo "    include /etc/nginx/mime.types;"
    echo "    default_type application/octet-stream;"
    echo "    access_log off;"
    echo "    server_names_hash_bucket_size 128;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "    ${t}_temp_path $nd/$t;"; done
    echo "    include $nd/zhanqun.conf;"
    echo "}"
  } >"$nd/nginx.conf"
  /usr/sbin/nginx -p "$nd" -e "$nd/error.log" -c "$nd/nginx.conf" -g 'daemon off;' &
  NGINX_PID=$!
  wait_port "$port"
}

# start_nginx_tuned DIR PORT SERVERS: nginx as its documentation tunes it for
# static files, around the server blocks in the file SERVERS (which may also
# hold http-level map blocks); every path it writes in DIR. Sets NGINX_PID.
# Where each directive comes from (bench/README.md, public-vs-nginx):
#   nginx admin guide, "Serve Static Content" / "Optimizing Performance for
#     Serving Content": sendfile on, sendfile_max_chunk 1m, tcp_nopush on,
#     tcp_nodelay on, keepalive_timeout 65;
#   ngx_http_core_module, open_file_cache (its example, with the sizes asked
#     for in issue 11): max=10000 inactive=60s, valid 60s, min_uses 1, errors on;
#   ngx_http_gzip_static_module: gzip_static on (the publisher writes .gz);
#   access_log off; worker_processes 2 (one per core here).
start_nginx_tuned() {
  local nd=$1 port=$2 servers=$3
  mkdir -p "$nd"
  {
    echo "worker_processes 2;"
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    echo "pid $nd/nginx.pid;"
    echo "error_log $nd/error.log;"
    echo "events { worker_connections 1024; }"
    echo "http {"
    echo "    include /etc/nginx/mime.types;"
    echo "    default_type application/octet-stream;"
    echo "    access_log off;"
    echo "    sendfile on;"
    echo "    sendfile_max_chunk 1m;"
    echo "    tcp_nopush on;"
    echo "    tcp_nodelay on;"
    echo "    keepalive_timeout 65;"
    echo "    open_file_cache max=10000 inactive=60s;"
    echo "    open_file_cache_valid 60s;"
    echo "    open_file_cache_min_uses 1;"
    echo "    open_file_cache_errors on;"
    echo "    gzip_static on;"
    echo "    server_tokens off;"
    echo "    server_names_hash_bucket_size 128;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "    ${t}_temp_path $nd/$t;"; done
    echo "    include $servers;"
    echo "}"
  } >"$nd/nginx.conf"
  /usr/sbin/nginx -p "$nd" -e "$nd/error.log" -c "$nd/nginx.conf" -g 'daemon off;' &
  NGINX_PID=$!
  wait_port "$port"
}
