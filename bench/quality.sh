#!/bin/bash
# quality.sh — does the subject stay recognisable while the style moves in?
# Sweeps settings over the shared photos x styles, judges every output with
# `neural-style judge` (BVLC GoogLeNet, which the style transfer never
# optimises with: content rank and style gain, tools/judge.h) and prints,
# per setting, a table per style and overall:
#   kept (content rank <= 10), median rank, median style gain, and each
#   style's median gain against the reference setting's (`old`, today's
#   style-heavy defaults before issue #20), measured in the same run;
# then draws the quality frontier (median rank vs median gain, one point per
# setting, the defaults marked) with gnuplot into docs/quality-frontier.png.
#
# Outputs are cached by setting and size (CACHE/NAME/SIZE/CONTENT+STYLE.png),
# so the script runs in pieces: each 512 px run is ~10 s on a quiet machine.
#
#   bench/quality.sh [--build DIR] [--size N] [--settings "NAME;NAME=ARGS;..."]
#                    [--contents "dog eagle ..."] [--styles "scream ..."]
#                    [--jobs N] [--threads N] [--cache DIR] [--ref NAME]
#                    [--plot FILE.png | --no-plot] [--list]
#
# Settings are separated by ';', each NAME (from the table below) or
# NAME=ARGS (ad hoc, e.g. "old;cw20=--content-weight 20").  `default` runs the CLI's own defaults; its
# cache is keyed by `neural-style --help` (which states them), so a change of
# defaults reruns it.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
size=512
settings="old;subtle;default;strong"
contents="dog eagle horses giraffe kite person"
styles="scream pattern-brick pattern-burlwood pattern-craters pattern-electric pattern-granite1"
jobs=2
threads=1
cache=""
ref=old
plot=$here/docs/quality-frontier.png
shared=${NS_SHARED_DIR:-$here/../shared}

# The settings.  `old`: the defaults before issue #20 spelled out (start =
# content + 60 % noise, alpha 1, beta 100, fire5 content, TV 1, equal style
# layers, no style balance, SqueezeNet's levels down to 256 px), so it stays
# the reference whatever the defaults become.
old_levels() {  # engine/schedule.c's automatic count with a 256 px floor
  local n=1; while [ $((size >> n)) -ge 256 ] && [ $n -lt 8 ]; do n=$((n + 1)); done; echo $n
}
setting_args() {
  case $1 in
    old)      echo "--content-weight 1 --style-weight 100 --tv-weight 1 --initial-noiseblend 0.6 --content-layers fire5 --style-layers relu1,fire2,fire3,fire4,fire5 --style-layer-weight-exp 1 --iterations 50 --style-balance off --multires $(old_levels)" ;;
    default)  echo "" ;;
    subtle)   echo "--preset subtle" ;;
    balanced) echo "--preset balanced" ;;
    strong)   echo "--preset strong" ;;
    swd)      echo "--style-loss swd" ;;
    *=*)      echo "${1#*=}" ;;
    *)        echo "unknown setting $1 (known: old default subtle balanced strong swd, or NAME=ARGS)" >&2; return 1 ;;
  esac
}

while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --settings) settings=$2; shift 2 ;;
    --contents) contents=$2; shift 2 ;;
    --styles) styles=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --ref) ref=$2; shift 2 ;;
    --plot) plot=$2; shift 2 ;;
    --no-plot) plot=""; shift ;;
    --list) for s in old default subtle balanced strong swd; do echo "$s: $(setting_args $s)"; done; exit 0 ;;
    *) sed -n '2,27p' "$0" >&2; exit 2 ;;
  esac
done
cli=$build/tools/neural-style
cache=${cache:-$build/quality}
model=$shared/models/squeezenet1_1.safetensors
gnet=$shared/models/googlenet_bvlc.safetensors
[ -x "$cli" ] || { echo "no $cli (build first)" >&2; exit 1; }
[ -f "$model" ] && [ -f "$gnet" ] || { echo "needs $shared/models (SqueezeNet, GoogLeNet)" >&2; exit 1; }
py=/usr/bin/python3
img() { if [ -f "$shared/images/$1.jpg" ]; then echo "$shared/images/$1.jpg"; else echo "$shared/images/$1.png"; fi; }
name_of() { echo "${1%%=*}"; }
IFS=';' read -ra list <<< "$settings"
case " ${list[*]%%=*} " in *" $ref "*) ;; *) list=("$ref" "${list[@]}") ;; esac

echo "# quality.sh  $(date -u +%FT%TZ)  git $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo ?)  size $size  load $(cut -d' ' -f1-3 /proc/loadavg)"
# a copy of the CLI: rebuilding while a sweep runs changes nothing under it
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$cli" "$tmp/neural-style"; cli=$tmp/neural-style
helphash=$("$cli" --help | md5sum | cut -c1-12)

