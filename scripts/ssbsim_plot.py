#!/usr/bin/env python3
"""ssbsim_plot.py -- turn an ssbsim results file (HDF5, docs/results.md) into PNG figures.

    ssbsim_plot.py results.h5 [-o OUTDIR]

Writes, for whatever the file holds (every group except /stack is optional):
  voltage_capacity.png       stack voltage vs capacity (mAh/cm^2), coloured by experiment step
  voltage_current_time.png   stack voltage and current density vs time
  cell_voltages.png          each cell's voltage vs time (/cells/voltage)
  thermal_temperature.png    temperature across the stack vs time (/thermal/temperature, > 1 point)
  heat_sources.png           the stack's heat rate by kind vs time (/cells/heat_*, /stack/heat_plates),
                             and each cell's total heat at the last row (a stack of more than one cell)
  profile_<cell>_<name>.png  every profile under /profiles/cell_*/: one line per profile time
  cs_r_<cell>.png            the c_s(r) profiles of a cell (name c_s*, radial grid r*) side by side
and prints the path of every file it wrote. Exit status 0 on success, 2 on a bad file, 77 when
h5py or matplotlib is missing (ctest SKIP_RETURN_CODE).
"""
import argparse
import os
import sys

try:
    import numpy as np
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import cm, colors
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(f"ssbsim_plot.py: skipped, {exc} (install python3-h5py and python3-matplotlib)", file=sys.stderr)
    sys.exit(77)


def text(value):
    """An HDF5 string (str, bytes or numpy bytes) as str."""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", "replace")
    return str(value)


def units(dset):
    return text(dset.attrs.get("units", ""))


def label(name, dset):
    u = units(dset)
    return f"{name} [{u}]" if u and u != "1" else name


def dataset(f, path):
    """The dataset at path, or None if absent or not a dataset."""
    obj = f.get(path)
    return obj if isinstance(obj, h5py.Dataset) else None


def time_axis(t):
    """Times in s, h or min, whichever reads best; returns (values, unit)."""
    span = float(np.nanmax(t)) if t.size else 0.0
    if span >= 3 * 3600:
        return t / 3600.0, "h"
    if span >= 3 * 60:
        return t / 60.0, "min"
    return t, "s"


class Writer:
    def __init__(self, outdir):
        self.outdir = outdir
        self.written = []

    def save(self, fig, name):
        path = os.path.join(self.outdir, name)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        self.written.append(path)
        print(path)


def safe_name(s):
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in s).strip("_")


def plot_voltage_capacity(f, w, title):
    q, v = dataset(f, "/stack/capacity"), dataset(f, "/stack/voltage")
    if q is None or v is None or q.shape[0] == 0:
        return
    cap = q[()] * 0.1  # A*h/m^2 -> mAh/cm^2
    volt = v[()]
    st = dataset(f, "/stack/step")
    step = st[()].astype(int) if st is not None and st.shape[0] == cap.shape[0] else np.zeros(cap.shape, int)
    steps = np.unique(step)
    cmap = plt.get_cmap("viridis" if len(steps) > 10 else "tab10")
    norm = colors.Normalize(vmin=steps.min(), vmax=max(steps.max(), steps.min() + 1))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for s in steps:
        m = step == s
        c = cmap(norm(s)) if len(steps) > 10 else cmap(int(s) % 10)
        ax.plot(cap[m], volt[m], "-", color=c, marker="." if m.sum() < 3 else None, label=f"step {s}")
    if len(steps) <= 10:
        ax.legend(fontsize="small")
    else:
        fig.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label="step")
    ax.set_xlabel("capacity [mAh/cm$^2$]")
    ax.set_ylabel("stack voltage [V]")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    w.save(fig, "voltage_capacity.png")


def plot_voltage_current(f, w, title):
    t, v, i = dataset(f, "/stack/time"), dataset(f, "/stack/voltage"), dataset(f, "/stack/current_density")
    if t is None or v is None or t.shape[0] == 0:
        return
    tt, tu = time_axis(t[()])
    fig, (a1, a2) = plt.subplots(2, 1, sharex=True, figsize=(7, 5.5))
    a1.plot(tt, v[()], "-", color="C0")
    a1.set_ylabel("stack voltage [V]")
    a1.set_title(title)
    a1.grid(alpha=0.3)
    if i is not None:
        a2.plot(tt, i[()] * 0.1, "-", color="C1")  # A/m^2 -> mA/cm^2
        a2.set_ylabel("current density [mA/cm$^2$]\n(+ discharge)")
    a2.set_xlabel(f"time [{tu}]")
    a2.grid(alpha=0.3)
    w.save(fig, "voltage_current_time.png")


