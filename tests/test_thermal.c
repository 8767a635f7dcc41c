/* test_thermal.c -- the through-plane conduction model (physics/thermal.c) against the analytic
   solution of a layered slab with a uniform heat source per layer and convective cooling at both
   faces (literature README E.6): T is piecewise quadratic, T = a_i + b_i s - q_i s^2/(2 k_i) in layer i
   (s from the layer's start), with T and the heat flux continuous. Asserts: the steady finite-volume
   temperatures at the cell centres match within 1e-6 K (the scheme's error is q h^2/(8 k) per
   interface, 5e-7 K here), the heat leaving both faces equals sum q_i L_i to 1e-12 relative, and a
   symmetric slab with equal boundary conditions gives a symmetric profile to round-off; a convective
   end with h = 0 is an adiabatic one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <ssbsim/ssb_thermal.h>

#define NL 5
static const double L[NL]  = {15e-6, 77e-6, 30e-6, 40e-6, 10e-6};    /* Al, cathode, separator, Li, Cu */
static const double K[NL]  = {237, 0.8, 0.5, 84.7, 401};             /* W/(m K) */
static const double Q[NL]  = {0, 5e4, 2e4, 1e3, 0};                  /* W/m^3 */
static const double RC[NL] = {2.42e6, 3.2e6, 1.5e6, 1.91e6, 3.44e6}; /* J/(m^3 K) */

/* analytic T at z for convective faces (h0, Ta0) below and (h1, Ta1) above */
static double Analytic(double z, double h0, double Ta0, double h1, double Ta1)
{
  /* T, flux F = -k T' march through the layers, linear in the unknown surface temperature a1;
     the bottom condition sets b1 = h0 (a1 - Ta0)/k1 (heat leaves downward) */
  double val[2], flx[2], Tz[2];
  for (int trial = 0; trial < 2; trial++) {
    double a = trial ? 1.0 : 0.0, b = h0 * (a - Ta0) / K[0], z0 = 0;
    Tz[trial] = NAN;
    for (int i = 0; i < NL; i++) {
      if (z >= z0 && z <= z0 + L[i]) Tz[trial] = a + b * (z - z0) - Q[i] * (z - z0) * (z - z0) / (2 * K[i]);
      double aT = a + b * L[i] - Q[i] * L[i] * L[i] / (2 * K[i]);
      double F  = -K[i] * b + Q[i] * L[i];
      a         = aT;
      b         = i + 1 < NL ? -F / K[i + 1] : 0;
      z0 += L[i];
      val[trial] = aT;
      flx[trial] = F;
    }
  }
  /* top condition: F(top) = h1 (T(top) - Ta1), linear in a1 */
  double r0 = flx[0] - h1 * (val[0] - Ta1), r1 = flx[1] - h1 * (val[1] - Ta1);
  double a1 = -r0 / (r1 - r0);
  return Tz[0] + a1 * (Tz[1] - Tz[0]);
}

/* The steady state: the residual is linear in T, so Newton converges in one step; two more steps of
   iterative refinement remove the round-off of the tridiagonal solve (conductances range over 1e8). */
static void Steady(const SsbHeatModel *tm, const double *q, double *T)
{
  int     n  = tm->n;
  double *lo = malloc(sizeof(double) * n), *d = malloc(sizeof(double) * n), *up = malloc(sizeof(double) * n), *R = malloc(sizeof(double) * n), *z = calloc(n, sizeof(double));
  for (int i = 0; i < n; i++) T[i] = 298.15;
  for (int it = 0; it < 3; it++) {
    SsbHeatResidual(tm, T, z, q, R);
    SsbHeatJacobian(tm, 0.0, lo, d, up);
    /* Thomas algorithm: J dT = -R */
    for (int i = 1; i < n; i++) {
      double w = lo[i] / d[i - 1];
      d[i] -= w * up[i - 1];
      R[i] -= w * R[i - 1];
    }
    double next = -R[n - 1] / d[n - 1];
    T[n - 1] += next;
    for (int i = n - 2; i >= 0; i--) {
      double dTi = (-R[i] - up[i] * next) / d[i];
      T[i] += dTi;
      next = dTi;
    }
  }
  free(lo), free(d), free(up), free(R), free(z);
}

