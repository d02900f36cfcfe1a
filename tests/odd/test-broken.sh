#!/bin/bash
# test-broken.sh BUILD_DIR SOURCE_DIR — the CLI on broken and hostile image
# files (docs/reliability.md, "Broken images"): each is refused with a
# message naming the file and the fault — never a black or grey result, never
# a GEGL warning, never an output file — or, where GEGL can really read it,
# accepted with the right pixels.  Inputs are made from ../shared's photos in
# a temp dir (ImageMagick, Python's zlib).  Exit 77 = skipped (no ../shared or
# no ImageMagick outside CI).
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
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
common=(--model "$model" --threads 2 --quiet)
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -f "${2:-}" ] && sed 's/^/    /' "$2" | tail -20; }

# refused DESCRIPTION PATTERN FILE [ROLE]: FILE as content (or as style with
# ROLE=style) is refused: exit 1, last line "neural-style: FILE: ...PATTERN...",
# no GEGL/GLib warning (libpng may print its own reason first), no output file.
refused() {
  local what=$1 pattern=$2 file=$3 role=${4:-content} rc
  local args=(--content "$file" --style "$dog")
  [ "$role" = style ] && args=(--content "$dog" --style "$file")
  rm -f "$tmp/out.png"
  "$cli" "${common[@]}" "${args[@]}" --size 48 --iterations 1 --output "$tmp/out.png" \
    >"$tmp/err.log" 2>&1
  rc=$?
  if [ $rc -eq 1 ] && ! grep -q "WARNING" "$tmp/err.log" \
     && tail -1 "$tmp/err.log" | grep -q -- "^neural-style: $file: .*$pattern" && [ ! -e "$tmp/out.png" ]; then
    ok "$what -> $(tail -1 "$tmp/err.log" | sed "s|^neural-style: $file: ||")"
  else
    bad "$what (exit $rc, expected exit 1 and \"$pattern\")" "$tmp/err.log"
  fi
}

# accepted DESCRIPTION FILE REF: FILE as content, read back unchanged
# (--iterations 0 --initial-noiseblend 0 at 64 px): within RMSE 0.02 of REF.
accepted() {
  local what=$1 file=$2 ref=$3 r
  rm -f "$tmp/out.png"
  if "$cli" "${common[@]}" --content "$file" --style "$dog" --size 64 --iterations 0 \
       --initial-noiseblend 0 --output "$tmp/out.png" >"$tmp/err.log" 2>&1 \
     && [ ! -s "$tmp/err.log" ] \
     && r=$(compare -metric RMSE "$tmp/out.png" "$ref" null: 2>&1 | sed -n 's/.*(\(.*\)).*/\1/p') \
     && $py -c 'import sys; assert float(sys.argv[1]) < 0.02' "${r:-1}"; then
    ok "$what -> accepted, read back within RMSE $r"
  else
    bad "$what (rmse ${r:-?})" "$tmp/err.log"
  fi
}

convert "$dog" -resize 64x64 PNG24:"$tmp/ref.png"
convert "$tmp/ref.png" -quality 95 "$tmp/ref.jpg"
convert "$tmp/ref.png" -quality 95 -interlace JPEG "$tmp/progressive.jpg"
convert "$tmp/ref.jpg" PNG24:"$tmp/ref-jpg.png"   # the JPEG's own pixels, as reference

# Truncated files, cut at several points: inside the signature, inside the
# header, in the middle of the image data, just before the end marker.
cut() { head -c "$2" "$1" > "$3"; }
size() { stat -c %s "$1"; }
for n in 5 30 100 $(( $(size "$tmp/ref.png") / 2 )) $(( $(size "$tmp/ref.png") - 12 )) \
         $(( $(size "$tmp/ref.png") - 1 )); do
  cut "$tmp/ref.png" $n "$tmp/cut-$n.png"
  refused "PNG cut at $n of $(size "$tmp/ref.png") bytes" "truncated PNG" "$tmp/cut-$n.png"
done
for f in ref progressive; do
  s=$(size "$tmp/$f.jpg")
  for n in 2 100 $((s / 3)) $((s / 2)) $((s - 2)) $((s - 1)); do
    cut "$tmp/$f.jpg" $n "$tmp/cut-$f-$n.jpg"
    refused "$f JPEG cut at $n of $s bytes" "truncated JPEG" "$tmp/cut-$f-$n.jpg"
  done
done
refused "PNG cut in half, as style" "truncated PNG" "$tmp/cut-$(( $(size "$tmp/ref.png") / 2 )).png" style

