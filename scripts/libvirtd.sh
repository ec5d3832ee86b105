#!/usr/bin/env bash
# Starts (and later stops) a private libvirtd for the demo, the tests and the
# benchmarks, because these machines have no systemd as PID 1 to socket-activate one.
# Several users may share the daemon at once (a test run, the demo, a benchmark, a
# second test run from another clone), so each `start` takes a lease and `stop` only
# gives it back; the daemon goes when nobody needs it any more.
#
#   libvirtd.sh start [--hold]  make sure a daemon answers on qemu:///system and take
#                               a lease for the calling process (or, with --hold, one
#                               that lasts until `stop --hold`)
#   libvirtd.sh stop [--hold]   give the lease back; stop virtlogd + libvirtd only if
#                               this script started them, no live lease is left and no
#                               domain is running (a guest the demo left running keeps
#                               its daemon)
#   libvirtd.sh status          exit 0 when qemu:///system answers
#
# The holder of a lease is the process id in VIRTOPS_LIBVIRTD_HOLDER, else the
# caller's ($PPID); a lease whose process has gone is dropped. State is machine-wide
# (one daemon per machine), under ${VIRTOPS_LIBVIRTD_STATE:-/run/virtops/libvirtd}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${VIRTOPS_LIBVIRTD_STATE:-/run/virtops/libvirtd}
leases="$state/leases"

answers() { virsh -q -c qemu:///system version >/dev/null 2>&1; }

lock() {
  mkdir -p "$leases"
  exec 9>"$state/lock"
  flock 9
}

holder() {
  if [ "${hold:-0}" = 1 ]; then echo held; else echo "${VIRTOPS_LIBVIRTD_HOLDER:-$PPID}"; fi
}

# Leases of processes that have gone (a killed test run) are not leases.
prune_leases() {
  local f name
  for f in "$leases"/*; do
    [ -e "$f" ] || continue
    name=${f##*/}
    [ "$name" = held ] && continue
    # The start time guards against a recycled pid.
    if [ "$(cat "$f")" != "$(proc_start "$name")" ]; then rm -f "$f"; fi
  done
}

proc_start() { # pid -> start time in clock ticks, or nothing
  [ -r "/proc/$1/stat" ] || return 0
  sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f20
}

take_lease() {
  local h; h=$(holder)
  if [ "$h" = held ]; then echo held > "$leases/held"; else proc_start "$h" > "$leases/$h"; fi
}

start() {
  lock
  bash "$here/kvm-device.sh" fix
  prune_leases
  if answers; then
    take_lease
    echo "libvirtd: a daemon already answers on qemu:///system; using it"
    return 0
  fi
  mkdir -p /var/log/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt
  if ! pgrep -x virtlogd >/dev/null; then
    # The daemons must not inherit the lock (fd 9): they would hold it for life.
    virtlogd -d --pid-file "$state/virtlogd.pid" 9>&-
    echo ours > "$state/virtlogd.owner"
  fi
  # An empty config: the daemon's defaults, whatever /etc/libvirt says.
  local conf="$state/libvirtd.conf"
  : > "$conf"
  # `libvirtd -d` returns only once the daemon has set up its sockets (it reports
  # through a status pipe), so one check afterwards is enough.
  libvirtd -d -f "$conf" --pid-file "$state/libvirtd.pid" 9>&-
  echo ours > "$state/libvirtd.owner"
  if ! answers; then
    echo "libvirtd: started but qemu:///system does not answer" >&2
    exit 1
  fi
  take_lease
  echo "libvirtd: started a private daemon (pid $(cat "$state/libvirtd.pid"))"
}

stop_one() {
  local name=$1 pid
  [ -f "$state/$name.owner" ] || return 0
  pid=$(cat "$state/$name.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    timeout 30 tail --pid="$pid" -f /dev/null || kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$state/$name.owner" "$state/$name.pid"
  echo "libvirtd: stopped $name"
}

stop() {
  lock
  rm -f "$leases/$(holder)"
  prune_leases
  if [ ! -f "$state/libvirtd.owner" ]; then
    return 0  # not ours: someone else runs it
  fi
  local others running
  others=$(find "$leases" -mindepth 1 -maxdepth 1 -printf '%f ')
  if [ -n "$others" ]; then
    echo "libvirtd: still in use (leases: ${others% }); left running"
    return 0
  fi
  running=$(virsh -q -c qemu:///system list --state-running --name 2>/dev/null | paste -sd' ' || true)
  if [ -n "$running" ]; then
    echo "libvirtd: domains running ($running); left running"
    return 0
  fi
  stop_one libvirtd
  stop_one virtlogd
}

hold=0
cmd=${1:-}
[ "${2:-}" = --hold ] && hold=1
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 start [--hold] | stop [--hold] | status" >&2; exit 2 ;;
esac
