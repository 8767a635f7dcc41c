/* test_case_stack.c -- the stack part of SsbCaseRead on tests/inputs (argv[1]): conductor materials,
   collectors and plates, thermal boundaries and lateral loss in SI, stack.variation resolved into
   one SsbCell per cell (explicit overrides, random spreads of a cell key and of a material key with
   per-cell material copies), the portable generator against published reference outputs, the
   reproducibility of the draws and their statistics over 1000 cells, and errors naming the cell. */
#define _POSIX_C_SOURCE 200809L
#include "case_test_util.h"
#include "case_internal.h"
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
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

/* splitmix64 and xoshiro256** against the reference outputs of their published C code: splitmix64
   from seed 1234567, and xoshiro256** from the state {1, 2, 3, 4}. */
static void test_rng_reference(void **state)
{
  const uint64_t sm[4]  = {UINT64_C(6457827717110365317), UINT64_C(3203168211198807973), UINT64_C(9817491932198370423), UINT64_C(4593380528125082431)};
  const uint64_t xo[10] = {UINT64_C(11520), UINT64_C(0), UINT64_C(1509978240), UINT64_C(1215971899390074240), UINT64_C(1216172134540287360), UINT64_C(607988272756665600), UINT64_C(16172922978634559625), UINT64_C(8476171486693032832), UINT64_C(10595114339597558777), UINT64_C(2904607092377533576)};
  SsbRng         g;

  SsbRngSeed(&g, 1234567); /* the state is the first four splitmix64 outputs */
  for (int i = 0; i < 4; i++) assert_true(g.s[i] == sm[i]);
  for (int i = 0; i < 4; i++) g.s[i] = (uint64_t)(i + 1);
  for (int i = 0; i < 10; i++) assert_true(SsbRngNext(&g) == xo[i]);
  SsbRngSeed(&g, 0);
  for (int i = 0; i < 1000; i++) {
    double u = SsbRngUniform(&g);
    assert_true(u >= 0 && u < 1);
  }
}

/* A case without a stack block: one cell, equal to the base cell; no plates; adiabatic ends. */
static void test_single_cell_defaults(void **state)
{
  SsbCase *c = Read("case_good.yaml", 0, NULL);
  assert_int_equal(c->stack.cells, 1);
  assert_non_null(c->stack.cell);
  assert_memory_equal(&c->stack.cell[0], &c->cell, sizeof(SsbCell));
  assert_int_equal(c->stack.nvariations, 0);
  assert_int_equal(c->stack.nrealized, 0);
  assert_null(c->stack.bipolar_plate.material);
  assert_null(c->stack.collector_negative.material);
  assert_null(c->stack.collector_positive.material);
  assert_null(c->stack.end_plate.material);
  assert_int_equal(c->thermal.bottom.type, SSB_BOUNDARY_ADIABATIC);
  assert_int_equal(c->thermal.top.type, SSB_BOUNDARY_ADIABATIC);
  assert_close(c->thermal.lateral_h, 0, 0);
  assert_close(c->thermal.lateral_perimeter_per_area, 0, 0);
  assert_true(isnan(c->thermal.lateral_ambient));
  SsbCaseDestroy(&c);
}

