#!/usr/bin/env bash
# Runs this folder's Slurm example for real on a one-node Slurm started here (Debian's slurm-wlm,
# daemons on 127.0.0.1, state in a temporary folder), then checks that the merged dataset is
# byte-identical to a single `yi-prep pack` run of the same inputs.
#
#   pipelines/slurm/test-local.sh [YI_PREP] [RANKS]     (root; installs slurm-wlm with apt if missing)
#
# YI_PREP defaults to the release build of this checkout (.build/release/yi-prep). The inputs are
# the shared corpus shards (../shared/corpora/jsonl_zst, or $YI_SHARED/corpora/jsonl_zst) with
# small work parts, so every rank gets work. Stops only the daemons it started.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
yi_prep=$(realpath "${1:-$repo/.build/release/yi-prep}")
ranks=${2:-3}
shared=${YI_SHARED:-$repo/../shared}
[[ -x "$yi_prep" ]] || { echo "no yi-prep at $yi_prep (swift build -c release --product yi-prep)" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "run as root (starts munged, slurmctld, slurmd)" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm >/dev/null
fi

work=$(mktemp -d /tmp/yi-prep-slurm-test.XXXXXX)
# Stops the daemons this script started (by their pid files), keeps the folder when it failed.
cleanup() {
  local status=$?
  local pids=() pid
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    [[ -s "$pidfile" ]] && pids+=("$(cat "$pidfile")")
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do  # slurmctld saves its state while it stops
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  if ((status == 0)); then rm -rf "$work"; else echo "failed; logs kept in $work" >&2; fi
}
trap cleanup EXIT
wait_for_file() { for _ in $(seq 50); do [[ -s "$1" ]] && return 0; sleep 0.2; done; echo "no $1" >&2; return 1; }

# munge: a key of our own and a socket in the work folder, so a system munged is left alone.
mkdir -p "$work"/{munge,state,spool,log,data/corpus,data/tokenizers/yi}
dd if=/dev/urandom of="$work/munge/munge.key" bs=128 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
munged --force --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed"
wait_for_file "$work/munge/munged.pid"

node=$(hostname -s)
cpus=$(nproc)
port=$((20000 + RANDOM % 20000))
cat >"$work/slurm.conf" <<EOF
ClusterName=yitest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=4000
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$work/slurm.conf
slurmctld -f "$SLURM_CONF"
wait_for_file "$work/slurmctld.pid"
slurmd -f "$SLURM_CONF"
wait_for_file "$work/slurmd.pid"
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done

# The shared filesystem: inputs, tokenizer, binary.
cp "$shared"/corpora/jsonl_zst/*.jsonl.zst "$work/data/corpus/"
ln -s "$(realpath "$shared/tokenizers/yi/tokenizer.model")" "$work/data/tokenizers/yi/tokenizer.model"
mkdir -p "$work/data/bin" && cp "$yi_prep" "$work/data/bin/yi-prep"

export SHARED=$work/data PACK_ARGS="--part-bytes 300000"
"$repo/pipelines/slurm/submit.sh" "$ranks" --cpus-per-task=1 --mem=1G --chdir="$work/log"
for _ in $(seq 300); do
  [[ -z $(squeue -h 2>/dev/null) ]] && break
  sleep 1
done
cat "$work"/log/yi-prep-*.log

"$yi_prep" pack --len 8192,16384 --tokenizer "$work/data/tokenizers/yi/tokenizer.model" --out "$work/single" \
  --part-bytes 300000 --quiet "$work/data/corpus" 2>/dev/null
python3 - "$work/single" "$work/data/out" <<'EOF'
import json, sys
def files(folder):
    manifest = json.load(open(f"{folder}/manifest.json"))
    return {(b["directory"], s["name"], kind): info["sha256"]
            for b in manifest["buckets"] for s in b["shards"] for kind, info in s["files"].items()}
single, merged = files(sys.argv[1]), files(sys.argv[2])
if single != merged or not single:
    sys.exit(f"FAIL: the merged Slurm output differs from a single run ({len(merged)} vs {len(single)} files)")
print(f"PASS: Slurm array + merge gives the same {len(single)} shard files as a single run")
EOF
