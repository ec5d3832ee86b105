#!/usr/bin/env bash
# Installs everything `make demo` and `make test` need, once: Debian packages that are
# missing, a virtualenv with pinned Python packages, and the collection link that makes
# this checkout importable as ansible_collections.virtops.hypervisor.
# Re-running it is cheap: nothing already present is installed again.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

APT_PACKAGES=(
  git gcc pkg-config python3 python3-venv python3-dev
  libvirt-daemon-system libvirt-clients libvirt-dev
  qemu-system-x86 qemu-utils
  shellcheck
  # the index of the test VMs' local apt repository
  dpkg-dev
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages (${missing[*]}); run as root" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's interpreter, not whatever a shim puts first on PATH: libvirt-python is built
# against python3-dev's headers.
PYTHON=${PYTHON:-/usr/bin/python3}
VENV=${VENV:-$top/.venv}
REQ="$top/requirements/dev.txt"
CON="$top/requirements/constraints.txt"
stamp="$VENV/.virtops-installed"
want=$(cat "$REQ" "$CON" | sha256sum | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: preparing virtualenv $VENV"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQ" -c "$CON"
  echo "$want" > "$stamp"
fi

link="$top/.build/collections/ansible_collections/virtops/hypervisor"
if [ "$(readlink "$link" 2>/dev/null)" != "$top" ]; then
  mkdir -p "$(dirname "$link")"
  ln -sfn "$top" "$link"
fi

# ansible-test sanity --venv fetches get-pip.py from a host outside the package
# registries; give it an equivalent that uses ensurepip and the package index.
pip_version=$("$VENV/bin/python" - <<'PY'
from ansible_test._internal.python_requirements import get_venv_packages
class P: version = "3.11"
print(get_venv_packages(P)["pip"])
PY
)
get_pip="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if ! cmp -s "$top/scripts/get-pip-offline.py" "$get_pip"; then
  mkdir -p "$(dirname "$get_pip")"
  cp "$top/scripts/get-pip-offline.py" "$get_pip"
fi
