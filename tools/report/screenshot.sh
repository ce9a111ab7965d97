#!/usr/bin/env bash
# Renders a `yi-prep stats --html` report in a real headless browser and saves a PNG, to check
# that the self-contained HTML (inline SVG, no script) displays as intended.
#
#   tools/report/screenshot.sh [REPORT.html] [OUT.png]
#
# Without REPORT.html it makes one: the stats of a synthetic dataset with 23 sources, four buckets
# and a damaged input, written by the Swift shard writer (the ReportTests suite,
# YI_STATS_REPORT_OUT=...). The page is shot 1280 px wide. Installs Debian's chromium if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
report="${1:-}"
out="${2:-/tmp/yi-prep-report.png}"

if [ -z "$report" ]; then
  dir="$(mktemp -d /tmp/yi-prep-report.XXXXXX)"
  swift build --build-tests >/dev/null
  YI_STATS_REPORT_OUT="$dir" swift test --skip-build --filter ReportTests >/dev/null
  report="$dir/many-sources.html"
  echo "report: $report (terminal rendering beside it: $dir/many-sources.txt)"
fi
[ -f "$report" ] || { echo "no such report: $report" >&2; exit 2; }

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  browser="$(command -v chromium)"
fi

# --no-sandbox: containers and root shells have no user namespaces for chromium's sandbox.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size=1280,4000 --screenshot="$out" "file://$(realpath "$report")" 2>/dev/null
[ -s "$out" ] || { echo "no screenshot written" >&2; exit 1; }
echo "screenshot: $out"
