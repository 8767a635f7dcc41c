/* test_case_read.c -- SsbCaseRead end to end on the case files in tests/inputs (argv[1]): every
   value in SI, includes (nested, paths relative to the including file), defaults, --set overrides,
   the resolved text (re-readable, materials inlined), keys of later features accepted with
   warnings. */
#define _POSIX_C_SOURCE 200809L
#include "case_test_util.h"
#include "case_internal.h"
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const char *inputs = ".";

static void assert_close(double a, double b, double rtol)
{
  if (!(fabs(a - b) <= rtol * fabs(b))) fail_msg("%.17g != %.17g (rtol %g)", a, b, rtol);
}

static SsbCase *Read(const char *name, int nset, const char *const *sets)
{
  char     path[4096];
  SsbCase *c = NULL;
  snprintf(path, sizeof path, "%s/%s", inputs, name);
  if (SsbCaseRead(path, nset, sets, &c)) fail_msg("reading %s failed", path);
  assert_non_null(c);
  return c;
}

static void CheckGood(const SsbCase *c)
{
  const SsbMaterial *nmc = SsbCaseFindMaterial(c, "nmc811"), *li = SsbCaseFindMaterial(c, "li_metal");
  const SsbMaterial *lpscl = SsbCaseFindMaterial(c, "lpscl"), *peo = SsbCaseFindMaterial(c, "peo_litfsi");
  const SsbMaterial *tis2 = SsbCaseFindMaterial(c, "tis2");

  assert_string_equal(c->title, "Li | LPSCl | NMC811 test cell");
  assert_int_equal(c->nmaterials, 5);
  assert_non_null(nmc);
  assert_non_null(li);
  assert_non_null(lpscl);
  assert_non_null(peo);
  assert_non_null(tis2);
  assert_null(SsbCaseFindMaterial(c, "nmc812"));

  /* lithium metal */
  assert_int_equal(li->kind, SSB_MATERIAL_LITHIUM_METAL);
  assert_close(li->li.exchange_current_density, 10, 1e-14);
  assert_true(isnan(li->li.rate_constant));
  assert_close(li->li.transfer_coefficient, 0.5, 0);
  assert_close(li->thermal.density, 534, 1e-14);
  assert_close(li->li.molar_mass, 6.941e-3, 1e-14);
  assert_true(isnan(li->thermal.heat_capacity));
  assert_non_null(strstr(li->source, "CRC Handbook"));

  /* single-ion electrolyte */
  assert_int_equal(lpscl->kind, SSB_MATERIAL_ELECTROLYTE);
  assert_int_equal(lpscl->el.transport, SSB_TRANSPORT_SINGLE_ION);
  assert_int_equal(lpscl->el.conductivity.kind, SSB_FUNC_CONSTANT);
  assert_close(lpscl->el.conductivity.value, 0.25, 1e-14);
  assert_close(lpscl->el.conductivity_Ea, 30000, 1e-14);
  assert_close(lpscl->el.concentration, 30000, 0);
  assert_close(lpscl->el.electronic_conductivity, 1e-8, 1e-14);
  assert_int_equal(lpscl->el.diffusivity.kind, SSB_FUNC_NONE);
  assert_true(isnan(lpscl->el.total_concentration)); /* dissociation members: NaN unless dissociation */
  assert_true(isnan(lpscl->el.dissociation_fraction));
  assert_true(isnan(lpscl->el.recombination_rate_constant));
  assert_true(isnan(lpscl->el.cation_diffusivity));
  assert_true(isnan(lpscl->el.anion_diffusivity));

  /* binary electrolyte from a nested include: c is renamed x in expressions */
  assert_int_equal(peo->el.transport, SSB_TRANSPORT_BINARY);
  assert_int_equal(peo->el.conductivity.kind, SSB_FUNC_EXPRESSION);
  assert_string_equal(peo->el.conductivity.expr, "1e-3*x*exp(-x/1500)");
  assert_close(peo->el.conductivity.scale, 0.1, 1e-14);
  assert_string_equal(peo->el.diffusivity.expr, "1e-12*cosh(x/1000)");
  assert_close(peo->el.concentration, 1000, 1e-14);
  assert_int_equal(peo->el.transference_number.kind, SSB_FUNC_TABLE);
  assert_int_equal(peo->el.transference_number.interp, SSB_INTERP_PCHIP);
  assert_int_equal(peo->el.transference_number.n, 3);
  assert_close(peo->el.transference_number.x[2], 2000, 0);
  assert_int_equal(peo->el.thermodynamic_factor.kind, SSB_FUNC_CONSTANT);
  assert_close(peo->el.thermodynamic_factor.value, 1, 0);
  assert_non_null(strstr(peo->file, "peo.yaml"));
  assert_int_equal(peo->line, 2);

  /* intercalation */
  assert_int_equal(nmc->kind, SSB_MATERIAL_INTERCALATION);
  assert_close(nmc->ins.c_max, 51765, 0);
  assert_int_equal(nmc->ins.ocp.kind, SSB_FUNC_TABLE);
  assert_int_equal(nmc->ins.ocp.n, 5);
  assert_close(nmc->ins.ocp.y[4], 3.4, 0);
  assert_close(nmc->ins.ocp.scale, 1, 0);
  assert_int_equal(nmc->ins.entropic.kind, SSB_FUNC_CONSTANT);
  assert_close(nmc->ins.entropic.value, -1e-4, 1e-14);
  assert_int_equal(nmc->ins.diffusivity.kind, SSB_FUNC_EXPRESSION);
  assert_string_equal(nmc->ins.diffusivity.expr, "4e-10*exp(-x)");
  assert_close(nmc->ins.diffusivity.scale, 1e-4, 1e-14);
  assert_close(nmc->ins.diffusivity_Ea, 20000, 1e-14);
  assert_close(nmc->ins.rate_constant, 3.42e-6, 0);
  assert_true(isnan(nmc->ins.exchange_current_density));
  assert_close(nmc->ins.exchange_current_stoichiometry, 0.5, 0);
  assert_close(nmc->ins.transfer_coefficient, 0.5, 0);
  assert_close(nmc->ins.kinetics_Ea, 0, 0);
  assert_close(nmc->ins.electronic_conductivity, 0.18, 1e-14);
  assert_close(nmc->ins.x_charged, 0.27, 0);
  assert_close(nmc->ins.x_discharged, 0.9, 0);
  assert_close(nmc->ins.specific_capacity, 720000, 1e-14);
  assert_close(nmc->thermal.density, 4800, 1e-14);
  assert_non_null(strstr(nmc->file, "materials/nmc811.yaml"));
  assert_int_equal(nmc->line, 2);
  assert_int_equal(tis2->ins.ocp.kind, SSB_FUNC_EXPRESSION);
  assert_close(tis2->ins.exchange_current_density, 5, 0);
  assert_true(isnan(tis2->ins.rate_constant));

  /* cell */
  assert_close(c->cell.area, 1e-4, 1e-14);
  assert_int_equal(c->cell.neg.kind, SSB_ELECTRODE_LITHIUM_METAL);
  assert_ptr_equal(c->cell.neg.material, li);
  assert_close(c->cell.neg.thickness, 40e-6, 1e-14);
  assert_ptr_equal(c->cell.sep.electrolyte, lpscl);
  assert_close(c->cell.sep.thickness, 30e-6, 1e-14);
  assert_int_equal(c->cell.pos.kind, SSB_ELECTRODE_COMPOSITE);
  assert_ptr_equal(c->cell.pos.material, nmc);
  assert_ptr_equal(c->cell.pos.electrolyte, lpscl); /* default: the separator's */
  assert_close(c->cell.pos.eps_active, 0.6, 0);
  assert_close(c->cell.pos.eps_electrolyte, 0.35, 0);
  assert_close(c->cell.pos.eps_conductive, 0.05, 0);
  assert_close(c->cell.pos.particle_radius, 3e-6, 1e-14);
  assert_close(c->cell.pos.electronic_conductivity, 10, 0);
  assert_close(c->cell.pos.bruggeman, 1.5, 0);
  assert_true(isnan(c->cell.pos.initial_stoichiometry));
  assert_close(c->cell.initial_soc, 1, 0);
  assert_close(c->cell.series_resistance, 0, 0);
  assert_close(c->cell.geometric_capacitance, 0, 0);
  assert_close(c->cell.ifc_pos.double_layer_capacitance, 0, 0);
  assert_close(c->cell.ifc_neg.film_resistance, 0, 0);
  assert_int_equal(c->cell.ifc_pos.space_charge, SSB_SPACE_CHARGE_NONE);

  assert_int_equal(c->stack.cells, 1);
  assert_int_equal(c->thermal.model, SSB_THERMAL_ISOTHERMAL);
  assert_close(c->thermal.initial_temperature, 298.15, 1e-14);

  assert_int_equal(c->experiment.nsteps, 4);
  assert_int_equal(c->experiment.cycles, 2);
  assert_int_equal(c->experiment.steps[0].kind, SSB_STEP_CURRENT);
  assert_string_equal(c->experiment.steps[1].text, "Rest for 30 minutes");
  assert_close(c->experiment.steps[1].duration, 1800, 0);
  assert_close(c->experiment.steps[2].current.value, -0.5, 0);
  assert_int_equal(c->experiment.steps[3].kind, SSB_STEP_VOLTAGE);
  assert_int_equal(c->experiment.steps[3].line, 27);
  assert_int_equal(c->experiment.steps[3].col, 7);
  assert_close(c->experiment.limits.cell_voltage_max, 4.4, 0);
  assert_close(c->experiment.limits.cell_voltage_min, 2.5, 0);
  assert_close(c->experiment.limits.temperature_max, 353.15, 1e-14);
  assert_true(isnan(c->experiment.limits.time_max));
  assert_true(isnan(c->experiment.limits.step_time_max));

  assert_int_equal(c->mesh.negative, 10);
  assert_int_equal(c->mesh.separator, 8);
  assert_int_equal(c->mesh.positive, 20);
  assert_int_equal(c->mesh.particle, 12);
  assert_close(c->solver.rtol, 1e-5, 0);
  assert_close(c->solver.atol, 1e-9, 0);
  assert_string_equal(c->solver.petsc_options, "-ksp_type preonly -pc_type lu");
  assert_int_equal(c->solver.max_steps, 100000);
  assert_string_equal(c->output.file, "out.h5");
  assert_string_equal(c->output.csv, "");
  assert_close(c->output.interval, 5, 0);
  assert_close(c->output.profiles_interval, 60, 0);
  assert_int_equal(c->output.nparticle_positions, 2);
  assert_close(c->output.particle_positions[1], 1, 0);
}

