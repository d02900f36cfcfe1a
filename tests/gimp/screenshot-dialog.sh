#!/bin/sh
# screenshot-dialog.sh BUILD_DIR SOURCE_DIR [OUTPUT.png]
#
# Makes docs/dialog.png: an interactive GIMP 2.10 under Xvfb with a throw-away
# profile, dog.jpg as the content and scream.jpg + kite.jpg open as style
# images; plug-in-neural-style is invoked in INTERACTIVE mode from a -b
# Script-Fu command; once the dialog window is there (at most DELAY
# seconds, then SETTLE more) it (or, if it cannot be found, the whole
# screen) is grabbed with ImageMagick's `import`.
# Needs xvfb-run, imagemagick, x11-utils (xwininfo) and ../shared/images.
# PREVIEW=S grabs S seconds after the live preview showed its first picture
# (DELAY then bounds the wait; docs/preview.png: PREVIEW=1 DELAY=60).
# HOVER="X Y" (pixels inside the dialog) also moves the pointer there with
# xdotool (Debian package xdotool) and grabs the screen area of the dialog,
# so the tooltip of the widget under the pointer is in the picture.
set -eu

BUILD_DIR=$(cd "${1:?usage: screenshot-dialog.sh BUILD_DIR SOURCE_DIR [OUT]}" && pwd)
SOURCE_DIR=$(cd "${2:?usage: screenshot-dialog.sh BUILD_DIR SOURCE_DIR [OUT]}" && pwd)
OUT=${3:-$SOURCE_DIR/docs/dialog.png}
IMAGES="$SOURCE_DIR/../shared/images"
MODEL="$SOURCE_DIR/../shared/models/squeezenet1_1.safetensors"
DELAY=${DELAY:-300}
SETTLE=${SETTLE:-10}
HOVER=${HOVER:-}
PREVIEW=${PREVIEW:-}   # seconds after the first preview picture to grab (docs/preview.png)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ns-shot.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
. "$SOURCE_DIR/tests/gimp/profile.sh"    # the tests' throw-away profile and environment
ns_gimp2_profile "$WORK" "$BUILD_DIR/plug-in/gimp2/plug-in-neural-style"
export NEURAL_STYLE_MODEL="$MODEL"          # the default model, for the estimate
export NEURAL_STYLE_LOCALEDIR="$BUILD_DIR/po"
export NEURAL_STYLE_TEST_PREVIEW_LOG="$WORK/preview.log"

# The Script-Fu part: open the three photos, show them, call the dialog.
cat > "$WORK/shot.scm" <<EOF
(let* ((dog    (car (gimp-file-load RUN-NONINTERACTIVE "$IMAGES/dog.jpg" "dog.jpg")))
       (scream (car (gimp-file-load RUN-NONINTERACTIVE "$IMAGES/scream.jpg" "scream.jpg")))
       (kite   (car (gimp-file-load RUN-NONINTERACTIVE "$IMAGES/kite.jpg" "kite.jpg")))
       (layer  (car (gimp-image-get-active-layer dog))))
  (gimp-display-new scream)
  (gimp-display-new kite)
  (gimp-display-new dog)
  (plug-in-neural-style RUN-INTERACTIVE dog layer 0 (vector) 0 (vector) 0 (vector)
                        1 10 1 100 0 0 0 1 1 0 1 0 -1 0 0 ""))
EOF

cat > "$WORK/inner.sh" <<EOF
#!/bin/sh
gimp -d -f -s -b '(load "$WORK/shot.scm")' > "$WORK/gimp.log" 2>&1 &
pid=\$!
if [ -n "$PREVIEW" ]; then
  # wait for the dialog's first preview picture, grab the run mid-way
  for i in \$(seq 1 $((DELAY * 4))); do
    grep -q first-picture "$WORK/preview.log" 2>/dev/null && break
    sleep 0.25
  done
  sleep $PREVIEW
  win=\$(xwininfo -root -tree | grep '"Neural Style"' | head -1 | awk '{print \$1}')
else
  # Wait up to DELAY seconds for the dialog (a loaded machine starts GIMP
  # slowly), then SETTLE seconds for its thumbnails and estimate.
  win=
  for i in \$(seq $DELAY); do
    win=\$(xwininfo -root -tree | grep '"Neural Style"' | head -1 | awk '{print \$1}')
    [ -n "\$win" ] && break
    sleep 1
  done
  [ -z "\$win" ] || sleep $SETTLE
fi
if [ -n "\$win" ] && [ -n "$HOVER" ]; then
  xdotool mousemove --window "\$win" $HOVER
  sleep 3
  geo=\$(xwininfo -id "\$win" | awk '/Absolute upper-left X/ {x=\$NF} /Absolute upper-left Y/ {y=\$NF}
                                    /Width/ {w=\$NF} /Height/ {h=\$NF} END {print w "x" h "+" x "+" y}')
  import -window root -crop "\$geo" +repage "$WORK/dialog.png"
elif [ -n "\$win" ]; then
  import -window "\$win" "$WORK/dialog.png"
else
  echo "dialog window not found; grabbing the screen"
  import -window root "$WORK/dialog.png"
fi
kill \$pid 2>/dev/null
sleep 1
kill -9 \$pid 2>/dev/null || true
EOF
chmod +x "$WORK/inner.sh"

xvfb-run -a -s '-screen 0 1280x1024x24' "$WORK/inner.sh"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/dialog.png" "$OUT"
echo "wrote $OUT"
