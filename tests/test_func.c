/* test_func.c -- material property functions (physics/func.c):
   - expression interpolants agree with the expression itself: the Chen 2020 NMC811 OCP within 1e-9 V
     and the TiS2 OCP (logarithmic ends) within 1e-6 V on [0.005, 0.995], at 10^4 random points
     (closer to the ends the uniform 2000-interval sampling loses accuracy: 1.4e-5 V at x = 0.001);
     the derivative agrees with a centred difference of the exact expression within 1e-6 relative
     (NMC811) and 1e-4 (TiS2);
   - linear tables reproduce their nodes and interpolate linearly; pchip tables are monotone and
     reproduce their nodes; both continue linearly outside their range;
   - expression checking rejects unknown variables and syntax errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <ssbsim/ssb_func.h>

static double MaxError(const char *expr, double lo, double hi, double T, double *dmax)
{
  SsbFunc f = {.kind = SSB_FUNC_EXPRESSION, .expr = (char *)expr};
  SsbFunc g;
  assert_int_equal(SsbFuncCopy(&f, &g), 0);
  assert_int_equal(SsbFuncSetUp(&g, 0.0, 1.0, T, 0), 0);
  double err = 0, derr = 0;
  srand(7);
  for (int i = 0; i < 10000; i++) {
    double x = lo + (hi - lo) * rand() / (double)RAND_MAX, v, d, e1, e2, h = 1e-6;
    v = SsbFuncEval(&g, x, &d);
    double ex;
    SsbFuncEvalExact(&g, x, T, &ex);
    SsbFuncEvalExact(&g, x + h, T, &e1);
    SsbFuncEvalExact(&g, x - h, T, &e2);
    double dex = (e1 - e2) / (2 * h);
    err        = fmax(err, fabs(v - ex));
    derr       = fmax(derr, fabs(d - dex) / fmax(fabs(dex), 1e-3));
  }
  SsbFuncDestroy(&g);
  *dmax = derr;
  return err;
}

static void test_expressions(void **state)
{
  double d;
  double e = MaxError("-0.8090*x + 4.4875 - 0.0428*tanh(18.5138*(x - 0.5542)) - 17.7326*tanh(15.7890*(x - 0.3117)) + 17.5842*tanh(15.9308*(x - 0.3120))", 0, 1, 298.15, &d);
  print_message("NMC811 OCP: max error %.2e V, derivative %.2e relative\n", e, d);
  assert_true(e < 1e-9);
  assert_true(d < 1e-6);
  e = MaxError("2.17 + 8.314462618*T/96485.33212*(log((1 - x)/x) - 5.58e-4*29000*x + 8.10)", 0.005, 0.995, 373.15, &d);
  print_message("TiS2 OCP: max error %.2e V, derivative %.2e relative\n", e, d);
  assert_true(e < 1e-6);
  /* the Hermite derivative is third-order accurate; it only enters the Newton matrix, where 1e-4 is
     far more than enough */
  assert_true(d < 1e-4);
}

static void test_tables(void **state)
{
  double  x[4] = {0, 0.2, 0.5, 1.0}, y[4] = {4.2, 4.0, 3.9, 3.0};
  SsbFunc f = {.kind = SSB_FUNC_TABLE, .n = 4, .interp = SSB_INTERP_LINEAR};
  PetscMalloc2(4, &f.x, 4, &f.y);
  memcpy(f.x, x, sizeof(x));
  memcpy(f.y, y, sizeof(y));
  assert_int_equal(SsbFuncSetUp(&f, 0, 1, 298.15, 0), 0);
  for (int k = 0; k < 4; k++) assert_true(fabs(SsbFuncEval(&f, x[k], NULL) - y[k]) < 1e-15);
  assert_true(fabs(SsbFuncEval(&f, 0.35, NULL) - 3.95) < 1e-14);
  double d;
  assert_true(fabs(SsbFuncEval(&f, 1.1, &d) - (3.0 - 0.1 * 1.8)) < 1e-14);
  assert_true(fabs(d + 1.8) < 1e-12);
  f.interp = SSB_INTERP_PCHIP;
  assert_int_equal(SsbFuncSetUp(&f, 0, 1, 298.15, 0), 0);
  double prev = 1e9;
  for (int i = 0; i <= 1000; i++) {
    double v = SsbFuncEval(&f, i / 1000.0, NULL);
    assert_true(v <= prev + 1e-15); /* monotone like the data */
    prev = v;
  }
  for (int k = 0; k < 4; k++) assert_true(fabs(SsbFuncEval(&f, x[k], NULL) - y[k]) < 1e-14);
  SsbFuncDestroy(&f);
}

static void test_check_expression(void **state)
{
  char msg[256];
  assert_int_equal(SsbFuncCheckExpression("x*T", msg, sizeof(msg)), 0);
  assert_int_equal(SsbFuncCheckExpression("x*y", msg, sizeof(msg)), SSB_ERR_INPUT);
  assert_non_null(strstr(msg, "'y'"));
  assert_int_equal(SsbFuncCheckExpression("x*(", msg, sizeof(msg)), SSB_ERR_INPUT);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_expressions),
    cmocka_unit_test(test_tables),
    cmocka_unit_test(test_check_expression),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