static void test_good_case(void **state)
{
  SsbCase *c = Read("case_good.yaml", 0, NULL);
  CheckGood(c);
  assert_int_equal(c->nfiles, 5);
  assert_non_null(strstr(c->files[0], "case_good.yaml"));
  assert_non_null(strstr(c->path, "case_good.yaml"));
  assert_non_null(strstr(c->files[2], "materials/electrolytes.yaml"));
  assert_non_null(strstr(c->files[3], "materials/peo.yaml"));
  /* the resolved text: materials inline in place of include */
  assert_null(strstr(c->text, "include"));
  assert_non_null(strstr(c->text, "\nmaterials:\n  li_metal:\n    kind: lithium_metal\n"));
  assert_non_null(strstr(c->text, "  peo_litfsi:\n"));
  assert_non_null(strstr(c->text, "    - Hold at 4.3 V until C/20\n"));
  assert_int_equal(SsbCaseDestroy(&c), 0);
  assert_null(c);
  assert_int_equal(SsbCaseDestroy(&c), 0);
  assert_int_equal(SsbCaseDestroy(NULL), 0);
  assert_null(SsbCaseFindMaterial(NULL, "x"));
}

/* The resolved text is itself a valid case giving the same Case. */
static void test_text_roundtrip(void **state)
{
  SsbCase *c = Read("case_good.yaml", 0, NULL), *d = NULL;
  FILE    *fp = fopen("case_good_resolved.yaml", "w");
  assert_non_null(fp);
  fputs(c->text, fp);
  fclose(fp);
  assert_int_equal(SsbCaseRead("case_good_resolved.yaml", 0, NULL, &d), 0);
  /* steps are located in the new file, and materials in it too */
  d->experiment.steps[3].line = 27;
  d->experiment.steps[3].col  = 7;
  for (int i = 0; i < d->nmaterials; i++) {
    assert_string_equal(d->materials[i].file, "case_good_resolved.yaml");
  }
  {
    /* CheckGood looks at file names and lines of two materials; patch them to the original's */
    SsbMaterial *peo = (SsbMaterial *)SsbCaseFindMaterial(d, "peo_litfsi"), *nmc = (SsbMaterial *)SsbCaseFindMaterial(d, "nmc811");
    peo->file = SsbCaseFindMaterial(c, "peo_litfsi")->file;
    peo->line = 2;
    nmc->file = SsbCaseFindMaterial(c, "nmc811")->file;
    nmc->line = 2;
  }
  CheckGood(d);
  assert_string_equal(c->text, d->text);
  SsbCaseDestroy(&c);
  SsbCaseDestroy(&d);
}

