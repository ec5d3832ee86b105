#!/usr/bin/env bash
# Builds a GRUB-bootable Debian 12 (bookworm) disk image for full test VMs: QEMU
# TCG under libvirt (machine pc, CPU qemu64, virtio disk and NICs, serial console),
# and later the same disk as a Xen dom0 (hence the full linux-image-amd64, not the
# -cloud- flavour). Root logs in over SSH with a key made at build time. The NIC with
# MAC 52:54:00:ee:00:01 is named mgmt0 and configured by DHCP; other NICs are ethN.
#
#   build.sh [--variant default]    with /usr/bin/python3, for Ansible's modules
#   build.sh --variant no-python    the same without python3, for raw-module targets
#                                   (OVM3-style)
#
# Prints the qcow2 path and then the private key path, one per line; progress goes
# to stderr. The image is cached in ${VIRTOPS_IMAGE_CACHE:-/var/cache/virtops/images}/
# <variant>-<hash>/ (disk.qcow2, id_ed25519{,.pub}, manifest, complete), the hash
# covering this script, the variant, the suite and the exact linux-image-amd64 and
# grub-pc versions apt knows for it, so an unchanged rebuild only asks apt-cache.
# Boot VMs from a copy-on-write overlay, never from disk.qcow2 itself.
#
# Needs root (loop device, mounts, chroot). debootstrap fetches the packages from the
# mirror of this machine's own apt sources (/etc/apt/sources.list.d/debian.sources,
# else /etc/apt/sources.list), and fails if they name none for the suite; nothing is
# installed on the host except, if missing, the few tools used here (through
# scripts/build-tools.sh). The chroot gets a private /dev (a tmpfs with the few nodes
# it needs plus the loop devices), not the host's: update-grub writes root=UUID=... only if /dev/disk/by-uuid/<uuid>
# exists, and this host has no udev to make it, nor should we add it to the
# host's /dev.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
suite=bookworm
size=4G

# Progress and every tool's chatter go to stderr; fd 3 is the real stdout, for
# the two paths only.
exec 3>&1 1>&2

t0=$SECONDS
log() { echo "debian-image build [$((SECONDS - t0))s]: $*"; }
die() { echo "debian-image build: $*"; exit 1; }
usage() { sed -n '7,9s/^# \{0,1\}//p' "$self"; exit 2; }

variant=default
while [ $# -gt 0 ]; do
  case $1 in
    --variant) [ $# -ge 2 ] || usage; variant=$2; shift 2 ;;
    --variant=*) variant=${1#--variant=}; shift ;;
    -h|--help) usage ;;
    *) echo "debian-image build: unknown argument: $1"; usage ;;
  esac
done
case $variant in
  default|no-python) ;;
  *) echo "debian-image build: --variant $variant: want default or no-python"; usage ;;
esac
[ "$(id -u)" = 0 ] || die "must run as root (loop device, mount, chroot)"

# Tools and apt's state go through scripts/build-tools.sh, which holds one lock: the
# builds that `make test` starts side by side never run apt at the same time.
tools="$here/../../../scripts/build-tools.sh"
bash "$tools" image || die "cannot install the build tools"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# apt's metadata may be missing or stale (fresh container, superseded kernel ABI):
# refresh it once per run, only when a lookup fails.
apt_updated=0
apt_update_once() {
  [ "$apt_updated" = 0 ] || return 1
  apt_updated=1
  log "apt-get update"
  bash "$tools" --update || die "apt-get update failed"
}

