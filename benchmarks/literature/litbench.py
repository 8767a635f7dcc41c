"""Shared helpers of the literature regression benchmarks (benchmarks/literature/README.md).

Each benchmark script runs ssbsim on a case file of this directory with --set overrides, reads the
HDF5 results with h5py, prints a comparison table (simulated vs published, tolerance, PASS/FAIL) and
writes a PNG. Exit status: 0 every compared point passes, 1 a point fails or a run fails, 77 h5py,
numpy or matplotlib is missing (ctest SKIP_RETURN_CODE).
"""
import argparse
import os
import subprocess
import sys
import tempfile

try:
    import h5py  # noqa: F401
    import numpy as np  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: F401
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e} (needs the OS python3 with h5py, numpy and matplotlib)")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("ssbsim", help="path of the ssbsim program")
    p.add_argument("-o", "--outdir", default=".", help="where the PNG goes (default: current directory)")
    p.add_argument("--workdir", default=None, help="where the results files go (default: a temporary directory)")
    p.add_argument("--set", action="append", default=[], dest="sets", metavar="KEY=VALUE",
                   help="extra ssbsim --set override for every run (diagnostics only: a benchmark is its case file)")
    a = p.parse_args()
    if a.workdir is None:
        a._tmp = tempfile.TemporaryDirectory(prefix="ssblit_")
        a.workdir = a._tmp.name
    os.makedirs(a.workdir, exist_ok=True)
    os.makedirs(a.outdir, exist_ok=True)
    return a


def run(args, case, name, sets):
    """Run ssbsim on case (a file of this directory) with --set overrides; return the results path.
    Raises RuntimeError when ssbsim exits non-zero."""
    out = os.path.join(args.workdir, name + ".h5")
    cmd = [args.ssbsim, "run", os.path.join(HERE, case), "-o", out, "--set", "output.csv="]
    for s in list(sets) + list(args.sets):
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{name}: ssbsim exited {p.returncode}: {(p.stdout + p.stderr).strip()}")
    return out


class Table:
    """Rows of (quantity, simulated, published, source, deviation, tolerance, verdict)."""

    def __init__(self, title):
        self.title = title
        self.rows = []
        self.failed = 0

    def rel(self, what, sim, ref, tol, unit="", source=""):
        dev = sim / ref - 1.0
        ok = abs(dev) <= tol
        self.failed += not ok
        self.rows.append((what, f"{sim:.5g} {unit}".strip(), f"{ref:.5g} {unit}".strip(), source,
                          f"{100 * dev:+.2f} %", f"{100 * tol:g} %", "PASS" if ok else "FAIL"))
        return ok

    def check(self, what, sim, ref, ok, source="", tol="qualitative"):
        self.failed += not ok
        self.rows.append((what, sim, ref, source, "", tol, "PASS" if ok else "FAIL"))
        return ok

    def info(self, what, sim, ref, source="", dev=""):
        self.rows.append((what, sim, ref, source, dev, "info", "-"))

    def print(self):
        head = ("quantity", "simulated", "published", "source", "deviation", "tolerance", "result")
        w = [max(len(str(r[i])) for r in self.rows + [head]) for i in range(len(head))]
        print(self.title)
        line = "  ".join(h.ljust(w[i]) for i, h in enumerate(head))
        print(line)
        print("-" * len(line))
        for r in self.rows:
            print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
        n = sum(1 for r in self.rows if r[6] in ("PASS", "FAIL"))
        print(f"{n - self.failed} of {n} compared points pass" + (f", {self.failed} FAIL" if self.failed else ""))


def face_potential_drop(f, x_left, x_right):
    """phi_e(x_right) - phi_e(x_left) at every profile time, from the electrolyte nodes of
    /profiles/cell_1/phi_e extrapolated linearly to the two separator faces."""
    import numpy as np

    pe = f["/profiles/cell_1/phi_e"][()]
    x = f["/profiles/cell_1/x"][()]
    e0 = pe[:, 0] + (pe[:, 0] - pe[:, 1]) / (x[1] - x[0]) * (x[0] - x_left)
    e1 = pe[:, -1] + (pe[:, -1] - pe[:, -2]) / (x[-1] - x[-2]) * (x_right - x[-1])
    return f["/profiles/time"][()], e1 - e0
