#!/bin/bash
# test-regions-cli.sh BUILD_DIR SOURCE_DIR — --style-mask, --content-mask,
# --content-mask-strength, --color-transfer end to end with the real
# SqueezeNet (../shared) at 64 px (issue 14).  Exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"
dog="$shared/images/dog.jpg"
scream="$shared/images/scream.jpg"
eagle="$shared/images/eagle.jpg"
common=(--model "$model" --content "$dog" --threads 2 --quiet --size 64 --multires 1)
# masks of another size than the working image (they are resized): top / bottom, a disc
convert -size 120x90 gradient:white-black "$tmp/top.png"
convert "$tmp/top.png" -negate "$tmp/bottom.png"
convert -size 120x90 xc:black -fill white -draw "circle 60,50 60,25" -blur 0x3 "$tmp/disc.png"
convert -size 120x90 xc:white "$tmp/white.png"
terms() { $py -c 'import json,sys; r=json.load(open(sys.argv[1])); i=r["iterations"][0]; print(i["content"], i["style"], i["tv"])' "$1"; }

for mode in none meancov luminance; do
  check "two masked styles, a content map, --color-transfer $mode" \
    "$cli" "${common[@]}" --style "$scream" --style-mask "$tmp/top.png" --style "$eagle" \
      --style-mask "$tmp/bottom.png" --content-mask "$tmp/disc.png" --color-transfer $mode \
      --init "$eagle" --iterations 3 --output "$tmp/$mode.png" --report "$tmp/$mode.json"
done
check "  ... the report's parameters record masks, strength and colour transfer; the loss falls" \
  $py - "$tmp" <<'PY'
import json, sys
for mode in ("none", "meancov", "luminance"):
    r = json.load(open(sys.argv[1] + "/" + mode + ".json"))
    p = r["parameters"]
    assert [m.rsplit("/", 1)[1] for m in p["style_masks"]] == ["top.png", "bottom.png"], p
    assert p["content_mask"].endswith("disc.png") and p["content_mask_strength"] == 10, p
    assert p["color_transfer"] == mode, p
    it = r["iterations"]
    assert it[-1]["total"] < it[0]["total"], (mode, it)
PY
check "  ... the colour modes change the style term, not the content term at iteration 0 (x0 = eagle)" \
  $py - "$tmp" <<'PY'
import json, sys
t = {m: json.load(open(sys.argv[1] + "/" + m + ".json"))["iterations"][0] for m in ("none", "meancov", "luminance")}
assert t["none"]["content"] == t["meancov"]["content"], t
assert abs(t["none"]["style"] - t["meancov"]["style"]) > 1e-3 * t["none"]["style"], t
assert t["luminance"]["style"] != t["none"]["style"] and t["luminance"]["tv"] != t["none"]["tv"], t
PY
check "white masks (and - for the whole image) give the unmasked terms" bash -c \
  "'$cli' ${common[*]} --style '$scream' --style '$eagle' --iterations 0 --output '$tmp/p.png' --report '$tmp/p.json' \
   && '$cli' ${common[*]} --style '$scream' --style-mask '$tmp/white.png' --style '$eagle' --style-mask - \
        --iterations 0 --output '$tmp/w.png' --report '$tmp/w.json' \
   && $py -c 'import json,sys; a,b=[json.load(open(f))[\"iterations\"][0] for f in sys.argv[1:]]; assert all(abs(a[k]-b[k]) <= 1e-5*abs(a[k]) for k in (\"content\",\"style\",\"tv\")), (a,b)' '$tmp/p.json' '$tmp/w.json'"
check "a content map raises the content term of a start away from the content" bash -c \
  "'$cli' ${common[*]} --style '$scream' --init '$eagle' --iterations 0 --output '$tmp/c0.png' --report '$tmp/c0.json' \
   && '$cli' ${common[*]} --style '$scream' --init '$eagle' --content-mask '$tmp/disc.png' --content-mask-strength 30 \
        --iterations 0 --output '$tmp/c1.png' --report '$tmp/c1.json' \
   && $py -c 'import json,sys; a,b=[json.load(open(f))[\"iterations\"][0][\"content\"] for f in sys.argv[1:]]; assert b > 1.5*a, (a,b)' '$tmp/c0.json' '$tmp/c1.json'"
check "luminance: the output keeps the photo's colours (its chroma = the content's, 64 px)" bash -c \
  "convert '$dog' -resize 64x48 -colorspace YCbCr -separate +channel '$tmp/dogc-%d.png' \
   && convert '$tmp/luminance.png' -colorspace YCbCr -separate +channel '$tmp/lumc-%d.png' \
   && for c in 1 2; do d=\$(compare -metric MAE '$tmp/dogc-'\$c.png '$tmp/lumc-'\$c.png null: 2>&1 | sed 's/.*(\(.*\))/\1/'); \
        $py -c 'import sys; assert float(sys.argv[1]) < 0.01, sys.argv[1]' \$d || exit 1; done"
expect_fail "mask count differs from --style count" "one per style" \
  "$cli" "${common[@]}" --style "$scream" --style "$eagle" --style-mask "$tmp/top.png" --output "$tmp/x.png"
expect_fail "unknown colour transfer" "none, meancov or luminance" \
  "$cli" "${common[@]}" --style "$scream" --color-transfer sepia --output "$tmp/x.png"
expect_fail "negative content mask strength" "strength" \
  "$cli" "${common[@]}" --style "$scream" --content-mask "$tmp/disc.png" --content-mask-strength -2 --output "$tmp/x.png"
expect_fail "missing mask file" "style mask" \
  "$cli" "${common[@]}" --style "$scream" --style-mask "$tmp/nope.png" --output "$tmp/x.png"

echo "regions-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