def plot_cell_voltages(f, w, title):
    t, cv = dataset(f, "/stack/time"), dataset(f, "/cells/voltage")
    if t is None or cv is None or cv.ndim != 2 or cv.shape[0] == 0:
        return
    n = min(t.shape[0], cv.shape[0])
    tt, tu = time_axis(t[()][:n])
    data = cv[()][:n]
    ncells = data.shape[1]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    cmap = plt.get_cmap("viridis")
    for k in range(ncells):
        ax.plot(tt, data[:, k], "-", color=cmap(k / max(ncells - 1, 1)), lw=1, label=f"cell {k + 1}")
    if ncells <= 10:
        ax.legend(fontsize="small")
    else:
        fig.colorbar(cm.ScalarMappable(norm=colors.Normalize(1, ncells), cmap=cmap), ax=ax, label="cell")
    ax.set_xlabel(f"time [{tu}]")
    ax.set_ylabel("cell voltage [V]")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    w.save(fig, "cell_voltages.png")


def profile_times(f, n):
    pt = dataset(f, "/profiles/time")
    if pt is not None and pt.shape[0] >= n:
        return pt[()][:n]
    return np.arange(n, dtype=float)


def grid_of(f, dset):
    """The grid dataset named by the profile's `grid` attribute (values, label) or indices."""
    g = dset.attrs.get("grid")
    n = dset.shape[1]
    if g is not None:
        gd = dataset(f, text(g))
        if gd is not None and gd.shape == (n,):
            name = text(g).rsplit("/", 1)[-1]
            return gd[()], label(name, gd), name
    return np.arange(n), "index", ""


def lines_over_time(ax, x, data, times, tu):
    cmap = plt.get_cmap("plasma")
    norm = colors.Normalize(vmin=float(times.min()), vmax=float(max(times.max(), times.min() + 1e-300)))
    for p in range(data.shape[0]):
        ax.plot(x, data[p], "-", color=cmap(norm(times[p])), lw=1)
    return cm.ScalarMappable(norm=norm, cmap=cmap)


def is_radial(name, gridname):
    return name.startswith("c_s") and gridname.startswith("r")


def plot_profiles(f, w, title):
    prof = f.get("/profiles")
    if not isinstance(prof, h5py.Group):
        return
    for cname in sorted(prof):
        cell = prof[cname]
        if not cname.startswith("cell_") or not isinstance(cell, h5py.Group):
            continue
        radial = []
        for name in sorted(cell):
            d = cell[name]
            if not isinstance(d, h5py.Dataset) or d.ndim != 2 or d.shape[0] == 0:
                continue
            x, xlabel, gname = grid_of(f, d)
            if is_radial(name, gname):
                radial.append((name, d, x, xlabel))
                continue
            times = profile_times(f, d.shape[0])
            tt, tu = time_axis(times)
            fig, ax = plt.subplots(figsize=(7, 4.5))
            sm = lines_over_time(ax, x, d[()], tt, tu)
            fig.colorbar(sm, ax=ax, label=f"time [{tu}]")
            ax.set_xlabel(xlabel)
            ax.set_ylabel(label(name, d))
            ax.set_title(f"{title}: {cname} {name}" if title else f"{cname} {name}")
            ax.grid(alpha=0.3)
            w.save(fig, f"profile_{safe_name(cname)}_{safe_name(name)}.png")
        if radial:
            plot_cs_r(f, w, title, cname, radial)


