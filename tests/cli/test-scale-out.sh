#!/bin/bash
# test-scale-out.sh BUILD_DIR SOURCE_DIR — the recipes of docs/batch.md run
# for real: tools/batch/parallel-folder.sh (GNU parallel, this machine and
# the --sshlogin form with ":" = this machine) on three small photos, and
# tools/batch/slurm-array.sh checked with bash -n and run outside Slurm with
# SLURM_ARRAY_TASK_ID set (dry run and real).  Exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"
command -v parallel >/dev/null || skip "no GNU parallel"
export NEURAL_STYLE="$cli"
export NEURAL_STYLE_MODEL="$model"
par="$src/tools/batch/parallel-folder.sh"
slurm="$src/tools/batch/slurm-array.sh"
cd "$tmp" || exit 1
mkdir in
cp "$shared/images/dog.jpg" "$shared/images/eagle.jpg" "$shared/images/kite.jpg" in/
cp "$shared/images/scream.jpg" style.jpg
outputs_ok() {  # outputs_ok DIR: the three results, each 48 px on its longest side
  for f in dog eagle kite; do
    test "$(identify -format '%[fx:max(w,h)]' "$1/$f.jpg")" = 48 || return 1
  done
}
opts=(--size 48 --iterations 2)

check "parallel recipe: a folder of three photos, this machine" \
  bash -c "'$par' in out style.jpg ${opts[*]} && test \$(ls out | wc -l) = 3"
check "  ... the three results are 48 px stylised copies" outputs_ok out
check "parallel recipe, --sshlogin form (HOSTS=: is this machine)" \
  bash -c "HOSTS=: JOBS=2 '$par' in out-hosts style.jpg ${opts[*]} && test \$(ls out-hosts | wc -l) = 3"
check "  ... the three results" outputs_ok out-hosts
check "  ... HOSTS refuses absolute paths (they cannot be transferred)" \
  bash -c "HOSTS=: '$par' '$tmp/in' out-x style.jpg 2>err2.log; test \$? = 2 && grep -q relative err2.log"
printf 'junk' > in/zz-broken.png
check "parallel recipe with a broken photo: exit status 1 (one call failed), the others written" \
  bash -c "FILES_PER_JOB=1 '$par' in out-bad style.jpg ${opts[*]} 2>err.log; test \$? = 1 \
           && grep -q 'zz-broken.png: FAILED' err.log && test \$(ls out-bad | wc -l) = 3"
rm in/zz-broken.png

check "slurm script: bash -n" bash -n "$slurm"
check "slurm script, dry run of task 1 (2 photos per task): the third photo only" \
  bash -c "SLURM_ARRAY_TASK_ID=1 FILES_PER_TASK=2 DRY_RUN=1 bash '$slurm' in out-slurm style.jpg --size 48 > cmd.txt \
           && grep -q -- '--content in/kite.jpg --size 48' cmd.txt && ! grep -q 'dog.jpg\|eagle.jpg' cmd.txt"
check "slurm script, task 0 run for real: the first two photos" \
  bash -c "SLURM_ARRAY_TASK_ID=0 FILES_PER_TASK=2 SLURM_CPUS_PER_TASK=2 bash '$slurm' in out-slurm style.jpg ${opts[*]} --quiet \
           && test -s out-slurm/dog.jpg -a -s out-slurm/eagle.jpg -a ! -e out-slurm/kite.jpg"
check "slurm script, a task past the end: nothing to do, exit 0" \
  bash -c "SLURM_ARRAY_TASK_ID=5 FILES_PER_TASK=2 bash '$slurm' in out-slurm style.jpg | grep -q 'no photos'"
check "slurm script outside an array: a clear message" \
  bash -c "bash '$slurm' in out-slurm style.jpg 2>err3.log; test \$? != 0 && grep -q 'sbatch --array' err3.log"

echo "scale-out: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
