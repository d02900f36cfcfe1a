#!/bin/bash
# bench/run.sh — the engine benchmark table (see bench/README.md).
#
#   bench/run.sh [--quick] [--unset-openblas-env] [--no-torch] [--no-full] [--no-profile]
#                [--no-2048] [--isa "native avx2"] [--batch]
#
#   --quick               256 and 512 px, 3 iterations each, no full stylisation/profile/2048
#   --unset-openblas-env  unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for both the
#                         engine and PyTorch (default: leave the environment as it is)
#   --no-torch / --no-full / --no-profile / --no-2048   skip those parts
#   --isa LIST            per-iteration rows for each instruction set in LIST (default
#                         "native"); "avx2" is what a CPU without AVX-512 runs: the engine
#                         with NS_ISA=avx2 and OpenBLAS OPENBLAS_CORETYPE=Haswell, PyTorch
#                         with ATEN_CPU_CAPABILITY=avx2, DNNL_MAX_CPU_ISA=AVX2 and the same
#                         OpenBLAS core; "generic" likewise with NS_ISA=generic, "default"/Prescott
#   --batch               batch throughput: 10 photos at 512 px, one style, one CLI call
#                         (--output-dir; style targets computed once), photos per hour against
#                         the single default run's (--no-full drops that reference)
#
# Environment: BUILD (build dir, default build-bench; configured with
# -Dplugin=false if missing), THREADS (default 2), SIZES (override the sizes),
# BATCH_PX (the batch photos' size, default 512).
# Runs a seeded random VGG-19 (tools/ns-make-random-model --seed 1).  Never a test:
# it prints a table and exits 0 unless the engine itself cannot be built or run.
set -u
cd "$(dirname "$0")/.." || exit 1
QUICK=0 UNSET_BLAS=0 TORCH=1 FULL=1 PROFILE=1 BIG=1 BATCH=0 ISAS=native
while [ $# -gt 0 ]; do
  a=$1; shift
  case "$a" in
    --isa) ISAS=${1:?--isa needs a list}; shift ;;
    --batch) BATCH=1 ;;
    --quick) QUICK=1 FULL=0 PROFILE=0 BIG=0 ;;
    --unset-openblas-env) UNSET_BLAS=1 ;;
    --no-torch) TORCH=0 ;;
    --no-full) FULL=0 ;;
    --no-profile) PROFILE=0 ;;
    --no-2048) BIG=0 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
BUILD=${BUILD:-build-bench}
THREADS=${THREADS:-2}
BATCH_PX=${BATCH_PX:-512}
if [ "$QUICK" = 1 ]; then SIZES=${SIZES:-"256 512"}; else SIZES=${SIZES:-"256 512 1024"}; fi
iters_for() { if [ "$QUICK" = 1 ]; then echo 3; else echo 9; fi; }   # 9 > L-BFGS history 8: peak RSS includes the full history

. bench/lib.sh
ns_bench_build "$BUILD" bench/bench-engine tools/ns-make-random-model || exit 1
MODEL=$(ns_bench_vgg "$BUILD") || exit 1

