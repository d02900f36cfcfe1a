#!/bin/bash
# install.sh — build and install Neural Style for GIMP (plug-in, CLI, model).
#
# Run ./install.sh --help for the options.  Re-running is safe: dependencies
# that are present are not reinstalled, an up-to-date build is not rebuilt,
# unchanged files are not rewritten, and a valid installed model is kept.
set -eu
set -o pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# NEURAL_STYLE_MODEL_MIRROR: another base URL holding the same files (curl
# syntax, file:// works too).
MIRROR=${NEURAL_STYLE_MODEL_MIRROR:-https://download.pytorch.org/models}
VGG19_URL=$MIRROR/vgg19-dcbb9e9d.pth
VGG19_SHA=dcbb9e9d            # torchvision names files by their sha256 prefix
SQUEEZE_URL=$MIRROR/squeezenet1_1-b8a52dc0.pth
SQUEEZE_SHA=b8a52dc0
DEPS="libgegl-dev libbabl-dev libopenblas-dev libjson-glib-dev meson ninja-build pkg-config gettext gcc"
PLUGIN=plug-in-neural-style

usage () {
  cat <<EOF
Usage: ./install.sh [OPTIONS]

Builds Neural Style for GIMP with meson and installs
  - the plug-in (Filters > Artistic > Neural Style...) for each GIMP found:
    GIMP 2.10 and/or GIMP 3 (gimp-2.10 / gimp-3.0 or their development files;
    with none installed, the GIMP of the distribution is installed),
  - the command-line tool 'neural-style',
  - a pretrained network as safetensors into the model directory.

Per-user install (default): prefix \$HOME/.local, plug-in in
  \${GIMP2_DIRECTORY:-~/.config/GIMP/2.10}/plug-ins/$PLUGIN/ (GIMP 2.10) and
  \${GIMP3_DIRECTORY:-~/.config/GIMP/3.0}/plug-ins/$PLUGIN/ (GIMP 3),
  models in \${XDG_DATA_HOME:-~/.local/share}/neural-style/models/.
System install (--system): prefix /usr/local, plug-in in GIMP's system
  plug-in directory (pkg-config --variable=gimplibdir gimp-2.0 / gimp-3.0)/plug-ins/,
  models in <prefix>/share/neural-style/models/ (uses sudo when not root).

Options:
  --prefix DIR        install prefix (default \$HOME/.local; /usr/local with --system)
  --system            system-wide install (see above)
  --build-dir DIR     meson build directory (default: <source>/build-install)
  --model FILE        install this model instead of downloading one: a .safetensors
                      (checked with 'neural-style info') or a torchvision .pth
                      (converted with 'neural-style convert')
  --with-squeezenet   also download and install SqueezeNet 1.1 (small, fast)
  --no-model          do not download VGG-19 (--with-squeezenet still applies)
  --no-deps           do not apt-get install the build dependencies
  --gimp 2|3|both     the plug-in(s) to build (default: each GIMP found)
  --demo              afterwards, render demo/out.png with GIMP in batch mode
                      (dog.jpg in the style of The Scream)
  --demo-size N       longest side of the demo result (default 256)
  --demo-iterations N optimiser iterations of the demo (default 100)
  --uninstall         remove everything a previous run installed (models too,
                      unless --keep-models)
  --keep-models       with --uninstall: leave the model files in place
  -h, --help          show this help

Without --model or --no-model, VGG-19 ($VGG19_URL, 548 MB)
is downloaded, its sha256 checked, and converted to vgg19.safetensors.
Offline?  Download the .pth elsewhere and run: ./install.sh --model vgg19-dcbb9e9d.pth
Environment: NEURAL_STYLE_MODEL_MIRROR=URL downloads the .pth files from URL/
instead of https://download.pytorch.org/models/ (the sha256 is still checked).
EOF
}

# ---------------------------------------------------------------- options
PREFIX=""
SYSTEM=0
BUILD=""
MODEL_FILE=""
NO_MODEL=0
WITH_SQUEEZE=0
NO_DEPS=0
DEMO=0
DEMO_SIZE=256
DEMO_ITER=100
UNINSTALL=0
KEEP_MODELS=0
GIMP_CHOICE=""

need_arg () { [ $# -ge 2 ] && [ -n "$2" ] || { echo "install.sh: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix)          need_arg "$@"; PREFIX=$2; shift ;;
    --prefix=*)        PREFIX=${1#*=} ;;
    --system)          SYSTEM=1 ;;
    --build-dir)       need_arg "$@"; BUILD=$2; shift ;;
    --build-dir=*)     BUILD=${1#*=} ;;
    --model)           need_arg "$@"; MODEL_FILE=$2; shift ;;
    --model=*)         MODEL_FILE=${1#*=} ;;
    --with-squeezenet) WITH_SQUEEZE=1 ;;
    --no-model)        NO_MODEL=1 ;;
    --no-deps)         NO_DEPS=1 ;;
    --demo)            DEMO=1 ;;
    --demo-size)       need_arg "$@"; DEMO_SIZE=$2; shift ;;
    --demo-iterations) need_arg "$@"; DEMO_ITER=$2; shift ;;
    --uninstall)       UNINSTALL=1 ;;
    --keep-models)     KEEP_MODELS=1 ;;
    --gimp)            need_arg "$@"; GIMP_CHOICE=$2; shift ;;
    --gimp=*)          GIMP_CHOICE=${1#*=} ;;
    -h|--help)         usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$GIMP_CHOICE" in ""|2|3|both) ;; *) echo "install.sh: --gimp takes 2, 3 or both" >&2; exit 2 ;; esac
