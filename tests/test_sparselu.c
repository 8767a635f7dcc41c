/* test_sparselu.c -- ssbsim's sparse LU (solver/sparselu.c), the default linear solver of a single
   cell on one rank:
   - on the Newton matrices of real single cells (the TiS2 cell of Doyle et al. 1993 and the NMC811
     quick-start cell, current and voltage control, a loaded state): the solution of a random
     right-hand side agrees with PETSc's own LU with the same (RCM) ordering, measured as a backward
     error |J (x - x_petsc)|_inf / (|J|_inf |x|_inf) <= 1e-14 (it is 0 here: the same operations in
     the same order); the backward errors themselves are printed (neither LU pivots);
   - the choice: a single cell gets it by default, -ssb_linear_solver petsc and a PETSc solver option
     (-pc_factor_mat_ordering_type) do not; an isothermal stack (by option: a stack's default is the
     block elimination) meets PETSc's zero pivot with RCM at its first factorisation: the sparse LU
     goes on in the natural ordering;
   - a zero pivot is reported (the caller then hands over to PETSc's LU and its fallbacks), and a
     small unsymmetric matrix with fill is solved exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../solver/sim_impl.h"
#include "solve_check.h"

#define OK(x) assert_int_equal((x), 0)

static void CheckCell(const char *file, SsbControl mode, double value)
{
  char      path[PETSC_MAX_PATH_LEN];
  SsbCase  *c;
  SsbSim    s;
  Mat       J;
  double   *y, *yp, i1c;
  long      n;
  const int nset = 3;
  /* the PETLION-sized mesh of benchmarks/single_cell */
  const char *sets[] = {"mesh.separator=10", "mesh.positive=20", "mesh.particle=11"};
  snprintf(path, sizeof path, "%s/cases/%s", SSB_SOURCE_DIR, file);
  assert_int_equal(SsbCaseRead(path, nset, sets, &c), 0);
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, c, &s), 0);
  assert_non_null(s->slu); /* the default for a single cell */
  assert_int_equal(SsbSimGetInfo(s, &n, &i1c, NULL, NULL), 0);
  assert_int_equal(SsbSimSetControl(s, mode, mode == SSB_CONTROL_CURRENT ? value * i1c : value), 0);
  assert_int_equal(SsbSimGetState(s, &n, &y, &yp), 0);
  y[s->iI] = i1c; /* a loaded state: the Butler-Volmer slopes away from zero current */
  assert_int_equal(SsbSimJacobianMat(s, 2.5e2, y, yp, &J), 0);

  const PetscScalar *a;
  double            *b, *x;
  OK(PetscMalloc2(n, &b, n, &x));
  srand(11);
  for (long i = 0; i < n; i++) b[i] = 2.0 * rand() / RAND_MAX - 1.0;
  OK(MatSeqAIJGetArrayRead(J, &a));
  assert_int_equal(SsbSparseLUFactor(s->slu, a), 0);
  OK(MatSeqAIJRestoreArrayRead(J, &a));
  SsbSparseLUSolve(s->slu, b, x);
  SolveCheck sc = {0, 0, 0};
  OK(SolveCheckCompute(J, n, x, b, NULL, MATORDERINGRCM, &sc));
  print_message("%s, %s: n = %ld, L+U %ld entries: backward error normwise %.2e, componentwise %.2e; vs PETSc's LU %.2e\n", file, mode == SSB_CONTROL_CURRENT ? "current" : "voltage", n, SsbSparseLUFactorEntries(s->slu), sc.normwise, sc.componentwise, sc.vs_reference);
  /* the same algorithm and ordering as PETSc's LU: the same solution (to round-off) */
  assert_true(sc.vs_reference <= 1e-14);
  /* neither pivots: in current control the normwise backward error is 4e-12 (TiS2) and 1e-9
     (NMC811), componentwise up to 4e-4, for both (in voltage control 1e-18 and 2e-16); Newton's
     iteration absorbs it. A loose bound only, against a broken factorisation. */
  assert_true(sc.normwise <= 1e-7);
  OK(PetscFree2(b, x));
  assert_int_equal(SsbSimDestroy(&s), 0);
  assert_int_equal(SsbCaseDestroy(&c), 0);
}

static void test_tis2_current(void **state) { CheckCell("dfn1993_tis2.yaml", SSB_CONTROL_CURRENT, 1.0); }
static void test_tis2_voltage(void **state) { CheckCell("dfn1993_tis2.yaml", SSB_CONTROL_VOLTAGE, 2.2); }
static void test_nmc_current(void **state) { CheckCell("quickstart.yaml", SSB_CONTROL_CURRENT, 1.0); }
static void test_nmc_voltage(void **state) { CheckCell("quickstart.yaml", SSB_CONTROL_VOLTAGE, 3.7); }

