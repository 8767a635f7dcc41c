#!/usr/bin/env python3
"""Plot a design map (Wh/kg, Wh/L) from the summary.csv of an `ssbsim sweep` over two keys.

    /usr/bin/python3 scripts/sweep_map.py DIR/summary.csv [-o map.png]
        [--x cell.separator.thickness] [--y cell.positive.thickness]
        [--y-scale 0.0534668 --y-label "cathode loading [mAh/cm^2]"]
        [--z "energy density delivered cell [Wh/kg]"] [--csv grid.csv]

The summary (docs/user-guide.md, "Design sweeps") has one row per point: the value of each
varied key as written ("30 um"), the status and the delivered figures. The two varied keys give
the axes; the values are read as "number unit" and lengths are shown in um. `--y-scale` multiplies
the y value (in um) to plot another quantity: the default 0.0534668 mAh/cm^2 per um turns the
cathode thickness of cases/sweep_design.yaml into its loading (`ssbsim check` prints the
capacity of any thickness). Points that did not complete or terminate are left blank (and
counted). The figure has the Wh/kg map (filled contours over the grid, the points as dots, the
best point marked) and, beside it, the Wh/L map. The script prints the grid size, the ranges and
the best points.
"""
import argparse
import csv
import re
import sys

import numpy as np

UNITS_TO_UM = {"um": 1.0, "µm": 1.0, "nm": 1e-3, "mm": 1e3, "m": 1e6, "cm": 1e4}


def number(text):
    """'30 um' -> 30.0 (um); a bare number is taken as SI metres if < 1 (else as written)."""
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*([^\s]*)\s*", text)
    if not m:
        raise ValueError("cannot read the value %r" % text)
    v, u = float(m.group(1)), m.group(2)
    if u in UNITS_TO_UM:
        return v * UNITS_TO_UM[u]
    if u == "":
        return v * 1e6 if v < 1 else v
    raise ValueError("unknown unit in %r" % text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("summary")
    ap.add_argument("-o", "--output", default="sweep_map.png")
    ap.add_argument("--x", default="cell.separator.thickness")
    ap.add_argument("--y", default="cell.positive.thickness")
    ap.add_argument("--x-label", default="solid-electrolyte separator thickness [um]")
    ap.add_argument("--y-scale", type=float, default=0.0534668,
                    help="factor from the y value in um to the plotted quantity (default: mAh/cm^2 per um of cases/sweep_design.yaml)")
    ap.add_argument("--y-label", default="cathode loading [mAh/cm^2]")
    ap.add_argument("--z", default="energy density delivered cell [Wh/kg]")
    ap.add_argument("--z2", default="energy density delivered cell [Wh/L]")
    ap.add_argument("--title", default=None)
    ap.add_argument("--csv", help="also write the grid (x, y, thickness, z, z2, status) to this CSV")
    a = ap.parse_args(argv)

    rows = list(csv.DictReader(open(a.summary)))
    if not rows:
        sys.exit("%s: no rows" % a.summary)
    for k in (a.x, a.y, a.z, "status"):
        if k not in rows[0]:
            sys.exit("%s: no column %r (columns: %s)" % (a.summary, k, ", ".join(rows[0])))
    xs = sorted({number(r[a.x]) for r in rows})
    ys = sorted({number(r[a.y]) for r in rows})
    Z = np.full((len(ys), len(xs)), np.nan)
    Z2 = np.full_like(Z, np.nan)
    bad = []
    for r in rows:
        i, j = ys.index(number(r[a.y])), xs.index(number(r[a.x]))
        ok = r["status"] == "completed" or r["status"].startswith("terminated")
        if not ok:
            bad.append((r["point"], r[a.x], r[a.y], r["status"]))
            continue
        Z[i, j] = float(r[a.z])
        if a.z2 in r:
            Z2[i, j] = float(r[a.z2])
    X = np.array(xs)
    Y = np.array(ys) * a.y_scale

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(Z, a.z)] + ([(Z2, a.z2)] if np.isfinite(Z2).any() else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 5.0), squeeze=False)
    for ax, (G, label) in zip(axes[0], panels):
        lv = np.linspace(np.nanmin(G), np.nanmax(G), 16)
        cf = ax.contourf(X, Y, np.ma.masked_invalid(G), levels=lv, cmap="viridis")
        cs = ax.contour(X, Y, np.ma.masked_invalid(G), levels=lv[1::3], colors="k", linewidths=0.5)
        ax.clabel(cs, fmt="%.0f", fontsize=7)
        fig.colorbar(cf, ax=ax, label=label)
        XX, YY = np.meshgrid(X, Y)
        ok = np.isfinite(G)
        ax.plot(XX[ok], YY[ok], "k.", ms=2)
        if (~ok).any():
            ax.plot(XX[~ok], YY[~ok], "rx", ms=6, label="failed / invalid")
            ax.legend(loc="lower right", fontsize=8)
        i, j = np.unravel_index(np.nanargmax(G), G.shape)
        ax.plot(X[j], Y[i], "r*", ms=12)
        ax.annotate("%.0f" % G[i, j], (X[j], Y[i]), textcoords="offset points", xytext=(6, -12), color="r")
        ax.set_xlabel(a.x_label)
        ax.set_ylabel(a.y_label)
        ax.set_title(label.replace("energy density delivered ", "delivered "))
    fig.suptitle(a.title or "ssbsim design map: %s (%d x %d points)" % (a.summary, len(xs), len(ys)), fontsize=10)
    fig.tight_layout()
    fig.savefig(a.output, dpi=150)

    print("%s: %d points, grid %d (%s) x %d (%s); %d not completed" % (a.summary, len(rows), len(xs), a.x, len(ys), a.y, len(bad)))
    for G, label in panels:
        i, j = np.unravel_index(np.nanargmax(G), G.shape)
        k, l = np.unravel_index(np.nanargmin(G), G.shape)
        print("%s: %.1f .. %.1f; max at %s = %g um, %s = %.4g (%g um); min at %g um, %.4g" % (
            label, np.nanmin(G), np.nanmax(G), a.x, X[j], a.y_label, Y[i], ys[i], X[l], Y[k]))
    for b in bad:
        print("point %s (%s, %s): %s" % b)
    if a.csv:
        with open(a.csv, "w") as o:
            o.write("x [um],y,y value [um],%s,%s\n" % (a.z, a.z2))
            for i in range(len(ys)):
                for j in range(len(xs)):
                    o.write("%g,%.6g,%g,%.6g,%.6g\n" % (X[j], Y[i], ys[i], Z[i, j], Z2[i, j]))
    print("wrote", a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
