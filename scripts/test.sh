#!/usr/bin/env bash
# The whole test suite (`make test`), or some stages of it (`make test STAGES="unit"`).
# Stages: sanity lint unit integration molecule; INTEGRATION_TARGETS=name narrows
# integration, MOLECULE_SCENARIOS="default" narrows molecule. Each one runs even if an earlier one failed;
# the script exits non-zero if any failed and ends with one summary line.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
bash scripts/bootstrap.sh || exit 1

export PATH="$top/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$top/.build/collections"
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 PY_COLORS=0
results="$top/.build/results"
rm -rf "$results"; mkdir -p "$results"
stages=${STAGES:-"unit sanity lint integration molecule"}
passed=0 failed=0 failed_stages=""

# ansible-test wants the collection at .../ansible_collections/<ns>/<name> and looks at
# every file there: give it a copy of exactly what git would ship, outside this work
# tree (inside it, ansible-test would ask this repository's git and find it ignored).
collection_copy() {
  local dest="${VIRTOPS_TEST_ROOT:-/var/tmp/virtops-ansible-test}/ansible_collections/virtops/hypervisor"
  rm -rf "$dest"; mkdir -p "$dest"
  git ls-files -z --cached --others --exclude-standard | grep -zv '^\.build/' |
    tar --null -T - -cf - | tar -xf - -C "$dest"
  echo "$dest"
}

