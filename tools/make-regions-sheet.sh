#!/usr/bin/env bash
# Regenerate docs/gallery/regions.png (issue 14): one photo, two styles split by a
# painted sky/ground mask, without and with a protected subject, and the three
# colour transfers side by side.  The masks (docs/gallery/regions-masks/) were
# painted for shared/images/person.jpg (640x424): sky.png, ground.png (its
# negative) and subject.png (the standing person, blurred edges).
#
#   meson setup build && ninja -C build && tools/make-regions-sheet.sh [BUILD_DIR]
#
# SqueezeNet 1.1, --size 400, seed 0, CLI defaults otherwise.  Needs ImageMagick.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cli=${1:-$root/build}/tools/neural-style
model=$root/../shared/models/squeezenet1_1.safetensors
img=$root/../shared/images
masks=$root/docs/gallery/regions-masks
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(--model "$model" --content "$img/person.jpg" --size 400 --threads 2 --quiet
        --style "$img/pattern-electric.png" --style "$img/scream.jpg")
split=(--style-mask "$masks/sky.png" --style-mask "$masks/ground.png")
protect=(--content-mask "$masks/subject.png")
run () { local name=$1; shift; "$cli" "${common[@]}" "$@" --output "$tmp/$name.png" --report "$tmp/$name.json";
         echo "$name: $(/usr/bin/python3 -c 'import json,sys; print("%.1f s" % json.load(open(sys.argv[1]))["seconds_total"])' "$tmp/$name.json")"; }
run plain
run split "${split[@]}"
run protect "${split[@]}" "${protect[@]}"
run meancov "${split[@]}" "${protect[@]}" --color-transfer meancov
run luminance "${split[@]}" "${protect[@]}" --color-transfer luminance
g=400x265!
convert "$img/person.jpg" -resize $g "$tmp/photo.png"
convert "$masks/sky.png" +level-colors "#b07830","#4070ff" "$masks/subject.png" -compose screen -composite \
  -resize $g "$tmp/masks.png"
convert "$img/pattern-electric.png" -resize 200x200 -gravity center -extent 200x265 \
  \( "$img/scream.jpg" -resize 200x265 -gravity center -extent 200x265 \) +append "$tmp/styles.png"
for f in plain split protect meancov luminance; do convert "$tmp/$f.png" -resize $g "$tmp/$f-s.png"; done
montage -font DejaVu-Sans -pointsize 13 \
  -label "photo (person.jpg)" "$tmp/photo.png" \
  -label "mask: sky = electric, ground = Scream; white = protected" "$tmp/masks.png" \
  -label "styles: electric | Scream" "$tmp/styles.png" \
  -label "both styles everywhere (no masks)" "$tmp/plain-s.png" \
  -label "split by the mask" "$tmp/split-s.png" \
  -label "split, subject protected (strength 10)" "$tmp/protect-s.png" \
  -label "colours from the styles (none)" "$tmp/protect-s.png" \
  -label "match the photo's colours (meancov)" "$tmp/meancov-s.png" \
  -label "keep the photo's colours (luminance)" "$tmp/luminance-s.png" \
  -tile 3x3 -geometry +4+4 -background white -depth 8 "$root/docs/gallery/regions.png"
echo "wrote docs/gallery/regions.png"