case "$DEMO_SIZE$DEMO_ITER" in *[!0-9]*) echo "install.sh: --demo-size/--demo-iterations need numbers" >&2; exit 2 ;; esac
if [ -n "$MODEL_FILE" ] && [ "$NO_MODEL" = 1 ]; then
  echo "install.sh: --model and --no-model exclude each other" >&2; exit 2
fi
if [ -n "$MODEL_FILE" ]; then
  [ -f "$MODEL_FILE" ] || { echo "install.sh: model file not found: $MODEL_FILE" >&2; exit 2; }
  MODEL_FILE=$(cd "$(dirname "$MODEL_FILE")" && pwd)/$(basename "$MODEL_FILE")
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
as_root () {           # run a command as root (apt, system install)
  if [ -z "$SUDO" ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "install.sh: need root for: $* (sudo not found)" >&2; exit 1
  fi
}
say () { printf '\033[1m==>\033[0m %s\n' "$*"; }

if [ "$SYSTEM" = 1 ]; then
  PREFIX=${PREFIX:-/usr/local}
  INSTALL_AS=as_root
else
  PREFIX=${PREFIX:-$HOME/.local}
  INSTALL_AS=""
fi
case "$PREFIX" in /*) ;; *) PREFIX=$(pwd)/$PREFIX ;; esac
BUILD=${BUILD:-$SRC/build-install}
if [ "$SYSTEM" = 1 ]; then
  MODEL_DIR=$PREFIX/share/neural-style/models
  MANIFEST=$PREFIX/share/neural-style/install-manifest.txt
else
  MODEL_DIR=${XDG_DATA_HOME:-$HOME/.local/share}/neural-style/models
  MANIFEST=${XDG_DATA_HOME:-$HOME/.local/share}/neural-style/install-manifest.txt
  GIMP_USER_DIR=${GIMP2_DIRECTORY:-${XDG_CONFIG_HOME:-$HOME/.config}/GIMP/2.10}
  GIMP3_USER_DIR=${GIMP3_DIRECTORY:-${XDG_CONFIG_HOME:-$HOME/.config}/GIMP/3.0}
fi

# Which GIMP: the programs or development files present; with none, the
# distribution's GIMP (3 where its archive has libgimp-3.0-dev, else 2.10).
have_gimp2 () { command -v gimp-2.10 >/dev/null 2>&1 || pkg-config --exists gimp-2.0 2>/dev/null; }
have_gimp3 () { command -v gimp-3.0 >/dev/null 2>&1 || command -v gimp-console-3.0 >/dev/null 2>&1 \
                || pkg-config --exists gimp-3.0 2>/dev/null; }
if [ -z "$GIMP_CHOICE" ]; then
  if have_gimp2 && have_gimp3; then GIMP_CHOICE=both
  elif have_gimp3; then GIMP_CHOICE=3
  elif have_gimp2; then GIMP_CHOICE=2
  elif apt-cache show libgimp-3.0-dev >/dev/null 2>&1; then GIMP_CHOICE=3
  else GIMP_CHOICE=2
  fi
fi
case "$GIMP_CHOICE" in
  2)    DEPS="gimp libgimp2.0-dev $DEPS" ;;
  3)    DEPS="gimp libgimp-3.0-dev $DEPS" ;;
  both) DEPS="libgimp2.0-dev libgimp-3.0-dev $DEPS" ;;
esac
CLI=$PREFIX/bin/neural-style
SAME_FLAGS=""          # to repeat in suggested commands
[ "$SYSTEM" = 1 ] && SAME_FLAGS="$SAME_FLAGS --system"
[ "$PREFIX" != "$HOME/.local" ] && [ "$PREFIX" != /usr/local ] && SAME_FLAGS="$SAME_FLAGS --prefix '$PREFIX'"
[ "$BUILD" != "$SRC/build-install" ] && SAME_FLAGS="$SAME_FLAGS --build-dir '$BUILD'"

# Write to a path owned by root (system) or the user.
put () { $INSTALL_AS "$@"; }
manifest_add () {
  put mkdir -p "$(dirname "$MANIFEST")"
  if [ ! -f "$MANIFEST" ] || ! grep -qxF "$1" "$MANIFEST"; then
    printf '%s\n' "$1" | put tee -a "$MANIFEST" >/dev/null
  fi
}

# ---------------------------------------------------------------- uninstall
if [ "$UNINSTALL" = 1 ]; then
  if [ ! -f "$MANIFEST" ]; then
    echo "install.sh: nothing to uninstall (no $MANIFEST)"
    exit 0
  fi
  say "Removing the files listed in $MANIFEST"
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    case "$f" in
      "$MODEL_DIR"/*) [ "$KEEP_MODELS" = 1 ] && { echo "kept $f"; continue; } ;;
    esac
    if [ -e "$f" ] || [ -L "$f" ]; then put rm -f "$f" && echo "removed $f"; fi
    case "$(dirname "$f")" in   # our own directories only, never e.g. ~/.local/bin
      */neural-style|*/neural-style/*|*/$PLUGIN|*/gimp-plugin-neural-style)
        put rmdir --ignore-fail-on-non-empty "$(dirname "$f")" 2>/dev/null || true ;;
    esac
  done < "$MANIFEST"
  if [ "$KEEP_MODELS" = 1 ]; then
    grep -F "$MODEL_DIR/" "$MANIFEST" | put tee "$MANIFEST.tmp" >/dev/null || true
    put mv "$MANIFEST.tmp" "$MANIFEST"
    [ -s "$MANIFEST" ] || put rm -f "$MANIFEST"
  else
    put rm -f "$MANIFEST"
  fi
  put rmdir --ignore-fail-on-non-empty "$MODEL_DIR" 2>/dev/null || true
  put rmdir --ignore-fail-on-non-empty "$(dirname "$MANIFEST")" 2>/dev/null || true
  say "Uninstalled."
  exit 0
