#!/usr/bin/env bash
# app_test.sh SSBSIM SOURCE_DIR PYTHON NAME -- command-line tests of the ssbsim program (ctest app_*).
#   quickstart     run cases/quickstart.yaml: exit 0, results file and CSV complete, plot script works
#   check          `ssbsim check` prints the derived quantities and exits 0; the packaging block
#                  enters the energy-density report (check and results file) as computed by hand
#   time_limit     a cut-off never reached ends at the experiment time limit: status terminated, exit 0;
#                  so does a limit that falls on a step's end with steps still to come
#   solver_failure a solver failure (step budget of 5) exits 2 with the rows so far and status failed;
#                  a step IDA refuses at once reports the step's start time
#   bad_input      a malformed case exits 1 naming file and line; an unknown option exits 1; a NUL
#                  byte is located; FIFOs and devices as case, include or profile do not hang; no
#                  results, CSV or checkpoint over the case file or an included file
#   cases          every case under cases/ passes `check` and runs (completed, or the expected termination)
#   power_resistance  constant-power and load-resistance steps hold their set points; a charge
#                  through a resistance is rejected
#   profile        'Run profile' steps: a constant profile equals the constant-current step; a
#                  multi-segment current profile and a power profile are followed at every row;
#                  bad profiles and results written over a profile are refused
#   limits         a step's own limits replace the experiment's for that step; capacity_fraction_min
#                  ends a cycling run after the first cycle that discharged less than the fraction;
#                  a charge straight after a discharge to its cut-off starts; a surface that fills
#                  before the cut-off ends the run as terminated, naming the electrode; an electrode
#                  whose surfaces all fill ends the step as at its cut-off (2.5 V, quick start)
#   threads        the 10-cell stack on 1 and 2 OpenMP threads agrees within 1e-10
#   progress       a progress line (with percent of the step) on a terminal, none otherwise
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
  # output.interval 0: a row after every internal step (the start row, then one per IDA step, the
  # last at the step's end), and the profiles at the first step at or after each of their times
  out="$("$exe" run "$qs" -o every.h5 --set "experiment.steps=[Discharge at 1C for 5 min]" --set output.interval=0 --set output.profiles_interval=100 2>&1)" || fail "exit $?"
  steps=$(grep -oE "[0-9]+ steps" <<<"$out" | grep -oE "[0-9]+")
  "$py" - every.h5 "$steps" <<'PY' || fail "interval 0"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
t, tp, n = f["/stack/time"][()], f["/profiles/time"][()], int(sys.argv[2])
assert len(t) == n + 1, f"{len(t)} rows for {n} steps"
assert np.all(np.diff(t) > 0) and t[0] == 0 and t[-1] == 300, t
assert len(tp) == 4 and tp[0] == 0 and tp[-1] == 300, tp
for k, v in zip((100, 200), tp[1:3]):  # the first step at or after each profile time
    assert v >= k and t[np.searchsorted(t, k) - 1] < k and v == t[np.searchsorted(t, k)], (k, v)
PY
  ;;
