#!/bin/bash
# bench/tiles.sh — the tiled evaluation (issue 18, engine/objective_tiled.c):
#  1. parity: one evaluation tiled (forced cores of $TILE px) vs untiled at
#     1024x768 and 1536x1024, VGG-19 (seeded random weights) and SqueezeNet
#     1.1 (../shared): relative differences of the loss terms and gradient
#     (the untiled reference unbanded: banded mode's row bands start off the
#     Winograd grid, which alone moves the gradient by ~3e-3 at 1536x1024);
#  2. time: seconds per evaluation (≈ per L-BFGS iteration, ~1.1 evaluations
#     each) with VGG-19 at 512x512 untiled (the reference) and at 1, 4 and
#     12 MP tiled, and each one's time per pixel relative to the 512 px one;
#  3. memory: a 4000x3000 VGG-19 CLI run (1 iteration, single scale) under
#     --memory-limit 3072 (automatic tiling): peak RSS vs the estimate.
# Never a test: prints tables and the load average (the machine is shared).
# Environment: BUILD (default build-bench), THREADS (2), TILE (256),
# PARTS ("parity time memory"), MP ("1 4 12").
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build-bench}
THREADS=${THREADS:-2}
TILE=${TILE:-256}
PARTS=${PARTS:-"parity time memory"}
MP=${MP:-"1 4 12"}
. bench/lib.sh
ns_bench_build "$BUILD" bench/bench-tiles tools/ns-make-random-model tools/neural-style || exit 1
VGG=$(ns_bench_vgg "$BUILD") || exit 1
SQZ=${NS_SHARED_DIR:-../shared}/models/squeezenet1_1.safetensors
load() { cut -d' ' -f1-3 /proc/loadavg; }
kv() { sed -n "s/^$2=//p" "$1" | head -1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS"
BT="$BUILD/bench/bench-tiles"

echo "# tiled evaluation — $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null), threads $THREADS"
echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"

if [[ " $PARTS " == *" parity "* ]]; then
  echo
  echo "| model | size | grid (core + halo) | content | style | tv | gradient (L2) | gradient (max) | untiled s | tiled s | load |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for m in vgg19 squeezenet; do
    model=$VGG; [ $m = squeezenet ] && model=$SQZ
    [ -f "$model" ] || { echo "| $m | (no model) |"; continue; }
    for s in 1024x768 1536x1024; do
      "$BT" parity --model "$model" --width "${s%x*}" --height "${s#*x}" --tile "$TILE" --no-band \
        --threads "$THREADS" >"$OUT/p" 2>/dev/null || { echo "| $m | $s | failed |"; continue; }
      echo "| $m | $s | $(kv "$OUT/p" grid) ($(kv "$OUT/p" core) + $(kv "$OUT/p" halo)) | $(kv "$OUT/p" content_rel) | $(kv "$OUT/p" style_rel) | $(kv "$OUT/p" tv_rel) | $(kv "$OUT/p" grad_rel_l2) | $(kv "$OUT/p" grad_rel_max) | $(kv "$OUT/p" untiled_s) | $(kv "$OUT/p" tiled_s) | $(load) |"
    done
  done
fi

if [[ " $PARTS " == *" time "* ]]; then
  echo
  echo "VGG-19, s per evaluation; per pixel relative to 512x512 untiled (1.0 = linear in pixels):"
  echo
  echo "| size | MP | tile | grid | s/eval | per pixel vs 512 px | peak RSS MiB | load |"
  echo "|---|---|---|---|---|---|---|---|"
  "$BT" eval --model "$VGG" --width 512 --height 512 --tile 0 --reps 3 --threads "$THREADS" >"$OUT/r" 2>/dev/null
  ref=$(kv "$OUT/r" eval_s)
  echo "| 512x512 | 0.26 | untiled | 1x1 | $ref | 1.00 | $(kv "$OUT/r" peak_rss_mib) | $(load) |"
  for mp in $MP; do
    case $mp in 1) w=1152 h=864;; 4) w=2304 h=1728;; 12) w=4000 h=3000;; *) continue;; esac
    "$BT" eval --model "$VGG" --width $w --height $h --tile 512 --threads "$THREADS" >"$OUT/e" 2>/dev/null \
      || { echo "| ${w}x$h | failed |"; continue; }
    s=$(kv "$OUT/e" eval_s)
    echo "| ${w}x$h | $mp | 512 | $(kv "$OUT/e" grid) | $s | $(awk -v s="$s" -v r="$ref" -v w=$w -v h=$h 'BEGIN { printf "%.2f", (s / (w * h)) / (r / 262144) }') | $(kv "$OUT/e" peak_rss_mib) | $(load) |"
  done
fi

if [[ " $PARTS " == *" memory "* ]]; then
  echo
  echo "4000x3000 VGG-19, --memory-limit 3072, 1 iteration, single scale (CLI, automatic tiling):"
  echo
  convert -size 4000x3000 gradient:tomato-steelblue -swirl 200 "$OUT/content.png"
  convert -size 1600x1200 pattern:checkerboard -swirl 90 "$OUT/style.png"
  /usr/bin/time -f "%e %M" -o "$OUT/time" "$BUILD/tools/neural-style" --model "$VGG" \
    --content "$OUT/content.png" --style "$OUT/style.png" --size 0 --iterations 1 --multires 1 \
    --memory-limit 3072 --threads "$THREADS" --report "$OUT/report.json" --quiet \
    --output "$OUT/out.png" 2>"$OUT/err"
  rc=$?
  read -r secs rss_kb <"$OUT/time"
  /usr/bin/python3 - "$OUT/report.json" "$rc" "$secs" "$rss_kb" "$(load)" <<'PY'
import json, sys
path, rc, secs, rss_kb, load = sys.argv[1:]
try:
    r = json.load(open(path))
except Exception:
    print(f"run failed (exit {rc})"); sys.exit(0)
t = r["tiling"]; est = r["memory_estimate_bytes"]; peak = int(rss_kb) * 1024
print("| grid (core + halo) | L-BFGS pairs | estimate MiB | peak RSS MiB | peak / estimate | seconds | load |")
print("|---|---|---|---|---|---|---|")
print(f"| {t['tiles_x']}x{t['tiles_y']} ({t['core']} + {t['halo']}) | auto | {est/2**20:.0f} | "
      f"{peak/2**20:.0f} ({peak/1e9:.2f} GB) | {peak/est:.2f} | {secs} | {load} |")
PY
  [ "$rc" = 0 ] || sed 's/^/    /' "$OUT/err" | tail -5
fi
