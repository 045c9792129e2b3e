#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, from Debian's postgresql package.
#   scripts/postgres.sh start   creates (first time) and starts it; prints its URL on stdout
#   scripts/postgres.sh url     prints the URL of the running cluster
#   scripts/postgres.sh stop    stops it and removes its folder
# It listens only on 127.0.0.1 (trust auth, loopback only) on 55432 or the next free port, and
# lives in a folder of its own per checkout (SWITCHYARD_POSTGRES_DIR overrides), so worktrees
# running tests at once do not share or stop each other's cluster. Every command is idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${SWITCHYARD_POSTGRES_DIR:-/tmp/switchyard-postgres-$(printf '%s' "$root" | sha256sum | cut -c1-12)}
data=$dir/data
database=switchyard
user=postgres

say() { echo "postgres.sh: $*" >&2; }

binaries() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
    say "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); install it with: apt-get install -y postgresql"
    exit 1
  fi
  echo "$found"
}

# initdb refuses to run as root, so the cluster belongs to the postgres OS user when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() { [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }

url() { echo "postgres://$user@127.0.0.1:$(cat "$dir/port")/$database"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if running; then
    url
    return
  fi

  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$data" -U "$user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; say "initdb failed"; exit 1; }
    # Loopback only, no other client; durability is not needed for test data.
    as_owner tee "$data/pg_hba.conf" >/dev/null <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi

  # Another cluster (another worktree) may take a port between the check and the start, so try several.
  local port=55432 tries=0
  while true; do
    while ! port_free "$port"; do port=$((port + 1)); done
    if as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 -o "-p $port" start >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 10 ]; then
      tail -n 20 "$dir/server.log" >&2 || true
      say "could not start PostgreSQL (see $dir/server.log)"
      exit 1
    fi
    port=$((port + 1))
  done
  as_owner tee "$dir/port" >/dev/null <<<"$port"

  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$database"
  fi
  url
}

stop() {
  if [ -f "$data/PG_VERSION" ]; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) bin=$(binaries); start ;;
  stop)
    if [ -d "$dir" ]; then bin=$(binaries); stop; fi ;;
  url)
    bin=$(binaries)
    if running; then url; else say "not running; start it with: scripts/postgres.sh start"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