check)
  out="$("$exe" check "$qs")" || fail "exit $?"
  echo "$out"
  for w in "mAh/cm^2" "1C current" "initial OCV" "unknowns"; do
    grep -q "$w" <<<"$out" || fail "check output lacks '$w'"
  done
  # the memory after set-up, per cell: 100 cells of a stack hold 100 times a cell's state, Jacobian
  # and factors (tens of kB each; benchmarks/stack_scaling: 69-97 kB per cell)
  out100="$("$exe" check "$src/cases/bipolar_stack_10.yaml" --set stack.cells=100 --set "stack.variation=[]")" || fail "stack check: exit $?"
  grep -Eq "^memory +[0-9.]+ MB after set-up on the fullest of 1 rank\(s\) \(100 cells there, [0-9.]+ kB per cell\)" <<<"$out100" || fail "no memory line: $out100"
  kb=$(sed -nE 's/^memory .* cells there, ([0-9.]+) kB per cell.*/\1/p' <<<"$out100")
  awk -v k="$kb" 'BEGIN { exit !(k >= 20 && k <= 200) }' || fail "memory per cell $kb kB, expected 20-200"
  # packaging enters the energy-density report of check and of the results file. By hand: layers
  # 40 um x 534 + 30 um x 1865 + 77 um x 3765.85 kg/m^3 = 0.36728045 kg/m^2, + pouch 0.3 kg/m^2, on
  # 1 cm^2, + tabs 0.01 g = 7.6728045e-5 kg; volume (147 um + 200 um) x 1.2 cm^2 + 0.002 cm^3 =
  # 0.04364 cm^3 (plain arithmetic: 1e-9)
  pk="packaging={mass_per_area: 0.03 g/cm^2, thickness: 0.2 mm, tab_mass: 0.01 g, tab_volume: 0.002 cm^3, footprint_ratio: 1.2}"
  out="$("$exe" check "$qs" --set "$pk")" || fail "packaging: exit $?"
  grep -q "mono cell .*(0.076728 g, 0.04364 cm^3)" <<<"$out" || fail "packaging not in the check report: $out"
  "$exe" run "$qs" -o pk.h5 --set "$pk" --set "experiment.steps=[Rest for 1 s]" >/dev/null || fail "packaging run: exit $?"
  "$py" - <<'PY' || fail "packaging in the results file"
import h5py, sys
a = h5py.File("pk.h5").attrs
E = a["energy_theoretical_Wh_per_m2"] * 1e-4  # Wh on 1 cm^2
kg, L = 7.6728045e-5, 0.04364e-3
wk, wl = a["energy_density_theoretical_cell_Wh_per_kg"], a["energy_density_theoretical_cell_Wh_per_L"]
print("with packaging: %.6f Wh/kg (hand %.6f), %.6f Wh/L (hand %.6f)" % (wk, E / kg, wl, E / L))
sys.exit(0 if abs(wk / (E / kg) - 1) < 1e-9 and abs(wl / (E / L) - 1) < 1e-9 else 1)
PY
  out="$("$exe" check "$qs" --set "cell.positive.conductive_density=2.0 g/cm^3")" || fail "conductive_density: exit $?"
  grep -q "conductive 0.05 x 2000 kg/m^3 = 3774.3" <<<"$out" || fail "conductive_density not in the report"
  "$exe" check "$qs" --set "packaging={footprint_ratio: 0.9}" 2>err.txt
  [ $? = 1 ] && grep -q "footprint_ratio" err.txt || fail "footprint ratio below 1 accepted"
  ;;
time_limit)
  "$exe" run "$qs" -o tl.h5 --set "experiment.steps[0]=Discharge at C/10 until 2.0 V" \
    --set "experiment.limits.time_max=10 minutes" || fail "exit $?"
  check tl.h5 --status '^terminated: experiment time limit reached' || fail "status"
  # a step that ends exactly at the time limit with steps still to come: terminated, not a solver
  # failure of the next step ("tout too close to t0", exit 2)
  "$exe" run "$qs" -o tl2.h5 --set "experiment.steps=[Rest for 1 s]" --set experiment.cycles=200 \
    --set "experiment.limits.time_max=100 s" || fail "limit at a step's end: exit $?"
  check tl2.h5 --status "^terminated: experiment time limit reached at the start of step 101 'Rest for 1 s' at t = 100 s$" || fail "status at a step's end"
  ;;
solver_failure)
  "$exe" run "$qs" -o sf.h5 --set solver.max_steps=5
  rc=$?
  [ $rc = 2 ] || fail "exit $rc, expected 2"
  check sf.h5 --status '^failed: ' --min-rows 1 || fail "results of a failed run"
  # a step IDA refuses outright (a duration below its time resolution) fails at the step's start
  # time, not at an uninitialised one
  "$exe" run "$qs" -o tiny.h5 --set "experiment.steps=[Rest for 1e-300 s]" >/dev/null
  rc=$?
  [ $rc = 2 ] || fail "tiny rest: exit $rc, expected 2"
  check tiny.h5 --status "^failed: IDA_ILL_INPUT in step 1 'Rest for 1e-300 s' at t = 0 s " || fail "tiny rest: status"
  ;;
