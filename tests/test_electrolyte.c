/* test_electrolyte.c -- verification of the concentrated (binary) and dissociation electrolyte laws
   (model.md section 2; literature README E.4):
   - a binary electrolyte with t+ = 1 gives the single-ion cell's voltage curve to 1e-10 relative;
   - between two Li electrodes, with constant properties: the steady concentration profile is linear
     with slope (1 - t+) i/(F D) (1 %); the limiting current 2 F D c0/((1 - t+) L) separates runs that
     reach a steady state from runs that deplete the electrolyte (0.99 and 1.01 i_lim); at 5 i_lim the
     depletion time is Sand's time pi D (F c0)^2/(4 (i (1 - t+))^2) within 1 %;
   - a dissociation electrolyte with k_r = 0 between Li electrodes shows the ohmic resistance
     R_0 = L/kappa at once and R_ss = R_0/t+ at steady state (anions blocked), within 1 %;
   - salt is conserved in a binary electrolyte (to 1e-10 relative over a discharge). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <ssbsim/ssb_sim.h>
#include "test_cases.h"

static void RunFinal(SsbTestCase *tc, const char *expect, double *V, double *q, double *t_end)
{
  SsbSim      sim;
  const char *status;
  long        n;
  double     *y, *yp;
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc->c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  print_message("  %s\n", status);
  assert_non_null(strstr(status, expect));
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  SsbSimGetState(sim, &n, &y, &yp);
  if (V) *V = y[m->i_V];
  if (q) SsbSimGetBalance(sim, q, NULL, NULL);
  if (t_end) {
    const char *at = strstr(status, "at t = ");
    assert_non_null(at);
    *t_end = atof(at + 7);
  }
  SsbSimDestroy(&sim);
}

static void test_tplus_one(void **state)
{
  SsbTestCase tc;
  double      V1, q1, V2, q2;
  SsbTestCaseDefault(&tc);
  tc.steps[0] = (SsbStep){.text = "Discharge at 1C for 30 minutes", .kind = SSB_STEP_CURRENT, .current = {1.0, SSB_CURRENT_CRATE}, .duration = 1800, .until_voltage = NAN};
  /* the two systems differ in size, so IDA's error norms and steps differ: integrate both so tightly
     that the integration error stays below the 1e-10 compared */
  tc.c.solver.rtol = 1e-10;
  tc.c.solver.atol = 1e-12;
  RunFinal(&tc, "completed", &V1, &q1, NULL);
  /* the same cell with a binary electrolyte of t+ = 1 and the same conductivity */
  tc.mat[4].el.conductivity        = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = tc.mat[1].el.conductivity.value};
  tc.mat[4].el.transference_number = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 1.0};
  tc.mat[4].el.concentration       = tc.mat[1].el.concentration;
  tc.c.cell.sep.electrolyte        = &tc.mat[4];
  tc.c.cell.pos.electrolyte        = &tc.mat[4];
  RunFinal(&tc, "completed", &V2, &q2, NULL);
  print_message("single-ion V %.15f, binary t+ = 1 V %.15f, rel diff %.1e\n", V1, V2, fabs(V1 - V2) / V1);
  assert_true(fabs(V1 - V2) <= 1e-10 * fabs(V1));
  assert_true(fabs(q1 - q2) <= 1e-10 * fabs(q1));
}

/* Li | binary | Li with constant properties: kappa 0.01 S/m, D 7.5e-12 m^2/s, t+ 0.3, c0 1000 */
static void LiLiCase(SsbTestCase *tc, int nsep)
{
  SsbTestCaseDefault(tc);
  SsbMaterial *bi             = &tc->mat[4];
  bi->el.conductivity         = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 0.01};
  bi->el.diffusivity          = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 7.5e-12};
  bi->el.transference_number  = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 0.3};
  bi->el.thermodynamic_factor = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 1.0};
  tc->c.cell.sep.electrolyte  = bi;
  tc->c.cell.sep.thickness    = 100e-6;
  tc->c.cell.pos              = tc->c.cell.neg;
  tc->c.mesh.separator        = nsep;
}

static double Ilim(void) { return 2 * SSB_FARADAY * 7.5e-12 * 1000 / ((1 - 0.3) * 100e-6); }

