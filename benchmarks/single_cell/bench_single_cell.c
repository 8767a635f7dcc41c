/* bench_single_cell.c -- wall time of one full 1C discharge of a single cell, inside the process.

   Cases: (a) the Li | single-ion polymer | TiS2 cell (cases/dfn1993_tis2.yaml, cut-off 1.8 V) and
   (b) the Li | LPSCl | NMC811 cell (cases/quickstart.yaml, cut-off 3.0 V), each at a PETLION-sized
   mesh (separator 10, positive 20, particle 11: 297 unknowns; PETLION's own example has 301) and at
   the case's default mesh (377 unknowns). The experiment is replaced by the single step
   "Discharge at 1C until <cut-off>"; tolerances are the case's (rtol 1e-6, atol 1e-9).

   Timing: every repetition creates a fresh SsbSim (case already read; SsbSimCreate builds the cell
   model, the Jacobian pattern, the KSP and IDA) OUTSIDE the timed region, then times SsbSimRun with
   results = NULL (no output) with MPI_Wtime, then destroys the SsbSim. The creation time is reported
   separately. -bench_warmup runs (default 3) precede -bench_reps timed runs (default 20).

   -bench_space_charge: compact space-charge layers on both interfaces of the NMC811 cell (issue 4's
   run-time figure): LPSCl relative_permittivity 30, a TIMING PLACEHOLDER (no sourced value, see
   docs/space-charge.md), steps 0.1 + 0.1 x V (positive, depletion) and -0.05 V (Li, accumulation),
   also placeholders; compare with the same run without the option.

   Options: -bench_reps N, -bench_warmup N, -bench_case tis2|nmc|all, -bench_mesh small|default|all,
   and any PETSc option of the linear solver (e.g. -pc_factor_mat_ordering_type nd). Statistics are
   those of the last run (they are identical in every run: the computation is deterministic). */
#include <ssbsim/ssb_sim.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_TARGET_MS 2.0 /* issue target: one 1C discharge at ~300 unknowns, one core */

typedef struct {
  const char *name, *file, *step;
} BenchCase;