# The first URI of the host's apt source for a suite (split() is given " " because
# its default separator is FS, a newline here): deb822 stanzas in
# debian.sources, else one-line entries in sources.list.
source_uri() { # suite
  local f=/etc/apt/sources.list.d/debian.sources uri=
  [ -f "$f" ] && uri=$(awk -v want="$1" '
    BEGIN { RS = ""; FS = "\n" }
    { uri = ""; deb = 0; has = 0; off = 0
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^[ \t]*#/) continue
        if ($i ~ /^URIs:/) { split(substr($i, 6), u, " "); uri = u[1] }
        if ($i ~ /^Types:/) { n = split(substr($i, 7), t, " "); for (j = 1; j <= n; j++) if (t[j] == "deb") deb = 1 }
        if ($i ~ /^Suites:/) { n = split(substr($i, 8), s, " "); for (j = 1; j <= n; j++) if (s[j] == want) has = 1 }
        if ($i ~ /^Enabled:[ \t]*no/) off = 1
      }
      if (uri != "" && deb && has && !off) { print uri; exit } }' "$f")
  [ -n "$uri" ] || [ ! -f /etc/apt/sources.list ] || uri=$(awk -v want="$1" '
    $1 == "deb" { i = 2; if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
                  if ($(i + 1) == want) { print $i; exit } }' /etc/apt/sources.list)
  echo "${uri%/}"
}
mirror=$(source_uri "$suite")
[ -n "$mirror" ] || die "this machine's apt sources name no mirror for $suite: add one (deb822 in /etc/apt/sources.list.d/debian.sources, or sources.list)"

# The versions debootstrap will install: the suite itself, not -security or
# -updates, which debootstrap does not use.
versions() {
  apt-cache madison linux-image-amd64 grub-pc 2>/dev/null | awk -F' [|] ' -v s=" $suite/main " '
    index($3 " ", s) { gsub(/ /, "", $1); gsub(/ /, "", $2); if (!seen[$1]++) print $1 "=" $2 }' | sort
}
v=$(versions)
[ "$(echo "$v" | grep -c .)" = 2 ] || { apt_update_once && v=$(versions); } || true
if [ "$(echo "$v" | grep -c .)" != 2 ]; then
  log "apt knows no $suite versions of linux-image-amd64 and grub-pc; keying the cache on the suite alone"
  v=
fi

key=$( {
  sha256sum <"$self"
  echo "variant=$variant suite=$suite"
  echo "$v"
} | sha256sum | cut -c1-16)
cache_root=${VIRTOPS_IMAGE_CACHE:-/var/cache/virtops/images}
name="$variant-$key"
dest="$cache_root/$name"

built() { [ -f "$dest/complete" ] && [ -f "$dest/disk.qcow2" ]; }
report() {
  prune
  echo "$dest/disk.qcow2" >&3
  echo "$dest/id_ed25519" >&3
}
# Images of this variant that an older recipe made: no recipe names them any more.
# A VM still running on one keeps its open backing file; the next create rebuilds.
prune() {
  local old
  for old in "$cache_root/$variant"-*; do
    if [ ! -d "$old" ] || [ "$old" = "$dest" ]; then continue; fi
    case ${old##*/} in "$variant"-[0-9a-f]*) ;; *) continue ;; esac
    log "pruning $old (an older recipe)"
    rm -rf --one-file-system "$old"
    rm -f "$cache_root/.${old##*/}.lock"
  done
}

if built; then
  log "cached: $dest"
  report
  exit 0
fi

# Parallel callers may want the same image: one builds, the others wait and reuse it.
mkdir -p "$cache_root"
exec 9>"$cache_root/.$name.lock"
flock -n 9 || { log "waiting for another build of $name"; flock 9; }
if built; then
  log "cached (built meanwhile): $dest"
  report
  exit 0
fi

# Leftovers of a build of this very key that was killed outright: nothing else
# can be using them while we hold its lock. Never descend into a mount.
for old in "$cache_root/.work.$name".*; do
  [ -d "$old" ] || continue
  if grep -q " $old/" /proc/self/mounts; then
    log "leaving $old alone: something is still mounted under it"
  else
    rm -rf --one-file-system "$old"
  fi
done

work=$(mktemp -d "$cache_root/.work.$name.XXXXXX")
out="$work/out"
mnt="$work/root"
raw="$work/disk.raw"
mkdir "$out" "$mnt"

# Mount points, in mount order, and the loop device: undone on every exit path.
mounts=()
loopdev=
do_mount() { # mount arguments...; the last one is the mount point
  mount "$@"
  mounts+=("${!#}")
}
kill_chroot_processes() {
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    case $r in
      "$mnt"|"$mnt"/*) kill -9 "${p#/proc/}" 2>/dev/null || true ;;
    esac
  done
}
teardown() {
  local i
  [ "${#mounts[@]}" = 0 ] && [ -z "$loopdev" ] && return 0
  kill_chroot_processes
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" \
      || echo "debian-image build: cannot unmount ${mounts[i]}"
  done
  mounts=()
  if [ -n "$loopdev" ]; then
    # If a lazy unmount still holds it, this only sets autoclear: freed on release.
    partx -d "$loopdev" 2>/dev/null || true
    losetup -d "$loopdev" || echo "debian-image build: cannot detach $loopdev"
    loopdev=
  fi
}
cleanup() {
  local rc=$?
  set +e
  teardown
  if grep -q " $work/" /proc/self/mounts; then
    echo "debian-image build: leaving $work: something is still mounted under it"
  else
    rm -rf --one-file-system "$work"
  fi
  [ "$rc" = 0 ] || echo "debian-image build: failed (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "debian-image build: line $LINENO failed: $BASH_COMMAND"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Disk: msdos label, one bootable Linux partition from 1 MiB to the end.
log "building $name in $work (mirror $mirror)"
truncate -s "$size" "$raw"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$raw" >/dev/null
loopdev=$(losetup -P --show -f "$raw")
part="${loopdev}p1"
# losetup -P has the kernel read the table, and devtmpfs makes the node before the
# ioctl returns: no udev to wait for. A kernel built without the msdos parser (this
# host's is) finds nothing: then partx reads the table itself and adds the partition
# (BLKPG), just as synchronously.
[ -b "$part" ] || partx -a "$loopdev" || true
[ -b "$part" ] || die "$part did not appear, neither after losetup -P nor after partx -a"

uuid=$(cat /proc/sys/kernel/random/uuid)
# GRUB 2.06 cannot read ext4 with orphan_file, which e2fsprogs >= 1.47 may enable
# by default (bookworm's does not). Initialise the inode tables now: zeros cost
# nothing in the qcow2, while ext4lazyinit would write them in every VM's overlay.
features=
! grep -q orphan_file /etc/mke2fs.conf 2>/dev/null || features="-O ^orphan_file,^metadata_csum_seed"
# shellcheck disable=SC2086
mkfs.ext4 -q -F -U "$uuid" -L virtops-root $features -E lazy_itable_init=0,lazy_journal_init=0 "$part"
do_mount "$part" "$mnt"

packages="linux-image-amd64,grub-pc,systemd-sysv,udev,kmod,dbus,procps,netbase,ifupdown,isc-dhcp-client,iproute2,iputils-ping,openssh-server,openssh-sftp-server,sudo"
# python3-apt: what ansible.builtin.apt needs (it installs it itself, but not in check
# mode), as python3 is what every module needs; none of the roles installs either.
[ "$variant" = no-python ] || packages="$packages,python3,python3-apt"
log "debootstrap $suite (minbase + $packages)"
debootstrap --variant=minbase --arch=amd64 --components=main --keyring="$keyring" \
  --include="$packages" "$suite" "$mnt" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log"
    [ ! -f "$mnt/debootstrap/debootstrap.log" ] || tail -n 30 "$mnt/debootstrap/debootstrap.log"
    die "debootstrap failed"
  }

# The chroot's /dev: see the header. /dev/ptmx opens the devpts instance mounted
# next to it, the host's, bound in.
do_mount -t tmpfs -o mode=755,size=1m virtops-dev "$mnt/dev"
mknod -m 666 "$mnt/dev/null" c 1 3
mknod -m 666 "$mnt/dev/zero" c 1 5
mknod -m 666 "$mnt/dev/full" c 1 7
mknod -m 666 "$mnt/dev/random" c 1 8
mknod -m 666 "$mnt/dev/urandom" c 1 9
mknod -m 666 "$mnt/dev/tty" c 5 0
mknod -m 666 "$mnt/dev/ptmx" c 5 2
ln -s /proc/self/fd "$mnt/dev/fd"
ln -s /proc/self/fd/0 "$mnt/dev/stdin"
ln -s /proc/self/fd/1 "$mnt/dev/stdout"
ln -s /proc/self/fd/2 "$mnt/dev/stderr"
for d in "$loopdev" "$part"; do
  mknod -m 660 "$mnt$d" b "$((0x$(stat -c %t "$d")))" "$((0x$(stat -c %T "$d")))"
done
mkdir -p "$mnt/dev/pts" "$mnt/dev/shm" "$mnt/dev/disk/by-uuid"
ln -s "../../${part#/dev/}" "$mnt/dev/disk/by-uuid/$uuid"
do_mount --bind /dev/pts "$mnt/dev/pts"
do_mount --bind /proc "$mnt/proc"
do_mount --bind /sys "$mnt/sys"
do_mount -t tmpfs -o mode=755 virtops-run "$mnt/run"

in_chroot() {
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    chroot "$mnt" "$@"
}

log "configuring"
echo virtops-test >"$mnt/etc/hostname"
cat >"$mnt/etc/hosts" <<'EOF'
127.0.0.1	localhost
127.0.1.1	virtops-test
::1		localhost ip6-localhost ip6-loopback
ff02::1		ip6-allnodes
ff02::2		ip6-allrouters
EOF
echo "UUID=$uuid / ext4 errors=remount-ro 0 1" >"$mnt/etc/fstab"
cat >"$mnt/etc/network/interfaces" <<'EOF'
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

# The management NIC (see 10-virtops-mgmt.link): DHCP, from QEMU's user-mode network
# in the test VMs. Other NICs are ethN (net.ifnames=0) and left to the tests.
allow-hotplug mgmt0
iface mgmt0 inet dhcp
EOF
# The NIC with this MAC is the way in (SSH), whatever its PCI slot: test VMs give it
# this MAC, and every other NIC (links between VMs, ports for bonds) stays ethN.
mkdir -p "$mnt/etc/systemd/network"
cat >"$mnt/etc/systemd/network/10-virtops-mgmt.link" <<'EOF'
[Match]
MACAddress=52:54:00:ee:00:01

[Link]
Name=mgmt0
EOF
# dhclient fills it at boot; the host's has no business here.
: >"$mnt/etc/resolv.conf"

# apt in the VM: no source. Test VMs reach nothing outside; the harness points apt
# at the local repository it serves them (tests/assets/apt-repo).
rm -f "$mnt/etc/apt/sources.list" "$mnt/etc/apt/sources.list.d/debian.sources"
# Whatever the VM installs later comes without documentation.
cat >"$mnt/etc/dpkg/dpkg.cfg.d/01-virtops-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF

# Root: SSH key only. '*' rather than a '!' lock, which sshd would refuse without PAM.
ssh-keygen -q -t ed25519 -N '' -C "virtops-test-$name" -f "$out/id_ed25519"
install -d -m 700 "$mnt/root/.ssh"
install -m 600 "$out/id_ed25519.pub" "$mnt/root/.ssh/authorized_keys"
in_chroot usermod -p '*' root
cat >"$mnt/etc/ssh/sshd_config.d/virtops.conf" <<'EOF'
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
EOF
# openssh-server's postinst makes them in most flows; make sure.
in_chroot ssh-keygen -A

# GRUB on the serial console, no menu delay; the kernel logs to ttyS0 and systemd
# starts a getty there.
grub_set() { # variable value
  if grep -q "^$1=" "$mnt/etc/default/grub"; then
    sed -i "s|^$1=.*|$1=\"$2\"|" "$mnt/etc/default/grub"
  else
    echo "$1=\"$2\"" >>"$mnt/etc/default/grub"
  fi
}
cmdline="console=ttyS0,115200n8 net.ifnames=0 biosdevname=0"
grub_set GRUB_TIMEOUT 0
grub_set GRUB_CMDLINE_LINUX_DEFAULT ""
grub_set GRUB_CMDLINE_LINUX "$cmdline"
grub_set GRUB_TERMINAL "serial console"
grub_set GRUB_SERIAL_COMMAND "serial --speed=115200 --unit=0 --word=8 --parity=no --stop=1"
# grub-pc's postinst, on an upgrade in the VM, rewrites /etc/default/grub from its
# debconf answers: give it the same. grub-install below writes core.img, after
# which that postinst also wants install devices, and fails when noninteractive
# without them. The disk's name differs between QEMU and Xen: keep the installed
# core.img.
in_chroot debconf-set-selections <<EOF
grub-pc grub2/linux_cmdline string $cmdline
grub-pc grub2/linux_cmdline_default string
grub-pc grub-pc/timeout string 0
grub-pc grub-pc/install_devices_empty boolean true
EOF
log "grub-install $loopdev"
in_chroot grub-install --target=i386-pc "$loopdev"
in_chroot update-grub
grep -q "root=UUID=$uuid" "$mnt/boot/grub/grub.cfg" || die "grub.cfg does not boot root=UUID=$uuid"
! grep -n "/dev/loop" "$mnt/boot/grub/grub.cfg" || die "grub.cfg refers to the build's loop device"

# Nothing slow or surprising at boot: no timers racing the tests, no network wait.
for unit in systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
            apt-daily.service apt-daily-upgrade.service e2scrub_all.timer e2scrub_all.service \
            e2scrub_reap.service systemd-firstboot.service; do
  ln -sfn /dev/null "$mnt/etc/systemd/system/$unit"
done
# A fresh machine-id per VM, generated at first boot.
: >"$mnt/etc/machine-id"
rm -f "$mnt/var/lib/dbus/machine-id"

if [ "$variant" = no-python ]; then
  # Nothing in the list depends on python3; make sure no dependency brought it in.
  # shellcheck disable=SC2016
  py=$(in_chroot dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'python3*' 2>/dev/null || true)
  ! grep '^ii' <<<"$py" || die "the no-python variant has python3 packages installed"
  ! ls "$mnt"/usr/bin/python3* 2>/dev/null || die "the no-python variant has a python3 binary"
else
  in_chroot /usr/bin/python3 --version >/dev/null || die "/usr/bin/python3 does not run"
fi
in_chroot dpkg-query -W >"$out/manifest"

# Size: no package caches, lists, logs or docs.
in_chroot apt-get clean
rm -rf "$mnt"/var/lib/apt/lists/* "$mnt"/var/cache/apt/*.bin "$mnt"/var/log/bootstrap.log \
       "$mnt"/usr/share/man/* "$mnt"/usr/share/info/*
find "$mnt/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$mnt/usr/share/doc" -mindepth 1 -type d -empty -delete
[ ! -d "$mnt/usr/share/locale" ] \
  || find "$mnt/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
rm -rf "$mnt"/tmp/* "$mnt"/var/tmp/* "$mnt"/root/.bash_history
mkdir -p "$mnt/var/lib/apt/lists/partial"

# Freed blocks (debootstrap's .debs, files dpkg replaced) become holes in the raw
# file, so the conversion skips them. ext4 trims only blocks whose freeing is
# committed: sync first, or the .debs deleted seconds ago stay (300 MB more).
sync -f "$mnt"
fstrim "$mnt" || log "fstrim failed; the image will be larger"
teardown

log "qemu-img convert -O qcow2 -c"
qemu-img convert -O qcow2 -c "$raw" "$out/disk.qcow2"
rm -f "$raw"
chmod 755 "$out"
chmod 644 "$out/disk.qcow2" "$out/id_ed25519.pub" "$out/manifest"
chmod 600 "$out/id_ed25519"
{
  echo "name=$name"
  echo "variant=$variant suite=$suite mirror=$mirror"
  echo "root_uuid=$uuid"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - t0))s"
} >"$out/complete"
sync -f "$out/disk.qcow2"
# Under the lock, a $dest without `complete` can only be the leftover of a killed
# build; the rename publishes the finished directory in one step.
rm -rf --one-file-system "$dest"
mv -T "$out" "$dest"
log "done: $dest ($(du -h "$dest/disk.qcow2" | cut -f1))"
report
