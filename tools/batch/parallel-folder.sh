#!/bin/bash
# parallel-folder.sh IN_DIR OUT_DIR STYLE [neural-style options...]
#
# Stylise every image of IN_DIR into OUT_DIR (same file names) with GNU
# parallel (docs/batch.md).  Environment:
#   JOBS           jobs at once per host (default: one per core)
#   THREADS        --threads of each job (default 1: many 1-thread jobs
#                  scale better on small photos than one job on all cores)
#   FILES_PER_JOB  photos per neural-style call on this machine (default 4):
#                  one call computes each style's targets once for its photos
#   HOSTS          run on these hosts instead (parallel --sshlogin syntax,
#                  e.g. "4/alice@node1,4/alice@node2,:"; ":" = this machine);
#                  each photo and the style are copied there, the result is
#                  copied back, the copies removed; IN_DIR, OUT_DIR and
#                  STYLE must then be relative paths below this folder.
#                  neural-style and its model must be installed on every host.
#   NEURAL_STYLE   the program (default: neural-style on PATH)
# Exit status: the number of calls that failed (0 = all written).
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 IN_DIR OUT_DIR STYLE [neural-style options...]" >&2
  exit 2
fi
in=$1 out=$2 style=$3
shift 3
ns=${NEURAL_STYLE:-neural-style}
mkdir -p "$out"
list_images() {
  find "$in" -maxdepth 1 -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \
    -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.webp' \) -print0 | sort -z
}
if [ -z "${HOSTS:-}" ]; then
  # -X with --content={} repeats the option for each of up to N photos
  list_images | parallel -0 --halt never -j "${JOBS:-100%}" -X -N "${FILES_PER_JOB:-4}" \
    "$ns" --threads "${THREADS:-1}" --quiet --content={} --style "$style" --output-dir "$out" "$@"
else
  # one photo per job, sent with --transferfile into a fresh folder on the
  # host (the login folder), run there, the result returned (--return) into
  # OUT_DIR here, the copies removed (--cleanup)
  case "$in $out $style" in
    /*|*' /'*|*../*)
      echo "$0: with HOSTS give IN_DIR, OUT_DIR and STYLE relative to this folder, below it" >&2
      exit 2 ;;
  esac
  list_images | parallel -0 --halt never -j "${JOBS:-100%}" --sshlogin "$HOSTS" \
    --basefile "$style" --transferfile {} --return "$out/{/}" --cleanup \
    mkdir -p "$out" '&&' "$ns" --threads "${THREADS:-1}" --quiet --content {} \
    --style "$style" --output-dir "$out" "$@"
fi
