#!/bin/bash
# slurm-array.sh — a Slurm job array over a folder of photos (docs/batch.md).
#
#   n=$(find IN_DIR -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.png' \) | wc -l)
#   sbatch --array=0-$(( (n + 7) / 8 - 1 )) slurm-array.sh IN_DIR OUT_DIR STYLE [options...]
#
# Task i stylises photos i*K .. i*K+K-1 (sorted by name; K = FILES_PER_TASK,
# default 8) in one neural-style call, so each style's targets are computed
# once per task.  DRY_RUN=1 prints the command instead of running it (try
# it outside Slurm: SLURM_ARRAY_TASK_ID=0 DRY_RUN=1 bash slurm-array.sh ...).
#SBATCH --job-name=neural-style
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=01:00:00
#SBATCH --output=neural-style-%A_%a.log
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: sbatch --array=0-N $0 IN_DIR OUT_DIR STYLE [neural-style options...]" >&2
  exit 2
fi
in=$1 out=$2 style=$3
shift 3
task=${SLURM_ARRAY_TASK_ID:?"not in a Slurm job array (sbatch --array), or set SLURM_ARRAY_TASK_ID"}
per=${FILES_PER_TASK:-8}
mapfile -d '' -t files < <(find "$in" -maxdepth 1 -type f \( -iname '*.png' -o -iname '*.jpg' \
  -o -iname '*.jpeg' -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.webp' \) -print0 | sort -z)
first=$(( task * per ))
if [ "$first" -ge "${#files[@]}" ]; then
  echo "task $task: no photos (the folder has ${#files[@]}, $per per task)"
  exit 0
fi
cmd=("${NEURAL_STYLE:-neural-style}" --threads "${SLURM_CPUS_PER_TASK:-0}" --style "$style"
     --output-dir "$out")
for f in "${files[@]:first:per}"; do
  cmd+=(--content "$f")
done
cmd+=("$@")
mkdir -p "$out"
if [ -n "${DRY_RUN:-}" ]; then
  printf '%q ' "${cmd[@]}"
  echo
else
  exec "${cmd[@]}"
fi