fi

# ---------------------------------------------------------------- dependencies
if [ "$NO_DEPS" = 0 ]; then
  missing=""
  for p in $DEPS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    say "Installing build dependencies:$missing"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
  else
    say "Build dependencies are installed"
  fi
fi

# ---------------------------------------------------------------- build + install
current_prefix () {
  meson introspect --buildoptions "$BUILD" 2>/dev/null | python3 -c \
    'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))' 2>/dev/null || true
}
if [ ! -f "$BUILD/build.ninja" ]; then
  say "Configuring ($BUILD, prefix $PREFIX)"
  meson setup "$BUILD" "$SRC" --prefix "$PREFIX" --buildtype release -Dgimp="$GIMP_CHOICE"
else
  if [ "$(current_prefix)" != "$PREFIX" ]; then
    say "Reconfiguring $BUILD for prefix $PREFIX"
    meson configure "$BUILD" -Dprefix="$PREFIX"
  fi
  meson configure "$BUILD" -Dgimp="$GIMP_CHOICE"
fi
say "Building"
ninja -C "$BUILD"
say "Installing into $PREFIX"
put meson install -C "$BUILD" --only-changed --no-rebuild
meson introspect --installed "$BUILD" | python3 -c \
  'import json,sys; print("\n".join(sorted(json.load(sys.stdin).values())))' |
  while IFS= read -r f; do manifest_add "$f"; done

