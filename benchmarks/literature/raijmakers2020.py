#!/usr/bin/env python3
"""Literature benchmark B: Raijmakers, Danilov, Eichel, Notten, Electrochim. Acta 330 (2020) 135147,
commercial thin-film Li | LiPON | LiCoO2 (ssbsim literature README section B).

Compares the capacity at 3.0 V of the CC discharges at 0.1 ... 6C (1C = 0.7 mA, after a CCCV charge
at 1C to 4.2 V, cut-off 0.07 mA) with the paper's simulated capacities [fig], tolerance 3 %, and prints
(no verdict; the README gives no tolerance) the LiPON overpotential at 1C and 4C against the paper's.
Writes raijmakers2020.png.

usage: raijmakers2020.py SSBSIM [-o OUTDIR] [--workdir DIR]
"""
import litbench

import h5py
import numpy as np
import matplotlib.pyplot as plt

RATES = [0.1, 0.2, 0.5, 1, 2, 4, 6]
Q_PAPER = [0.3231, 0.3068, 0.2759, 0.2468, 0.2156, 0.1805, 0.1555]   # [fig] mAh/cm^2 at 3.0 V
ETA_E = {1: -73.4, 4: -295.1}                                        # [fig] mV
I_1C_MA, AREA_CM2 = 0.7, 3.36
TOL_Q = 0.03
L_LI, L_SEP = 10e-6, 3.62e-6                                         # the case's Li and LiPON thickness


def main():
    a = litbench.parse_args(__doc__.splitlines()[0])
    tab = litbench.Table("Raijmakers 2020, Li | LiPON | LiCoO2 thin film: CCCV to 4.2 V, CC discharges to 3.0 V")
    curves = []
    for r, q_ref in zip(RATES, Q_PAPER):
        sets = [f"experiment.steps[2]=Discharge at {r * I_1C_MA:.6g} mA until 3.0 V"]
        if r in ETA_E:
            sets += ["output.profiles_interval=30 s"]
        try:
            h5 = litbench.run(a, "raijmakers2020.yaml", f"raijmakers2020_{r:g}C", sets)
        except RuntimeError as e:
            print(e)
            tab.check(f"{r:g}C run", "failed", "completed", False)
            continue
        with h5py.File(h5, "r") as f:
            reasons = list(f["/steps/reason"].asstr()[()])
            t0, t1 = f["/steps/start_time"][-1], f["/steps/end_time"][-1]
            t = f["/stack/time"][()]
            sel = t >= t0
            cap = (f["/stack/capacity"][()][sel] - f["/stack/capacity"][()][sel][0]) * 0.1   # A*h/m^2 -> mAh/cm^2
            V = f["/stack/voltage"][()][sel]
            if r in ETA_E:
                tp, d = litbench.face_potential_drop(f, L_LI, L_LI + L_SEP)
                m = (tp > t0 + 0.05 * (t1 - t0)) & (tp < t1 - 0.05 * (t1 - t0))
                eta = 1000 * np.median(d[m])
        if len(reasons) != 3 or "3 V" not in reasons[-1]:
            tab.check(f"{r:g}C steps", "; ".join(reasons), "4.2 V; 0.07 mA; 3.0 V", False)
        q = (t1 - t0) / 3600.0 * r * I_1C_MA / AREA_CM2
        tab.rel(f"{r:g}C capacity at 3.0 V", q, q_ref, TOL_Q, "mAh/cm2", "paper sim. [fig]")
        if r in ETA_E:
            tab.info(f"{r:g}C LiPON overpotential (median over the discharge)", f"{eta:.1f} mV", f"{ETA_E[r]} mV", "paper [fig]",
                     f"{100 * (eta / ETA_E[r] - 1):+.1f} %")
        curves.append((r, cap, V, q_ref, q))
    tab.print()

    fig, ax = plt.subplots(figsize=(7.5, 5))
    cm = plt.get_cmap("viridis")
    for k, (r, cap, V, q_ref, q) in enumerate(curves):
        c = cm(k / max(1, len(curves) - 1))
        ax.plot(cap, V, color=c, label=f"{r:g}C ssbsim")
        ax.plot([q_ref], [3.0], "o", color=c, mfc="none", ms=8)
    ax.plot([], [], "ko", mfc="none", label="paper, capacity at 3.0 V [fig]")
    ax.set_xlabel("capacity (mAh/cm$^2$)")
    ax.set_ylabel("cell voltage (V)")
    ax.set_ylim(2.9, 4.25)
    ax.set_title("Raijmakers 2020 Li | LiPON | LiCoO2, 1C = 0.7 mA (3.36 cm$^2$)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    png = f"{a.outdir}/raijmakers2020.png"
    fig.savefig(png, dpi=110)
    print(f"plot: {png}")
    return 1 if tab.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