static void test_defaults(void **state)
{
  SsbCase *c = Read("case_minimal.yaml", 0, NULL);
  assert_null(c->title);
  assert_int_equal(c->nfiles, 1);
  assert_int_equal(c->cell.neg.kind, SSB_ELECTRODE_LITHIUM_METAL);
  assert_close(c->cell.neg.thickness, 0, 0);
  assert_int_equal(c->cell.pos.kind, SSB_ELECTRODE_DENSE);
  assert_close(c->cell.pos.electronic_conductivity, 100, 0); /* the material's */
  assert_close(c->cell.pos.eps_active, 1, 0);
  assert_true(isnan(c->cell.pos.particle_radius));
  assert_ptr_equal(c->cell.pos.electrolyte, SsbCaseFindMaterial(c, "sse"));
  assert_close(c->cell.initial_soc, 1, 0);
  assert_close(c->cell.series_resistance, 0, 0);
  assert_close(c->cell.geometric_capacitance, 0, 0);
  assert_close(c->cell.ifc_neg.double_layer_capacitance, 0, 0);
  assert_close(c->cell.ifc_neg.film_resistance, 0, 0);
  assert_int_equal(c->cell.ifc_neg.space_charge, SSB_SPACE_CHARGE_NONE);
  assert_close(c->cell.ifc_pos.double_layer_capacitance, 0, 0);
  assert_close(c->cell.ifc_pos.film_resistance, 0, 0);
  assert_int_equal(c->cell.ifc_pos.space_charge, SSB_SPACE_CHARGE_NONE);
  assert_close(SsbCaseFindMaterial(c, "li")->li.rate_constant, 1e-6, 0);
  assert_true(isnan(SsbCaseFindMaterial(c, "li")->li.exchange_current_density));
  assert_close(SsbCaseFindMaterial(c, "sse")->el.electronic_conductivity, 0, 0);
  assert_int_equal(c->stack.cells, 1);
  assert_int_equal(c->thermal.model, SSB_THERMAL_ISOTHERMAL);
  assert_close(c->thermal.initial_temperature, 298.15, 0);
  assert_int_equal(c->experiment.cycles, 1);
  assert_true(isnan(c->experiment.limits.cell_voltage_max));
  assert_true(isnan(c->experiment.limits.cell_voltage_min));
  assert_true(isnan(c->experiment.limits.temperature_max));
  assert_int_equal(c->experiment.steps[0].current.unit, SSB_CURRENT_DENSITY);
  assert_close(c->experiment.steps[0].current.value, 10, 1e-14);
  assert_close(c->experiment.steps[0].duration, 3600, 0);
  assert_int_equal(c->mesh.negative, 10);
  assert_int_equal(c->mesh.separator, 10);
  assert_int_equal(c->mesh.positive, 20);
  assert_int_equal(c->mesh.particle, 15);
  assert_close(c->solver.rtol, 1e-6, 0);
  assert_close(c->solver.atol, 1e-9, 0);
  assert_null(c->solver.petsc_options);
  assert_int_equal(c->solver.max_steps, 100000);
  assert_string_equal(c->output.file, "results.h5");
  assert_string_equal(c->output.csv, "results.csv");
  assert_close(c->output.interval, 10, 0);
  assert_close(c->output.profiles_interval, 60, 0);
  assert_int_equal(c->output.nparticle_positions, 3);
  assert_close(c->output.particle_positions[1], 0.5, 0);
  SsbCaseDestroy(&c);
}

