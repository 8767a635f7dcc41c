/* test_thermal_cell.c -- heat and temperature coupling of the cell model (model.md section 5):
   - energy closure: over a C/5 discharge the heat generated (irreversible + reversible, integrated
     from the output rows) equals the electrical work lost, integral of I (U_eq - V) dt with U_eq the
     open-circuit voltage at the mean stoichiometries, plus the reversible heat -I T dU_eq/dT, within
     0.5 %. The difference is the free energy stored in the particles' concentration gradients (the
     reaction runs at the surface OCP, U_eq is the mean's), released as heat of mixing when they
     relax: with D_s = 1e-14 m^2/s it is 7 % of the heat here, so the check uses D_s = 1e-12 m^2/s,
     where it is small, and the trapezoidal rule over 10 s rows;
   - the lumped thermal model, adiabatic: the stack's heat capacity times its temperature rise equals
     the heat generated within 0.5 % (trapezoidal rule); with activation energies the warmer cell
     has a smaller overpotential than the isothermal one at the same charge. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <ssbsim/ssb_sim.h>
#include "test_cases.h"

typedef struct {
  SsbSim sim;
  double t_prev, q_prev, w_prev, r_prev; /* previous row: time, heat, work lost, Bernardi reversible */
  double Q, W, Rev;                      /* integrals (J/m^2) */
  double T0, T, V;
  int    rows;
} Acc;

static void Monitor(void *ctx, double t, int step, const double *y, const double *yp)
{
  Acc        *a = (Acc *)ctx;
  SsbCellDiag d;
  long        n;
  SsbSimGetState(a->sim, &n, NULL, NULL);
  SsbSimDiagnostics(a->sim, y, yp, &d);
  const SsbCellModel *m;
  SsbSimGetCellModel(a->sim, &m);
  double Ic = y[n - 2], V = SsbSimStackVoltage(a->sim, y);
  /* Bernardi's reversible heat -I T dU_eq/dT at the mean stoichiometry of the positive electrode */
  double dUdT = SsbFuncEval(m->side[1].am.dUdT, d.x_mean[1], NULL);
  double q = d.heat + d.heat_rev, w = Ic * (d.ocv - V), r = -Ic * m->T * dUdT;
  /* the heat booked by layer adds up to the total */
  assert_true(fabs(d.heat_layer[0] + d.heat_layer[1] + d.heat_layer[2] - q) <= 1e-12 * (fabs(q) + 1e-300) + 1e-15);
  /* and so does the heat by kind */
  assert_true(fabs(d.heat_ohmic + d.heat_reaction + d.heat_contact - d.heat) <= 1e-12 * (fabs(d.heat) + 1e-300) + 1e-15);
  assert_true(d.heat_ohmic >= 0 && d.heat_contact >= 0);
  if (a->rows > 0 && t > a->t_prev) {
    a->Q += 0.5 * (q + a->q_prev) * (t - a->t_prev);
    a->W += 0.5 * (w + a->w_prev) * (t - a->t_prev);
    a->Rev += 0.5 * (r + a->r_prev) * (t - a->t_prev);
  }
  if (a->rows == 0) a->T0 = m->T;
  a->t_prev = t, a->q_prev = q, a->w_prev = w, a->r_prev = r;
  a->T = m->T, a->V = V;
  a->rows++;
}

static void Setup(SsbTestCase *tc)
{
  SsbTestCaseDefault(tc);
  /* an OCP with an entropic term dU/dT = 1e-4 (1 - 2x) V/K */
  tc->mat[2].ins.ocp                   = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "4.2 - x + 1e-4*(T - 298.15)*(1 - 2*x)"};
  tc->mat[2].ins.kinetics_Ea           = 50e3;
  tc->mat[2].ins.diffusivity_Ea        = 30e3;
  tc->mat[1].el.conductivity_Ea        = 30e3;
  tc->mat[0].li.kinetics_Ea            = 30e3;
  tc->mat[0].thermal                   = (SsbThermalProps){534, 3582, 84.7};
  tc->mat[1].thermal                   = (SsbThermalProps){1900, 700, 0.6};
  tc->mat[2].thermal                   = (SsbThermalProps){4700, 700, 2};
  tc->c.cell.pos.initial_stoichiometry = 0.15;
  tc->steps[0]                         = (SsbStep){.text = "Discharge at C/5 for 2 h", .kind = SSB_STEP_CURRENT, .current = {0.2, SSB_CURRENT_CRATE}, .duration = 7200, .until_voltage = NAN};
}

static void test_energy_closure(void **state)
{
  SsbTestCase tc;
  Acc         a = {0};
  const char *status;
  Setup(&tc);
  tc.mat[2].ins.diffusivity = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 1e-12};
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &a.sim), 0);
  SsbSimSetMonitor(a.sim, Monitor, &a);
  assert_int_equal(SsbSimRun(a.sim, NULL, &status), 0);
  assert_string_equal(status, "completed");
  double rhs = a.W + a.Rev;
  print_message("heat %.6e J/m^2, work lost %.6e + reversible %.6e = %.6e (rel diff %.2e, %d rows)\n", a.Q, a.W, a.Rev, rhs, fabs(a.Q - rhs) / fabs(rhs), a.rows);
  assert_true(fabs(a.Rev) > 0.05 * fabs(a.W)); /* the reversible part matters in this check */
  assert_true(fabs(a.Q - rhs) <= 5e-3 * fabs(rhs));
  SsbSimDestroy(&a.sim);
}

