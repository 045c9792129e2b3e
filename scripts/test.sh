#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests use first:
#  - Debian packages for audio encoders and offline speech (lame, opus-tools, flac, espeak-ng),
#    so the speech formats are tested for real, not only their "not available" answer;
#  - NuGet packages (dotnet restore).
# Prints a closing line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for program in lame:lame opusenc:opus-tools flac:flac espeak-ng:espeak-ng; do
  command -v "${program%%:*}" >/dev/null 2>&1 || need+=("${program##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${need[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null) \
      || echo "warning: could not install ${need[*]}; speech tests will check the 'not available' answers instead"
  else
    echo "note: not root, not installing ${need[*]}; speech tests will check the 'not available' answers instead"
  fi
fi

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