static void test_set_overrides(void **state)
{
  const char *const sets[] = {"cell.positive.thickness=80 um", "experiment.steps[0]=Discharge at 2C until 3 V", "mesh.particle=20",
                              "materials.nmc811.diffusivity=1e-14", "stack.cells=1", "cell.positive.initial_stoichiometry=0.3",
                              "experiment.steps[4]=Rest for 1 h", "output.particle_positions=[0, 0.5]", "title=\"a: b\""};
  SsbCase          *c      = Read("case_good.yaml", 9, sets);
  assert_close(c->cell.pos.thickness, 80e-6, 1e-14);
  assert_close(c->experiment.steps[0].current.value, 2, 0);
  assert_int_equal(c->experiment.steps[0].line, 0);
  assert_int_equal(c->experiment.nsteps, 5);
  assert_close(c->experiment.steps[4].duration, 3600, 0);
  assert_int_equal(c->mesh.particle, 20);
  assert_int_equal(SsbCaseFindMaterial(c, "nmc811")->ins.diffusivity.kind, SSB_FUNC_CONSTANT);
  assert_close(SsbCaseFindMaterial(c, "nmc811")->ins.diffusivity.value, 1e-14, 0);
  assert_close(c->cell.pos.initial_stoichiometry, 0.3, 0);
  assert_int_equal(c->output.nparticle_positions, 2);
  assert_string_equal(c->title, "a: b");
  assert_non_null(strstr(c->text, "thickness: 80 um\n"));
  assert_non_null(strstr(c->text, "  - Discharge at 2C until 3 V\n"));
  assert_non_null(strstr(c->text, "title: \"a: b\"\n"));
  SsbCaseDestroy(&c);
}