/* -ssb_linear_solver petsc and a PETSc solver option select PETSc's solver */
static void test_choice(void **state)
{
  char        path[PETSC_MAX_PATH_LEN];
  SsbCase    *c;
  SsbSim      s;
  const char *opt[][2] = {
    {"-ssb_linear_solver", "petsc"},
    {"-pc_factor_mat_ordering_type", "qmd"}};
  snprintf(path, sizeof path, "%s/cases/dfn1993_tis2.yaml", SSB_SOURCE_DIR);
  assert_int_equal(SsbCaseRead(path, 0, NULL, &c), 0);
  for (int i = 0; i < 2; i++) {
    OK(PetscOptionsSetValue(NULL, opt[i][0], opt[i][1]));
    assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, c, &s), 0);
    assert_null(s->slu);
    assert_null(s->bd);
    assert_int_equal(SsbSimDestroy(&s), 0);
    OK(PetscOptionsClearValue(NULL, opt[i][0]));
  }
  assert_int_equal(SsbCaseDestroy(&c), 0);
}

/* a 4-cell isothermal stack: a zero pivot with RCM at rest, the natural ordering from then on, the
   same steps as PETSc's LU (which takes the same fallback) */
static void test_stack(void **state)
{
  char        path[PETSC_MAX_PATH_LEN];
  const char *sets[] = {"stack.cells=4", "thermal.model=isothermal", "stack.variation=[]", "experiment.steps=[Discharge at 1C until 12.0 V]"};
  SsbCase    *c;
  SsbSim      s;
  SsbSimStats st[2];
  const char *status;
  snprintf(path, sizeof path, "%s/cases/bipolar_stack_10.yaml", SSB_SOURCE_DIR);
  assert_int_equal(SsbCaseRead(path, 4, sets, &c), 0);
  for (int k = 0; k < 2; k++) {
    /* a stack's default is the block elimination: the sparse LU of the whole matrix by option */
    OK(PetscOptionsSetValue(NULL, "-ssb_linear_solver", k ? "petsc" : "sparselu"));
    assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, c, &s), 0);
    if (!k) {
      assert_non_null(s->slu);
      assert_false(s->natural);
    }
    assert_int_equal(SsbSimRun(s, NULL, &status), 0);
    assert_true(strncmp(status, "failed", 6) != 0);
    if (!k) {
      assert_non_null(s->slu); /* still the sparse LU */
      assert_true(s->natural); /* in the natural ordering */
    }
    assert_int_equal(SsbSimGetStats(s, &st[k]), 0);
    assert_int_equal(SsbSimDestroy(&s), 0);
  }
  OK(PetscOptionsClearValue(NULL, "-ssb_linear_solver"));
  print_message("4-cell stack: sparse LU %ld steps, %ld Newton iterations; PETSc's LU %ld, %ld\n", st[0].steps, st[0].newton_iters, st[1].steps, st[1].newton_iters);
  assert_int_equal(st[0].steps, st[1].steps);
  assert_int_equal(st[0].newton_iters, st[1].newton_iters);
  assert_int_equal(SsbCaseDestroy(&c), 0);
}

/* a 4 x 4 unsymmetric matrix with fill (natural ordering), and a zero pivot */
static void test_small(void **state)
{
  /* A = [4 1 0 1; 1 4 1 0; 0 1 4 0; 2 0 1 4], CSR */
  const PetscInt ia[] = {0, 3, 6, 8, 11}, ja[] = {0, 1, 3, 0, 1, 2, 1, 2, 0, 2, 3}, perm[] = {0, 1, 2, 3};
  const double   a[] = {4, 1, 1, 1, 4, 1, 1, 4, 2, 1, 4}, xe[] = {1, -2, 3, -4};
  double         b[4], x[4];
  SsbSparseLU    lu;
  for (int i = 0; i < 4; i++) {
    b[i] = 0;
    for (PetscInt e = ia[i]; e < ia[i + 1]; e++) b[i] += a[e] * xe[ja[e]];
  }
  OK(SsbSparseLUCreate(4, ia, ja, perm, &lu));
  assert_int_equal(SsbSparseLUFactorEntries(lu), 11 + 3); /* fill (1,3), (2,3), (3,1) */
  assert_int_equal(SsbSparseLUFactor(lu, a), 0);
  SsbSparseLUSolve(lu, b, x);
  for (int i = 0; i < 4; i++) assert_true(fabs(x[i] - xe[i]) <= 1e-15 * 4);
  SsbSparseLUSolve(lu, b, b); /* in place */
  for (int i = 0; i < 4; i++) assert_true(fabs(b[i] - xe[i]) <= 1e-15 * 4);
  const double z[] = {0, 1, 1, 1, 4, 1, 1, 4, 2, 1, 4}; /* a zero first pivot */
  assert_int_equal(SsbSparseLUFactor(lu, z), 1);
  OK(SsbSparseLUDestroy(&lu));
  assert_null(lu);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_small), cmocka_unit_test(test_tis2_current), cmocka_unit_test(test_tis2_voltage), cmocka_unit_test(test_nmc_current), cmocka_unit_test(test_nmc_voltage), cmocka_unit_test(test_choice), cmocka_unit_test(test_stack)};
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int fails = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return fails;
}
