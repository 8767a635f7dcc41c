#!/bin/bash
# Checkpoint and restart (docs/user-guide.md "Restart on clusters"):
#   interval  a checkpoint at a non-round output.checkpoint_interval, restarted: every row after the
#             checkpoint equals the uninterrupted run's (1e-10 relative; in practice bit for bit)
#             (and output.checkpoint_at_end: a restart of the finished run has nothing to do)
#   sigterm   SIGTERM at a random moment: exit 4, status "interrupted: ...", the checkpoint exists;
#             restarted, the rows equal the uninterrupted run's
#   usr1      SIGUSR1: a checkpoint on request, the run completes (exit 0); restarted, equal rows
#   profile   'Run profile' steps (the integrator stops at every corner; the CSV named by --set,
#             relative to the working directory) checkpointed in each step and restarted exactly
#   bad       a missing file (exit 3) and files that are not checkpoints (exit 1) with a message;
#             a checkpoint whose step, cycle, root count, integrator order or times are out of range (exit 1)
# usage: restart_test.sh SSBSIM SOURCE_DIR PYTHON3 MODE
set -u
ssbsim=$1
src=$2
py=$3
mode=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
$py -c "import h5py, numpy" 2>/dev/null || { echo "h5py not available: skipped"; exit 77; }
fail() {
  echo "FAIL: $*"
  exit 1
}
steps='experiment.steps=[Discharge at 1C until 3.0 V, Rest for 10 minutes, Charge at C/2 until 4.2 V]'
case=$src/cases/quickstart.yaml

case $mode in
interval)
  "$ssbsim" run "$case" --set "$steps" -o full.h5 >full.log 2>&1 || fail "uninterrupted run: $(cat full.log)"
  # a random, non-round interval: the last checkpoint falls in the middle of some step
  iv=$($py -c "import random; print('%.4f s' % random.uniform(1500, 4500))")
  echo "checkpoint_interval = $iv"
  "$ssbsim" run "$case" --set "$steps" --set "output.checkpoint_interval=$iv" -o a.h5 >a.log 2>&1 || fail "run with checkpoints: $(cat a.log)"
  [ -f a.chk.h5 ] || fail "no checkpoint a.chk.h5"
  "$ssbsim" restart a.chk.h5 >b.log 2>&1 || fail "restart: $(cat b.log)"
  [ -f a.restart.h5 ] || fail "the restart did not write a.restart.h5 (the default name)"
  $py "$src/tests/app/compare_restart.py" full.h5 a.restart.h5 a.chk.h5 || fail "restarted run differs"
  # checkpoint_at_end: the finished run's checkpoint; a restart from it has nothing to do
  "$ssbsim" run "$case" --set "$steps" --set "output.checkpoint_interval=$iv" --set output.checkpoint_at_end=true -o e.h5 >e.log 2>&1 || fail "run with checkpoint_at_end: $(cat e.log)"
  "$ssbsim" restart e.chk.h5 -o e2.h5 >e2.log 2>&1 || fail "restart of a finished run: exit $?: $(cat e2.log)"
  cat e2.log
  grep -q "had finished (completed): nothing to continue" e2.log || fail "no 'nothing to continue' message"
  [ ! -f e2.h5 ] || fail "a restart of a finished run wrote results"
  ;;
sigterm | usr1)
  # SIGTERM: exit 4, status "interrupted"; SIGUSR1: a checkpoint on request, the run goes on to
  # its end (exit 0). Either way a restart from the checkpoint equals the uninterrupted run.
  # the signal comes at a random fraction of the uninterrupted run's wall time (start-up, about
  # 0.4 s, included: 40 cycles make the run itself a few times longer)
  if [ "$mode" = sigterm ]; then sig=TERM lo=0.4 hi=0.7 want_rc=4; else sig=USR1 lo=0.4 hi=0.7 want_rc=0; fi
  more=(--set "$steps" --set experiment.cycles=40 --set experiment.limits.time_max=800h --set output.interval=2)
  t0=$(date +%s.%N)
  "$ssbsim" run "$case" "${more[@]}" -o full.h5 >full.log 2>&1 || fail "uninterrupted run: $(cat full.log)"
  t1=$(date +%s.%N)
  "$ssbsim" run "$case" "${more[@]}" -o a.h5 >a.log 2>&1 &
  pid=$!
  wait_s=$($py -c "import random; print('%.3f' % (random.uniform($lo, $hi) * ($t1 - $t0)))")
  sleep "$wait_s"
  kill -$sig $pid
  wait $pid
  rc=$?
  echo "SIG$sig after $wait_s s: exit $rc"
  cat a.log
  [ $rc -eq $want_rc ] || fail "exit status $rc after SIG$sig, expected $want_rc"
  [ -f a.chk.h5 ] || fail "no checkpoint a.chk.h5"
  if [ "$sig" = TERM ]; then
    grep -q "interrupted: checkpoint written to a.chk.h5 at t = " a.log || fail "no 'interrupted' status printed"
    $py -c "import h5py,sys; s=h5py.File('a.h5')['/'].attrs['status']; s=s.decode() if isinstance(s,bytes) else s; print('status:', s); sys.exit(0 if s.startswith('interrupted: checkpoint written to a.chk.h5') else 1)" || fail "results status is not 'interrupted'"
  else
    grep -q "checkpoint written to a.chk.h5 at t = .* (on request, SIGUSR1)" a.log || fail "no 'on request' message"
  fi
  "$ssbsim" restart a.chk.h5 -o b.h5 >b.log 2>&1 || fail "restart: $(cat b.log)"
  $py "$src/tests/app/compare_restart.py" full.h5 b.h5 a.chk.h5 || fail "restarted run differs"
  ;;
