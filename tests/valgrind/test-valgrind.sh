#!/bin/bash
# test-valgrind.sh BUILD_DIR SOURCE_DIR — memcheck over real code paths:
#   0. GEGL and babl load only the modules of tests/gegl-env.sh (PNG and JPEG):
#      checked with LD_DEBUG=files on the CLI and the canary — no ff-load/
#      ff-save (ffmpeg -> libjxl -> libhwy: "Illegal instruction" under
#      valgrind on some CPUs), no module chosen by CPU (-x86_64-v2/-v3, babl's
#      SIMD extensions), nothing else from GEGL's or babl's folders;
#   1. the suppressions file must not hide our own leaks (leak_canary fails);
#   2. one end-to-end CLI stylisation (SqueezeNet, 40 px, 2 iterations):
#      0 errors, no definite leaks outside system libraries (ns.supp), no
#      GeglBuffer left at gegl_exit() (GEGL's own "GeglBuffers leaked");
#   3. the cheap unit tests (safetensors, pth, image, losses) the same way.
# Exit 77 = skipped (no ../shared or no valgrind outside CI).
set -u
build=$1
src=$2
skip() {
  if [ "${CI:-}" = true ]; then echo "FAIL: $1 (required in CI)"; exit 1; fi
  echo "skipped: $1"; exit 77
}
command -v valgrind >/dev/null || skip "no valgrind"
shared="${NS_SHARED_DIR:-$src/../shared}"
[ -d "$shared" ] || skip "no ../shared"
model="$shared/models/squeezenet1_1.safetensors"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# set, so that the CLI does not re-execute itself (engine/process.c), which
# under valgrind would exec the bare tool binary
export OMP_WAIT_POLICY=PASSIVE
# fair scheduling and single-threaded BLAS: a spinning thread cannot keep
# memcheck's lock from the one it waits for (see tests/gimp3/in-root.sh)
export OPENBLAS_NUM_THREADS=1
# shellcheck disable=SC2207  # split into the options file's words
vg=(valgrind $(grep -v '^#' "$src/tests/valgrind/memcheck-options")
    --error-exitcode=1 --suppressions="$src/tests/valgrind/ns.supp")
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -f "${2:-}" ] && sed 's/^/    /' "$2" | tail -60; }

# 0. the module set: PNG and JPEG only, whatever the host has installed
"$src/tests/gegl-env.sh" "$tmp/gegl-env" png jpeg || { echo "FAIL: tests/gegl-env.sh"; exit 1; }
. "$tmp/gegl-env/env"
modules_ok() {  # modules_ok NAME COMMAND...: run with LD_DEBUG=files, check what was loaded
  local name=$1; shift
  rm -f "$tmp/ld".*
  LD_DEBUG=files LD_DEBUG_OUTPUT="$tmp/ld" "$@" >"$tmp/$name-ld.log" 2>&1
  sed -n 's/.*file=\([^ ]*\) .*/\1/p' "$tmp/ld".* | sort -u >"$tmp/$name-loaded"
  local gegl babl bad_objs
  gegl=$(grep -c "^$GEGL_PATH/" "$tmp/$name-loaded")
  babl=$(grep -c "^$BABL_PATH/" "$tmp/$name-loaded")
  bad_objs=$(grep -E 'ff-load|ff-save|libhwy|libjxl|libav(codec|format)|x86[-_]64-v[23]|/(sse|avx)[^/]*\.so|/gegl-0\.4/|/babl-0\.1/' "$tmp/$name-loaded")
  if [ "$gegl" -ge 4 ] && [ "$babl" -ge 10 ] && [ -z "$bad_objs" ]; then
    ok "$name loads only the test module set ($gegl GEGL modules: $(grep "^$GEGL_PATH/" "$tmp/$name-loaded" | xargs -n1 basename | tr '\n' ' '); $babl babl extensions; no ff-load, libhwy or CPU variant)"
  else
    bad "$name module set: $gegl GEGL modules, $babl babl extensions, unexpected: ${bad_objs:-none}" "$tmp/$name-loaded"
  fi
}
modules_ok "leak canary" "$build/tests/valgrind/leak_canary"
modules_ok "CLI" "$build/tools/neural-style" --model "$model" --content "$shared/images/dog.jpg" \
  --style "$shared/images/scream.jpg" --size 40 --iterations 0 --quiet --output "$tmp/ld.png"

# 1. the canary's three leaks must be reported (the suppressions are not too broad)
"${vg[@]}" "$build/tests/valgrind/leak_canary" >"$tmp/canary.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "canary_leak_engine_image" "$tmp/canary.log" \
   && grep -q "canary_leak_glib_string" "$tmp/canary.log" \
   && grep -q "GeglBuffers leaked" "$tmp/canary.log"; then
  ok "suppressions still report leaks from our code (canary caught, rc=$rc)"
else
  bad "leak canary not reported (rc=$rc)" "$tmp/canary.log"
fi

# 2. end to end: load JPEGs through GEGL, run L-BFGS on SqueezeNet, save PNG
if "${vg[@]}" "$build/tools/neural-style" --model "$model" --content "$shared/images/dog.jpg" \
     --style "$shared/images/scream.jpg" --size 40 --iterations 2 --threads 2 --quiet \
     --output "$tmp/out.png" --report "$tmp/report.json" >"$tmp/cli.log" 2>&1 \
   && grep -q "ERROR SUMMARY: 0 errors" "$tmp/cli.log" \
   && ! grep -q "GeglBuffers leaked" "$tmp/cli.log" \
   && /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r["iterations"])==3' "$tmp/report.json" \
   && [ "$(head -c 8 "$tmp/out.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]; then
  ok "CLI stylisation under memcheck: 0 errors, no definite leaks ($(grep -o 'suppressed: [0-9,]* bytes' "$tmp/cli.log"))"
else
  bad "CLI stylisation under memcheck" "$tmp/cli.log"
fi

# 2b. batch (#15): three files, one of them bad, style targets shared.
# PNG photos, so the outputs are PNG too (libjpeg's SIMD encoder, used for
# .jpg outputs, trips memcheck's uninitialised-value checks by itself).
mkdir -p "$tmp/batch" "$tmp/photos"
printf 'junk' > "$tmp/photos/bad.png"
convert "$shared/images/dog.jpg" -resize 96x96 "$tmp/photos/dog.png"
convert "$shared/images/eagle.jpg" -resize 96x96 "$tmp/photos/eagle.png"
"${vg[@]}" "$build/tools/neural-style" --model "$model" --content "$tmp/photos/dog.png" \
     --content "$tmp/photos/bad.png" --content "$tmp/photos/eagle.png" --style "$shared/images/scream.jpg" \
     --size 40 --iterations 1 --threads 2 --quiet --output-dir "$tmp/batch" \
     --report "$tmp/batch.json" >"$tmp/batch.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "ERROR SUMMARY: 0 errors" "$tmp/batch.log" \
   && ! grep -q "GeglBuffers leaked" "$tmp/batch.log" && [ -s "$tmp/batch/eagle.png" ]; then
  ok "CLI batch (one bad file) under memcheck: 0 errors, no definite leaks"
else
  bad "CLI batch under memcheck (rc=$rc)" "$tmp/batch.log"
fi

# 3. cheap unit tests
for t in safetensors pth image losses; do
  if (cd "$build/tests" && "${vg[@]}" "./test_$t") >"$tmp/$t.log" 2>&1 \
     && grep -q "ERROR SUMMARY: 0 errors" "$tmp/$t.log"; then
    ok "test_$t under memcheck"
  else
    bad "test_$t under memcheck" "$tmp/$t.log"
  fi
done

echo "valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