bad_input)
  printf 'ssbsim: 1\ncell:\n  aera: 1 cm^2\n' >bad.yaml
  "$exe" check bad.yaml 2>err.txt
  rc=$?
  cat err.txt
  [ $rc = 1 ] || fail "exit $rc, expected 1"
  grep -q 'bad.yaml:3:' err.txt || fail "message does not name file and line"
  # a thickness beyond any battery's overflows the capacity: said so (it was taken for a Li | Li cell)
  "$exe" check "$qs" --set "cell.positive.thickness=1e300 m" 2>err.txt
  [ $? = 1 ] && grep -q "capacity, inf.* is not a positive finite number" err.txt || fail "1e300 m: $(grep -v 'PETSC ERROR: [#C-]' err.txt | head -3)"
  "$exe" run "$qs" --no-such-option 2>/dev/null
  [ $? = 1 ] || fail "unknown option not rejected"
  # an empty -o (it gave a PETSc traceback and exit 3; import-bpx ': error: cannot write the file')
  for c in run import-bpx; do
    "$exe" $c "$qs" -o "" 2>err.txt
    [ $? = 1 ] && grep -q "^ssbsim: -o needs a file name" err.txt || fail "$c -o '': $(cat err.txt)"
  done
  # a NUL byte in the case file is reported at its line and column
  printf 'ssbsim: 1\ntitle: a\0b\n' >nul.yaml
  "$exe" check nul.yaml 2>err.txt
  [ $? = 1 ] && grep -q 'nul.yaml:2:9: error: .*NUL byte' err.txt || fail "NUL byte: $(cat err.txt)"
  # a FIFO without a writer (an include, a profile, the case itself) reads as empty at once
  # instead of blocking for ever; a device such as /dev/zero is refused instead of read without end
  mkfifo fifo.yaml fifo.csv || fail "mkfifo"
  sed 's#^include: \[#include: [fifo.yaml, #' "$qs" >fifo_case.yaml
  cp -r "$src/cases/materials" .
  timeout 20 "$exe" check fifo_case.yaml 2>err.txt
  [ $? = 1 ] && grep -q "fifo_case.yaml:17:11: error: included file 'fifo.yaml' is empty" err.txt || fail "FIFO include: $(cat err.txt)"
  timeout 20 "$exe" check "$qs" --set "experiment.steps=[Run profile fifo.csv]" 2>err.txt
  [ $? = 1 ] && grep -q "profile 'fifo.csv' needs at least two rows" err.txt || fail "FIFO profile: $(cat err.txt)"
  timeout 20 "$exe" check fifo.yaml 2>err.txt
  [ $? = 1 ] && grep -q "fifo.yaml:1: error: the case file is empty" err.txt || fail "FIFO case file: $(cat err.txt)"
  # no output over an input: -o the case file or an included file, a checkpoint over the case
  cp "$qs" qs_copy.yaml
  "$exe" run qs_copy.yaml -o qs_copy.yaml --set "experiment.steps=[Rest for 1 s]" 2>err.txt
  [ $? = 1 ] && grep -q "the results would overwrite the case file 'qs_copy.yaml'" err.txt || fail "results over the case: $(cat err.txt)"
  cmp -s "$qs" qs_copy.yaml || fail "the case file was overwritten"
  "$exe" run qs_copy.yaml -o materials/lpscl.yaml --set "experiment.steps=[Rest for 1 s]" 2>err.txt
  [ $? = 1 ] && grep -q "would overwrite the included file 'materials/lpscl.yaml'" err.txt || fail "results over an include: $(cat err.txt)"
  cmp -s "$src/cases/materials/lpscl.yaml" materials/lpscl.yaml || fail "the included file was overwritten"
  "$exe" run qs_copy.yaml -o ow.h5 --set "experiment.steps=[Rest for 1 s]" --set output.checkpoint=qs_copy.yaml --set "output.checkpoint_interval=0.1 s" 2>err.txt
  [ $? = 1 ] && grep -q "the checkpoint would overwrite the case file" err.txt || fail "checkpoint over the case: $(cat err.txt)"
  cmp -s "$qs" qs_copy.yaml || fail "the case file was overwritten by the checkpoint"
  timeout 20 "$exe" check "$qs" --set "experiment.steps=[Run profile /dev/zero]" 2>err.txt
  [ $? = 1 ] && grep -q "cannot read the profile '/dev/zero' (it is a device or a socket, not a regular file)" err.txt || fail "/dev/zero profile: $(cat err.txt)"
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
    # the drive-profile range test ends when the cell first falls to its 3.0 V cut-off under load
    [ "$b" = drive_profile ] && want='^terminated: cell 1 voltage reached the limit cell_voltage_min = 3 V'
    check "$b.h5" --status "$want" --csv "$b.csv" || fail "$b results"
  done
  # `check` reports the layers at the initial state (LiCoO2 face: the 0.151 V step of x = 0.494)
  "$exe" check "$src/cases/thin_film_space_charge.yaml" | grep -q "space charge         positive interface: Debye length 0.1639 nm; initial layer drop 0.1512 V" || fail "check: space charge"
  # the compact space-charge layers of the thin-film case are in its results, with units, every row
  "$py" - <<'PY' || fail "space-charge datasets"
