#!/bin/sh
# in-root.sh BUILD_DIR — runs INSIDE the trixie root (run-gimp3-tests.sh
# starts it): builds the GIMP 3 plug-in and the CLI from /src into
# BUILD_DIR, then runs the real-GIMP 3 sessions (Script-Fu and Python-Fu,
# a cancel session, an interactive + a last-values session, the dialog
# and the live preview under Xvfb)
# with a throw-away profile, the same-pixels check (plug-in vs CLI built
# here) and the install.sh check.  Prints one line per check and
# "N passed, M failed".
set -u
BUILD=${1:?usage: in-root.sh BUILD_DIR}
SRC=/src
HERE=$SRC/tests/gimp3
SHARED=/shared
MODEL=$SHARED/models/squeezenet1_1.safetensors
WORK=$(mktemp -d /tmp/ns-gimp3.XXXXXX)
pass=0 fail=0
ok ()  { pass=$((pass + 1)); echo "ok   $1"; }
bad () { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }

# -- build (incremental; the build dir lives in the root, reused)
t0=$(date +%s)
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" "$SRC" -Dgimp=3 -Dbuildtype=release > "$WORK/setup.log" 2>&1 ||
    { cat "$WORK/setup.log"; echo "0 passed, 1 failed"; exit 1; }
fi
if ninja -C "$BUILD" plug-in/gimp3/plug-in-neural-style tools/neural-style \
     po/de/LC_MESSAGES/gimp-plugin-neural-style.mo > "$WORK/build.log" 2>&1; then
  ok "build/gimp3-plug-in-and-cli ($(($(date +%s) - t0)) s)"
else
  tail -30 "$WORK/build.log"; bad "build/gimp3-plug-in-and-cli"
  echo "$pass passed, $fail failed"; exit 1
fi

# -- a throw-away profile holding only our plug-in
export GIMP3_DIRECTORY="$WORK/profile"
mkdir -p "$GIMP3_DIRECTORY/plug-ins/plug-in-neural-style"
cp "$BUILD/plug-in/gimp3/plug-in-neural-style" "$GIMP3_DIRECTORY/plug-ins/plug-in-neural-style/"
export XDG_DATA_HOME="$WORK/xdg"
export XDG_CACHE_HOME="$WORK/xdg-cache"   # the dialog's measured speed
unset NEURAL_STYLE_MODEL
export NEURAL_STYLE_LOCALEDIR="$BUILD/po"
export LANGUAGE=C LC_ALL=C.UTF-8
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
head -c 4096 "$MODEL" > "$WORK/corrupt.safetensors"
export NS_MODEL=$MODEL NS_CORRUPT_MODEL=$WORK/corrupt.safetensors NS_TMP=$WORK
# PNG inputs: the plug-in and the CLI decode exactly the same pixels.
export NS_CONTENT=$SHARED/images/pattern-brick.png NS_STYLE=$SHARED/images/pattern-craters.png
export NS_STYLE2=$SHARED/images/pattern-electric.png

