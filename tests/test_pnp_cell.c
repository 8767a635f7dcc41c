/* test_pnp_cell.c -- debug scaffold */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <ssbsim/ssb_sim.h>
#include <petscksp.h>

static void test_debug(void **state)
{
  char        path[PETSC_MAX_PATH_LEN];
  const char *sets[] = {"cell.interfaces.negative.space_charge=resolved", "cell.interfaces.positive.space_charge=resolved", "experiment.steps=[Discharge at C/10 until 3.0 V]"};
  SsbCase    *c;
  SsbSim      sim;
  long        n;
  double     *y, *yp, *F, i1c;
  snprintf(path, sizeof path, "%s/cases/thin_film_space_charge.yaml", SSB_SOURCE_DIR);
  assert_int_equal(SsbCaseRead(path, 3, sets, &c), 0);
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, c, &sim), 0);
  assert_int_equal(SsbSimGetInfo(sim, &n, &i1c, NULL, NULL), 0);
  assert_int_equal(SsbSimGetState(sim, &n, &y, &yp), 0);
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  F = malloc(sizeof(double) * n);
  SsbSimSetControl(sim, SSB_CONTROL_CURRENT, 0.0);
  int bad = SsbSimResidualArray(sim, y, yp, F);
  print_message("bad %d\n", bad);
  for (long i = 0; i < n; i++)
    if (fabs(F[i]) > 1e-5) print_message("F[%ld] = %.3e (y %.6e)\n", i, F[i], y[i]);
  for (int s = 0; s < 2; s++) print_message("side %d: i_phi_if %d i_in %d i_pc %d i_pu %d n %d L %.3e D %.3e Rrelax %.3e\n", s, m->side[s].i_phi_if, m->side[s].i_in, m->side[s].i_pc, m->side[s].i_pu, m->side[s].pnp_n, m->side[s].pnp_L, m->side[s].pnp_D, m->side[s].scl_Rrelax);
  {
    /* Newton from the rest state with the current on (algebraic unknowns and the differential ones' yp) */
    const SsbCellModel *mm = m;
    SsbVarType *type = malloc(sizeof(SsbVarType) * n);
    int *dif = malloc(sizeof(int) * n);
    double *scale = malloc(sizeof(double) * n);
    SsbCellVarTypes(mm, type, dif, scale);
    SsbSimSetControl(sim, SSB_CONTROL_CURRENT, 0.1 * i1c);
    double cj = 1e3;
    for (int it = 0; it < 8; it++) {
      Mat J; Vec b, x; KSP ksp; PC pc;
      int bad = SsbSimResidualArray(sim, y, yp, F);
      double nrm = 0; long imax = 0;
      for (long i = 0; i < n; i++) if (fabs(F[i]) > nrm) nrm = fabs(F[i]), imax = i;
      print_message("it %d bad %d max|F| %.3e at %ld\n", it, bad, nrm, imax);
      SsbSimJacobianMat(sim, cj, y, yp, &J);
      MatCreateVecs(J, &x, &b);
      for (long i = 0; i < n; i++) VecSetValue(b, i, -F[i], INSERT_VALUES);
      VecAssemblyBegin(b); VecAssemblyEnd(b);
      KSPCreate(PETSC_COMM_SELF, &ksp); KSPSetOperators(ksp, J, J); KSPSetType(ksp, KSPPREONLY); KSPGetPC(ksp, &pc); PCSetType(pc, PCLU); PCFactorSetMatSolverType(pc, MATSOLVERUMFPACK);
      KSPSolve(ksp, b, x);
      const double *xx; VecGetArrayRead(x, &xx);
      double mx = 0; long jm = 0;
      for (long i = 0; i < n; i++) { if (dif[i] && i < mm->nvar) yp[i] += cj * xx[i]; else y[i] += xx[i]; if (fabs(xx[i]) > mx) mx = fabs(xx[i]), jm = i; }
      print_message("   max |dx| %.3e at %ld (type %d)\n", mx, jm, jm < mm->nvar ? (int)type[jm] : -1);
      VecRestoreArrayRead(x, &xx);
      KSPDestroy(&ksp); VecDestroy(&x); VecDestroy(&b); MatDestroy(&J);
    }
    free(type); free(dif); free(scale);
  }
  free(F);
  SsbSimDestroy(&sim);
  SsbCaseDestroy(&c);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_debug),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
