#!/bin/bash
# test-install.sh SOURCE_DIR — install.sh end to end into a throw-away HOME:
# per-user install with --model (SqueezeNet) and --demo through real GIMP,
# a re-run that changes nothing, a download whose checksum does not match
# (deleted, reported, nothing installed), and --uninstall.
set -u
src=$(cd "$1" && pwd)
shared="${NS_SHARED_DIR:-$src/../shared}"
if [ ! -d "$shared" ]; then
  if [ "${CI:-}" = true ]; then echo "FAIL: ../shared is missing (required in CI)"; exit 1; fi
  echo "skipped: no ../shared"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home
unset XDG_DATA_HOME XDG_CONFIG_HOME GIMP2_DIRECTORY NEURAL_STYLE_MODEL
mkdir -p "$HOME" "$tmp/t"
export TMPDIR=$tmp/t
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -f "$tmp/log" ] && tail -25 "$tmp/log" | sed 's/^/    /'; }
inst=(bash "$src/install.sh" --no-deps --build-dir "$tmp/build")
models=$HOME/.local/share/neural-style/models
plugin=$HOME/.config/GIMP/2.10/plug-ins/plug-in-neural-style/plug-in-neural-style

if "${inst[@]}" --model "$shared/models/squeezenet1_1.safetensors" --demo --demo-size 64 \
     --demo-iterations 5 >"$tmp/log" 2>&1; then ok "install --model squeezenet --demo"
else bad "install --model squeezenet --demo"; fi
[ -x "$HOME/.local/bin/neural-style" ] && ok "CLI installed" || bad "CLI installed"
[ -x "$plugin" ] && ok "plug-in installed in the user's GIMP folder" || bad "plug-in installed"
cmp -s "$models/squeezenet1_1.safetensors" "$shared/models/squeezenet1_1.safetensors" \
  && ok "model installed as squeezenet1_1.safetensors" || bad "model installed"
[ -s "$src/demo/out.png" ] && ok "demo/out.png rendered through GIMP" || bad "demo rendered"

before=$(stat -c '%Y %s' "$models/squeezenet1_1.safetensors" "$plugin" "$HOME/.local/bin/neural-style")
if "${inst[@]}" --model "$shared/models/squeezenet1_1.safetensors" >"$tmp/log" 2>&1 \
   && [ "$before" = "$(stat -c '%Y %s' "$models/squeezenet1_1.safetensors" "$plugin" "$HOME/.local/bin/neural-style")" ]
then ok "re-running changes nothing"; else bad "re-running changes nothing"; fi

# a "download" whose sha256 does not start with dcbb9e9d
mkdir -p "$tmp/mirror"
rm -rf "${TMPDIR:?}"/*
head -c 4096 /dev/urandom > "$tmp/mirror/vgg19-dcbb9e9d.pth"
if NEURAL_STYLE_MODEL_MIRROR="file://$tmp/mirror" "${inst[@]}" >"$tmp/log" 2>&1; then
  bad "a checksum mismatch fails the install"
else
  grep -q "sha256" "$tmp/log" && grep -q -- "--model" "$tmp/log" \
    && ok "checksum mismatch reported with what to do instead" || bad "checksum mismatch message"
fi
[ ! -e "$models/vgg19.safetensors" ] && [ -z "$(ls -A "$TMPDIR")" ] \
  && ok "nothing half-installed after the failed download" || bad "leftovers after a failed download"

if "${inst[@]}" --uninstall >"$tmp/log" 2>&1 && [ ! -e "$plugin" ] && [ ! -e "$HOME/.local/bin/neural-style" ] \
   && [ ! -e "$models/squeezenet1_1.safetensors" ]; then ok "--uninstall removes what was installed"
else bad "--uninstall"; fi

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
