#!/bin/sh
# screenshot-dialog.sh [OUTPUT.png [STEPS]] — docs/dialog-gimp3.png: the GIMP 3
# plug-in's dialog under Xvfb inside the Debian 13 root (see
# trixie-root.sh; the plug-in is built there by run-gimp3-tests.sh or here).
# dog.jpg is the content, scream.jpg and kite.jpg the style images; the
# screen is grabbed with GDK DELAY seconds after the dialog appeared and
# trimmed (ImageMagick).  STEPS (dialog test steps, see
# screenshot-in-root.sh) set controls first: docs/dialog-gimp3-regions.png is
#   screenshot-dialog.sh docs/dialog-gimp3-regions.png \
#     region=1:sky,region=2:ground,protect=ground,strength=20,colours=meancov
# Needs root and ../shared.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT=${1:-$SRC/docs/dialog-gimp3.png}
DELAY=${DELAY:-12}   # the preview mid-run (iteration ~30 of 50 on a loaded 2-core machine)
BUILD=/root/ns-build-$(printf '%s' "$SRC" | md5sum | cut -c1-8)
"$HERE/trixie-root.sh" ensure
ROOT=$("$HERE/trixie-root.sh" path)
NS_TRIXIE_BIND=$SRC NS_TRIXIE_SHARED=$(cd "$SRC/../shared" && pwd) \
  "$HERE/trixie-root.sh" run xvfb-run -a -s '-screen 0 1400x1050x24' \
  sh /src/tests/gimp3/screenshot-in-root.sh "$BUILD" "$DELAY" "${2:-}"
# The dialog without the empty screen around it.
convert "$ROOT/tmp-shot.png" -trim +repage "$OUT"
rm -f "$ROOT/tmp-shot.png"
echo "wrote $OUT"
