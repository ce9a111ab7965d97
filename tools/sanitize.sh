#!/usr/bin/env bash
# Runs the whole Swift test suite under a sanitizer: tools/sanitize.sh address|thread [swift test args...]
# Builds into its own scratch folder (.build-asan / .build-tsan, ignored by git) so the normal
# .build/ stays as it is. On a shared machine: nice -n 19 tools/sanitize.sh address
# Times and results of the last runs: docs/reliability.md ("Sanitizers").
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: tools/sanitize.sh address|thread [swift test args...]}
shift
case "$kind" in
  address) scratch=.build-asan
           # Leak checking is off: Swift runtime metadata and Foundation caches are reported as leaks.
           export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:${ASAN_OPTIONS:-} ;;
  thread)  scratch=.build-tsan
           export TSAN_OPTIONS=halt_on_error=1:${TSAN_OPTIONS:-} ;;
  *) echo "usage: tools/sanitize.sh address|thread [swift test args...]" >&2; exit 2 ;;
esac
start=$(date +%s)
swift build --build-tests --sanitize="$kind" --scratch-path "$scratch"
built=$(date +%s)
swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" "$@"
done=$(date +%s)
echo "sanitize $kind: build $((built - start)) s, tests $((done - built)) s"
