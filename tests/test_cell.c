/* test_cell.c -- verification of the single-cell model on a case built in code (tests/test_cases.h):
   - the analytic Jacobian equals a centred finite-difference Jacobian at random admissible states,
     within 1e-6 relative (of the column scale: entries below 1e-6 of the largest entry of their row
     are compared absolutely against that scale; centred differences at 1e-4 max(|y|, typical size) and half that, Richardson-extrapolated);
   - (configurations 11 and 12 have resolved (Poisson-Nernst-Planck) space-charge layers on both
     planar faces, with saturation, coatings, a depleted layer, on a Li and a dense face of either side;
     two conservation runs too: the electrode charge -F sum w_i (c_i - c_b) of each layer is counted)
   - (the Jacobian configurations 8-10 and two conservation runs have compact space-charge layers
     with coatings on: the electrode charge Q of each interface is an unknown, and the charge it
     stores is counted with the capacitors')
   - the residual's exact temperature derivative (SsbCellResidualT) equals a centred finite difference
     of the residual in T, row by row, within the same 1e-6, with activation energies on every rate;
   - Li conservation: the charge passed equals the change of the positive electrode's Li inventory
     times F, within 1e-9 relative (the discretisation is conservative; what remains is the
     integrator's Newton tolerance on the algebraic current, far below 1e-9);
   - the separator's ohmic drop is exactly I L / kappa (t+ = 1: no concentration polarisation);
   - a 1C discharge reaches its 3.0 V cut-off with a delivered capacity within the theoretical one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <ssbsim/ssb_sim.h>
#include "test_cases.h"

/* Compact space-charge layers (test numbers, not material data): the separator electrolyte's
   permittivity and Li sites, a coating material and equilibrium steps of either sign. */
static SsbMaterial coat_mat;
static SsbFunc     step_pos = {.kind = SSB_FUNC_EXPRESSION, .expr = "0.1 + 0.05*x"};
static SsbFunc     step_li  = {.kind = SSB_FUNC_CONSTANT, .value = -0.05};
static SsbFunc     step_dep = {.kind = SSB_FUNC_EXPRESSION, .expr = "0.42 + 0.05*x"}; /* depleted: R_scl matters */
/* depleted (c(0)/c_b ~ 1e-4) for the resolved layer: finite differences in a concentration of
   1e-8 c_b would drown in the round-off of the Poisson rows' eps phi/h terms */
static SsbFunc step_dep_pnp = {.kind = SSB_FUNC_EXPRESSION, .expr = "0.22 + 0.05*x"};

static void SpaceCharge(SsbTestCase *tc, double site_concentration)
{
  SsbTestSpaceCharge(tc, &coat_mat);
  tc->mat[1].el.site_concentration = site_concentration;
}

