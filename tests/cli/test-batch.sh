#!/bin/bash
# test-batch.sh BUILD_DIR SOURCE_DIR — neural-style batch mode (several
# --content files or a folder, --output-dir) and --init FILE's start without
# noise, with the real SqueezeNet (../shared) at 64 px.  Exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"
img="$shared/images"
common=(--model "$model" --threads 2 --quiet --size 64 --iterations 3)
styles=(--style "$img/scream.jpg:0.7" --style "$img/pattern-brick.png:0.3")

mkdir -p "$tmp/in" "$tmp/out" "$tmp/one"
cp "$img/dog.jpg" "$img/eagle.jpg" "$tmp/in/"
printf 'not an image\n' > "$tmp/in/broken.png"

# 3 files in one call, one of them bad: the two good ones are written, the
# bad one is named, exit status 1 (= one failure), one report entry each
"$cli" "${common[@]}" "${styles[@]}" --content "$tmp/in/dog.jpg" --content "$tmp/in/broken.png" \
  --content "$tmp/in/eagle.jpg" --output-dir "$tmp/out" --report "$tmp/batch.json" 2>"$tmp/batch.err"
rc=$?
check "3 files, one bad: exit status 1 (one failed)" test "$rc" = 1
check "  ... a progress line per file, the bad one named with its fault" bash -c \
  "grep -q '^\[1/3\] .*dog.jpg -> .*out/dog.jpg: 64x48' '$tmp/batch.err' \
   && grep -q '^\[2/3\] .*broken.png: FAILED: .*not an image' '$tmp/batch.err' \
   && grep -q '^\[3/3\] .*eagle.jpg -> .*out/eagle.jpg' '$tmp/batch.err'"
check "  ... both good outputs written, nothing for the bad one" \
  test -s "$tmp/out/dog.jpg" -a -s "$tmp/out/eagle.jpg" -a ! -e "$tmp/out/broken.png"
# two styles, both good files at longest side 64 (single level): each
# style's targets computed once (2), reused by the second file (2)
check "  ... report: 3 entries, 1 failed, style targets computed 2 / reused 2" \
  $py - "$tmp/batch.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = r["files"]
assert [x["status"] for x in f] == ["ok", "failed", "ok"], f
assert "not an image" in f[1]["error"] and "iterations" not in f[1]
for x in (f[0], f[2]):
    assert x["output"].endswith(x["content"].rsplit("/", 1)[1])
    assert [i["iteration"] for i in x["iterations"]] == [0, 1, 2, 3]
    assert x["iterations"][-1]["total"] < x["iterations"][0]["total"]
assert r["files_total"] == 3 and r["files_failed"] == 1
assert r["style_targets"] == {"computed": 2, "reused": 2}, r["style_targets"]
PY
check "  ... summary line states the target computations" \
  grep -q "2 of 3 files written, 1 failed.*style targets computed 2, reused 2" "$tmp/batch.err"

# reused targets give the very same image as a run of that file alone
check "a batch output equals the single-file run of the same photo (cached targets change nothing)" bash -c \
  "'$cli' ${common[*]} ${styles[*]} --content '$tmp/in/eagle.jpg' --output '$tmp/one/eagle.jpg' \
   && cmp '$tmp/one/eagle.jpg' '$tmp/out/eagle.jpg'"

# a folder: its images sorted by name; two bad files: exit status 2
printf 'junk' > "$tmp/in/zz-bad.jpg"
printf 'readme' > "$tmp/in/notes.txt"
rm -f "$tmp/out/"*
"$cli" "${common[@]}" "${styles[@]}" --content "$tmp/in" --output-dir "$tmp/out" 2>"$tmp/dir.err"
rc=$?
check "a folder with two bad images: exit status 2, the text file is not taken" bash -c \
  "test $rc = 2 && grep -c '^\[[0-9]/4\]' '$tmp/dir.err' | grep -qx 4 && ! grep -q notes.txt '$tmp/dir.err' \
   && test -s '$tmp/out/dog.jpg' -a -s '$tmp/out/eagle.jpg'"

# the output may never replace an input
sum=$(md5sum < "$tmp/in/dog.jpg")
"$cli" "${common[@]}" "${styles[@]}" --content "$tmp/in/dog.jpg" --output-dir "$tmp/in" 2>"$tmp/same.err"
rc=$?
check "--output-dir = the input's folder: refused for that file, the photo untouched" bash -c \
  "test $rc = 1 && grep -q 'would replace the input' '$tmp/same.err' && test \"\$(md5sum < '$tmp/in/dog.jpg')\" = '$sum'"
check "several --content files need --output-dir" bash -c \
  "! '$cli' ${common[*]} ${styles[*]} --content '$img/dog.jpg' --content '$img/eagle.jpg' --output '$tmp/x.png' 2>'$tmp/e.log'; \
   grep -q 'need --output-dir' '$tmp/e.log'"
check "a missing --output-dir is named before any work" bash -c \
  "'$cli' ${common[*]} ${styles[*]} --content '$img/dog.jpg' --output-dir '$tmp/nope' 2>'$tmp/e.log'; \
   test \$? = 1 && grep -q 'nope.*does not exist' '$tmp/e.log'"

# --init FILE starts from that file as it is: no noise by default
"$cli" --model "$model" --threads 2 --quiet --size 64 --iterations 1 --content "$img/eagle.jpg" \
  --style "$img/scream.jpg" --output "$tmp/start.png" >/dev/null 2>&1
check "--init FILE, --iterations 0: the output is the init image itself (noise blend 0 by default)" bash -c \
  "'$cli' --model '$model' --threads 2 --quiet --size 64 --iterations 0 --content '$img/eagle.jpg' \
     --style '$img/scream.jpg' --init '$tmp/start.png' --output '$tmp/init0.png' --report '$tmp/init0.json' \
   && test \"\$(compare -metric AE '$tmp/start.png' '$tmp/init0.png' null: 2>&1)\" = 0 \
   && $py -c 'import json,sys; p=json.load(open(sys.argv[1]))[\"parameters\"]; assert p[\"init\"]==\"image\" and p[\"initial_noiseblend\"]==0, p' '$tmp/init0.json'"
check "  ... while --initial-noiseblend 0.5 changes it (the check above can fail)" bash -c \
  "'$cli' --model '$model' --threads 2 --quiet --size 64 --iterations 0 --content '$img/eagle.jpg' \
     --style '$img/scream.jpg' --init '$tmp/start.png' --initial-noiseblend 0.5 --output '$tmp/init5.png' \
   && test \"\$(compare -metric AE '$tmp/start.png' '$tmp/init5.png' null: 2>&1)\" -gt 1000"
check "--help states the noise default" bash -c "'$cli' --help | grep -q 'no noise unless --initial-noiseblend'"

echo "batch: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
