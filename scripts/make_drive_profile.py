#!/usr/bin/env python3
"""Build the synthetic urban drive profile cases/profiles/urban_ece15_ev.csv.

    /usr/bin/python3 scripts/make_drive_profile.py [-o cases/profiles/urban_ece15_ev.csv]
        [--pack-energy 10] [--cell-energy 15.965] [--repeat 4]

What it is: the battery power of a small electric car driving the ECE-15 elementary urban cycle
(UN ECE Regulation 83 / EU Directive 70/220/EEC "Type I test", part one of the NEDC; the
operation table as published e.g. by DieselNet, "Emission Test Cycles: ECE 15 + EUDC / NEDC"),
repeated `--repeat` times (4 x 195 s = 780 s, the urban driving cycle UDC of the NEDC). The
cycle's speed table is turned into a 1 Hz speed trace and then into battery power with a
textbook road-load model of a compact EV:

    P_wheel = (m_eff a + m g C_rr + 0.5 rho C_d A v^2) v
    P_batt  = P_wheel / eta + P_aux                     (traction, P_wheel > 0)
    P_batt  = f_regen eta P_wheel + P_aux               (braking: regenerative, negative = charge)

with m = 1600 kg (m_eff = 1.05 m), C_rr = 0.009, C_d A = 0.29 x 2.3 m^2, rho = 1.2 kg/m^3,
eta = 0.88 (battery to wheel), f_regen = 0.7 (share of the braking power that is recuperated;
the rest goes to the friction brakes) and P_aux = 0.5 kW (idle draw: electronics, climate).
The vehicle numbers are generic round values, not a particular car, so the profile is SYNTHETIC:
it is "modelled on" the ECE-15 speed trace, it is not a measured battery profile.

Scaling to one cell: the pack power is mapped to the cell's power per electrode area with the
ratio of the cell's energy per area (`--cell-energy`, mWh/cm^2: the theoretical 15.965 mWh/cm^2
of the quick-start Li | LPSCl | NMC811 cell, `ssbsim check`) to the pack energy (`--pack-energy`,
kWh; default 10 kWh, a small city EV or a plug-in hybrid pack). So 1 kW of pack power is
15.965/10 = 1.5965 mW/cm^2 of cell power.

The 1 Hz trace is then thinned: a point is dropped while linear interpolation between the kept
points reproduces every 1 Hz value within 1 % of the peak power (the ssbsim integrator stops at
every row, so fewer rows run faster). Each speed jump keeps its 1 s ramp.
"""
import argparse
import sys

import numpy as np

# ECE-15 elementary urban cycle: (operation, duration [s], speed at the end [km/h]); the speed
# changes linearly within an operation (accelerations and decelerations), gear changes and idles
# keep it. Durations sum to 195 s; the published accelerations are the speed changes over these
# durations (1.04, -0.69, -0.92, 0.83, 0.94, -0.75, 0.62, 0.52, -0.52, -0.86 m/s^2).
ECE15 = [
    ("idle", 11, 0), ("accelerate", 4, 15), ("cruise", 8, 15), ("decelerate", 2, 10),
    ("decelerate", 3, 0), ("idle", 21, 0), ("accelerate", 5, 15), ("gear change", 2, 15),
    ("accelerate", 5, 32), ("cruise", 24, 32), ("decelerate", 8, 10), ("decelerate", 3, 0),
    ("idle", 21, 0), ("accelerate", 5, 15), ("gear change", 2, 15), ("accelerate", 9, 35),
    ("gear change", 2, 35), ("accelerate", 8, 50), ("cruise", 12, 50), ("decelerate", 8, 35),
    ("cruise", 13, 35), ("gear change", 2, 35), ("decelerate", 7, 10), ("decelerate", 3, 0),
    ("idle", 7, 0),
]


def speed_trace(repeat):
    """1 Hz speed [m/s] of `repeat` ECE-15 cycles, t = 0 .. 195*repeat s."""
    t, v = [0.0], [0.0]
    for _ in range(repeat):
        for _, d, vend in ECE15:
            v0 = v[-1]
            for k in range(1, d + 1):
                t.append(t[-1] + 1)
                v.append(v0 + (vend / 3.6 - v0) * k / d)
    return np.array(t), np.array(v)


