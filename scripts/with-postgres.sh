#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster on 127.0.0.1.
# Installs Debian's postgresql if it is missing; stops and deletes the cluster after.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
PORT=${PG_PORT:-55432}
DIR=$(mktemp -d /tmp/bzpeer-pg.XXXXXX)
chown postgres "$DIR" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$PG_BIN/initdb" -D "$DIR/data" -U postgres -A trust --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -o "-h 127.0.0.1 -p $PORT -k $DIR -F" -l "$DIR/log" -w start >/dev/null
cleanup() { as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/bzpeer"
"$@"
