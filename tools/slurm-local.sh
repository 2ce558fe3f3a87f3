#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the slurm executor's tests and for trying it out.
#
#   tools/slurm-local.sh up      install slurm-wlm and munge if missing (apt), start munged, slurmctld and
#                                slurmd with a generated slurm.conf naming this host, its CPUs and memory;
#                                one partition, `main` (the default). Idempotent.
#   tools/slurm-local.sh down    stop slurmd, slurmctld and munged (the configuration stays).
#   tools/slurm-local.sh status  sinfo and squeue.
#
# Needs root (it writes /etc/slurm and /etc/munge and starts daemons). No accounting database: `sacct` says
# accounting is disabled; use `squeue` and `scontrol show job` (finished jobs stay visible 10 minutes).
# Environment: SLURM_LOCAL_PARTITION (default main), SLURM_LOCAL_KILLWAIT (seconds between SIGTERM and
# SIGKILL on cancel or time limit, default 30).
set -euo pipefail

PARTITION="${SLURM_LOCAL_PARTITION:-main}"
KILLWAIT="${SLURM_LOCAL_KILLWAIT:-30}"
CONF=/etc/slurm/slurm.conf

die() {
  echo "slurm-local: $*" >&2
  exit 1
}

up() {
  [ "$(id -u)" = 0 ] || die "must run as root (it writes /etc/slurm and starts daemons)"
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    command -v apt-get >/dev/null || die "slurm-wlm and munge are not installed and apt-get is absent"
    echo "slurm-local: installing slurm-wlm and munge (apt)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
  fi
  local host cpus mem
  host="$(hostname)"
  cpus="$(nproc)"
  mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024))

  # munge: a fresh key if there is none, then the daemon (as the munge user, as its package expects).
  mkdir -p /etc/munge /var/log/munge /run/munge /var/lib/munge
  [ -s /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
  fi

  mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  cat >"$CONF.tmp" <<CONF
# Written by tools/slurm-local.sh: a single-node cluster on ${host}.
ClusterName=morphogan-local
SlurmctldHost=${host}
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=600
KillWait=${KILLWAIT}
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=${host} CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=${PARTITION} Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  mv "$CONF.tmp" "$CONF"
  # No cgroup.conf: slurmd autodetects cgroups, and nothing here uses them (linuxproc, no task plugin).

  pgrep -x slurmctld >/dev/null || slurmctld
  pgrep -x slurmd >/dev/null || slurmd
  for _ in $(seq 1 60); do
    if sinfo -h -p "$PARTITION" -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "slurm-local: up: partition ${PARTITION} on ${host}, ${cpus} CPUs, ${mem} MiB"
      return 0
    fi
    scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
    sleep 1
  done
  sinfo >&2 || true
  tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
  die "the node did not become idle within 60 s (logs above)"
}

down() {
  for d in slurmd slurmctld munged; do pkill -x "$d" 2>/dev/null || true; done
  for _ in $(seq 1 20); do
    pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || pgrep -x munged >/dev/null || break
    sleep 0.5
  done
  echo "slurm-local: down"
}

case "${1:-}" in
up) up ;;
down) down ;;
status)
  sinfo
  squeue
  ;;
*) die "usage: tools/slurm-local.sh up|down|status" ;;
esac
