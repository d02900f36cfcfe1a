#!/bin/sh
# run-gimp-valgrind.sh BUILD_DIR SOURCE_DIR — the GIMP 2.10 plug-in itself
# under memcheck, started by a real headless GIMP (GIMP_PLUGIN_DEBUG_WRAP /
# GIMP_PLUGIN_DEBUG_WRAPPER put valgrind in front of the plug-in's process):
#   1. plug-in-neural-style, a stylisation (SqueezeNet, 40 px, 2 iterations);
#   2. plug-in-neural-style-regions, two styles confined by two channels, a
#      content mask and the mean/covariance colour transfer;
#   3. a refused call (a style that is not an open image): the error path.
# Each call is one plug-in process and one valgrind log: every log must say
# 0 errors and no definite leaks (tests/valgrind/ns.supp: system libraries
# only; tests/valgrind/test-valgrind.sh checks that it hides none of ours),
# and there must be exactly three logs (the wrapper really ran).  GEGL and
# babl load only tests/gegl-env.sh's modules in the plug-in (not GIMP).
# Prints one line per check and "N passed, M failed"; exit 77 (skip) without
# ../shared, gimp or valgrind outside CI.
set -u
BUILD_DIR=$(cd "${1:?usage: run-gimp-valgrind.sh BUILD_DIR SOURCE_DIR}" && pwd)
SOURCE_DIR=$(cd "${2:?usage: run-gimp-valgrind.sh BUILD_DIR SOURCE_DIR}" && pwd)
PLUGIN="$BUILD_DIR/plug-in/gimp2/plug-in-neural-style"
SHARED="$SOURCE_DIR/../shared"
MODEL="$SHARED/models/squeezenet1_1.safetensors"
skip_or_fail () {
  if [ "${CI:-}" = true ]; then echo "FAIL: $1 (CI=true)"; echo "0 passed, 1 failed"; exit 1; fi
  echo "skipped: $1"; exit 77
}
[ -f "$MODEL" ] || skip_or_fail "no ../shared"
command -v gimp >/dev/null 2>&1 || skip_or_fail "no gimp"
command -v valgrind >/dev/null 2>&1 || skip_or_fail "no valgrind"
[ -x "$PLUGIN" ] || { echo "FAIL: plug-in not built: $PLUGIN"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ns-gimp-valgrind.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
. "$SOURCE_DIR/tests/gimp/profile.sh"
ns_gimp2_profile "$WORK" "$PLUGIN"
mkdir -p "$WORK/vg"
export OMP_WAIT_POLICY=PASSIVE   # no re-exec
"$SOURCE_DIR/tests/gegl-env.sh" "$WORK/gegl-env" png jpeg >/dev/null || { echo "FAIL: tests/gegl-env.sh"; exit 1; }
. "$WORK/gegl-env/env"
# GIMP splits the wrapper at spaces: no spaces inside its words.
export GIMP_PLUGIN_DEBUG_WRAP=plug-in-neural-style
# (fair scheduling, single-threaded BLAS: see tests/gimp3/in-root.sh)
export GIMP_PLUGIN_DEBUG_WRAPPER="env GEGL_PATH=$GEGL_PATH BABL_PATH=$BABL_PATH BABL_INHIBIT_CACHE=1 GEGL_SWAP=RAM OPENBLAS_NUM_THREADS=1
  valgrind $(grep -v '^#' "$SOURCE_DIR/tests/valgrind/memcheck-options")
  --suppressions=$SOURCE_DIR/tests/valgrind/ns.supp --log-file=$WORK/vg/plug-in.%p.log"
unset GEGL_PATH BABL_PATH BABL_INHIBIT_CACHE GEGL_SWAP   # GIMP itself: its own modules

I="$SHARED/images"
timeout 900 env -u DISPLAY gimp -i -d -f -b "
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE \"$I/dog.jpg\" \"dog.jpg\")))
       (layer (car (gimp-image-get-active-layer img)))
       (scream (car (gimp-file-load RUN-NONINTERACTIVE \"$I/scream.jpg\" \"scream.jpg\")))
       (kite (car (gimp-file-load RUN-NONINTERACTIVE \"$I/kite.jpg\" \"kite.jpg\")))
       (w (car (gimp-image-width img))) (h (car (gimp-image-height img)))
       (channel (lambda (x cw)
                  (let ((ch (car (gimp-channel-new img w h \"mask\" 50 '(255 0 0)))))
                    (gimp-image-insert-channel img ch 0 0)
                    (gimp-context-set-foreground '(0 0 0))
                    (gimp-drawable-edit-fill ch FILL-FOREGROUND)
                    (gimp-image-select-rectangle img CHANNEL-OP-REPLACE x 0 cw h)
                    (gimp-drawable-edit-fill ch FILL-WHITE)
                    (gimp-selection-none img)
                    ch)))
       (left (channel 0 (/ w 2))) (right (channel (/ w 2) (/ w 2)))
       (disc (channel (/ w 4) (/ w 2))))
  (gimp-image-scale scream 64 80)
  (gimp-image-scale kite 80 56)
  (gimp-message (string-append \"NS-PLAIN \" (number->string (car
    (plug-in-neural-style RUN-NONINTERACTIVE img layer 1 (vector scream) 0 #() 0 #()
      5.0 100.0 0.001 2 0.0 0 0 1.0 1.0 40 1 0.0 7 0 1 \"$MODEL\")))))
  (gimp-message (string-append \"NS-REGIONS \" (number->string (car
    (plug-in-neural-style-regions RUN-NONINTERACTIVE img layer 2 (vector scream kite) 0 #() 0 #()
      5.0 100.0 0.001 2 0.0 0 0 1.0 1.0 40 1 0.0 7 0 1 \"$MODEL\"
      2 (vector left right) disc 10.0 1)))))
  (gimp-message (string-append \"NS-REFUSED \"
    (if (begin (set! *error-hook* (lambda args (throw)))
               (catch #f (plug-in-neural-style RUN-NONINTERACTIVE img layer 1 (vector 99999) 0 #() 0 #()
                    5.0 100.0 0.001 2 0.0 0 0 1.0 1.0 40 1 0.0 7 0 1 \"$MODEL\")))
        \"ran\" \"refused\"))))" -b '(gimp-quit 0)' > "$WORK/gimp.log" 2>&1
st=$?

pass=0 fail=0
ok ()  { pass=$((pass + 1)); echo "ok   $1"; }
bad () { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
[ "$st" = 0 ] && ok "gimp exit status 0" || bad "gimp exit status" "$st: $(tail -5 "$WORK/gimp.log")"
grep -q 'NS-PLAIN [1-9]' "$WORK/gimp.log" && ok "plug-in-neural-style made a layer under memcheck" \
  || bad "plug-in-neural-style under memcheck" "$(grep -i 'error' "$WORK/gimp.log" | head -3)"
grep -q 'NS-REGIONS [1-9]' "$WORK/gimp.log" && ok "plug-in-neural-style-regions made a layer under memcheck" \
  || bad "plug-in-neural-style-regions under memcheck" "$(grep -i 'error' "$WORK/gimp.log" | head -3)"
grep -q 'NS-REFUSED refused' "$WORK/gimp.log" && ok "a style that is not an image is refused" \
  || bad "refused call" "$(grep 'NS-REFUSED' "$WORK/gimp.log")"
n=$(ls "$WORK"/vg/plug-in.*.log 2>/dev/null | wc -l)
[ "$n" = 3 ] && ok "three plug-in processes ran under valgrind" || bad "valgrind logs" "$n, not 3"
for log in "$WORK"/vg/plug-in.*.log; do
  [ -f "$log" ] || continue
  if grep -q 'ERROR SUMMARY: 0 errors' "$log" && grep -q 'definitely lost: 0 bytes' "$log"; then
    ok "$(basename "$log"): 0 errors, no definite leaks ($(grep -o 'possibly lost: [0-9,]* bytes' "$log" | head -1), in GEGL's tiles and GObject)"
  elif grep -q 'ERROR SUMMARY: 0 errors' "$log" && ! grep -q 'definitely lost' "$log"; then
    ok "$(basename "$log"): 0 errors, nothing lost"
  else
    bad "$(basename "$log")" "$(grep -E 'ERROR SUMMARY|definitely lost' "$log" | tr '\n' ' ')"
    sed 's/^/    /' "$log" | grep -v '^    ==[0-9]*== *$' | tail -60
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