# session NAME INTERPRETER CODE [wrapper...]: one GIMP batch session.
# NS_SESSION_TIMEOUT: seconds before the session is killed (600; the
# memcheck session gets more: valgrind is 20-50x slower on a busy machine).
session () {
  name=$1 interp=$2 code=$3
  shift 3
  s0=$(date +%s)
  timeout "${NS_SESSION_TIMEOUT:-600}" "$@" gimp-console-3.0 -i -d -f --batch-interpreter="$interp" -b "$code" --quit \
    > "$WORK/$name.log" 2>&1
  echo $? > "$WORK/$name.status"
  echo "$name $(($(date +%s) - s0))" >> "$WORK/session-seconds"
}
py () { echo "exec(open('$HERE/neural-style-tests.py').read())"; }
t0=$(date +%s)
NEURAL_STYLE_MODEL=$MODEL session sf plug-in-script-fu-eval "(begin (define ns-model \"$MODEL\") (define ns-content \"$NS_CONTENT\")
  (define ns-style \"$NS_STYLE\") (define ns-tmp \"$WORK\") (load \"$HERE/neural-style-tests.scm\"))"
NS_SESSION=main session py-main python-fu-eval "$(py)"
# (Settings for one session go through env: assignments before a shell
# function may outlive it.)
NS_SESSION=bigstyle session py-bigstyle python-fu-eval "$(py)" env NEURAL_STYLE_TEST_PEAK_LOG="$WORK/peak.log"
# Interactive runs store last values: these two sessions get profiles of
# their own, so the last-values sessions below see only their own.
cp -a "$GIMP3_DIRECTORY" "$WORK/profile-nodisplay"
cp -a "$GIMP3_DIRECTORY" "$WORK/profile-dialog"
cp -a "$GIMP3_DIRECTORY" "$WORK/profile-preview"
NS_SESSION=nodisplay session py-nodisplay python-fu-eval "$(py)" \
  env -u DISPLAY -u WAYLAND_DISPLAY GIMP3_DIRECTORY="$WORK/profile-nodisplay"
NS_SESSION=dialog session py-dialog python-fu-eval "$(py)" \
  env GIMP3_DIRECTORY="$WORK/profile-dialog" NEURAL_STYLE_TEST_DIALOG=help,preset=2,continue,ok \
      NEURAL_STYLE_TEST_HELP_LOG="$WORK/help.log" NEURAL_STYLE_DOCDIR="$SRC/docs" NEURAL_STYLE_MODEL="$MODEL" \
  xvfb-run -a -s '-screen 0 1280x1024x24'
cp -a "$GIMP3_DIRECTORY" "$WORK/profile-dialog-regions"
NS_SESSION=dialog-regions session py-dialog-regions python-fu-eval "$(py)" \
  env GIMP3_DIRECTORY="$WORK/profile-dialog-regions" NEURAL_STYLE_MODEL="$MODEL" \
      NEURAL_STYLE_TEST_DIALOG=region=1:left,protect=right,strength=30,colours=luminance,ok \
  xvfb-run -a -s '-screen 0 1280x1024x24'
# The live preview (#15, #14): 16 waits, a change, 16 waits, Cancel.
w16=wait,wait,wait,wait,wait,wait,wait,wait,wait,wait,wait,wait,wait,wait,wait,wait
NS_SESSION=preview session py-preview python-fu-eval "$(py)" \
  env GIMP3_DIRECTORY="$WORK/profile-preview" NEURAL_STYLE_TEST_DIALOG=$w16,change,$w16,cancel \
      NEURAL_STYLE_TEST_PREVIEW_LOG="$WORK/preview.log" NEURAL_STYLE_TEST_PREVIEW_DUMP="$WORK/pv" \
      NEURAL_STYLE_MODEL="$MODEL" xvfb-run -a -s '-screen 0 1280x1024x24'
# Result size (#18): a 700x500 layer at its own size under a limit that
# needs 2x1 tiles (PDB size 0, the dialog's choice, last values, a result).
cp -a "$GIMP3_DIRECTORY" "$WORK/profile-resultsize"
NS_SESSION=resultsize session py-resultsize python-fu-eval "$(py)" \
  env GIMP3_DIRECTORY="$WORK/profile-resultsize" NEURAL_STYLE_MODEL="$MODEL" \
      NEURAL_STYLE_MEMORY_LIMIT_MB=150 NEURAL_STYLE_TEST_DIALOG=sizes,full,sizes,ok \
      NEURAL_STYLE_TEST_PREVIEW_LOG="$WORK/resultsize.steps" xvfb-run -a -s '-screen 0 1280x1024x24'
NS_SESSION=cancel NEURAL_STYLE_TEST_CANCEL_AT=2 LANGUAGE=de LC_ALL=de_DE.UTF-8 session py-cancel python-fu-eval "$(py)"
NS_SESSION=lastvals-1 NEURAL_STYLE_TEST_DIALOG=ok \
  session py-lastvals-1 python-fu-eval "$(py)" xvfb-run -a -s '-screen 0 1280x1024x24'
NS_SESSION=lastvals-2 session py-lastvals-2 python-fu-eval "$(py)"
# The examples of docs/plugin.md ("gimp3-example" blocks), with this run's files.
doc_example () {  # doc_example KIND OUT: the block after the marker, files substituted
  awk -v kind="$1" '$0 ~ "gimp3-example: " kind { on = 1; next }
                    on && /^```/ { if (started) exit; started = 1; next }
                    on && started' "$SRC/docs/plugin.md" |
    sed -e "s|\"photo.png\"|\"$NS_CONTENT\"|; s|'photo.png'|'$NS_CONTENT'|" \
        -e "s|\"painting.png\"|\"$NS_STYLE\"|; s|'painting.png'|'$NS_STYLE'|" \
        -e "s|model.safetensors|$MODEL|" > "$2"
}
doc_example script-fu "$WORK/doc-example.scm"
doc_example python-fu "$WORK/doc-example.py"
session doc-sf plug-in-script-fu-eval "(load \"$WORK/doc-example.scm\")"
session doc-py python-fu-eval "exec(open('$WORK/doc-example.py').read())"
# The plug-in's own process under memcheck, through GIMP's debug wrapper
# (GIMP itself runs normally; the plug-in's GEGL and babl load only
# tests/gegl-env.sh's PNG/JPEG module set, as in tests/valgrind/).
# --fair-sched=yes (tests/valgrind/memcheck-options), OPENBLAS_NUM_THREADS=1, GEGL_THREADS=1: memcheck runs one thread at a
# time, and with its default (unfair) lock a thread that spins (OpenBLAS's
# pthread workers poll with sched_yield) can keep the lock from the one it
# waits for; on one CI machine the regions run never returned (the session
# was killed at 600 s after two of the three processes; 23 s here, 100 s
# with both cores busy).
if command -v valgrind >/dev/null 2>&1 && bash "$SRC/tests/gegl-env.sh" "$WORK/gegl-env" png jpeg > "$WORK/gegl-env.log" 2>&1; then
  vgenv=$(. "$WORK/gegl-env/env"; echo "GEGL_PATH=$GEGL_PATH BABL_PATH=$BABL_PATH")
  mkdir -p "$WORK/vg"
  NS_SESSION=valgrind NS_VALGRIND_LOGS="$WORK/vg" NS_SESSION_TIMEOUT=900 session py-valgrind python-fu-eval "$(py)" env GIMP_PLUGIN_DEBUG_WRAP=plug-in-neural-style \
    GIMP_PLUGIN_DEBUG_WRAPPER="env $vgenv BABL_INHIBIT_CACHE=1 GEGL_SWAP=RAM OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 GEGL_THREADS=1
      valgrind $(grep -v '^#' "$SRC/tests/valgrind/memcheck-options")
      --suppressions=$SRC/tests/valgrind/ns.supp --log-file=$WORK/vg/plug-in.%p.log"
fi
echo "GIMP 3 sessions: $(($(date +%s) - t0)) s ($(awk '{ printf "%s%s %d s", sep, $1, $2; sep = ", " }' "$WORK/session-seconds"))"

cat "$WORK"/*.log > "$WORK/gimp.log"
grep -o 'NSTEST .*' "$WORK/gimp.log" | while read -r tag kind name rest; do
  echo "$kind $name $rest"
done > "$WORK/results.txt"
while read -r kind name rest; do
  case "$kind" in
    ok)   ok "$name" ;;
    FAIL) bad "${name%:}" "$rest" ;;
    info) echo "info $name $rest" ;;
  esac
done < "$WORK/results.txt"
for s in sf py-main py-bigstyle py-nodisplay py-dialog py-dialog-regions py-preview py-cancel py-lastvals-1 py-lastvals-2 py-resultsize py-valgrind; do

  if grep -q "^END ${s} *$" "$WORK/results.txt"; then ok "$s/completed"; else bad "$s/completed" "the test script did not finish"; fi
  st=$(cat "$WORK/$s.status")
  if [ "$st" -eq 0 ]; then ok "$s/gimp-exit-status"; else bad "$s/gimp-exit-status" "gimp exited with $st"; fi
done
for s in doc-sf doc-py; do
  if grep -q "new layer: Neural Style: " "$WORK/$s.log" && [ "$(cat "$WORK/$s.status")" -eq 0 ]; then
    ok "docs/example-$s"
  else
    bad "docs/example-$s" "$(grep -i 'error\|failed' "$WORK/$s.log" | head -3)"
  fi
done
# memcheck's verdict on each plug-in process of the valgrind session
n=$(ls "$WORK"/vg/plug-in.*.log 2>/dev/null | wc -l)
if [ "$n" = 3 ]; then ok "valgrind/three-plug-in-processes"
else bad "valgrind/three-plug-in-processes" "$n logs ($(command -v valgrind || echo 'no valgrind in the root'); $(tail -2 "$WORK/gegl-env.log" 2>/dev/null))"; fi
for log in "$WORK"/vg/plug-in.*.log; do
  [ -f "$log" ] || continue
  if grep -q 'ERROR SUMMARY: 0 errors' "$log" && ! grep -q 'definitely lost: [1-9]' "$log"; then
    ok "valgrind/$(basename "$log" .log): 0 errors, no definite leaks ($(grep -o 'possibly lost: [0-9,]* bytes' "$log" | head -1))"
  else
    bad "valgrind/$(basename "$log" .log)" "$(grep -E 'ERROR SUMMARY|definitely lost' "$log" | tr '\n' ' ')"
    grep -q 'ERROR SUMMARY' "$log" || { echo "(no summary: memcheck did not finish; the log ends:)"; tail -8 "$log"; }
    grep -A25 'definitely lost in loss record\|^==[0-9]*== [A-Z][a-z]* .*\(read\|write\|uninitialised\|jump\)' "$log" | head -60
  fi
done
if grep -qi 'inconsistent state\|plug-in crashed\|terminated abnormally\|undo group' "$WORK/gimp.log"; then
  bad "gimp/no-crash-no-open-undo-group" "$(grep -i 'inconsistent\|crashed\|abnormally\|undo group' "$WORK/gimp.log" | head -3)"
else
  ok "gimp/no-crash-no-open-undo-group"
fi

# -- same pixels: the plug-in's layer vs the CLI built here, same parameters
if [ -f "$WORK/gimp3-result.png" ]; then
  "$BUILD/tools/neural-style" --quiet --model "$MODEL" --content "$WORK/content48.png" \
    --style "$NS_STYLE" --output "$WORK/cli-result.png" --iterations 4 --size 0 --seed 3 \
    --multires 1 --init content > "$WORK/cli.log" 2>&1
  r=$(python3 "$SRC/tests/gimp/pixcheck.py" same "$WORK/gimp3-result.png" "$WORK/cli-result.png" 2>&1)
  case "$r" in same*) ok "same-pixels/gimp3-vs-cli ($r)" ;; *) bad "same-pixels/gimp3-vs-cli" "$r $(tail -3 "$WORK/cli.log")" ;; esac
  # regions (issue 14): the same mask files (40 x 30 gray, resized) as
  # --style-mask / --content-mask; "-" = the content layer given as the mask
  if [ -f "$WORK/gimp3-regions-result.png" ]; then
    "$BUILD/tools/neural-style" --quiet --model "$MODEL" --content "$WORK/content48.png" \
      --style "$NS_STYLE" --style-mask "$WORK/mask-left.png" --style "$NS_STYLE2" --style-mask - \
      --content-mask "$WORK/mask-right.png" --color-transfer meancov \
      --output "$WORK/cli-regions-result.png" --iterations 4 --size 0 --seed 3 \
      --multires 1 --init content > "$WORK/cli-regions.log" 2>&1
    r=$(python3 "$SRC/tests/gimp/pixcheck.py" same "$WORK/gimp3-regions-result.png" "$WORK/cli-regions-result.png" 2>&1)
    case "$r" in same*) ok "same-pixels/gimp3-regions-vs-cli ($r)" ;;
                 *) bad "same-pixels/gimp3-regions-vs-cli" "$r $(tail -3 "$WORK/cli-regions.log")" ;; esac
  else
    bad "same-pixels/gimp3-regions-vs-cli" "no regions result"
  fi
  # kept for the cross-root comparison (run-gimp3-tests.sh)
  mkdir -p "$BUILD/same-pixels"
  cp "$WORK/gimp3-result.png" "$WORK/cli-result.png" "$WORK/content48.png" "$BUILD/same-pixels/"
else
  bad "same-pixels/gimp3-vs-cli" "no plug-in result"
fi

# -- Result size (#18): the dialog's labels (first dialog: Working size on,
# then Full layer size on, its label and the estimate line reporting the
# 2x1 tiles the job ran; the dialog on the full-size result opens with Full
# layer size), and the PDB's size 0 has the CLI's pixels (--size 0, same limit)
L=$WORK/resultsize.steps
blk () { grep "^$1 " "$L" 2>/dev/null | sed -n "$2p"; }
w1=$(blk size-working 1) f1=$(blk size-full 1) e2=$(blk estimate 2) f2=$(blk size-full 2) f3=$(blk size-full 3)
case "$w1" in "size-working on Working size (fast) — about "*", "*)
    case "$w1" in *tiles*) bad "resultsize/working-label" "$w1" ;; *) ok "resultsize/working-label ($w1)" ;; esac ;;
  *) bad "resultsize/working-label" "${w1:-no log}" ;; esac
case "$f1" in "size-full off Full layer size (700 × 500) — about "*", in 2 × 1 tiles") ok "resultsize/full-label-tiled ($f1)" ;;
  *) bad "resultsize/full-label-tiled" "${f1:-no log}" ;; esac
case "$e2" in "estimate Working size 700 × 500 · "*" · in 2 × 1 tiles") ok "resultsize/estimate-full-tiled ($e2)" ;;
  *) bad "resultsize/estimate-full-tiled" "${e2:-no log}" ;; esac
case "$f2" in "size-full on "*) ok "resultsize/full-chosen" ;; *) bad "resultsize/full-chosen" "${f2:-no log}" ;; esac
case "$f3" in "size-full on "*) ok "resultsize/result-opens-with-full" ;; *) bad "resultsize/result-opens-with-full" "${f3:-no log}" ;; esac
if [ -f "$WORK/rs-result.png" ]; then
  "$BUILD/tools/neural-style" --quiet --model "$MODEL" --content "$WORK/rs-content.png" \
    --style "$NS_STYLE" --output "$WORK/rs-cli.png" --iterations 2 --size 0 --seed 3 \
    --multires 1 --init content --memory-limit 150 --report "$WORK/rs-cli.json" > "$WORK/rs-cli.log" 2>&1
  grids=$(grep -o '"tiles_[xy]": *[0-9]*' "$WORK/rs-cli.json" 2>/dev/null | tr -d ' "' | tr '\n' ' ')
  r=$(python3 "$SRC/tests/gimp/pixcheck.py" same "$WORK/rs-result.png" "$WORK/rs-cli.png" 2>&1)
  case "$r" in same*) ok "same-pixels/gimp3-size0-tiled-vs-cli ($r; CLI $grids)" ;;
               *) bad "same-pixels/gimp3-size0-tiled-vs-cli" "$r $(tail -3 "$WORK/rs-cli.log")" ;; esac
else
  bad "same-pixels/gimp3-size0-tiled-vs-cli" "no plug-in result"
fi

# -- install.sh for GIMP 3: a throw-away HOME, the GIMP it finds is GIMP 3
IHOME=$WORK/home
mkdir -p "$IHOME"
t0=$(date +%s)
if env -u GIMP3_DIRECTORY -u XDG_DATA_HOME HOME="$IHOME" bash "$SRC/install.sh" --no-deps \
     --build-dir "$BUILD-install" --model "$MODEL" --demo --demo-size 64 --demo-iterations 5 \
     > "$WORK/install.log" 2>&1; then
  ok "install/gimp3 ($(($(date +%s) - t0)) s)"
else
  bad "install/gimp3" "$(tail -5 "$WORK/install.log")"
fi
p3=$IHOME/.config/GIMP/3.0/plug-ins/plug-in-neural-style/plug-in-neural-style
if [ -x "$p3" ] && [ ! -e "$IHOME/.config/GIMP/2.10" ]; then ok "install/gimp3-user-folder"
else bad "install/gimp3-user-folder" "$(ls -R "$IHOME/.config" 2>&1 | head -5)"; fi
if grep -q "Demo written" "$WORK/install.log"; then ok "install/demo-through-gimp3"
else bad "install/demo-through-gimp3" "$(grep -i error "$WORK/install.log" | head -3)"; fi
# GIMP 3 started with that HOME registers the installed plug-in.
env -u GIMP3_DIRECTORY HOME="$IHOME" timeout 300 gimp-console-3.0 -i -d -f \
  --batch-interpreter=python-fu-eval --quit -b "import gi
gi.require_version('Gimp', '3.0')
from gi.repository import Gimp
print('NSTEST registered', Gimp.get_pdb().procedure_exists('plug-in-neural-style'))" \
  > "$WORK/install-gimp.log" 2>&1
if grep -q "NSTEST registered True" "$WORK/install-gimp.log"; then ok "install/gimp3-registers-the-plug-in"
else bad "install/gimp3-registers-the-plug-in" "$(grep NSTEST "$WORK/install-gimp.log")"; fi

echo "$pass passed, $fail failed"
mkdir -p "$BUILD/last-run" && cp "$WORK"/*.log "$BUILD/last-run/"   # for a look afterwards
if [ "$fail" -ne 0 ]; then
  echo "--- GIMP log ---"
  grep -v '^$' "$WORK/gimp.log" | grep -v 'NSTEST ok\|resource name is invalid' | head -80
fi
[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
[ "$fail" -eq 0 ]
