#!/bin/bash
# 2 MPI ranks against 1 on a stack of N cells (issue target: N = 200, >= 1.8x), and 2 OpenMP threads
# against 1 on one rank: bench_stack_scaling under mpirun, isothermal 1C discharge, median of REPS.
# Ranks are bound to cores (steadier on a shared VM: 2-rank runs 0.49-0.51 s instead of 0.45-0.55 s);
# the threads run unbound.
# usage: mpi_speedup.sh BENCH_STACK_SCALING [N] [REPS] [isothermal|stack]
#   (BENCH: build/benchmarks/stack_scaling/bench_stack_scaling; stack: the electrochemical-thermal run
#   with the placeholder LPSCl heat capacity of README.md, timing only)
set -eu
bench=$1
N=${2:-200}
reps=${3:-3}
model=${4:-isothermal}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
args=(-bench_cells "$N" -bench_thermal "$model" -bench_reps "$reps")
[ "$model" = stack ] && args+=(-bench_set "materials.lpscl.heat_capacity=700 J/(kg K)")
wall() { awk -v n="$N" '$1 == n && NF > 10 { print $10 }'; }
echo "== 1 rank, 1 thread"
out1=$(OMP_NUM_THREADS=1 mpirun --allow-run-as-root --bind-to core -n 1 "$bench" "${args[@]}")
echo "$out1" | grep -A1 "^    N"
echo "== 2 ranks, 1 thread each"
out2=$(OMP_NUM_THREADS=1 mpirun --allow-run-as-root --bind-to core -n 2 "$bench" "${args[@]}")
echo "$out2" | grep -A1 "^    N"
echo "== 1 rank, 2 threads"
outt=$(OMP_NUM_THREADS=2 mpirun --allow-run-as-root --oversubscribe --bind-to none -n 1 "$bench" "${args[@]}")
echo "$outt" | grep -A1 "^    N"
w1=$(echo "$out1" | wall)
w2=$(echo "$out2" | wall)
wt=$(echo "$outt" | wall)
awk -v a="$w1" -v b="$w2" -v c="$wt" -v n="$N" 'BEGIN {
  printf "N = %d: 1 rank %.3f s, 2 ranks %.3f s: speedup %.2fx (target >= 1.8x: %s); 2 threads %.3f s: speedup %.2fx\n", n, a, b, a / b, (a / b >= 1.8) ? "met" : "NOT met", c, a / c }'