/* Configurations of the Jacobian check: every electrode kind on both sides and every optional term. */
static void Configure(SsbTestCase *tc, int config)
{
  SsbCase *c = &tc->c;
  c->mesh    = (SsbMeshSpec){4, 4, 5, 6, 0, 0, 0};
  /* stoichiometry-dependent D so the dD/dc terms are exercised */
  tc->mat[2].ins.diffusivity = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "1e-14*(1 + 2*x*x)"};
  tc->mat[3].ins.diffusivity = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "3e-14*(1 + x)"};
  switch (config) {
  case 0: /* Li | SSE | composite; the negative a two-phase alloy (a constant ocp) */
    tc->mat[0].li.ocp = 0.62;
    break;
  case 1: /* composite | SSE | composite, film resistances, series resistance */
    c->cell.neg                     = c->cell.pos;
    c->cell.neg.material            = &tc->mat[3];
    c->cell.ifc_neg.film_resistance = 2e-3;
    c->cell.ifc_pos.film_resistance = 1e-3;
    c->cell.series_resistance       = 5e-4;
    break;
  case 2: /* Li | SSE | dense (ambipolar diffusion: an electron diffusivity comparable to D), double layers on both faces, geometric capacitance, leakage */
    tc->mat[2].ins.electron_diffusivity      = 2e-14;
    c->cell.pos.kind                         = SSB_ELECTRODE_DENSE;
    c->cell.pos.thickness                    = 2e-6;
    c->cell.ifc_neg.double_layer_capacitance = 0.2;
    c->cell.ifc_pos.double_layer_capacitance = 0.1;
    c->cell.geometric_capacitance            = 1e-3;
    tc->mat[1].el.electronic_conductivity    = 1e-6;
    break;
  case 3: /* dense | SSE | composite with double layers, leakage and series resistance */
    c->cell.neg                              = c->cell.pos;
    c->cell.neg.kind                         = SSB_ELECTRODE_DENSE;
    c->cell.neg.material                     = &tc->mat[3];
    c->cell.neg.thickness                    = 5e-6;
    c->cell.ifc_neg.double_layer_capacitance = 0.3;
    c->cell.ifc_pos.double_layer_capacitance = 0.2;
    c->cell.ifc_pos.film_resistance          = 1e-3;
    c->cell.series_resistance                = 1e-3;
    tc->mat[1].el.electronic_conductivity    = 1e-5;
    break;
  case 5: /* Li | binary polymer | composite, film resistance */
    c->cell.sep.electrolyte         = &tc->mat[4];
    c->cell.pos.electrolyte         = &tc->mat[4];
    c->cell.ifc_pos.film_resistance = 1e-3;
    break;
  case 6: /* composite | binary polymer | composite with double layers */
    c->cell.neg                              = c->cell.pos;
    c->cell.neg.material                     = &tc->mat[3];
    c->cell.sep.electrolyte                  = &tc->mat[4];
    c->cell.pos.electrolyte                  = &tc->mat[4];
    c->cell.neg.electrolyte                  = &tc->mat[4];
    c->cell.ifc_neg.double_layer_capacitance = 0.2;
    c->cell.ifc_pos.double_layer_capacitance = 0.1;
    break;
  case 7: /* Li | dissociation SSE | dense film with double layers, geometric capacitance */
    c->cell.sep.electrolyte                  = &tc->mat[5];
    c->cell.sep.thickness                    = 1.5e-6;
    c->cell.pos.kind                         = SSB_ELECTRODE_DENSE;
    c->cell.pos.thickness                    = 0.32e-6;
    c->cell.ifc_neg.double_layer_capacitance = 0.01;
    c->cell.ifc_pos.double_layer_capacitance = 0.02;
    c->cell.geometric_capacitance            = 1e-4;
    break;
  case 8: /* Li | SSE | composite, compact space charge on both, a coating and film on the positive, lattice saturation */
    SpaceCharge(tc, 4e4);
    c->cell.ifc_neg.space_charge      = SSB_SPACE_CHARGE_COMPACT;
    c->cell.ifc_neg.scl_step          = &step_li;
    c->cell.ifc_pos.space_charge      = SSB_SPACE_CHARGE_COMPACT;
    c->cell.ifc_pos.scl_step          = &step_pos;
    c->cell.ifc_pos.coating           = &coat_mat;
    c->cell.ifc_pos.coating_thickness = 2e-9;
    c->cell.ifc_pos.film_resistance   = 1e-3;
    break;
  case 9: /* Li | SSE | dense, compact space charge and double layers on both faces, a coating on the Li face */
    SpaceCharge(tc, 0);
    c->cell.pos.kind                         = SSB_ELECTRODE_DENSE;
    c->cell.pos.thickness                    = 2e-6;
    c->cell.ifc_neg.double_layer_capacitance = 0.2;
    c->cell.ifc_pos.double_layer_capacitance = 0.1;
    c->cell.ifc_neg.space_charge             = SSB_SPACE_CHARGE_COMPACT;
    c->cell.ifc_neg.scl_step                 = &step_li;
    c->cell.ifc_neg.coating                  = &coat_mat;
    c->cell.ifc_neg.coating_thickness        = 1e-9;
    c->cell.ifc_pos.space_charge             = SSB_SPACE_CHARGE_COMPACT;
    c->cell.ifc_pos.scl_step                 = &step_pos;
    break;
  case 10: /* composite | SSE | composite, compact space charge (a coating on the negative; a depleted positive layer whose R_scl matters) */
    SpaceCharge(tc, 0);
    c->cell.neg                       = c->cell.pos;
    c->cell.neg.material              = &tc->mat[3];
    c->cell.ifc_neg.space_charge      = SSB_SPACE_CHARGE_COMPACT;
    c->cell.ifc_neg.scl_step          = &step_li;
    c->cell.ifc_neg.coating           = &coat_mat;
    c->cell.ifc_neg.coating_thickness = 1e-9;
    c->cell.ifc_pos.space_charge      = SSB_SPACE_CHARGE_COMPACT;
    c->cell.ifc_pos.scl_step          = &step_dep;
    break;
  case 11: /* Li | SSE | dense, resolved space charge on both faces, lattice saturation, a coating and film on the dense face */
    SpaceCharge(tc, 4e4);
    c->mesh                               = (SsbMeshSpec){4, 4, 5, 6, 12, 20, 1.3};
    c->cell.pos.kind                      = SSB_ELECTRODE_DENSE;
    c->cell.pos.thickness                 = 2e-6;
    c->cell.ifc_neg.space_charge          = SSB_SPACE_CHARGE_RESOLVED;
    c->cell.ifc_neg.scl_step              = &step_li;
    c->cell.ifc_pos.space_charge          = SSB_SPACE_CHARGE_RESOLVED;
    c->cell.ifc_pos.scl_step              = &step_pos;
    c->cell.ifc_pos.coating               = &coat_mat;
    c->cell.ifc_pos.coating_thickness     = 2e-9;
    c->cell.ifc_pos.film_resistance       = 1e-3;
    c->cell.geometric_capacitance         = 1e-4;
    tc->mat[1].el.electronic_conductivity = 1e-6;
    break;
  case 12: /* dense | SSE | Li, resolved on both (a depleted layer on the dense face, a coating on the Li face), no saturation */
    SpaceCharge(tc, 0);
    c->mesh                           = (SsbMeshSpec){4, 4, 5, 6, 10, 25, 1.4};
    c->cell.neg                       = c->cell.pos;
    c->cell.neg.kind                  = SSB_ELECTRODE_DENSE;
    c->cell.neg.material              = &tc->mat[3];
    c->cell.neg.thickness             = 5e-6;
    c->cell.pos                       = (SsbElectrode){.kind = SSB_ELECTRODE_LITHIUM_METAL, .material = &tc->mat[0], .thickness = 20e-6, .initial_stoichiometry = NAN};
    c->cell.ifc_neg.space_charge      = SSB_SPACE_CHARGE_RESOLVED;
    c->cell.ifc_neg.scl_step          = &step_dep_pnp;
    c->cell.ifc_pos.space_charge      = SSB_SPACE_CHARGE_RESOLVED;
    c->cell.ifc_pos.scl_step          = &step_li;
    c->cell.ifc_pos.coating           = &coat_mat;
    c->cell.ifc_pos.coating_thickness = 1e-9;
    c->cell.series_resistance         = 1e-3;
    break;
  case 4: /* composite | SSE | Li metal with a double layer */
    c->cell.neg                              = c->cell.pos;
    c->cell.neg.material                     = &tc->mat[3];
    c->cell.pos                              = (SsbElectrode){.kind = SSB_ELECTRODE_LITHIUM_METAL, .material = &tc->mat[0], .thickness = 20e-6, .initial_stoichiometry = NAN};
    c->cell.ifc_pos.double_layer_capacitance = 0.1;
    break;
  }
}

/* Every rate property Arrhenius (distinct activation energies) and OCPs with entropic terms: the
   temperature-dependent variant of a configuration (thermal Jacobian and dF/dT tests) */
static void TemperatureDependent(SsbTestCase *tc)
{
  tc->mat[0].li.kinetics_Ea     = 30e3;
  tc->mat[1].el.conductivity_Ea = 30e3;
  tc->mat[2].ins.kinetics_Ea    = 50e3;
  tc->mat[2].ins.diffusivity_Ea = 30e3;
  tc->mat[3].ins.kinetics_Ea    = 40e3;
  tc->mat[3].ins.diffusivity_Ea = 20e3;
  tc->mat[4].el.conductivity_Ea = 25e3;
  tc->mat[4].el.diffusivity_Ea  = 20e3;
  tc->mat[5].el.diffusivity_Ea  = 35e3;
  tc->mat[2].ins.ocp            = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "4.2 - x + 1e-4*(T - 298.15)*(1 - 2*x)"};
  tc->mat[3].ins.ocp            = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "0.1 + 0.4*(1 - x) + 5e-5*(T - 298.15)*x*x"};
}

