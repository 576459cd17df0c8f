#!/usr/bin/env bash
# Back up a loaded catalog, wipe it, restore it and compare: `bzpeer digest`
# (every table's rows, and PostgreSQL's sequences) must be the same after.
#
#   bash scripts/backup-check.sh sqlite|postgres [--demo]
#
# Each run makes its own throwaway database (a temporary SQLite file, or a
# PostgreSQL cluster from scripts/with-postgres.sh on PG_PORT, default 55480)
# and never touches the configured one. It loads the dblp and ORCID demo
# files and resolves them (seconds); --demo loads the whole demo data set.
set -euo pipefail
cd "$(dirname "$0")/.."
KIND=${1:?usage: backup-check.sh sqlite|postgres [--demo]}
BZPEER=${BZPEER:-$PWD/.venv/bin/bzpeer}
WORK=$(mktemp -d /tmp/bzpeer-backup-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

load() {
  "$BZPEER" migrate >/dev/null
  if [ "${1:-}" = "--demo" ]; then
    "$BZPEER" demo --quiet >/dev/null
  else
    "$BZPEER" import dblp src/bzpeer/demo/data/dblp >/dev/null
    "$BZPEER" import orcid src/bzpeer/demo/data/orcid >/dev/null
  fi
}

check() {  # $1: how to wipe the database
  "$BZPEER" digest >"$WORK/before.tsv"
  "$BZPEER" backup "$WORK/catalog.backup" >/dev/null
  eval "$1"
  "$BZPEER" restore --yes "$WORK/catalog.backup" >/dev/null
  "$BZPEER" digest >"$WORK/after.tsv"
  if ! diff -u "$WORK/before.tsv" "$WORK/after.tsv"; then
    echo "backup-check ($KIND): the restored database differs" >&2
    exit 1
  fi
  local tables rows
  tables=$(wc -l <"$WORK/before.tsv")
  rows=$(awk -F'\t' '$3 != "" {n += $2} END {print n}' "$WORK/before.tsv")
  echo "backup-check ($KIND): $tables tables and sequences, $rows rows: identical after restore"
}

case "$KIND" in
  sqlite)
    unset DATABASE_URL
    export BZPEER_SQLITE="$WORK/catalog.sqlite3"
    load "${2:-}"
    check 'rm -f "$BZPEER_SQLITE" "$BZPEER_SQLITE-wal" "$BZPEER_SQLITE-shm"'
    ;;
  postgres)
    export PG_PORT=${PG_PORT:-55480}
    export -f load check
    export BZPEER WORK KIND
    bash scripts/with-postgres.sh bash -c '
      set -euo pipefail
      createdb() { "${PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
      createdb -d postgres -c "CREATE DATABASE bzpeer"
      load "'"${2:-}"'"
      check "createdb -d postgres -c \"DROP DATABASE bzpeer WITH (FORCE)\" -c \"CREATE DATABASE bzpeer\""
    '
    ;;
  *)
    echo "usage: backup-check.sh sqlite|postgres [--demo]" >&2
    exit 2
    ;;
esac