/* case_stack.yaml: every value in SI, every cell resolved. */
static void test_stack_case(void **state)
{
  SsbStderrCapture    cap;
  char               *out;
  SsbCase            *c;
  const SsbMaterial  *al, *cu, *steel, *nmc, *lpscl;
  const SsbStackSpec *st;

  SsbCaptureBegin(&cap);
  c   = Read("case_stack.yaml", 0, NULL);
  out = SsbCaptureEnd(&cap);
  assert_null(strstr(out, "warning")); /* every key is read */
  free(out);
  st    = &c->stack;
  al    = SsbCaseFindMaterial(c, "al");
  cu    = SsbCaseFindMaterial(c, "cu");
  steel = SsbCaseFindMaterial(c, "steel");
  nmc   = SsbCaseFindMaterial(c, "nmc811");
  lpscl = SsbCaseFindMaterial(c, "lpscl");

  /* conductor materials */
  assert_int_equal(al->kind, SSB_MATERIAL_CONDUCTOR);
  assert_close(al->electronic_conductivity, 3.69e7, 1e-14);
  assert_close(al->thermal.density, 2700, 1e-14);
  assert_close(al->thermal.heat_capacity, 897, 1e-14);
  assert_close(al->thermal.thermal_conductivity, 237, 1e-14);
  assert_close(cu->electronic_conductivity, 5.84e7, 1e-14);
  assert_close(cu->thermal.thermal_conductivity, 401, 1e-14);
  assert_close(steel->electronic_conductivity, 1.35e6, 1e-14);
  assert_true(isnan(steel->thermal.heat_capacity));
  assert_true(isnan(nmc->electronic_conductivity)); /* the conductor member: NaN for other kinds */

  /* plates and collectors */
  assert_int_equal(st->cells, 10);
  assert_ptr_equal(st->bipolar_plate.material, al);
  assert_close(st->bipolar_plate.thickness, 15e-6, 1e-14);
  assert_close(st->bipolar_plate.contact_resistance, 0.5e-4, 1e-14);
  assert_ptr_equal(st->collector_negative.material, cu);
  assert_close(st->collector_negative.thickness, 10e-6, 1e-14);
  assert_close(st->collector_negative.contact_resistance, 0, 0);
  assert_ptr_equal(st->collector_positive.material, al);
  assert_close(st->collector_positive.thickness, 12e-6, 1e-14);
  assert_close(st->collector_positive.contact_resistance, 0.1e-4, 1e-14);
  assert_ptr_equal(st->end_plate.material, steel);
  assert_close(st->end_plate.thickness, 1e-3, 1e-14);

  /* thermal, SI */
  assert_int_equal(c->thermal.model, SSB_THERMAL_ISOTHERMAL);
  assert_close(c->thermal.initial_temperature, 298.15, 1e-14);
  assert_int_equal(c->thermal.bottom.type, SSB_BOUNDARY_CONVECTIVE);
  assert_close(c->thermal.bottom.h, 10, 1e-14);
  assert_close(c->thermal.bottom.temperature, 293.15, 1e-14);
  assert_int_equal(c->thermal.top.type, SSB_BOUNDARY_FIXED);
  assert_close(c->thermal.top.temperature, 303.15, 1e-14);
  assert_close(c->thermal.lateral_h, 5, 1e-14);
  assert_close(c->thermal.lateral_perimeter_per_area, 40, 1e-14);
  assert_close(c->thermal.lateral_ambient, 293.15, 1e-14);

  /* the variation specs */
  assert_int_equal(st->nvariations, 4);
  assert_int_equal(st->variations[0].ncells, 1);
  assert_int_equal(st->variations[0].cells[0], 4);
  assert_int_equal(st->variations[0].nset, 1);
  assert_string_equal(st->variations[0].set_keys[0], "positive.thickness");
  assert_string_equal(st->variations[0].set_values[0], "70 um");
  assert_null(st->variations[0].parameter);
  assert_string_equal(st->variations[1].parameter, "positive.particle_radius");
  assert_int_equal(st->variations[1].distribution, SSB_DIST_LOGNORMAL);
  assert_close(st->variations[1].cv, 0.05, 0);
  assert_int_equal(st->variations[1].seed, 7);
  assert_int_equal(st->variations[2].ncells, 2);
  assert_int_equal(st->variations[2].nset, 3);
  assert_int_equal(st->variations[3].distribution, SSB_DIST_UNIFORM);

  /* the base cell is untouched */
  assert_close(c->cell.pos.thickness, 77e-6, 1e-14);
  assert_close(c->cell.pos.particle_radius, 3e-6, 1e-14);
  assert_ptr_equal(c->cell.pos.material, nmc);
  assert_ptr_equal(c->cell.sep.electrolyte, lpscl);
  assert_close(lpscl->el.conductivity.value, 0.25, 1e-14);

  /* realized draws: the SI value of each cell */
  assert_int_equal(st->nrealized, 2);
  assert_string_equal(st->realized_names[0], "positive.particle_radius");
  assert_string_equal(st->realized_names[1], "materials.lpscl.conductivity");
  for (int k = 0; k < 10; k++) {
    const SsbCell     *cl = &st->cell[k];
    const SsbMaterial *e  = cl->sep.electrolyte;
    char               name[SSB_NAME_LEN];
    double             f = st->realized[k] / 3e-6, g = st->realized[10 + k] / 0.25;
    assert_true(st->realized[k] == cl->pos.particle_radius);
    assert_true(st->realized[10 + k] == e->el.conductivity.value);
    assert_true(f > 0.7 && f < 1.3);                               /* lognormal, cv 5 % */
    assert_true(g >= 1 - sqrt(3) * 0.1 && g <= 1 + sqrt(3) * 0.1); /* uniform, cv 10 % */
    /* each cell has its own copy of lpscl, used by the separator and the composite */
    snprintf(name, sizeof name, "lpscl@cell%d", k + 1);
    assert_string_equal(e->name, name);
    assert_ptr_equal(SsbCaseFindMaterial(c, name), e);
    assert_ptr_equal(cl->pos.electrolyte, e);
    assert_true(e != lpscl);
    assert_close(e->el.concentration, 30000, 0);
    assert_close(e->el.conductivity_Ea, 30000, 1e-14);
    assert_close(cl->pos.thickness, k == 3 ? 70e-6 : 77e-6, 1e-14);
    assert_close(cl->area, 1e-2, 1e-14);
    if (k == 1 || k == 8) {
      snprintf(name, sizeof name, "nmc811@cell%d", k + 1);
      assert_string_equal(cl->pos.material->name, name);
      assert_close(cl->pos.material->ins.electronic_conductivity, 0.5, 1e-14);
      assert_close(cl->pos.material->ins.c_max, 51765, 0);
      assert_close(cl->pos.electronic_conductivity, 10, 0); /* given in the cell block */
      assert_close(cl->initial_soc, 0.9, 0);
      assert_close(cl->ifc_pos.film_resistance, 2e-4, 1e-14);
    } else {
      assert_ptr_equal(cl->pos.material, nmc);
      assert_close(cl->initial_soc, 1, 0);
      assert_close(cl->ifc_pos.film_resistance, 0, 0);
    }
    assert_ptr_equal(cl->neg.material, SsbCaseFindMaterial(c, "li_metal"));
  }
  assert_int_equal(c->nmaterials, 8 + 10 + 2); /* 5 included, 3 conductors, 10 lpscl and 2 nmc811 copies */
  SsbCaseDestroy(&c);
}

