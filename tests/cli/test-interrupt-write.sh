#!/bin/bash
# test-interrupt-write.sh BUILD_DIR SOURCE_DIR — the CLI under signals and
# failing writes, and file names with colons (real SqueezeNet, ../shared):
#   - SIGINT / SIGTERM stop at the next iteration, write the best image so
#     far and a report with stop_reason "cancelled", exit 130 / 143;
#   - a second SIGINT exits at once and writes nothing (old output kept; also
#     when it arrives while the output is being written);
#   - SIGKILL at many points of a run, also in the middle of writing the
#     output (every write() slowed down by strace), leaves the old file or
#     the complete new one, never a torn one;
#   - a full disk (tmpfs; needs root) and a file-size limit (ulimit -f) give
#     "could not be written" and leave the old file;
#   - checkpoints are complete files; no temporary file is left behind;
#   - --style accepts my:pic.png, ./a:b.jpg, x:y:z.png:0.5.
# Exit 77 = skipped (no ../shared, or no strace, outside CI).
set -u
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "no strace"
dog="$shared/images/dog.jpg"
export OMP_WAIT_POLICY=PASSIVE   # no re-exec: $! is the CLI itself
common=(--model "$model" --threads 2 --content "$dog" --style "$dog" --size 48)
ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -f "${2:-}" ] && sed 's/^/    /' "$2" | tail -20; }
# png_ok FILE: a complete PNG (signature, chunks up to IEND with valid CRCs)
png_ok() {
  $py - "$1" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
pos = 8
while True:
    n, t = struct.unpack(">I4s", d[pos:pos + 8])
    assert pos + 12 + n <= len(d), "torn"
    assert struct.unpack(">I", d[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(d[pos + 4:pos + 8 + n]), "bad CRC"
    pos += 12 + n
    if t == b"IEND":
        break
PY
}
no_temp_left() { ! ls -A "$1" | grep -q -e '\.tmp-' -e '^\.goutputstream'; }
# wait_for PATTERN FILE [SECONDS]: until FILE has a line matching PATTERN
wait_for() {
  for _ in $(seq $(( ${3:-60} * 20 ))); do grep -q -- "$1" "$2" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

# 1. SIGINT and SIGTERM: stop, write the best image so far, exit 128 + signal
for sig in INT TERM; do
  want=$([ $sig = INT ] && echo 130 || echo 143)
  d="$tmp/sig-$sig"; mkdir "$d"
  "$cli" "${common[@]}" --iterations 100000 --output "$d/out.png" --report "$d/report.json" \
    2>"$d/err.log" &
  pid=$!
  wait_for "iteration 20/" "$d/err.log"
  t0=$(date +%s.%N)
  kill -$sig $pid
  wait $pid; rc=$?
  dt=$($py -c "import sys,time; print('%.2f' % (time.time() - float(sys.argv[1])))" "$t0")
  if [ $rc -eq $want ] && png_ok "$d/out.png" && [ "$(identify -format %wx%h "$d/out.png")" = 48x36 ] \
     && $py -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["stop_reason"]=="cancelled" and 20 <= len(r["iterations"]) < 100000, r["stop_reason"]' "$d/report.json" \
     && grep -q "interrupted .* wrote the best image so far" "$d/err.log" && no_temp_left "$d"; then
    ok "SIG$sig: exit $rc after $dt s, best image so far written (48x36), report says cancelled after $($py -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["iterations"]) - 1)' "$d/report.json") iterations"
  else
    bad "SIG$sig: exit $rc (want $want)" "$d/err.log"
  fi
done

# 2. a second SIGINT exits at once without writing: the old output stays
# (256 px, one level: an iteration takes long enough for the second signal to
# arrive before the first has been acted on; two signals sent back to back
# would be merged by the kernel)
d="$tmp/twice"; mkdir "$d"; cp "$dog" "$d/out.png"
"$cli" "${common[@]}" --size 256 --multires 1 --iterations 100000 --output "$d/out.png" \
  2>"$d/err.log" &
pid=$!
wait_for "iteration 10/" "$d/err.log"
kill -INT $pid; sleep 0.02; kill -INT $pid
wait $pid; rc=$?
if [ $rc -eq 130 ] && cmp -s "$d/out.png" "$dog" && no_temp_left "$d"; then
  ok "two SIGINTs: exit 130 at once, old output untouched, no temporary file"
else
  bad "two SIGINTs: exit $rc" "$d/err.log"
fi
# ... also while the output is being written (every write() takes 0.2 s)
d="$tmp/twice-writing"; mkdir "$d"; cp "$dog" "$d/out.png"
strace -f -qq -o /dev/null -e trace=write -e inject=write:delay_enter=200000 \
  "$cli" "${common[@]}" --iterations 100000 --output "$d/out.png" 2>"$d/err.log" &
spid=$!
wait_for "iteration 20/" "$d/err.log" 120
pid=$(pgrep -P $spid)
kill -INT $pid
for _ in $(seq 200); do ls -A "$d" | grep -q '\.tmp-' && break; sleep 0.05; done
seen=$(ls -A "$d" | grep -c '\.tmp-')
kill -INT $pid
wait $spid; rc=$?
if [ "$seen" = 1 ] && [ $rc -eq 130 ] && cmp -s "$d/out.png" "$dog" && no_temp_left "$d"; then
  ok "second SIGINT while the output is being written: exit 130, temporary file removed, old output kept"
else
  bad "second SIGINT while writing: exit $rc, temporary file seen: $seen" "$d/err.log"
fi

# 3. SIGKILL: old file or complete new file, never a torn one.  Every write()
# is slowed down (0.2 s) so that kills land while the PNG is being written.
d="$tmp/kill"; mkdir "$d"
"$cli" "${common[@]}" --iterations 3 --quiet --output "$d/new.png"   # the new file, uninterrupted
cp "$dog" "$d/old.png"
old=$(sha1sum <"$d/old.png") new=$(sha1sum <"$d/new.png")
mid=0 kept=0 replaced=0 torn=0
for after in -1 0 0.1 0.3 0.6 1 1.5 2 3 end; do
  rm -f "$d"/out.png "$d"/.out*
  cp "$d/old.png" "$d/out.png"
  strace -f -qq -o /dev/null -e trace=write -e inject=write:delay_enter=200000 \
    "$cli" "${common[@]}" --iterations 3 --quiet --output "$d/out.png" 2>/dev/null &
  spid=$!
  if [ "$after" = -1 ]; then sleep 0.3   # while loading
  elif [ "$after" = end ]; then wait $spid   # not killed: the new file
  else
    for _ in $(seq 400); do ls -A "$d" | grep -q '\.tmp-' && break; sleep 0.05; done
    sleep "$after"
  fi
  pkill -KILL -P $spid; wait $spid 2>/dev/null
  ls -A "$d" | grep -q '\.tmp-' && mid=$((mid + 1))
  case $(sha1sum <"$d/out.png") in
    "$old") kept=$((kept + 1)) ;;
    "$new") replaced=$((replaced + 1)) ;;
    *) torn=$((torn + 1)); png_ok "$d/out.png" || echo "    torn after $after s" ;;
  esac
