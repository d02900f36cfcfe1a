#!/bin/bash
# bench/schedule.sh — time to a finished picture (issue 16): the default
# 512 px run against candidate schedules, all expressed with existing CLI
# options, on a few content/style pairs and both models, interleaved (pair by
# pair, every schedule of a model back to back) so that the machine's load
# affects old and new alike.
#   squeezenet: SqueezeNet 1.1 (../shared, real weights)
#   vgg19:      VGG-19 with seeded random weights (tools/ns-make-random-model
#               --seed 1): its times and losses are real, its pictures are not
# Prints a table per run (wall seconds of the CLI, optimisation seconds,
# iterations per level, the final 512 px loss = the best total of the last
# level, ratios against the model's default schedule in the same pass, load
# average before/after) and a summary per schedule; draws the loss-vs-seconds
# curves of all schedules, one panel per model and pair, into PNG
# (bench/schedule_plot.py, gnuplot).  Never a test.
# Environment: BUILD (default build-bench), THREADS (2), MODELS ("squeezenet
# vgg19"), PAIRS (content:style file names in ../shared/images), VGG_PAIRS
# (the pairs VGG-19 runs, default the first two: a VGG run takes minutes),
# SQZ_SCHEDULES / VGG_SCHEDULES (';'-separated "name=CLI options"; the first
# is the reference), PNG (default bench/schedule-curves.png), KEEP (a folder
# for the pictures and reports; default a temporary one, removed).
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build-bench}
THREADS=${THREADS:-2}
MODELS=${MODELS:-"squeezenet vgg19"}
PAIRS=${PAIRS:-"kite.jpg:scream.jpg dog.jpg:pattern-electric.png horses.jpg:pattern-burlwood.png"}
SQZ_SCHEDULES=${SQZ_SCHEDULES:-"default=;3 levels 200/100/35=--multires 3 --detail-side 256 --iterations 100 --detail-iterations 35;3 levels 200/100/25=--multires 3 --detail-side 256 --iterations 100 --detail-iterations 25"}
VGG_SCHEDULES=${VGG_SCHEDULES:-"default=;tolerance 2e-3=--tolerance 2e-3;2 levels 100/50=--multires 2;coarse halved 100/50/50=--detail-side 256 --iterations 50 --detail-iterations 50"}
VGG_PAIRS=${VGG_PAIRS:-"kite.jpg:scream.jpg dog.jpg:pattern-electric.png"}
PNG=${PNG:-bench/schedule-curves.png}
SHARED=${NS_SHARED_DIR:-../shared}
. bench/lib.sh
ns_bench_build "$BUILD" tools/ns-make-random-model tools/neural-style || exit 1
if [ -n "${KEEP:-}" ]; then OUT=$KEEP; mkdir -p "$OUT"
else OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT; fi
VGG=$(ns_bench_vgg "$BUILD") || exit 1
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "# schedule benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null)"
echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; threads $THREADS"
echo "# load average at start: $(load)"
RUNS="$OUT/runs.tsv"
: > "$RUNS"
n=0
for pair in $PAIRS; do
  content=${pair%%:*} style=${pair#*:}
  for model in $MODELS; do
    case $model in
      squeezenet) mfile=$SHARED/models/squeezenet1_1.safetensors; scheds=$SQZ_SCHEDULES ;;
      vgg19) mfile=$VGG; scheds=$VGG_SCHEDULES
             case " $VGG_PAIRS " in *" $pair "*) ;; *) continue ;; esac ;;
      *) echo "unknown model $model (squeezenet, vgg19)" >&2; exit 2 ;;
    esac
    IFS=';' read -r -a list <<< "$scheds"
    for entry in "${list[@]}"; do
      name=${entry%%=*} opts=${entry#*=}
      n=$((n + 1))
      l0=$(load)
      echo "# $model ${content%.*}+${style%.*}: $name ($opts), load $l0" >&2
      t0=$(date +%s.%N)
      # shellcheck disable=SC2086
      if ! OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS /usr/bin/time -f '%U %S' -o "$OUT/run$n.cpu" \
           "$BUILD/tools/neural-style" \
           -m "$mfile" -c "$SHARED/images/$content" -s "$SHARED/images/$style" --threads "$THREADS" \
           -o "$OUT/run$n.png" --report "$OUT/run$n.json" $opts > "$OUT/run$n.log" 2>&1; then
        tail -3 "$OUT/run$n.log" >&2; echo "run $n failed" >&2; continue
      fi
      t1=$(date +%s.%N)
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$model" "${content%.*}+${style%.*}" "$name" "$opts" \
        "$(awk "BEGIN { print $t1 - $t0 }")" "$(awk '{ print $1 + $2 }' "$OUT/run$n.cpu")" "$l0" "$(load)" "$OUT/run$n.json" >> "$RUNS"
    done
  done
done
echo
echo "Final 512 px loss: the lowest total of the last level (the image returned)."
echo "Wall s: the whole CLI run (model load, style targets, all levels, writing the picture);"
echo "CPU s: its user + system time (less moved by other processes' load than wall time)."
/usr/bin/python3 bench/schedule_plot.py "$RUNS" "$PNG" || exit 1
echo
echo "# curves: $PNG; load average at end: $(load)"
