#!/usr/bin/env bash
# Builds (or reuses) what the Molecule scenarios boot and install from: the two VM
# images (tests/assets/debian-image, variants default and no-python) and the local apt
# repository (tests/assets/apt-repo). `make test` runs it in the background while the
# sanity, lint and integration stages run; each build holds its own lock, so a
# scenario's create that comes while one is under way waits for it and reuses it.
#
# The build tools are installed first, once, in the foreground: the three builds then
# run side by side (they wait mostly on the mirror, each on its own files) with no
# apt install of their own racing for dpkg's lock. Exits non-zero if any build failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

bash scripts/build-tools.sh all || exit 1
pids=()
for variant in default no-python; do
  bash tests/assets/debian-image/build.sh --variant "$variant" >/dev/null & pids+=($!)
done
bash tests/assets/apt-repo/build.sh >/dev/null & pids+=($!)
rc=0
for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
exit "$rc"
