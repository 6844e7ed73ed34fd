#!/usr/bin/env bash
# npm run test:slurm — npc's sharded evaluation under a real Slurm, on this one machine.
#
# Installs Slurm and MUNGE from Debian if they are missing (as root), starts munged, slurmctld and
# slurmd on localhost with a throw-away configuration, submits a 4-task array of `npc eval --shard
# auto` (AG News test rows × the 2,000-row train head from the data sets the tests read: NPC_TEST_DATA,
# default ../shared/data) and a merge job that waits for it (--dependency=afterok), and compares the
# merged file with the unsharded run's, byte for byte.
# Every daemon it started is stopped, by PID, on every exit path. It ends with `test:slurm: PASSED: …` or
# `test:slurm: FAILED: …`. Not root: skipped, with the reason; under CI=true that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA_ROOT=${NPC_TEST_DATA:-../shared/data}   # the data sets, as the tests find them (relative: from the repository root)
case "$DATA_ROOT" in /*) ;; *) DATA_ROOT=$ROOT/$DATA_ROOT ;; esac
DATA=$DATA_ROOT/ag_news
ROWS=${NPC_SLURM_ROWS:-2000}   # test rows evaluated (first N): enough for 4 real shards, quick on 2 cores

say() { echo "test:slurm: $*"; }
if [ "$(id -u)" != 0 ]; then
  if [ -n "${CI:-}" ]; then say "FAILED: needs root (to install Slurm and run its daemons); failing because CI is set"; exit 1; fi
  say "SKIPPED: needs root (to install Slurm and run its daemons)"
  exit 0
fi
for f in train.first2000.jsonl.gz test.jsonl.gz; do
  if [ ! -f "$DATA/$f" ]; then say "FAILED: $DATA/$f is missing (the shared data set)"; exit 1; fi
done
if [ ! -f dist/cli/main.js ]; then npm run build > /dev/null; fi

if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null || ! command -v sbatch > /dev/null || ! command -v munged > /dev/null; then
  say "installing slurmctld slurmd slurm-client munge from Debian"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq > /dev/null && apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge > /dev/null; }; then
    say "FAILED: could not install Slurm (slurmctld slurmd slurm-client munge) from Debian"
    exit 1
  fi
fi

WORK=$(mktemp -d /tmp/npc-slurm.XXXXXX)
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
  done
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT INT TERM
# A command that fails unexpectedly (set -e) is named, so the run never ends without its FAILED line.
trap 'say "FAILED: line $LINENO: \`$BASH_COMMAND\` exited with $?"' ERR

# MUNGE authenticates Slurm's messages; its key comes with the Debian package. Its own socket, in a
# folder of ours (the munge user must be able to reach it).
chmod 755 "$WORK"
mkdir -p /run/munge "$WORK/munge"
chown munge:munge /run/munge "$WORK/munge"
if [ ! -f /etc/munge/munge.key ]; then mungekey --create > /dev/null 2>&1 || /usr/sbin/create-munge-key -f > /dev/null; fi
setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F --socket="$WORK/munge/munge.socket" > "$WORK/munged.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$WORK/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$WORK/munge/munge.socket" ] || { say "FAILED: munged did not start"; cat "$WORK/munged.log"; exit 1; }

HOST=$(hostname -s)
CPUS=$(nproc)
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/parts"
cat > "$WORK/slurm.conf" << EOF
ClusterName=npc
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$WORK/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=$HOST CPUs=$CPUS State=UNKNOWN
PartitionName=npc Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$WORK/slurm.conf
slurmctld -D -f "$SLURM_CONF" > /dev/null 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" > /dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  if timeout 2 sinfo -h -o '%t' 2> /dev/null | grep -q idle; then break; fi
  sleep 0.2
done
sinfo -h -o '%t' 2> /dev/null | grep -q idle || { say "FAILED: the Slurm node never became idle"; tail -n 5 "$WORK/slurmctld.log" "$WORK/slurmd.log"; exit 1; }
say "Slurm is up: $(sinfo -h -o '%P %D nodes %c CPUs %t')"

NPC="node $ROOT/bin/npc.js"
EVAL="$NPC eval --train $DATA/train.first2000.jsonl.gz --test $DATA/test.jsonl.gz -k 1,2,3,5 --limit $ROWS --quiet"
START=$(date +%s)
ARRAY=$(sbatch --parsable --array=0-3 --cpus-per-task=1 --output="$WORK/shard-%a.log" \
  --wrap "$EVAL --jobs 1 --shard auto --save-neighbors $WORK/parts/part-\$SLURM_ARRAY_TASK_ID.nbr")
MERGE=$(sbatch --parsable --dependency=afterok:"$ARRAY" --output="$WORK/merge.log" \
  --wrap "$NPC merge $WORK/parts/part-*.nbr -o $WORK/merged.nbr")
say "submitted array job $ARRAY (4 tasks: npc eval --shard auto) and merge job $MERGE (--dependency=afterok:$ARRAY)"

# Meanwhile, the unsharded run, on this node's CPUs too.
$EVAL --jobs 2 --save-neighbors "$WORK/unsharded.nbr" > "$WORK/unsharded.txt"
say "unsharded run: $(head -1 "$WORK/unsharded.txt" | tr -s ' ')"

for _ in $(seq 600); do
  # The job's record is kept for MinJobAge seconds after it ends (the unsharded run may outlast the jobs).
  state=$(scontrol show job "$MERGE" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1) || state=
  case "$state" in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
  sleep 0.5
done
say "merge job $MERGE: ${state:-unknown} after $(($(date +%s) - START)) s"
for i in 0 1 2 3; do
  if [ -f "$WORK/shard-$i.log" ]; then say "array task ${ARRAY}_$i: $(head -1 "$WORK/shard-$i.log" | tr -s ' ')"; fi
done
if [ -f "$WORK/merge.log" ]; then say "merge job $MERGE: $(cat "$WORK/merge.log")"; fi
if [ "${state:-}" != COMPLETED ]; then say "FAILED: the merge job did not complete"; exit 1; fi
ls -l "$WORK/parts" | sed 's/^/test:slurm:   /'
if cmp "$WORK/merged.nbr" "$WORK/unsharded.nbr"; then
  say "PASSED: the merged file ($(stat -c %s "$WORK/merged.nbr") bytes, sha256 $(sha256sum "$WORK/merged.nbr" | cut -c1-16)…) equals the unsharded run's byte for byte"
else
  say "FAILED: the merged file differs from the unsharded run's"
  exit 1
fi
