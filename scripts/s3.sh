#!/usr/bin/env bash
# A throwaway S3-compatible server for the tests: s3rver from the npm registry, run by Node.
#   scripts/s3.sh start   installs s3rver (first time), starts it; prints its endpoint URL on stdout
#   scripts/s3.sh url     prints the endpoint URL of the running server
#   scripts/s3.sh stop    stops it and removes its data folder
# It listens only on 127.0.0.1 on 54568 or the next free port, accepts the access key S3RVER (any
# other access key gets 403 InvalidAccessKeyId; s3rver does not verify SigV4 signatures, so the
# secret key is not checked), and creates the bucket
# switchyard-test. s3rver is installed into .tools/s3rver in the checkout; its data lives in a folder
# of its own per checkout (SWITCHYARD_S3_DIR overrides), so worktrees running tests at once do not
# share or stop each other's server. Every command is idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${SWITCHYARD_S3_DIR:-/tmp/switchyard-s3-$(printf '%s' "$root" | sha256sum | cut -c1-12)}
tools=$root/.tools/s3rver
version=3.7.1
bucket=switchyard-test

say() { echo "s3.sh: $*" >&2; }

install() {
  if [ -f "$tools/node_modules/s3rver/package.json" ] && grep -q "\"version\": \"$version\"" "$tools/node_modules/s3rver/package.json"; then
    return
  fi
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "Node.js and npm are needed for s3rver; install them with: apt-get install -y nodejs npm"
    exit 1
  fi
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "s3rver@$version" >"$tools/install.log" 2>&1 \
    || { cat "$tools/install.log" >&2; say "npm install s3rver@$version failed"; exit 1; }
}

url() { echo "http://127.0.0.1:$(cat "$dir/port")"; }

running() { [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null && [ -f "$dir/port" ] && ! port_free "$(cat "$dir/port")"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if running; then
    url
    return
  fi

  install
  rm -rf "$dir"
  mkdir -p "$dir/data"
  local port=54568 tries=0
  while true; do
    while ! port_free "$port"; do port=$((port + 1)); done
    # setsid: the server outlives this script and is stopped by its pid, never by name.
    setsid node "$tools/node_modules/s3rver/bin/s3rver.js" -d "$dir/data" -a 127.0.0.1 -p "$port" --silent \
      --no-vhost-buckets --configure-bucket "$bucket" >"$dir/server.log" 2>&1 < /dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
      if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
      if ! port_free "$port"; then echo "$port" >"$dir/port"; url; return; fi
      sleep 0.1
    done
    tries=$((tries + 1))
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    if [ "$tries" -ge 5 ]; then
      tail -n 20 "$dir/server.log" >&2 || true
      say "could not start s3rver (see $dir/server.log)"
      exit 1
    fi
    port=$((port + 1))
  done
}

stop() {
  if [ -f "$dir/pid" ]; then
    kill "$(cat "$dir/pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url)
    if running; then url; else say "not running; start it with: scripts/s3.sh start"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
