#!/usr/bin/env bash
# CI's fuzz smoke run: every target for SECONDS (default 10) after one build; fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
for target in jsonl wikitext mediawiki spmodel compressed pipeline dataset; do
  tools/fuzz/run.sh "$target" "$seconds" -seed=1  # a fixed seed: the same run on every CI machine
done
