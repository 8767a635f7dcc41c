#!/usr/bin/env bash
# sweep_test.sh SSBSIM SOURCE_DIR PYTHON MPIEXEC NAME -- tests of `ssbsim sweep` (app/sweep.c; ctest sweep_*).
#   mpi2      a 4-point sweep (separator x positive thickness) of the quickstart case on 2 ranks: exit 0,
#             a summary with 4 completed rows, and every point equal to the same point run alone with
#             `ssbsim run --set ...` (delivered capacity, energy, mean voltage, energy densities, max
#             temperature within 1e-10 relative; the point files' /stack series too)
#   errors    an unknown key in --vary exits 1 naming the key, runs nothing; malformed --vary
#             arguments exit 1; a point whose case is invalid (lumped thermal model without heat
#             capacities) exits 1 before anything runs; a point that cannot be set up (its PETSc
#             option names no linear solver) is reported as invalid in the summary, the others run, exit 2
set -u
exe="$1" src="$2" py="$3" mpiexec="$4" name="$5"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
qs="$src/cases/quickstart.yaml"
fail() {
  echo "FAIL: $*"
  exit 1
}
mpi() { "$mpiexec" --allow-run-as-root --oversubscribe -n "$@"; }
# a short experiment on a coarse mesh
common=(--set "experiment.steps=[Discharge at 1C for 10 minutes]" --set "mesh={negative: 4, separator: 4, positive: 6, particle: 6}")

case "$name" in
mpi2)
  "$py" -c "import h5py, numpy" 2>/dev/null || {
    echo "h5py/numpy missing: skipped"
    exit 77
  }
  mpi 2 "$exe" sweep "$qs" "${common[@]}" --vary cell.separator.thickness="10 um,30 um" \
    --vary "cell.positive.thickness=50 um, 77 um" -o sw | tee sweep.txt
  rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || fail "sweep exit $rc"
  grep -q "^sweep: 4 points: 4 completed" sweep.txt || fail "closing line"
  [ "$(grep -c '^point [0-3] ' sweep.txt)" = 4 ] || fail "one line per point"
  grep -q "on rank 1" sweep.txt || fail "no point ran on rank 1"
  # the same points one by one (row-major: the last --vary varies fastest)
  p=0
  for sep in "10 um" "30 um"; do
    for pos in "50 um" "77 um"; do
      "$exe" run "$qs" "${common[@]}" --set "cell.separator.thickness=$sep" --set "cell.positive.thickness=$pos" \
        -o "run_$p.h5" >/dev/null || fail "run $p: exit $?"
      p=$((p + 1))
    done
  done
  "$py" - <<'PY' || fail "sweep and single runs differ"
import csv, sys
import h5py, numpy as np

def close(a, b, tol=1e-10):
    return a == b or abs(a - b) <= tol * max(abs(a), abs(b))

rows = list(csv.DictReader(open("sw/summary.csv")))
assert len(rows) == 4, rows
want_cols = ["point", "cell.separator.thickness", "cell.positive.thickness", "status",
             "delivered capacity [A*h/m^2]", "energy delivered [Wh/m^2]", "mean voltage [V]",
             "max temperature [K]", "energy density delivered cell [Wh/kg]",
             "energy density delivered cell [Wh/L]", "wall time [s]"]
for c in want_cols:
    assert c in rows[0], f"summary lacks column {c!r}"
grid = [("10 um", "50 um"), ("10 um", "77 um"), ("30 um", "50 um"), ("30 um", "77 um")]
bad = 0
for p, row in enumerate(rows):
    assert int(row["point"]) == p
    assert (row["cell.separator.thickness"], row["cell.positive.thickness"]) == grid[p], row
    assert row["status"] == "completed", row
    f, g = h5py.File(f"run_{p}.h5", "r"), h5py.File(f"sw/point_{p}.h5", "r")
    assert g.attrs["status"] == "completed"
    Q = f["/stack/capacity"][-1]
    E = f.attrs["energy_delivered_Wh_per_m2"]
    checks = {
        "delivered capacity [A*h/m^2]": Q,
        "energy delivered [Wh/m^2]": E,
        "mean voltage [V]": E / Q,
        "max temperature [K]": f["/cells/temperature"][()].max(),
        "energy density delivered cell [Wh/kg]": f.attrs["energy_density_delivered_cell_Wh_per_kg"],
        "energy density delivered cell [Wh/L]": f.attrs["energy_density_delivered_cell_Wh_per_L"],
    }
    for col, ref in checks.items():
        got = float(row[col])
        ok = close(got, float(ref))
        print(f"point {p} {col:40s} sweep {got:.15g}  run {float(ref):.15g}  {'ok' if ok else 'DIFFERENT'}")
        bad += not ok
    for ds in ["/stack/time", "/stack/voltage", "/stack/capacity"]:
        a, b = f[ds][()], g[ds][()]
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-10, atol=0):
            print(f"point {p} {ds} differs from run_{p}.h5")
            bad += 1
    for attr in ["energy_delivered_Wh_per_m2", "energy_density_theoretical_cell_Wh_per_kg", "self_discharge_per_30_days"]:
        if not close(float(g.attrs[attr]), float(f.attrs[attr])):
            print(f"point {p} attribute {attr} differs")
            bad += 1
sys.exit(1 if bad else 0)
PY
  # max temperature: the hottest cell over the output rows (an adiabatic lumped cell heats up)
  mpi 2 "$exe" sweep "$qs" "${common[@]}" --set thermal.model=lumped --set "materials.lpscl.heat_capacity=700 J/(kg K)" \
    --set "experiment.steps=[Discharge at 3C for 10 minutes]" --vary "cell.positive.thickness=50 um,100 um" -o th >/dev/null ||
    fail "lumped sweep: exit $?"
  "$py" - <<'PY' || fail "max temperature"
