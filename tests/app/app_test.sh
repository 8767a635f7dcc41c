#!/usr/bin/env bash
# app_test.sh SSBSIM SOURCE_DIR PYTHON NAME -- command-line tests of the ssbsim program (ctest app_*).
#   quickstart     run cases/quickstart.yaml: exit 0, results file and CSV complete, plot script works
#   check          `ssbsim check` prints the derived quantities and exits 0
#   time_limit     a cut-off never reached ends at the experiment time limit: status terminated, exit 0
#   solver_failure a solver failure (step budget of 5) exits 2 with the rows so far and status failed
#   bad_input      a malformed case exits 1 naming file and line; an unknown option exits 1
#   cases          every case under cases/ passes `check` and runs (completed, or the expected termination)
#   power_resistance  constant-power and load-resistance steps hold their set points; a charge
#                  through a resistance is rejected
#   threads        the 10-cell stack on 1 and 2 OpenMP threads agrees within 1e-10
#   petsc_options  PETSc options reach the linear solver (-ksp_type gmres, nested-dissection ordering, -ksp_view)
set -u
exe="$1" src="$2" py="$3" name="$4"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
qs="$src/cases/quickstart.yaml"
check() { "$py" "$src/tests/app/check_results.py" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

case "$name" in
quickstart)
  "$exe" run "$qs" -o qs.h5 || fail "exit $?"
  check qs.h5 --status '^completed$' --min-rows 100 --csv qs.csv || fail "results"
  "$py" "$src/scripts/ssbsim_plot.py" qs.h5 -o plots || fail "plot script"
  ls plots/*.png >/dev/null || fail "no PNG written"
  ;;
check)
  out="$("$exe" check "$qs")" || fail "exit $?"
  echo "$out"
  for w in "mAh/cm^2" "1C current" "initial OCV" "unknowns"; do
    grep -q "$w" <<<"$out" || fail "check output lacks '$w'"
  done
  ;;
time_limit)
  "$exe" run "$qs" -o tl.h5 --set "experiment.steps[0]=Discharge at C/10 until 2.0 V" \
    --set "experiment.limits.time_max=10 minutes" || fail "exit $?"
  check tl.h5 --status '^terminated: experiment time limit reached' || fail "status"
  ;;
solver_failure)
  "$exe" run "$qs" -o sf.h5 --set solver.max_steps=5
  rc=$?
  [ $rc = 2 ] || fail "exit $rc, expected 2"
  check sf.h5 --status '^failed: ' --min-rows 1 || fail "results of a failed run"
  ;;
bad_input)
  printf 'ssbsim: 1\ncell:\n  aera: 1 cm^2\n' >bad.yaml
  "$exe" check bad.yaml 2>err.txt
  rc=$?
  cat err.txt
  [ $rc = 1 ] || fail "exit $rc, expected 1"
  grep -q 'bad.yaml:3:' err.txt || fail "message does not name file and line"
  "$exe" run "$qs" --no-such-option 2>/dev/null
  [ $? = 1 ] || fail "unknown option not rejected"
  ;;
cases)
  for f in "$src"/cases/*.yaml; do
    "$exe" check "$f" >/dev/null || fail "check $f: exit $?"
  done
  for f in "$src"/cases/*.yaml; do
    b="$(basename "$f" .yaml)"
    "$exe" run "$f" -o "$b.h5" >/dev/null || fail "$b: exit $?"
    # the anode-free cell ends when its plated Li is gone; every other case completes
    want='^completed$'
    [ "$b" = anode_free_nmc811 ] && want='^terminated: cell 1 negative lithium-metal inventory exhausted in step 3'
    # the weak cell of the 10-cell stack reaches the per-cell limit first, and the status names it
    [ "$b" = bipolar_stack_10 ] && want='^terminated: cell 4 voltage reached the limit cell_voltage_max'
    check "$b.h5" --status "$want" --csv "$b.csv" || fail "$b results"
  done
  ;;
power_resistance)
  # constant-power and load-resistance steps hold their set points at every row
  "$exe" run "$qs" -o pr.h5 --set "experiment.steps=[Discharge at 15 mW until 3.4 V, Rest for 10 minutes, Discharge at 2000 ohm*cm^2 until 3.3 V]" || fail "exit $?"
  check pr.h5 --status '^completed$' || fail "results"
  "$py" - <<'PY' || fail "set points not held"
import h5py, numpy as np, sys
f = h5py.File("pr.h5")
I, V, st = f["/stack/current"][()], f["/stack/voltage"][()], f["/stack/step"][()]
p = (I * V)[st == 0]
r = V[st == 2] / I[st == 2]
print("power %.9g..%.9g W, resistance %.9g..%.9g ohm" % (p.min(), p.max(), r.min(), r.max()))
reasons = [x.decode() if isinstance(x, bytes) else x for x in f["/steps/reason"][()]]
ok = np.allclose(p, 0.015, rtol=1e-9) and np.allclose(r, 2000.0, rtol=1e-9) and reasons[0] == "voltage 3.4 V reached" and reasons[2] == "voltage 3.3 V reached"
sys.exit(0 if ok else 1)
PY
  printf 'ssbsim: 1\n' >/dev/null
  "$exe" check "$qs" --set "experiment.steps[0]=Charge at 20 ohm until 4.2 V" 2>err.txt
  [ $? = 1 ] || fail "charging through a resistance not rejected"
  grep -q "load resistance" err.txt || fail "message"
  ;;
threads)
  # the same 10-cell stack on 1 and 2 OpenMP threads: every cell voltage agrees within 1e-10
  OMP_NUM_THREADS=1 "$exe" run "$src/cases/bipolar_stack_10.yaml" -o t1.h5 >/dev/null || fail "1 thread: exit $?"
  OMP_NUM_THREADS=2 "$exe" run "$src/cases/bipolar_stack_10.yaml" -o t2.h5 >/dev/null || fail "2 threads: exit $?"
  "$py" - <<'PY' || fail "results depend on the number of threads"
import h5py, numpy as np, sys
a, b = h5py.File("t1.h5"), h5py.File("t2.h5")
va, vb = a["/cells/voltage"][()], b["/cells/voltage"][()]
if va.shape != vb.shape:
    print("shapes differ", va.shape, vb.shape); sys.exit(1)
d = np.max(np.abs(va - vb) / np.abs(va))
print("max relative difference of the cell voltages, 1 vs 2 threads: %.3g (threads %s, %s)" % (d, a.attrs["threads"], b.attrs["threads"]))
sys.exit(0 if d <= 1e-10 else 1)
PY
  ;;
petsc_options)
  out="$("$exe" run "$qs" -o po.h5 --set "experiment.steps[0]=Discharge at 1C for 30 s" -ksp_type gmres -pc_type lu -pc_factor_mat_ordering_type nd -ksp_view 2>&1)" || fail "exit $?"
  grep -q "type: gmres" <<<"$out" || fail "-ksp_type gmres did not reach the solver"
  grep -q "ordering: nd" <<<"$out" || fail "-pc_factor_mat_ordering_type nd did not reach the solver"
  ;;
*)
  fail "unknown test $name"
  ;;
esac
echo "PASS: $name"
