#!/bin/bash
# test-cli.sh BUILD_DIR SOURCE_DIR — the neural-style command line, end to end
# with the real SqueezeNet (../shared) at 48–64 px.  Exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"
dog="$shared/images/dog.jpg"
scream="$shared/images/scream.jpg"
eagle="$shared/images/eagle.jpg"
common=(--model "$model" --content "$dog" --threads 2 --quiet)

check "stylise with two weighted styles and a report" \
  "$cli" "${common[@]}" --style "$scream:0.75" --style "$eagle:0.25:1.5" --size 64 --iterations 5 \
    --output "$tmp/out.png" --report "$tmp/report.json"
check "output is a 64x48 PNG" test "$(png_size "$tmp/out.png")" = 64x48
check "report has parameters, iterations 0..5 with per-iteration seconds, stop reason, peak RSS" \
  $py - "$tmp/report.json" <<'PY'
import json, sys, math
r = json.load(open(sys.argv[1]))
assert r["parameters"]["style_weight"] > 0 and len(r["parameters"]["styles"]) == 2
it = r["iterations"]
assert [i["iteration"] for i in it] == list(range(6)), it
for i in it:
    assert abs(i["content"] + i["style"] + i["tv"] - i["total"]) < 1e-6 * i["total"]
    assert 0 <= i["seconds"] < 60
assert it[-1]["total"] < it[0]["total"]
assert r["stop_reason"] == "iterations" and r["peak_rss_bytes"] > 0
PY
check "--iterations 0 evaluates only the initial image" \
  "$cli" "${common[@]}" --style "$scream" --size 48 --iterations 0 --output "$tmp/zero.png" --report "$tmp/zero.json"
check "  ... one record, iteration 0" $py -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [i["iteration"] for i in r["iterations"]]==[0]' "$tmp/zero.json"
check "checkpoints are written every 2 iterations" \
  "$cli" "${common[@]}" --style "$scream" --size 48 --iterations 4 --output "$tmp/c.png" \
    --checkpoint-every 2 --checkpoint-output "$tmp/ckpt-%d.png"
check "  ... ckpt-2.png and ckpt-4.png exist" test -s "$tmp/ckpt-2.png" -a -s "$tmp/ckpt-4.png"
check "--init FILE of another size, adam, avg pooling, preserve colours, multires 2" \
  "$cli" "${common[@]}" --style "$scream" --size 64 --iterations 3 --init "$eagle" --optimizer adam \
    --pooling avg --preserve-colors --multires 2 --output "$tmp/init.png"
check "detail level (--detail-side 128, α 30): 128 px x 30 iterations, then 256 px x 3 from the upsampled 128 px result" \
  "$cli" "${common[@]}" --style "$scream" --size 256 --multires 2 --iterations 30 --detail-side 128 \
    --detail-iterations 3 --content-weight 30 --output "$tmp/detail.png" --report "$tmp/detail.json"
check "  ... the start from the content at 256 px, for comparison" \
  "$cli" "${common[@]}" --style "$scream" --size 256 --multires 1 --iterations 0 \
    --output "$tmp/start256.png" --report "$tmp/start256.json"
check "  ... records 0..30 then 0..3; the detail level starts stylised (style < 0.6x the content start's, content > 0)" \
  $py - "$tmp/detail.json" "$tmp/start256.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); start = json.load(open(sys.argv[2]))
assert r["parameters"]["detail_side"] == 128 and r["parameters"]["detail_iterations"] == 3
it = r["iterations"]
assert [(i["level"], i["iteration"]) for i in it] == [(1, k) for k in range(31)] + [(2, k) for k in range(4)], it
first = [i for i in it if i["level"] == 2][0]
cold = start["iterations"][0]
print("detail level starts at content %g style %g; from the content: %g / %g"
      % (first["content"], first["style"], cold["content"], cold["style"]))
assert cold["content"] == 0 and first["content"] > 0.1, (first, cold)
assert first["style"] < 0.6 * cold["style"], (first, cold)
PY
check "levels up to --detail-side keep the old schedule: default = --detail-side 0 at 96 px, bit for bit" bash -c \
  "'$cli' ${common[*]} --style '$scream' --size 96 --multires 2 --iterations 4 --output '$tmp/d512.png' \
   && '$cli' ${common[*]} --style '$scream' --size 96 --multires 2 --iterations 4 --detail-side 0 --output '$tmp/d0.png' \
   && cmp '$tmp/d512.png' '$tmp/d0.png'"
check "--size 0 keeps the content size" \
  "$cli" --model "$model" --content "$tmp/out.png" --style "$scream" --size 0 --iterations 1 --quiet --output "$tmp/same.png"