# Not images, or impossible ones.
: > "$tmp/empty.png"
refused "zero-byte file" "empty (0 bytes)" "$tmp/empty.png"
printf 'This is a text file, not a picture.\n' > "$tmp/notes.png"
refused "text file named .png" "a text file, not an image" "$tmp/notes.png"
# Complete files GEGL's decoders reject (bad zlib data in IDAT): GEGL only
# warns and hands back a black buffer; the warning becomes the error.
$py - "$tmp" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
def png(path, w, h, rows, idat=None):
    def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
    raw = zlib.compress(b"".join(b"\0" + r for r in rows)) if idat is None else idat
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                           + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
# a header that declares 100000 x 100000 (30 GB as 8-bit RGB), 2 rows of data
png(d + "/huge.png", 100000, 100000, [bytes(3 * 100000)] * 2)
# a 1 x 20000 strip, red at the top to blue at the bottom
png(d + "/strip.png", 1, 20000, [bytes([255 - y * 255 // 19999, 64, y * 255 // 19999]) for y in range(20000)])
# complete, with valid CRCs, but the IDAT is not zlib data
png(d + "/bad-zlib.png", 64, 48, None, idat=b"this is not deflate data" * 8)
PY
refused "complete PNG whose IDAT is not zlib data" "could not be decoded" "$tmp/bad-zlib.png"
# a complete JPEG whose Huffman table is nonsense (libjpeg's default error
# handler calls exit(); GEGL's jpg-load kept it for such errors)
$py - "$tmp/ref.jpg" "$tmp/bad-huffman.jpg" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"\xff\xc4")
d[i + 5:i + 21] = b"\xff" * 16   # 16 code-length counts summing to 4080 > 256
open(sys.argv[2], "wb").write(d)
PY
refused "complete JPEG with a bogus Huffman table" "could not be decoded: Bogus Huffman table" "$tmp/bad-huffman.jpg"
check_huge() {
  $py - "$@" <<'PY'
import resource, subprocess, sys, time
t0 = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
dt = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("%s | exit %d after %.2f s, peak RSS %.0f MiB" % (r.stdout.strip(), r.returncode, dt, rss))
sys.exit(0 if r.returncode == 1 and "declares 100000x100000" in r.stdout and dt < 5 and rss < 256 else 1)
PY
}
if out=$(check_huge "$cli" "${common[@]}" --content "$tmp/huge.png" --style "$dog" --size 48 \
           --output "$tmp/out.png"); then
  ok "PNG header declaring 100000x100000 -> refused before decoding: $out"
else
  bad "PNG header declaring 100000x100000: $out"
fi

# Pictures with nothing but alpha.
convert -size 64x48 xc:none PNG32:"$tmp/transparent.png"
convert -size 64x48 xc:black -alpha set \( -size 64x48 radial-gradient: \) \
  -compose CopyOpacity -composite PNG32:"$tmp/alpha-only.png"
refused "fully transparent style" "fully transparent" "$tmp/transparent.png" style
refused "style whose picture is only in the alpha channel" "alpha channel only" "$tmp/alpha-only.png" style
refused "fully transparent content" "fully transparent" "$tmp/transparent.png"

# Wrong or missing extensions: the content decides the format.
cp "$tmp/ref.png" "$tmp/png-named.jpg"
cp "$tmp/ref.jpg" "$tmp/jpeg-named.png"
cp "$tmp/ref.png" "$tmp/png-without-extension"
cp "$tmp/ref.jpg" "$tmp/JPEG.JPEG"
accepted "PNG named .jpg" "$tmp/png-named.jpg" "$tmp/ref.png"
accepted "JPEG named .png" "$tmp/jpeg-named.png" "$tmp/ref-jpg.png"
accepted "PNG without an extension" "$tmp/png-without-extension" "$tmp/ref.png"
accepted "JPEG named .JPEG" "$tmp/JPEG.JPEG" "$tmp/ref-jpg.png"

# A 1 x 20000 strip: as content at --size 64 it is worked on at 1x64 (the
# engine enlarges it internally and scales back); as style it is a texture.
if "$cli" "${common[@]}" --content "$tmp/strip.png" --style "$dog" --size 64 --iterations 2 \
     --output "$tmp/strip-out.png" >"$tmp/err.log" 2>&1 \
   && [ "$(identify -format %wx%h "$tmp/strip-out.png")" = 1x64 ]; then
  ok "1x20000 strip as content, --size 64 -> 1x64 result"
else
  bad "1x20000 strip as content" "$tmp/err.log"
fi
if "$cli" "${common[@]}" --content "$dog" --style "$tmp/strip.png" --size 48 --iterations 2 \
     --output "$tmp/strip-style.png" >"$tmp/err.log" 2>&1 \
   && [ "$(identify -format %wx%h "$tmp/strip-style.png")" = 48x36 ] \
   && s=$(identify -format '%[fx:standard_deviation]' "$tmp/strip-style.png") \
   && $py -c 'import sys; assert float(sys.argv[1]) > 0.02' "$s"; then
  ok "1x20000 strip as style -> 48x36 result, not flat (stddev $s)"
else
  bad "1x20000 strip as style" "$tmp/err.log"
fi

echo "broken images: $pass passed, $fail failed"
[ $fail -eq 0 ]
