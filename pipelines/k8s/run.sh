#!/usr/bin/env bash
# Runs a distributed `yi-prep pack` on Kubernetes: the shared volume, the indexed pack Job, and
# the merge Job once every rank has completed.
#
#   pipelines/k8s/run.sh [-n NAMESPACE] [--timeout 24h]
#
# The volume must already hold /data/corpus and /data/tokenizers/yi/tokenizer.model (README.md).
set -euo pipefail
namespace=()
timeout=24h
while (($#)); do
  case "$1" in
    -n|--namespace) namespace=(-n "$2"); shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) echo "usage: $0 [-n NAMESPACE] [--timeout 24h]" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
k() { kubectl "${namespace[@]}" "$@"; }

k apply -f "$here/pvc.yaml"
k apply -f "$here/pack-indexed-job.yaml"
echo "waiting for job/yi-prep-pack (all ranks) ..."
# Complete or Failed, whichever comes first; a failed pack must not be merged.
k wait --for=condition=complete --timeout="$timeout" job/yi-prep-pack &
complete=$!
k wait --for=condition=failed --timeout="$timeout" job/yi-prep-pack &
failed=$!
wait -n "$complete" "$failed" || true
if ! k get job/yi-prep-pack -o jsonpath='{.status.conditions[?(@.type=="Complete")].status}' | grep -q True; then
  kill "$complete" "$failed" 2>/dev/null || true
  echo "job/yi-prep-pack did not complete; see: kubectl ${namespace[*]} logs -l app.kubernetes.io/component=pack" >&2
  exit 1
fi
kill "$failed" 2>/dev/null || true
k delete job/yi-prep-merge --ignore-not-found
k apply -f "$here/merge-job.yaml"
k wait --for=condition=complete --timeout="$timeout" job/yi-prep-merge
k logs job/yi-prep-merge
