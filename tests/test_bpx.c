/* test_bpx.c -- the BPX import (io/bpx.c): expression translation and converted values.

   1. SsbBpxTranslateExpression on Python expressions whose value is known by hand: Python's `**` is
      right associative and binds tighter than unary minus, libmatheval's `^` is left associative,
      so 2**3**2 = 512 and -x**2 = -4 at x = 2 must survive; np./math. prefixes, log10, pi; and
      constructs that have no libmatheval form are errors with a reason.
   2. The two About:Energy example sets (argv[1] = tests/inputs/bpx) are imported into the working
      directory and read back with SsbCaseRead; converted values are compared with hand-computed
      ones (SI): c_max, the exchange current F k / 2, thicknesses, area x electrode pairs, volume
      fractions a R / 3, the Bruggeman exponent ln(TE)/ln(eps), the effective-to-bulk electronic
      conductivity, the equivalent dense separator, the electrolyte functions and the OCP. */
#define _POSIX_C_SOURCE 200809L
#include <ssbsim/ssb_bpx.h>
#include <ssbsim/ssb_case.h>
#include <matheval.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static char inputs[PATH_MAX];

static double Eval(const char *expr, double x)
{
  void  *f       = evaluator_create((char *)expr);
  char  *names[] = {"x", "T"};
  double vals[]  = {x, 298.15}, v;
  assert_non_null(f);
  v = evaluator_evaluate(f, 2, names, vals);
  evaluator_destroy(f);
  return v;
}

static void Translated(const char *py, double x, double expect)
{
  char out[1024], msg[1024];
  if (SsbBpxTranslateExpression(py, out, sizeof out, msg, sizeof msg)) fail_msg("'%s' not translated: %s", py, msg);
  double v = Eval(out, x);
  if (!(fabs(v - expect) <= 1e-12 * fmax(1.0, fabs(expect)))) fail_msg("'%s' -> '%s' at x = %g: %.17g, expected %.17g", py, out, x, v, expect);
}

static void Untranslatable(const char *py, const char *reason)
{
  char           out[1024], msg[1024];
  PetscErrorCode ierr = SsbBpxTranslateExpression(py, out, sizeof out, msg, sizeof msg);
  if (!ierr) fail_msg("'%s' was translated to '%s', expected an error", py, out);
  assert_int_equal(ierr, SSB_ERR_INPUT);
  if (!strstr(msg, reason)) fail_msg("'%s': message '%s' lacks '%s'", py, msg, reason);
}

static void test_translate(void **state)
{
  Translated("2 ** 3 ** 2", 0, 512);  /* right associative */
  Translated("-x ** 2", 2, -4);       /* ** before unary minus */
  Translated("2 ** -x", 2, 0.25);     /* unary exponent */
  Translated("(-x) ** 2", 2, 4);      /* parenthesized base */
  Translated("3 - -x * 2", 2, 7);     /* nested negation */
  Translated("x * -2 ** 2", 1, -4);   /* -(2^2) */
  Translated("+x + .5 + 5.", 1, 6.5); /* unary plus, .5 and 5. */
  Translated("np.exp(-1.5e+01 * x)", 0.1, exp(-1.5));
  Translated("numpy.tanh(x) + math.sqrt(x)", 0.25, tanh(0.25) + 0.5);
  Translated("np.log10(100 * x) ** 2", 1, 4); /* log10 -> log()/log(10), as a unit under ** */
  Translated("np.log2(x)", 8, 3);
  Translated("np.pi * x + np.e", 1, 3.141592653589793 + 2.718281828459045);
  Translated("np.arcsin(x) + np.absolute(-x)", 0.5, asin(0.5) + 0.5);
  Translated("0.1297 * (x / 1000) ** 3 - 2.51 * (x / 1000) ** 1.5 + 3.329 * (x / 1000)", 1000, 0.1297 - 2.51 + 3.329);
  Translated("(-0.1112 * x + 0.02914 + 0.3561 * exp(-((x - 0.08309) ** 2) / 0.004616)) / 1000", 0.08309, (-0.1112 * 0.08309 + 0.02914 + 0.3561) / 1000);
  Untranslatable("np.where(x < 0.5, 1, 2)", "np.where");
  Untranslatable("np.power(x, 2)", "np.power");
  Untranslatable("x // 2", "'//'");
  Untranslatable("x % 2", "'%");
  Untranslatable("y + 1", "'y'");
  Untranslatable("x[0]", "unexpected");
  Untranslatable("exp(x", "expected ')'");
  Untranslatable("pybamm.exp(x)", "pybamm.exp");
  Untranslatable("x if x > 0 else 0", "unexpected");
}