static int CompareDouble(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static PetscErrorCode RunCase(const BenchCase *bc, int small, int scl, int warmup, int reps)
{
  char        path[PETSC_MAX_PATH_LEN], steps[256];
  const char *sets[10];
  int         nset = 0;
  SsbCase    *c;
  SsbSim      sim;
  SsbSimStats st;
  const char *status            = "";
  char        status_copy[1024] = "";
  long        n                 = 0;
  double      cap_th = 0, charge = 0, *wall, *create;
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/cases/%s", SSB_SOURCE_DIR, bc->file));
  PetscCall(PetscSNPrintf(steps, sizeof(steps), "experiment.steps=[%s]", bc->step));
  sets[nset++] = steps;
  if (small) {
    sets[nset++] = "mesh.separator=10";
    sets[nset++] = "mesh.positive=20";
    sets[nset++] = "mesh.particle=11";
  }
  if (scl) {
    sets[nset++] = "materials.lpscl.relative_permittivity=30"; /* timing placeholder, not a material value */
    sets[nset++] = "cell.interfaces.positive.space_charge=compact";
    sets[nset++] = "cell.interfaces.positive.space_charge_step=0.1 + 0.1*x";
    sets[nset++] = "cell.interfaces.negative.space_charge=compact";
    sets[nset++] = "cell.interfaces.negative.space_charge_step=-0.05 V";
  }
  PetscCall(SsbCaseRead(path, nset, sets, &c));
  PetscCall(PetscMalloc2(reps, &wall, reps, &create));
  for (int r = -warmup; r < reps; r++) {
    double t0 = MPI_Wtime();
    PetscCall(SsbSimCreate(PETSC_COMM_SELF, c, &sim));
    double t1 = MPI_Wtime();
    PetscCall(SsbSimRun(sim, NULL, &status));
    double t2 = MPI_Wtime();
    if (r >= 0) {
      wall[r]   = t2 - t1;
      create[r] = t1 - t0;
    }
    PetscCall(SsbSimGetStats(sim, &st));
    PetscCall(SsbSimGetInfo(sim, &n, NULL, &cap_th, NULL));
    PetscCall(SsbSimGetBalance(sim, &charge, NULL, NULL));
    PetscCheck(strncmp(status, "failed", 6), PETSC_COMM_SELF, PETSC_ERR_LIB, "%s: %s", bc->name, status);
    PetscCall(PetscStrncpy(status_copy, status, sizeof(status_copy))); /* status points into the SsbSim */
    PetscCall(SsbSimDestroy(&sim));
  }
  qsort(wall, (size_t)reps, sizeof(double), CompareDouble);
  qsort(create, (size_t)reps, sizeof(double), CompareDouble);
  double med  = reps % 2 ? wall[reps / 2] : 0.5 * (wall[reps / 2 - 1] + wall[reps / 2]);
  double cmed = reps % 2 ? create[reps / 2] : 0.5 * (create[reps / 2 - 1] + create[reps / 2]);
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "%s, %s mesh (sep %d, pos %d, particle %d)%s: \"%s\"\n", bc->name, small ? "PETLION-sized" : "default", c->mesh.separator, c->mesh.positive, c->mesh.particle, scl ? ", compact space charge" : "", bc->step));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  status               %s\n", status_copy));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  unknowns             %ld\n", n));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  IDA steps            %ld (error-test failures %ld, Newton failures %ld)\n", st.steps, st.err_fails, st.newton_fails));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  residual evals       %ld\n", st.res_evals));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  Jacobian evals       %ld\n", st.jac_evals));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  factorisations       %ld\n", st.lin_setups));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  Newton iterations    %ld\n", st.newton_iters));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  linear iterations    %ld\n", st.lin_iters));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  capacity delivered   %.6f mAh/cm^2 (%.4f of theoretical)\n", charge / 36000.0, charge / cap_th));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  wall per discharge   median %.3f ms, min %.3f ms (%d runs after %d warm-up; %.2f us per IDA step)\n", 1e3 * med, 1e3 * wall[0], reps, warmup, 1e6 * med / (double)PetscMax(st.steps, 1)));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  SsbSimCreate         median %.3f ms (not in the timed region)\n", 1e3 * cmed));
  if (small) PetscCall(PetscPrintf(PETSC_COMM_SELF, "  target               <= %.1f ms at ~300 unknowns: %s\n", BENCH_TARGET_MS, 1e3 * med <= BENCH_TARGET_MS ? "met" : "NOT met"));
  PetscCall(PetscFree2(wall, create));
  PetscCall(SsbCaseDestroy(&c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  static const BenchCase cases[] = {
    {"TiS2 (dfn1993_tis2)", "dfn1993_tis2.yaml", "Discharge at 1C until 1.8 V"},
    {"NMC811 (quickstart)", "quickstart.yaml", "Discharge at 1C until 3.0 V"},
  };
  PetscInt  reps = 20, warmup = 3;
  char      which[32] = "all", mesh[32] = "all";
  PetscBool flg, scl                    = PETSC_FALSE;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-bench_reps", &reps, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-bench_warmup", &warmup, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-bench_case", which, sizeof(which), &flg));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-bench_mesh", mesh, sizeof(mesh), &flg));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-bench_space_charge", &scl, NULL));
  PetscCheck(reps >= 1 && warmup >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "-bench_reps must be >= 1 and -bench_warmup >= 0");
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "ssbsim single-cell benchmark: one full 1C discharge, timed inside the process (SsbSimRun, no output)\n"));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "anchors: PETLION ~3 ms (301 unknowns), DUALFOIL 0.35-2.65 s; target <= %.1f ms at ~300 unknowns\n\n", BENCH_TARGET_MS));
  for (int i = 0; i < 2; i++) {
    if (strcmp(which, "all") && strcmp(which, i == 0 ? "tis2" : "nmc")) continue;
    if (scl && i == 0) continue; /* the space-charge variant exists for the NMC811 cell only */
    for (int small = 1; small >= 0; small--) {
      if (strcmp(mesh, "all") && strcmp(mesh, small ? "small" : "default")) continue;
      PetscCall(RunCase(&cases[i], small, scl ? 1 : 0, (int)warmup, (int)reps));
    }
  }
  PetscCall(PetscFinalize());
  return 0;
}