profile)
  printf '# a drive pattern\ntime [s],current [mA/cm^2]\n0,0\n60,1.0\n120,1.0\n121,-0.5\n300,-0.5\n301,2\n600,0.2\n' >drive.csv
  printf 'time [s],power [mW/cm^2]\n0,1\n300,2\n600,0.5\n' >pw.csv
  for st in "experiment.steps=[Run profile drive.csv]" "experiment.steps=[Run profile drive.csv, Run profile pw.csv until 3.0 V]"; do
    more=(--set "$st" --set output.interval=3)
    "$ssbsim" run "$case" "${more[@]}" -o full.h5 >full.log 2>&1 || fail "uninterrupted run: $(cat full.log)"
    iv=$($py -c "import random; print('%.3f s' % random.uniform(230, 280))")
    echo "$st, checkpoint_interval = $iv"
    "$ssbsim" run "$case" "${more[@]}" --set "output.checkpoint_interval=$iv" -o a.h5 >a.log 2>&1 || fail "run with checkpoints: $(cat a.log)"
    "$ssbsim" restart a.chk.h5 -o b.h5 >b.log 2>&1 || fail "restart: $(cat b.log)"
    $py "$src/tests/app/compare_restart.py" full.h5 b.h5 a.chk.h5 || fail "restarted run differs"
  done
  ;;
bad)
  "$ssbsim" restart missing.chk.h5 >m.log 2>&1
  rc=$?
  cat m.log
  [ $rc -eq 3 ] || fail "missing checkpoint: exit $rc, expected 3"
  grep -q "missing.chk.h5" m.log || fail "the message does not name the file"
  echo "not a checkpoint" >text.chk.h5
  "$ssbsim" restart text.chk.h5 >t.log 2>&1
  rc=$?
  cat t.log
  [ $rc -eq 1 ] || fail "text file: exit $rc, expected 1"
  grep -q "not an ssbsim checkpoint" t.log || fail "no 'not an ssbsim checkpoint' message"
  # a FIFO (HDF5 would block for ever opening it without a writer) is not a checkpoint
  rm -f chk.fifo && mkfifo chk.fifo
  timeout 20 "$ssbsim" restart chk.fifo -o f.h5 >f.log 2>&1
  rc=$?
  [ $rc -eq 1 ] && grep -q "not an ssbsim checkpoint" f.log || fail "FIFO: exit $rc: $(grep -v 'PETSC ERROR: [#C-]' f.log | tail -3)"
  "$ssbsim" run "$case" --set "experiment.steps=[Rest for 1 minute]" -o r.h5 >r.log 2>&1 || fail "run: $(cat r.log)"
  "$ssbsim" restart r.h5 >h.log 2>&1
  rc=$?
  cat h.log
  [ $rc -eq 1 ] || fail "results file as checkpoint: exit $rc, expected 1"
  grep -q "not an ssbsim checkpoint" h.log || fail "no 'not an ssbsim checkpoint' message"
  # a damaged checkpoint whose driver position or integrator order is out of range for its case is
  # refused (a step index of -99 was used to index the steps: heap-use-after-free under ASan; a next
  # profile time of -1e300 s was advanced by 60 s for ever)
  "$ssbsim" run "$case" --set "output.checkpoint_interval=600 s" --set "experiment.limits.time_max=1000 s" -o d.h5 >d.log 2>&1 || fail "run: $(cat d.log)"
  for field in "driver_int 0 5" "driver_int 1 -99" "driver_int 1 4" "driver_int 7 -1" "ida_int 1 99" "ida_int 5 -7" "driver_real 3 -1e300" "driver_real 0 1e300"; do
    cp d.chk.h5 x.chk.h5
    set -- $field
    $py -c "import h5py, sys; f = h5py.File('x.chk.h5', 'r+'); f['$1'][$2] = $3" || fail "h5py"
    "$ssbsim" restart x.chk.h5 -o x.h5 >x.log 2>&1
    rc=$?
    cat x.log
    [ $rc -eq 1 ] || fail "$1[$2] = $3: exit $rc, expected 1"
    grep -q "does not fit its own case" x.log || fail "$1[$2] = $3: no message"
  done
  # the continued results may not go over the checkpoint they continue from (it was truncated first)
  cp d.chk.h5 keep.chk.h5
  "$ssbsim" restart d.chk.h5 -o d.chk.h5 >x.log 2>&1
  rc=$?
  cat x.log
  [ $rc -eq 1 ] || fail "results over the checkpoint: exit $rc, expected 1"
  grep -q "the results would overwrite the checkpoint 'd.chk.h5'" x.log || fail "results over the checkpoint: no message"
  cmp -s d.chk.h5 keep.chk.h5 || fail "the checkpoint was overwritten"
  ;;
*)
  fail "unknown mode $mode"
  ;;
esac
echo "PASS restart $mode"
