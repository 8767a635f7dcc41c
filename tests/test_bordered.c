/* test_bordered.c -- the block-elimination solver (solver/bordered.c) against an LU of the whole
   matrix, on the Newton matrices of real stacks, with both factorisations of the cells (ssbsim's
   sparse LU of each rank's cells, and KLU per cell):
   - 8 cells with the stack thermal model (border: 31 layer temperatures, energy, current, charge),
     current control and voltage control (the last cell's terminal row enters the control row), and
     4 cells isothermal; a random right-hand side;
   - the backward error |J x - b|_inf / (|J|_inf |x|_inf + |b|_inf) of the bordered solution is at
     round-off level (<= 1e-14; a direct solve of a matrix with entries from 1e-4 to 1e8 in SI units),
     and so is the componentwise one, max_i |J x - b|_i / (|J| |x| + |b|)_i <= 1e-13 (every row, also
     the small ones, solved to round-off),
     and its solution agrees with PETSc's pivoting LU (UMFPACK) to the accuracy the condition allows:
     the difference is checked as a backward error too, |J (x - x_ref)|_inf / (|J|_inf |x|_inf) <= 1e-13.
   - the cells' sparse LU in groups of SSB_LU_LANES (8) cells with one pattern (interleaved, SIMD)
     gives bitwise the numbers of the scalar LU of the chunk (-ssb_bordered_batch 0), with 1 and 2
     threads, for stacks of 19 (thermal) and 13 (isothermal) cells (several groups a chunk, the last
     padded), and 1 and 2 threads agree bitwise.
   The Li6PS5Cl heat capacity the stack thermal model needs is a placeholder here (700 J/(kg K); no
   sourced value is in the library). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../solver/sim_impl.h"
#include "solve_check.h"
#ifdef _OPENMP
#  include <omp.h>
#endif

#define OK(x) assert_int_equal((x), 0)

static void Check1(const char *thermal, const char *cells, SsbControl mode, double value_c, PetscBool klu)
{
  char        path[PETSC_MAX_PATH_LEN];
  const char *sets[] = {thermal, cells, "materials.lpscl.heat_capacity=700 J/(kg K)", "stack.variation=[{cells: [2], set: {positive.thickness: 69.3 um}}]", "cell.initial_soc=0.5"};
  SsbCase    *c;
  SsbSim      s;
  Mat         J;
  double     *y, *yp, i1c;
  long        n;
  snprintf(path, sizeof path, "%s/cases/bipolar_stack_10.yaml", SSB_SOURCE_DIR);
  OK(PetscOptionsSetValue(NULL, "-ssb_bordered_klu", klu ? "1" : "0"));
  assert_int_equal(SsbCaseRead(path, 5, sets, &c), 0);
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, c, &s), 0);
  assert_non_null(s->bd);
  assert_int_equal(SsbSimGetInfo(s, &n, &i1c, NULL, NULL), 0);
  assert_int_equal(SsbSimSetControl(s, mode, mode == SSB_CONTROL_CURRENT ? value_c * i1c : value_c * s->ncells), 0);
  assert_int_equal(SsbSimGetState(s, &n, &y, &yp), 0);
  y[s->iI] = 2 * i1c; /* a loaded state: the Butler-Volmer slopes away from zero current */
  assert_int_equal(SsbSimJacobianMat(s, 2.5e2, y, yp, &J), 0);

  const PetscScalar *a;
  double            *b, *x, *xi;
  OK(PetscMalloc3(n, &b, n, &x, n, &xi));
  srand(7);
  for (long i = 0; i < n; i++) {
    b[i] = xi[i] = 2.0 * rand() / RAND_MAX - 1.0;
    x[i]         = 1e300; /* out of place: x's old contents must not matter */
  }
  OK(MatSeqAIJGetArrayRead(J, &a));
  assert_int_equal(SsbBorderedFactor(s->bd, a), 0);
  OK(MatSeqAIJRestoreArrayRead(J, &a));
  assert_int_equal(SsbBorderedSolve(s->bd, b, x), 0);
  assert_int_equal(SsbBorderedSolve(s->bd, xi, xi), 0); /* in place: the same numbers */
  for (long i = 0; i < n; i++) assert_true(xi[i] == x[i]);
  SolveCheck sc = {0, 0, 0};
  OK(SolveCheckCompute(J, n, x, b, MATSOLVERUMFPACK, NULL, &sc));
  print_message("%s%s, %s, %s: n = %ld, border %ld: backward error normwise %.2e, componentwise %.2e; vs UMFPACK %.2e\n", klu ? "KLU per cell: " : "sparse LU per rank: ", thermal, cells, mode == SSB_CONTROL_CURRENT ? "current" : "voltage", n, n - (long)s->coff[s->ncells], sc.normwise, sc.componentwise, sc.vs_reference);
  assert_true(sc.normwise <= 1e-14);
  assert_true(sc.componentwise <= 1e-13);
  assert_true(sc.vs_reference <= 1e-13);
  OK(PetscFree3(b, x, xi));
  assert_int_equal(SsbSimDestroy(&s), 0);
  assert_int_equal(SsbCaseDestroy(&c), 0);
}

/* both factorisations of the cell blocks: the sparse LU of each rank's cells, and KLU per cell (the
   fallback after a zero pivot, forced by -ssb_bordered_klu) */
