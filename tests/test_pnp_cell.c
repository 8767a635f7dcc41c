/* test_pnp_cell.c -- the resolved (transient Poisson-Nernst-Planck) space-charge layer coupled into
   the cell model (physics/cell.c, docs/space-charge.md "Resolved mode in the cell"); ctest
   model_space_charge_resolved. The analytic Jacobian of the resolved layer is checked against finite
   differences in model_cell (test_cell.c, configurations 11 and 12, 1e-6 relative).

   (a) relaxation to equilibrium: a Li | SSE | Li cell whose two resolved layers start flat (c = c_b,
       no charge) rests for 60 s; the layers charge through the interfaces (time constant R_relax C
       <= 0.1 s) until their drop is the given step (a depletion layer at +0.2 V, an accumulation
       layer with lattice saturation at -0.08 V). The relaxed layer's charge equals the Gouy-Chapman
       (first-integral) charge at that step and the charge of the refined equilibrium solver
       SsbSclResolvedSolve (1600 cells) within 1e-4 relative: the layer is discretised on 300 cells
       graded from 0.0024 Debye lengths, whose second-order error (2e-5 measured, in line with the
       convergence table in docs/space-charge.md) is below that; so is the capacitance (the exact
       derivative of the discrete profile against the first integral's); the drop equals the step
       within 1e-9 V (the relaxation row holds it exactly at rest; what is left is the integrator's
       tolerance), and the layer is neutral within 1e-10 of its charge;
   (b) compact against resolved on cases/thin_film_space_charge.yaml, C/10 discharge to 3.0 V
       (quasi-steady: the layers' relaxation times, 0.01-0.09 s, and their Debye times, 1e-8 s, are
       far below the hours of the discharge): the cell voltage and both layers' drops agree within
       1 mV at every output row (10 s). The two modes differ in the layer's discretisation (the
       resolved profile on 48 cells against the exact first integral: 2e-3 in the charge, below 1 uV in
       the drop) and in the kinetics (the resolved layer's Li+ profile carries the current, the
       compact one adds R_scl i_n), both far below 1 mV;
   (c) neutrality: during the resolved run of (b), at every output row, the electrode charge from
       Gauss's law at the reaction plane (the potential profile's field there, -eps phi'(0)) plus the
       layer's integrated charge is zero within 1e-10 of the layer charge: the Poisson rows are linear
       and IDA's Newton satisfies them to round-off (the electrode charge in the coupling is minus
       the layer's by construction);
   (d) dc resistance (linear response, 1e-5 A/m^2) of a Li | SSE | Li cell with a depleted resolved
       layer and an accumulation layer behind a coating: -V/I equals L/kappa + the faces' charge
       transfer (Frumkin-corrected), coating and excess layer resistances (the quadrature reference
       SsbSclExcessResistance) within 1e-7 relative, and each layer's own resistance its reference
       within 1e-3 (the discretisation: 2e-4 measured). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <ssbsim/ssb_sim.h>
#include "test_cases.h"
#include "../solver/sim_impl.h"

static void Run(SsbSim sim)
{
  const char *status;
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  print_message("status: %s\n", status);
  assert_string_equal(status, "completed");
}

static void test_relax_to_equilibrium(void **state)
{
  static SsbFunc step_neg = {.kind = SSB_FUNC_CONSTANT, .value = 0.2};
  static SsbFunc step_pos = {.kind = SSB_FUNC_CONSTANT, .value = -0.08};
  SsbTestCase    tc;
  SsbSim         sim;
  long           n;
  double        *y, *yp;
  SsbTestCaseDefault(&tc);
  tc.mat[1].el.relative_permittivity = 30;
  tc.mat[1].el.site_concentration    = 3e4;
  tc.c.cell.pos                      = (SsbElectrode){.kind = SSB_ELECTRODE_LITHIUM_METAL, .material = &tc.mat[0], .thickness = 20e-6, .initial_stoichiometry = NAN};
  tc.c.cell.ifc_neg.space_charge     = SSB_SPACE_CHARGE_RESOLVED;
  tc.c.cell.ifc_neg.scl_step         = &step_neg;
  tc.c.cell.ifc_pos.space_charge     = SSB_SPACE_CHARGE_RESOLVED;
  tc.c.cell.ifc_pos.scl_step         = &step_pos;
  tc.c.mesh                          = (SsbMeshSpec){10, 10, 10, 10, 300, 30, pow(1.12, 48.0 / 300)};
  tc.steps[0]                        = (SsbStep){.text = "Rest for 1 minute", .kind = SSB_STEP_REST, .duration = 60, .until_voltage = NAN};
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  /* flat layers: no charge, no drop */
  SsbSimGetState(sim, &n, &y, &yp);
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    assert_true(sd->pnp);
    for (int i = 0; i < sd->pnp_n; i++) {
      y[sd->i_pc + 2 * i]     = sd->scl_cb;
      y[sd->i_pc + 2 * i + 1] = 0;
    }
  }
  assert_int_equal(SsbSimScatterState(sim), 0);
  Run(sim);
  SsbSimGetState(sim, &n, &y, &yp);
  SsbCellDiag d;
  SsbSimDiagnostics(sim, y, yp, &d);
  SsbSclParams p = {30, 298.15, tc.mat[1].el.concentration, 3e4};
  for (int s = 0; s < 2; s++) {
    const SsbSide    *sd   = &m->side[s];
    double            step = s ? step_pos.value : step_neg.value, lam = SsbSclDebyeLength(&p);
    SsbSclState       gc;
    SsbSclProfile     prof;
    SsbSclMeshOptions opt = {30 * lam, pow(1.12, 48.0 / 1600), 1600, 0, 0};
    assert_int_equal(SsbSclCompactEval(&p, step, &gc), 0);
    assert_int_equal(SsbSclResolvedSolve(&p, step, &opt, &prof), 0);
    double sigma = d.scl_sigma[s];
    print_message("side %d: step %.3f V, drop %.12f V; layer charge %.9e C/m^2, Gouy-Chapman %.9e (rel %.1e), refined equilibrium solver %.9e (rel %.1e); C %.6e F/m^2 (Gouy-Chapman %.6e, rel %.1e); first cell %.3g lambda_D; neutrality %.1e C/m^2\n", s, step, d.scl_dphi[s], sigma, gc.sigma,
                  fabs(sigma - gc.sigma) / fabs(gc.sigma), prof.sigma_field, fabs(sigma - prof.sigma_field) / fabs(prof.sigma_field), d.scl_C[s], gc.C, fabs(d.scl_C[s] - gc.C) / gc.C, sd->pnp_h[0] / lam, d.pnp_neutrality[s]);
    assert_true(fabs(d.scl_dphi[s] - step) <= 1e-9);
    assert_true(fabs(sigma - gc.sigma) <= 1e-4 * fabs(gc.sigma));
    assert_true(fabs(sigma - prof.sigma_field) <= 1e-4 * fabs(prof.sigma_field));
    assert_true(fabs(d.scl_C[s] - gc.C) <= 1e-4 * gc.C);
    assert_true(fabs(d.pnp_neutrality[s]) <= 1e-10 * fabs(sigma));
    assert_int_equal(SsbSclProfileDestroy(&prof), 0);
  }
  SsbSimDestroy(&sim);
}