import h5py, numpy as np, sys
f = h5py.File("thin_film_space_charge.h5")
T = f["/stack/time"].shape[0]
fields = ["space_charge_drop", "coating_drop", "space_charge_charge", "capacitance", "resistance"]
for side in ("negative", "positive"):
    d = f["/cells/interface_" + side]
    if list(d.dtype.names) != fields or d.attrs["units"] != "V, V, C/m^2, F/m^2, ohm*m^2" or d.shape != (T, 1):
        sys.exit("bad /cells/interface_%s: fields %s units %s shape %s" % (side, d.dtype.names, d.attrs["units"], d.shape))
    for name in fields:
        if not np.all(np.isfinite(d[name])):
            sys.exit("/cells/interface_%s: %s not finite" % (side, name))
# the positive (LiCoO2) layer follows the film's state of charge: its drop changes over the run
d = f["/cells/interface_positive"]
dp = d["space_charge_drop"][:, 0]
if not (dp.max() - dp.min() > 0.05 and np.all(d["capacitance"] > 0)):
    sys.exit("the positive layer does not follow the film: %g .. %g V" % (dp.min(), dp.max()))
PY
  # the same cell with resolved layers: the interface records and the layers' profiles (potential
  # and Li+ on the layer's 49 nodes) at every profile time
  "$exe" run "$src/cases/thin_film_space_charge.yaml" -o tf_resolved.h5 --set cell.interfaces.negative.space_charge=resolved \
    --set cell.interfaces.positive.space_charge=resolved --set "experiment.steps=[Discharge at 1C for 10 minutes]" --set output.csv=tf_resolved.csv >/dev/null || fail "resolved: exit $?"
  check tf_resolved.h5 --status '^completed$' --csv tf_resolved.csv || fail "resolved results"
  "$exe" check "$src/cases/thin_film_space_charge.yaml" --set cell.interfaces.positive.space_charge=resolved | grep -q "space charge         positive interface: resolved layer on 48 cells" || fail "check: resolved space charge"
  "$py" - <<'PY' || fail "resolved space-charge datasets"
import h5py, numpy as np, sys
f = h5py.File("tf_resolved.h5")
T, P = f["/stack/time"].shape[0], f["/profiles/time"].shape[0]
for side in ("negative", "positive"):
    d = f["/cells/interface_" + side]
    if d.shape != (T, 1) or "resolved" not in d.attrs["description"]:
        sys.exit("bad /cells/interface_%s" % side)
    x = f["/profiles/cell_1/x_space_charge_" + side][()]
    phi, c = f["/profiles/cell_1/phi_space_charge_" + side][()], f["/profiles/cell_1/c_space_charge_" + side][()]
    if x.shape != (49,) or phi.shape != (P, 49) or c.shape != (P, 49) or P < 3:
        sys.exit("bad resolved profiles of the %s face: %s %s %s" % (side, x.shape, phi.shape, c.shape))
    # the profile's drop is the record's, the far node is the bulk
    if not (np.allclose(phi[0, 0], d["space_charge_drop"][0, 0], atol=1e-12) and phi[-1, -1] == 0 and np.all(c > 0)):
        sys.exit("resolved profile of the %s face inconsistent" % side)
