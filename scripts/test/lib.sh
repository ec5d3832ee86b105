# shellcheck shell=bash disable=SC2154
# (top is set by scripts/test.sh, which sources this file.)
# What the stages share: the results folder, the totals, and the collection copy that
# ansible-test wants. Sourced by scripts/test.sh, with $top set and the cwd there.

# Per copy root: runs from one work tree with different VIRTOPS_TEST_ROOTs (side by side)
# must not remove each other's results.
results="${VIRTOPS_TEST_ROOT:-$top/.build}/results"
passed=0 failed=0

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

# A pytest run counted test by test; pytest's "no tests collected" (5) fails.
run_pytest() {  # name paths...
  local name=$1 rc; shift
  python -m pytest "$@" -q -p no:cacheprovider --junitxml="$results/$name.xml"
  rc=$?
  if [ -s "$results/$name.xml" ]; then
    count_junit "$results/$name.xml"
  elif [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
  fi
  return $rc
}