import csv, sys
import h5py
rows = list(csv.DictReader(open("th/summary.csv")))
for p, row in enumerate(rows):
    ref = h5py.File(f"th/point_{p}.h5", "r")["/cells/temperature"][()].max()
    got = float(row["max temperature [K]"])
    print(f"point {p} max temperature {got} K, file {ref} K")
    if not (ref > 300 and abs(got - ref) <= 1e-10 * ref):
        sys.exit(1)
PY
  # a case with compact space-charge layers: a sweep point's file has the interface records, equal
  # to those of the same case run alone
  tf=$src/cases/thin_film_space_charge.yaml
  tfs=(--set "experiment.steps=[Discharge at 1C for 5 minutes]")
  "$exe" sweep "$tf" "${tfs[@]}" --vary "cell.separator.thickness=1.5 um" -o sc >/dev/null || fail "space-charge sweep: exit $?"
  "$exe" run "$tf" "${tfs[@]}" --set "cell.separator.thickness=1.5 um" -o sc_run.h5 >/dev/null || fail "space-charge run: exit $?"
  "$py" - <<'PY' || fail "space-charge records of a sweep point"
import h5py, numpy as np
f, g = h5py.File("sc_run.h5", "r"), h5py.File("sc/point_0.h5", "r")
for side in ("negative", "positive"):
    name = "/cells/interface_" + side
    if name not in f:
        continue
    assert name in g, name + " missing in the sweep point"
    a, b = f[name][()], g[name][()]
    assert a.shape == b.shape and a.shape[0] > 10, (a.shape, b.shape)
    for fld in a.dtype.names:
        assert np.array_equal(a[fld], b[fld]), fld
    print(name, a.shape, "equal to the single run's")
assert "/cells/interface_positive" in f
PY
  ;;
errors)
  # an unknown key: exit 1, the key named, nothing run
  mpi 2 "$exe" sweep "$qs" "${common[@]}" --vary cell.separator.thicknes="10 um,30 um" -o e1 2>err.txt
  rc=$?
  cat err.txt
  [ $rc = 1 ] || fail "unknown key: exit $rc, expected 1"
  grep -q "thicknes" err.txt || fail "the message does not name the key"
  grep -q "point 0 " err.txt || fail "the message does not name the point"
  [ ! -e e1/summary.csv ] || fail "a summary was written for an invalid sweep"
  # a wrong unit in the second point: the first bad point is named, nothing run
  "$exe" sweep "$qs" "${common[@]}" --vary cell.separator.thickness="10 um,30 mS/cm" -o e2 2>err.txt
  rc=$?
  cat err.txt
  [ $rc = 1 ] || fail "bad unit: exit $rc, expected 1"
  grep -q "point 1 " err.txt || fail "the first bad point is not named"
  [ ! -e e2/point_0.h5 ] || fail "a point ran in an invalid sweep"
  # malformed --vary arguments
  for bad in "cell.separator.thickness" "=1,2" "cell.separator.thickness=10 um,,30 um" "experiment.steps=[Rest for 1 s"; do
    "$exe" sweep "$qs" --vary "$bad" -o e3 2>err.txt
    rc=$?
    cat err.txt
    [ $rc = 1 ] || fail "--vary '$bad': exit $rc, expected 1"
  done
  "$exe" sweep "$qs" --vary "mesh.particle=4,5" --vary "mesh.particle=6" -o e3 2>/dev/null
  [ $? = 1 ] || fail "a key varied twice is not rejected"
  "$exe" run "$qs" --vary "mesh.particle=4,5" 2>/dev/null
  [ $? = 1 ] || fail "--vary outside sweep is not rejected"
  # a point whose case is invalid (lumped needs the heat capacity the library's LPSCl lacks) is
  # found when the points are read, before anything runs: exit 1
  "$exe" sweep "$qs" "${common[@]}" --vary thermal.model=lumped,isothermal -o e3b >out.txt 2>err.txt
  rc=$?
  cat err.txt
  [ $rc = 1 ] || fail "invalid case of a point: exit $rc, expected 1"
  grep -q "point 0 (thermal.model=lumped) is invalid; nothing was run" err.txt || fail "invalid case of a point: message"
  # a point that reads but cannot be set up (its own PETSc option names no linear solver) is
  # reported, and the others still run: exit 2
  mpi 2 "$exe" sweep "$qs" "${common[@]}" --vary "solver.petsc_options=-ssb_linear_solver nosuch,-ssb_linear_solver sparselu" -o e4 >out.txt 2>err.txt
  rc=$?
  cat out.txt
  [ $rc = 2 ] || fail "invalid point: exit $rc, expected 2"
  grep -q '^0,-ssb_linear_solver nosuch,invalid' e4/summary.csv || fail "point 0 not reported invalid in the summary"
  grep -q '^1,-ssb_linear_solver sparselu,completed' e4/summary.csv || fail "point 1 did not run"
  grep -q "1 completed, 0 terminated, 0 failed, 1 invalid" out.txt || fail "closing line"
  # a value with a comma: \, (here inside a YAML list of two steps, also without the escape)
  "$exe" sweep "$qs" "${common[@]}" --vary "experiment.steps=[Discharge at 1C for 1 minute\, Rest for 1 minute],[Rest for 1 minute]" -o e5 >/dev/null ||
    fail "comma inside a value: exit $?"
  [ "$(wc -l <e5/summary.csv)" = 3 ] || fail "comma inside a value: expected 2 points"
  ;;
*)
  fail "unknown test $name"
  ;;
esac
echo "PASS: sweep $name"
