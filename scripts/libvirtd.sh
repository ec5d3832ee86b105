#!/usr/bin/env bash
# Starts (and later stops) a private libvirtd for the demo and the tests, because these
# machines have no systemd as PID 1 to socket-activate one.
#
#   libvirtd.sh start           start virtlogd + libvirtd unless a daemon already answers
#   libvirtd.sh stop            stop what `start` started, and nothing else
#   libvirtd.sh status          exit 0 when qemu:///system answers
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
state="$top/.build/libvirtd"
mkdir -p "$state"

answers() { virsh -q -c qemu:///system version >/dev/null 2>&1; }

start() {
  if answers; then
    echo "libvirtd: a daemon already answers on qemu:///system; using it"
    return 0
  fi
  mkdir -p /var/log/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt
  if ! pgrep -x virtlogd >/dev/null; then
    virtlogd -d --pid-file "$state/virtlogd.pid"
    echo ours > "$state/virtlogd.owner"
  fi
  # An empty config: the daemon's defaults, whatever /etc/libvirt says.
  local conf="$state/libvirtd.conf"
  : > "$conf"
  local args=(-d -f "$conf" --pid-file "$state/libvirtd.pid")
  # `libvirtd -d` returns only once the daemon has set up its sockets (it reports
  # through a status pipe), so one check afterwards is enough.
  libvirtd "${args[@]}"
  echo ours > "$state/libvirtd.owner"
  if ! answers; then
    echo "libvirtd: started but qemu:///system does not answer" >&2
    exit 1
  fi
  echo "libvirtd: started a private daemon (pid $(cat "$state/libvirtd.pid"))"
}

stop_one() {
  local name=$1
  [ -f "$state/$name.owner" ] || return 0
  local pid
  pid=$(cat "$state/$name.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    timeout 30 tail --pid="$pid" -f /dev/null || kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$state/$name.owner" "$state/$name.pid"
  echo "libvirtd: stopped $name"
}

case "${1:-}" in
  start) start ;;
  stop) stop_one libvirtd; stop_one virtlogd ;;
  status) answers ;;
  *) echo "usage: $0 start | stop | status" >&2; exit 2 ;;
esac