done
if [ $torn -eq 0 ] && [ $mid -ge 3 ] && [ $kept -ge 1 ] && [ $replaced -ge 1 ]; then
  ok "SIGKILL at 9 points and one uninterrupted run ($mid kills while writing): old file $kept times, complete new file $replaced times, torn 0"
else
  bad "SIGKILL: $mid kills while writing, old $kept, new $replaced, torn $torn"
fi

# 4. a full disk, and a file-size limit: an error, the old file kept
d="$tmp/limit"; mkdir "$d"; cp "$dog" "$d/out.png"
(trap '' XFSZ; ulimit -f 1; "$cli" "${common[@]}" --iterations 1 --quiet --output "$d/out.png") \
  >"$d/err.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "could not be written.*File too large" "$d/err.log" \
   && cmp -s "$d/out.png" "$dog" && no_temp_left "$d"; then
  ok "file-size limit (ulimit -f 1): exit 1, \"$(tail -1 "$d/err.log" | sed 's/.*: could/could/')\", old file kept"
else
  bad "file-size limit: exit $rc" "$d/err.log"
fi
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  d="$tmp/full"; mkdir "$d"
  # a private mount namespace: the 64 KiB tmpfs is seen by this test only
  unshare -m bash -c "
    mount -t tmpfs -o size=64k tmpfs '$d' || exit 2
    cp '$tmp/kill/new.png' '$d/out.png'
    dd if=/dev/zero of='$d/filler' bs=4k 2>/dev/null; truncate -s -4096 '$d/filler'
    '$cli' ${common[*]} --iterations 1 --quiet --output '$d/out.png' --style '$shared/images/scream.jpg' \
      >'$tmp/full.log' 2>&1
    echo \$? >'$tmp/full.rc'
    cmp -s '$d/out.png' '$tmp/kill/new.png' && echo kept >>'$tmp/full.rc'
    ls -A '$d' >'$tmp/full.ls'"
  if [ "$(cat "$tmp/full.rc" 2>/dev/null | tr '\n' ' ')" = "1 kept " ] \
     && grep -q "could not be written.*No space left on device" "$tmp/full.log" \
     && [ "$(cat "$tmp/full.ls" | tr '\n' ' ')" = "filler out.png " ]; then
    ok "full disk (64 KiB tmpfs): exit 1, \"$(tail -1 "$tmp/full.log" | sed 's/.*: could/could/')\", old file kept, no temporary file"
  else
    bad "full disk: $(cat "$tmp/full.rc" 2>/dev/null | tr '\n' ' ') files: $(cat "$tmp/full.ls" 2>/dev/null | tr '\n' ' ')" "$tmp/full.log"
  fi