def plot_cs_r(f, w, title, cname, radial):
    """Particle concentration c_s(r), one panel per stored particle position."""
    n = len(radial)
    ncol = min(n, 3)
    nrow = (n + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.5 * ncol + 1.5, 3.8 * nrow + 0.6), squeeze=False, constrained_layout=True)
    sm = None
    for k, (name, d, x, xlabel) in enumerate(radial):
        ax = axes[k // ncol][k % ncol]
        times = profile_times(f, d.shape[0])
        tt, tu = time_axis(times)
        sm = lines_over_time(ax, x, d[()], tt, tu)
        pos = d.attrs.get("position")
        ax.set_title(name if pos is None else f"{name} (x = {float(np.asarray(pos)):g})", fontsize="medium")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(label("c_s", d))
        ax.grid(alpha=0.3)
    for k in range(n, nrow * ncol):
        axes[k // ncol][k % ncol].set_visible(False)
    fig.colorbar(sm, ax=axes.ravel().tolist(), label=f"time [{tu}]")
    fig.suptitle(f"{title}: {cname} particle concentration" if title else f"{cname} particle concentration")
    path = os.path.join(w.outdir, f"cs_r_{safe_name(cname)}.png")
    fig.savefig(path, dpi=120)  # constrained layout, not Writer.save: tight_layout ignores the shared colour bar
    plt.close(fig)
    w.written.append(path)
    print(path)


def plot_thermal(f, w, title):
    T = dataset(f, "/thermal/temperature")
    if T is None or T.ndim != 2 or T.shape[1] < 2 or T.shape[0] == 0:
        return
    z = dataset(f, "/thermal/z")
    zz = z[()] * 1e3 if z is not None and z.shape == (T.shape[1],) else np.arange(T.shape[1])
    zl = "position across the stack [mm]" if z is not None and z.shape == (T.shape[1],) else "node"
    times = profile_times(f, T.shape[0])
    tt, tu = time_axis(times)
    data = T[()]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    if T.shape[0] >= 2:
        mesh = ax.pcolormesh(tt, zz, data.T, shading="nearest", cmap="inferno")
        fig.colorbar(mesh, ax=ax, label=label("temperature", T))
        ax.set_xlabel(f"time [{tu}]")
        ax.set_ylabel(zl)
    else:
        ax.plot(zz, data[0], "-o")
        ax.set_xlabel(zl)
        ax.set_ylabel(label("temperature", T))
    ax.set_title(f"{title}: temperature across the stack" if title else "temperature across the stack")
    w.save(fig, "thermal_temperature.png")


def plot_heat(f, w, title):
    kinds = [("ohmic", "/cells/heat_ohmic"), ("reaction", "/cells/heat_reaction"),
             ("reversible", "/cells/heat_reversible"), ("contact", "/cells/heat_contact")]
    data = [(name, dataset(f, path)) for name, path in kinds]
    data = [(name, d[()]) for name, d in data if d is not None and d.ndim == 2 and d.shape[0] > 1]
    if not data:
        return
    t = dataset(f, "/stack/time")
    if t is None or t.shape[0] != data[0][1].shape[0]:
        return
    tt, tu = time_axis(t[()])
    plates = dataset(f, "/stack/heat_plates")
    ncells = data[0][1].shape[1]
    fig, axes = plt.subplots(1, 2 if ncells > 1 else 1, figsize=(12 if ncells > 1 else 7, 4.5), squeeze=False)
    ax = axes[0][0]
    for name, d in data:
        ax.plot(tt, d.sum(axis=1), label=name)
    if plates is not None and plates.shape[0] == t.shape[0]:
        ax.plot(tt, plates[()], label="plates and collectors")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel(f"time [{tu}]")
    ax.set_ylabel("heat rate of the stack [W/m^2]")
    ax.legend(fontsize=8)
    ax.set_title("heat by kind (sum over the cells)")
    if title:
        fig.suptitle(title, fontsize=10)
    if ncells > 1:
        ax = axes[0][1]
        total = sum(d[-1] for _, d in data)
        ax.bar(np.arange(1, ncells + 1), total, color="tab:red")
        ax.set_xlabel("cell")
        ax.set_ylabel("heat rate at the last row [W/m^2]")
        ax.set_title("heat of each cell")
    w.save(fig, "heat_sources.png")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Plot an ssbsim results file (HDF5) into PNG figures.")
    ap.add_argument("results", help="results file written by ssbsim (HDF5)")
    ap.add_argument("-o", "--outdir", default=None, help="output folder (default: next to the results file)")
    args = ap.parse_args(argv)
    outdir = args.outdir or (os.path.dirname(os.path.abspath(args.results)))
    os.makedirs(outdir, exist_ok=True)
    try:
        f = h5py.File(args.results, "r")
    except OSError as exc:
        print(f"ssbsim_plot.py: cannot open {args.results}: {exc}", file=sys.stderr)
        return 2
    w = Writer(outdir)
    with f:
        title = text(f.attrs.get("title", "")) or os.path.basename(args.results)
        status = text(f.attrs.get("status", ""))
        if status and status != "completed":
            print(f"ssbsim_plot.py: note: {args.results} has status '{status}'", file=sys.stderr)
        plot_voltage_capacity(f, w, title)
        plot_voltage_current(f, w, title)
        plot_cell_voltages(f, w, title)
        plot_thermal(f, w, title)
        plot_heat(f, w, title)
        plot_profiles(f, w, title)
    if not w.written:
        print(f"ssbsim_plot.py: nothing to plot in {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
