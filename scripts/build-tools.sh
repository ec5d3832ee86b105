#!/usr/bin/env bash
# The host tools that the test asset builds need (tests/assets/*/build.sh), installed
# with apt in one go, and the one place where those builds touch apt's state.
#
#   build-tools.sh [image|apt-repo|tiny-guest|all]...   install what is missing (all)
#   build-tools.sh --update                             apt-get update
#
# Every call holds one lock for its whole run, so builds started side by side install
# nothing in parallel: the first installs, the others wait, then find it all there.
# dpkg allows one writer; two apt-get runs side by side make the second fail with
# "Could not get lock /var/lib/dpkg/lock-frontend". `make test` calls it once before it
# starts the builds; each build.sh calls it too, so that it also works alone.
# Another apt (not ours) holding dpkg's lock is waited for, not failed on.
set -euo pipefail

# command:package pairs, per build.
tools_image="debootstrap:debootstrap qemu-img:qemu-utils sfdisk:fdisk mkfs.ext4:e2fsprogs
  losetup:mount partx:util-linux flock:util-linux fstrim:util-linux ssh-keygen:openssh-client
  -:debian-archive-keyring"
tools_apt_repo="dpkg-scanpackages:dpkg-dev gzip:gzip flock:util-linux"
tools_tiny_guest="gzip:gzip flock:util-linux xz:xz-utils"

die() { echo "build-tools: $*" >&2; exit 1; }
apt_wait=(-o DPkg::Lock::Timeout=600)

lock=${VIRTOPS_BUILD_TOOLS_LOCK:-/run/lock/virtops-build-tools.lock}
mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
flock 9

update() {
  echo "build-tools: apt-get update" >&2
  apt-get "${apt_wait[@]}" update -qq >/dev/null || die "apt-get update failed"
}

if [ "${1:-}" = --update ]; then
  [ $# -eq 1 ] || die "--update takes no other argument"
  update
  exit 0
fi

want=""
for build in "${@:-all}"; do
  case $build in
    image) want+=" $tools_image" ;;
    apt-repo) want+=" $tools_apt_repo" ;;
    tiny-guest) want+=" $tools_tiny_guest" ;;
    all) want+=" $tools_image $tools_apt_repo $tools_tiny_guest" ;;
    *) sed -n '5,6s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
done

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q ' installed$'; }
missing=()
for t in $want; do
  cmd=${t%%:*} pkg=${t#*:}
  if [ "$cmd" != - ] && command -v "$cmd" >/dev/null; then continue; fi
  installed "$pkg" && continue
  [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || die "missing ${missing[*]}; run as root"
echo "build-tools: installing ${missing[*]}" >&2
install() {
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_wait[@]}" install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}
# apt's lists may be missing or stale (fresh container): refresh them once, on failure.
install || { update && install; } || die "cannot install ${missing[*]}"
for t in $want; do
  cmd=${t%%:*}
  [ "$cmd" = - ] || command -v "$cmd" >/dev/null || die "$cmd missing although ${t#*:} is installed"
done
