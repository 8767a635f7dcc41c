# Compare the rows after a checkpoint of a restarted run with the uninterrupted run:
# compare_restart.py FULL.h5 RESTARTED.h5 CHECKPOINT.h5; exit 1 if a relative difference in
# /stack/voltage, capacity or current exceeds 1e-10, or the rows (count, times) differ.
import h5py, numpy as np, sys
full, part, chk = sys.argv[1:4]
with h5py.File(chk) as f: tck = f["driver_real"][0]
worst = 0
with h5py.File(full) as a, h5py.File(part) as b:
    ta, tb = a["/stack/time"][:], b["/stack/time"][:]
    sa, sb = ta > tck, tb > tck
    print("checkpoint at t = %.17g s; rows after it: %d (uninterrupted %d); status: %s" % (tck, sb.sum(), sa.sum(), b.attrs["status"]))
    assert sa.sum() == sb.sum() and sb.sum() > 0, "row counts differ"
    assert np.array_equal(ta[sa], tb[sb]), "row times differ"
    for name in ("voltage", "capacity", "current"):
        va, vb = a["/stack/" + name][:][sa], b["/stack/" + name][:][sb]
        den = np.maximum(np.abs(va), np.abs(vb))
        d = np.max(np.where(den > 0, np.abs(va - vb) / np.where(den > 0, den, 1), 0))
        print("%-8s max relative difference %.3g" % (name, d))
        worst = max(worst, d)
sys.exit(0 if worst <= 1e-10 else 1)
