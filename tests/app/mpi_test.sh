#!/bin/bash
# A stack distributed over MPI ranks and OpenMP threads (docs/user-guide.md "Stacks on clusters"):
#   stack    8 cells (one weak), thermal.model stack, convective ends, a 2C charge into the weak cell's
#            voltage limit: with the block elimination, 1 rank, 2 ranks and 1 rank with 2 threads give
#            the same results file (every floating-point dataset within 1e-10 relative; the design
#            makes them identical); PETSc's LU of the whole matrix on one rank agrees with 2 ranks
#            within 1e-10 in every cell voltage and temperature
#   lumped   the same with thermal.model lumped, a CCCV (voltage-controlled hold) on 1 and 2 ranks
#   restart  a checkpoint written by 2 ranks, restarted on 1 rank (with the solver the checkpoint
#            records) and on 2 ranks: every row after the checkpoint equals the uninterrupted run's
#   fallback zero pivots in the sparse LU of the cells: KLU per cell instead, on every rank alike
# The heat capacity of Li6PS5Cl is not in the material library (no sourced value): these tests set a
# placeholder, 700 J/(kg K), which only has to be the same in every run.
# usage: mpi_test.sh SSBSIM SOURCE_DIR PYTHON3 MPIEXEC MODE
set -u
ssbsim=$1
src=$2
py=$3
mpiexec=$4
mode=$5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
$py -c "import h5py, numpy" 2>/dev/null || {
  echo "h5py not available: skipped"
  exit 77
}
fail() {
  echo "FAIL: $*"
  exit 1
}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpi() { "$mpiexec" --allow-run-as-root --oversubscribe -n "$@"; }
case=$src/cases/bipolar_stack_10.yaml
# the block elimination: the default for a stack on any number of ranks (given explicitly all the same)
bd=(-ssb_linear_solver bordered)
common=(--set "materials.lpscl.heat_capacity=700 J/(kg K)" --set stack.cells=8
  --set "stack.variation=[{cells: [4], set: {positive.thickness: 69.3 um}}]"
  --set "thermal.boundaries={bottom: {type: convective, h: 20 W/m^2/K, ambient: 25 degC}, top: {type: convective, h: 20 W/m^2/K, ambient: 25 degC}}"
  --set "output.interval=20 s" --set "output.profiles_interval=300 s")

# every floating-point dataset of A within 1e-10 relative of B's, the same shapes and status
same() {
  $py - "$1" "$2" <<'PY'
import h5py, numpy as np, sys
a, b = (h5py.File(p) for p in sys.argv[1:3])
worst, n = 0.0, 0
def visit(name, obj):
    global worst, n
    if not isinstance(obj, h5py.Dataset) or obj.dtype.kind != "f":
        return
    assert name in b, "%s missing in %s" % (name, sys.argv[2])
    x, y = obj[()], b[name][()]
    assert x.shape == y.shape, "%s: shapes %s and %s" % (name, x.shape, y.shape)
    den = np.maximum(np.abs(x), np.abs(y))
    d = np.max(np.where(den > 0, np.abs(x - y) / np.where(den > 0, den, 1), 0)) if x.size else 0.0
    worst, n = max(worst, d), n + 1
a.visititems(visit)
sa, sb = a.attrs["status"], b.attrs["status"]
print("%s vs %s: %d datasets, %d rows, worst relative difference %.3g; status %s" % (sys.argv[1], sys.argv[2], n, a["/stack/time"].shape[0], worst, sa))
assert sa == sb, "status differs: %s | %s" % (sa, sb)
sys.exit(0 if worst <= 1e-10 and n > 20 else 1)
PY
}

case $mode in
stack)
  run=("${common[@]}" --set thermal.model=stack --set "experiment.steps=[Charge at 2C until 34 V, Hold at 34 V until C/5]")
  "$ssbsim" run "$case" "${run[@]}" "${bd[@]}" -o r1.h5 >r1.log 2>&1 || fail "1 rank: $(cat r1.log)"
  grep -q "terminated: cell 4 voltage reached the limit cell_voltage_max" r1.log || fail "the weak cell 4 did not end the charge: $(cat r1.log)"
  mpi 2 "$ssbsim" run "$case" "${run[@]}" -o r2.h5 >r2.log 2>&1 || fail "2 ranks: $(cat r2.log)"
  OMP_NUM_THREADS=2 "$ssbsim" run "$case" "${run[@]}" "${bd[@]}" -o t2.h5 >t2.log 2>&1 || fail "2 threads: $(cat t2.log)"
  same r1.h5 r2.h5 || fail "1 and 2 ranks differ"
  same r1.h5 t2.h5 || fail "1 and 2 threads differ"
  # PETSc's LU of the whole matrix (another elimination order): the same
  # solution to round-off, amplified by the integrator; the issue's 1e-10 in every cell voltage and
  # temperature
  "$ssbsim" run "$case" "${run[@]}" -ssb_linear_solver petsc -o p1.h5 >p1.log 2>&1 || fail "1 rank, PETSc LU: $(cat p1.log)"
  $py - <<'PY' || fail "PETSc LU on 1 rank and block elimination on 2 ranks differ by more than 1e-10"
import h5py, numpy as np
a, b = h5py.File("p1.h5"), h5py.File("r2.h5")
worst = 0.0
for name in ("/cells/voltage", "/cells/temperature", "/stack/voltage", "/thermal/temperature"):
    x, y = a[name][()], b[name][()]
    assert x.shape == y.shape, name
    d = np.max(np.abs(x - y) / np.maximum(np.abs(x), np.abs(y)))
    print("PETSc LU (1 rank) vs block elimination (2 ranks): %-20s max relative difference %.2e" % (name, d))
    worst = max(worst, d)