static SsbMaterial coat_mat;

/* dc resistance of a symmetric Li | SSE | Li cell, a depleted resolved layer (+0.3 V) on one face and
   an accumulation layer (-0.1 V) behind a 1 nm coating on the other, at 1e-5 A/m^2 (linear response):
   -V/I = L/kappa + sum over faces of [R T/(F i0 (c(0)/c_b)^alpha) + L_c/sigma_c + R_scl]. In the
   resolved mode R_scl is not a formula: it is the Li+ electrochemical-potential drop that the
   Nernst-Planck profile needs to carry the current. */
static void test_dc_resistance(void **state)
{
  static SsbFunc step_neg = {.kind = SSB_FUNC_CONSTANT, .value = 0.3};
  static SsbFunc step_pos = {.kind = SSB_FUNC_CONSTANT, .value = -0.1};
  SsbTestCase    tc;
  SsbSim         sim;
  long           n;
  double        *y, *yp;
  const double   Iapp = 1e-5;
  SsbTestCaseDefault(&tc);
  SsbTestSpaceCharge(&tc, &coat_mat);
  tc.c.cell.pos                       = (SsbElectrode){.kind = SSB_ELECTRODE_LITHIUM_METAL, .material = &tc.mat[0], .thickness = 20e-6, .initial_stoichiometry = NAN};
  tc.c.cell.ifc_neg.space_charge      = SSB_SPACE_CHARGE_RESOLVED;
  tc.c.cell.ifc_neg.scl_step          = &step_neg;
  tc.c.cell.ifc_pos.space_charge      = SSB_SPACE_CHARGE_RESOLVED;
  tc.c.cell.ifc_pos.scl_step          = &step_pos;
  tc.c.cell.ifc_pos.coating           = &coat_mat;
  tc.c.cell.ifc_pos.coating_thickness = 1e-9;
  tc.c.mesh                           = (SsbMeshSpec){10, 10, 10, 10, 300, 30, pow(1.12, 48.0 / 300)};
  tc.steps[0]                         = (SsbStep){.text = "Discharge at 1e-5 A/m^2 for 100 s", .kind = SSB_STEP_CURRENT, .current = {Iapp, SSB_CURRENT_DENSITY}, .duration = 100, .until_voltage = NAN};
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  Run(sim);
  SsbSimGetState(sim, &n, &y, &yp);
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  SsbCellDiag d;
  SsbSimDiagnostics(sim, y, yp, &d);
  double       R_model = -y[m->i_V] / Iapp, kappa = tc.mat[1].el.conductivity.value;
  double       R = tc.c.cell.sep.thickness / kappa, Rd = R, f = SSB_FARADAY / (SSB_GAS_CONSTANT * 298.15);
  SsbSclParams p = {30, 298.15, tc.mat[1].el.concentration, 0};
  for (int s = 0; s < 2; s++) {
    SsbSclCoating coat = s ? (SsbSclCoating){1e-9, 10, 1e-4} : (SsbSclCoating){0, 1, 1};
    SsbSclSplit   split;
    double        Rscl, step = s ? step_pos.value : step_neg.value;
    assert_int_equal(SsbSclCoatingSplit(&p, &coat, step, &split), 0);
    assert_int_equal(SsbSclExcessResistance(&p, kappa, split.dphi_scl, &Rscl), 0);
    double Rct = 1 / (f * tc.mat[0].li.exchange_current_density * sqrt(split.scl.c0 / p.c_b));
    print_message("face %d: layer drop %.4f V (model %.4f V), c(0)/c_b %.4e, R_ct %.6e, R_coat %.3e, R_scl %.6e ohm m^2; the model's coating + layer resistance %.6e (rel %.1e)\n", s, split.dphi_scl, d.scl_dphi[s], split.scl.c0 / p.c_b, Rct, split.R_coat, Rscl, d.scl_R[s], fabs(d.scl_R[s] - split.R_coat - Rscl) / fabs(split.R_coat + Rscl));
    /* the resolved layer's own dc resistance (its discrete Nernst-Planck faces): second order on the
       300-cell mesh, 2e-4 of R_scl measured; 1e-3 leaves room for the steeper depleted profile */
    assert_true(fabs(d.scl_R[s] - split.R_coat - Rscl) <= 1e-3 * fabs(split.R_coat + Rscl));
    R += Rct + split.R_coat + Rscl;
    Rd += Rct + d.scl_R[s];
  }
  print_message("dc resistance: model %.10e, analytic %.10e ohm m^2 (rel %.1e); with the model's own layer resistances %.10e (rel %.1e)\n", R_model, R, fabs(R_model - R) / R, Rd, fabs(R_model - Rd) / Rd);
  /* 1e-7: the Butler-Volmer curvature (1e-8 at F eta/RT ~ 3e-4) and the R_scl discretisation
     (2e-4 of R_scl, 2.6e-5 of R: 5e-9) */
  assert_true(fabs(R_model - R) <= 1e-7 * R);
  SsbSimDestroy(&sim);
}

