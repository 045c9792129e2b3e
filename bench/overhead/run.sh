#!/usr/bin/env bash
# The overhead bench of issue #10: nginx (fixed OpenAI-shaped answers) as the upstream, wrk as the load, and the
# upstream directly, a bare YARP pass-through, Switchyard and Portkey as targets, all on 127.0.0.1.
# Usage: bash bench/overhead/run.sh [--quick] [--soak] [--targets direct,yarp,switchyard,portkey] [--scenarios chat,image256,image1024] ...
# Writes bench/overhead/results/latest.md (soak.md for --soak). Exit 0: every target met, 1: one missed, 2: could not run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
    exit 2
  fi
  echo "installing ${missing[*]} (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"

# Portkey (npm) in a bench-local folder that is not committed.
portkey_version=1.15.2
portkey="$here/.portkey"
if [ ! -f "$portkey/node_modules/@portkey-ai/gateway/build/start-server.js" ] || \
   ! grep -q "\"version\": \"$portkey_version\"" "$portkey/node_modules/@portkey-ai/gateway/package.json" 2>/dev/null; then
  echo "installing @portkey-ai/gateway@$portkey_version (npm) into $portkey"
  mkdir -p "$portkey"
  (cd "$portkey" && npm install --silent --no-audit --no-fund --no-save "@portkey-ai/gateway@$portkey_version" >/dev/null)
fi

# The bench project references the gateway and the YARP floor, so one build brings all three up to date.
dotnet build "$repo/bench/Switchyard.Bench.Overhead" -c Release -v q -nologo >/dev/null
exec dotnet "$repo/bench/Switchyard.Bench.Overhead/bin/Release/net10.0/switchyard-bench-overhead.dll" --portkey-dir "$portkey" "$@"
