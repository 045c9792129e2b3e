#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests use first:
#  - Debian packages for audio encoders and offline speech (lame, opus-tools, flac, espeak-ng),
#    so the speech formats are tested for real, not only their "not available" answer;
#  - Debian's postgresql package, and starts a throwaway cluster on 127.0.0.1 (scripts/postgres.sh)
#    for the storage contract tests, stopped again on exit; SWITCHYARD_TEST_POSTGRES, when already
#    set, names a server to use instead;
#  - Debian's redis-server package, and starts a throwaway server on 127.0.0.1 (scripts/redis.sh)
#    for the shared rate limit and circuit tests; SWITCHYARD_TEST_REDIS, when set, names one instead;
#  - Debian's chromium package, which the dashboard's browser tests drive through Playwright (never a browser
#    download; without /usr/bin/chromium those tests fail and say what to install);
#  - Debian's nodejs and npm, with which scripts/s3.sh installs s3rver (npm registry) into .tools/ and
#    starts it on 127.0.0.1 for the S3 artifact store tests, stopped again on exit; SWITCHYARD_TEST_S3,
#    when already set, names a server to use instead;
#  - NuGet packages (dotnet restore).
# Prints a closing line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for program in lame:lame opusenc:opus-tools flac:flac espeak-ng:espeak-ng; do
  command -v "${program%%:*}" >/dev/null 2>&1 || need+=("${program##*:}")
done
[ -x /usr/bin/chromium ] || need+=(chromium)
# PostgreSQL's server binaries are not on PATH in Debian's layout.
if [ -z "${SWITCHYARD_TEST_POSTGRES:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ -z "${SWITCHYARD_TEST_REDIS:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  need+=(redis-server)
fi
if [ -z "${SWITCHYARD_TEST_S3:-}" ]; then
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v npm >/dev/null 2>&1 || need+=(npm)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${need[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null) \
      || echo "warning: could not install ${need[*]}; speech tests will check the 'not available' answers instead, PostgreSQL, S3 and browser tests will fail"
  else
    echo "note: not root, not installing ${need[*]}; speech tests will check the 'not available' answers instead, PostgreSQL, S3 and browser tests will fail"
  fi
fi

# Servers this run started are stopped on exit; ones already running are someone else's.
cleanup=()
trap 'for c in "${cleanup[@]}"; do $c >/dev/null 2>&1 || true; done' EXIT

if [ -z "${SWITCHYARD_TEST_POSTGRES:-}" ]; then
  # A cluster that was already running is someone else's: use it, leave it running.
  scripts/postgres.sh url >/dev/null 2>&1 || cleanup+=("scripts/postgres.sh stop")
  if url=$(scripts/postgres.sh start); then
    export SWITCHYARD_TEST_POSTGRES="$url"
    echo "postgresql: $url"
  else
    echo "warning: PostgreSQL could not be started; the PostgreSQL storage tests will fail and say why"
  fi
fi

if [ -z "${SWITCHYARD_TEST_REDIS:-}" ]; then
  scripts/redis.sh url >/dev/null 2>&1 || cleanup+=("scripts/redis.sh stop")
  if url=$(scripts/redis.sh start); then
    export SWITCHYARD_TEST_REDIS="$url"
    echo "redis: $url"
  else
    echo "warning: Redis could not be started; the Redis tests will fail and say why"
  fi
fi

if [ -z "${SWITCHYARD_TEST_S3:-}" ]; then
  # Likewise, a server that was already running is someone else's.
  scripts/s3.sh url >/dev/null 2>&1 || cleanup+=("scripts/s3.sh stop")
  if url=$(scripts/s3.sh start); then
    export SWITCHYARD_TEST_S3="$url"
    echo "s3: $url"
  else
    echo "warning: the S3-compatible server could not be started; the S3 artifact store tests will fail and say why"
  fi
fi

# Playwright's driver ships in its NuGet package; the browser is Debian's chromium, never a download.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
dotnet restore Switchyard.slnx --verbosity quiet
dotnet build Switchyard.slnx --no-restore --configuration Release --verbosity quiet -nologo

log=$(mktemp)
status=0
dotnet test Switchyard.slnx --no-build --configuration Release 2>&1 | tee "$log" || status=$?

passed=0; failed=0; skipped=0
while read -r f p s; do
  failed=$((failed + f)); passed=$((passed + p)); skipped=$((skipped + s))
done < <(grep -oE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | sed -E 's/[^0-9]+/ /g')
rm -f "$log"

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
