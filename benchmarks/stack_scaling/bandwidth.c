/* bandwidth.c -- the machine's streaming bandwidth in and out of the last-level cache: the figure
   that decides how much slower per cell a stack whose working set exceeds the cache runs
   (README.md, "Why the time per cell is not flat").

   For working sets of about 3, 25 and 100 MB (three arrays of doubles) it times the triad
   c[i] = a[i] + 1.5 b[i] (two reads and a write per entry, as IDA's linear sums) on OpenMP
   threads, static schedule, and prints the best of 5 repetitions in GB/s (24 bytes per entry; a
   write-allocate's extra read is not counted). Run with OMP_NUM_THREADS=1 and =2.

   usage: bench_bandwidth [MB ...]   (working-set sizes; default 3 25 100) */
#include <stdio.h>
#include <stdlib.h>
#if defined(_OPENMP)
#  include <omp.h>
#endif
#include <time.h>

static double Now(void)
{
#if defined(_OPENMP)
  return omp_get_wtime();
#else
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
#endif
}

int main(int argc, char **argv)
{
  double mb[16] = {3, 25, 100};
  int    nmb    = 3;
  if (argc > 1) {
    nmb = 0;
    for (int i = 1; i < argc && nmb < 16; i++) {
      char  *end;
      double v = strtod(argv[i], &end);
      if (*end || !(v > 0 && v < 1e5)) {
        fprintf(stderr, "bench_bandwidth: '%s' is not a working-set size in MB (0 < MB < 1e5)\n", argv[i]);
        return 1;
      }
      mb[nmb++] = v;
    }
  }
  int nt = 1;
#if defined(_OPENMP)
  nt = omp_get_max_threads();
#endif
  printf("triad c = a + 1.5 b, %d thread(s), best of 5 repetitions\n%12s %10s %8s %10s\n", nt, "set_MB", "entries", "reps", "GB/s");
  for (int s = 0; s < nmb; s++) {
    size_t  n = (size_t)(mb[s] * 1e6 / 24.0);
    double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double));
    if (!n || !a || !b || !c) {
      fprintf(stderr, "bench_bandwidth: cannot allocate %.0f MB\n", mb[s]);
      return 1;
    }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) a[i] = 1, b[i] = 2, c[i] = 0; /* first touch by the thread that uses it */
    int    reps = (int)(4e9 / (24.0 * (double)n)) + 3;
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
      double t0 = Now();
      for (int k = 0; k < reps; k++) {
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) c[i] = a[i] + 1.5 * b[i];
      }
      double t = (Now() - t0) / reps;
      if (t < best) best = t;
    }
    printf("%12.1f %10zu %8d %10.1f\n", 24.0 * (double)n / 1e6, n, reps, 24.0 * (double)n / best / 1e9);
    if (c[n / 2] != 4.0) return 2; /* keeps the loop */
    free(a);
    free(b);
    free(c);
  }
  return 0;
}
