#!/bin/bash
# bench/estimate.sh — the dialog's time estimate against the measured wall
# time of a default stylisation (multi-resolution schedule): at the reference
# machine's rates (ns_estimate_seconds) and at this machine's speed measured
# just before by ns_speed_measure (ns_estimate_seconds_at, what the dialog
# shows since issue 19),
# for VGG-19 (seeded random weights) and SqueezeNet 1.1 (../shared/models)
# at 256/512/1024 px, plus the fused Winograd conv's rate on each instruction
# set (the per-ISA factor of engine/estimate.c).  Target: measured/estimate
# within 1/1.5 .. 1.5.  Never a test: prints a table, exits 0.
#
# Environment: BUILD (default build-bench), THREADS (2), ITERS (iterations per
# level, default 20), SIZES ("256 512 1024"), ARCHS ("vgg19 squeezenet").
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build-bench}
THREADS=${THREADS:-2}
ITERS=${ITERS:-20}
SIZES=${SIZES:-"256 512 1024"}
ARCHS=${ARCHS:-"vgg19 squeezenet"}
. bench/lib.sh
ns_bench_build "$BUILD" bench/bench-engine tools/ns-make-random-model || exit 1
VGG=$(ns_bench_vgg "$BUILD") || exit 1
SQZ=../shared/models/squeezenet1_1.safetensors
load() { cut -d' ' -f1-3 /proc/loadavg; }
kv() { sed -n "s/^$2=//p" "$1" | head -1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS"

echo "# time estimate vs measured — $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null)"
echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; threads $THREADS; $ITERS iterations per level"
echo "# load average at start: $(load)"
echo
echo "Fused Winograd 3x3 conv, 128 -> 128 channels, 128 x 128 (the per-ISA factor):"
"$BUILD/bench/bench-engine" isa --size 128 --reps 9 --threads "$THREADS" 2>&1 >/dev/null | sed 's/^/    /'
echo
echo "Reference: the architecture's rate on the reference machine (VGG-19 700 GFLOP/s, calibrated"
echo "on a quiet AMD EPYC: bench/README.md).  Measured speed: ns_speed_measure on this machine just"
echo "before the run (its own seconds in the speed column) — what the dialog uses (cached per model)."
echo
echo "| model | size | levels | evaluations | measured s | reference estimate s | measured/reference | measured-speed estimate s | measured/that | speed: fixed s + s/GFLOP, job s (took s) | load (1 min) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
for s in $SIZES; do
  for a in $ARCHS; do
    case $a in
      vgg19) m=$VGG ;;
      squeezenet) m=$SQZ; [ -f "$m" ] || { echo "| squeezenet | (no ../shared model) |||||||"; continue; } ;;
      *) echo "unknown arch $a" >&2; continue ;;
    esac
    f="$OUT/$a-$s"
    if "$BUILD/bench/bench-engine" estimate --model "$m" --size "$s" --iters "$ITERS" \
         --threads "$THREADS" > "$f" 2> "$f.err"; then
      echo "| $a | $s | $(kv "$f" levels) | $(kv "$f" evaluations) | $(kv "$f" wall_s) | $(kv "$f" est_seconds) | $(kv "$f" ratio) | $(kv "$f" est_measured_seconds) | **$(kv "$f" ratio_measured)** | $(kv "$f" speed_fixed_s) + $(kv "$f" speed_s_per_gflop), $(kv "$f" speed_job_s) ($(kv "$f" speed_measure_s)) | $(load | cut -d' ' -f1) |"
    else
      echo "| $a | $s | failed: $(tail -1 "$f.err") ||||||||"
    fi
  done
done
