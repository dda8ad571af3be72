#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster on loopback for the tests,
# from Debian's packages. Usage: scripts/pg.sh start DIR PORT | stop DIR
# `start` prints the connection URL on stdout.
set -euo pipefail
cmd=$1 dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then echo "pg.sh: PostgreSQL server binaries not found" >&2; exit 1; fi
as_owner=()
if [ "$(id -u)" -eq 0 ]; then as_owner=(runuser -u postgres --); fi
case "$cmd" in
  start)
    port=$3
    rm -rf "$dir" && mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
    "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U zq --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=${PG_FSYNC:-off} -c max_connections=300" start >/dev/null
    "${as_owner[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U zq zqtest
    echo "postgresql://zq@127.0.0.1:$port/zqtest"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