/* The analytic Jacobian at (y, yp, cj) against centred finite differences of the residual, every
   entry: centred differences at h and h/2, combined by Richardson extrapolation (error O(h^4)); the
   step is relative to the unknown's typical size (scale[j % nvar] for the cells' unknowns, 1 for the
   border's), so round-off (eps |F|/h) stays small against cancellations in the row. */
static void CheckJacobianFD(SsbSim sim, long n, long ncellvar, int nvar, const SsbVarType *type, const double *scale, double *y, double *yp, double cj, const char *what, double *worst, double *worst_rel)
{
  double *F1 = malloc(sizeof(double) * n), *F2 = malloc(sizeof(double) * n), *F3 = malloc(sizeof(double) * n), *F4 = malloc(sizeof(double) * n);
  Mat     J;
  assert_int_equal(SsbSimJacobianMat(sim, cj, y, yp, &J), 0);
  for (long j = 0; j < n; j++) {
    double h = 1e-4 * PetscMax(fabs(y[j]), j < ncellvar ? scale[j % nvar] : 1.0), save = y[j], savep = yp[j];
    y[j]  = save + h;
    yp[j] = savep + cj * h;
    assert_int_equal(SsbSimResidualArray(sim, y, yp, F1), 0);
    y[j]  = save - h;
    yp[j] = savep - cj * h;
    assert_int_equal(SsbSimResidualArray(sim, y, yp, F2), 0);
    y[j]  = save + 0.5 * h;
    yp[j] = savep + cj * 0.5 * h;
    assert_int_equal(SsbSimResidualArray(sim, y, yp, F3), 0);
    y[j]  = save - 0.5 * h;
    yp[j] = savep - cj * 0.5 * h;
    assert_int_equal(SsbSimResidualArray(sim, y, yp, F4), 0);
    y[j]  = save;
    yp[j] = savep;
    for (long i = 0; i < n; i++) {
      double             fd = (4 * (F3[i] - F4[i]) / h - (F1[i] - F2[i]) / (2 * h)) / 3, an;
      PetscInt           ii = (PetscInt)i, jj = (PetscInt)j, nc;
      const PetscScalar *vals;
      double             rs = 0;
      MatGetValues(J, 1, &ii, 1, &jj, &an);
      /* row scale: the largest analytic entry of the row */
      MatGetRow(J, ii, &nc, NULL, &vals);
      for (PetscInt q = 0; q < nc; q++) rs = PetscMax(rs, fabs(vals[q]));
      MatRestoreRow(J, ii, &nc, NULL, &vals);
      double err = fabs(fd - an), tol = 1e-6 * PetscMax(fabs(an), 1e-6 * rs);
      /* the largest err/tol, and the largest relative error of entries above 1e-6 of their row's scale */
      if (worst) *worst = PetscMax(*worst, err / tol);
      if (worst_rel && fabs(an) >= 1e-6 * rs && an != 0) *worst_rel = PetscMax(*worst_rel, err / fabs(an));
      if (err > tol) {
        print_error("%s entry (%ld,%ld): analytic %.10e fd %.10e y_j %.6e F_i %.6e type_i %d type_j %d\n", what, i, j, an, fd, y[j], F1[i], i < ncellvar ? (int)type[i % nvar] : -1, j < ncellvar ? (int)type[j % nvar] : -1);
        for (double hh = 1e-2 * h; hh < 1e3 * h; hh *= 10) {
          y[j] = save + hh, yp[j] = savep + cj * hh;
          SsbSimResidualArray(sim, y, yp, F3);
          y[j] = save - hh, yp[j] = savep - cj * hh;
          SsbSimResidualArray(sim, y, yp, F4);
          y[j] = save, yp[j] = savep;
          print_error("   h %.2e: fd %.10e\n", hh, (F3[i] - F4[i]) / (2 * hh));
        }
      }
      assert_true(err <= tol);
    }
  }
  free(F1);
  free(F2);
  free(F3);
  free(F4);
}

/* A random admissible state around the rest state y0 of ncells identical cells (nvar unknowns each);
   the border keeps y0's values but for the current (index n - 2) and the temperatures [iT, iT + nth). */
static void RandomState(long n, int ncells, int nvar, const SsbVarType *type, const double *scale, const double *y0, long iT, int nth, double *y, double *yp)
{
  for (long i = 0; i < n; i++) {
    double u = rand() / (double)RAND_MAX - 0.5;
    int    v = (int)(i % nvar);
    y[i]     = y0[i];
    yp[i]    = 1e-3 * u * (i < (long)ncells * nvar ? scale[v] : 1.0);
    if (i >= (long)ncells * nvar) continue;
    switch (type[v]) {
    case SSB_VAR_POTENTIAL:
      y[i] += 0.05 * u;
      break;
    case SSB_VAR_CONCENTRATION:
      y[i] = y0[i] * (0.5 + 0.5 * rand() / (double)RAND_MAX) + 0.1 * y0[i] * u;
      break;
    case SSB_VAR_REACTION:
      y[i] = 2.0 * u * scale[v];
      break;
    case SSB_VAR_THICKNESS:
      y[i] = scale[v] * (1 + u);
      break;
    }
  }
  y[n - 2] = 12.0;
  /* the temperatures: a common rise of up to 10 K and differences of up to 20 mK between the layers
     (through-plane differences in a stack are small; large ones would make the conduction terms,
     and the round-off of the differences in the thermal rows, 1e3 times larger) */
  double rise = 10.0 * (rand() / (double)RAND_MAX);
  for (int i = 0; i < nth; i++) y[iT + i] = y0[iT + i] + rise + 0.02 * (rand() / (double)RAND_MAX - 0.5);
}

