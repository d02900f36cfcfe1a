#!/bin/bash
# test-memory.sh BUILD_DIR SOURCE_DIR — ns_estimate_memory() against measured
# memory, SqueezeNet at 128/256/384 px (10 iterations, the CLI's defaults).
#
#  1. ns-memory-probe: the job alone (public API, synthetic images of
#     dog.jpg/scream.jpg's sizes, no GEGL), peak RSS minus the RSS after a
#     warm-up job (fixed overhead: libraries, OpenBLAS/OpenMP buffers).
#  2. The CLI on the real photos: --report's peak_rss_bytes, and the same for
#     a --iterations 0 run at 16 px (the baseline: process + GEGL + OpenBLAS).
# Fails only if a run fails or the numbers are not sane (positive, growing
# with the size); an estimate more than 20% off the job's measured peak
# prints a WARNING line (the estimate lives in engine/estimate.c).
# Exit 77 = skipped (no ../shared).
set -u
build=$1
src=$2
shared="${NS_SHARED_DIR:-$src/../shared}"
if [ ! -d "$shared" ]; then
  if [ "${CI:-}" = true ]; then echo "FAIL: ../shared is missing (required in CI)"; exit 1; fi
  echo "skipped: no ../shared"; exit 77
fi
model="$shared/models/squeezenet1_1.safetensors"
cli="$build/tools/neural-style"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes="128 256 384"
status=0

for s in $sizes; do
  "$build/tests/memory/ns-memory-probe" "$model" "$s" 10 >"$tmp/probe-$s.json" || { echo "FAIL - probe at $s px"; status=1; }
  "$cli" --model "$model" --content "$shared/images/dog.jpg" --style "$shared/images/scream.jpg" \
    --size "$s" --iterations 10 --threads 2 --quiet --output "$tmp/out.png" --report "$tmp/cli-$s.json" \
    || { echo "FAIL - CLI at $s px"; status=1; }
done
"$cli" --model "$model" --content "$shared/images/dog.jpg" --style "$shared/images/scream.jpg" \
  --size 16 --iterations 0 --threads 2 --quiet --output "$tmp/out.png" --report "$tmp/cli-base.json" \
  || { echo "FAIL - CLI baseline run"; status=1; }
[ $status -eq 0 ] || exit 1

/usr/bin/python3 - "$tmp" $sizes <<'PY'
import json, sys
tmp, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
MiB = 2.0 ** 20
base = json.load(open("%s/cli-base.json" % tmp))["peak_rss_bytes"]
rows, ok = [], True
print("size  estimate  job peak  est/job   CLI peak  CLI-baseline   (MiB; CLI baseline %.1f)" % (base / MiB))
for s in sizes:
    p = json.load(open("%s/probe-%d.json" % (tmp, s)))
    c = json.load(open("%s/cli-%d.json" % (tmp, s)))["peak_rss_bytes"]
    est, job = p["estimate_bytes"], p["job_peak_bytes"]
    ratio = est / job if job > 0 else float("inf")
    rows.append((s, est, job))
    print("%4d  %8.1f  %8.1f  %7.2f   %8.1f  %12.1f" % (s, est / MiB, job / MiB, ratio,
          c / MiB, (c - base) / MiB))
    if not (est > 0 and job > 0 and c > 0):
        print("FAIL - non-positive numbers at %d px" % s); ok = False
    if abs(ratio - 1) > 0.2:
        print("WARNING: memory estimate off by more than 20%% at %d px: estimate %.1f MiB, "
              "measured job peak %.1f MiB (ratio %.2f)" % (s, est / MiB, job / MiB, ratio))
    if c - base < 0.2 * job:
        print("NOTE: at %d px the CLI's peak RSS is the start-up peak (gegl_init), "
              "not the job" % s)
for (s0, e0, j0), (s1, e1, j1) in zip(rows, rows[1:]):
    if not (e1 > e0 and j1 > j0):
        print("FAIL - estimate or measured peak does not grow from %d to %d px" % (s0, s1)); ok = False
sys.exit(0 if ok else 1)
PY