static void Close(double got, double expect, double rtol, const char *what)
{
  if (!(fabs(got - expect) <= rtol * fabs(expect))) fail_msg("%s: %.17g, expected %.17g (rtol %g)", what, got, expect, rtol);
}

static SsbCase *Import(const char *name)
{
  char     json[PATH_MAX + 64], cs[128], ms[128];
  SsbCase *c = NULL;
  snprintf(json, sizeof json, "%s/%s.json", inputs, name);
  snprintf(cs, sizeof cs, "bpxtest_%s.yaml", name);
  snprintf(ms, sizeof ms, "bpxtest_%s_materials.yaml", name);
  assert_int_equal(SsbBpxImport(json, cs, ms, NULL), 0);
  assert_int_equal(SsbCaseRead(cs, 0, NULL, &c), 0);
  return c;
}

static double F(const SsbFunc *f, double x)
{
  double v;
  assert_int_equal(SsbFuncEvalExact(f, x, 298.15, &v), 0);
  return v;
}

static void test_nmc(void **state)
{
  SsbCase            *c = Import("nmc_pouch_cell_BPX");
  const SsbElectrode *n = &c->cell.neg, *p = &c->cell.pos;
  const double        Fa = SSB_FARADAY;
  Close(c->cell.area, 0.016808 * 34, 1e-12, "area = electrode area x 34 pairs");
  Close(n->thickness, 5.62e-5, 1e-12, "negative thickness");
  Close(p->thickness, 5.23e-5, 1e-12, "positive thickness");
  Close(n->particle_radius, 4.12e-6, 1e-12, "negative particle radius");
  Close(n->material->ins.c_max, 29730, 1e-12, "graphite c_max");
  Close(p->material->ins.c_max, 46200, 1e-12, "NMC c_max");
  /* form C at x = 0.5, c_e = c_e0: i0 = F k / 2 */
  Close(n->material->ins.exchange_current_density, Fa * 5.199e-6 / 2, 1e-12, "graphite i0 = F k/2 (0.2508 A/m^2)");
  Close(p->material->ins.exchange_current_density, Fa * 2.305e-5 / 2, 1e-12, "NMC i0 = F k/2 (1.112 A/m^2)");
  assert_true(fabs(n->material->ins.exchange_current_density - 0.25081) < 1e-5);
  Close(n->material->ins.exchange_current_stoichiometry, 0.5, 0, "x of i0");
  Close(n->material->ins.transfer_coefficient, 0.5, 0, "alpha");
  Close(n->material->ins.kinetics_Ea, 55000, 1e-12, "graphite E_k");
  Close(p->material->ins.diffusivity_Ea, 15000, 1e-12, "NMC E_D");
  /* windows: the negative's charged end is its lithiated (maximum) end */
  Close(n->material->ins.x_charged, 0.75668, 1e-12, "graphite x charged");
  Close(n->material->ins.x_discharged, 0.005504, 1e-12, "graphite x discharged");
  Close(p->material->ins.x_charged, 0.42424, 1e-12, "NMC x charged");
  Close(p->material->ins.x_discharged, 0.96210, 1e-12, "NMC x discharged");
  /* volume fractions and Bruggeman */
  Close(n->eps_active, 499522 * 4.12e-6 / 3, 1e-5, "graphite active fraction a R / 3");
  Close(n->eps_electrolyte, 0.253991, 1e-12, "graphite porosity");
  Close(n->eps_active + n->eps_electrolyte + n->eps_conductive, 1, 1e-9, "fractions sum");
  Close(n->bruggeman, log(0.128) / log(0.253991), 1e-5, "graphite Bruggeman ln(TE)/ln(eps)");
  Close(n->electronic_conductivity * pow(1 - 0.253991, n->bruggeman), 0.222, 1e-5, "graphite effective sigma");
  Close(p->electronic_conductivity * pow(1 - 0.277493, p->bruggeman), 0.789, 1e-5, "NMC effective sigma");
  /* functions */
  Close(F(&n->material->ins.diffusivity, 0.5), 2.728e-14, 1e-12, "graphite D_s");
  Close(F(&p->material->ins.entropic, 0.5), -1e-4, 1e-12, "NMC dU/dT");
  {
    double x = 0.5, un = 9.47057878e-01 * exp(-1.59418743e+02 * x) - 3.50928033e+04 + 1.64230269e-01 * tanh(-4.55509094e+01 * (x - 3.24116012e-02)) + 3.69968491e-02 * tanh(-1.96718868e+01 * (x - 1.68334476e-01)) + 1.91517003e+04 * tanh(3.19648312e+00 * (x - 1.85139824e+00)) + 5.42448511e+04 * tanh(-3.19009848e+00 * (x - 2.01660395e+00));
    double up = -3.04420906 * x + 10.04892207 - 0.65637536 * tanh(-4.02134095 * (x - 0.80063948)) + 4.24678547 * tanh(12.17805062 * (x - 7.57659337)) - 0.3757068 * tanh(59.33067782 * (x - 0.99784492));
    Close(F(&n->material->ins.ocp, x), un, 1e-12, "graphite OCP(0.5)");
    Close(F(&p->material->ins.ocp, x), up, 1e-12, "NMC OCP(0.5)");
    x = 0.1;
    Close(F(&n->material->ins.entropic, x), (-0.1112 * x + 0.02914 + 0.3561 * exp(-pow(x - 0.08309, 2) / 0.004616)) / 1000, 1e-12, "graphite dU/dT(0.1)");
  }
  /* electrolyte: binary, Nyman 2008 at 1000 mol/m^3: kappa = 0.1297 - 2.51 + 3.329 = 0.9487 S/m, D = 1.7694e-10 m^2/s */
  {
    const SsbMaterial *el = n->electrolyte, *sep = c->cell.sep.electrolyte;
    assert_int_equal(el->el.transport, SSB_TRANSPORT_BINARY);
    Close(el->el.concentration, 1000, 1e-12, "c_e0");
    Close(F(&el->el.conductivity, 1000), 0.9487, 1e-12, "kappa(1000)");
    Close(F(&el->el.diffusivity, 1000), 8.794e-11 - 3.972e-10 + 4.862e-10, 1e-12, "D(1000)");
    Close(F(&el->el.transference_number, 1000), 0.2594, 1e-12, "t+");
    Close(el->el.conductivity_Ea, 17100, 1e-12, "E_kappa");
    /* the separator: equivalent dense layer, eps L and x eps TE */
    Close(c->cell.sep.thickness, 0.47 * 2e-5, 1e-12, "separator thickness eps L");
    Close(F(&sep->el.conductivity, 1000), 0.9487 * 0.47 * 0.3222, 1e-11, "separator kappa x eps TE");
    Close(F(&sep->el.diffusivity, 1000), (8.794e-11 - 3.972e-10 + 4.862e-10) * 0.47 * 0.3222, 1e-11, "separator D x eps TE");
  }
  Close(c->experiment.limits.cell_voltage_min, 2.7, 1e-12, "lower cut-off");
  Close(c->experiment.limits.cell_voltage_max, 4.2, 1e-12, "upper cut-off");
  assert_int_equal(c->experiment.steps[0].current.unit, SSB_CURRENT_AMPERE);
  Close(c->experiment.steps[0].current.value, 12.5, 1e-12, "1C of the nominal capacity");
  Close(c->experiment.steps[0].until_voltage, 2.7, 1e-12, "until the lower cut-off");
  assert_non_null(strstr(n->material->source, "nmc_pouch_cell_BPX.json"));
  assert_non_null(strstr(n->material->source, "model DFN"));
  SsbCaseDestroy(&c);
}