/* The same seed gives the same draws; another seed others; cell k's draw does not depend on how
   many cells the stack has. */
static void test_reproducible(void **state)
{
  const char *const seed8[] = {"stack.variation[1].seed=8"};
  const char *const more[]  = {"stack.cells=20"};
  SsbCase          *a = Read("case_stack.yaml", 0, NULL), *b = Read("case_stack.yaml", 0, NULL);
  SsbCase          *d = Read("case_stack.yaml", 1, seed8), *e = Read("case_stack.yaml", 1, more);
  int               same = 0;

  assert_memory_equal(a->stack.realized, b->stack.realized, 20 * sizeof(double));
  for (int k = 0; k < 10; k++) {
    assert_true(a->stack.cell[k].pos.particle_radius == b->stack.cell[k].pos.particle_radius);
    if (a->stack.realized[k] == d->stack.realized[k]) same++;
    assert_true(a->stack.realized[10 + k] == d->stack.realized[10 + k]); /* the other entry's seed is unchanged */
    assert_true(a->stack.realized[k] == e->stack.realized[k]);
    assert_true(a->stack.realized[10 + k] == e->stack.realized[20 + k]);
  }
  assert_int_equal(same, 0);
  SsbCaseDestroy(&a);
  SsbCaseDestroy(&b);
  SsbCaseDestroy(&d);
  SsbCaseDestroy(&e);
}

/* 1000 cells: the factors have mean 1 and the cv asked for. With n = 1000 independent draws the
   standard error of the mean is cv/sqrt(n) (0.0016 for cv 0.05), and that of the sample standard
   deviation sigma*sqrt((kurtosis - 1)/(4 n)): 0.0011 for the lognormal (kurtosis ~3.04, cv 0.05) and
   0.0014 for the uniform (kurtosis 1.8, cv 0.1). The bounds are 4 standard errors, so a correct
   generator fails them with probability below 1e-4 for any seed (and the seeds here are fixed). */
