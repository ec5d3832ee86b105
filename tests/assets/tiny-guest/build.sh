#!/usr/bin/env bash
# Builds the tiny test guest: the Debian 12 kernel and a busybox initramfs, for
# libvirt direct kernel boot (<kernel>, <initrd>, <cmdline>). Boots under QEMU TCG
# (console=ttyS0) and as a Xen PV guest (console=hvc0).
#
#   build.sh                        build (or reuse) and point .build/tiny-guest/current at it
#   build.sh --extra DIR [--link NAME]
#                                   variant: DIR's contents are laid over the initramfs
#                                   root (e.g. DIR/etc/tiny-guest/hook); `current` is left
#                                   alone, --link NAME points .build/tiny-guest/NAME at it
#
# Prints the kernel path and then the initrd path, one per line. The output
# directory is named after a hash of this script, ./init, the exact package
# versions and the --extra contents, so an unchanged rebuild only asks apt for the
# candidate versions. Packages are fetched with `apt-get download` and unpacked
# with `dpkg-deb -x`: nothing is installed on the host except, if missing, the
# few tools used here.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out="$top/.build/tiny-guest"
cache="$out/cache"

# Modules the guest loads (in this order; modprobe adds their dependencies):
# virtio for KVM, the Xen PV front-ends, and evdev + button so init can see the
# ACPI power button that `virsh shutdown` presses.
modules="virtio_pci virtio_console virtio_blk virtio_net xen-blkfront xen-netfront evdev button"

die() { echo "tiny-guest build: $*" >&2; exit 1; }

usage() { sed -n '6,11s/^# \{0,1\}//p' "$0" >&2; exit 2; }