static void Check(const char *thermal, const char *cells, SsbControl mode, double value_c)
{
  Check1(thermal, cells, mode, value_c, PETSC_FALSE);
  Check1(thermal, cells, mode, value_c, PETSC_TRUE);
}

static void test_stack_thermal_current(void **state) { Check("thermal.model=stack", "stack.cells=8", SSB_CONTROL_CURRENT, 1.0); }
static void test_stack_thermal_voltage(void **state) { Check("thermal.model=stack", "stack.cells=8", SSB_CONTROL_VOLTAGE, 3.9); }
static void test_lumped_voltage(void **state) { Check("thermal.model=lumped", "stack.cells=3", SSB_CONTROL_VOLTAGE, 3.9); }
static void test_isothermal_current(void **state) { Check("thermal.model=isothermal", "stack.cells=4", SSB_CONTROL_CURRENT, 2.0); }

/* the solution of one Newton system with the cells' LU in groups (batch) or scalar, on nt threads */
static void SolveWith(const char *thermal, const char *cells, PetscBool batch, int nt, long *pn, double **px)
{
  char        path[PETSC_MAX_PATH_LEN];
  const char *sets[] = {thermal, cells, "materials.lpscl.heat_capacity=700 J/(kg K)", "cell.initial_soc=0.5", "stack.variation=[{cells: [2], set: {positive.thickness: 69.3 um}}]"};
  SsbCase    *c;
  SsbSim      s;
  Mat         J;
  double     *y, *yp, i1c, *b;
  long        n;
  int         nbat, nch;
  snprintf(path, sizeof path, "%s/cases/bipolar_stack_10.yaml", SSB_SOURCE_DIR);
  OK(PetscOptionsSetValue(NULL, "-ssb_bordered_klu", "0"));
  OK(PetscOptionsSetValue(NULL, "-ssb_bordered_batch", batch ? "1" : "0"));
#ifdef _OPENMP
  omp_set_num_threads(nt);
#endif
  assert_int_equal(SsbCaseRead(path, 5, sets, &c), 0);
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, c, &s), 0);
  assert_non_null(s->bd);
  SsbBorderedChunks(s->bd, &nbat, &nch);
#ifdef _OPENMP
  assert_int_equal(nch, nt);
#endif
  assert_int_equal(nbat, batch ? nch : 0); /* one mesh in every cell */
  assert_int_equal(SsbSimGetInfo(s, &n, &i1c, NULL, NULL), 0);
  assert_int_equal(SsbSimSetControl(s, SSB_CONTROL_CURRENT, i1c), 0);
  assert_int_equal(SsbSimGetState(s, &n, &y, &yp), 0);
  srand(5); /* every cell's values different (the same pattern): a lane mixed up would show */
  for (long i = 0; i < (long)s->coff[s->ncells]; i++) y[i] *= 1 + 1e-3 * (2.0 * rand() / RAND_MAX - 1.0);
  y[s->iI] = 2 * i1c;
  assert_int_equal(SsbSimJacobianMat(s, 2.5e2, y, yp, &J), 0);
  const PetscScalar *a;
  OK(PetscMalloc1(n, &b));
  OK(PetscMalloc1(n, px));
  srand(11);
  for (long i = 0; i < n; i++) b[i] = 2.0 * rand() / RAND_MAX - 1.0;
  OK(MatSeqAIJGetArrayRead(J, &a));
  assert_int_equal(SsbBorderedFactor(s->bd, a), 0);
  OK(MatSeqAIJRestoreArrayRead(J, &a));
  assert_int_equal(SsbBorderedSolve(s->bd, b, *px), 0);
  *pn = n;
  OK(PetscFree(b));
  assert_int_equal(SsbSimDestroy(&s), 0);
  assert_int_equal(SsbCaseDestroy(&c), 0);
}

static void CheckBatch(const char *thermal, const char *cells)
{
  long    n0, n;
  double *x0, *x;
  SolveWith(thermal, cells, PETSC_FALSE, 1, &n0, &x0);
  for (int nt = 1; nt <= 2; nt++)
    for (int batch = 0; batch <= 1; batch++) {
      SolveWith(thermal, cells, (PetscBool)batch, nt, &n, &x);
      assert_int_equal(n, n0);
      long diff = 0;
      for (long i = 0; i < n; i++) diff += memcmp(&x[i], &x0[i], sizeof(double)) != 0;
      print_message("%s, %s, %d thread(s), %s LU of the cells: %ld of %ld unknowns differ bitwise from the scalar LU on 1 thread\n", thermal, cells, nt, batch ? "grouped" : "scalar", diff, n);
      assert_int_equal(diff, 0);
      OK(PetscFree(x));
    }
  OK(PetscFree(x0));
#ifdef _OPENMP
  omp_set_num_threads(1);
#endif
}

static void test_batch_thermal(void **state) { CheckBatch("thermal.model=stack", "stack.cells=19"); }
static void test_batch_isothermal(void **state) { CheckBatch("thermal.model=isothermal", "stack.cells=13"); }

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_stack_thermal_current), cmocka_unit_test(test_stack_thermal_voltage), cmocka_unit_test(test_lumped_voltage), cmocka_unit_test(test_isothermal_current), cmocka_unit_test(test_batch_thermal), cmocka_unit_test(test_batch_isothermal)};
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsSetValue(NULL, "-ssb_linear_solver", "bordered")); /* the default on one rank is the sparse LU of the whole matrix */
  int fails = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return fails;
}
