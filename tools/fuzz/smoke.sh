#!/usr/bin/env bash
# CI's fuzz smoke run: every target for a fixed number of executions after one build; fails on
# any finding. A fixed seed and a fixed count, not a time limit: a faster CI machine then explores
# no further than a local smoke run from a fresh clone did (it once found an overflow a slower
# machine's 10 s had not reached). The targets are not perfectly repeatable (hashing and the file
# system vary the coverage slightly), so this narrows the gap rather than closing it. New findings
# come from longer campaigns (tools/fuzz/run.sh, docs/reliability.md).
# The counts take about 8 s per target on a 2-core CI machine; SCALE (default 1) multiplies them.
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${1:-1}
for entry in jsonl:25000 wikitext:20000 mediawiki:20000 spmodel:200000 compressed:6000 pipeline:40000 dataset:13000; do
  target=${entry%%:*}
  runs=$(( ${entry#*:} * scale ))
  # The time limit only guards against a hung machine; the count ends the run.
  tools/fuzz/run.sh "$target" $(( 120 * scale )) -seed=1 -runs="$runs"
done
