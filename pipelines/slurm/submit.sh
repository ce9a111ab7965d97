#!/usr/bin/env bash
# Queues a distributed `yi-prep pack` on Slurm: an array of RANKS tasks (pack-array.sbatch) and
# a merge job (merge.sbatch) that runs once every task has succeeded.
#
#   SHARED=/lustre/$USER/yi pipelines/slurm/submit.sh [RANKS] [extra sbatch options...]
#
# Every variable pack-array.sbatch reads (SHARED, INPUTS, OUT, TOKENIZER, LENS, YI_PREP,
# PACK_ARGS) is passed on from this environment. Extra options go to both sbatch calls
# (e.g. --partition=cpu --account=myproject).
set -euo pipefail
ranks=${1:-8}
shift || true
[[ "$ranks" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [RANKS] [sbatch options...]" >&2; exit 2; }
: "${SHARED:?set SHARED to the shared filesystem folder that holds inputs and outputs}"
export SHARED
here=$(cd "$(dirname "$0")" && pwd)

# --parsable prints "jobid" or "jobid;cluster".
pack_job=$(sbatch --parsable --array="0-$((ranks - 1))" --export=ALL "$@" "$here/pack-array.sbatch")
pack_job=${pack_job%%;*}
merge_job=$(sbatch --parsable --dependency="afterok:$pack_job" --kill-on-invalid-dep=yes --export=ALL "$@" \
  "$here/merge.sbatch")
merge_job=${merge_job%%;*}
echo "pack: array job $pack_job (ranks 0-$((ranks - 1))); merge: job $merge_job after all ranks succeed"