# depleted LiCoO2 face (step 0.151 V at the start), accumulated Li face (-0.05 V)
cp, cn = f["/profiles/cell_1/c_space_charge_positive"][0], f["/profiles/cell_1/c_space_charge_negative"][0]
if not (cp[0] < 0.01 * cp[-1] and cn[0] > 5 * cn[-1]):
    sys.exit("resolved layers: c(0)/c_b %g (positive), %g (negative)" % (cp[0] / cp[-1], cn[0] / cn[-1]))
PY
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
profile)
  printf 'time [min],current [mA/cm^2]\n0,0.5\n10,0.5\n' >const.csv
  "$exe" run "$qs" -o c1.h5 --set "experiment.steps=[Run profile const.csv]" >/dev/null || fail "constant profile: exit $?"
  "$exe" run "$qs" -o c0.h5 --set "experiment.steps=[Discharge at 0.5 mA/cm^2 for 10 minutes]" >/dev/null || fail "constant step: exit $?"
  printf '# a drive pattern\ntime [s],current [mA/cm^2]\n0,0\n60,1.0\n120,1.0\n121,-0.5\n300,-0.5\n301,2\n600,0.2\n' >drive.csv
  printf 'time [s],power [mW/cm^2]\n0,1\n300,2\n600,0.5\n' >pw.csv
  "$exe" run "$qs" -o d.h5 --set "experiment.steps=[Run profile drive.csv, Run profile pw.csv until 3.0 V]" >/dev/null || fail "drive profile: exit $?"
  "$py" - <<'PY' || fail "profiles not followed"
import h5py, numpy as np, sys
ok = True
a, b = h5py.File("c1.h5"), h5py.File("c0.h5")
va, vb = a["/stack/voltage"][()], b["/stack/voltage"][()]
# the same equations with the same setpoint at every instant: the same steps, to round-off
d = np.max(np.abs(va - vb)) if va.shape == vb.shape else np.inf
print("constant profile vs constant current: max |dV| = %.3g V" % d)
ok &= d <= 1e-9
f = h5py.File("d.h5")
J, V, st, t, Q = [f["/stack/" + k][()] for k in ("current_density", "voltage", "step", "time", "capacity")]
reasons = [x.decode() if isinstance(x, bytes) else x for x in f["/steps/reason"][()]]
m = st == 0
tp = np.array([0, 60, 120, 121, 300, 301, 600.0])
jp = np.array([0, 1, 1, -0.5, -0.5, 2, 0.2]) * 10  # A/m^2
# the current row is linear and the integrator stops at every corner: exact to the Newton solve
dj = np.max(np.abs(J[m] - np.interp(t[m], tp, jp)))
# charge passed: the trapezoid integral of the piecewise-linear profile, to the integrator's rtol (1e-6)
q = np.trapz(jp, tp) / 3600
dq = abs(Q[m][-1] - q) / q
m1 = st == 1
pp = np.interp(t[m1] - t[m1][0], [0, 300, 600], [10, 20, 5])  # W/m^2
dp = np.max(np.abs(J[m1] * V[m1] - pp) / pp)
print("current profile: max |dj| = %.3g A/m^2; charge %.9g vs %.9g A h/m^2 (rel %.3g); power profile max rel %.3g; %s" % (dj, Q[m][-1], q, dq, dp, reasons))
ok &= dj <= 1e-9 and dq <= 1e-6 and dp <= 1e-6 and reasons == ["profile finished", "profile finished"] and abs(t[-1] - 1200) < 1e-9
sys.exit(0 if ok else 1)
PY
  printf 'time [s],current [A]\n0,1\n10,1\n10,2\n10,3\n20,3\n' >bad.csv
  "$exe" check "$qs" --set "experiment.steps=[Run profile bad.csv]" 2>err.txt
  [ $? = 1 ] || fail "three equal times accepted"
  grep -q "bad.csv:5:.*times must increase" err.txt || fail "message: $(cat err.txt)"
  printf 'time [s],current [A]\n0,1\n10,1\n5,2\n' >bad.csv
  "$exe" check "$qs" --set "experiment.steps=[Run profile bad.csv]" 2>err.txt
  [ $? = 1 ] || fail "decreasing times accepted"
  grep -q "bad.csv:4:.*times must increase" err.txt || fail "message: $(cat err.txt)"
  # a jump (two rows at one time) equals the same currents given as two steps: the integrator
  # restarts at the jump as at a step's start, so the rows agree to round-off (observed: identical)
  printf 'time [s],current [mA/cm^2]\n0,2\n600,2\n600,1\n1200,1\n' >jump.csv
  "$exe" run "$qs" -o j1.h5 --set "experiment.steps=[Run profile jump.csv]" >/dev/null || fail "jump profile: exit $?"
  "$exe" run "$qs" -o j0.h5 --set "experiment.steps=[Discharge at 2 mA/cm^2 for 600 s, Discharge at 1 mA/cm^2 for 600 s]" >/dev/null || fail "two steps: exit $?"
  "$py" - <<'PY' || fail "a profile with a jump differs from the same currents as steps"