static void test_layered_slab(void **state)
{
  SsbThermalLayer layers[NL];
  SsbThermalBC    bc[2] = {{SSB_THERMAL_BC_CONVECTIVE, 10, 298.15}, {SSB_THERMAL_BC_CONVECTIVE, 25, 293.15}};
  SsbHeatModel   *tm;
  for (int i = 0; i < NL; i++) layers[i] = (SsbThermalLayer){L[i], K[i], RC[i], 10};
  assert_int_equal(SsbHeatModelCreate(NL, layers, bc, 0, 0, &tm), 0);
  double *q = malloc(sizeof(double) * tm->n), *T = malloc(sizeof(double) * tm->n), err = 0, total = 0, out[2];
  for (int i = 0; i < tm->n; i++) q[i] = Q[tm->layer[i]];
  Steady(tm, q, T);
  for (int i = 0; i < tm->n; i++) {
    double zc = 0.5 * (tm->z[i] + tm->z[i + 1]);
    err       = fmax(err, fabs(T[i] - Analytic(zc, 10, 298.15, 25, 293.15)));
  }
  for (int i = 0; i < NL; i++) total += Q[i] * L[i];
  SsbHeatBoundaryFlux(tm, T, out);
  print_message("max |T - T_exact| = %.2e K over %d cells (T from %.6f to %.6f K); heat out %.12e, generated %.12e W/m^2\n", err, tm->n, T[0], T[tm->n - 1], out[0] + out[1], total);
  assert_true(err <= 1e-6);
  assert_true(fabs(out[0] + out[1] - total) <= 1e-12 * total);
  free(q), free(T);
  SsbHeatModelDestroy(&tm);
}

static void test_symmetric(void **state)
{
  /* a symmetric stack: layers mirrored, equal convective boundaries */
  SsbThermalLayer layers[2 * NL];
  SsbThermalBC    bc[2] = {{SSB_THERMAL_BC_CONVECTIVE, 10, 298.15}, {SSB_THERMAL_BC_CONVECTIVE, 10, 298.15}};
  SsbHeatModel   *tm;
  for (int i = 0; i < NL; i++) layers[i] = layers[2 * NL - 1 - i] = (SsbThermalLayer){L[i], K[i], RC[i], 7};
  assert_int_equal(SsbHeatModelCreate(2 * NL, layers, bc, 1e2, 298.15, &tm), 0);
  double *q = malloc(sizeof(double) * tm->n), *T = malloc(sizeof(double) * tm->n), asym = 0;
  for (int i = 0; i < tm->n; i++) q[i] = Q[tm->layer[i] < NL ? tm->layer[i] : 2 * NL - 1 - tm->layer[i]];
  Steady(tm, q, T);
  for (int i = 0; i < tm->n; i++) asym = fmax(asym, fabs(T[i] - T[tm->n - 1 - i]));
  print_message("symmetric stack: max |T(z) - T(L - z)| = %.2e K\n", asym);
  assert_true(asym <= 1e-11);
  free(q), free(T);
  SsbHeatModelDestroy(&tm);
}

/* A convective end with h = 0 (the case reader allows h >= 0) exchanges no heat: the same face
   conductance, residual and Jacobian as an adiabatic end (it was refused: "needs h > 0"). */
static void test_convective_h0(void **state)
{
  SsbThermalLayer layers[NL];
  SsbThermalBC    bc0[2] = {{SSB_THERMAL_BC_CONVECTIVE, 0, 298.15}, {SSB_THERMAL_BC_CONVECTIVE, 0, 310}};
  SsbThermalBC    bca[2] = {{SSB_THERMAL_BC_ADIABATIC, 0, NAN}, {SSB_THERMAL_BC_ADIABATIC, 0, NAN}};
  SsbHeatModel   *t0, *ta;
  for (int i = 0; i < NL; i++) layers[i] = (SsbThermalLayer){L[i], K[i], RC[i], 4};
  assert_int_equal(SsbHeatModelCreate(NL, layers, bc0, 0, 0, &t0), 0);
  assert_int_equal(SsbHeatModelCreate(NL, layers, bca, 0, 0, &ta), 0);
  assert_true(t0->G[0] == 0 && t0->G[t0->n] == 0 && ta->G[0] == 0 && ta->G[ta->n] == 0);
  double *T = malloc(sizeof(double) * t0->n), *q = malloc(sizeof(double) * t0->n), *R0 = malloc(sizeof(double) * t0->n), *Ra = malloc(sizeof(double) * t0->n);
  for (int i = 0; i < t0->n; i++) T[i] = 300 + i, q[i] = Q[t0->layer[i]];
  SsbHeatResidual(t0, T, q, q, R0);
  SsbHeatResidual(ta, T, q, q, Ra);
  for (int i = 0; i < t0->n; i++) assert_true(R0[i] == Ra[i]);
  free(T), free(q), free(R0), free(Ra);
  SsbHeatModelDestroy(&t0);
  SsbHeatModelDestroy(&ta);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_layered_slab),
    cmocka_unit_test(test_symmetric),
    cmocka_unit_test(test_convective_h0),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