raise SystemExit(0 if worst <= 1e-10 else 1)
PY
  $py - <<'PY' || fail "stack thermal results"
import h5py, numpy as np
f = h5py.File("r1.h5")
T, V = f["/thermal/temperature"][()], f["/cells/voltage"][()]
print("temperature through the stack at the end: %.4f .. %.4f K; cells %d" % (T[-1].min(), T[-1].max(), V.shape[1]))
assert V.shape[1] == 8 and T[-1].max() > T[0].max() + 0.1, "no heating"
# heat by kind per cell plus the plates' adds up to the stack's heat rate; the irreversible kinds are >= 0
kinds = [f["/cells/heat_" + k][()] for k in ("ohmic", "reaction", "reversible", "contact")]
total = sum(q.sum(axis=1) for q in kinds) + f["/stack/heat_plates"][()]
Q = f["/stack/heat_rate"][()]
err = np.max(np.abs(total - Q)) / np.max(np.abs(Q))
print("heat by kind: ohmic %.4g, reaction %.4g, reversible %.4g, contact %.4g, plates %.4g W/m^2 at the end; sum vs heat_rate %.2g" % tuple([q[-1].sum() for q in kinds] + [f["/stack/heat_plates"][-1], err]))
assert err < 1e-12, "heat by kind does not add up"
assert min(kinds[0].min(), kinds[1].min(), kinds[3].min()) >= 0, "negative irreversible heat"
PY
  # the plots of a stack: cell voltages, temperature across the stack, heat by kind
  "$py" "$src/scripts/ssbsim_plot.py" r1.h5 -o plots >plots.log 2>&1 || fail "ssbsim_plot.py: $(cat plots.log)"
  for png in cell_voltages thermal_temperature heat_sources; do
    [ -s "plots/$png.png" ] || fail "no plots/$png.png"
  done
  ;;
lumped)
  run=("${common[@]}" --set thermal.model=lumped --set stack.variation=[] --set "experiment.steps=[Charge at 1C until 33.6 V, Hold at 33.6 V until C/2]")
  "$ssbsim" run "$case" "${run[@]}" "${bd[@]}" -o r1.h5 >r1.log 2>&1 || fail "1 rank: $(cat r1.log)"
  grep -q "completed" r1.log || fail "not completed: $(cat r1.log)"
  mpi 2 "$ssbsim" run "$case" "${run[@]}" -o r2.h5 >r2.log 2>&1 || fail "2 ranks: $(cat r2.log)"
  same r1.h5 r2.h5 || fail "1 and 2 ranks differ"
  ;;
restart)
  # the lumped model: on one rank its default solver is PETSc's LU, so the restart on 1 rank
  # continues exactly only because the checkpoint records the block elimination and the restart
  # uses it again (no -ssb_linear_solver given)
  run=("${common[@]}" --set thermal.model=lumped --set "experiment.steps=[Charge at 2C until 34 V, Hold at 34 V until C/5]")
  "$ssbsim" run "$case" "${run[@]}" "${bd[@]}" -o full.h5 >full.log 2>&1 || fail "uninterrupted: $(cat full.log)"
  mpi 2 "$ssbsim" run "$case" "${run[@]}" --set "output.checkpoint_interval=437.3 s" -o a.h5 >a.log 2>&1 || fail "2 ranks with checkpoints: $(cat a.log)"
  [ -f a.chk.h5 ] || fail "no checkpoint a.chk.h5"
  "$ssbsim" restart a.chk.h5 -o b1.h5 >b1.log 2>&1 || fail "restart on 1 rank: $(cat b1.log)"
  mpi 2 "$ssbsim" restart a.chk.h5 -o b2.h5 >b2.log 2>&1 || fail "restart on 2 ranks: $(cat b2.log)"
  $py "$src/tests/app/compare_restart.py" full.h5 b1.h5 a.chk.h5 || fail "restarted on 1 rank differs"
  $py "$src/tests/app/compare_restart.py" full.h5 b2.h5 a.chk.h5 || fail "restarted on 2 ranks differs"
  ;;
fallback)
  # the Raijmakers 2020 thin-film cell meets zero pivots in PETSc's LU (no pivoting) of the cell
  # block: the block elimination falls back to KLU (partial pivoting) for those factorisations, on
  # every rank alike (here 2 ranks, one of them without cells): the run completes and 1 and 2
  # ranks give the same file. (The zero pivots depend on the matrix: with the benchmark's film mesh
  # of 160 cells this short protocol meets none, with 40 cells, set here, it meets them.)
  lit=$src/benchmarks/literature/raijmakers2020.yaml
  short=(--set "experiment.steps=[Charge at 0.7 mA for 2 minutes, Rest for 1 minute, Charge at 1.4 mA for 1 minute]" --set mesh.positive=40 --set mesh.separator=20)
  "$ssbsim" run "$lit" "${short[@]}" "${bd[@]}" -o f1.h5 -info >f1.log 2>&1 || fail "1 rank: $(tail -5 f1.log)"
  grep -q "zero pivot in the sparse LU of the cells: KLU per cell" f1.log || fail "no fallback to KLU (the test no longer covers it)"
  grep -q "yaml: completed" f1.log || fail "not completed: $(grep yaml: f1.log)"
  mpi 2 "$ssbsim" run "$lit" "${short[@]}" -o f2.h5 >f2.log 2>&1 || fail "2 ranks: $(cat f2.log)"
  same f1.h5 f2.h5 || fail "1 and 2 ranks differ"
  ;;
*) fail "unknown mode $mode" ;;
esac
echo PASS