static void ExpectSetError(const char *set, const char *fragment)
{
  char             path[4096];
  SsbCase         *c = NULL;
  SsbStderrCapture cap;
  char            *out;
  const char      *sets[1] = {set};
  snprintf(path, sizeof path, "%s/case_good.yaml", inputs);
  SsbCaptureBegin(&cap);
  assert_int_equal(SsbCaseRead(path, 1, sets, &c), SSB_ERR_INPUT);
  out = SsbCaptureEnd(&cap);
  assert_null(c);
  if (!strstr(out, fragment)) fail_msg("--set %s: message '%s' lacks '%s'", set, out, fragment);
  free(out);
}

static void test_set_errors(void **state)
{
  ExpectSetError("cell.positive.thicknes=80 um", "--set cell.positive.thicknes=80 um: error: unknown key 'thicknes' in cell.positive; did you mean 'thickness'?");
  ExpectSetError("cell.positive.thickness=80 mS/cm", "--set cell.positive.thickness=80 mS/cm: error: cell.positive.thickness: expected a length (m), got 'mS/cm'");
  ExpectSetError("stack.cells=0", "error: stack.cells must be between 1 and 1000000, got '0'");
  ExpectSetError("experiment.steps[7]=Rest for 1 h", "case_good.yaml:24:5: error: --set 'experiment.steps[7]=Rest for 1 h': index 7 is out of range");
  ExpectSetError("experiment.steps[0]=Discharge at 2X until 3 V", "'2X' is not a current");
  ExpectSetError("cell.area.x=1", "--set 'cell.area.x=1': cell.area is not a mapping");
  ExpectSetError("include=[x.yaml]", "include cannot be given with --set");
  ExpectSetError("mesh", "case_good.yaml: error: --set 'mesh': no '='");
}