ENVCMD=(env)   # env's -u options must come before the assignments
[ "$UNSET_BLAS" = 1 ] && ENVCMD+=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
ENVCMD+=(OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS")
JEMALLOC=(LD_PRELOAD=libjemalloc.so.2 MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1)
if [ "$TORCH" = 1 ]; then
  if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    TORCH=0; TORCH_NOTE="PyTorch: not installed (apt-get install python3-torch)"
  elif ! /sbin/ldconfig -p | grep -q libjemalloc.so.2; then
    JEMALLOC=(); TORCH_NOTE="PyTorch: jemalloc missing (apt-get install libjemalloc2), glibc malloc"
  else
    TORCH_NOTE="PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), jemalloc preloaded"
  fi
else
  TORCH_NOTE="PyTorch: skipped"
fi

kv() { sed -n "s/^$2=//p" "$1" | head -1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "# neural-style engine benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null)"
echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; threads $THREADS"
echo "# OPENBLAS_CORETYPE=$([ "$UNSET_BLAS" = 1 ] && echo '(unset)' || echo "${OPENBLAS_CORETYPE:-(unset)}")" \
     "OPENBLAS_L2_SIZE=$([ "$UNSET_BLAS" = 1 ] && echo '(unset)' || echo "${OPENBLAS_L2_SIZE:-(unset)}")"
echo "# $TORCH_NOTE"
echo "# load average at start: $(load)"

# Extra environment of one instruction set for the engine (e) or PyTorch (t).
isa_env() {
  case "$1:$2" in
    native:*) ;;
    avx2:e) echo NS_ISA=avx2 OPENBLAS_CORETYPE=Haswell ;;
    avx2:t) echo ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell ;;
    generic:e) echo NS_ISA=generic OPENBLAS_CORETYPE=Prescott ;;
    generic:t) echo ATEN_CPU_CAPABILITY=default DNNL_MAX_CPU_ISA=SSE41 OPENBLAS_CORETYPE=Prescott ;;
    *) echo "unknown ISA $1 (native, avx2, generic)" >&2; return 1 ;;
  esac
}
for isa in $ISAS; do isa_env "$isa" e >/dev/null || exit 2; done
FIRST_ISA=${ISAS%% *}

for isa in $ISAS; do
for s in $SIZES; do
  it=$(iters_for "$s") k="$isa-$s"
  echo "# $s px, $isa: engine, $it iterations (load $(load))" >&2
  "${ENVCMD[@]}" $(isa_env "$isa" e) "$BUILD/bench/bench-engine" iter --model "$MODEL" --size "$s" --iters "$it" \
      --threads "$THREADS" --dump "$OUT/in$k" > "$OUT/e$k" 2> "$OUT/e$k.err" \
    || { cat "$OUT/e$k.err" >&2; echo "engine failed at $s px ($isa)" >&2; }
  echo "load_after=$(load)" >> "$OUT/e$k"
  if [ "$TORCH" = 1 ]; then
    echo "# $s px, $isa: PyTorch, $it iterations (load $(load))" >&2
    # shellcheck disable=SC2046
    "${ENVCMD[@]}" $(isa_env "$isa" t) "${JEMALLOC[@]}" /usr/bin/python3 bench/torch_ref.py --model "$MODEL" \
        --prefix "$OUT/in$k" --size "$s" --iters "$(( it < 5 ? it : 5 ))" --threads "$THREADS" > "$OUT/t$k" 2> "$OUT/t$k.err" \
      || { tail -3 "$OUT/t$k.err" >&2; echo "PyTorch failed at $s px ($isa)" >&2; }
  fi
  rm -f "$OUT/in$k".*.f32
done
done

echo
echo "One iteration = one evaluation (forward to relu5_1 + input gradient; the engine's L-BFGS"
echo "took 1 evaluation per iteration here, PyTorch: LBFGS(max_iter=1), one closure per step)."
echo "GFLOP = 2·MACs of the forward convs x 2 (input gradient); '+Gram' adds 4·C²·HW per style layer."
echo
echo "| ISA | size | GFLOP (conv / +Gram) | engine s/iter (median) | engine CPU s/iter | GFLOP/s (conv) | engine peak RSS MiB | PyTorch s/iter | PyTorch peak RSS MiB | ratio engine/PyTorch | loss0 engine / PyTorch | load avg (1 min) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
for isa in $ISAS; do
for s in $SIZES; do
  e="$OUT/e$isa-$s" t="$OUT/t$isa-$s"
  es=$(kv "$e" sec_iter_median) ts=""
  [ -s "$t" ] && ts=$(kv "$t" sec_iter_median)
  ratio=$( [ -n "$ts" ] && [ -n "$es" ] && awk -v a="$es" -v b="$ts" 'BEGIN{printf "%.2f", a/b}' || echo n/a)
  printf "| %s | %s | %s / %.1f | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |\n" "$isa" "$s" \
    "$(kv "$e" gflop_eval)" "$(awk -v a="$(kv "$e" gflop_eval)" -v b="$(kv "$e" gflop_gram)" 'BEGIN{print a+b}')" \
    "$es" "$(kv "$e" cpu_iter_median)" "$(kv "$e" gflops)" "$(kv "$e" peak_rss_mib)" \
    "${ts:-n/a}" "$( [ -s "$t" ] && kv "$t" peak_rss_mib || echo n/a)" "$ratio" \
    "$(kv "$e" loss0)" "$( [ -s "$t" ] && kv "$t" loss0 || echo n/a)" "$(kv "$e" load1)"
