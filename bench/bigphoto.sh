#!/bin/bash
# bench/bigphoto.sh — a full default run on a 12 MP photo (issue 18): the
# multi-resolution schedule with detail passes above --detail-side (README
# "Multi-resolution"), at --size 0 on kite.jpg enlarged to 4000x3000 with
# The Scream, against the default 512 px run of the same pair measured in the
# same script.
#   squeezenet: SqueezeNet 1.1 (../shared, real weights), default memory limit;
#   vgg19:      VGG-19 with seeded random weights (time only: its pictures are
#               meaningless), --memory-limit 3072 (tiled).
# Per run: wall time, peak RSS (/usr/bin/time), load average before/after, and
# per level its size, iterations and seconds (from the JSON report; a run cut
# by TIMEOUT is interrupted with SIGINT, which keeps the levels done so far).
# Never a test: prints tables (the machine may be shared).
# With OUTDIR the SqueezeNet part also writes fullsize-crop.jpg there: a
# 100 % crop (CROP, default 800x500+250+2000: a person and the surf) of the
# 12 MP result beside the same crop of the 512 px result enlarged to
# 4000x3000 (ImageMagick's resize: what working at 512 px gave before) —
# docs/fullsize-crop.jpg (README "Large images: tiles").
# Environment: BUILD (default build-bench), THREADS (2), PARTS ("squeezenet
# vgg19"), TIMEOUT (seconds per 12 MP run, default none), OUTDIR (keep the
# pictures and reports there; default a temporary folder, removed), CROP.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build-bench}
THREADS=${THREADS:-2}
PARTS=${PARTS:-"squeezenet vgg19"}
TIMEOUT=${TIMEOUT:-0}
SHARED=${NS_SHARED_DIR:-../shared}
. bench/lib.sh
ns_bench_build "$BUILD" tools/ns-make-random-model tools/neural-style || exit 1
if [ -n "${OUTDIR:-}" ]; then OUT=$OUTDIR; mkdir -p "$OUT"
else OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT; fi
VGG=$(ns_bench_vgg "$BUILD") || exit 1
SQZ=$SHARED/models/squeezenet1_1.safetensors
STYLE=$SHARED/images/scream.jpg
[ -f "$OUT/kite4000.jpg" ] || convert "$SHARED/images/kite.jpg" -resize '4000x3000!' -quality 95 \
  "$OUT/kite4000.jpg" 2>/dev/null || exit 1
load() { cut -d' ' -f1-3 /proc/loadavg; }
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS"

echo "# 12 MP default run — $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null), threads $THREADS"
echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"

# run NAME MODEL SIZE [extra options]: one CLI run, its figures in $OUT/NAME.*
run() {
  local name=$1 model=$2 size=$3; shift 3
  local lim=()
  [ "$size" = 0 ] && [ "$TIMEOUT" -gt 0 ] && lim=(timeout -s INT "$TIMEOUT")
  load >"$OUT/$name.load0"
  "${lim[@]}" /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$BUILD/tools/neural-style" \
    --model "$model" --content "$OUT/kite4000.jpg" --style "$STYLE" --size "$size" \
    --threads "$THREADS" --report "$OUT/$name.json" --output "$OUT/$name.png" "$@" \
    2>"$OUT/$name.log"
  echo "$?" >"$OUT/$name.rc"
  load >"$OUT/$name.load1"
}

# table MODEL-LABEL NAME512 NAME12: the two runs side by side, then levels
table() {
  /usr/bin/python3 - "$OUT" "$@" <<'PY'
import json, re, sys
out, label, small, big = sys.argv[1:]
def figures(name):
    try:
        r = json.load(open(f"{out}/{name}.json"))
    except Exception:
        r = None
    try:
        secs, rss = open(f"{out}/{name}.time").read().split()[-2:]
    except Exception:
        secs, rss = "-", "0"
    sizes = {}
    for line in open(f"{out}/{name}.log", errors="replace"):
        m = re.match(r"level (\d+)/(\d+) \((\d+)x(\d+)\)", line)
        if m:
            sizes[int(m.group(1))] = f"{m.group(3)}x{m.group(4)}"
    levels = []
    for l in sorted(sizes):
        recs = [i for i in (r["iterations"] if r else []) if i["level"] == l]
        levels.append((l, sizes[l], max(len(recs) - 1, 0), sum(i["seconds"] for i in recs)))
    return dict(report=r, secs=secs, rss=int(rss) / 1024, levels=levels,
                rc=open(f"{out}/{name}.rc").read().strip(),
                load0=open(f"{out}/{name}.load0").read().strip(),
                load1=open(f"{out}/{name}.load1").read().strip())
a, b = figures(small), figures(big)
print(f"\n{label}: default run at 512 px (reference) and at the photo's size (--size 0)\n")
print("| size | levels (side x iterations) | wall s | vs 512 px | peak RSS MiB | stop | load before | load after |")
print("|---|---|---|---|---|---|---|---|")
for name, f in ((small, a), (big, b)):
    lv = ", ".join(f"{s.split('x')[0]}x{n}" for _, s, n, _ in f["levels"])
    stop = f["report"]["stop_reason"] if f["report"] else f"exit {f['rc']}"
    ratio = "-"
    try:
        ratio = f"{float(f['secs']) / float(a['secs']):.1f}x"
    except ValueError:
        pass
    size = f["levels"][-1][1] if f["levels"] else "-"
    print(f"| {size} | {lv} | {f['secs']} | {ratio} | {f['rss']:.0f} | {stop} | {f['load0']} | {f['load1']} |")
print(f"\nper level of the {b['levels'][-1][1] if b['levels'] else '?'} run (seconds from the report: optimisation only)\n")
print("| level | size | iterations | seconds | s per iteration |")
print("|---|---|---|---|---|")
for l, s, n, secs in b["levels"]:
    print(f"| {l} | {s} | {n} | {secs:.0f} | {secs / max(n, 1):.1f} |")
PY
}

if [[ " $PARTS " == *" squeezenet "* ]]; then
  if [ -f "$SQZ" ]; then
    run sqz512 "$SQZ" 512
    run sqz12mp "$SQZ" 0
    table "SqueezeNet 1.1" sqz512 sqz12mp
    if [ -n "${OUTDIR:-}" ] && [ -f "$OUT/sqz12mp.png" ] && [ -f "$OUT/sqz512.png" ]; then
      crop=${CROP:-800x500+250+2000}
      convert "$OUT/sqz512.png" -resize '4000x3000!' -crop "$crop" +repage \
        -gravity north -background white -splice 0x28 -pointsize 20 \
        -annotate +0+4 '512 px result enlarged to 4000x3000' "$OUT/crop512.png" &&
      convert "$OUT/sqz12mp.png" -crop "$crop" +repage \
        -gravity north -background white -splice 0x28 -pointsize 20 \
        -annotate +0+4 '4000x3000 result (--size 0), 100 %' "$OUT/crop12mp.png" &&
      convert "$OUT/crop512.png" "$OUT/crop12mp.png" -background white -splice 8x0 +append \
        -quality 88 "$OUT/fullsize-crop.jpg" && echo && echo "crop $crop: $OUT/fullsize-crop.jpg"
    fi
  else
    echo "SqueezeNet: no model at $SQZ"
  fi
fi

if [[ " $PARTS " == *" vgg19 "* ]]; then
  run vgg512 "$VGG" 512 --memory-limit 3072
  run vgg12mp "$VGG" 0 --memory-limit 3072
  table "VGG-19 (random weights, --memory-limit 3072)" vgg512 vgg12mp
fi