static void test_binary_steady_and_limiting(void **state)
{
  SsbTestCase tc;
  SsbSim      sim;
  const char *status;
  long        n;
  double     *y, *yp, il = Ilim(), tau = 100e-6 * 100e-6 / 7.5e-12;
  /* steady state at half the limiting current */
  LiLiCase(&tc, 50);
  tc.steps[0] = (SsbStep){.text = "Discharge at a fraction of i_lim", .kind = SSB_STEP_CURRENT, .current = {0.5 * il, SSB_CURRENT_DENSITY}, .duration = 10 * tau, .until_voltage = NAN};
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  assert_string_equal(status, "completed");
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  SsbSimGetState(sim, &n, &y, &yp);
  double slope = (y[m->off[m->ne - 1] + 1] - y[m->off[0] + 1]) / (m->x.centre[m->ne - 1] - m->x.centre[0]);
  double exact = -(1 - 0.3) * 0.5 * il / (SSB_FARADAY * 7.5e-12);
  print_message("steady slope %.6e, (1 - t+) i/(F D) %.6e mol/m^4\n", slope, exact);
  assert_true(fabs(slope - exact) <= 0.01 * fabs(exact));
  /* linear: the middle node on the line through the ends */
  int    km   = m->ne / 2;
  double cmid = y[m->off[0] + 1] + slope * (m->x.centre[km] - m->x.centre[0]);
  assert_true(fabs(y[m->off[km] + 1] - cmid) <= 1e-3 * 1000);
  SsbSimDestroy(&sim);
  /* limiting current: 0.99 i_lim reaches a steady state, 1.01 i_lim depletes the electrolyte */
  tc.steps[0].current.value = 0.99 * il;
  RunFinal(&tc, "completed", NULL, NULL, NULL);
  tc.steps[0].current.value = 1.01 * il;
  RunFinal(&tc, "electrolyte depleted", NULL, NULL, NULL);
}

static void test_sand_time(void **state)
{
  SsbTestCase tc;
  double      il = Ilim(), i = 5 * il, t;
  double      tS = PETSC_PI * 7.5e-12 * pow(SSB_FARADAY * 1000, 2) / (4 * pow(i * (1 - 0.3), 2));
  LiLiCase(&tc, 200);
  tc.steps[0] = (SsbStep){.text = "Discharge at 5 i_lim", .kind = SSB_STEP_CURRENT, .current = {i, SSB_CURRENT_DENSITY}, .duration = 10 * tS, .until_voltage = NAN};
  RunFinal(&tc, "electrolyte depleted", NULL, NULL, &t);
  print_message("depletion at %.4f s, Sand's time %.4f s, rel diff %.2e\n", t, tS, fabs(t - tS) / tS);
  assert_true(fabs(t - tS) <= 0.01 * tS);
}

static void test_dissociation_kr0(void **state)
{
  SsbTestCase tc;
  SsbSim      sim;
  const char *status;
  long        n;
  double     *y, *yp;
  SsbTestCaseDefault(&tc);
  SsbMaterial *di                       = &tc.mat[5];
  di->el.recombination_rate_constant    = 0;
  tc.c.cell.sep.electrolyte             = di;
  tc.c.cell.sep.thickness               = 1.5e-6;
  tc.c.cell.pos                         = tc.c.cell.neg;
  tc.c.mesh.separator                   = 40;
  tc.mat[0].li.exchange_current_density = 1e4; /* kinetics negligible beside the electrolyte */
  double Dp = 0.9e-15, Dm = 5.1e-15, a = di->el.concentration, T = 298.15, L = 1.5e-6, Iapp = 1e-3;
  double kappa = SSB_FARADAY * SSB_FARADAY * (Dp + Dm) * a / (SSB_GAS_CONSTANT * T), R0 = L / kappa, tp = Dp / (Dp + Dm);
  double Rct = 2 * SSB_GAS_CONSTANT * T / (SSB_FARADAY * 1e4), tau = L * L / (2 * Dp * Dm / (Dp + Dm));
  tc.steps[0] = (SsbStep){.text = "Discharge at 1 mA/m^2", .kind = SSB_STEP_CURRENT, .current = {Iapp, SSB_CURRENT_DENSITY}, .duration = 20 * tau, .until_voltage = NAN};
  /* R_0: the first instant, from a 1 us step (real concentration polarisation adds 1 % by 1 ms). The anion-blocking
     condition acts through the half cell next to each face, so at t = 0+ the computed face
     concentration is off by O(h) and so is the resistance (14 % with 40 cells here): the first
     instant needs a fine mesh (800 cells: 0.7 %). */
  tc.steps[1]            = tc.steps[0];
  tc.steps[0].duration   = 1e-6;
  tc.c.experiment.nsteps = 1;
  tc.c.mesh.separator    = 800;
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  SsbSimGetState(sim, &n, &y, &yp);
  double Rm0 = -y[m->i_V] / Iapp - Rct;
  SsbSimDestroy(&sim);
  tc.steps[0]         = tc.steps[1];
  tc.c.mesh.separator = 40;
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  assert_string_equal(status, "completed");
  SsbSimGetCellModel(sim, &m);
  SsbSimGetState(sim, &n, &y, &yp);
  double Rss = -y[m->i_V] / Iapp - Rct;
  SsbSimDestroy(&sim);
  print_message("R_0 %.6e (L/kappa %.6e), R_ss %.6e (R_0/t+ %.6e) ohm m^2\n", Rm0, R0, Rss, R0 / tp);
  assert_true(fabs(Rm0 - R0) <= 0.01 * R0);
  assert_true(fabs(Rss - R0 / tp) <= 0.01 * R0 / tp);
}

