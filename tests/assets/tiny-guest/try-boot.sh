#!/usr/bin/env bash
# Proves the tiny guest under libvirt: boots a transient QEMU/TCG domain with direct
# kernel boot, waits for "TINY-GUEST: up" on its serial log, asks for a graceful
# (ACPI) shutdown and waits for libvirt to report the domain stopped. Prints both
# times; exits non-zero, with the end of the serial log, if either step fails.
#
#   try-boot.sh [build.sh options]     e.g. --extra DIR to try a variant
#
# TCG on purpose: nested KVM hangs on these machines.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
uri=qemu:///system
boot_timeout=120
shutdown_timeout=60

die() {
  echo "tiny-guest try-boot: $*" >&2
  if [ -s "${log:-}" ]; then
    echo "--- last lines of $log:" >&2
    tail -n 20 "$log" >&2
  fi
  exit 1
}

mapfile -t paths < <(bash "$here/build.sh" "$@")
[ "${#paths[@]}" = 2 ] || die "build.sh failed"
kernel=${paths[0]} initrd=${paths[1]}

if ! virsh -q -c "$uri" version >/dev/null 2>&1; then
  # No systemd here to socket-activate libvirtd; the project's helper starts one
  # (a lease for this script; the daemon stays while a guest runs or another user
  # holds it).
  bash "$top/scripts/libvirtd.sh" start >/dev/null || die "could not start libvirtd"
fi

name=tiny-guest-try-$$
rundir="$top/.build/tiny-guest/try"
mkdir -p "$rundir"
log="$rundir/$name.serial.log"
xml="$rundir/$name.xml"
# Exists before QEMU starts, so tail -F has something to follow from the start.
: >"$log"

evpid='' tailpid=''
cleanup() {
  [ -z "$evpid" ] || kill "$evpid" 2>/dev/null || true
  [ -z "$tailpid" ] || kill "$tailpid" 2>/dev/null || true
  virsh -q -c "$uri" destroy "$name" >/dev/null 2>&1 || true
  rm -f "$xml"
}
trap cleanup EXIT

# <acpi/> matters: without it QEMU gets no ACPI tables and `virsh shutdown
# --mode acpi` has no power button to press. on_reboot=destroy turns a guest
# panic (panic=-1 reboots) into a stopped domain instead of a boot loop; it is
# told apart from a clean power-off by the event detail below. No balloon or USB:
# less to emulate and nothing for the initramfs to drive.
cat >"$xml" <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$kernel</kernel>
    <initrd>$initrd</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='file'>
      <source path='$log'/>
      <target port='0'/>
    </serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
XML

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
secs() { printf '%d.%02d' $(($1 / 1000000)) $(($1 % 1000000 / 10000)); }

t_create=$(now_us)
err=$(virsh -q -c "$uri" create "$xml" 2>&1 >/dev/null) || die "virsh create failed: $err"

# Listen for lifecycle events from right after the start, well before the
# shutdown request, so the Stopped event cannot arrive before we listen.
exec {events}< <(exec virsh -q -c "$uri" event --domain "$name" --event lifecycle --loop \
  --timeout $((boot_timeout + shutdown_timeout)) 2>&1)
evpid=$!
exec {serial}< <(exec tail -n +1 -F "$log" 2>/dev/null)
tailpid=$!

timeout "$boot_timeout" grep -m1 -q 'TINY-GUEST: up' <&"$serial" \
  || die "no 'TINY-GUEST: up' within ${boot_timeout}s"
t_up=$(now_us)

err=$(virsh -q -c "$uri" shutdown --mode acpi "$name" 2>&1 >/dev/null) || die "virsh shutdown failed: $err"
t_shutdown=$(now_us)
stopped=$(timeout "$shutdown_timeout" grep -m1 ": Stopped" <&"$events") \
  || die "domain did not stop within ${shutdown_timeout}s of the ACPI shutdown request"
t_stopped=$(now_us)
case $stopped in
  *"Stopped Shutdown"*) ;;
  *) die "domain stopped, but not by powering off: $stopped" ;;
esac

echo "boot to 'TINY-GUEST: up': $(secs $((t_up - t_create))) s (from virsh create)"
echo "graceful ACPI shutdown:   $(secs $((t_stopped - t_shutdown))) s (from virsh shutdown to Stopped)"
rm -f "$log"