static void test_jacobian_fd(void **state)
{
  for (int config = 0; config < 13; config++) {
    SsbTestCase tc;
    SsbSim      sim;
    long        n;
    double     *y0, *yp0;
    SsbTestCaseDefault(&tc);
    Configure(&tc, config);
    assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
    assert_int_equal(SsbSimGetState(sim, &n, &y0, &yp0), 0);
    const SsbCellModel *m;
    SsbSimGetCellModel(sim, &m);
    SsbVarType *type  = malloc(sizeof(SsbVarType) * m->nvar);
    int        *dif   = malloc(sizeof(int) * m->nvar);
    double     *scale = malloc(sizeof(double) * m->nvar);
    SsbCellVarTypes(m, type, dif, scale);
    double *y = malloc(sizeof(double) * n), *yp = malloc(sizeof(double) * n);
    double  worst = 0, worst_rel = 0;
    srand(12345 + config);
    for (int mode = 0; mode < 2; mode++) {
      SsbSimSetControl(sim, mode == 0 ? SSB_CONTROL_CURRENT : SSB_CONTROL_VOLTAGE, mode == 0 ? 10.0 : 3.9);
      for (int trial = 0; trial < 2; trial++) {
        char what[64];
        RandomState(n, 1, m->nvar, type, scale, y0, 0, 0, y, yp);
        snprintf(what, sizeof what, "config %d mode %d trial %d", config, mode, trial);
        CheckJacobianFD(sim, n, m->nvar, m->nvar, type, scale, y, yp, 37.0, what, &worst, &worst_rel);
      }
    }
    print_message("config %d: %ld unknowns, Jacobian matches finite differences (worst error/tolerance %.2g, worst relative error %.1e)\n", config, n, worst, worst_rel);
    free(y);
    free(yp);
    free(type);
    free(dif);
    free(scale);
    SsbSimDestroy(&sim);
  }
}

/* The same check with the thermal models: every configuration as a stack of two cells with a
   bipolar plate and end collectors (their I^2 R heat) under current control, and as one cell with
   collectors under voltage control (with two cells the control row's entry in the last cell's
   voltage, 1 - 1, meets the round-off of the stack voltage over the step), lumped and stack thermal models, activation energies on every
   rate and OCPs with an entropic term, at random temperatures (298-308 K, within 20 mK of each other). This
   covers the thermal rows: every heat source's derivative in the cells' unknowns, the current and
   the temperatures (and the cells' rows in their temperatures). */
static void test_jacobian_fd_thermal(void **state)
{
  static SsbMaterial al = {.kind = SSB_MATERIAL_CONDUCTOR, .electronic_conductivity = 3.69e7, .thermal = {2702, 897, 237}};
  for (int config = 0; config < 11; config++)
    for (int model = 0; model < 2; model++)
      for (int mode = 0; mode < 2; mode++) {
        SsbTestCase tc;
        SsbSim      sim;
        long        n, iT = -1;
        double     *y0, *yp0;
        SsbTestCaseDefault(&tc);
        Configure(&tc, config);
        tc.mat[0].thermal = (SsbThermalProps){534, 3582, 84.7};
        tc.mat[1].thermal = (SsbThermalProps){1900, 700, 0.6};
        tc.mat[2].thermal = tc.mat[3].thermal = (SsbThermalProps){4700, 700, 2};
        tc.mat[4].thermal = tc.mat[5].thermal = (SsbThermalProps){1200, 1500, 0.3};
        TemperatureDependent(&tc);
        tc.c.stack.cells              = mode == 0 ? 2 : 1;
        tc.c.stack.bipolar_plate      = (SsbPlateSpec){&al, 15e-6, 2e-5};
        tc.c.stack.collector_negative = (SsbPlateSpec){&al, 15e-6, 3e-5};
        tc.c.stack.collector_positive = (SsbPlateSpec){&al, 15e-6, 1e-5};
        tc.c.thermal.model            = model == 0 ? SSB_THERMAL_LUMPED : SSB_THERMAL_STACK;
        tc.c.thermal.bottom           = (SsbBoundarySpec){SSB_BOUNDARY_CONVECTIVE, 5, 298.15};
        tc.c.thermal.top              = (SsbBoundarySpec){SSB_BOUNDARY_CONVECTIVE, 8, 300.15};
        assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
        assert_int_equal(SsbSimGetState(sim, &n, &y0, &yp0), 0);
        const SsbCellModel *m;
        const SsbHeatModel *hm;
        SsbSimGetCellModel(sim, &m);
        SsbSimGetHeatModel(sim, &hm, &iT);
        const int   nth    = hm ? hm->n : 1;
        const int   ncells = tc.c.stack.cells;
        SsbVarType *type   = malloc(sizeof(SsbVarType) * m->nvar);
        int        *dif    = malloc(sizeof(int) * m->nvar);
        double     *scale  = malloc(sizeof(double) * m->nvar);
        SsbCellVarTypes(m, type, dif, scale);
        double *y = malloc(sizeof(double) * n), *yp = malloc(sizeof(double) * n);
        srand(54321 + 2 * config + model);
        char what[96];
        SsbSimSetControl(sim, mode == 0 ? SSB_CONTROL_CURRENT : SSB_CONTROL_VOLTAGE, mode == 0 ? 10.0 : 3.9);
        RandomState(n, ncells, m->nvar, type, scale, y0, iT, nth, y, yp);
        snprintf(what, sizeof what, "config %d, %s thermal model, %s control", config, model == 0 ? "lumped" : "stack", mode == 0 ? "current" : "voltage");
        CheckJacobianFD(sim, n, (long)ncells * m->nvar, m->nvar, type, scale, y, yp, 37.0, what, NULL, NULL);
        print_message("%s, %d cell(s): %ld unknowns (%d thermal), Jacobian matches finite differences\n", what, ncells, n, nth);
        free(y);
        free(yp);
        free(type);
        free(dif);
        free(scale);
        SsbSimDestroy(&sim);
      }
}

/* Dense accumulation of a cell's Jacobian (SsbCellJacobian's sink): nvar x (nvar + 1), the current
   column last. */
typedef struct {
  int     nvar;
  double *J;
} DenseJac;

static void DenseSink(void *ctx, int row, int col, double v)
{
  DenseJac *d = (DenseJac *)ctx;
  d->J[(size_t)row * (d->nvar + 1) + (col == SSB_COL_CURRENT ? d->nvar : col)] += v;
}