# 1. style transfer, cached
for s in "${list[@]}"; do
  name=$(name_of "$s"); args=$(setting_args "$s")
  dir=$cache/$name/$size
  key="$args"   # the defaults and the presets mean what this binary says they mean
  case "$args" in ""|--preset*) key="$args | defaults $helphash" ;; esac
  if [ -f "$dir/ARGS" ] && [ "$(cat "$dir/ARGS")" != "$key" ]; then rm -rf "$dir"; fi
  mkdir -p "$dir"; echo "$key" > "$dir/ARGS"
  todo=()
  for c in $contents; do for st in $styles; do
    [ -s "$dir/$c+$st.png" ] || todo+=("$c $st")
  done; done
  [ ${#todo[@]} -eq 0 ] && continue
  echo "# $name: ${#todo[@]} runs at $size px ($args)" >&2
  start=$(date +%s)
  printf '%s\n' "${todo[@]}" | while read -r c st; do
    # shellcheck disable=SC2086
    echo "$cli -q --threads $threads --model $model --size $size -c $(img "$c") -s $(img "$st") -o $dir/$c+$st.png.tmp.png $args && mv $dir/$c+$st.png.tmp.png $dir/$c+$st.png"
  done | parallel -j "$jobs" --halt now,fail=1
  echo "# $name: $(( $(date +%s) - start )) s" >&2
done

# 2. judge every setting (one GoogLeNet run per distinct image)
for s in "${list[@]}"; do
  name=$(name_of "$s"); dir=$cache/$name/$size
  triples=()
  for c in $contents; do for st in $styles; do
    triples+=("$(img "$c")" "$(img "$st")" "$dir/$c+$st.png")
  done; done
  # judged already, and no output newer than the verdict: keep it
  if [ -s "$dir/judge.json" ] && [ -z "$(find "$dir" -name '*.png' -newer "$dir/judge.json")" ] \
     && [ "$(cat "$dir/judge.n" 2>/dev/null)" = "${#triples[@]} $contents $styles" ]; then continue; fi
  OMP_NUM_THREADS=1 "$cli" judge --model "$gnet" --report "$dir/judge.json" "${triples[@]}" > "$dir/judge.txt"   # one thread: cheap, and robust on a loaded machine
  echo "${#triples[@]} $contents $styles" > "$dir/judge.n"
done

# 3. tables and the frontier
frontier=$cache/frontier-$size.dat
$py - "$cache" "$size" "$ref" "$frontier" $(for s in "${list[@]}"; do name_of "$s"; done) <<'PY'
import json, os, statistics as st, sys
cache, size, ref, frontier, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
def load(name):
    r = json.load(open(os.path.join(cache, name, size, "judge.json")))
    out = {}
    for t in r["triples"]:
        style = os.path.splitext(os.path.basename(t["style"]))[0]
        out.setdefault(style, []).append((t["content_rank"], t["style_gain"]))
    return out
refd = load(ref)
rows = []
for name in names:
    d = load(name)
    print(f"\n## {name}  ({size} px)\n")
    print("| style | kept (rank <= 10) | median rank | median gain | gain / %s's |" % ref)
    print("|---|---:|---:|---:|---:|")
    allr, allg, worst = [], [], None
    for style, v in d.items():
        r = [x[0] for x in v]; g = [x[1] for x in v]
        rg = st.median([x[1] for x in refd[style]])
        ratio = st.median(g) / rg if rg > 0 else float("nan")
        worst = ratio if worst is None else min(worst, ratio)
        print(f"| {style} | {sum(x <= 10 for x in r)}/{len(r)} | {st.median(r):g} | {st.median(g):.3f} | {ratio:.2f} |")
        allr += r; allg += g
    kept = sum(x <= 10 for x in allr)
    print(f"| **all** | **{kept}/{len(allr)} ({100 * kept / len(allr):.0f} %)** | **{st.median(allr):g}** | **{st.median(allg):.3f}** | worst style {worst:.2f} |")
    rows.append((name, st.median(allr), st.median(allg), kept, len(allr), worst))
with open(frontier, "w") as f:
    f.write("# setting median_rank median_gain kept n worst_style_ratio\n")
    for r in rows:
        f.write("%s %g %.4f %d %d %.3f\n" % r)
print("\n| setting | kept | median rank | median gain | worst style gain / %s's |" % ref)
print("|---|---:|---:|---:|---:|")
for name, mr, mg, k, n, w in rows:
    print(f"| {name} | {k}/{n} | {mr:g} | {mg:.3f} | {w:.2f} |")
PY

if [ -n "$plot" ]; then
  gnuplot <<EOF
set terminal pngcairo size 800,560 font ",11"
set output "$plot"
set title "Quality frontier: ${size} px, SqueezeNet, $(echo $contents | wc -w) photos x $(echo $styles | wc -w) styles (judge: GoogLeNet)"
set xlabel "median content rank (best of the photo's top-5 classes; lower = subject kept)"
set ylabel "median style gain (1 = the style's Gram statistics reached)"
set logscale x
set xrange [0.8:*]
set grid
set key off
set arrow from 10, graph 0 to 10, graph 1 nohead dt 2 lc rgb "#888888"
plot "$frontier" using 2:3 with points pt 7 ps 1.4 lc rgb "#3060c0", \
     "" using 2:3:1 with labels offset 1.2,0.6 left, \
     "< grep -E '^default ' $frontier" using 2:3 with points pt 6 ps 3 lw 2 lc rgb "#d03020"
EOF
  echo "frontier: $plot"
fi