done
done
echo
echo "Memory estimate (ns_job_estimate_memory, same job) against measured peak RSS of bench-engine"
echo "(peak includes ~$(kv "$OUT/e$FIRST_ISA-${SIZES%% *}" rss_model_mib) MiB of process + mapped model before the job):"
echo
echo "| size | estimate MiB | peak RSS MiB | estimate / peak |"
echo "|---:|---:|---:|---:|"
for s in $SIZES; do
  e="$OUT/e$FIRST_ISA-$s"
  printf "| %s | %s | %s | %s |\n" "$s" "$(kv "$e" est_job_mib)" "$(kv "$e" peak_rss_mib)" \
    "$(awk -v a="$(kv "$e" est_job_mib)" -v b="$(kv "$e" peak_rss_mib)" 'BEGIN{printf "%.2f", a/b}')"
done

echo
echo "Job-free estimates (ns_estimate_memory + ns_estimate_seconds, what the dialog recomputes on every"
echo "change; a plan-only network: shapes, no weights), median of 15 calls:"
echo
echo "| size | memory MiB | seconds | ms to compute both |"
echo "|---:|---:|---:|---:|"
for s in $SIZES 1024; do
  "$BUILD/bench/bench-engine" estimate-cost --model "$MODEL" --size "$s" --reps 15 > "$OUT/est$s" 2>/dev/null
  printf "| %s | %s | %s | %s |\n" "$s" \
    "$(awk -v b="$(kv "$OUT/est$s" est_memory_bytes)" 'BEGIN{printf "%.1f", b/1048576}')" \
    "$(kv "$OUT/est$s" est_seconds)" "$(kv "$OUT/est$s" est_ms_median)"
done | sort -un -t'|' -k2

if [ "$BIG" = 1 ]; then
  # 2048x2048 content and an equally large style, 10 iterations (the L-BFGS
  # history is full): as is, and with a 4 GB (4e9 bytes = 3814 MiB) limit,
  # under which the job sizes its L-BFGS history to fit.
  echo
  echo "2048 x 2048 px (style as large), 10 iterations, banded mode (engine/net/network.c):"
  echo
  echo "| memory limit | s/iter (median) | peak RSS MiB | job's estimate MiB |"
  echo "|---|---:|---:|---:|"
  for lim in none 3814; do
    echo "# 2048 px, memory limit $lim (load $(load))" >&2
    opt=(); [ "$lim" != none ] && opt=(--memory-limit "$lim")
    "${ENVCMD[@]}" "$BUILD/bench/bench-engine" iter --model "$MODEL" --size 2048 --iters 10 \
        --threads "$THREADS" "${opt[@]}" > "$OUT/big$lim" 2> "$OUT/big$lim.err" \
      || { cat "$OUT/big$lim.err" >&2; echo "engine failed at 2048 px" >&2; }
    printf "| %s | %s | %s | %s |\n" "$([ "$lim" = none ] && echo "none (8 pairs)" || echo "$lim MiB")" \
      "$(kv "$OUT/big$lim" sec_iter_median)" "$(kv "$OUT/big$lim" peak_rss_mib)" \
      "$(kv "$OUT/big$lim" est_job_mib)"
  done
fi

