#!/usr/bin/env bash
# Builds the local apt repository that test VMs install packages from: the packages
# named in ./packages and their dependency closure (Depends and Pre-Depends, not
# Recommends), fetched with `apt-get download` through this machine's own apt
# configuration, and indexed as a flat repository (Packages, Packages.gz).
#
#   build.sh        build (or reuse) the repository and print its directory
#
# Cached in ${VIRTOPS_APT_REPO_CACHE:-/var/cache/virtops/apt-repo}/<hash>/, the hash
# covering this script, ./packages and the exact versions apt would fetch, so an
# unchanged rebuild only asks apt-cache. Older repositories are removed. Test VMs
# reach it only through serve.py on loopback and a QEMU guest forward.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
exec 3>&1 1>&2
t0=$SECONDS
log() { echo "apt-repo build [$((SECONDS - t0))s]: $*"; }
die() { echo "apt-repo build: $*"; exit 1; }
[ $# -eq 0 ] || { sed -n '7p' "$0"; exit 2; }

# Tools and apt's state go through scripts/build-tools.sh, which holds one lock: the
# builds that `make test` starts side by side never run apt at the same time.
tools="$here/../../../scripts/build-tools.sh"
bash "$tools" apt-repo || die "cannot install the build tools"

mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages")
[ ${#wanted[@]} -gt 0 ] || die "$here/packages names no package"

# name=version of the whole closure, one apt-cache call each for names and versions;
# virtual names (<...>) are resolved by apt-cache to their providers, listed too.
closure() {
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${wanted[@]}" 2>/dev/null | awk '/^[a-z0-9]/ { print $1 }' | sort -u
}
versions() {
  # shellcheck disable=SC2046
  apt-cache show --no-all-versions $(closure) 2>/dev/null | awk '
    /^Package:/ { p = $2 }
    /^Version:/ { v = $2 } /^$/ { if (p != "") print p "=" v; p = "" }
    END { if (p != "") print p "=" v }' | sort -u
}
pins=$(versions)
if ! echo "$pins" | grep -q "^${wanted[0]}="; then
  log "apt does not know ${wanted[0]}: apt-get update"
  bash "$tools" --update || die "apt-get update failed"
  pins=$(versions)
fi
for p in "${wanted[@]}"; do
  echo "$pins" | grep -q "^$p=" || die "apt knows no candidate for $p"
done

key=$( { sha256sum <"$0"; cat "$here/packages"; echo "$pins"; } | sha256sum | cut -c1-16)
root=${VIRTOPS_APT_REPO_CACHE:-/var/cache/virtops/apt-repo}
dest="$root/$key"
mkdir -p "$root"
exec 9>"$root/.lock"
flock 9
if [ ! -f "$dest/complete" ]; then
  rm -rf "$dest.work"
  mkdir -p "$dest.work"
  log "downloading $(echo "$pins" | grep -c .) packages"
  # shellcheck disable=SC2086
  (cd "$dest.work" && apt-get download -qq -o APT::Sandbox::User=root $pins >/dev/null) \
    || die "apt-get download failed"
  (cd "$dest.work" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null >Packages && gzip -9kn Packages)
  echo "$pins" >"$dest.work/manifest"
  date -u +%FT%TZ >"$dest.work/complete"
  rm -rf "$dest"
  mv "$dest.work" "$dest"
  log "built $dest ($(du -sh "$dest" | cut -f1))"
else
  log "cached: $dest"
fi
# Only the current recipe's repository is kept.
for old in "$root"/*; do
  [ "$old" = "$dest" ] || { log "pruning $old"; rm -rf "$old"; }
done
echo "$dest" >&3