/* The cell's residual derivative in its temperature (SsbCellResidualT) against a centred finite
   difference of SsbCellResidual in T (SsbCellSetTemperature at T +- h and T +- h/2, Richardson-
   extrapolated, h = 1e-4 T), every row, for every configuration of test_jacobian_fd (the resolved
   layers' too) and one with different activation energies of the separator's and the composite's
   electrolytes (their face's conductance mixes two Arrhenius factors), with activation energies on
   every rate (Li, both intercalation materials' kinetics and diffusion, the electrolytes'
   conductivity and diffusion, the dissociation rates, the coating) and OCPs with an entropic term,
   at random admissible states, at T0 and up to 10 K above. The tolerance is that of the Jacobian
   checks, 1e-6 of the entry or of 1e-6 of the row's largest entry (the analytic Jacobian's, this
   column included): with h = 0.03 K the extrapolated difference's truncation error, O(h^4), and its
   round-off, eps |F|/h, are both orders of magnitude below it. */
static void test_temperature_derivative(void **state)
{
  static SsbMaterial el2;
  for (int config = 0; config < 14; config++) {
    SsbTestCase   tc;
    SsbCellModel *m;
    SsbTestCaseDefault(&tc);
    Configure(&tc, config == 13 ? 1 : config);
    TemperatureDependent(&tc);
    coat_mat.el.conductivity_Ea = 45e3; /* set by Configure for the space-charge configurations */
    if (config == 13) {                 /* composite | SSE | composite, the composites' electrolyte another single-ion conductor */
      el2                       = tc.mat[1];
      el2.el.conductivity       = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 0.05};
      el2.el.conductivity_Ea    = 45e3;
      tc.c.cell.neg.electrolyte = tc.c.cell.pos.electrolyte = &el2;
    }
    assert_int_equal(SsbCellModelCreate(&tc.c, &m), 0);
    const int   nvar  = m->nvar;
    SsbVarType *type  = malloc(sizeof(SsbVarType) * nvar);
    int        *dif   = malloc(sizeof(int) * nvar);
    double     *scale = malloc(sizeof(double) * nvar), *y0 = calloc(nvar + 2, sizeof(double)), *yp0 = calloc(nvar + 2, sizeof(double));
    double     *y = malloc(sizeof(double) * (nvar + 2)), *yp = malloc(sizeof(double) * (nvar + 2));
    double     *F[4], *dF                                    = malloc(sizeof(double) * nvar);
    DenseJac    dj = {nvar, malloc(sizeof(double) * nvar * (nvar + 1))};
    for (int q = 0; q < 4; q++) F[q] = malloc(sizeof(double) * nvar);
    SsbCellVarTypes(m, type, dif, scale);
    SsbCellInitialState(m, y0, yp0);
    const double T0 = m->T0, Icur = 12.0;
    double       worst = 0;
    srand(777 + config);
    for (int trial = 0; trial < 4; trial++) {
      RandomState(nvar + 2, 1, nvar, type, scale, y0, 0, 0, y, yp);
      const double T = trial == 0 ? T0 : T0 + 10.0 * rand() / (double)RAND_MAX, h = 1e-4 * T;
      const double dT[4] = {h, -h, 0.5 * h, -0.5 * h};
      for (int q = 0; q < 4; q++) {
        SsbCellSetTemperature(m, T + dT[q]);
        assert_int_equal(SsbCellResidual(m, y, yp, Icur, F[q]), 0);
      }
      SsbCellSetTemperature(m, T);
      SsbCellResidualT(m, y, yp, Icur, dF);
      memset(dj.J, 0, sizeof(double) * nvar * (nvar + 1));
      assert_int_equal(SsbCellJacobian(m, 37.0, y, yp, Icur, DenseSink, &dj), 0);
      for (int i = 0; i < nvar; i++) {
        double fd = (4 * (F[2][i] - F[3][i]) / h - (F[0][i] - F[1][i]) / (2 * h)) / 3, rs = fabs(dF[i]);
        for (int j = 0; j <= nvar; j++) rs = PetscMax(rs, fabs(dj.J[(size_t)i * (nvar + 1) + j]));
        double err = fabs(fd - dF[i]), tol = 1e-6 * PetscMax(fabs(dF[i]), 1e-6 * rs);
        worst = PetscMax(worst, err / tol);
        if (err > tol) print_error("config %d trial %d T %.4f K row %d (type %d): analytic %.10e fd %.10e (row scale %.3e)\n", config, trial, T, i, (int)type[i], dF[i], fd, rs);
        assert_true(err <= tol);
      }
    }
    print_message("config %d: %d unknowns, dF/dT matches finite differences in T (worst error/tolerance %.2g)\n", config, nvar, worst);
    for (int q = 0; q < 4; q++) free(F[q]);
    free(dF);
    free(dj.J);
    free(y);
    free(yp);
    free(y0);
    free(yp0);
    free(type);
    free(dif);
    free(scale);
    SsbCellModelDestroy(&m);
  }
}

/* A run of the configured cell; checks that the charge passed equals F times the Li gained by the
   positive and lost by the negative electrode, plus the charge stored in planar double layers, the
   space-charge layers and the geometric capacitance, within 1e-9 relative. */
static void RunConservation(SsbTestCase *tc, const char *what, const char *expect_status)
{
  SsbSim      sim;
  const char *status;
  long        n;
  double      q, li0[2], li1[2], *y, *yp, *y0;
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc->c, &sim), 0);
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  SsbSimGetState(sim, &n, &y, &yp);
  /* capacitor voltages are differential: the consistent initialisation keeps them */
  y0 = malloc(sizeof(double) * n);
  memcpy(y0, y, sizeof(double) * n);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  print_message("%s: %s\n", what, status);
  assert_non_null(strstr(status, expect_status));
  SsbSimGetBalance(sim, &q, li0, li1);
  /* charge stored in the double layers (planar faces and particle surfaces) and the geometric
     capacitance */
  double cap[2] = {0, 0}, dg = m->i_ugeo >= 0 ? m->C_geo * (y[m->i_ugeo] - y0[m->i_ugeo]) : 0.0;
  for (int e = 0; e < 2; e++) {
    const SsbSide *sd = &m->side[e];
    if (sd->i_u >= 0) cap[e] = sd->C_dl * (y[sd->i_u] - y0[sd->i_u]);
    if (sd->kind == SSB_ELECTRODE_COMPOSITE && sd->C_dl > 0)
      for (int j = 0; j < sd->nk; j++) {
        int iu = m->off[sd->k0 + j] + m->o_cs + sd->g.n;
        cap[e] += sd->dx * sd->a_s * sd->C_dl * (y[iu] - y0[iu]);
      }
    /* compact space-charge layers: the electrode charge Q is the unknown */
    if (sd->i_q >= 0) cap[e] += y[sd->i_q] - y0[sd->i_q];
    if (sd->kind == SSB_ELECTRODE_COMPOSITE && sd->scl)
      for (int j = 0; j < sd->nk; j++) {
        int iq = m->off[sd->k0 + j] + sd->o_q;
        cap[e] += sd->dx * sd->a_s * (y[iq] - y0[iq]);
      }
    /* resolved layers: the electrode holds -F sum_i w_i (c_i - c_b) */
    for (int i = 0; sd->pnp && i < sd->pnp_n; i++) cap[e] -= SSB_FARADAY * sd->pnp_w[i] * (y[sd->i_pc + 2 * i] - y0[sd->i_pc + 2 * i]);
  }
  double dpos = (li1[1] - li0[1]) * SSB_FARADAY - cap[1] - dg, dneg = (li0[0] - li1[0]) * SSB_FARADAY + cap[0] - dg;
  print_message("  charge %.12e C/m^2, F dLi positive %.12e, F dLi negative %.12e (with capacitor charge; rel. %.1e, %.1e)\n", q, dpos, dneg, fabs(q - dpos) / fabs(q), fabs(q - dneg) / fabs(q));
  assert_true(fabs(q) > 0);
  assert_true(fabs(q - dpos) <= 1e-9 * fabs(q));
  assert_true(fabs(q - dneg) <= 1e-9 * fabs(q));
  free(y0);
  SsbSimDestroy(&sim);
}

