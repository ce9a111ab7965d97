#!/usr/bin/env bash
# Fuzzes one target for a bounded time: tools/fuzz/run.sh TARGET SECONDS [libFuzzer flags...]
# Targets: jsonl wikitext mediawiki spmodel compressed pipeline dataset (docs/reliability.md).
# Builds the libFuzzer binary (tools/fuzz/build.sh) and the seed corpus (make_seeds.py, from
# ../shared) on first use; the growing corpus stays in .build-fuzz/corpus/TARGET between runs and
# crashing inputs land in .build-fuzz/crashes/TARGET/. Exits non-zero on a finding.
# Long campaigns: run it under `nice -n 19` on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:?usage: tools/fuzz/run.sh TARGET SECONDS [libFuzzer flags...]}
seconds=${2:?usage: tools/fuzz/run.sh TARGET SECONDS [libFuzzer flags...]}
shift 2
shared=${YI_SHARED:-../shared}

binary=$(tools/fuzz/build.sh)
seeds=.build-fuzz/seeds
if [ ! -d "$seeds/$target" ]; then
  swift build --product yi-prep >&2
  python3 tools/fuzz/make_seeds.py "$shared" "$seeds" "$(swift build --product yi-prep --show-bin-path)/yi-prep" >&2
fi
[ -d "$seeds/$target" ] || { echo "unknown target $target" >&2; exit 2; }
corpus=.build-fuzz/corpus/$target
crashes=.build-fuzz/crashes/$target
mkdir -p "$corpus" "$crashes"

log=.build-fuzz/$target.log
set +e
started=$SECONDS
# -timeout: one input may take at most 10 s; -rss_limit_mb: a 2 GB ceiling (limits are tested
# separately); inputs up to 16 KB.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:${ASAN_OPTIONS:-} "$binary" "$target" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 -artifact_prefix="$crashes/" "$@" "$corpus" "$seeds/$target" 2>"$log"
status=$?
set -e
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
found=$(ls "$crashes" | wc -l)
echo "$target: $runs executions in $((SECONDS - started))s (limit ${seconds}s), exit $status, $found file(s) in $crashes (log: $log)"
if [ $status -ne 0 ]; then tail -40 "$log" >&2; fi
exit $status