else
  echo "skipped - full disk on a tmpfs (needs root and unshare)"
fi

# 5. checkpoints: complete PNGs, no temporary file
d="$tmp/ckpt"; mkdir "$d"
"$cli" "${common[@]}" --iterations 4 --quiet --checkpoint-every 1 --checkpoint-output "$d/ck-%d.png" \
  --output "$d/out.png" >"$d/err.log" 2>&1
n=0; for f in "$d"/ck-*.png; do png_ok "$f" && n=$((n + 1)); done
if [ $n -ge 4 ] && no_temp_left "$d"; then ok "checkpoints: $n complete PNGs, no temporary file"
else bad "checkpoints: $n complete" "$d/err.log"; fi

# 6. file names with colons for --style FILE[:WEIGHT[:SCALE]]
d="$tmp/colons"; mkdir "$d"
convert "$shared/images/scream.jpg" -resize 64x64 "$d/my:pic.png"
cp "$d/my:pic.png" "$d/a:b.jpg"; cp "$d/my:pic.png" "$d/x:y:z.png"
colon_ok() {  # colon_ok DESCRIPTION STYLE-SPEC
  if (cd "$d" && "$cli" --model "$model" --threads 2 --content "$dog" --style "$2" --size 32 \
        --iterations 1 --quiet --output "$d/out.png") >"$d/err.log" 2>&1; then ok "$1"
  else bad "$1" "$d/err.log"; fi
}
colon_ok "--style my:pic.png" "my:pic.png"
colon_ok "--style ./a:b.jpg" "./a:b.jpg"
colon_ok "--style x:y:z.png:0.5:1.5 (weight and scale after a name with colons)" "x:y:z.png:0.5:1.5"
colon_ok "--style $d/my:pic.png:2 (absolute path, weight)" "$d/my:pic.png:2"
if ! (cd "$d" && "$cli" --model "$model" --content "$dog" --style "no:such.png:2" --size 32 \
        --output "$d/x.png") >"$d/err.log" 2>&1 && grep -q "no:such.png: no such file" "$d/err.log"; then
  ok "--style no:such.png:2 -> \"$(cat "$d/err.log")\""
else
  bad "--style no:such.png:2" "$d/err.log"
fi

echo "interrupts and writes: $pass passed, $fail failed"
[ $fail -eq 0 ]