static void test_discharge_conservation(void **state)
{
  SsbTestCase tc;
  SsbSim      sim;
  const char *status;
  double      q, li0[2], li1[2], cap;
  SsbTestCaseDefault(&tc);
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  print_message("status: %s\n", status);
  assert_string_equal(status, "completed");
  SsbSimGetBalance(sim, &q, li0, li1);
  SsbSimGetInfo(sim, NULL, NULL, &cap, NULL);
  double dli = (li1[1] - li0[1]) * SSB_FARADAY;
  print_message("charge %.12e C/m^2, F dLi %.12e C/m^2, rel diff %.3e, capacity fraction %.4f\n", q, dli, fabs(q - dli) / q, q / cap);
  assert_true(fabs(q - dli) <= 1e-9 * fabs(q));
  /* the cut-off lies beyond the stoichiometry window here (U(0.9) = 3.3 V), but the positive can never
     take more Li than fills it from x0 = 0.1 to x = 1 */
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  const SsbSide *pos  = &m->side[1];
  double         full = pos->eps_active * pos->L * pos->am.c_max * SSB_FARADAY * (1.0 - pos->am.x0);
  /* the root function ends the step exactly at the cut-off */
  long    n;
  double *y, *yp;
  SsbSimGetState(sim, &n, &y, &yp);
  print_message("final voltage %.12f V (cut-off 3.0 V)\n", y[m->i_V]);
  assert_true(fabs(y[m->i_V] - 3.0) < 1e-8);
  assert_true(q > 0.5 * cap && q < full);
  SsbSimDestroy(&sim);
}

/* Li and charge conservation in every electrode kind, with every optional term on. */
static void test_conservation_all_kinds(void **state)
{
  SsbTestCase tc;
  /* composite | SSE | composite, film and series resistances: a 1C discharge */
  SsbTestCaseDefault(&tc);
  Configure(&tc, 1);
  tc.c.mesh                 = (SsbMeshSpec){10, 10, 10, 10, 0, 0, 0};
  tc.steps[0].until_voltage = 2.8;
  RunConservation(&tc, "composite | SSE | composite", "completed");
  /* Li | SSE | dense film with double layers and the geometric capacitance (no leakage: it moves Li
     without passing charge through the terminals) */
  SsbTestCaseDefault(&tc);
  Configure(&tc, 2);
  tc.mat[1].el.electronic_conductivity = 0;
  tc.c.mesh                            = (SsbMeshSpec){10, 10, 20, 10, 0, 0, 0};
  tc.steps[0].until_voltage            = 3.2;
  RunConservation(&tc, "Li | SSE | dense", "completed");
  /* composite | SSE | Li metal, charged then discharged */
  SsbTestCaseDefault(&tc);
  Configure(&tc, 4);
  tc.c.mesh   = (SsbMeshSpec){10, 10, 10, 10, 0, 0, 0};
  tc.steps[0] = (SsbStep){.text = "Discharge at 1C for 20 minutes", .kind = SSB_STEP_CURRENT, .current = {1.0, SSB_CURRENT_CRATE}, .duration = 1200, .until_voltage = NAN};
  RunConservation(&tc, "composite | SSE | Li", "completed");
  /* compact space-charge layers (their charge follows the electrodes' stoichiometry): Li | SSE |
     composite with a coating, Li | SSE | dense with double layers and a coating on the Li face */
  for (int config = 8; config <= 9; config++) {
    SsbTestCaseDefault(&tc);
    Configure(&tc, config);
    tc.c.mesh   = (SsbMeshSpec){10, 10, 10, 10, 0, 0, 0};
    tc.steps[0] = (SsbStep){.text = "Discharge at 1C for 20 minutes", .kind = SSB_STEP_CURRENT, .current = {1.0, SSB_CURRENT_CRATE}, .duration = 1200, .until_voltage = NAN};
    RunConservation(&tc, config == 8 ? "Li | SSE | composite, compact space charge" : "Li | SSE | dense, compact space charge", "completed");
  }
  /* resolved space-charge layers (the layers' Li+ content moves with the electrodes' stoichiometry):
     Li | SSE | dense with saturation and a coating (no leakage), dense | SSE | Li with a depleted layer */
  for (int config = 11; config <= 12; config++) {
    SsbTestCaseDefault(&tc);
    Configure(&tc, config);
    tc.mat[1].el.electronic_conductivity = 0;
    tc.c.mesh.negative                   = 10;
    tc.c.mesh.separator                  = 10;
    tc.c.mesh.positive                   = 10;
    tc.steps[0]                          = (SsbStep){.text = "Discharge at 1C for 20 minutes", .kind = SSB_STEP_CURRENT, .current = {1.0, SSB_CURRENT_CRATE}, .duration = 1200, .until_voltage = NAN};
    RunConservation(&tc, config == 11 ? "Li | SSE | dense, resolved space charge" : "dense | SSE | Li, resolved space charge", "completed");
  }
  /* concentrated electrolytes: Li | binary polymer | composite, composite | binary | composite with
     double layers, Li | dissociation SSE | dense film with double layers */
  for (int config = 5; config <= 7; config++) {
    const char *what[3] = {"Li | binary | composite", "composite | binary | composite", "Li | dissociation | dense"};
    SsbTestCaseDefault(&tc);
    Configure(&tc, config);
    tc.c.mesh   = (SsbMeshSpec){10, 10, 10, 10, 0, 0, 0};
    tc.steps[0] = (SsbStep){.text = "Discharge at C/5 for 20 minutes", .kind = SSB_STEP_CURRENT, .current = {0.2, SSB_CURRENT_CRATE}, .duration = 1200, .until_voltage = NAN};
    RunConservation(&tc, what[config - 5], "completed");
  }
}