static void test_lumped_adiabatic(void **state)
{
  SsbTestCase tc;
  Acc         a = {0}, b = {0};
  const char *status;
  Setup(&tc);
  /* isothermal reference */
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &b.sim), 0);
  SsbSimSetMonitor(b.sim, Monitor, &b);
  assert_int_equal(SsbSimRun(b.sim, NULL, &status), 0);
  SsbSimDestroy(&b.sim);
  /* lumped, adiabatic (both boundaries default to adiabatic) */
  tc.c.thermal.model = SSB_THERMAL_LUMPED;
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &a.sim), 0);
  SsbSimSetMonitor(a.sim, Monitor, &a);
  assert_int_equal(SsbSimRun(a.sim, NULL, &status), 0);
  assert_string_equal(status, "completed");
  /* heat capacity per area: Li, separator (eps 1) and the composite (active + electrolyte fractions) */
  double C = 534 * 3582 * 40e-6 + 1900 * 700 * 30e-6 + (0.6 * 4700 * 700 + 0.35 * 1900 * 700) * 60e-6;
  print_message("lumped: T %.4f -> %.4f K, C dT %.6e, heat %.6e J/m^2 (rel diff %.2e); end voltage %.6f V (isothermal %.6f V)\n", a.T0, a.T, C * (a.T - a.T0), a.Q, fabs(C * (a.T - a.T0) - a.Q) / a.Q, a.V, b.V);
  assert_true(a.T - a.T0 > 1.0);
  assert_true(fabs(C * (a.T - a.T0) - a.Q) <= 5e-3 * a.Q);
  assert_true(a.V > b.V); /* warmer: faster kinetics and conduction */
  SsbSimDestroy(&a.sim);
}

/* The stack thermal model: three cells with plates and collectors, adiabatic ends: the heat stored in
   every layer equals the heat generated (cells, reversible, plates' I^2 R) within 0.5 % (trapezoidal
   rule); with convective cooling at both ends the middle cell runs hottest. */
typedef struct {
  SsbSim sim;
  double t_prev, q_prev, Q;
  int    rows;
  double Tmid, Tend;
} StackAcc;

static void StackMonitor(void *ctx, double t, int step, const double *y, const double *yp)
{
  StackAcc   *a = (StackAcc *)ctx;
  SsbCellDiag d[3];
  long        n;
  SsbSimGetState(a->sim, &n, NULL, NULL);
  SsbSimDiagnostics(a->sim, y, yp, d);
  double Ic = y[n - 2], q = 0;
  for (int k = 0; k < 3; k++) q += d[k].heat + d[k].heat_rev;
  /* plates and collectors: 2 bipolar plates (two contacts each) and two collectors (one each) */
  q += Ic * Ic * (2 * (2 * 2e-5 + 15e-6 / 3.69e7) + 2 * (2e-5 + 15e-6 / 3.69e7));
  if (a->rows > 0) a->Q += 0.5 * (q + a->q_prev) * (t - a->t_prev);
  a->t_prev = t, a->q_prev = q;
  a->rows++;
  a->Tend = SsbSimCellTemperature(a->sim, y, 0);
  a->Tmid = SsbSimCellTemperature(a->sim, y, 1);
}

static void test_stack_thermal(void **state)
{
  SsbTestCase tc;
  SsbMaterial al = {.kind = SSB_MATERIAL_CONDUCTOR, .electronic_conductivity = 3.69e7, .thermal = {2702, 897, 237}};
  for (int convective = 0; convective < 2; convective++) {
    StackAcc    a = {0};
    const char *status;
    Setup(&tc);
    tc.c.stack.cells              = 3;
    tc.c.stack.bipolar_plate      = (SsbPlateSpec){&al, 15e-6, 2e-5};
    tc.c.stack.collector_negative = (SsbPlateSpec){&al, 15e-6, 2e-5};
    tc.c.stack.collector_positive = (SsbPlateSpec){&al, 15e-6, 2e-5};
    tc.c.thermal.model            = SSB_THERMAL_STACK;
    if (convective) {
      tc.c.thermal.bottom       = (SsbBoundarySpec){SSB_BOUNDARY_CONVECTIVE, 5, 298.15};
      tc.c.thermal.top          = (SsbBoundarySpec){SSB_BOUNDARY_CONVECTIVE, 5, 298.15};
      tc.steps[0].current.value = 1.0; /* 1C: enough heat for a gradient */
      tc.steps[0].duration      = 1800;
    }
    assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &a.sim), 0);
    const SsbHeatModel *hm;
    long                iT, n;
    double             *y, *yp;
    SsbSimGetHeatModel(a.sim, &hm, &iT);
    assert_non_null(hm);
    SsbSimSetMonitor(a.sim, StackMonitor, &a);
    assert_int_equal(SsbSimRun(a.sim, NULL, &status), 0);
    assert_string_equal(status, "completed");
    SsbSimGetState(a.sim, &n, &y, &yp);
    double stored = 0;
    for (int i = 0; i < hm->n; i++) stored += hm->rho_cp[i] * hm->w[i] * (y[iT + i] - 298.15);
    if (!convective) {
      print_message("stack thermal, adiabatic: stored %.6e J/m^2, generated %.6e J/m^2 (rel diff %.2e) over %d layers\n", stored, a.Q, fabs(stored - a.Q) / a.Q, hm->n);
      assert_true(fabs(stored - a.Q) <= 5e-3 * a.Q);
    } else {
      print_message("stack thermal, convective ends: middle cell %.4f K, first cell %.4f K\n", a.Tmid, a.Tend);
      assert_true(a.Tmid > a.Tend);
    }
    SsbSimDestroy(&a.sim);
  }
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_energy_closure),
    cmocka_unit_test(test_lumped_adiabatic),
    cmocka_unit_test(test_stack_thermal),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