extra='' link=''
while [ $# -gt 0 ]; do
  case $1 in
    --extra) [ $# -ge 2 ] || usage; extra=$2; shift 2 ;;
    --link) [ $# -ge 2 ] || usage; link=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "tiny-guest build: unknown argument: $1" >&2; usage ;;
  esac
done
if [ -n "$extra" ]; then
  [ -d "$extra" ] || die "--extra $extra: not a directory"
  extra=$(cd "$extra" && pwd)
fi
case $link in
  */*|.|..|cache) die "--link $link: want a plain name" ;;
esac
[ -n "$extra" ] || link=${link:-current}

# Tools and apt's state go through scripts/build-tools.sh, which holds one lock: the
# builds that `make test` starts side by side never run apt at the same time.
tools="$here/../../../scripts/build-tools.sh"
bash "$tools" tiny-guest || die "cannot install the build tools"
# apt's metadata may be missing or stale (fresh container, superseded kernel ABI):
# refresh it once per run, only when a lookup or download fails.
apt_updated=0
apt_update_once() {
  [ "$apt_updated" = 0 ] || return 1
  apt_updated=1
  bash "$tools" --update || die "apt-get update failed"
}

# A single apt-cache call, with a binary cache of our own under .build: this image
# disables apt's (docker-clean), which makes every call rebuild it for about a
# second. apt revalidates the cache against its package lists by itself.
# linux-image-amd64 names the full flavour (not -cloud-amd64, which lacks the Xen
# PV front-ends) and pins its exact version.
apt_cache() { apt-cache -o Dir::Cache::pkgcache="$cache/apt-pkgcache.bin" "$@"; }
versions() {
  apt_cache show --no-all-versions linux-image-amd64 busybox-static 2>/dev/null | awk '
    /^Package: / { p = $2 }
    p == "linux-image-amd64" && /^Depends: / {
      sub(/^Depends: /, ""); n = split($0, d, /, /)
      for (i = 1; i <= n; i++)
        if (d[i] ~ /^linux-image-[0-9][^ ]*-amd64 \(= [^)]*\)$/) {
          split(d[i], w, /[ ()=]+/); k = w[1]; kv = w[2] }
    }
    p == "busybox-static" && /^Version: / { bv = $2 }
    END { if (k != "" && kv != "" && bv != "") print k, kv, bv }'
}
mkdir -p "$cache"
v=$(versions)
[ -n "$v" ] || { apt_update_once && v=$(versions); } || true
[ -n "$v" ] || die "apt knows no linux-image-amd64 (with a pinned linux-image-*-amd64) or busybox-static: is this Debian 12 amd64?"
read -r kpkg kver bver <<<"$v"

base_key=$(
  {
    sha256sum <"$0"
    sha256sum <"$here/init"
    echo "$kpkg=$kver busybox-static=$bver"
  } | sha256sum | cut -c1-16
)
key=$base_key
if [ -n "$extra" ]; then
  # Names, contents and modes; not owners or times, which copying changes anyway.
  key=$( {
    echo "$base_key"
    tar -C "$extra" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - .
  } | sha256sum | cut -c1-16)
fi
base="$out/$base_key"
dest="$out/$key"

built() { [ -f "$1/vmlinuz" ] && [ -f "$1/initrd.img" ]; }

report() {
  if [ -n "$link" ]; then
    # Replace the link atomically: a concurrent reader sees the old or the new one.
    ln -sfn "$key" "$out/.$link.tmp.$$"
    mv -T "$out/.$link.tmp.$$" "$out/$link"
  fi
  echo "$dest/vmlinuz"
  echo "$dest/initrd.img"
}

if built "$dest"; then
  report
  exit 0
fi

# Parallel test runs may build the same key: one builds, the others then reuse it.
exec 9>"$out/.lock"
flock 9
if built "$dest"; then
  report
  exit 0
fi

work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

fetch() { # package version -> path of the .deb in the cache
  local deb="$cache/${1}_${2//:/%3a}_amd64.deb" old
  if [ ! -f "$deb" ]; then
    # The sandbox option keeps apt from warning that _apt cannot write into .build.
    ( cd "$cache" && apt-get download -qq -o APT::Sandbox::User=root -o Dir::Cache::pkgcache="$cache/apt-pkgcache.bin" "$1=$2" >/dev/null 2>"$work/apt.err" ) \
      || { apt_update_once && ( cd "$cache" && apt-get download -qq -o APT::Sandbox::User=root -o Dir::Cache::pkgcache="$cache/apt-pkgcache.bin" "$1=$2" >/dev/null 2>"$work/apt.err" ); } \
      || { cat "$work/apt.err" >&2; die "apt-get download $1=$2 failed"; }
    [ -f "$deb" ] || die "apt-get download $1=$2 did not produce $deb"
    # Keep one version per package: the kernel alone is 70 MB.
    for old in "$cache/${1}"_*.deb; do
      [ "$old" = "$deb" ] || rm -f "$old"
    done
  fi
  echo "$deb"
}
# newc archive of a directory tree, owned by root whoever owns the files, gzipped.
# busybox's cpio, so the host needs no cpio package. "." itself is left out: in
# an appended archive it would reset the mode of the guest's /.
cpio_gz() { # dir busybox > file
  ( cd "$1" && find . -mindepth 1 | LC_ALL=C sort | "$2" cpio -o -H newc -R 0:0 2>/dev/null ) | gzip -9n
}

bdeb=$(fetch busybox-static "$bver")
dpkg-deb -x "$bdeb" "$work/b"
busybox="$work/b/bin/busybox"
[ -x "$busybox" ] || die "busybox-static $bver has no bin/busybox"

build_base() {
  local kdeb krel kmods root m line f wanted=
  kdeb=$(fetch "$kpkg" "$kver")
  dpkg-deb -x "$kdeb" "$work/k"
  krel=$(cd "$work/k/lib/modules" && ls)
  if [ -z "$krel" ] || [ "$(echo "$krel" | wc -l)" != 1 ]; then
    die "$kpkg: expected one lib/modules/<release>, got: $krel"
  fi
  kmods="$work/k/lib/modules/$krel"
  [ -f "$work/k/boot/vmlinuz-$krel" ] || die "$kpkg: no boot/vmlinuz-$krel"

  # The package ships no modules.dep (its postinst runs depmod), so generate one
  # for the extracted tree. busybox's depmod does it without kmod on the host; as
  # with kmod, each line lists a module's complete dependency closure.
  "$busybox" depmod -b "$work/k" "$krel" || die "depmod on $kpkg failed"

  root="$work/root"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,root,etc/tiny-guest}
  chmod 1777 "$root/tmp"

  # Copy each wanted module with its dependencies, keeping the package's paths so
  # the guest's modprobe finds them under /lib/modules/<release>.
  norm() { local n=${1##*/}; n=${n%%.ko*}; echo "${n//-/_}"; }
  for m in $modules; do
    line=$(awk -v want="$(norm "$m")" '
      { n = $1; sub(/:$/, "", n); sub(/.*\//, "", n); sub(/\.ko.*/, "", n); gsub(/-/, "_", n)
        if (n == want) { print; exit } }' "$kmods/modules.dep")
    if [ -z "$line" ]; then
      # Built into this kernel (e.g. virtio_pci on some configs): nothing to load.
      grep -q "/$m\.ko\$\|/${m//_/-}\.ko\$\|/${m//-/_}\.ko\$" "$kmods/modules.builtin" \
        || die "$kpkg has no module $m"
      continue
    fi
    wanted="$wanted $m"
    for f in ${line/:/}; do
      [ -f "$root/lib/modules/$krel/${f%.xz}" ] && continue
      mkdir -p "$root/lib/modules/$krel/$(dirname "$f")"
      case $f in
        # busybox's insmod cannot read compressed modules; Debian 12's are plain
        # .ko, later releases ship .ko.xz.
        *.ko.xz) xz -dc "$kmods/$f" >"$root/lib/modules/$krel/${f%.xz}" ;;
        *.ko)    cp "$kmods/$f" "$root/lib/modules/$krel/$f" ;;
        *)       die "unexpected module file $f" ;;
      esac
    done
  done
  # modules.dep for just the copied set, with .ko names, for the guest's modprobe.
  "$busybox" depmod -b "$root" "$krel" || die "depmod on the initramfs modules failed"
  wanted=${wanted# }
  echo "$wanted" | tr ' ' '\n' >"$root/etc/tiny-guest/modules"

  cp "$busybox" "$root/bin/busybox"
  for m in $("$busybox" --list-full); do
    [ -e "$root/$m" ] || ln -s /bin/busybox "$root/$m"
  done
  # The kernel runs /sbin/poweroff itself for Xen's control/shutdown
  # (orderly_poweroff), and init runs it for the ACPI button. busybox's poweroff
  # would only signal PID 1, so power off directly.
  rm -f "$root/sbin/poweroff"
  printf '%s\n' '#!/bin/sh' 'sync' 'exec /bin/busybox poweroff -f' >"$root/sbin/poweroff"
  chmod 755 "$root/sbin/poweroff"
  cp "$here/init" "$root/init"
  chmod 755 "$root/init"
  # The kernel opens /dev/console before /init can mount devtmpfs.
  mknod -m 600 "$root/dev/console" c 5 1

  mkdir "$work/base"
  cpio_gz "$root" "$busybox" >"$work/base/initrd.img"
  cp "$work/k/boot/vmlinuz-$krel" "$work/base/vmlinuz"
  {
    echo "key=$base_key"
    echo "packages=$kpkg=$kver busybox-static=$bver"
    echo "kernel_release=$krel"
    echo "modules=$wanted"
  } >"$work/base/manifest"
  rm -rf "$base"
  mv "$work/base" "$base"
}

built "$base" || build_base

if [ -n "$extra" ]; then
  # A variant is the base initramfs with a second archive appended: the kernel
  # unpacks concatenated archives in order, later files replacing earlier ones
  # (except a symlink over a symlink, which it keeps). That skips re-extracting
  # the 400 MB kernel package for every variant.
  mkdir "$work/variant"
  ln "$base/vmlinuz" "$work/variant/vmlinuz" 2>/dev/null || cp "$base/vmlinuz" "$work/variant/vmlinuz"
  { cat "$base/initrd.img"; cpio_gz "$extra" "$busybox"; } >"$work/variant/initrd.img"
  { cat "$base/manifest"; echo "variant=$key"; echo "extra=$extra"; } >"$work/variant/manifest"
  rm -rf "$dest"
  mv "$work/variant" "$dest"
fi
report
