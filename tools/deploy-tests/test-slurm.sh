#!/usr/bin/env bash
# Runs deploy/slurm/score-array.sbatch on a real one-node Slurm cluster on localhost:
#  1. installs Debian's slurm-wlm and munge when missing, and starts munged (unless one
#     runs), slurmctld and slurmd with a one-node configuration in a temporary folder;
#  2. scores generated photos once in one process (the reference), then submits a 4-task
#     array over the same folder and waits for it;
#  3. merges the 4 parts with inspect merge and checks they are byte-identical to the
#     reference;
#  4. stops the daemons it started.
# Prints the time of each step. Needs root (or sudo) for apt and the daemons.
# Environment: INSPECT (a built binary; default: build it), TEST_PHOTOS_GOOD and
# TEST_PHOTOS_BAD (generated photos to score, default 120 and 80), MACHINE_LINE=0 (no
# tools/machine-speed.sh line at the end).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/deploy-tests/common.sh
started=$(date +%s)
inspect_binary
apt_install slurm-wlm munge

work=$(mktemp -d /tmp/inspect-slurm.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/state" "$work/spool" "$work/logs"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done
    echo "stopped the daemons this test started; files in $work" >&2
}
trap cleanup EXIT

step() { echo "== $* ($(( $(date +%s) - started )) s)" >&2; }

step "photos and model"
make_demo_model "$work" "${TEST_PHOTOS_GOOD:-120}" "${TEST_PHOTOS_BAD:-80}"
photos="$work/demo/test"
count=$(find "$photos" -type f | wc -l)

step "one process over $count photos"
t0=$(date +%s.%N)
"$INSPECT" score "$photos" --model "$work/store/demo" --out "$work/reference.csv" || [ $? -eq 1 ]
t1=$(date +%s.%N)
one_process=$(echo "$t1 - $t0" | bc)

step "munge and Slurm daemons"
if ! pgrep -x munged >/dev/null; then
    [ -s /etc/munge/munge.key ] || { mungekey --create 2>/dev/null || create-munge-key -f; }
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged --foreground >"$work/logs/munged.out" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null || { echo "error: munge does not work" >&2; exit 1; }

node=$(hostname -s)
cpus=$(nproc)
cat > "$work/slurm.conf" <<CONF
ClusterName=inspect-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -D -f "$SLURM_CONF" >"$work/logs/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$node" >"$work/logs/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    sinfo -h -o %T 2>/dev/null | grep -qx idle && break
    sleep 0.2
done
sinfo -h -o "%P %D %T" | grep -q idle || { echo "error: the Slurm node did not come up; see $work/logs" >&2; exit 1; }

step "4-task array (sbatch --wait)"
t0=$(date +%s.%N)
INSPECT="$INSPECT" sbatch --wait --array=0-3 --cpus-per-task=1 --chdir="$work/logs" \
    --export=ALL,INSPECT="$INSPECT",INSPECT_SCORE_ARGS="--threads 1" \
    deploy/slurm/score-array.sbatch "$photos" "$work/store/demo" "$work/parts"
t1=$(date +%s.%N)
array=$(echo "$t1 - $t0" | bc)

step "merge and compare"
"$INSPECT" merge "$work/merged.csv" "$work"/parts/part-*.csv
cmp "$work/merged.csv" "$work/reference.csv"
rows=$(( $(wc -l < "$work/reference.csv") - 1 ))
echo "PASS: 4 Slurm array tasks merged are byte-identical to one process ($rows rows)"
# From the first task's start to the last one's end, as slurmctld logged them (sbatch --wait
# polls, so it returns some seconds later).
stamp() { date -d "$(sed -n "s/^\[\([^]]*\)\] $1.*/\1/p" "$work/logs/slurmctld.log" | $2 -n 1)" +%s.%N; }
tasks=$(echo "$(stamp '_job_complete: JobId=[0-9_]*([0-9]*) done' tail) - $(stamp 'sched: Allocate' head)" | bc)
printf 'one process (--threads %s): %.1f s, %.1f photos/s\n' "$cpus" "$one_process" "$(echo "$rows / $one_process" | bc -l)"
printf '4-task array, 1 CPU and --threads 1 per task, %s CPUs: tasks ran %.1f s (%.1f photos/s); %.1f s from sbatch to sbatch --wait returning\n' \
    "$cpus" "$tasks" "$(echo "$rows / $tasks" | bc -l)" "$array"
echo "whole test: $(( $(date +%s) - started )) s"
# The machine line builds bench-tensors; MACHINE_LINE=0 leaves it out (when another build runs).
[ "${MACHINE_LINE:-1}" = 0 ] || bash tools/machine-speed.sh 2>/dev/null
