# lib.sh — sourced by the bench scripts (bash), from the source root.
# shellcheck shell=bash
#
# ns_bench_build BUILD TARGET...: configures BUILD (plug-ins off) the first
# time and builds the TARGETs; non-zero on failure.
ns_bench_build () {
  local build=$1
  shift
  [ -f "$build/build.ninja" ] || meson setup "$build" -Dplugin=false >/dev/null || return 1
  ninja -C "$build" "$@" >/dev/null
}

# ns_bench_vgg BUILD: prints the path of the benches' VGG-19 with seeded
# random weights (seed 1), BUILD/bench/data/vgg19-seed1.safetensors, made
# on first use with BUILD's tools/ns-make-random-model (build it first).
ns_bench_vgg () {
  local model="$1/bench/data/vgg19-seed1.safetensors"
  mkdir -p "$1/bench/data" || return 1
  [ -f "$model" ] || "$1/tools/ns-make-random-model" --arch vgg19 --seed 1 --out "$model" >&2 ||
    return 1
  echo "$model"
}