def battery_power(t, v, m=1600.0, crr=0.009, cda=0.29 * 2.3, rho=1.2, eta=0.88, regen=0.7, aux=500.0):
    """Battery power [W] (+ discharge) at the 1 Hz points, acceleration by central differences."""
    a = np.gradient(v, t)
    pw = (1.05 * m * a + m * 9.81 * crr * (v > 0) + 0.5 * rho * cda * v ** 2) * v
    return np.where(pw >= 0, pw / eta, regen * eta * pw) + aux


def thin(t, p, tol):
    """Keep the fewest points (greedy, left to right) with |linear interpolation - p| <= tol."""
    keep = [0]
    i = 0
    n = len(t)
    while i < n - 1:
        j = i + 1
        while j + 1 < n:
            k = j + 1
            seg = slice(i, k + 1)
            pi = np.interp(t[seg], [t[i], t[k]], [p[i], p[k]])
            if np.max(np.abs(pi - p[seg])) > tol:
                break
            j = k
        keep.append(j)
        i = j
    return np.array(keep)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default="cases/profiles/urban_ece15_ev.csv")
    ap.add_argument("--pack-energy", type=float, default=10.0, help="pack energy [kWh] (default 10)")
    ap.add_argument("--cell-energy", type=float, default=15.965, help="cell energy [mWh/cm^2] (default 15.965)")
    ap.add_argument("--repeat", type=int, default=4, help="ECE-15 cycles in the file (default 4 = UDC)")
    a = ap.parse_args(argv)

    t, v = speed_trace(a.repeat)
    pb = battery_power(t, v)                              # W, pack
    scale = a.cell_energy / (a.pack_energy * 1000.0)      # mW/cm^2 per W of pack power
    pc = pb * scale
    keep = thin(t, pc, 0.01 * np.max(np.abs(pc)))
    tk, pk = t[keep], pc[keep]

    dist = np.trapz(v, t) / 1000
    e_out = np.trapz(np.where(pb > 0, pb, 0), t) / 3.6e6
    e_in = -np.trapz(np.where(pb < 0, pb, 0), t) / 3.6e6
    c1 = a.cell_energy  # mW/cm^2 that empties the cell's energy in 1 h
    stats = [
        "%d x ECE-15 = %d s, %.3f km, mean speed %.1f km/h, max 50 km/h" % (a.repeat, t[-1], dist, dist / t[-1] * 3600),
        "pack power %.2f .. %.2f kW, mean %.3f kW; traction+aux %.4f kWh, regenerated %.4f kWh (%.1f %%), %.0f Wh/km" % (
            pb.min() / 1e3, pb.max() / 1e3, np.trapz(pb, t) / t[-1] / 1e3, e_out, e_in, 100 * e_in / e_out,
            (e_out - e_in) * 1e3 / dist),
        "cell (pack %.3g kWh -> %.5g mWh/cm^2): %.3f .. %.3f mW/cm^2, mean %.4f mW/cm^2 (%.2fC .. %.2fC, mean %.3fC energy rate)" % (
            a.pack_energy, a.cell_energy, pk.min(), pk.max(), np.trapz(pc, t) / t[-1], pk.min() / c1, pk.max() / c1,
            np.trapz(pc, t) / t[-1] / c1),
        "%d rows (thinned from %d at 1 Hz, within 1 %% of the peak)" % (len(tk), len(t)),
    ]
    with open(a.output, "w") as o:
        o.write("# SYNTHETIC urban drive profile for ssbsim 'Run profile' steps (written by scripts/make_drive_profile.py).\n")
        o.write("# Modelled on the ECE-15 elementary urban cycle (UN ECE R83 / EU 70/220/EEC Type I test, the urban\n")
        o.write("# part of the NEDC; speed table as published by DieselNet), turned into battery power with a generic\n")
        o.write("# road-load model of a 1600 kg compact EV (C_rr 0.009, C_d A 0.667 m^2, 88 % drivetrain, 70 % of the\n")
        o.write("# braking power recuperated, 0.5 kW auxiliaries): accelerate, cruise, regenerative braking (negative =\n")
        o.write("# charge), idle. Not a measured profile. Pack %.3g kWh scaled to a cell of %.5g mWh/cm^2.\n" % (a.pack_energy, a.cell_energy))
        for s in stats:
            o.write("# " + s + "\n")
        o.write("time [s],power [mW/cm^2]\n")
        for ti, pi in zip(tk, pk):
            o.write("%g,%.5f\n" % (ti, pi))
    for s in stats:
        print(s)
    print("wrote", a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
