#!/bin/bash
# run-all.sh [BUILD_DIR] — configure, build and run every test suite, then
# print one closing line "N passed, N failed, N skipped".
#   NS_SANITIZE=1  also build BUILD_DIR-asan with ASan+UBSan and run the unit
#                  suite there (CI does this).
set -u
cd "$(dirname "$0")/.."
build=${1:-build}

setup() {  # setup DIR [meson options...]
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null
  else meson setup "$dir" "$@" >/dev/null; fi
}

count() {  # count DIR: add the results of DIR's testlog.json to the totals
  local log=$1/meson-logs/testlog.json
  [ -f "$log" ] || return
  local p f s
  p=$(grep -c '"result": "OK"' "$log")
  f=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")
  s=$(grep -c '"result": "SKIP"' "$log")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

passed=0 failed=0 skipped=0 status=0
setup "$build" || { echo "0 passed, 1 failed"; exit 1; }
ninja -C "$build" || { echo "0 passed, 1 failed"; exit 1; }
meson test -C "$build" --print-errorlogs --num-processes 1 || status=1
count "$build"

if [ "${NS_SANITIZE:-0}" = 1 ]; then
  setup "$build-asan" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
    -Dplugin=false || status=1
  if ninja -C "$build-asan"; then
    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 \
      LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      meson test -C "$build-asan" --suite unit --print-errorlogs --num-processes 1 || status=1
    count "$build-asan"
  else
    failed=$((failed + 1)); status=1
  fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
