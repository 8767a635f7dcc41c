#!/usr/bin/env python3
"""Literature benchmark A: Danilov, Niessen, Notten, J. Electrochem. Soc. 158 (2011) A215,
thin-film Li | Li3PO4 | LiCoO2 (ssbsim literature README section A).

Compares, for the CC discharges at 1.6 ... 51.2C (1C = 10 uA/cm^2) to 3.0 V from the charged state:
  * the time to 3.0 V with the README's re-solved values (k_r = 0.9e-6) [re-solve], tolerance 1 %;
  * the capacity at 3.0 V with the measured values [fig], tolerance 3 %;
and prints (no verdict; the README gives no tolerance) the 51.2C electrolyte overpotential against
the paper's figure. Writes danilov2011.png.

usage: danilov2011.py SSBSIM [-o OUTDIR] [--workdir DIR]
"""
import litbench

import h5py
import numpy as np
import matplotlib.pyplot as plt

RATES = [1.6, 3.2, 6.4, 12.8, 25.6, 51.2]
T_RESOLVE_MIN = [37.381, 18.534, 9.095, 4.375, 2.020, 0.843]   # [re-solve] minutes to 3.0 V
Q_MEASURED = [10.04, 9.95, 9.86, 9.76, 9.57, 9.17]              # [fig] uAh/cm^2 at 3.0 V
I_1C = 0.1                                                     # A/m^2 = 10 uA/cm^2
TOL_T, TOL_Q = 0.01, 0.03
# 51.2C electrolyte overpotential [fig]: (s, mV)
ETA_E = [(15, -70.2), (30, -86.3), (50.4, -100.9), (64.9, -108.7)]
L_LI, L_SEP = 10e-6, 1.5e-6                                    # the case's Li and Li3PO4 thickness


def main():
    a = litbench.parse_args(__doc__.splitlines()[0])
    tab = litbench.Table("Danilov 2011, Li | Li3PO4 | LiCoO2 thin film: CC discharges to 3.0 V from the charged state")
    curves = []
    eta = None
    for r, t_ref, q_ref in zip(RATES, T_RESOLVE_MIN, Q_MEASURED):
        sets = [f"experiment.steps[0]=Discharge at {r * I_1C:.6g} A/m^2 until 3.0 V"]
        if r == 51.2:
            sets += ["output.profiles_interval=0.5", "output.interval=0.5"]
        try:
            h5 = litbench.run(a, "danilov2011.yaml", f"danilov2011_{r:g}C", sets)
        except RuntimeError as e:
            print(e)
            tab.check(f"{r:g}C run", "failed", "completed", False)
            continue
        with h5py.File(h5, "r") as f:
            reason = f["/steps/reason"].asstr()[()][-1]
            t0, t1 = f["/steps/start_time"][-1], f["/steps/end_time"][-1]
            cap = f["/stack/capacity"][()] * 100.0          # A*h/m^2 -> uAh/cm^2
            V = f["/stack/voltage"][()]
            if r == 51.2:
                eta = litbench.face_potential_drop(f, L_LI, L_LI + L_SEP)
        if "3 V" not in reason:
            tab.check(f"{r:g}C end", reason, "3.0 V reached", False)
        tmin = (t1 - t0) / 60.0
        q = (t1 - t0) * r * I_1C / 3600.0 * 100.0            # uAh/cm^2
        tab.rel(f"{r:g}C time to 3.0 V", tmin, t_ref, TOL_T, "min", "re-solve")
        tab.rel(f"{r:g}C capacity at 3.0 V", q, q_ref, TOL_Q, "uAh/cm2", "measured [fig]")
        curves.append((r, cap, V, t_ref * 60 * r * I_1C / 3600 * 100, q_ref, q))
    if eta is not None:
        tp, d = eta
        for t, ref in ETA_E:
            if t <= tp[-1]:
                tab.info(f"51.2C electrolyte overpotential at {t:g} s", f"{1000 * np.interp(t, tp, d):.1f} mV", f"{ref} mV", "paper [fig]",
                         f"{1000 * np.interp(t, tp, d) - ref:+.1f} mV")
            else:
                tab.info(f"51.2C electrolyte overpotential at {t:g} s", f"n/a (discharge ended at {tp[-1]:.1f} s)", f"{ref} mV", "paper [fig]")
    tab.print()

    fig, ax = plt.subplots(1, 2, figsize=(12, 4.8))
    cm = plt.get_cmap("viridis")
    for k, (r, cap, V, q_res, q_meas, q_sim) in enumerate(curves):
        c = cm(k / max(1, len(curves) - 1))
        ax[0].plot(cap, V, color=c, label=f"{r:g}C ssbsim")
        ax[0].plot([q_meas], [3.0], "o", color=c, mfc="none", ms=8)
        ax[0].plot([q_res], [3.0], "x", color=c, ms=8)
    ax[0].plot([], [], "ko", mfc="none", label="measured capacity [fig]")
    ax[0].plot([], [], "kx", label="re-solve (time x current)")
    ax[0].set_xlabel("capacity (uAh/cm$^2$)")
    ax[0].set_ylabel("cell voltage (V)")
    ax[0].set_ylim(2.9, 4.25)
    ax[0].legend(fontsize=8)
    ax[0].set_title("Danilov 2011: CC discharges, 1C = 10 uA/cm$^2$")
    if eta is not None:
        ax[1].plot(eta[0], 1000 * eta[1], label="ssbsim, 51.2C")
        ax[1].plot([t for t, _ in ETA_E], [v for _, v in ETA_E], "ko", mfc="none", label="paper [fig]")
        ax[1].set_xlabel("time (s)")
        ax[1].set_ylabel("electrolyte overpotential (mV)")
        ax[1].legend()
        ax[1].set_title("Li3PO4 overpotential, 51.2C")
    fig.tight_layout()
    png = f"{a.outdir}/danilov2011.png"
    fig.savefig(png, dpi=110)
    print(f"plot: {png}")
    return 1 if tab.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
