#!/bin/sh
# run-gimp-batch.sh BUILD_DIR SOURCE_DIR — tools/batch/neural-style-batch.scm
# in a real, headless GIMP 2.10, run as docs/batch.md says: a folder of three
# photos and a broken one, each good one saved as NAME-styled.png.
set -u
BUILD_DIR=$(cd "${1:?usage: run-gimp-batch.sh BUILD_DIR SOURCE_DIR}" && pwd)
SOURCE_DIR=$(cd "${2:?usage: run-gimp-batch.sh BUILD_DIR SOURCE_DIR}" && pwd)
PLUGIN="$BUILD_DIR/plug-in/gimp2/plug-in-neural-style"
SHARED="$SOURCE_DIR/../shared"
MODEL="$SHARED/models/squeezenet1_1.safetensors"
PIXCHECK="$SOURCE_DIR/tests/gimp/pixcheck.py"
if [ ! -f "$MODEL" ] || ! command -v gimp >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then echo "FAIL: ../shared or gimp missing (CI=true)"; exit 1; fi
  echo "skipped: no ../shared or no gimp"; exit 77
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ns-gimp-batch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
. "$SOURCE_DIR/tests/gimp/profile.sh"
ns_gimp2_profile "$WORK" "$PLUGIN"
mkdir -p "$WORK/photos" "$WORK/styled"
for f in dog eagle kite; do convert "$SHARED/images/$f.jpg" -resize 160x160 "$WORK/photos/$f.jpg"; done
printf 'junk' > "$WORK/photos/zz-broken.jpg"

cd "$WORK" || exit 1
timeout 300 env -u DISPLAY gimp -i -d -f \
  -b "(begin (load \"$SOURCE_DIR/tools/batch/neural-style-batch.scm\")
             (neural-style-batch \"photos/*.jpg\" \"$SHARED/images/scream.jpg\" \"styled\" 96 10 \"$MODEL\"))" \
  -b '(gimp-quit 0)' > gimp.log 2>&1
st=$?

pass=0 fail=0
ok ()  { pass=$((pass + 1)); echo "ok   $1"; }
bad () { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
[ "$st" = 0 ] && ok "gimp exit status 0" || bad "gimp exit status" "$st"
grep -q 'neural-style-batch: 3 of 4 written, 1 failed' gimp.log && ok "summary: 3 of 4 written, 1 failed" \
  || bad "summary line" "$(grep neural-style-batch gimp.log | tail -1)"
grep -q '\[4/4\] photos/zz-broken.jpg: FAILED' gimp.log && ok "the broken photo is named, the others still ran" \
  || bad "broken photo line"
for f in dog eagle kite; do
  out="styled/$f-styled.png"
  if [ ! -s "$out" ]; then bad "$out written"; continue; fi
  convert "photos/$f.jpg" "photos/$f.png"
  want=$(identify -format '%wx%h' "photos/$f.png"); got=$(identify -format '%wx%h' "$out")
  [ "$want" = "$got" ] && ok "$out: the photo's size $got" || bad "$out size" "$got, not $want"
  d=$(/usr/bin/python3 "$PIXCHECK" diff "photos/$f.png" "$out")
  if awk -v d="$d" 'BEGIN { exit !(d > 5) }'; then ok "$out is stylised (mean diff $d from the photo)"
  else bad "$out stylised" "mean diff $d"; fi
done
echo "gimp-batch: $pass passed, $fail failed"
if [ "$fail" -ne 0 ]; then grep -v '^$' gimp.log | tail -30; exit 1; fi
