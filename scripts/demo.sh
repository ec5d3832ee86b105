#!/usr/bin/env bash
# `make demo`: the main job on this machine. Uses the system libvirtd, or starts a
# private one when none runs; where no daemon can run at all, falls back to libvirt's
# in-process test:///default driver so the demo still shows what the collection does.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/bootstrap.sh
export PATH="$top/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$top/.build/collections"

uri=qemu:///system
# A lease on the shared daemon (started if none answers) for as long as the demo runs;
# the guests it leaves running keep the daemon after that.
if ! bash scripts/libvirtd.sh start; then
  echo "demo: no libvirtd can run here; using the in-process test:///default driver"
  uri=test:///default
fi
# The booted demo guest: a Debian kernel and a busybox initrd, built once and cached.
read -r kernel initrd < <(bash tests/assets/tiny-guest/build.sh | paste -sd' ')
exec ansible-playbook -i playbooks/inventory/localhost.yml playbooks/demo.yml \
  -e "virtops_demo_uri=$uri" \
  -e "virtops_demo_kernel=$kernel" -e "virtops_demo_initrd=$initrd" "$@"
