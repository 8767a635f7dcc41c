#!/usr/bin/env python3
"""Literature benchmark C: Doyle, Fuller, Newman, J. Electrochem. Soc. 140 (1993) 1526 (and
Electrochim. Acta 39 (1994) 2073), Li | PEO-LiCF3SO3 | TiS2 (ssbsim literature README section C).

Qualitative checks (the README gives trends, not a tolerance; the paper's own geometry and current
were not available, so the cell is the DUALFOIL example deck of cases/dfn1993_tis2.yaml):
  1. porosity: with the binary PEO-LiCF3SO3 at 20 A/m^2 to 1.8 V, a cathode electrolyte fraction of
     0.60 gives a higher utilisation than 0.30 (paper: 97 % vs 84 %);
  2. transference number, at 30 A/m^2 ("high rate", about C/1.3 of the 0.30 cathode):
     a. the binary electrolyte (t+ = 0.16 at 1000 mol/m^3) depletes in the cathode: the lowest salt
        concentration there ends below 10 % of the initial 1000 mol/m^3 (the DUALFOIL conductivity
        fit vanishes at 63 mol/m^3, which is what ends the discharge);
     b. the same electrolyte with t+ = 1 (transference_number 1, all else equal) does not: its salt
        concentration stays within 1 % of 1000 mol/m^3 everywhere, at every profile time;
     c. and delivers more capacity than the binary one;
     d. DUALFOIL's ideal single-ion conductor (t+ = 1, kappa 0.01 S/m) runs to its 1.8 V cut-off with
        no electrolyte concentration at all (single_ion law): printed for reference.
Writes dfn1993.png.

usage: dfn1993.py SSBSIM [-o OUTDIR] [--workdir DIR]
"""
import litbench

import h5py
import numpy as np
import matplotlib.pyplot as plt

C_T, L_POS = 29000.0, 100e-6           # TiS2 c_max (mol/m^3), cathode thickness (m)
X_WINDOW = 0.99 - 0.01                 # tis2 stoichiometry window
C0 = 1000.0
PEO = ["cell.separator.electrolyte=peo_licf3so3", "cell.positive.electrolyte=peo_licf3so3"]
IDEAL = ["cell.separator.electrolyte=ideal_single_ion_polymer", "cell.positive.electrolyte=ideal_single_ion_polymer"]


def porosity(eps):
    active = 1.0 - 0.2 - eps
    return [f"cell.positive.volume_fractions.electrolyte={eps}", f"cell.positive.volume_fractions.active={active:.2f}"], active


def discharge(I):
    return [f"experiment.steps[0]=Discharge at {I} A/m^2 until 1.8 V"]


def result(h5, active):
    with h5py.File(h5, "r") as f:
        cap = f["/stack/capacity"][()]             # A*h/m^2
        V = f["/stack/voltage"][()]
        reason = f["/steps/reason"].asstr()[()][-1]
        g = f["/profiles/cell_1"]
        ce = g["c_e"][()] if "c_e" in g else None
        x = g["x"][()]
    theo = active * L_POS * C_T * X_WINDOW * 96485.33212 / 3600.0     # A*h/m^2
    return dict(cap=cap, V=V, util=cap[-1] / theo, reason=reason, ce=ce, x=x)


