#!/bin/sh
# run-gimp3-tests.sh HOST_BUILD_DIR SOURCE_DIR — plug-in-neural-style in a
# real GIMP 3, on a machine whose own archive has no GIMP 3 (Debian 12):
#   1. ensures the Debian 13 root (trixie-root.sh; built once, reused),
#   2. builds the GIMP 3 plug-in and the CLI inside it from this source tree
#      (build dir inside the root, one per source tree, incremental) and runs
#      the real-GIMP 3 tests there (in-root.sh: Script-Fu, Python-Fu, cancel,
#      last values, same pixels as the CLI built there),
#   3. same pixels on this machine: the GIMP 2.10 plug-in vs this build's
#      CLI, on the content and parameters of step 2,
#   4. reports (not a check) whether the two roots' CLIs (gcc 12 / gcc 14,
#      their OpenBLAS and GLib) agree bit for bit.
# Prints one line per check and "N passed, M failed"; exit 77 (skip) when
# it cannot run here (not root, no debootstrap, no ../shared) outside CI.
set -u
HOST_BUILD=$(cd "${1:?usage: run-gimp3-tests.sh HOST_BUILD_DIR SOURCE_DIR}" && pwd)
SRC=$(cd "${2:?usage: run-gimp3-tests.sh HOST_BUILD_DIR SOURCE_DIR}" && pwd)
HERE=$SRC/tests/gimp3
ROOT_SH=$HERE/trixie-root.sh

skip_or_fail () {
  if [ "${CI:-}" = "true" ]; then echo "FAIL: $1 (CI=true)"; echo "0 passed, 1 failed"; exit 1; fi
  echo "skipped: $1"
  exit 77
}
[ -d "$SRC/../shared/models" ] || skip_or_fail "no ../shared"
SHARED=$(cd "$SRC/../shared" && pwd)
[ "$(id -u)" = 0 ] || skip_or_fail "the Debian 13 root needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null 2>&1 || skip_or_fail "no debootstrap"

t0=$(date +%s)
if ! "$ROOT_SH" ensure > "$HOST_BUILD/trixie-root.log" 2>&1; then
  tail -20 "$HOST_BUILD/trixie-root.log"
  echo "FAIL trixie-root: could not build the Debian 13 root"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "trixie root ready in $(($(date +%s) - t0)) s: $(tail -1 "$HOST_BUILD/trixie-root.log")"
ROOT=$("$ROOT_SH" path)
# One build dir per source tree, inside the root (reused between runs).
BUILD=/root/ns-build-$(printf '%s' "$SRC" | md5sum | cut -c1-8)

NS_TRIXIE_BIND=$SRC NS_TRIXIE_SHARED=$SHARED "$ROOT_SH" run sh /src/tests/gimp3/in-root.sh "$BUILD" \
  > "$HOST_BUILD/gimp3-tests.log" 2>&1
status=$?
cat "$HOST_BUILD/gimp3-tests.log"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$HOST_BUILD/gimp3-tests.log" | tail -1)
pass=$(echo "$summary" | cut -d' ' -f1)
fail=$(echo "$summary" | cut -d' ' -f3)
pass=${pass:-0}
fail=${fail:-1}
[ "$status" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
ok ()  { pass=$((pass + 1)); echo "ok   $1"; }
bad () { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
same () { python3 "$SRC/tests/gimp/pixcheck.py" same "$1" "$2" 2>&1; }

# Same pixels on this machine: GIMP 2.10 plug-in vs this build's CLI.
PIX=$ROOT$BUILD/same-pixels
PLUGIN2=$HOST_BUILD/plug-in/gimp2/plug-in-neural-style
CLI=$HOST_BUILD/tools/neural-style
MODEL=$SHARED/models/squeezenet1_1.safetensors
STYLE=$SHARED/images/pattern-craters.png
if [ -f "$PIX/content48.png" ] && [ -x "$PLUGIN2" ] && command -v gimp >/dev/null 2>&1; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/ns-samepix.XXXXXX")
  export GIMP2_DIRECTORY="$WORK/profile" XDG_DATA_HOME="$WORK/xdg" LANGUAGE=C LC_ALL=C.UTF-8
  mkdir -p "$GIMP2_DIRECTORY/plug-ins/plug-in-neural-style"
  cp "$PLUGIN2" "$GIMP2_DIRECTORY/plug-ins/plug-in-neural-style/"
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} timeout 300 gimp -i -d -f -b "(begin (define ns-model \"$MODEL\")
      (define ns-content \"$PIX/content48.png\") (define ns-style \"$STYLE\")
      (define ns-out \"$WORK/gimp2-result.png\") (load \"$HERE/same-pixels-gimp2.scm\"))" \
    -b '(gimp-quit 0)' > "$WORK/gimp2.log" 2>&1
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} "$CLI" --quiet --model "$MODEL" --content "$PIX/content48.png" \
    --style "$STYLE" --output "$WORK/cli-host.png" --iterations 4 --size 0 --seed 3 --multires 1 \
    --init content > "$WORK/cli.log" 2>&1
  r=$(same "$WORK/gimp2-result.png" "$WORK/cli-host.png")
  case "$r" in same*) ok "same-pixels/gimp2-vs-cli ($r)" ;;
               *) bad "same-pixels/gimp2-vs-cli" "$r $(grep -i 'error' "$WORK/gimp2.log" | head -3)" ;; esac
  # Across the roots (information: compilers and libraries differ).
  echo "info same-pixels across the roots (host gcc $(gcc -dumpfullversion) vs Debian 13):" \
       "CLI $(same "$WORK/cli-host.png" "$PIX/cli-result.png");" \
       "GIMP 2.10 vs GIMP 3 plug-in $(same "$WORK/gimp2-result.png" "$PIX/gimp3-result.png")"
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
else
  echo "skip same-pixels/gimp2-vs-cli: no GIMP 2.10, no 2.10 plug-in build or no GIMP 3 result"
fi

echo "$pass passed, $fail failed ($(($(date +%s) - t0)) s)"
[ "$fail" -eq 0 ]