check "  ... 64x48" test "$(png_size "$tmp/same.png")" = 64x48
check "--preset: subtle weighs content more than strong; an explicit weight given with it wins; no noise by default" bash -c \
  "'$cli' ${common[*]} --style '$scream' --size 48 --iterations 0 --preset subtle --output '$tmp/p1.png' --report '$tmp/p1.json' \
   && '$cli' ${common[*]} --style '$scream' --size 48 --iterations 0 --preset=strong --output '$tmp/p2.png' --report '$tmp/p2.json' \
   && '$cli' ${common[*]} --style '$scream' --size 48 --iterations 0 --content-weight 7 --preset subtle --output '$tmp/p3.png' --report '$tmp/p3.json' \
   && $py -c 'import json,sys; P=[json.load(open(f))[\"parameters\"] for f in sys.argv[1:]]; assert P[0][\"content_weight\"] > P[1][\"content_weight\"], P; assert P[2][\"content_weight\"] == 7; assert all(p[\"initial_noiseblend\"] == 0 for p in P)' '$tmp/p1.json' '$tmp/p2.json' '$tmp/p3.json'"
check "--style-loss swd (sliced Wasserstein): runs, its style term falls, the report names it" bash -c \
  "'$cli' ${common[*]} --style '$scream' --size 48 --iterations 4 --style-loss swd --seed 3 --output '$tmp/swd.png' --report '$tmp/swd.json' \
   && $py -c 'import json,sys; r=json.load(open(sys.argv[1])); it=r[\"iterations\"]; assert r[\"parameters\"][\"style_loss\"] == \"swd\"; assert it[-1][\"style\"] < it[0][\"style\"], it' '$tmp/swd.json'"
check "info names the architecture" bash -c "'$cli' info '$model' | grep -q 'architecture: squeezenet1_1'"

# VGG-19 and VGG-16 code paths end to end on seeded random weights of the real shapes
for arch in vgg19 vgg16; do
  check "$arch (random weights) runs end to end" bash -c "'$build/tools/ns-make-random-model' --arch $arch --seed 7 --out '$tmp/$arch.safetensors' \
    && '$cli' --model '$tmp/$arch.safetensors' --content '$dog' --style '$scream' --size 40 --iterations 2 --threads 2 --quiet \
       --pooling avg --content-weight-blend 0.5 --output '$tmp/$arch.png' --report '$tmp/$arch.json' \
    && test \"\$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r[\"parameters\"][\"architecture\"], len(r[\"iterations\"]))' '$tmp/$arch.json')\" = '$arch 3'"
  if [ $arch = vgg19 ]; then
    # NS_ISA lowers the kernels' instruction set (what a CPU without AVX-512 or AVX2 runs);
    # the same run through each gives the same objective to float rounding.
    for isa in generic avx2; do
      check "NS_ISA=$isa: info never names a higher ISA; the VGG-19 run's iteration losses within 1e-4 of the default kernels'" bash -c \
        "NS_ISA=$isa '$cli' info '$model' | grep -E -q 'kernels: (generic$( [ $isa = avx2 ] && echo '|avx2'))\$' \
         && NS_ISA=$isa '$cli' --model '$tmp/$arch.safetensors' --content '$dog' --style '$scream' --size 40 --iterations 2 --threads 2 --quiet \
            --pooling avg --content-weight-blend 0.5 --output '$tmp/$arch-$isa.png' --report '$tmp/$arch-$isa.json' \
         && $py -c 'import json,sys; L=[[i[\"total\"] for i in json.load(open(f))[\"iterations\"]] for f in sys.argv[1:]]; assert len(L[0]) == len(L[1]) and all(abs(a - b) <= 1e-4 * abs(b) for a, b in zip(*L)), L' '$tmp/$arch-$isa.json' '$tmp/$arch.json'"
    done
  fi
  rm -f "$tmp/$arch.safetensors"
done

# errors: exit status != 0 and a message that says what is wrong
printf 'not a model' > "$tmp/bad.safetensors"
expect_fail "missing --content" "content" "$cli" --model "$model" --style "$scream" --output "$tmp/x.png"
expect_fail "--detail-side -1 is refused" "detail side" \
  "$cli" "${common[@]}" --style "$scream" --size 48 --detail-side -1 --output "$tmp/x.png"
expect_fail "corrupt model file" "truncated\|header\|short" "$cli" "${common[@]}" --style "$scream" --output "$tmp/x.png" --model "$tmp/bad.safetensors"
expect_fail "missing style file" "no such file" "$cli" "${common[@]}" --style "$tmp/nope.jpg" --output "$tmp/x.png"
expect_fail "negative style weight" "weight" "$cli" "${common[@]}" --style "$scream:-1" --output "$tmp/x.png"
expect_fail "unknown layer" "relu9_9" "$cli" "${common[@]}" --style "$scream" --style-layers relu9_9 --output "$tmp/x.png"
expect_fail "bad optimizer" "optimizer" "$cli" "${common[@]}" --style "$scream" --optimizer sgd --output "$tmp/x.png"
sb_check() {  # off and auto differ; the default is one of them bit for bit; the report; iteration 0
  for m in off auto default; do
    opt=(--style-balance $m); [ $m = default ] && opt=()
    "$cli" "${common[@]}" --style "$scream" --size 48 --iterations 3 "${opt[@]}" \
      --output "$tmp/sb-$m.png" --report "$tmp/sb-$m.json" || return 1
  done
  local d; d=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["parameters"]["style_balance"])' "$tmp/sb-default.json")
  ! cmp -s "$tmp/sb-off.png" "$tmp/sb-auto.png" && cmp "$tmp/sb-$d.png" "$tmp/sb-default.png" || return 1
  $py - "$tmp/sb-auto.json" "$tmp/sb-off.json" <<'PY'
