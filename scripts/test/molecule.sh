# shellcheck shell=bash disable=SC2154
# (top and results are set by scripts/test.sh, which sources this file.)
# The molecule stage: every scenario under extensions/molecule (MOLECULE_SCENARIOS
# narrows it), each counted as one check, and the scenarios that start early, in the
# background, while other stages run (start_early). Sourced by scripts/test.sh after
# lib.sh.

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