static void test_lfp(void **state)
{
  SsbCase            *c = Import("lfp_18650_cell_BPX");
  const SsbElectrode *p = &c->cell.pos;
  Close(c->cell.area, 0.08959998, 1e-12, "area (1 pair)");
  Close(p->material->ins.c_max, 21200, 1e-12, "LFP c_max");
  Close(p->material->ins.exchange_current_density, SSB_FARADAY * 9.736e-7 / 2, 1e-12, "LFP i0 = F k/2 (0.04697 A/m^2)");
  Close(p->thickness, 6.43e-5, 1e-12, "LFP thickness");
  Close(p->particle_radius, 5e-7, 1e-12, "LFP particle radius");
  Close(F(&p->material->ins.diffusivity, 0.5), 6.873e-17, 1e-12, "LFP D_s");
  assert_int_equal(p->material->ins.entropic.kind, SSB_FUNC_TABLE);
  Close(F(&p->material->ins.entropic, 0.5), -5.2311e-05, 1e-12, "LFP dU/dT table at 0.5");
  Close(F(&p->material->ins.entropic, 0.525), (-5.2311e-05 - 6.0211e-05) / 2, 1e-12, "LFP dU/dT table at 0.525");
  Close(F(&p->material->ins.ocp, 0.5), 3.41285712 - 1.49721852e-02 * 0.5 + 3.54866018e+14 * exp(-3.95729493e+02 * 0.5) - 1.45998465 * exp(-1.10108622e+02 * 0.5), 1e-12, "LFP OCP(0.5)");
  Close(c->experiment.steps[0].current.value, 2, 1e-12, "1C of 2 A.h");
  Close(c->experiment.limits.cell_voltage_min, 2.0, 1e-12, "lower cut-off");
  SsbCaseDestroy(&c);
}