/* The dissociation law's conductivity F^2 (D+ + D-) c/(R T) x Arrhenius(E_a, T) follows the cell's
   temperature in both factors (SsbCellSetTemperature): at T0 + 20 K it is the formula's at that
   temperature, to round-off (1e-12 relative: a few operations apart). */
static void test_dissociation_temperature(void **state)
{
  SsbTestCase tc;
  SsbSim      sim;
  SsbTestCaseDefault(&tc);
  SsbMaterial *di           = &tc.mat[5];
  di->el.diffusivity_Ea     = 40e3;
  tc.c.cell.sep.electrolyte = di;
  tc.c.cell.pos             = tc.c.cell.neg;
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  const SsbCellModel *mc;
  SsbSimGetCellModel(sim, &mc);
  SsbCellModel            *m = (SsbCellModel *)mc; /* the test sets its temperature, as the stack's thermal model does */
  const SsbElectrolyteLaw *L = &m->law[1];
  for (int q = 0; q < 2; q++) {
    const double T = m->T0 + 20.0 * q;
    SsbCellSetTemperature(m, T);
    const double kappa = L->kappa_slope * L->kap_arr * di->el.concentration;
    const double want  = SSB_FARADAY * SSB_FARADAY * (di->el.cation_diffusivity + di->el.anion_diffusivity) * SsbArrhenius(40e3, T, SSB_T_REF) * di->el.concentration / (SSB_GAS_CONSTANT * T);
    print_message("T = %.2f K: kappa %.10e S/m, formula %.10e S/m\n", T, kappa, want);
    assert_true(fabs(kappa - want) <= 1e-12 * want);
  }
  SsbSimDestroy(&sim);
}

/* The salt in a binary electrolyte is conserved: anions never react. */
static void test_salt_conservation(void **state)
{
  SsbTestCase tc;
  SsbSim      sim;
  const char *status;
  long        n;
  double     *y, *yp;
  SsbTestCaseDefault(&tc);
  tc.c.cell.sep.electrolyte = &tc.mat[4];
  tc.c.cell.pos.electrolyte = &tc.mat[4];
  tc.steps[0]               = (SsbStep){.text = "Discharge at C/5 for 20 minutes", .kind = SSB_STEP_CURRENT, .current = {0.2, SSB_CURRENT_CRATE}, .duration = 1200, .until_voltage = NAN};
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  SsbSimGetState(sim, &n, &y, &yp);
  double salt0 = 0, salt1 = 0;
  for (int k = 0; k < m->ne; k++) salt0 += m->law[m->layer[k]].eps * m->x.width[k] * y[m->off[k] + 1];
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  print_message("  %s\n", status);
  assert_string_equal(status, "completed");
  for (int k = 0; k < m->ne; k++) salt1 += m->law[m->layer[k]].eps * m->x.width[k] * y[m->off[k] + 1];
  double cmin = 1e300, cmax = 0;
  for (int k = 0; k < m->ne; k++) {
    cmin = PetscMin(cmin, y[m->off[k] + 1]);
    cmax = PetscMax(cmax, y[m->off[k] + 1]);
  }
  print_message("salt %.15e -> %.15e mol/m^2 (rel %.1e); c_e from %.1f to %.1f mol/m^3\n", salt0, salt1, fabs(salt1 - salt0) / salt0, cmin, cmax);
  assert_true(cmax - cmin > 1.0); /* the profile did develop */
  assert_true(fabs(salt1 - salt0) <= 1e-10 * salt0);
  SsbSimDestroy(&sim);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tplus_one),
    cmocka_unit_test(test_binary_steady_and_limiting),
    cmocka_unit_test(test_sand_time),
    cmocka_unit_test(test_dissociation_kr0),
    cmocka_unit_test(test_dissociation_temperature),
    cmocka_unit_test(test_salt_conservation),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