static void test_separator_ohmic_drop(void **state)
{
  SsbTestCase tc;
  SsbSim      sim;
  const char *status;
  long        n;
  double     *y, *yp;
  SsbTestCaseDefault(&tc);
  tc.steps[0] = (SsbStep){.text = "Discharge at 1C for 60 s", .kind = SSB_STEP_CURRENT, .current = {1.0, SSB_CURRENT_CRATE}, .duration = 60, .until_voltage = NAN};
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  assert_string_equal(status, "completed");
  SsbSimGetState(sim, &n, &y, &yp);
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  double Icur = y[n - 2], kappa = tc.mat[1].el.conductivity.value, L = tc.c.cell.sep.thickness;
  /* phi_e at the separator/positive face, from the last separator node and the face current I */
  int    nsep     = m->side[1].k0; /* Li | separator | composite: the separator nodes come first */
  double phi_face = y[m->off[nsep - 1]] - Icur * 0.5 * m->x.width[nsep - 1] / kappa;
  double drop     = y[m->side[0].i_phi_if] - phi_face;
  print_message("separator drop %.12e V, I L/kappa %.12e V\n", drop, Icur * L / kappa);
  assert_true(fabs(drop - Icur * L / kappa) <= 1e-10 * fabs(Icur * L / kappa));
  SsbSimDestroy(&sim);
}

/* Newman & Tobias (1962), literature README E.3: small-signal resistance of a porous electrode with
   linear kinetics and a flat OCP. The cell's resistance at a tiny current (linear regime: f eta ~
   1e-6) minus the Li interface (RT/(F i0)) and separator (L/kappa) parts, both exact in the model,
   is the positive electrode's; it must match
     R = L/(kappa+sigma) [1 + (2 + (sigma/kappa + kappa/sigma) cosh nu)/(nu sinh nu)]
   within 0.5 % (the finite-volume error is second order in dx: 40 nodes suffice here, nu = 4.5). */
static double CellSmallSignalResistance(int npos, double *r_expected)
{
  SsbTestCase tc;
  SsbSim      sim;
  const char *status;
  long        n;
  double     *y, *yp;
  SsbTestCaseDefault(&tc);
  tc.mat[2].ins.ocp                   = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 3.9};
  tc.c.cell.pos.initial_stoichiometry = 0.5;
  tc.c.mesh.positive                  = npos;
  const double Iapp                   = 1e-3; /* A/m^2 */
  tc.steps[0]                         = (SsbStep){.text = "Discharge at 1e-3 A/m^2 for 1 ms", .kind = SSB_STEP_CURRENT, .current = {Iapp, SSB_CURRENT_DENSITY}, .duration = 1e-3, .until_voltage = NAN};
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  assert_string_equal(status, "completed");
  SsbSimGetState(sim, &n, &y, &yp);
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  double R_total = (3.9 - y[m->i_V]) / Iapp;
  double f = m->f, R_li = 1.0 / (f * tc.mat[0].li.exchange_current_density), R_sep = tc.c.cell.sep.thickness / m->kappa_sep;
  double kap = m->side[1].kappa_eff, sig = m->side[1].sigma_eff, L = m->side[1].L, a = m->side[1].a_s;
  double i0 = tc.mat[2].ins.exchange_current_density, Rct = 1.0 / (f * i0); /* alpha_a + alpha_c = 1 */
  double nu   = L * sqrt(a / Rct * (1 / kap + 1 / sig));
  *r_expected = L / (kap + sig) * (1 + (2 + (sig / kap + kap / sig) * cosh(nu)) / (nu * sinh(nu)));
  SsbSimDestroy(&sim);
  print_message("npos %d: nu = %.3f, R_pos model %.8e, Newman-Tobias %.8e Ohm m^2\n", npos, nu, R_total - R_li - R_sep, *r_expected);
  return R_total - R_li - R_sep;
}

static void test_newman_tobias(void **state)
{
  double Rex, R40 = CellSmallSignalResistance(40, &Rex);
  double R20 = CellSmallSignalResistance(20, &Rex);
  double rel = fabs(R40 - Rex) / Rex;
  print_message("relative error %.2e (40 nodes), %.2e (20 nodes)\n", rel, fabs(R20 - Rex) / Rex);
  assert_true(rel <= 5e-3);
  /* and the error falls under refinement (second order: about 4x) */
  assert_true(fabs(R40 - Rex) < 0.5 * fabs(R20 - Rex));
}

/* Electronic leakage through the separator (model.md section 2): at open circuit the cell discharges
   itself through R_leak = L_sep/sigma_e; the positive electrode gains Li at the rate
   (V/R_leak)/F. Over a 1 h rest the measured rate equals V/R_leak (V the mean of the start and end
   voltages) within 1 %. */
static void test_leakage(void **state)
{
  SsbTestCase tc;
  SsbSim      sim;
  const char *status;
  long        n;
  double     *y, *yp, q, li0[2], li1[2];
  SsbTestCaseDefault(&tc);
  tc.mat[1].el.electronic_conductivity = 1e-6; /* S/m: R_leak = 30 ohm m^2 */
  tc.c.cell.pos.initial_stoichiometry  = 0.5;
  tc.steps[0]                          = (SsbStep){.text = "Rest for 1 h", .kind = SSB_STEP_REST, .duration = 3600, .until_voltage = NAN};
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  double V0 = SsbFuncEval(m->side[1].am.ocp, 0.5, NULL);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  assert_string_equal(status, "completed");
  SsbSimGetState(sim, &n, &y, &yp);
  SsbSimGetBalance(sim, &q, li0, li1);
  double Vm = 0.5 * (V0 + y[m->i_V]), R_leak = tc.c.cell.sep.thickness / 1e-6;
  double rate = (li1[1] - li0[1]) * SSB_FARADAY / 3600.0;
  print_message("self-discharge %.6e A/m^2, V/R_leak %.6e A/m^2 (V %.4f -> %.4f V), terminal charge %.1e\n", rate, Vm / R_leak, V0, y[m->i_V], q);
  assert_true(fabs(q) < 1e-12);
  assert_true(fabs(rate - Vm / R_leak) <= 0.01 * Vm / R_leak);
  SsbSimDestroy(&sim);
}

