# shellcheck shell=bash disable=SC2154
# (top and results are set by scripts/test.sh, which sources this file.)
# The stages that check the code without VMs: run_<stage> for unit, sanity, lint,
# scripts and integration. Sourced by scripts/test.sh after lib.sh. Each returns
# non-zero when it failed; unit and scripts count their tests themselves.

run_unit() {
  run_pytest unit tests/unit
}

run_sanity() {
  local dir; dir=$(collection_copy)
  (cd "$dir" && ansible-test sanity --venv --python 3.11 --color no --exclude tests/unit/fixtures/)
}

run_lint() {
  local targets=(playbooks)
  [ -d roles ] && targets+=(roles)
  [ -d extensions/molecule ] && targets+=(extensions/molecule)
  ansible-lint --offline --profile production -q "${targets[@]}" 2>&1
}

# The set-up scripts' own tests (tests/scripts), against the running daemon.
run_scripts() {
  bash scripts/libvirtd.sh start || return 1
  run_pytest scripts tests/scripts; local rc=$?
  bash scripts/libvirtd.sh stop
  return $rc
}

tiny_channel_variant() {
  local extra="$top/.build/tiny-guest-extra/channel"
  rm -rf "$extra" && mkdir -p "$extra/usr/sbin" || return 1
  cp -a tests/assets/tiny-guest/channel/. "$extra/" || return 1
  install -m 0755 files/virtops-channel-read "$extra/usr/sbin/virtops-channel-read" || return 1
  bash tests/assets/tiny-guest/build.sh --extra "$extra" --link channel
}

run_integration() {
  # Start from the state a fresh machine has (no udev: /dev/kvm root:root 0600), so the
  # set-up's fix for it is exercised on every run, not only on a new machine.
  bash scripts/kvm-device.sh fresh || return 1
  bash scripts/libvirtd.sh start || return 1
  local dir rc port pidfile="$top/.build/tcp-forward.pid"
  dir=$(collection_copy)
  # A real remote URI: libvirt's RPC over loopback TCP, forwarded to the daemon's socket.
  port=$(python3 scripts/tcp-forward.py /run/libvirt/libvirt-sock "$pidfile") || return 1
  local tiny channel
  tiny=$(bash tests/assets/tiny-guest/build.sh) || return 1
  # The "channel" variant carries the collection's own guest-side reader.
  channel=$(tiny_channel_variant) || return 1
  {
    printf 'virtops_remote_uri: qemu+tcp://127.0.0.1:%s/system\n' "$port"
    # build.sh prints the kernel and the initrd path, one a line: one word each.
    # shellcheck disable=SC2086
    printf 'virtops_tiny_kernel: %s\nvirtops_tiny_initrd: %s\n' $tiny
    printf 'virtops_tiny_channel_initrd: %s\n' "$(echo "$channel" | sed -n 2p)"
  } > "$dir/tests/integration/integration_config.yml"
  # INTEGRATION_TARGETS narrows the run while iterating (e.g. "libvirt_channel").
  # shellcheck disable=SC2086
  (cd "$dir" && ansible-test integration --local --python 3.11 --color no ${INTEGRATION_TARGETS:-})
  rc=$?
  kill "$(cat "$pidfile")" 2>/dev/null; rm -f "$pidfile"
  bash scripts/libvirtd.sh stop
  return $rc
}