import h5py, numpy as np, sys
a, b = h5py.File("j1.h5"), h5py.File("j0.h5")
A = [a["/stack/" + k][()] for k in ("time", "voltage", "current_density", "capacity")]
B = [b["/stack/" + k][()] for k in ("time", "voltage", "current_density", "capacity")]
if A[0].shape != B[0].shape:
    print("rows", A[0].shape, B[0].shape); sys.exit(1)
d = [np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-300)) for x, y in zip(A, B)]
print("profile with a jump vs two steps: max relative difference time %.3g, voltage %.3g, current %.3g, capacity %.3g" % tuple(d))
sys.exit(0 if max(d) <= 1e-12 else 1)
PY
  # rows of two decimal numbers: hexadecimal, a subnormal, a third column and an over-long line
  # are refused at their line (a line was read as two rows, hexadecimal as a number)
  for row in '0x10,1' '10,1e-320' '10,1,2' "10,1$(printf '%01100d' 0)"; do
    printf 'time [s],current [A]\n0,1\n%s\n' "$row" >bad3.csv
    "$exe" check "$qs" --set "experiment.steps=[Run profile bad3.csv]" 2>err.txt
    [ $? = 1 ] || fail "profile row '${row:0:20}' accepted"
    grep -Eq "bad3.csv:3:1: .*(expected two numbers|longer than 1022 characters)" err.txt || fail "message: $(cat err.txt)"
  done
  printf 'time [s],voltage [V]\n0,1\n10,1\n' >bad2.csv
  "$exe" check "$qs" --set "experiment.steps=[Run profile bad2.csv]" 2>err.txt
  [ $? = 1 ] || fail "a voltage profile accepted"
  grep -q "bad2.csv:1:.*current" err.txt || fail "message: $(cat err.txt)"
  "$exe" check "$qs" --set "experiment.steps=[Run profile missing.csv]" 2>err.txt
  [ $? = 1 ] || fail "a missing profile accepted"
  grep -q "missing.csv" err.txt || fail "message: $(cat err.txt)"
  mkdir -p sub && cp pw.csv sub/
  "$exe" check "$qs" --set "experiment.steps=[Run profile sub/pw.csv]" >/dev/null || fail "a --set profile path with a directory is not relative to the working directory"
  cp drive.csv keep.csv
  "$exe" run "$qs" -o drive.h5 --set "experiment.steps=[Run profile drive.csv]" 2>err.txt
  [ $? = 1 ] || fail "results written over the profile"
  cmp -s drive.csv keep.csv || fail "the profile was overwritten"
  grep -q "overwrite the profile" err.txt || fail "message: $(cat err.txt)"
  ;;
limits)
  "$exe" run "$qs" -o l1.h5 --set "experiment.steps=[Discharge at 1C until 3.0 V, {step: Charge at C/2 until 4.3 V, limits: {cell_voltage_max: 4.1 V}}]" >/dev/null || fail "step limits: exit $?"
  check l1.h5 --status "^terminated: cell 1 voltage reached the limit cell_voltage_max = 4.1 V in step 2" || fail "step limit not applied"
  "$exe" run "$qs" -o l2.h5 --set "experiment.steps=[Discharge at 1C until 3.0 V, Charge at 1C for 10 minutes]" --set experiment.cycles=5 --set experiment.limits.capacity_fraction_min=0.5 >/dev/null || fail "capacity fade: exit $?"
  check l2.h5 --status "^terminated: cycle 2 discharged .* of the first cycle's \(below capacity_fraction_min = 0.5\)" || fail "capacity_fraction_min"
  "$py" - <<'PY' || fail "capacity fraction"