/* Anode-free cell (0 um of Li): a charge plates Li on the collector (thickness = M Q/(rho F)); the
   next discharge strips it and ends when it is gone, with the reason in the status; a discharge of
   the fresh cell ends at once. */
static void test_anode_free(void **state)
{
  SsbTestCase tc;
  SsbSim      sim;
  const char *status;
  long        n;
  double     *y, *yp;
  SsbTestCaseDefault(&tc);
  tc.c.cell.neg.thickness = 0;
  tc.c.cell.initial_soc   = 0;
  tc.steps[0]             = (SsbStep){.text = "Charge at 1C for 30 minutes", .kind = SSB_STEP_CURRENT, .current = {-1.0, SSB_CURRENT_CRATE}, .duration = 1800, .until_voltage = NAN};
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  assert_string_equal(status, "completed");
  const SsbCellModel *m;
  SsbSimGetCellModel(sim, &m);
  SsbSimGetState(sim, &n, &y, &yp);
  double q, h = y[m->side[0].i_h];
  SsbSimGetBalance(sim, &q, NULL, NULL);
  print_message("plated %.6e m of Li for %.6e C/m^2 (expected %.6e m)\n", h, q, -q * m->side[0].Vm_li / SSB_FARADAY);
  assert_true(fabs(h + q * m->side[0].Vm_li / SSB_FARADAY) <= 1e-9 * h);
  double capacity = m->capacity;
  SsbSimDestroy(&sim);

  /* charge, then discharge past the plated Li */
  tc.steps[1]            = (SsbStep){.text = "Discharge at 1C until 2.0 V", .kind = SSB_STEP_CURRENT, .current = {1.0, SSB_CURRENT_CRATE}, .duration = NAN, .until_voltage = 2.0};
  tc.c.experiment.nsteps = 2;
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  print_message("%s\n", status);
  assert_non_null(strstr(status, "terminated: cell 1 negative lithium-metal inventory exhausted in step 2"));
  SsbSimGetBalance(sim, &q, NULL, NULL);
  assert_true(fabs(q) < 1e-6 * 1800 * capacity / 3600.0); /* all plated Li came back */
  SsbSimDestroy(&sim);

  /* discharge of the fresh anode-free cell */
  tc.steps[0]            = tc.steps[1];
  tc.c.experiment.nsteps = 1;
  tc.c.cell.initial_soc  = 1;
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  print_message("%s\n", status);
  assert_non_null(strstr(status, "exhausted at the start of the step"));
  SsbSimDestroy(&sim);
}

/* A stack of N identical cells (no variation) gives exactly N times the single cell's voltage, and
   with bipolar plates the plates' ohmic drop I R on top (model.md section 6). */
static void test_stack_identical(void **state)
{
  SsbTestCase tc;
  SsbSim      sim;
  const char *status;
  long        n;
  double     *y, *yp, V1, VN, q1, qN;
  SsbTestCaseDefault(&tc);
  tc.steps[0] = (SsbStep){.text = "Discharge at 1C for 30 minutes", .kind = SSB_STEP_CURRENT, .current = {1.0, SSB_CURRENT_CRATE}, .duration = 1800, .until_voltage = NAN};
  /* the stack and the single cell have different numbers of unknowns, so IDA's error norms (and
     steps) differ: integrate both tightly enough that integration error stays below 1e-10 */
  tc.c.solver.rtol = 1e-10;
  tc.c.solver.atol = 1e-12;
  assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
  assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
  SsbSimGetState(sim, &n, &y, &yp);
  V1 = SsbSimStackVoltage(sim, y);
  SsbSimGetBalance(sim, &q1, NULL, NULL);
  SsbSimDestroy(&sim);
  for (int withplates = 0; withplates < 2; withplates++) {
    SsbMaterial al   = {.kind = SSB_MATERIAL_CONDUCTOR, .electronic_conductivity = 3.69e7};
    tc.c.stack.cells = 7;
    if (withplates) tc.c.stack.bipolar_plate = (SsbPlateSpec){&al, 15e-6, 5e-5};
    assert_int_equal(SsbSimCreate(PETSC_COMM_SELF, &tc.c, &sim), 0);
    assert_int_equal(SsbSimRun(sim, NULL, &status), 0);
    assert_string_equal(status, "completed");
    SsbSimGetState(sim, &n, &y, &yp);
    VN = SsbSimStackVoltage(sim, y);
    SsbSimGetBalance(sim, &qN, NULL, NULL);
    double R = withplates ? 6 * (2 * 5e-5 + 15e-6 / 3.69e7) : 0, Ic = y[n - 2];
    print_message("%d cells%s: V %.15f, 7 x single - I R %.15f (rel %.1e)\n", 7, withplates ? " with plates" : "", VN, 7 * V1 - Ic * R, fabs(VN - (7 * V1 - Ic * R)) / VN);
    assert_true(fabs(VN - (7 * V1 - Ic * R)) <= 1e-10 * fabs(VN));
    assert_true(fabs(qN - q1) <= 1e-10 * fabs(q1));
    SsbSimDestroy(&sim);
  }
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_jacobian_fd),
    cmocka_unit_test(test_jacobian_fd_thermal),
    cmocka_unit_test(test_temperature_derivative),
    cmocka_unit_test(test_discharge_conservation),
    cmocka_unit_test(test_conservation_all_kinds),
    cmocka_unit_test(test_leakage),
    cmocka_unit_test(test_anode_free),
    cmocka_unit_test(test_stack_identical),
    cmocka_unit_test(test_separator_ohmic_drop),
    cmocka_unit_test(test_newman_tobias),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
