# lib.sh — sourced by the CLI test scripts (tests/cli/test-*.sh BUILD_DIR SOURCE_DIR):
# the shared images and models, a temporary folder and the pass/fail counting.
# After `. lib.sh BUILD_DIR SOURCE_DIR` these are set: build src cli shared model
# tmp py pass fail.  A missing ../shared skips (exit 77) outside CI and fails in it.

build=$1
src=$2
cli="$build/tools/neural-style"
shared="${NS_SHARED_DIR:-$src/../shared}"
py=/usr/bin/python3

skip() {  # skip REASON: exit 77 (skipped), or fail where CI requires everything
  if [ "${CI:-}" = true ]; then echo "FAIL: $1 (required in CI)"; exit 1; fi
  echo "skipped: $1"; exit 77
}
[ -d "$shared" ] || skip "no ../shared"
model="$shared/models/squeezenet1_1.safetensors"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() {  # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
  local what=$1; shift
  if "$@" >"$tmp/out.log" 2>&1; then pass=$((pass + 1)); echo "ok - $what"
  else fail=$((fail + 1)); echo "FAIL - $what"; sed 's/^/    /' "$tmp/out.log" | tail -20; fi
}

expect_fail() {  # expect_fail DESCRIPTION PATTERN COMMAND...: fails, with PATTERN in its message
  local what=$1 pattern=$2; shift 2
  if "$@" >"$tmp/err.log" 2>&1; then fail=$((fail + 1)); echo "FAIL - $what (succeeded)"
  elif grep -qi -- "$pattern" "$tmp/err.log"; then pass=$((pass + 1)); echo "ok - $what"
  else fail=$((fail + 1)); echo "FAIL - $what: message was:"; sed 's/^/    /' "$tmp/err.log"; fi
}

png_size() {  # png_size FILE: WxH from the PNG header
  $py -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1"
}