# GIMP looks for plug-ins in its own directories, not below our prefix.
# install_plugin 2|3 USER_DIR: the plug-in built for that GIMP, if any.
install_plugin () {
  local v=$1 user_dir=$2 built dest
  built=$(meson introspect --installed "$BUILD" | python3 -c \
    'import json,sys; print(next((v for v in json.load(sys.stdin).values()
        if v.endswith("/'$v'.0/plug-ins/'$PLUGIN'/'$PLUGIN'")), ""))')
  [ -n "$built" ] || return 0
  if [ "$SYSTEM" = 1 ]; then
    dest=$(pkg-config --variable=gimplibdir "gimp-$v.0")/plug-ins/$PLUGIN/$PLUGIN
  else
    dest=$user_dir/plug-ins/$PLUGIN/$PLUGIN
  fi
  if [ "$built" != "$dest" ]; then
    if [ -f "$dest" ] && cmp -s "$built" "$dest"; then
      say "GIMP $v plug-in is up to date: $dest"
    else
      say "Installing the GIMP $v plug-in: $dest"
      put install -D -m 755 "$built" "$dest"
    fi
    manifest_add "$dest"
  fi
}
install_plugin 2 "${GIMP_USER_DIR:-}"
install_plugin 3 "${GIMP3_USER_DIR:-}"

# ---------------------------------------------------------------- models
sha256_of () { sha256sum "$1" | cut -d' ' -f1; }

# install_model SRC.safetensors: validate, then place as <arch>.safetensors.
install_model () {
  local src=$1 arch dest
  if ! arch=$("$CLI" info "$src" | sed -n 's/^architecture: //p') || [ -z "$arch" ]; then
    echo "install.sh: $src is not a usable model (see the message above)" >&2
    return 1
  fi
  dest=$MODEL_DIR/$arch.safetensors
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    say "Model is up to date: $dest"
  else
    put mkdir -p "$MODEL_DIR"
    put install -m 644 "$src" "$dest.tmp"
    put mv -f "$dest.tmp" "$dest"
    say "Installed $arch model: $dest"
  fi
  manifest_add "$dest"
}

# convert_and_install IN.pth WORKDIR
convert_and_install () {
  "$CLI" convert "$1" "$2/converted.safetensors"
  install_model "$2/converted.safetensors"
}

download_failed () {   # url file-name sha256-prefix
  cat >&2 <<EOF

install.sh: could not download a verified $2 (see above); nothing was installed
for it and the partial file was deleted.  Neural Style itself is installed.
To finish, download the file on a machine with internet access:
    $1
check that the output of 'sha256sum $2' starts with $3, copy the file here and run:
    $0 --no-deps$SAME_FLAGS --model /path/to/$2
(or any other model: --model FILE.safetensors, or --model FILE.pth)
EOF
}

# fetch_model URL SHA_PREFIX ARCH
fetch_model () {
  local url=$1 sha=$2 arch=$3 name work
  name=$(basename "$url")
  if [ -f "$MODEL_DIR/$arch.safetensors" ] && "$CLI" info "$MODEL_DIR/$arch.safetensors" >/dev/null 2>&1; then
    say "Model already installed: $MODEL_DIR/$arch.safetensors"
    manifest_add "$MODEL_DIR/$arch.safetensors"
    return 0
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/neural-style-model.XXXXXX")
  say "Downloading $url"
  local ok=0
  if command -v curl >/dev/null 2>&1; then
    curl -fL --retry 2 --connect-timeout 20 -o "$work/$name" "$url" && ok=1
  elif command -v wget >/dev/null 2>&1; then
    wget -O "$work/$name" "$url" && ok=1
  else
    echo "install.sh: neither curl nor wget is installed" >&2
  fi
  if [ "$ok" = 1 ]; then
    local got
    got=$(sha256_of "$work/$name")
    case "$got" in
      "$sha"*) say "sha256 $got: OK" ;;
      *) echo "install.sh: $name: sha256 $got does not start with $sha" >&2; ok=0 ;;
    esac
  fi
  if [ "$ok" = 1 ] && convert_and_install "$work/$name" "$work"; then
    rm -rf "$work"
    return 0
  fi
  rm -rf "$work"
  download_failed "$url" "$name" "$sha"
  return 1
}

model_status=0
if [ "$NO_MODEL" = 0 ]; then
  if [ -n "$MODEL_FILE" ]; then
    case "$MODEL_FILE" in
      *.safetensors) install_model "$MODEL_FILE" || model_status=1 ;;
      *.pth|*.pt)
        work=$(mktemp -d "${TMPDIR:-/tmp}/neural-style-model.XXXXXX")
        convert_and_install "$MODEL_FILE" "$work" || model_status=1
        rm -rf "$work" ;;
      *) echo "install.sh: --model expects a .safetensors or .pth file" >&2; model_status=1 ;;
    esac
  else
    fetch_model "$VGG19_URL" "$VGG19_SHA" vgg19 || model_status=1
  fi
