#!/usr/bin/env python3
"""The Pals-Newman effect in a 100-cell bipolar stack (cases/stack_100_convective.yaml, issue 5).

Pals & Newman (J. Electrochem. Soc. 142 (1995) 3274, 3282) showed that in a cell stack with
temperature-dependent transport the warmer cells generate less heat, so the temperature profile
across the stack is flatter than with constant properties. This script runs the case three times:

  A  thermal.arrhenius: true   (the case as written: rate properties follow the local temperature)
  B  thermal.arrhenius: false  (constant properties: every rate property at its 25 degC value)
  C  arrhenius true, but every activation energy of the case's materials set to 0 with --set

and prints, at every profile time, the hottest temperature rise and the spread (max - min) of the
temperature across the stack for A and B, then writes pals_newman.png (the profiles across the
stack at the last common profile time, and the spread over time).

Checks (exit 1 when one fails):
  * all three runs complete;
  * C equals B exactly (every /thermal/temperature and /stack/voltage value): `arrhenius: false`
    is exactly "all activation energies 0", nothing more and nothing less;
  * at every profile time after t = 0 the spread of A is below that of B by at least 1e-3 K. The
    integration error of the spread is far below that: the same two runs at rtol 1e-8 (atol 1e-11)
    change the spreads by at most 1.3e-4 K (measured 22 Nov 2026), against differences of
    3.6e-3 to 2e-2 K.

usage: pals_newman.py SSBSIM [-o OUTDIR] [--case CASE]
Exit status 0 pass, 1 fail, 77 numpy/h5py/matplotlib missing (skipped).
"""
import argparse
import os
import subprocess
import sys
import time

try:
    import numpy as np
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as exc:  # pragma: no cover
    print(f"skipped: {exc}")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CASE = os.path.join(ROOT, "cases", "stack_100_convective.yaml")
# every activation energy the case's materials set (cases/materials/nmc811.yaml; llzo and li_metal
# have none): run C zeroes them by hand
ZERO_EA = ["materials.nmc811.diffusivity_activation_energy=0 J/mol", "materials.nmc811.kinetics_activation_energy=0 J/mol"]
MARGIN_K = 1e-3


def run(ssbsim, case, out, name, sets):
    h5 = os.path.join(out, name + ".h5")
    cmd = [ssbsim, "run", case, "--set", "output.file=" + h5, "--set", "output.csv=" + os.path.join(out, name + ".csv")]
    for s in sets:
        cmd += ["--set", s]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    head = (r.stdout.strip().splitlines() or [""])[0]
    print(f"  run {name}: exit {r.returncode}, {wall:.2f} s wall: {head}")
    stats = [l.strip() for l in r.stdout.splitlines() if "unknowns" in l]
    if stats:
        print("    " + stats[0])
    if r.returncode != 0:
        sys.stdout.write(r.stdout + r.stderr)
        return None
    f = h5py.File(h5, "r")
    d = {
        "status": f.attrs.get("status", b""),
        "T": f["/thermal/temperature"][:],
        "z": f["/thermal/z"][:],
        "tp": f["/profiles/time"][:],
        "V": f["/stack/voltage"][:],
        "t": f["/stack/time"][:],
    }
    f.close()
    if isinstance(d["status"], bytes):
        d["status"] = d["status"].decode()
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ssbsim")
    ap.add_argument("-o", "--outdir", default="pals_newman_out")
    ap.add_argument("--case", default=CASE)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    print(f"Pals-Newman comparison: {os.path.relpath(a.case, ROOT)} (100 cells, 2C discharge, h = 1000 W/(m^2 K) at both ends)")
    A = run(a.ssbsim, a.case, a.outdir, "arrhenius", ["thermal.arrhenius=true"])
    B = run(a.ssbsim, a.case, a.outdir, "constant", ["thermal.arrhenius=false"])
    C = run(a.ssbsim, a.case, a.outdir, "zero_ea", ["thermal.arrhenius=true"] + ZERO_EA)
    ok = True
    if not (A and B and C):
        print("FAIL: a run did not complete")
        return 1
    for n, d in (("A", A), ("B", B), ("C", C)):
        if not str(d["status"]).startswith("completed"):
            print(f"FAIL: run {n} status '{d['status']}'")
            ok = False
    same = B["T"].shape == C["T"].shape and np.array_equal(B["T"], C["T"]) and np.array_equal(B["V"], C["V"])
    print(f"  check: arrhenius=false equals all activation energies 0, bit for bit: {'yes' if same else 'NO'}")
    ok &= same

    n = min(len(A["tp"]), len(B["tp"]))
    print("\n    t (s) | A: rise max (K)  spread (K) | B: rise max (K)  spread (K) | B - A spread (K)")
    T0 = A["T"][0].min()
    worst = np.inf
    for i in range(n):
        if abs(A["tp"][i] - B["tp"][i]) > 1e-6 * max(1.0, A["tp"][i]):
            break
        ra, rb = A["T"][i], B["T"][i]
        sa, sb = ra.max() - ra.min(), rb.max() - rb.min()
        print(f"  {A['tp'][i]:7.0f} | {ra.max() - T0:15.4f} {sa:11.4f} | {rb.max() - T0:15.4f} {sb:11.4f} | {sb - sa:12.5f}")
        if i > 0:
            worst = min(worst, sb - sa)
            last = i
    flatter = worst >= MARGIN_K
    print(f"\n  check: the Arrhenius profile is flatter at every profile time after 0 by >= {MARGIN_K:g} K: {'yes' if flatter else 'NO'} (smallest margin {worst:.5f} K)")
    ok &= flatter
    ra, rb = A["T"][last], B["T"][last]
    print(f"  at t = {A['tp'][last]:.0f} s: spread {ra.max() - ra.min():.4f} K (Arrhenius) vs {rb.max() - rb.min():.4f} K (constant): "
          f"{100 * (1 - (ra.max() - ra.min()) / (rb.max() - rb.min())):.2f} % flatter; hottest {ra.max() - 273.15:.3f} vs {rb.max() - 273.15:.3f} degC")

    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    z = A["z"] * 1e3
    ax[0].plot(z, ra - 273.15, label="Arrhenius (thermal.arrhenius: true)")
    ax[0].plot(z, rb - 273.15, "--", label="constant properties (false)")
    ax[0].set_xlabel("position through the stack z (mm)")
    ax[0].set_ylabel("temperature (degC)")
    ax[0].set_title(f"across the stack at t = {A['tp'][last]:.0f} s")
    ax[0].legend()
    sa = [A["T"][i].max() - A["T"][i].min() for i in range(last + 1)]
    sb = [B["T"][i].max() - B["T"][i].min() for i in range(last + 1)]
    ax[1].plot(A["tp"][: last + 1] / 60, sa, "o-", label="Arrhenius")
    ax[1].plot(B["tp"][: last + 1] / 60, sb, "s--", label="constant properties")
    ax[1].set_xlabel("time (min)")
    ax[1].set_ylabel("max - min temperature across the stack (K)")
    ax[1].legend()
    fig.suptitle("100-cell Li | LLZO | NMC811 stack, 2C discharge, end cooling: the Pals-Newman effect")
    fig.tight_layout()
    png = os.path.join(a.outdir, "pals_newman.png")
    fig.savefig(png, dpi=110)
    print(f"  wrote {png}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
