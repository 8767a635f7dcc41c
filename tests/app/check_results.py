#!/usr/bin/env python3
"""check_results.py FILE.h5 [--status REGEX] [--min-rows N] [--csv FILE.csv]

Asserts that an ssbsim results file has every path interface.md requires, each dataset with a
`units` attribute of the documented value, the required file attributes, a status matching REGEX,
and (with --csv) a CSV summary with the documented header and as many rows as /stack/time."""
import re
import sys

try:
    import h5py
    import numpy as np
except ImportError:
    print("h5py/numpy missing: skipped")
    sys.exit(77)

REQUIRED = {
    "/stack/time": "s", "/stack/current_density": "A/m^2", "/stack/current": "A", "/stack/voltage": "V",
    "/stack/capacity": "A*h/m^2", "/stack/temperature_max": "K", "/stack/heat_rate": "W/m^2",
    "/stack/step": "1", "/cells/voltage": "V", "/cells/temperature": "K", "/cells/soc": "1",
    "/thermal/z": "m", "/thermal/temperature": "K", "/profiles/time": "s",
}
ATTRS = ["case", "version", "sign_convention", "mpi_ranks", "threads", "status"]
HEADER = "time [s],current [A/m^2],voltage [V],capacity [A*h/m^2],temperature max [K],step"


def main(argv):
    path = argv[1]
    status_re = argv[argv.index("--status") + 1] if "--status" in argv else "completed"
    min_rows = int(argv[argv.index("--min-rows") + 1]) if "--min-rows" in argv else 2
    fails = []
    with h5py.File(path, "r") as f:
        for p, u in REQUIRED.items():
            if p not in f:
                fails.append(f"missing {p}")
                continue
            got = f[p].attrs.get("units")
            got = got.decode() if isinstance(got, bytes) else got
            if got != u:
                fails.append(f"{p}: units {got!r}, expected {u!r}")
        for a in ATTRS:
            if a not in f.attrs:
                fails.append(f"missing file attribute {a}")
        status = f.attrs.get("status", b"")
        status = status.decode() if isinstance(status, bytes) else str(status)
        if not re.search(status_re, status):
            fails.append(f"status {status!r} does not match {status_re!r}")
        nrow = f["/stack/time"].shape[0] if "/stack/time" in f else 0
        if nrow < min_rows:
            fails.append(f"{nrow} rows, expected at least {min_rows}")
        ncells = int(f.attrs.get("ncells", 1))
        if "/cells/voltage" in f and f["/cells/voltage"].shape != (nrow, ncells):
            fails.append(f"/cells/voltage shape {f['/cells/voltage'].shape}, expected ({nrow}, {ncells})")
        if nrow and "/cells/voltage" in f and "/stack/voltage" in f and ncells > 1:
            # the stack voltage is the sum of the cells' less the plates' ohmic drop I R (R >= 0)
            s_cells = f["/cells/voltage"][-1].sum()
            drop = s_cells - f["/stack/voltage"][-1]
            if drop * f["/stack/current_density"][-1] < -1e-9:
                fails.append("the plates' drop has the wrong sign")
        if "/steps" not in f:
            fails.append("missing /steps")
        t = f["/stack/time"][:] if "/stack/time" in f else np.zeros(0)
        if np.any(np.diff(t) < 0):
            fails.append("/stack/time decreases")
        print(f"{path}: {nrow} rows, status {status!r}")
    if "--csv" in argv:
        lines = open(argv[argv.index("--csv") + 1]).read().splitlines()
        if not lines or lines[0] != HEADER:
            fails.append(f"CSV header {lines[:1]!r}")
        elif len(lines) - 1 != nrow:
            fails.append(f"CSV has {len(lines) - 1} rows, HDF5 {nrow}")
    for m in fails:
        print("FAIL:", m)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