fi
if [ "$WITH_SQUEEZE" = 1 ]; then
  fetch_model "$SQUEEZE_URL" "$SQUEEZE_SHA" squeezenet1_1 || model_status=1
fi

# ---------------------------------------------------------------- summary
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "note: $PREFIX/bin is not in PATH; run $CLI or add it to PATH" ;;
esac
if [ "$model_status" != 0 ]; then
  exit 1
fi

# ---------------------------------------------------------------- demo
if [ "$DEMO" = 1 ]; then
  imgs=""
  if [ -f "$SRC/../shared/images/dog.jpg" ] && [ -f "$SRC/../shared/images/scream.jpg" ]; then
    imgs=$(cd "$SRC/../shared/images" && pwd)
  fi
  demo_tmp=$(mktemp -d "${TMPDIR:-/tmp}/neural-style-demo.XXXXXX")
  trap 'rm -rf "$demo_tmp"' EXIT
  if [ -z "$imgs" ]; then
    say "Fetching the demo photos (Debian package darknet)"
    apt_opts=""
    [ -z "$SUDO" ] && apt_opts="-o APT::Sandbox::User=root"
    (cd "$demo_tmp" && apt-get download $apt_opts darknet) || {
      echo "install.sh: 'apt-get download darknet' failed; no demo photos" >&2; exit 1; }
    dpkg-deb -x "$demo_tmp"/darknet_*.deb "$demo_tmp/x"
    imgs=$demo_tmp/x/usr/share/darknet/data
  fi
  mkdir -p "$SRC/demo"
  out=$SRC/demo/out.png
  rm -f "$out"
  say "Rendering $out (${DEMO_SIZE}px, $DEMO_ITER iterations; GIMP batch mode)"
  start=$(date +%s)
  if [ "$GIMP_CHOICE" = 3 ]; then
    # GIMP 3: Script-Fu v3 with named arguments (a layer stands for its image).
    if [ "$SYSTEM" = 0 ]; then export GIMP3_DIRECTORY="$GIMP3_USER_DIR"; fi
    timeout 3600 gimp-console-3.0 -i -d -f --batch-interpreter=plug-in-script-fu-eval -b "
      (script-fu-use-v3)
      (let* ((c  (gimp-file-load RUN-NONINTERACTIVE \"$imgs/dog.jpg\"))
             (cd (vector-ref (gimp-image-get-layers c) 0))
             (s  (gimp-file-load RUN-NONINTERACTIVE \"$imgs/scream.jpg\"))
             (l  (plug-in-neural-style #:run-mode RUN-NONINTERACTIVE #:image c
                   #:drawables (vector cd) #:style-images (gimp-image-get-layers s)
                   #:iterations $DEMO_ITER #:size $DEMO_SIZE #:seed 7)))
        (gimp-image-remove-layer c cd)
        (gimp-file-save RUN-NONINTERACTIVE c \"$out\"))" \
      --quit > "$demo_tmp/gimp.log" 2>&1 || true
  else
    if [ "$SYSTEM" = 0 ]; then export GIMP2_DIRECTORY="$GIMP_USER_DIR"; fi
    timeout 3600 gimp -i -d -f -b "
      (let* ((c  (car (gimp-file-load RUN-NONINTERACTIVE \"$imgs/dog.jpg\" \"dog.jpg\")))
             (cd (car (gimp-image-get-active-drawable c)))
             (s  (car (gimp-file-load RUN-NONINTERACTIVE \"$imgs/scream.jpg\" \"scream.jpg\")))
             (l  (car (plug-in-neural-style RUN-NONINTERACTIVE c cd
                        1 (vector s) 0 (vector) 0 (vector)
                        1.0 100.0 1.0 $DEMO_ITER 0.0 0 0 1.0 1.0 $DEMO_SIZE
                        1 0.6 7 0 0 \"\"))))
        (file-png-save2 RUN-NONINTERACTIVE c l \"$out\" \"$out\" 0 9 0 0 0 0 0 0 1))" \
      -b '(gimp-quit 0)' > "$demo_tmp/gimp.log" 2>&1 || true
  fi
  if [ ! -s "$out" ]; then
    cat "$demo_tmp/gimp.log" >&2
    echo "install.sh: the demo failed (GIMP log above)" >&2
    exit 1
  fi
  say "Demo written: $out ($(( $(date +%s) - start )) s)"
fi

say "Done.  In GIMP: Filters > Artistic > Neural Style...   CLI: neural-style --help"
