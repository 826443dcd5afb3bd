#!/usr/bin/env bash
# Proves the Slurm profile on a real Slurm: starts a single-node cluster on this machine from
# Debian's packages (munge, slurmctld, slurmd, and slurmdbd with a MariaDB server, because the
# Slurm executor plugin follows its jobs through `sacct`), runs the whole build through the
# Slurm executor (workflow/profiles/slurm), runs the same build locally, and compares the two
# results/ trees (cluster/compare_results.py: identical outputs; logs, benchmarks, the run state
# and the timestamps that xlsx files carry are left out).
#
#   sudo bash cluster/slurm-local.sh            # Debian 12, run as root; takes ~5 minutes
#
# Environment: PYTHON (default .venv/bin/python; snakemake-executor-plugin-slurm is installed
# into it when missing), SLURM_LOCAL_WORK (default /tmp/reviewflow-slurm: the two build copies
# and the daemons' logs), SLURM_LOCAL_KEEP=1 leaves the daemons running afterwards (otherwise a
# plugin the script installed is removed again: without a controller, importing it stalls
# every snakemake call for ~9 s).
# It changes this machine (packages, /etc/slurm, a MariaDB database `slurm_acct_db`): run it in
# a throw-away VM or container, not on a shared host. Not part of .ci/run (too slow, needs root).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
WORK=${SLURM_LOCAL_WORK:-/tmp/reviewflow-slurm}
CLUSTER=reviewflow
ACCOUNT=reviewflow
DB_PASS=reviewflow-local-only
NODE=$(hostname -s)
CPUS=$(nproc)
# Memory Slurm may hand out: 80% of the machine's.
MEM_MB=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.8}' /proc/meminfo)

say() { printf '\n== %s: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: retry COMMAND once a second
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq "$seconds"); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    echo "gave up after ${seconds}s waiting for: $what" >&2
    return 1
}

stop_daemons() {  # on any exit, unless SLURM_LOCAL_KEEP=1
    [[ ${SLURM_LOCAL_KEEP:-0} == 1 ]] && return
    say "stopping the daemons"
    for daemon in slurmd slurmctld slurmdbd; do
        [[ -f /run/$daemon.pid ]] && kill "$(cat /run/$daemon.pid)" 2>/dev/null || true
    done
    mariadb-admin shutdown 2>/dev/null || true
    [[ -f /run/munge/munged.pid ]] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    # With slurm's commands installed but no controller running, importing the plugin (which
    # snakemake does on every call) waits ~9 s: take out again what this script put in.
    if [[ ${PLUGIN_INSTALLED_HERE:-0} == 1 ]]; then
        say "removing snakemake-executor-plugin-slurm again (no controller left to answer it)"
        "$PYTHON" -m pip uninstall -y -q snakemake-executor-plugin-slurm \
            snakemake-executor-plugin-slurm-jobstep || true
    fi
}

[[ $(id -u) -eq 0 ]] || { echo "run as root (it installs packages and starts daemons)" >&2; exit 1; }
trap stop_daemons EXIT
rm -rf "$WORK"
mkdir -p "$WORK/log"
chown slurm:slurm "$WORK/log" 2>/dev/null || true

say "packages"
if ! command -v slurmctld >/dev/null || ! command -v slurmdbd >/dev/null \
    || ! command -v munged >/dev/null || ! command -v mariadbd >/dev/null; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        slurm-wlm munge slurmdbd mariadb-server
fi
chown slurm:slurm "$WORK/log"
dpkg-query -W -f='${Package} ${Version}\n' slurmctld slurmd slurmdbd munge mariadb-server
if ! "$PYTHON" -c "import snakemake_executor_plugin_slurm" 2>/dev/null; then
    "$PYTHON" -m pip install -q snakemake-executor-plugin-slurm
    PLUGIN_INSTALLED_HERE=1
fi
"$PYTHON" -m pip list 2>/dev/null | grep -E '^(snakemake|snakemake-executor-plugin-slurm) '

say "munge"
install -d -o munge -g munge -m 0755 /run/munge
[[ -s /etc/munge/munge.key ]] || { mungekey --create && chown munge:munge /etc/munge/munge.key; }
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
wait_for 20 "munge" bash -c 'munge -n | unmunge'