import h5py, numpy as np, re, sys
f = h5py.File("l2.h5")
Q, st = f["/stack/capacity"][()], f["/stack/step"][()]
status = f.attrs["status"]
status = status.decode() if isinstance(status, bytes) else status
q = [Q[st == k][-1] - Q[st == k][0] for k in (0, 2)]
ratio = float(re.search(r", ([0-9.e-]+) of the first", status).group(1))
print("discharged %.6g and %.6g A h/m^2: ratio %.6g; status says %.4g; last step index %d" % (q[0], q[1], q[1] / q[0], ratio, st.max()))
# the status prints 4 digits; the run ends after cycle 2 (steps 0-3 of 10)
sys.exit(0 if abs(q[1] / q[0] - ratio) <= 1e-4 and st.max() == 3 else 1)
PY
  # a thick cathode at C/3 fills its particle surfaces at about 2.99 V, before a 2.5 V cut-off. At
  # the default rtol (1e-6) every surface comes within 0.1 rtol = 1e-7 of full (the saturation root)
  # and the step ends there as at its cut-off; at rtol 1e-9 the front particles cross the exchange
  # current's floor first and the integrator stops: the run ends 'terminated' with the reason, exit
  # 0, not as a solver failure. The two ends agree within the charge left at the root, about
  # 1e-7 of the discharge: 1e-7 x 12233 s = 1.2e-3 s.
  "$exe" run "$src/cases/sweep_design.yaml" -o sat.h5 --set "cell.positive.thickness=149.6 um" --set "experiment.steps=[Discharge at C/3 until 2.5 V]" >/dev/null || fail "saturated surface: exit $?"
  check sat.h5 --status '^completed$' || fail "saturated surface status (root)"
  "$exe" run "$src/cases/sweep_design.yaml" -o sat9.h5 --set "cell.positive.thickness=149.6 um" --set "experiment.steps=[Discharge at C/3 until 2.5 V]" --set solver.rtol=1e-9 >/dev/null || fail "saturated surface, rtol 1e-9: exit $?"
  check sat9.h5 --status "^terminated: cell 1 positive electrode surface full \\(stoichiometry [0-9.]+\\) before the cut-off" || fail "saturated surface status (integrator stopped)"
  "$py" - <<'PY' || fail "saturated surface: the root's end"
import h5py, sys
a, b = h5py.File("sat.h5"), h5py.File("sat9.h5")
r, ta, tb = a["/steps/reason"].asstr()[()][0], a["/steps/end_time"][0], b["/steps/end_time"][0]
print(r, "| ends %.9f s (root) and %.9f s (rtol 1e-9)" % (ta, tb))
sys.exit(0 if r.startswith("voltage 2.5 V reached (cell 1 positive electrode full: every surface within 1e-07 of x = 1") and abs(ta - tb) <= 1.2e-3 else 1)
PY
  # the quick-start cell to 2.5 V at 1C: its surfaces all fill, the voltage falls without bound, and
  # the step ends at the electrode's saturation as at its cut-off (completed), the surfaces never
  # above full; with the exchange current's old floor (1e-12 c_max) this took 100 000 steps, with
  # surfaces at x = 1.0007, and stopped with IDA_TOO_MUCH_WORK
  out="$("$exe" run "$qs" -o sat25.h5 --set "experiment.steps=[Discharge at 1C until 2.5 V, Rest for 10 minutes]" --set output.profiles_interval=10s)" || fail "2.5 V: exit $?"
  steps=$(sed -n 's/.* unknowns, \([0-9]*\) steps,.*/\1/p' <<<"$out")
  [ -n "$steps" ] && [ "$steps" -lt 3000 ] || fail "2.5 V: $steps integrator steps: $out"
  check sat25.h5 --status '^completed$' || fail "2.5 V: status"
  "$py" - <<'PY' || fail "2.5 V: the step's end"
