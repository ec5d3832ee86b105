#!/usr/bin/env bash
# Gives /dev/kvm the owner and mode udev gives it on an ordinary Debian host
# (group kvm, 0660: Debian builds systemd's 50-udev-default.rules with
# dev-kvm-mode=0660), on machines where no udev runs.
#
# Why: the kernel makes the node root:root 0600 and, without udev, nothing changes
# it. libvirtd probes QEMU as root (KVM works), then checks /dev/kvm as the QEMU user
# (libvirt-qemu, in group kvm), which cannot open it. So it declares its QEMU
# capabilities cache invalid on every lookup ("KVM was enabled when probing ..., but
# it is not available now") and probes QEMU again, about 4 s per API call.
# Configuring the private daemon to run QEMU as root would hide the problem instead
# of giving the machine the state a real Debian host has.
#
#   kvm-device.sh fix     apply udev's permissions when no udev runs (idempotent)
#   kvm-device.sh fresh   put the node back as the kernel makes it (root:root 0600),
#                         so a test run starts from a fresh machine's state
#   kvm-device.sh show    print owner:group mode
set -euo pipefail
dev=${VIRTOPS_KVM_DEVICE:-/dev/kvm}

udev_runs() { [ -S /run/udev/control ]; }

show() { stat -c '%U:%G %a' "$dev"; }

fix() {
  [ -c "$dev" ] || return 0
  if udev_runs; then
    return 0  # udev owns the node; its rules are the authority
  fi
  getent group kvm >/dev/null || groupadd --system kvm
  chgrp kvm "$dev"
  chmod 0660 "$dev"
}

fresh() {
  [ -c "$dev" ] || return 0
  udev_runs && return 0
  chown root:root "$dev"
  chmod 0600 "$dev"
}

case "${1:-}" in
  fix) fix ;;
  fresh) fresh ;;
  show) [ -c "$dev" ] && show ;;
  *) echo "usage: $0 fix | fresh | show" >&2; exit 2 ;;
esac
