#!/usr/bin/env bash
# A throwaway Redis server for the tests, from Debian's redis-server package.
#   scripts/redis.sh start   starts it (first time creates its folder); prints its URL on stdout
#   scripts/redis.sh url     prints the URL of the running server
#   scripts/redis.sh stop    stops it and removes its folder
# It listens only on 127.0.0.1 on 56379 or the next free port, keeps nothing on disk, and lives
# in a folder of its own per checkout (SWITCHYARD_REDIS_DIR overrides), so worktrees running
# tests at once do not share or stop each other's server. Every command is idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${SWITCHYARD_REDIS_DIR:-/tmp/switchyard-redis-$(printf '%s' "$root" | sha256sum | cut -c1-12)}

say() { echo "redis.sh: $*" >&2; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running() {
  [ -f "$dir/port" ] && [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null \
    && redis-cli -h 127.0.0.1 -p "$(cat "$dir/port")" ping 2>/dev/null | grep -q PONG
}

url() { echo "redis://127.0.0.1:$(cat "$dir/port")"; }

start() {
  if running; then
    url
    return
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    say "Redis is not installed; install it with: apt-get install -y redis-server"
    exit 1
  fi

  rm -rf "$dir"
  mkdir -p "$dir"
  local port=56379 tries=0
  while true; do
    while ! port_free "$port"; do port=$((port + 1)); done
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize yes \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/server.log" >/dev/null 2>&1 || true
    echo "$port" >"$dir/port"
    for _ in $(seq 1 50); do
      if running; then url; return; fi
      sleep 0.1
    done
    tries=$((tries + 1))
    if [ "$tries" -ge 10 ]; then
      tail -n 20 "$dir/server.log" >&2 || true
      say "could not start Redis (see $dir/server.log)"
      exit 1
    fi
    port=$((port + 1))
  done
}

stop() {
  if [ -f "$dir/pid" ] || [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid" 2>/dev/null)" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  url) if running; then url; else say "not running"; exit 1; fi ;;
  stop) stop ;;
  *) echo "usage: $0 start|url|stop" >&2; exit 2 ;;
esac
