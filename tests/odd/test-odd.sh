#!/bin/bash
# test-odd.sh BUILD_DIR SOURCE_DIR — the CLI on odd image files and requests
# (real SqueezeNet, ../shared).  The inputs are generated with ImageMagick
# into a temp dir: grey, RGBA, 16-bit PNG, 32-bit float TIFF, linear OpenEXR,
# 1×1 and 7×5 pictures, a single-colour style.  Every case either succeeds
# with a sane PNG (right size, pixels that match the input) or fails with a
# clear message; oversized requests are refused before any big allocation.
# Exit 77 = skipped (no ../shared or no ImageMagick outside CI).
set -u
build=$1
src=$2
skip() {
  if [ "${CI:-}" = true ]; then echo "FAIL: $1 (required in CI)"; exit 1; fi
  echo "skipped: $1"; exit 77
}
shared="${NS_SHARED_DIR:-$src/../shared}"
[ -d "$shared" ] || skip "no ../shared"
command -v convert >/dev/null && command -v compare >/dev/null || skip "no ImageMagick"
cli="$build/tools/neural-style"
model="$shared/models/squeezenet1_1.safetensors"
dog="$shared/images/dog.jpg"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
py=/usr/bin/python3
common=(--model "$model" --threads 2 --quiet)
pass=0 fail=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@" >"$tmp/out.log" 2>&1; then pass=$((pass + 1)); echo "ok - $what"
  else fail=$((fail + 1)); echo "FAIL - $what"; sed 's/^/    /' "$tmp/out.log" | tail -20; fi
}
expect_fail() {  # expect_fail DESCRIPTION PATTERN COMMAND...: exit != 0, message matches
  local what=$1 pattern=$2; shift 2
  if "$@" >"$tmp/err.log" 2>&1; then fail=$((fail + 1)); echo "FAIL - $what (succeeded)"
  elif grep -qi -- "$pattern" "$tmp/err.log"; then pass=$((pass + 1)); echo "ok - $what"
  else fail=$((fail + 1)); echo "FAIL - $what: message was:"; sed 's/^/    /' "$tmp/err.log"; fi
}
# is_png FILE WxH: PNG signature and IHDR size
is_png() { $py -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n", "not a PNG"; s="%dx%d" % struct.unpack(">II", d[16:24]); assert s==sys.argv[2], s' "$1" "$2"; }
# close_to OUT REF: normalised RMSE over all channels < 0.02 (5 levels of 255)
close_to() { local r; r=$(compare -metric RMSE "$1" "$2" null: 2>&1 | sed -n 's/.*(\(.*\)).*/\1/p'); echo "rmse $r"; $py -c 'import sys; assert float(sys.argv[1]) < 0.02' "${r:-1}"; }
# textured FILE: standard deviation of the pixels > 0.02 (not flat, not black)
textured() { local s; s=$(identify -format '%[fx:standard_deviation]' "$1"); echo "stddev $s"; $py -c 'import sys; assert float(sys.argv[1]) > 0.02' "$s"; }
# is_type FILE EXPECTED: ImageMagick's description of the generated input
is_type() { local t; t=$(identify -format '%m %[type] %z %[quantum:format]' "$1" 2>/dev/null); echo "$t"; [[ "$t" == $2 ]]; }
# measured SECONDS_MAX RSS_MAX_MIB COMMAND...: run, then require it to have
# exited within SECONDS_MAX and peaked below RSS_MAX_MIB, with a non-zero
# status; its output goes to $tmp/measured.log.
measured() {
  $py - "$@" <<'PY' | tee "$tmp/measured.log"
import resource, subprocess, sys, time
tmax, rmax, cmd = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
t0 = time.monotonic()
r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
dt = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(r.stdout.strip())
print("exit %d after %.2f s, peak RSS %.0f MiB" % (r.returncode, dt, rss))
sys.exit(1 if r.returncode == 0 or dt > tmax or rss > rmax else 0)
PY
  return "${PIPESTATUS[0]}"
}

# Inputs.  ref.png: 64x48 8-bit RGB; every odd format is made from it.
convert "$dog" -resize 64x64 PNG24:"$tmp/ref.png"
convert "$tmp/ref.png" -colorspace Gray PNG8:"$tmp/grey-ref.png"
convert "$tmp/ref.png" -colorspace Gray -type Grayscale "$tmp/grey.png"
convert "$tmp/ref.png" -alpha set -channel A -evaluate set 50% +channel PNG32:"$tmp/rgba.png"
convert "$tmp/ref.png" -depth 16 PNG48:"$tmp/rgb16.png"
convert "$tmp/ref.png" -depth 32 -define quantum:format=floating-point "$tmp/float32.tif" 2>/dev/null
convert "$tmp/ref.png" -colorspace RGB "$tmp/linear.exr"   # OpenEXR holds linear light
convert -size 1x1 xc:'#806040' PNG24:"$tmp/1x1.png"
convert "$tmp/ref.png" -resize '7x5!' PNG24:"$tmp/7x5.png"
convert -size 64x64 xc:'#3366cc' PNG24:"$tmp/flat.png"

check "inputs: grey PNG is 8-bit greyscale" is_type "$tmp/grey.png" "PNG Grayscale 8 *"
check "inputs: RGBA PNG has alpha"          is_type "$tmp/rgba.png" "PNG TrueColorAlpha 8 *"
check "inputs: 16-bit PNG"                  is_type "$tmp/rgb16.png" "PNG TrueColor 16 *"
check "inputs: 32-bit float TIFF"           is_type "$tmp/float32.tif" "TIFF TrueColor 32 floating-point"
check "inputs: OpenEXR"                     is_type "$tmp/linear.exr" "EXR *"

# Each format as content, read back unchanged: --iterations 0 with no noise
# returns the initial image = the content at the working size (64 px = as is).
# The RGBA file has 50% alpha: the colour must come through unmultiplied.
for f in grey.png rgba.png rgb16.png float32.tif linear.exr; do
  ref="$tmp/ref.png"; [ $f = grey.png ] && ref="$tmp/grey-ref.png"
  check "$f as content: read back unchanged (64x48 PNG)" bash -c "'$cli' ${common[*]} --content '$tmp/$f' \
      --style '$dog' --size 64 --iterations 0 --initial-noiseblend 0 --output '$tmp/id-$f.png' \
    && $(declare -f is_png close_to); py=$py; is_png '$tmp/id-$f.png' 64x48 && close_to '$tmp/id-$f.png' '$ref'"
  check "$f as content and style: 2 iterations at 48 px" bash -c "'$cli' ${common[*]} --content '$tmp/$f' \
      --style '$tmp/$f' --size 48 --iterations 2 --output '$tmp/st-$f.png' \
    && $(declare -f is_png textured); py=$py; is_png '$tmp/st-$f.png' 48x36 && textured '$tmp/st-$f.png'"
done

# Tiny content: kept at its size with --size 0, enlarged with --size 48.
check "1x1 content, --size 0: 1x1 PNG of the same colour" bash -c "'$cli' ${common[*]} --content '$tmp/1x1.png' \
    --style '$dog' --size 0 --iterations 0 --initial-noiseblend 0 --output '$tmp/1x1-0.png' \
  && $(declare -f is_png close_to); py=$py; is_png '$tmp/1x1-0.png' 1x1 && close_to '$tmp/1x1-0.png' '$tmp/1x1.png'"
check "1x1 content, --size 0, 2 iterations" bash -c "'$cli' ${common[*]} --content '$tmp/1x1.png' \
    --style '$dog' --size 0 --iterations 2 --output '$tmp/1x1-2.png' && $(declare -f is_png); py=$py; is_png '$tmp/1x1-2.png' 1x1"
check "1x1 content, --size 48: 48x48" bash -c "'$cli' ${common[*]} --content '$tmp/1x1.png' \
    --style '$dog' --size 48 --iterations 2 --output '$tmp/1x1-48.png' && $(declare -f is_png); py=$py; is_png '$tmp/1x1-48.png' 48x48"
check "7x5 content, --size 0, 2 iterations: 7x5" bash -c "'$cli' ${common[*]} --content '$tmp/7x5.png' \
    --style '$dog' --size 0 --iterations 2 --output '$tmp/7x5-0.png' && $(declare -f is_png); py=$py; is_png '$tmp/7x5-0.png' 7x5"
check "7x5 content, --size 48: 48x34" bash -c "'$cli' ${common[*]} --content '$tmp/7x5.png' \
    --style '$dog' --size 48 --iterations 2 --output '$tmp/7x5-48.png' && $(declare -f is_png); py=$py; is_png '$tmp/7x5-48.png' 48x34"
check "1x1 style" bash -c "'$cli' ${common[*]} --content '$dog' --style '$tmp/1x1.png' \
    --size 48 --iterations 2 --output '$tmp/style-1x1.png' && $(declare -f is_png textured); py=$py; is_png '$tmp/style-1x1.png' 48x36 && textured '$tmp/style-1x1.png'"

# Styles that carry little or no texture.
check "single-colour style: sane, textured 48x36 result" bash -c "'$cli' ${common[*]} --content '$dog' \
    --style '$tmp/flat.png' --size 48 --iterations 2 --output '$tmp/flat-out.png' \
  && $(declare -f is_png textured); py=$py; is_png '$tmp/flat-out.png' 48x36 && textured '$tmp/flat-out.png'"
check "content as its own style" bash -c "'$cli' ${common[*]} --content '$dog' --style '$dog' \
    --size 48 --iterations 2 --output '$tmp/self.png' && $(declare -f is_png textured); py=$py; is_png '$tmp/self.png' 48x36 && textured '$tmp/self.png'"

# Oversized requests: refused with a message, fast, without a big allocation
# (a 30000 px working image would need > 10 GiB for the image alone).
check "--size 30000 is refused at once (< 10 s, < 1 GiB), says why" \
  measured 10 1024 "$cli" "${common[@]}" --content "$dog" --style "$dog" --size 30000 --output "$tmp/big.png"
check "  ... message names the size limit" grep -q "size must be between" "$tmp/measured.log"
check "  ... no output file" test ! -e "$tmp/big.png"
check "--size 16384 over --memory-limit 8000 is refused at once, names a size that fits" \
  measured 10 1024 "$cli" "${common[@]}" --content "$dog" --style "$dog" --size 16384 --memory-limit 8000 \
    --output "$tmp/big.png"
check "  ... message gives the estimate and a size that fits" grep -q "MiB.*px (longest side) fits" "$tmp/measured.log"

# Output that cannot be written, and input that is not an image.
expect_fail "output into a missing folder" "does not exist or is not writable" \
  "$cli" "${common[@]}" --content "$tmp/7x5.png" --style "$dog" --size 0 --iterations 1 --output "$tmp/no/such/dir/out.png"
expect_fail "output into /proc (unwritable even for root)" "could not be written" \
  "$cli" "${common[@]}" --content "$tmp/7x5.png" --style "$dog" --size 0 --iterations 1 --output /proc/ns-odd-test.png
: > "$tmp/empty.png"
expect_fail "empty file as content" "empty (0 bytes)" \
  "$cli" "${common[@]}" --content "$tmp/empty.png" --style "$dog" --size 48 --output "$tmp/x.png"
expect_fail "a folder as style" "no such file" \
  "$cli" "${common[@]}" --content "$dog" --style "$tmp" --size 48 --output "$tmp/x.png"

echo "odd images: $pass passed, $fail failed"
[ $fail -eq 0 ]