count_junit() {  # adds tests/failures of a junit file to the totals
  local file=$1 counts
  counts=$(python3 - "$file" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
sk = sum(int(s.get("skipped", 0)) for s in suites)
print(t - f - sk, f + sk)
PY
)
  passed=$((passed + ${counts% *})); failed=$((failed + ${counts#* }))
}

stage_result() {  # name rc
  if [ "$2" -eq 0 ]; then
    echo "== stage $1: ok"
  else
    echo "== stage $1: FAILED (rc=$2)"; failed_stages="$failed_stages $1"
  fi
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

run_unit() {
  python -m pytest tests/unit -q -p no:cacheprovider --junitxml="$results/unit.xml"
  local rc=$?
  [ -f "$results/unit.xml" ] && count_junit "$results/unit.xml"
  # pytest's "no tests collected" (5) must fail the suite, not pass it.
  return $rc
}

tiny_channel_variant() {
  local extra="$top/.build/tiny-guest-extra/channel"
  rm -rf "$extra" && mkdir -p "$extra/usr/sbin" || return 1
  cp -a tests/assets/tiny-guest/channel/. "$extra/" || return 1
  install -m 0755 files/virtops-channel-read "$extra/usr/sbin/virtops-channel-read" || return 1
  bash tests/assets/tiny-guest/build.sh --extra "$extra" --link channel
}

# The set-up scripts' own tests (tests/scripts), against the running daemon.
run_scripts_tests() {
  python -m pytest tests/scripts -q -p no:cacheprovider --junitxml="$results/scripts.xml"
  local rc=$?
  [ -f "$results/scripts.xml" ] && count_junit "$results/scripts.xml"
  return $rc
}

run_integration() {
  # Start from the state a fresh machine has (no udev: /dev/kvm root:root 0600), so the
  # set-up's fix for it is exercised on every run, not only on a new machine.
  bash scripts/kvm-device.sh fresh || return 1
  bash scripts/libvirtd.sh start || return 1
  run_scripts_tests; local scripts_rc=$?
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
  [ "$rc" -eq 0 ] && return "$scripts_rc"
  return $rc
}

# destroy must leave no domain, no QEMU (so no port) and no overlay of the scenario; a
# scenario running beside it in another lane is none of its business.
molecule_left_nothing() {
  local left domain
  for domain in $(python3 - "extensions/molecule/$1/molecule.yml" <<'PY'
import sys, yaml
for platform in (yaml.safe_load(open(sys.argv[1])) or {}).get("platforms", []):
    print("mol-" + platform["name"])
PY
  ); do
    left+=$(virsh -c qemu:///system list --all --name | grep -x "$domain"
            pgrep -af "qemu-system.*guest=$domain,")
  done
  left+=$(ls -d "/var/lib/libvirt/images/virtops-molecule/$1" 2>/dev/null)
  [ -z "$left" ] || { echo "molecule $1 left behind:"; echo "$left"; return 1; }
}

# One scenario, with its wall time; its status goes to a file, as it may run in the
# background.
molecule_scenario() {
  local one=$1 start rc=0
  start=$(date +%s)
  if molecule test -s "$one" && molecule_left_nothing "$one"; then
    echo "== molecule $one: ok in $(( $(date +%s) - start ))s"
  else
    rc=1; echo "== molecule $one: FAILED after $(( $(date +%s) - start ))s"
    # Whatever the failed run left: destroy is idempotent.
    molecule destroy -s "$one" >/dev/null 2>&1
  fi
  echo "$rc" > "$results/molecule-$one.rc"
}

molecule_scenarios() {
  local all
  all=${MOLECULE_SCENARIOS:-$(cd extensions/molecule && for f in */molecule.yml; do dirname "$f"; done)}
  tr '\n' ' ' <<< "$all"
}

# MOLECULE_EARLY scenarios start in the background as soon as the images are built,
# while the sanity, lint and integration stages run: those stages mostly keep one core
# busy, and so does a scenario whose one VM installs packages. Their lines, prefixed
# with the scenario's name, go to a log the molecule stage prints when they end. Two
# scenarios' VMs side by side are another matter: on 2 cores each took twice as long,
# so the molecule stage runs the others one at a time.
MOLECULE_EARLY=${MOLECULE_EARLY-xen_host}
early=""
# Their create waits on the image builds' locks, if those are still under way. Each
# holds a lease on the shared daemon of its own, so the integration stage's stop leaves
# the daemon running under it.
start_early() {
  local one
  for one in $(molecule_scenarios); do
    [[ " $MOLECULE_EARLY " == *" $one "* ]] || continue
    ( export VIRTOPS_LIBVIRTD_HOLDER=$BASHPID
      bash scripts/libvirtd.sh start && molecule_scenario "$one" 2>&1 | sed -u "s/^/[$one] /"
      bash scripts/libvirtd.sh stop ) > "$results/molecule-$one.log" 2>&1 &
    early+="$one:$! "
  done
}

run_molecule() {
  bash scripts/libvirtd.sh start || return 1
  local one entry rc=0
  for one in $(molecule_scenarios); do
    [[ " $early " == *" $one:"* ]] && continue
    molecule_scenario "$one" 2>&1 | sed -u "s/^/[$one] /"
  done
  for entry in $early; do
    one=${entry%%:*}
    wait "${entry#*:}"
    cat "$results/molecule-$one.log"
  done
  for one in $(molecule_scenarios); do
    if [ "$(cat "$results/molecule-$one.rc" 2>/dev/null)" = 0 ]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1)); rc=1
    fi
  done
  bash scripts/libvirtd.sh stop
  return $rc
}

# On a new machine the VM images and the apt repository take minutes to build, mostly
# waiting on the mirror and the disk: build them while the sanity, lint and integration
# stages run (after the unit stage, whose timing-sensitive tests want the machine to
# themselves; so unit runs first). Each
# build holds its own lock, so the molecule stage's create step waits for a build still
# under way instead of starting another, and reuses the cached result.
prebuild=""
start_prebuild() {
  # The three builds side by side: they wait mostly on the mirror, each on its own files.
  ( pids=()
    for variant in default no-python; do
      bash tests/assets/debian-image/build.sh --variant "$variant" >/dev/null & pids+=($!)
    done
    bash tests/assets/apt-repo/build.sh >/dev/null & pids+=($!)
    rc=0
    for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
    echo "$rc" > "$results/prebuild.rc"
    exit "$rc" ) > "$results/prebuild.log" 2>&1 &
  prebuild=$!
}

for stage in $stages; do
  if [ -z "$prebuild" ] && [[ " $stages " == *" molecule "* ]] && [ "$stage" != unit ]; then
    start_prebuild
    # Only where other stages run meanwhile: alone, the molecule stage runs them in turn.
    [ "$stage" = molecule ] || start_early
  fi
  if [ "$stage" = molecule ] && [ -n "$prebuild" ]; then
    wait "$prebuild" || echo "== the image prebuild failed (see $results/prebuild.log); create builds again"
  fi
  echo "== stage $stage"
  start=$(date +%s)
  "run_$stage"; rc=$?
  stage_result "$stage" "$rc"
  echo "== stage $stage took $(( $(date +%s) - start ))s"
  # Stages that do not count their own checks count as one check each.
  if [ "$stage" = molecule ]; then
    :
  elif [ "$stage" != unit ]; then
    if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  elif [ "$rc" -ne 0 ] && [ ! -s "$results/unit.xml" ]; then
    failed=$((failed + 1))
  fi
done

[ -n "$failed_stages" ] && echo "failed stages:$failed_stages"
echo "checks: $passed passed, $failed failed"
[ -z "$failed_stages" ] && [ "$failed" -eq 0 ]