static void test_statistics(void **state)
{
  const char *const sets[] = {"stack.cells=1000"};
  SsbCase          *c;
  double            t0      = (double)clock() / CLOCKS_PER_SEC, t;
  const double      base[2] = {3e-6, 0.25}, cv[2] = {0.05, 0.1};
  const double      se_sd[2] = {0.05 * sqrt(2.04 / 4000), 0.1 * sqrt(0.8 / 4000)};

  c = Read("case_stack.yaml", 1, sets);
  t = (double)clock() / CLOCKS_PER_SEC - t0;
  printf("1000-cell stack read in %.3f s (%d materials)\n", t, c->nmaterials);
  assert_int_equal(c->stack.cells, 1000);
  for (int p = 0; p < 2; p++) {
    double sum = 0, sum2 = 0, mean, sd;
    for (int k = 0; k < 1000; k++) {
      double f = c->stack.realized[p * 1000 + k] / base[p];
      sum += f;
      sum2 += f * f;
    }
    mean = sum / 1000;
    sd   = sqrt((sum2 - 1000 * mean * mean) / 999);
    printf("%s: mean factor %.5f, cv %.5f (asked %.3f)\n", c->stack.realized_names[p], mean, sd / mean, cv[p]);
    assert_true(fabs(mean - 1) < 4 * cv[p] / sqrt(1000.0));
    assert_true(fabs(sd - cv[p]) < 4 * se_sd[p]);
  }
  for (int k = 0; k < 1000; k++) {
    assert_true(c->stack.realized[k] == c->stack.cell[k].pos.particle_radius);
    assert_true(c->stack.realized[1000 + k] == c->stack.cell[k].sep.electrolyte->el.conductivity.value);
  }
  assert_close(c->stack.cell[3].pos.thickness, 70e-6, 1e-14);
  assert_close(c->stack.cell[4].pos.thickness, 77e-6, 1e-14);
  SsbCaseDestroy(&c);
}

/* Thermal model stack: accepted when every layer's material has its thermal data. */
static void test_thermal_stack(void **state)
{
  const char *const sets[] = {"thermal.model=stack", "materials.li_metal.heat_capacity=3582", "materials.li_metal.thermal_conductivity=84.7",
                              "materials.lpscl.density=1900", "materials.lpscl.heat_capacity=700", "materials.lpscl.thermal_conductivity=0.6",
                              "materials.nmc811.heat_capacity=700", "materials.nmc811.thermal_conductivity=1.5", "materials.steel.density=8000",
                              "materials.steel.heat_capacity=450", "materials.steel.thermal_conductivity=14.6"};
  SsbCase          *c      = Read("case_stack.yaml", 11, sets);
  assert_int_equal(c->thermal.model, SSB_THERMAL_STACK);
  assert_close(c->stack.cell[9].sep.electrolyte->thermal.heat_capacity, 700, 0); /* the copy keeps them */
  SsbCaseDestroy(&c);
}

static void ExpectError(int nset, const char *const *sets, const char *fragment)
{
  char             path[4096];
  SsbCase         *c = NULL;
  SsbStderrCapture cap;
  char            *out;
  snprintf(path, sizeof path, "%s/case_stack.yaml", inputs);
  SsbCaptureBegin(&cap);
  assert_int_equal(SsbCaseRead(path, nset, sets, &c), SSB_ERR_INPUT);
  out = SsbCaptureEnd(&cap);
  assert_null(c);
  if (!strstr(out, fragment)) fail_msg("message '%s' lacks '%s'", out, fragment);
  free(out);
}

static void test_stack_errors(void **state)
{
  const char *const huge[]    = {"stack.variation[1].distribution=normal", "stack.variation[1].cv=3"};
  const char *const thermal[] = {"thermal.model=stack"};
  const char *const unused[]  = {"stack.variation[2].set={materials.tis2.diffusivity: 1e-14}"};
  const char *const twice[]   = {"stack.variation[3].parameter=positive.particle_radius"};
  const char *const nodef[]   = {"stack.variation[3].parameter=positive.initial_stoichiometry"};
  const char *const expr[]    = {"stack.variation[3].parameter=materials.nmc811.diffusivity"};
  /* a normal spread with cv 3 gives some cell a negative particle radius */
  ExpectError(2, huge, "error: cell.positive.particle_radius must be positive, got '-");
  ExpectError(2, huge, "of the stack, with stack.variation[1] at ");
  ExpectError(1, thermal, "material 'li_metal' (the negative electrode of cell 1) has no heat_capacity; thermal.model 'stack'");
  ExpectError(1, unused, "error: material 'tis2' is not used by cell 2, so it cannot vary there (in cell 2 of the stack");
  ExpectError(1, twice, "stack.variation[3].parameter: positive.particle_radius is already drawn at random by stack.variation[1]");
  ExpectError(1, nodef, "stack.variation[3].parameter: cell.positive.initial_stoichiometry has no value to vary (give it in the cell block)");
  ExpectError(1, expr, "materials.nmc811.diffusivity is not a number");
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rng_reference),
    cmocka_unit_test(test_single_cell_defaults),
    cmocka_unit_test(test_stack_case),
    cmocka_unit_test(test_reproducible),
    cmocka_unit_test(test_statistics),
    cmocka_unit_test(test_thermal_stack),
    cmocka_unit_test(test_stack_errors),
  };
  int rc;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  if (argc > 1) inputs = argv[1];
  rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscFinalize());
  return rc;
}