/* the thin-film case's rows: time, voltage, both layers' drops; neutrality of the resolved layers */
#define MAXROWS 8192
typedef struct {
  SsbSim sim;
  int    nrow;
  double t[MAXROWS], V[MAXROWS], drop[2][MAXROWS];
  double neutral_rel, neutral_abs;
} Rows;

static void Monitor(void *ctx, double t, int step, const double *y, const double *yp)
{
  Rows       *r = (Rows *)ctx;
  SsbCellDiag d;
  if (r->nrow >= MAXROWS || SsbSimDiagnostics(r->sim, y, yp, &d)) return;
  r->t[r->nrow]       = t;
  r->V[r->nrow]       = d.voltage;
  r->drop[0][r->nrow] = d.scl_dphi[0];
  r->drop[1][r->nrow] = d.scl_dphi[1];
  r->nrow++;
  for (int s = 0; s < 2; s++) {
    r->neutral_abs = PetscMax(r->neutral_abs, fabs(d.pnp_neutrality[s]));
    r->neutral_rel = PetscMax(r->neutral_rel, fabs(d.pnp_neutrality[s]) / fabs(d.scl_sigma[s]));
  }
}

static void ThinFilm(const char *mode, Rows *r)
{
  char        path[PETSC_MAX_PATH_LEN], neg[96], pos[96];
  const char *sets[4] = {neg, pos, "experiment.steps=[Discharge at C/10 until 3.0 V]", "output.interval=10 s"};
  SsbCase    *c;
  snprintf(path, sizeof path, "%s/cases/thin_film_space_charge.yaml", SSB_SOURCE_DIR);
  snprintf(neg, sizeof neg, "cell.interfaces.negative.space_charge=%s", mode);
  snprintf(pos, sizeof pos, "cell.interfaces.positive.space_charge=%s", mode);
  assert_int_equal(SsbCaseRead(path, 4, sets, &c), 0);
  memset(r, 0, sizeof(*r));
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, c, &r->sim), 0);
  assert_int_equal(SsbSimSetMonitor(r->sim, Monitor, r), 0);
  double t0 = MPI_Wtime();
  Run(r->sim);
  SsbSimStats st;
  SsbSimGetStats(r->sim, &st);
  print_message("%s: %d rows, %.4f s (wall, solver and the diagnostics of every row, no output)\n", mode, r->nrow, MPI_Wtime() - t0);
  SsbSimDestroy(&r->sim);
  SsbCaseDestroy(&c);
}