def main():
    a = litbench.parse_args(__doc__.splitlines()[0])
    tab = litbench.Table("Doyle, Fuller, Newman 1993, Li | polymer | TiS2 (DUALFOIL example geometry, 100 degC): qualitative trends")
    runs = {}
    try:
        for eps in (0.3, 0.6):
            s, act = porosity(eps)
            runs[f"eps{eps}"] = result(litbench.run(a, "dfn1993.yaml", f"dfn1993_eps{eps}", PEO + s + discharge(20)), act)
        s, act = porosity(0.3)
        prof = ["output.profiles_interval=5 s"]
        runs["binary"] = result(litbench.run(a, "dfn1993.yaml", "dfn1993_binary", PEO + s + discharge(30) + prof), act)
        runs["tplus1"] = result(litbench.run(a, "dfn1993.yaml", "dfn1993_tplus1",
                                             PEO + s + discharge(30) + prof + ["materials.peo_licf3so3.transference_number=1"]), act)
        runs["ideal"] = result(litbench.run(a, "dfn1993.yaml", "dfn1993_ideal", IDEAL + s + discharge(30)), act)
    except RuntimeError as e:
        print(e)
        tab.check("runs", "failed", "completed", False)
        tab.print()
        return 1

    u3, u6 = runs["eps0.3"]["util"], runs["eps0.6"]["util"]
    tab.check("porosity: utilisation 0.60 > 0.30 (binary, 20 A/m^2)", f"{100 * u6:.1f} % vs {100 * u3:.1f} %", "97 % vs 84 %", u6 > u3, "paper")
    b, t1 = runs["binary"], runs["tplus1"]
    ok_b = b["ce"] is not None
    cathode = b["x"] > b["x"][-1] - L_POS
    kmin = int(np.argmin(np.where(cathode, b["ce"][-1], np.inf))) if ok_b else 0
    cmin = b["ce"][-1][kmin] if ok_b else float("nan")
    depth = (b["x"][kmin] - (b["x"][-1] - L_POS)) / L_POS if ok_b else float("nan")
    tab.check("binary, 30 A/m^2: salt minimum in the cathode at the end < 10 % of c0",
              f"{cmin:.0f} mol/m3 ({100 * cmin / C0:.1f} %) at {100 * depth:.0f} % of the depth", "depleted", ok_b and cmin < 0.1 * C0, "paper")
    dev = np.max(np.abs(t1["ce"] - C0)) / C0 if t1["ce"] is not None else float("nan")
    tab.check("t+ = 1, 30 A/m^2: max |c - c0|/c0 over all times", f"{100 * dev:.2g} %", "no depletion (< 1 %)", dev < 0.01, "paper")
    tab.check("t+ = 1 delivers more than the binary (30 A/m^2)", f"{100 * t1['util']:.1f} % vs {100 * b['util']:.1f} %", "more", t1["util"] > b["util"], "paper")
    tab.info("ideal single-ion conductor (kappa 0.01 S/m), 30 A/m^2", f"{100 * runs['ideal']['util']:.1f} %, {runs['ideal']['reason']}", "-", "DUALFOIL")
    for k, lab in (("eps0.3", "binary eps 0.30, 20 A/m^2"), ("eps0.6", "binary eps 0.60, 20 A/m^2"), ("binary", "binary, 30 A/m^2"), ("tplus1", "t+ = 1, 30 A/m^2")):
        tab.info(f"end of discharge: {lab}", runs[k]["reason"], "-")
    tab.print()

    fig, ax = plt.subplots(1, 2, figsize=(12, 4.8))
    for k, lab in (("eps0.3", "binary, $\\epsilon$ = 0.30, 20 A/m$^2$"), ("eps0.6", "binary, $\\epsilon$ = 0.60, 20 A/m$^2$"),
                   ("binary", "binary, $\\epsilon$ = 0.30, 30 A/m$^2$"), ("tplus1", "t+ = 1, $\\epsilon$ = 0.30, 30 A/m$^2$"),
                   ("ideal", "ideal single-ion, 30 A/m$^2$")):
        r = runs[k]
        theo = r["cap"][-1] / r["util"]
        ax[0].plot(100 * r["cap"] / theo, r["V"], label=lab)
    ax[0].axvline(84, color="k", ls=":", lw=1)
    ax[0].axvline(97, color="k", ls="--", lw=1)
    ax[0].text(84, 0.08, "paper, 0.30: 84 % ", fontsize=8, ha="right", transform=ax[0].get_xaxis_transform())
    ax[0].text(97, 0.03, "paper, 0.60: 97 % ", fontsize=8, ha="right", transform=ax[0].get_xaxis_transform())
    ax[0].set_xlabel("utilisation of the TiS2 window (%)")
    ax[0].set_ylabel("cell voltage (V)")
    ax[0].legend(fontsize=8)
    ax[0].set_title("DFN 1993 cell (DUALFOIL example geometry), 100 $^\\circ$C")
    for k, ls in (("binary", "-"), ("tplus1", "--")):
        r = runs[k]
        n = len(r["ce"])
        for j in sorted(set([0, n // 4, n // 2, 3 * n // 4, n - 1])):
            ax[1].plot(1e6 * r["x"], r["ce"][j], ls, color=plt.get_cmap("plasma")(j / max(1, n - 1)))
    ax[1].plot([], [], "k-", label="binary (t+ = 0.16)")
    ax[1].plot([], [], "k--", label="t+ = 1")
    ax[1].set_xlabel("x (um; separator from 100 um, cathode from 125 um)")
    ax[1].set_ylabel("salt concentration (mol/m$^3$)")
    ax[1].set_title("30 A/m$^2$: c_e profiles, start (dark) to end (light)")
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    png = f"{a.outdir}/dfn1993.png"
    fig.savefig(png, dpi=110)
    print(f"plot: {png}")
    return 1 if tab.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
