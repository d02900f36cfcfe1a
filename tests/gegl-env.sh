#!/bin/bash
# gegl-env.sh DIR [--stamp FILE] [FORMAT...] — a GEGL and babl module set for the tests that
# does not depend on the host: DIR/gegl and DIR/babl get symlinks to the few
# modules the tests need, and DIR/env the variables that make GEGL and babl
# load only those (source it, or see tests/meson.build):
#
#   GEGL_PATH=DIR/gegl   gegl_init() loads every *.so of GEGL_PATH *instead of*
#                        its module folder and ~/.local/share/gegl-0.4/plug-ins:
#                        so not ff-load/ff-save (ffmpeg -> libjxl -> libhwy,
#                        which dies with "Illegal instruction" under valgrind on
#                        some CPUs), nor pdf/svg/text/v4l/webp/... modules;
#                        the folder holds only the baseline build of each module,
#                        not the -x86_64-v2/-v3 variants GEGL would pick by CPU.
#   BABL_PATH=DIR/babl   babl's extensions without the SIMD ones (sse*, avx2*,
#                        x86-64-v2-*, x86-64-v3-*), whose conversions depend on
#                        the CPU.
#   BABL_INHIBIT_CACHE=1 babl neither reads nor writes ~/.cache/babl/babl-fishes
#                        (conversion paths measured on some earlier run).
#   GEGL_SWAP=RAM        no swap files under ~/.cache/gegl-0.4.
#
# FORMATs: png jpeg tiff exr (default: all four).  Exit 1 when GEGL's core
# modules or a requested loader/saver is missing.
set -eu
dir=$1; shift
stamp=
if [ "${1:-}" = --stamp ]; then stamp=$2; shift 2; fi
formats=${*:-png jpeg tiff exr}
gegl_dir=$(pkg-config --variable=pluginsdir gegl-0.4)
# babl's pkg-config name is "babl" on Debian 12, "babl-0.1" on Debian 13.
babl_pc=babl
pkg-config --exists babl || babl_pc=babl-0.1
babl_dir=$(pkg-config --variable=libdir $babl_pc)/babl-0.1
rm -rf "$dir/gegl" "$dir/babl"
mkdir -p "$dir/gegl" "$dir/babl"
link() {  # link SOURCE DEST_DIR: a symlink, or exit 1 if SOURCE is missing
  [ -f "$1" ] || { echo "gegl-env.sh: $1 is missing" >&2; exit 1; }
  ln -sf "$1" "$2/"
}
modules="gegl-core gegl-common"   # gegl:load, buffer-source/-sink, convert-format
for f in $formats; do
  case $f in
    png)  modules="$modules png-load png-save" ;;
    jpeg) modules="$modules jpg-load jpg-save" ;;
    tiff) modules="$modules tiff-load tiff-save" ;;
    exr)  modules="$modules exr-load exr-save" ;;
    *) echo "gegl-env.sh: unknown format $f" >&2; exit 1 ;;
  esac
done
for m in $modules; do link "$gegl_dir/$m.so" "$dir/gegl"; done
for f in "$babl_dir"/*.so; do
  case $(basename "$f") in
    sse*|avx*|x86-64-v*) ;;
    *) link "$f" "$dir/babl" ;;
  esac
done
cat > "$dir/env" <<EOF
export GEGL_PATH='$dir/gegl'
export BABL_PATH='$dir/babl'
export BABL_INHIBIT_CACHE=1
export GEGL_SWAP=RAM
EOF
[ -z "$stamp" ] || touch "$stamp"