if [ "$FULL" = 1 ]; then
  echo >&2 "# full default stylisation at 512 px (load $(load))"
  "${ENVCMD[@]}" "$BUILD/bench/bench-engine" full --model "$MODEL" --size 512 --threads "$THREADS" \
      > "$OUT/full" 2> "$OUT/full.err" || cat "$OUT/full.err" >&2
  echo
  echo "Full default stylisation (ns_params_init: automatic multires and iterations), 512 px:"
  echo "wall $(kv "$OUT/full" full_wall_s) s; levels $(kv "$OUT/full" schedule) (size:iterations:seconds);" \
       "$(kv "$OUT/full" evaluations) evaluations; peak RSS $(kv "$OUT/full" peak_rss_mib) MiB;" \
       "engine's own time estimate $(kv "$OUT/full" est_seconds) s; load after: $(load)"
fi

if [ "$BATCH" = 1 ]; then
  # 10 photos: the six shared photos and four of them mirrored (a different picture to the
  # network; ImageMagick's convert, else the CLI's own copy of the file), one style.
  SHARED=${NS_SHARED_DIR:-../shared}/images
  ninja -C "$BUILD" tools/neural-style >/dev/null || exit 1
  mkdir -p "$OUT/photos" "$OUT/batch-out"
  for p in dog eagle horses giraffe kite person; do cp "$SHARED/$p.jpg" "$OUT/photos/"; done
  for p in dog eagle horses kite; do
    convert "$SHARED/$p.jpg" -flop "$OUT/photos/$p-mirrored.jpg" 2>/dev/null \
      || cp "$SHARED/$p.jpg" "$OUT/photos/$p-mirrored.jpg"
  done
  echo >&2 "# batch: 10 photos at $BATCH_PX px (load $(load))"
  b0=$(date +%s.%N)
  "${ENVCMD[@]}" "$BUILD/tools/neural-style" --model "$MODEL" --content "$OUT/photos" \
      --style "$SHARED/scream.jpg" --output-dir "$OUT/batch-out" --size "$BATCH_PX" --threads "$THREADS" \
      --quiet 2> "$OUT/batch.err" || tail -3 "$OUT/batch.err" >&2
  b1=$(date +%s.%N)
  nout=$(find "$OUT/batch-out" -name '*.png' -o -name '*.jpg' | wc -l)
  bw=$(awk -v a="$b0" -v b="$b1" 'BEGIN{printf "%.1f", b-a}')
  echo
  echo "Batch throughput: 10 photos (6 shared + 4 mirrored, $BATCH_PX px longest side), one style (scream.jpg), one"
  echo "\`neural-style --content DIR --output-dir DIR\` call, default settings, $THREADS threads:"
  echo
  echo "| photos written | wall s | s/photo | photos/hour | single default run's photos/hour (same bench, 512×512) | load after |"
  echo "|---:|---:|---:|---:|---:|---:|"
  printf "| %s | %s | %s | %s | %s | %s |\n" "$nout" "$bw" \
    "$(awk -v a="$bw" -v n="$nout" 'BEGIN{ if (n > 0) printf "%.1f", a/n; else print "n/a" }')" \
    "$(awk -v a="$bw" -v n="$nout" 'BEGIN{ if (a > 0) printf "%.0f", 3600*n/a; else print "n/a" }')" \
    "$( [ -s "$OUT/full" ] && awk -v a="$(kv "$OUT/full" full_wall_s)" 'BEGIN{ if (a > 0) printf "%.0f", 3600/a }' || echo n/a)" \
    "$(load)"
  grep -o 'style targets computed [0-9]*, reused [0-9]*' "$OUT/batch.err" | sed 's/^/(/; s/$/)/'
fi

if [ "$PROFILE" = 1 ]; then
  echo >&2 "# per-layer profile at 512 px (load $(load))"
  echo
  echo "Per-layer profile, 512 px (the network's own per-node timers inside ns_objective_eval," \
       "mean of 3 evaluations, $THREADS threads):"
  echo
  "${ENVCMD[@]}" "$BUILD/bench/bench-engine" profile --model "$MODEL" --size 512 --reps 3 \
      --threads "$THREADS" 2>/dev/null | grep '^|'
fi
echo
echo "# load average at end: $(load)"
exit 0
