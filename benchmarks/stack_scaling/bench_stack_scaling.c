/* bench_stack_scaling.c -- cost of one 1C discharge of a series stack of N cells, N = 1, 10, 100, 1000.

   Case: cases/bipolar_stack_10.yaml (Li | LPSCl | NMC811 cells, 15 um Al bipolar plates with two
   0.5 ohm cm^2 contacts each) read through SsbCaseRead with the overrides
     stack.cells=N, stack.variation=[] (identical cells: the weak cell 4 does not exist for N < 4),
     cell.initial_soc=1, experiment.steps=[Discharge at 1C until <3.0 N> V],
     mesh.separator=8, mesh.positive=12, mesh.particle=10 (the case's own, modest, mesh),
     thermal.model=isothermal
   and, where the material data allow it, the same with thermal.model=stack (electrochemical-thermal).
   The per-cell limits of the case (cell_voltage_min 2.5 V, cell_voltage_max 4.25 V) stay: they are
   IDA root functions of every cell, part of the cost of a stack. -bench_case quickstart uses
   cases/quickstart.yaml instead (no bipolar plates).

   Timing: SsbSimCreate is timed separately (reported, not in the wall time); SsbSimRun(sim, NULL, ..)
   with MPI_Wtime. Wall time: the median of -bench_reps runs (default 5 for N <= 10, 3 for N <= 100,
   1 above), after one untimed warm-up run for N <= 100.

   Memory: glibc mallinfo2() (uordblks + hblkhd: bytes in use from malloc, main arena and mmapped
   chunks) before SsbSimCreate, after it, and after SsbSimRun (then the LU factors and IDA's work
   vectors exist), divided by N; and the growth of getrusage() ru_maxrss over the first run of each
   N (a high-water mark: meaningful because N increases).

   LU fill (-bench_fill, default off; one rank only): after the run, the Jacobian (SsbSimJacobianMat, the fixed
   pattern) is factored symbolically with PETSc's LU under the orderings of -bench_orderings (default
   rcm,nd,qmd; rcm is the solver's default) and the nonzeros of L+U are reported against J's.

   Options: -bench_cells 1,10,100,1000  -bench_reps R (all N)  -bench_case stack|quickstart
   -bench_thermal isothermal|stack|all  -bench_mesh sep,pos,particle  -bench_fill 0|1
   -bench_orderings rcm,nd,...  -bench_set 'key=value[;key=value...]' (extra overrides)  and any PETSc option of
   the linear solver (e.g. -pc_factor_mat_ordering_type nd). */
#include <ssbsim/ssb_sim.h>
#include <malloc.h>
#include <omp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* issue targets */
#define TARGET_FLAT     0.20  /* time per cell flat within 20 % from N = 10 to 1000 */
#define TARGET_1000_S   5.0   /* 1000 cells in <= 5 s */
#define TARGET_MEM_CELL 100e3 /* bytes per cell */

#define MAXN 16

typedef struct {
  int    N;
  long   n, steps, errf, nf, res, jac, setups, newton;
  double wall, wall_min, create, mem_create, mem_run, rss;
  char   status[160];
  int    ok;
} Row;

static int CompareDouble(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double HeapInUse(void)
{
  struct mallinfo2 mi = mallinfo2();
  return (double)mi.uordblks + (double)mi.hblkhd;
}

static double MaxRSS(void) /* bytes */
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return 1024.0 * (double)ru.ru_maxrss;
}

/* Does every layer of every cell (and every plate) carry density, heat_capacity and
   thermal_conductivity, as thermal.model stack needs? On failure, names the first gap in why. */
static int StackThermalDataOK(const SsbCase *c, char *why, size_t len)
{
  const SsbCell *cells = c->stack.cell ? c->stack.cell : &c->cell;
  int            nc    = c->stack.cell ? c->stack.cells : 1;
  for (int k = 0; k < nc; k++) {
    const SsbMaterial *m[4] = {cells[k].neg.material, cells[k].sep.electrolyte, cells[k].pos.material, NULL};
    if (cells[k].pos.kind == SSB_ELECTRODE_COMPOSITE) m[3] = cells[k].pos.electrolyte ? cells[k].pos.electrolyte : cells[k].sep.electrolyte;
    for (int i = 0; i < 4; i++) {
      if (!m[i]) continue;
      const SsbThermalProps *t    = &m[i]->thermal;
      const char            *miss = isnan(t->density) ? "density" : isnan(t->heat_capacity)        ? "heat_capacity"
                                                                  : isnan(t->thermal_conductivity) ? "thermal_conductivity"
                                                                                                   : NULL;
      if (miss) {
        snprintf(why, len, "material %s (%s) has no %s", m[i]->name, m[i]->file ? m[i]->file : "?", miss);
        return 0;
      }
    }
  }
  const SsbPlateSpec *pl[4] = {&c->stack.bipolar_plate, &c->stack.collector_negative, &c->stack.collector_positive, &c->stack.end_plate};
  for (int i = 0; i < 4; i++) {
    if (!pl[i]->material) continue;
    const SsbThermalProps *t = &pl[i]->material->thermal;
    if (isnan(t->density) || isnan(t->heat_capacity) || isnan(t->thermal_conductivity)) {
      snprintf(why, len, "plate material %s lacks thermal data", pl[i]->material->name);
      return 0;
    }
  }
  return 1;
}