import json, sys
a, o = [json.load(open(f)) for f in sys.argv[1:]]
assert a["parameters"]["style_balance"] == "auto" and o["parameters"]["style_balance"] == "off"
r = a["iterations"][0]["style"] / o["iterations"][0]["style"]
assert 0.5 <= r <= 2 and abs(r - 1) > 1e-3, r
assert a["iterations"][0]["content"] == o["iterations"][0]["content"]
PY
}
check "--style-balance: off and auto differ, the default is one of them bit for bit, the report names it, iteration 0's style term scaled by a factor in [1/2, 2]" sb_check
check "--style-balance auto on a tiled level (--tile-size 32): iteration 0's style term equals the untiled one to 1e-5" bash -c \
  "for t in 0 32; do '$cli' ${common[*]} --style '$scream' --size 64 --iterations 0 --multires 1 --style-balance auto --tile-size \$t --output '$tmp/sbt'\$t.png --report '$tmp/sbt'\$t.json || exit 1; done \
   && $py -c 'import json,sys; a,b=[json.load(open(f))[\"iterations\"][0][\"style\"] for f in sys.argv[1:]]; assert abs(a-b) <= 1e-5*a, (a,b)' '$tmp/sbt0.json' '$tmp/sbt32.json'"
expect_fail "unknown style balance" "auto or off" "$cli" "${common[@]}" --style "$scream" --style-balance on --output "$tmp/x.png"
expect_fail "unknown style loss" "gram or swd" "$cli" "${common[@]}" --style "$scream" --style-loss l2 --output "$tmp/x.png"
expect_fail "unknown preset" "subtle, balanced or strong" "$cli" "${common[@]}" --style "$scream" --preset wild --output "$tmp/x.png"
expect_fail "iterations < 0" "iterations" "$cli" "${common[@]}" --style "$scream" --iterations -3 --output "$tmp/x.png"
gnet="$shared/models/googlenet_bvlc.safetensors"
check "classify: eagle.jpg's top-1 is bald eagle, five lines with probabilities" bash -c \
  "'$cli' classify '$eagle' --model '$gnet' > '$tmp/cls.txt' && test \$(wc -l < '$tmp/cls.txt') = 5 \
   && head -1 '$tmp/cls.txt' | grep -Eq '^1\. 0\.[0-9]{4} +22  bald eagle'"
check "classify: dog.jpg's top 5 holds a husky" bash -c \
  "'$cli' classify '$dog' --model '$gnet' --top 5 | grep -q 'husky'"
check "stylise with GoogLeNet (graph network, default layers) to a 64x48 PNG" bash -c \
  "'$cli' --model '$gnet' --content '$dog' --style '$scream' --size 64 --iterations 3 --threads 2 \
     --quiet --output '$tmp/gnet.png' && test \$($py -c 'import struct,sys; d=open(sys.argv[1],\"rb\").read(24); print(\"%dx%d\" % struct.unpack(\">II\", d[16:24]))' '$tmp/gnet.png') = 64x48"
check "info names googlenet_bvlc and its default layers" bash -c \
  "'$cli' info '$gnet' | grep -q 'style layers: conv1/7x7_s2,conv2/3x3,inception_3a/output'"
expect_fail "classify with a model without a classifier" "has no classifier" \
  "$cli" classify "$eagle" --model "$model"
expect_fail "classify without --model" "usage" "$cli" classify "$eagle"
check "judge: output = content is rank 1, gain 0; output = style gain 1; summary and --report" bash -c \
  "'$cli' judge --model '$gnet' '$dog' '$scream' '$dog' '$dog' '$scream' '$scream' --report '$tmp/judge.json' > '$tmp/judge.txt' \
   && grep -q 'rank 1 kept  gain 0.000' '$tmp/judge.txt' && grep -q 'gain 1.000' '$tmp/judge.txt' \
   && grep -q '^summary: 2 triples  kept' '$tmp/judge.txt' \
   && $py -c 'import json,sys; r=json.load(open(sys.argv[1])); t=r[\"triples\"]; assert t[0][\"content_rank\"]==1 and t[0][\"style_gain\"]==0 and t[1][\"style_gain\"]==1 and r[\"summary\"][\"triples\"]==2' '$tmp/judge.json'"
expect_fail "judge: not a multiple of three files" "usage" "$cli" judge --model "$gnet" "$dog" "$scream"
expect_fail "judge with a model without a classifier" "needs googlenet_bvlc" "$cli" judge --model "$model" "$dog" "$scream" "$dog"
expect_fail "judge: missing output file" "nope.png" "$cli" judge --model "$gnet" "$dog" "$scream" "$tmp/nope.png"
expect_fail "no model installed" "no model installed" env NEURAL_STYLE_MODEL= XDG_DATA_HOME="$tmp/none" \
  "$cli" --content "$dog" --style "$scream" --output "$tmp/x.png"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
