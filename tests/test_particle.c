/* test_particle.c -- verification of the spherical-particle finite-volume discretisation against the
   analytic solution for constant flux into a sphere (literature README E.1):
     theta_s(tau) = 3 tau + 1/5 - 2 sum_n exp(-a_n^2 tau)/a_n^2,  tan a_n = a_n,
   theta = (c - c0) D/(j R), tau = D t/R^2, with the published checks theta_s(0.05) = 0.312165,
   theta_s(0.2) = 0.798253, theta_s(1) = 3.2.
   Asserts: on the default particle mesh (15 shells) the surface value is within 1e-3 relative at
   tau = 0.05, 0.2, 1; the error falls at second order (observed order >= 1.8) under refinement.
   The same for a dense film (literature README E.2, the planar version of the grid): within 1e-3
   relative at tau = 0.05, 0.2, 1 on the default 20 cells, second order under refinement.
   The equations are integrated by IDA at rtol 1e-11, so time error is negligible. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <ssbsim/ssb_cell.h>
#include <ida/ida.h>
#include <nvector/nvector_serial.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunlinsol/sunlinsol_dense.h>
#include "test_cases.h"

typedef struct {
  SsbCellModel *m;
  double        in;
} Ctx;

static int Res(sunrealtype t, N_Vector y, N_Vector yp, N_Vector r, void *ctx)
{
  Ctx *c = (Ctx *)ctx;
  SsbDiffusionResidual(&c->m->side[1].g, &c->m->side[1].am, N_VGetArrayPointer(y), N_VGetArrayPointer(yp), c->in, N_VGetArrayPointer(r));
  return 0;
}

/* analytic theta_s with the first 200 roots of tan a = a */
static double ThetaExact(double tau)
{
  double s = 0;
  for (int n = 1; n <= 200; n++) {
    double a = (n + 0.5) * PETSC_PI - 1.0 / ((n + 0.5) * PETSC_PI); /* Newton from the asymptotic root */
    for (int it = 0; it < 50; it++) {
      double f = tan(a) - a, df = 1.0 / (cos(a) * cos(a)) - 1.0;
      a -= f / df;
    }
    s += exp(-a * a * tau) / (a * a);
  }
  return 3 * tau + 0.2 - 2 * s;
}

/* Dense film, flux j at x = L, insulated at x = 0 (E.2): theta(xi = 1) = tau + 1/3 - (2/pi^2) sum_n
   exp(-n^2 pi^2 tau)/n^2, theta = (c - c0) D/(j L), tau = D t/L^2. */
static double ThetaFilmExact(double tau)
{
  double s = 0;
  for (int n = 1; n <= 2000; n++) s += exp(-n * n * PETSC_PI * PETSC_PI * tau) / ((double)n * n);
  return tau + 1.0 / 3.0 - 2.0 / (PETSC_PI * PETSC_PI) * s;
}

/* theta at the surface at the taus on a mesh of nr cells: a particle (film = 0) or a dense film (1) */
static void Solve(int nr, const double *taus, int ntau, double *theta, int film)
{
  SsbTestCase tc;
  SsbTestCaseDefault(&tc);
  tc.c.mesh.particle = nr;
  if (film) {
    tc.c.cell.pos.kind      = SSB_ELECTRODE_DENSE;
    tc.c.cell.pos.thickness = 2e-6;
    tc.c.mesh.positive      = nr;
  }
  Ctx ctx;
  assert_int_equal(SsbCellModelCreate(&tc.c, &ctx.m), 0);
  SsbCellModel *m = ctx.m;
  double        D = tc.mat[2].ins.diffusivity.value, R = film ? tc.c.cell.pos.thickness : tc.c.cell.pos.particle_radius, c0 = 0.5 * m->side[1].am.c_max;
  double        j = film ? 1e-6 : 1e-5; /* mol/(m^2 s) into the solid */
  ctx.in          = -SSB_FARADAY * j;
  SUNContext sctx;
  SUNContext_Create(NULL, &sctx);
  N_Vector y = N_VNew_Serial(nr, sctx), yp = N_VNew_Serial(nr, sctx), r = N_VNew_Serial(nr, sctx);
  N_VConst(c0, y);
  N_VConst(0, yp);
  /* consistent y': from the residual at y' = 0 */
  Res(0, y, yp, r, &ctx);
  N_VScale(-1, r, yp);
  void *ida = IDACreate(sctx);
  IDAInit(ida, Res, 0, y, yp);
  IDASStolerances(ida, 1e-11, 1e-11 * c0);
  IDASetUserData(ida, &ctx);
  IDASetMaxNumSteps(ida, 100000);
  SUNMatrix       A  = SUNDenseMatrix(nr, nr, sctx);
  SUNLinearSolver LS = SUNLinSol_Dense(y, A, sctx);
  IDASetLinearSolver(ida, LS, A);
  for (int k = 0; k < ntau; k++) {
    double tret, tout = taus[k] * R * R / D;
    assert_true(IDASolve(ida, tout, &tret, y, yp, IDA_NORMAL) >= 0);
    double *c  = N_VGetArrayPointer(y);
    double  cs = SsbDiffusionSurface(&m->side[1].g, &m->side[1].am, c, ctx.in, NULL, NULL, NULL);
    theta[k]   = (cs - c0) * D / (j * R);
  }
  IDAFree(&ida);
  SUNLinSolFree(LS);
  SUNMatDestroy(A);
  N_VDestroy(y);
  N_VDestroy(yp);
  N_VDestroy(r);
  SUNContext_Free(&sctx);
  SsbCellModelDestroy(&ctx.m);
}

