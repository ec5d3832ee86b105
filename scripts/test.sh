#!/usr/bin/env bash
# The whole test suite (`make test`), or some stages of it (`make test STAGES="unit"`).
# This file is the scheduler; the stages are in scripts/test/ (stages.sh: unit sanity
# lint scripts integration; molecule.sh: molecule) and the image prebuild is
# scripts/test/prebuild.sh.
#
#   STAGES="unit sanity lint scripts integration molecule"   the default: all of them
#   INTEGRATION_TARGETS="libvirt_channel"   narrows integration
#   MOLECULE_SCENARIOS="host_network"       narrows molecule (host_network, xen_host)
#
# Each stage runs even if an earlier one failed, and prints one result line
# (== stage NAME: ok | FAILED); the script exits non-zero if any failed and ends with
# one summary line. unit and scripts count their tests, molecule its scenarios, the
# other stages count as one check each.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
bash scripts/bootstrap.sh || exit 1

export PATH="$top/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$top/.build/collections"
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 PY_COLORS=0
# shellcheck source=scripts/test/lib.sh
. scripts/test/lib.sh
# shellcheck source=scripts/test/stages.sh
. scripts/test/stages.sh
# shellcheck source=scripts/test/molecule.sh
. scripts/test/molecule.sh
rm -rf "$results"; mkdir -p "$results"
stages=${STAGES:-"unit sanity lint scripts integration molecule"}
self_counting=" unit scripts molecule "
failed_stages=""

stage_result() {  # name rc
  if [ "$2" -eq 0 ]; then
    echo "== stage $1: ok"
  else
    echo "== stage $1: FAILED (rc=$2)"; failed_stages="$failed_stages $1"
  fi
}

# On a new machine the VM images and the apt repository take minutes to build, mostly
# waiting on the mirror and the disk: build them while the sanity, lint and integration
# stages run (after the unit stage, whose timing-sensitive tests want the machine to
# themselves; so unit runs first).
prebuild=""
start_prebuild() {
  bash scripts/test/prebuild.sh > "$results/prebuild.log" 2>&1 &
  prebuild=$!
}

for stage in $stages; do
  declare -F "run_$stage" >/dev/null || { echo "== unknown stage $stage"; stage_result "$stage" 2; continue; }
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
  if [[ "$self_counting" != *" $stage "* ]]; then
    if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  fi
done

[ -n "$failed_stages" ] && echo "failed stages:$failed_stages"
echo "checks: $passed passed, $failed failed"
[ -z "$failed_stages" ] && [ "$failed" -eq 0 ]