static void test_future_keys(void **state)
{
  char             path[4096];
  SsbCase         *c = NULL;
  SsbStderrCapture cap;
  char            *out;
  snprintf(path, sizeof path, "%s/case_future.yaml", inputs);
  SsbCaptureBegin(&cap);
  assert_int_equal(SsbCaseRead(path, 0, NULL, &c), 0);
  out = SsbCaptureEnd(&cap);
  assert_non_null(c);
  assert_null(strstr(out, "cell.interfaces")); /* compact space charge and coatings are solved: no warning */
  assert_int_equal(c->cell.ifc_pos.space_charge, SSB_SPACE_CHARGE_COMPACT);
  assert_int_equal(c->cell.ifc_neg.space_charge, SSB_SPACE_CHARGE_NONE);
  assert_non_null(c->cell.ifc_pos.scl_step);
  assert_int_equal(c->cell.ifc_pos.scl_step->kind, SSB_FUNC_EXPRESSION);
  assert_null(c->cell.ifc_neg.scl_step);
  assert_non_null(c->cell.ifc_pos.coating);
  assert_string_equal(c->cell.ifc_pos.coating->name, "coat");
  assert_close(c->cell.ifc_pos.coating_thickness, 5e-9, 1e-15);
  assert_close(c->cell.ifc_pos.coating->el.relative_permittivity, 40, 0);
  assert_close(c->materials[0].el.relative_permittivity, 20, 0);
  assert_close(c->materials[0].el.site_concentration, 40000, 0);
  assert_null(strstr(out, "stack.")); /* stack and thermal keys are read (case_stack tests them) */
  assert_int_equal(c->nmaterials, 4);
  /* the case file's own materials come first, included ones follow */
  assert_string_equal(c->materials[0].name, "lpscl");
  assert_string_equal(c->materials[3].name, "li_metal");
  assert_close(c->cell.pos.eps_conductive, 0, 0);
  assert_close(c->cell.pos.electronic_conductivity, 100, 0);
  free(out);
  SsbCaseDestroy(&c);
}

/* Dissociation electrolyte, dense positive, interfaces, series resistance, geometric capacitance,
   anode-free Li, all in SI. */
static void test_thin_film(void **state)
{
  SsbStderrCapture   cap;
  SsbCase           *c;
  const SsbMaterial *lipon;
  char              *out;

  SsbCaptureBegin(&cap);
  c   = Read("case_thinfilm.yaml", 0, NULL);
  out = SsbCaptureEnd(&cap);
  assert_null(strstr(out, "warning")); /* all keys used, space_charge none */
  free(out);
  lipon = SsbCaseFindMaterial(c, "lipon");
  assert_int_equal(lipon->el.transport, SSB_TRANSPORT_DISSOCIATION);
  assert_true(isnan(lipon->el.relative_permittivity) && isnan(lipon->el.site_concentration)); /* optional: NaN when absent */
  assert_close(lipon->el.total_concentration, 61141, 0);
  assert_close(lipon->el.dissociation_fraction, 0.64, 0);
  assert_close(lipon->el.recombination_rate_constant, 8e-7, 1e-14);
  assert_close(lipon->el.cation_diffusivity, 1.73e-16, 1e-14);
  assert_close(lipon->el.anion_diffusivity, 5.69e-16, 0);
  assert_close(lipon->el.diffusivity_Ea, 40000, 1e-14);
  assert_close(lipon->el.concentration, 0.64 * 61141, 1e-14);   /* default delta a0 */
  assert_int_equal(lipon->el.conductivity.kind, SSB_FUNC_NONE); /* optional for dissociation */
  assert_int_equal(lipon->el.diffusivity.kind, SSB_FUNC_NONE);
  assert_int_equal(lipon->el.transference_number.kind, SSB_FUNC_NONE);
  assert_close(c->cell.area, 3.36e-4, 1e-14);
  assert_close(c->cell.series_resistance, 18.3e-4, 1e-14);
  assert_close(c->cell.geometric_capacitance, 3.24e-5, 1e-14);
  assert_close(c->cell.ifc_pos.double_layer_capacitance, 5.30e-3, 1e-14);
  assert_close(c->cell.ifc_pos.film_resistance, 2e-4, 1e-14);
  assert_int_equal(c->cell.ifc_pos.space_charge, SSB_SPACE_CHARGE_NONE);
  assert_close(c->cell.ifc_neg.double_layer_capacitance, 1.74e-4, 1e-14);
  assert_close(c->cell.ifc_neg.film_resistance, 0, 0);
  assert_int_equal(c->cell.neg.kind, SSB_ELECTRODE_LITHIUM_METAL);
  assert_close(c->cell.neg.thickness, 0, 0); /* anode-free */
  assert_int_equal(c->cell.pos.kind, SSB_ELECTRODE_DENSE);
  assert_close(c->cell.pos.thickness, 8.08e-6, 1e-14);
  assert_close(c->cell.pos.electronic_conductivity, 1e-2, 0); /* the material's */
  assert_close(c->cell.pos.initial_stoichiometry, 0.51, 0);
  assert_close(c->cell.pos.eps_active, 1, 0);
  assert_close(c->cell.pos.eps_electrolyte, 0, 0);
  assert_true(isnan(c->cell.pos.particle_radius));
  assert_ptr_equal(c->cell.pos.electrolyte, lipon);
  assert_close(SsbCaseFindMaterial(c, "lco")->ins.exchange_current_stoichiometry, 0.51, 0);
  SsbCaseDestroy(&c);
}