import h5py, numpy as np, sys
f = h5py.File("sat25.h5")
r = f["/steps/reason"].asstr()[()]
x = f["/profiles/cell_1/surface_stoichiometry_positive"][()]
print(r[0], "| max surface stoichiometry %.17g" % x.max())
# the saturation root sits at 0.1 rtol from the bound (rtol 1e-6 here)
sys.exit(0 if r[0].startswith("voltage 2.5 V reached (cell 1 positive electrode full: every surface within 1e-07 of x = 1") and r[1] == "duration reached" and x.max() <= 1 else 1)
PY
  "$exe" check "$qs" --set "experiment.steps=[{step: Rest for 1 h, limits: {cell_voltage_mx: 4.1 V}}]" 2>err.txt
  [ $? = 1 ] && grep -q "did you mean 'cell_voltage_max'" err.txt || fail "misspelt step limit: $(cat err.txt)"
  "$exe" check "$qs" --set "experiment.steps=[{limits: {cell_voltage_max: 4.1 V}}]" 2>err.txt
  [ $? = 1 ] && grep -q "missing required key 'step'" err.txt || fail "step without text: $(cat err.txt)"
  ;;
alloy)
  # a two-phase alloy electrode (ocp: 0.62 V, cases/materials/li_in.yaml) is Li metal shifted by its
  # plateau: the quick-start cell with the Li material's ocp set to 0.62 V gives, at every output
  # row, the Li cell's voltage minus 0.62 V. The two runs integrate the same dynamics with their
  # own step sequences, so they agree to the integration error, rtol x V = 1e-6 x 4 V: 4e-6 V.
  # `check` reports the shifted OCV (cases/li_in_nmc811.yaml itself runs in mode cases).
  step=(--set "experiment.steps=[Discharge at 1C for 20 minutes]")
  "$exe" run "$src/cases/quickstart.yaml" "${step[@]}" -o li.h5 >/dev/null || fail "Li: exit $?"
  "$exe" run "$src/cases/quickstart.yaml" "${step[@]}" --set "materials.li_metal.ocp=0.62 V" -o alloy.h5 >/dev/null || fail "alloy: exit $?"
  "$py" - <<'PY' || fail "the alloy cell is not the Li cell shifted by 0.62 V"
import h5py, numpy as np, sys
a, b = h5py.File("li.h5"), h5py.File("alloy.h5")
ta, tb = a["/stack/time"][()], b["/stack/time"][()]
if not np.array_equal(ta, tb):
    print("output times differ"); sys.exit(1)
d = np.max(np.abs(a["/stack/voltage"][()] - 0.62 - b["/stack/voltage"][()]))
print("max |V_Li - 0.62 V - V_alloy| over %d rows: %.3g V" % (len(ta), d))
sys.exit(0 if d <= 4e-6 else 1)
PY
  "$exe" check "$src/cases/quickstart.yaml" --set "materials.li_metal.ocp=0.62 V" | grep -q "initial OCV          3.66493 V" || fail "check: OCV not shifted"
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
progress)
  # on a terminal (script(1) provides one) the run prints a progress line with the step, time,
  # voltage, temperature and percent of the step; without a terminal it prints none
  command -v script >/dev/null || { echo "SKIP: no script(1)"; exit 77; }
  # (the line is refreshed every 0.2 s of wall time: a run of about a second, 50 cycles)
  cy="$src/cases/cycling_cccv_10.yaml"
  script -qec "env -u CI '$exe' run '$cy' -o pg.h5 --set experiment.cycles=50 --set experiment.limits.time_max=800h" /dev/null >tty.txt || fail "exit $?"
  tr '\r' '\n' <tty.txt | grep -Eq "step [1-5]/5 of cycle [0-9]+/50  t = [0-9.]+ s  V = [0-9.]+ V  T max = 298.15 K +[0-9]+ %  " || fail "no progress line on a terminal: $(tr '\r' '\n' <tty.txt | head -5)"
  "$exe" run "$cy" -o pg2.h5 --set experiment.cycles=3 2>err.txt >/dev/null || fail "exit $?"
  ! grep -q "T max = " err.txt || fail "progress printed without a terminal"
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