static void test_analytic_values(void **state)
{
  assert_true(fabs(ThetaExact(0.05) - 0.312165) < 1e-6);
  assert_true(fabs(ThetaExact(0.2) - 0.798253) < 1e-6);
  assert_true(fabs(ThetaExact(1.0) - 3.2) < 1e-6);
}

static void test_default_mesh(void **state)
{
  const double taus[3] = {0.05, 0.2, 1.0};
  double       th[3];
  Solve(15, taus, 3, th, 0);
  for (int k = 0; k < 3; k++) {
    double ex = ThetaExact(taus[k]), rel = fabs(th[k] - ex) / ex;
    print_message("tau %.2f: theta_s %.7f exact %.7f rel err %.2e\n", taus[k], th[k], ex, rel);
    assert_true(rel <= 1e-3);
  }
}

static void test_convergence_order(void **state)
{
  const double taus[1] = {0.05};
  int          nrs[4]  = {10, 20, 40, 80};
  double       err[4], ex = ThetaExact(0.05);
  for (int i = 0; i < 4; i++) {
    double th;
    Solve(nrs[i], taus, 1, &th, 0);
    err[i] = fabs(th - ex);
    if (i) print_message("nr %d -> %d: error %.3e -> %.3e, observed order %.2f\n", nrs[i - 1], nrs[i], err[i - 1], err[i], log2(err[i - 1] / err[i]));
  }
  for (int i = 1; i < 4; i++) assert_true(log2(err[i - 1] / err[i]) >= 1.8);
}

static void test_film(void **state)
{
  const double taus[3] = {0.05, 0.2, 1.0};
  double       th[3];
  assert_true(fabs(ThetaFilmExact(1.0) - (1.0 + 1.0 / 3.0 - 2.0 / (PETSC_PI * PETSC_PI) * exp(-PETSC_PI * PETSC_PI))) < 1e-6);
  Solve(20, taus, 3, th, 1); /* the default electrode mesh (mesh.positive = 20) */
  for (int k = 0; k < 3; k++) {
    double ex = ThetaFilmExact(taus[k]), rel = fabs(th[k] - ex) / ex;
    print_message("film tau %.2f: theta %.7f exact %.7f rel err %.2e\n", taus[k], th[k], ex, rel);
    assert_true(rel <= 1e-3);
  }
  int    ns[3] = {10, 20, 40};
  double err[3];
  for (int i = 0; i < 3; i++) {
    Solve(ns[i], taus, 1, th, 1);
    err[i] = fabs(th[0] - ThetaFilmExact(taus[0]));
    if (i) print_message("film n %d -> %d: observed order %.2f\n", ns[i - 1], ns[i], log2(err[i - 1] / err[i]));
  }
  for (int i = 1; i < 3; i++) assert_true(log2(err[i - 1] / err[i]) >= 1.8);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_analytic_values),
    cmocka_unit_test(test_default_mesh),
    cmocka_unit_test(test_convergence_order),
    cmocka_unit_test(test_film),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
