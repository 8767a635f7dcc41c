#!/usr/bin/env bash
# Design map of a Li | LPSCl | NMC811 cell: delivered Wh/kg (and Wh/L) over the solid-electrolyte
# separator thickness (10 .. 100 um) and the cathode loading (1 .. 8 mAh/cm^2), one 1C discharge
# to 3.0 V per point (cases/sweep_design.yaml). Not part of ctest.
#
#   bash benchmarks/sweep_map/run.sh [OUTDIR] [RANKS]        (defaults: sweep_map, 2)
#
# Environment: SSBSIM (default build/ssbsim), MPIEXEC (default mpiexec), PYTHON (default
# /usr/bin/python3). Writes OUTDIR/point_<p>.h5/.csv and OUTDIR/summary.csv (ssbsim sweep), then
# OUTDIR/sweep_map.png and OUTDIR/sweep_map_grid.csv (scripts/sweep_map.py).
#
# Loadings: the cathode of cases/sweep_design.yaml holds 0.0534668 mAh/cm^2 per um (`ssbsim check`:
# 4.11694 mAh/cm^2 at 77 um), so L mAh/cm^2 is L / 0.0534668 um; the sweep varies that thickness.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../.." && pwd)"
exe="${SSBSIM:-$src/build/ssbsim}"
mpiexec="${MPIEXEC:-mpiexec}"
py="${PYTHON:-/usr/bin/python3}"
out="${1:-sweep_map}"
np="${2:-2}"
per_um=0.0534668

seps="$(seq 10 10 100 | sed 's/$/ um/' | paste -sd,)"                       # 10 values
loads="$(seq 1 0.5 8)"                                                       # 15 values
thick="$(for L in $loads; do awk -v L="$L" -v k="$per_um" 'BEGIN { printf "%.2f um\n", L / k }'; done | paste -sd,)"
echo "separator: $seps"
echo "cathode:   $thick  (loadings $(echo $loads | tr ' ' ','), mAh/cm^2)"

# root needs --allow-run-as-root; one OpenMP thread per rank (a 1-cell case has nothing to share)
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-run-as-root)
start=$(date +%s.%N)
set +e
OMP_NUM_THREADS=1 "$mpiexec" "${extra[@]}" -n "$np" "$exe" sweep "$src/cases/sweep_design.yaml" \
  --vary "cell.separator.thickness=$seps" \
  --vary "cell.positive.thickness=$thick" \
  -o "$out"
rc=$?
set -e
end=$(date +%s.%N)
echo "sweep: exit $rc, wall time $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s on $np ranks"
[ $rc -le 2 ] || exit $rc
"$py" "$src/scripts/sweep_map.py" "$out/summary.csv" -o "$out/sweep_map.png" --csv "$out/sweep_map_grid.csv" \
  --y-scale "$per_um" --title "Li | LPSCl | NMC811, 1C to 3.0 V: delivered energy density (cell with Cu/Al collectors, no packaging)"
exit $rc
