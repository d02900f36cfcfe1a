#!/bin/bash
# trixie-root.sh — a Debian 13 ("trixie") root with GIMP 3 and this
# project's build dependencies, for building and testing the GIMP 3 plug-in
# on a Debian 12 machine (whose archive has no GIMP 3).
#
#   trixie-root.sh ensure            build the root, or reuse it when its stamp
#                                    lists the same packages (default)
#   trixie-root.sh run CMD [ARG...]  run CMD inside the root (as root), with
#                                    /proc, /dev and /tmp mounted and the
#                                    directory $NS_TRIXIE_BIND (if set) bound
#                                    at /src and $NS_TRIXIE_SHARED (if set)
#                                    read-only at /shared; everything mounted
#                                    is unmounted again, also on failure
#   trixie-root.sh path              print the root's path
#
# Environment:
#   NS_TRIXIE_ROOT    the root (default /var/cache/neural-style/trixie-root;
#                     outside the source tree, reused between runs)
#   NS_TRIXIE_MIRROR  Debian mirror (default: the first Debian URI configured
#                     in /etc/apt/sources.list{,.d/*})
#   NS_TRIXIE_BIND    a host directory to bind at /src for `run`
#   NS_TRIXIE_SHARED  a host directory to bind read-only at /shared for `run`
#
# Needs root, debootstrap and the mirror.  Prints how long building took.
set -eu

ROOT=${NS_TRIXIE_ROOT:-/var/cache/neural-style/trixie-root}
STAMP=$ROOT/.neural-style-stamp
LOCK=${ROOT%/}.lock
# What the GIMP 3 plug-in, its tests (valgrind: the plug-in under memcheck)
# and its screenshot need (and de_DE.UTF-8, generated after the install).
PACKAGES="gimp libgimp-3.0-dev gir1.2-gimp-3.0 python3-gi
  meson ninja-build gcc pkg-config gettext libopenblas-dev libjson-glib-dev
  libgegl-dev libbabl-dev xvfb xauth locales valgrind"
PACKAGES=$(echo $PACKAGES)   # one line

die() { echo "trixie-root: $*" >&2; exit 1; }

mirror() {
  if [ -n "${NS_TRIXIE_MIRROR:-}" ]; then echo "$NS_TRIXIE_MIRROR"; return; fi
  local m
  # deb822 files ("URIs: http://…/debian") first, then one-line "deb URL suite".
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      sed -n 's/^URIs:[[:space:]]*\(http[^[:space:]]*\/debian\/\{0,1\}\)[[:space:]]*$/\1/p' | head -1)
  [ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\(http[^[:space:]]*\/debian\/\{0,1\}\)[[:space:]].*/\2/p' | head -1)
  [ -n "$m" ] || die "no Debian mirror in /etc/apt/sources.list*; set NS_TRIXIE_MIRROR"
  echo "$m"
}

# Mounts made by this process, unmounted in reverse order by cleanup.
MOUNTED=()
cleanup() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTED[$i]}" 2>/dev/null || umount -l "${MOUNTED[$i]}" 2>/dev/null || true
  done
  MOUNTED=()
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

mount_in() {  # mount_in TARGET MOUNT-ARGS...: mount unless already mounted
  local target=$ROOT$1; shift
  mkdir -p "$target"
  mountpoint -q "$target" && return 0
  mount "$@" "$target"
  MOUNTED+=("$target")
}

mount_all() {
  mount_in /proc -t proc proc
  mount_in /dev --bind /dev
  mount_in /dev/pts --bind /dev/pts
  mount_in /tmp -t tmpfs tmpfs
  if [ -n "${NS_TRIXIE_BIND:-}" ]; then
    mount_in /src --bind "$NS_TRIXIE_BIND"
  fi
  if [ -n "${NS_TRIXIE_SHARED:-}" ]; then
    mount_in /shared --bind "$NS_TRIXIE_SHARED"
    mount -o remount,bind,ro "$ROOT/shared"
  fi
}

in_root() {  # in_root CMD...: chroot with a clean environment
  # 9>&-: the lock stays with this script; a process left behind in the
  # root (a plug-in outliving its GIMP) must not keep holding it
  chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive TERM=dumb "$@" 9>&-
}

build() {
  local m t0 t1
  m=$(mirror)
  t0=$(date +%s)
  # A half-built root from an interrupted run: start again.
  if [ -d "$ROOT" ] && [ ! -f "$ROOT/.debootstrap-done" ]; then
    echo "trixie-root: removing the unfinished root $ROOT"
    for d in shared src tmp dev/pts dev proc; do umount -l "$ROOT/$d" 2>/dev/null || true; done
    rm -rf --one-file-system "$ROOT"
  fi
  if [ ! -f "$ROOT/.debootstrap-done" ]; then
    command -v debootstrap >/dev/null || die "debootstrap is not installed"
    mkdir -p "$(dirname "$ROOT")"
    echo "trixie-root: debootstrap --variant=minbase trixie $ROOT $m"
    debootstrap --variant=minbase trixie "$ROOT" "$m"
    touch "$ROOT/.debootstrap-done"
  fi
  # Binary and source packages from the same mirror (the sources give GIMP
  # 3's own example plug-ins to read); no services start inside the root.
  printf 'deb %s trixie main\ndeb-src %s trixie main\n' "$m" "$m" > "$ROOT/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
  mount_all
  in_root apt-get update -q
  in_root apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 $PACKAGES
  in_root apt-get clean
  # A German locale for the translation test (LANGUAGE is ignored under C.UTF-8).
  in_root sh -c "sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen && locale-gen"
  cleanup
  echo "$PACKAGES" > "$STAMP"
  t1=$(date +%s)
  echo "trixie-root: built $ROOT in $((t1 - t0)) s"
}

ensure() {
  local t0
  t0=$(date +%s)
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PACKAGES" ]; then
    echo "trixie-root: reusing $ROOT ($(($(date +%s) - t0)) s)"
    return 0
  fi
  build
}

[ "$(id -u)" = 0 ] || die "needs root (chroot, mount)"
cmd=${1:-ensure}
[ $# -gt 0 ] && shift
mkdir -p "$(dirname "$ROOT")"
exec 9> "$LOCK"
case "$cmd" in
  ensure) flock 9; ensure ;;
  path)   echo "$ROOT" ;;
  run)
    [ $# -gt 0 ] || die "run needs a command"
    # Exclusive: every run binds its own tree at /src and unmounts
    # everything when it ends, so two runs at once (two source trees on
    # one machine) would build each other's sources or lose their mounts.
    flock 9
    [ -f "$STAMP" ] || die "no root at $ROOT; run: $0 ensure"
    mount_all
    set +e
    in_root "$@"
    st=$?
    cleanup
    exit $st ;;
  *) die "unknown command $cmd (ensure | run CMD... | path)" ;;
esac