static void test_compact_vs_resolved(void **state)
{
  static Rows a, b;
  ThinFilm("compact", &a);
  ThinFilm("resolved", &b);
  double dV = 0, dd[2] = {0, 0}, tV = 0;
  int    n = 0;
  for (int i = 0, j = 0; i < a.nrow && j < b.nrow;) {
    if (fabs(a.t[i] - b.t[j]) < 1e-6) {
      if (fabs(b.V[j] - a.V[i]) > dV) dV = fabs(b.V[j] - a.V[i]), tV = a.t[i];
      for (int s = 0; s < 2; s++) dd[s] = PetscMax(dd[s], fabs(b.drop[s][j] - a.drop[s][i]));
      n++, i++, j++;
    } else if (a.t[i] < b.t[j])
      i++;
    else
      j++;
  }
  print_message("%d common rows (compact %d, resolved %d; ends %.1f s, %.1f s): max |V_resolved - V_compact| %.3e V (at %.0f s); layer drops: negative %.3e V, positive %.3e V\n", n, a.nrow, b.nrow, a.t[a.nrow - 1], b.t[b.nrow - 1], dV, tV, dd[0], dd[1]);
  print_message("neutrality of the resolved layers over the run: max |Q_field + Q_layer| %.2e C/m^2, %.2e of the layer charge\n", b.neutral_abs, b.neutral_rel);
  assert_true(n > 0.95 * a.nrow);
  assert_true(dV <= 1e-3);
  assert_true(dd[0] <= 1e-3 && dd[1] <= 1e-3);
  assert_true(b.neutral_rel <= 1e-10);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_relax_to_equilibrium),
    cmocka_unit_test(test_compact_vs_resolved),
    cmocka_unit_test(test_dc_resistance),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
