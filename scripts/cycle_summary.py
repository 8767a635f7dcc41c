#!/usr/bin/env python3
"""Per-cycle discharge and charge capacity, energy and coulombic efficiency of an ssbsim run.

    /usr/bin/python3 scripts/cycle_summary.py RESULTS.h5 [--csv OUT.csv]

Reads /steps (one record per executed step: cycle, text, start and end time, reason) and the
/stack time series of a results file (docs/results.md). For every cycle it integrates the rows
of the steps that belong to it: charge passed on discharge (current > 0) and on charge
(current < 0), in mAh/cm^2, energy in mWh/cm^2 (integral of I V_stack dt per area), the mean
discharge voltage, and the coulombic efficiency (discharge / charge of the same cycle).
Capacities come from /stack/capacity (the integrator's own charge count), interpolated at the
step boundaries, so they do not depend on the output interval.
"""
import argparse
import sys

import h5py
import numpy as np


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", help="ssbsim HDF5 results file")
    ap.add_argument("--csv", help="also write the table to this CSV file")
    a = ap.parse_args(argv)

    f = h5py.File(a.results, "r")
    t = f["/stack/time"][()]
    j = f["/stack/current_density"][()]          # A/m^2, + discharge
    v = f["/stack/voltage"][()]
    q = f["/stack/capacity"][()]                 # A h/m^2, + discharged
    st = f["/stack/step"][()]
    cyc = f["/steps/cycle"][()]
    idx = f["/steps/index"][()]
    t0 = f["/steps/start_time"][()]
    t1 = f["/steps/end_time"][()]
    txt = [text(x) for x in f["/steps/text"][()]]

    rows = []
    for c in np.unique(cyc):
        qd = qc = ed = ec = 0.0
        for k in np.nonzero(cyc == c)[0]:
            # charge passed in the step, from the integrator's charge count at its boundaries
            dq = np.interp(t1[k], t, q) - np.interp(t0[k], t, q)
            # energy: trapezoid over the step's rows (plus its start row, the previous step's end)
            m = np.nonzero(st == idx[k])[0]
            if m.size == 0:
                continue
            if m[0] > 0:
                m = np.concatenate(([m[0] - 1], m))
            p = j[m] * v[m]
            pp = np.where(p > 0, p, 0.0)
            pn = np.where(p < 0, p, 0.0)
            tt = t[m]
            ed += np.trapz(pp, tt) / 3600.0
            ec += -np.trapz(pn, tt) / 3600.0
            if dq > 0:
                qd += dq
            else:
                qc += -dq
        rows.append((int(c) + 1, qd / 10, qc / 10, ed / 10, ec / 10,
                     ed / qd if qd > 0 else float("nan"), qd / qc if qc > 0 else float("nan")))

    hdr = ("cycle", "discharge [mAh/cm^2]", "charge [mAh/cm^2]", "discharge energy [mWh/cm^2]",
           "charge energy [mWh/cm^2]", "mean discharge voltage [V]", "coulombic efficiency")
    print("%s: %s" % (a.results, text(f.attrs.get("status", "?"))))
    print("%5s %12s %12s %13s %13s %10s %10s" % ("cycle", "Qdis mAh/cm2", "Qch mAh/cm2",
                                                "Edis mWh/cm2", "Ech mWh/cm2", "Vmean dis", "CE"))
    for r in rows:
        print("%5d %12.5f %12.5f %13.5f %13.5f %10.4f %10.5f" % r)
    if a.csv:
        with open(a.csv, "w") as o:
            o.write(",".join(hdr) + "\n")
            for r in rows:
                o.write("%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n" % r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