say "MariaDB (accounting storage)"
install -d -o mysql -g mysql -m 0755 /run/mysqld
if ! mariadb-admin ping >/dev/null 2>&1; then
    setsid /usr/sbin/mariadbd --user=mysql >"$WORK/log/mariadb.log" 2>&1 < /dev/null &
fi
wait_for 60 "MariaDB" mariadb-admin ping
mariadb <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
FLUSH PRIVILEGES;
SQL

say "Slurm configuration: cluster $CLUSTER, node $NODE with $CPUS CPUs and $MEM_MB MB"
mkdir -p /etc/slurm
cat >/etc/slurm/slurmdbd.conf <<EOF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
LogFile=$WORK/log/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$DB_PASS
StorageLoc=slurm_acct_db
EOF
chown slurm:slurm /etc/slurm/slurmdbd.conf
chmod 600 /etc/slurm/slurmdbd.conf
cat >/etc/slurm/slurm.conf <<EOF
ClusterName=$CLUSTER
SlurmctldHost=$NODE
SlurmUser=slurm
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
# keep each job's --comment (the plugin writes rule_<name> there) for sacct
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
JobCompType=jobcomp/none
NodeName=$NODE CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=main Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
install -d -o slurm -g slurm /var/lib/slurm/slurmctld
install -d /var/lib/slurm/slurmd

say "slurmdbd, slurmctld, slurmd"
pgrep -x slurmdbd >/dev/null || slurmdbd
wait_for 60 "slurmdbd" sacctmgr -n list cluster
sacctmgr -i add cluster "$CLUSTER" >/dev/null || true
sacctmgr -i add account "$ACCOUNT" cluster="$CLUSTER" description=reviewflow organization=reviewflow >/dev/null || true
sacctmgr -i add user "$(id -un)" account="$ACCOUNT" defaultaccount="$ACCOUNT" >/dev/null || true
pgrep -x slurmctld >/dev/null || slurmctld
wait_for 60 "slurmctld" scontrol ping
pgrep -x slurmd >/dev/null || slurmd
wait_for 60 "node $NODE idle" bash -c "sinfo -h -n $NODE -o %t | grep -qx idle"
sinfo
sacctmgr -n list association format=cluster,account,user

say "smoke test: one sbatch job, seen by sacct"
job=$(sbatch --parsable -o "$WORK/log/smoke-%j.out" --wrap 'echo "hello from $(hostname)"')
wait_for 60 "job $job completed" bash -c "sacct -n -X -j $job -o State | grep -q COMPLETED"
sacct -X -j "$job" -o JobID,JobName,State,ExitCode,Elapsed

say "copies of the workflow (tracked and new, not ignored, files)"
for copy in local slurm; do
    mkdir -p "$WORK/$copy"
    git -C "$REPO" ls-files -z --cached --others --exclude-standard \
        | (cd "$REPO" && xargs -0 cp --parents -t "$WORK/$copy" 2>/dev/null || true)
done

say "build through the Slurm executor (profile workflow/profiles/slurm)"
start=$(date +%s)
(cd "$WORK/slurm" && "$PYTHON" -m snakemake --profile workflow/profiles/slurm 2>&1) \
    | tee "$WORK/slurm-build.log" \
    | grep -E "^(Job stats|rule |Submitted job|Finished jobid|Complete log|[0-9]+ of [0-9]+ steps)|SLURM|sbatch|Error|error" \
    || true
status=${PIPESTATUS[0]}
echo "Slurm build: exit $status, $(($(date +%s) - start)) s (full log: $WORK/slurm-build.log)"
sacct -X -a --starttime "$(date -d "@$start" +%Y-%m-%dT%H:%M:%S)" \
    -o JobID,Comment%32,State,ExitCode,Elapsed,ReqMem,Timelimit,AllocCPUS | head -40
[[ $status -eq 0 ]] || exit "$status"

say "the same build locally (profile workflow/profiles/default)"
start=$(date +%s)
(cd "$WORK/local" && "$PYTHON" -m snakemake --workflow-profile workflow/profiles/default \
    --cores "$CPUS" >"$WORK/local-build.log" 2>&1)
echo "local build: $(($(date +%s) - start)) s"

say "comparison"
"$PYTHON" "$REPO/cluster/compare_results.py" "$WORK/local/results" "$WORK/slurm/results"