/* nonzeros of L+U of J under an ordering (symbolic LU, PETSc's own) */
static PetscErrorCode LUFill(Mat J, const char *ordering, double *nz)
{
  Mat           F;
  IS            rperm, cperm;
  MatFactorInfo info;
  MatInfo       mi;
  PetscFunctionBeginUser;
  PetscCall(MatFactorInfoInitialize(&info));
  info.fill = 5.0;
  PetscCall(MatGetOrdering(J, ordering, &rperm, &cperm));
  PetscCall(MatGetFactor(J, MATSOLVERPETSC, MAT_FACTOR_LU, &F));
  PetscCall(MatLUFactorSymbolic(F, J, rperm, cperm, &info));
  PetscCall(MatGetInfo(F, MAT_LOCAL, &mi));
  *nz = mi.nz_used;
  PetscCall(MatDestroy(&F));
  PetscCall(ISDestroy(&rperm));
  PetscCall(ISDestroy(&cperm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode RunN(const char *file, int N, int thermal_stack, const int mesh[3], const char *extra, int reps, int warmup, int fill, char orderings[][32], int nord, Row *row)
{
  char        path[PETSC_MAX_PATH_LEN], s_cells[64], s_steps[128], s_mesh[3][64], why[256];
  const char *sets[16];
  int         nset = 0;
  SsbCase    *c;
  PetscFunctionBeginUser;
  memset(row, 0, sizeof(*row));
  row->N = N;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/cases/%s", SSB_SOURCE_DIR, file));
  PetscCall(PetscSNPrintf(s_cells, sizeof(s_cells), "stack.cells=%d", N));
  PetscCall(PetscSNPrintf(s_steps, sizeof(s_steps), "experiment.steps=[Discharge at 1C until %.1f V]", 3.0 * N));
  PetscCall(PetscSNPrintf(s_mesh[0], sizeof(s_mesh[0]), "mesh.separator=%d", mesh[0]));
  PetscCall(PetscSNPrintf(s_mesh[1], sizeof(s_mesh[1]), "mesh.positive=%d", mesh[1]));
  PetscCall(PetscSNPrintf(s_mesh[2], sizeof(s_mesh[2]), "mesh.particle=%d", mesh[2]));
  sets[nset++] = s_cells;
  sets[nset++] = "stack.variation=[]";
  sets[nset++] = "cell.initial_soc=1";
  sets[nset++] = s_steps;
  sets[nset++] = s_mesh[0];
  sets[nset++] = s_mesh[1];
  sets[nset++] = s_mesh[2];
  /* read isothermal first: the reader itself rejects thermal.model=stack without the data */
  sets[nset++] = "thermal.model=isothermal";
  char xbuf[256]; /* extra: overrides separated by ';' */
  PetscCall(PetscStrncpy(xbuf, extra ? extra : "", sizeof(xbuf)));
  for (char *tok = strtok(xbuf, ";"); tok && nset < (int)(sizeof(sets) / sizeof(sets[0])); tok = strtok(NULL, ";"))
    if (tok[0]) sets[nset++] = tok;
  PetscCall(SsbCaseRead(path, nset, sets, &c));
  if (thermal_stack) {
    if (!StackThermalDataOK(c, why, sizeof(why))) {
      PetscCall(PetscSNPrintf(row->status, sizeof(row->status), "skipped: %s", why));
      PetscCall(SsbCaseDestroy(&c));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    PetscCall(SsbCaseDestroy(&c));
    sets[7] = "thermal.model=stack";
    PetscCall(SsbCaseRead(path, nset, sets, &c));
  }

  double *wall;
  PetscCall(PetscMalloc1(reps, &wall));
  for (int r = -warmup; r < reps; r++) {
    SsbSim      sim;
    SsbSimStats st;
    const char *status = "";
    double      rss0 = MaxRSS(), m0 = HeapInUse(), t0 = MPI_Wtime();
    PetscCall(SsbSimCreate(PETSC_COMM_WORLD, c, &sim));
    double t1 = MPI_Wtime(), m1 = HeapInUse();
    PetscCall(SsbSimRun(sim, NULL, &status));
    double t2 = MPI_Wtime(), m2 = HeapInUse(), rss1 = MaxRSS();
    {
      /* every rank's memory (summed: per cell of the stack) and the slowest rank's time */
      double sum[5] = {m0, m1, m2, rss0, rss1}, tw = t2 - t1;
      PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sum, 5, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD));
      PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &tw, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD));
      m0 = sum[0], m1 = sum[1], m2 = sum[2], rss0 = sum[3], rss1 = sum[4];
      t2 = t1 + tw;
    }
    PetscCall(SsbSimGetStats(sim, &st));
    PetscCall(SsbSimGetInfo(sim, &row->n, NULL, NULL, NULL));
    if (r == -warmup) { /* the first run of this N: memory */
      row->mem_create = (m1 - m0) / N;
      row->mem_run    = (m2 - m0) / N;
      row->rss        = (rss1 - rss0) / N;
      row->create     = t1 - t0;
    }
    if (r >= 0) wall[r] = t2 - t1;
    row->steps  = st.steps;
    row->errf   = st.err_fails;
    row->nf     = st.newton_fails;
    row->res    = st.res_evals;
    row->jac    = st.jac_evals;
    row->setups = st.lin_setups;
    row->newton = st.newton_iters;
    PetscCall(PetscStrncpy(row->status, status, sizeof(row->status)));
    row->ok = strncmp(status, "failed", 6) != 0;
    PetscMPIInt nranks;
    PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &nranks));
    if (fill && nranks == 1 && r == reps - 1 && row->ok) {
      Mat       J;
      double   *y, *yp, nzJ;
      long      n;
      MatInfo   mi;
      PetscBool ok = PETSC_TRUE;
      PetscCall(SsbSimGetState(sim, &n, &y, &yp));
      PetscCall(SsbSimJacobianMat(sim, 1.0, y, yp, &J));
      PetscCall(MatGetInfo(J, MAT_LOCAL, &mi));
      nzJ = mi.nz_used;
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  N = %4d: nonzeros of J %.0f (%.1f per row); L+U:", N, nzJ, nzJ / (double)n));
      for (int o = 0; o < nord && ok; o++) {
        double nz = 0;
        PetscCall(LUFill(J, orderings[o], &nz));
        PetscCall(PetscPrintf(PETSC_COMM_WORLD, " %s %.0f (%.2fx J, %.0f per cell)", orderings[o], nz, nz / nzJ, nz / N));
      }
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
    }
    PetscCall(SsbSimDestroy(&sim));
    if (!row->ok) break;
  }
  if (row->ok) {
    qsort(wall, (size_t)reps, sizeof(double), CompareDouble);
    row->wall     = reps % 2 ? wall[reps / 2] : 0.5 * (wall[reps / 2 - 1] + wall[reps / 2]);
    row->wall_min = wall[0];
  }
  PetscCall(PetscFree(wall));
  PetscCall(SsbCaseDestroy(&c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode Report(const char *title, const Row *rows, int nrows)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n%s\n", title));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%5s %8s %6s %5s %5s %6s %5s %5s %6s %9s %9s %8s %9s %8s %8s %8s %8s\n", "N", "unknowns", "steps", "errf", "nwtf", "resid", "jac", "LU", "newton", "wall_s", "min_s", "ms/cell", "us/step", "create_s", "kB/c_cr", "kB/c_run", "kB/c_rss"));
  for (int i = 0; i < nrows; i++) {
    const Row *r = &rows[i];
    if (!r->ok) {
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%5d %s\n", r->N, r->status));
      continue;
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%5d %8ld %6ld %5ld %5ld %6ld %5ld %5ld %6ld %9.4f %9.4f %8.3f %9.1f %8.3f %8.1f %8.1f %8.1f\n", r->N, r->n, r->steps, r->errf, r->nf, r->res, r->jac, r->setups, r->newton, r->wall, r->wall_min, 1e3 * r->wall / r->N, 1e6 * r->wall / (double)PetscMax(r->steps, 1), r->create, r->mem_create / 1e3, r->mem_run / 1e3,
                          r->rss / 1e3));
  }
  for (int i = 0; i < nrows; i++)
    if (rows[i].ok && strcmp(rows[i].status, "completed")) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  N = %d: %s\n", rows[i].N, rows[i].status));
  /* targets */
  const Row *r10 = NULL, *r1000 = NULL;
  double     lo = INFINITY, hi = 0, memmax = 0;
  int        nmax = 0;
  for (int i = 0; i < nrows; i++) {
    if (!rows[i].ok) continue;
    if (rows[i].N == 10) r10 = &rows[i];
    if (rows[i].N == 1000) r1000 = &rows[i];
    if (rows[i].N >= 10 && rows[i].N <= 1000) {
      lo = PetscMin(lo, rows[i].wall / rows[i].N);
      hi = PetscMax(hi, rows[i].wall / rows[i].N);
    }
    if (rows[i].N >= nmax) {
      nmax   = rows[i].N;
      memmax = rows[i].mem_run;
    }
  }
  if (r10 && r1000) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  target: time per cell flat within %.0f %% for N = 10..1000: max/min %.2f -> %s\n", 100 * TARGET_FLAT, hi / lo, hi / lo <= 1 + TARGET_FLAT ? "met" : "NOT met"));
  if (r1000) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  target: 1000 cells in <= %.0f s: %.2f s (+ %.2f s SsbSimCreate) -> %s\n", TARGET_1000_S, r1000->wall, r1000->create, r1000->wall <= TARGET_1000_S ? "met" : "NOT met"));
  if (nrows) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  target: memory per cell <= %.0f kB: %.1f kB at N = %d (heap in use after the run, per cell) -> %s\n", TARGET_MEM_CELL / 1e3, memmax / 1e3, nmax, memmax <= TARGET_MEM_CELL ? "met" : "NOT met"));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  target: 2 MPI ranks on N = 200 >= 1.8x faster than 1 rank: run benchmarks/stack_scaling/mpi_speedup.sh\n"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt  cells[MAXN] = {1, 10, 100, 1000}, ncells = 4, mesh[3] = {8, 12, 10}, nmesh = 3, reps = -1;
  char      which[32] = "stack", thermal[32] = "all", extra[256] = "", ordstr[256] = "rcm,nd,qmd", orderings[8][32];
  PetscBool flg, fill = PETSC_FALSE;
  int       nord = 0;

  PetscMPIInt size;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-bench_cells", cells, &ncells, &flg));
  if (!flg) ncells = 4;
  PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-bench_mesh", mesh, &nmesh, &flg));
  PetscCheck(!flg || nmesh == 3, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "-bench_mesh takes separator,positive,particle");
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-bench_reps", &reps, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-bench_case", which, sizeof(which), NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-bench_thermal", thermal, sizeof(thermal), NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-bench_set", extra, sizeof(extra), NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-bench_fill", &fill, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-bench_orderings", ordstr, sizeof(ordstr), NULL));
  for (char *tok = strtok(ordstr, ","); tok && nord < 8; tok = strtok(NULL, ",")) PetscCall(PetscStrncpy(orderings[nord++], tok, sizeof(orderings[0])));
  PetscCheck(!strcmp(which, "stack") || !strcmp(which, "quickstart"), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "-bench_case stack|quickstart");
  const char *file = !strcmp(which, "stack") ? "bipolar_stack_10.yaml" : "quickstart.yaml";
  int         m[3] = {(int)mesh[0], (int)mesh[1], (int)mesh[2]};

  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ssbsim stack scaling benchmark: one 1C discharge to 3.0 V per cell of N identical cells in series (cases/%s), SsbSimRun with no output, %d MPI rank(s) x %d OpenMP thread(s)\n", file, size, omp_get_max_threads()));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "mesh: separator %d, positive %d, particle %d; memory: glibc mallinfo2 (heap in use) after SsbSimCreate and after SsbSimRun, minus before, per cell; ru_maxrss growth per cell\n", m[0], m[1], m[2]));
  if (extra[0]) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "extra override: %s\n", extra));
  for (int th = 0; th < 2; th++) {
    if (strcmp(thermal, "all") && strcmp(thermal, th ? "stack" : "isothermal")) continue;
    Row rows[MAXN];
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n[%s]\n", th ? "thermal.model stack (electrochemical-thermal)" : "thermal.model isothermal"));
    for (int i = 0; i < ncells; i++) {
      int N  = (int)cells[i];
      int rp = reps > 0 ? (int)reps : (N <= 10 ? 5 : N <= 100 ? 3
                                                              : 1);
      int wu = N <= 100 ? 1 : 0;
      PetscCall(RunN(file, N, th, m, extra, rp, wu, fill, orderings, nord, &rows[i]));
      if (!strncmp(rows[i].status, "skipped", 7)) {
        PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %s\n", rows[i].status));
        break;
      }
    }
    if (rows[0].ok || strncmp(rows[0].status, "skipped", 7)) PetscCall(Report(th ? "thermal.model stack" : "thermal.model isothermal", rows, (int)ncells));
  }
  PetscCall(PetscFinalize());
  return 0;
}