/* A composite negative electrode, a binary electrolyte with expressions in c, and a dissociation
   electrolyte with a conductivity (optional there). */
static void test_composite_negative(void **state)
{
  SsbCase           *c   = Read("case_composite_negative.yaml", 0, NULL);
  const SsbMaterial *peo = SsbCaseFindMaterial(c, "peo"), *dis = SsbCaseFindMaterial(c, "dis");
  const SsbMaterial *gr = SsbCaseFindMaterial(c, "graphite");
  double             v;

  assert_int_equal(peo->el.transport, SSB_TRANSPORT_BINARY);
  assert_int_equal(peo->el.thermodynamic_factor.kind, SSB_FUNC_CONSTANT); /* default 1 */
  assert_close(peo->el.thermodynamic_factor.value, 1, 0);
  assert_true(isnan(peo->el.total_concentration));
  assert_int_equal(SsbFuncEvalExact(&peo->el.transference_number, 1000, 298.15, &v), 0);
  assert_close(v, 0.0107907 + 0.148837, 1e-12);
  assert_int_equal(SsbFuncEvalExact(&peo->el.conductivity, 1000, 298.15, &v), 0);
  assert_close(v, 0.034883814310, 1e-9);
  assert_int_equal(dis->el.transport, SSB_TRANSPORT_DISSOCIATION);
  assert_int_equal(dis->el.conductivity.kind, SSB_FUNC_CONSTANT);
  assert_close(dis->el.concentration, 0.18 * 6.01e4, 1e-14);
  assert_close(dis->el.recombination_rate_constant, 0.9e-6, 0);
  assert_int_equal(c->cell.neg.kind, SSB_ELECTRODE_COMPOSITE);
  assert_ptr_equal(c->cell.neg.material, gr);
  assert_ptr_equal(c->cell.neg.electrolyte, peo); /* default: the separator's */
  assert_close(c->cell.neg.eps_active, 0.6, 0);
  assert_close(c->cell.neg.eps_electrolyte, 0.4, 0);
  assert_close(c->cell.neg.eps_conductive, 0, 0);
  assert_close(c->cell.neg.particle_radius, 5e-6, 1e-14);
  assert_close(c->cell.neg.electronic_conductivity, 215, 0);
  assert_close(c->cell.neg.bruggeman, 1.5, 0);
  assert_true(isnan(c->cell.neg.initial_stoichiometry));
  assert_close(gr->ins.x_charged, 0.9, 0); /* anode: the lithiated end at SOC 1 */
  assert_close(gr->ins.x_discharged, 0.03, 0);
  assert_close(c->cell.pos.particle_radius, 50e-9, 1e-14);
  assert_close(c->cell.initial_soc, 0.5, 0);
  SsbCaseDestroy(&c);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_good_case),
    cmocka_unit_test(test_text_roundtrip),
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_set_overrides),
    cmocka_unit_test(test_set_errors),
    cmocka_unit_test(test_future_keys),
    cmocka_unit_test(test_thin_film),
    cmocka_unit_test(test_composite_negative),
  };
  int rc;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  if (argc > 1) inputs = argv[1];
  rc = cmocka_run_group_tests_name("case_read", tests, NULL, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscFinalize());
  return rc;
}