/* the User-defined ssbsim block: Li metal | SSE | LFP composite */
static void test_user_defined(void **state)
{
  SsbCase *c = Import("user_defined_ssbsim");
  assert_int_equal(c->cell.neg.kind, SSB_ELECTRODE_LITHIUM_METAL);
  assert_string_equal(c->cell.neg.material->name, "li");
  Close(c->cell.neg.thickness, 40e-6, 1e-12, "Li thickness 40 um");
  assert_string_equal(c->cell.sep.electrolyte->name, "sse");
  assert_int_equal(c->cell.sep.electrolyte->el.transport, SSB_TRANSPORT_SINGLE_ION);
  Close(c->cell.sep.thickness, 3e-5, 1e-12, "SSE separator thickness as given");
  assert_string_equal(c->cell.pos.electrolyte->name, "sse");
  Close(c->cell.pos.eps_electrolyte, 0.20359, 1e-12, "SSE fraction = BPX porosity");
  SsbCaseDestroy(&c);
}

/* errors name the BPX key and write nothing */
static void test_errors(void **state)
{
  char json[PATH_MAX + 64];
  snprintf(json, sizeof json, "%s/bad_expression.json", inputs);
  remove("bpxtest_bad.yaml");
  assert_int_equal(SsbBpxImport(json, "bpxtest_bad.yaml", "bpxtest_bad_materials.yaml", NULL), SSB_ERR_INPUT);
  assert_null(fopen("bpxtest_bad.yaml", "r"));
  snprintf(json, sizeof json, "%s/bad_malformed.json", inputs);
  assert_int_equal(SsbBpxImport(json, "bpxtest_bad.yaml", "bpxtest_bad_materials.yaml", NULL), SSB_ERR_INPUT);
  assert_int_equal(SsbBpxImport("no/such/file.json", "bpxtest_bad.yaml", "bpxtest_bad_materials.yaml", NULL), SSB_ERR_INPUT);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_translate),
    cmocka_unit_test(test_nmc),
    cmocka_unit_test(test_lfp),
    cmocka_unit_test(test_user_defined),
    cmocka_unit_test(test_errors),
  };
  int rc;
  if (argc < 2) {
    fprintf(stderr, "usage: test_bpx INPUTS_DIR\n");
    return 2;
  }
  snprintf(inputs, sizeof inputs, "%s", argv[1]);
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscFinalize());
  return rc;
}
