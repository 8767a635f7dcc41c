/* test_case_units.c -- unit tests of the case reader's parts: unit conversion (udunits, Ah, degC),
   "did you mean", experiment step strings, --set overrides on a YAML tree, the YAML tree and its
   emitter. */
#define _POSIX_C_SOURCE 200809L
#include "case_test_util.h"
#include "case_internal.h"
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static void assert_close(double a, double b, double rtol)
{
  if (!(fabs(a - b) <= rtol * fabs(b))) fail_msg("%.17g != %.17g (rtol %g)", a, b, rtol);
}

static double Convert(const char *text, const char *si)
{
  double v = NAN;
  char   msg[256];
  int    err = (int)SsbUnitsConvert(text, si, "a test quantity", &v, msg, sizeof msg);
  if (err) fail_msg("converting '%s' to %s failed: %s", text, si, msg);
  return v;
}

static void test_units_convert(void **state)
{
  assert_close(Convert("30 um", "m"), 30e-6, 1e-14);
  assert_close(Convert("30um", "m"), 30e-6, 1e-14);
  assert_close(Convert("  5 nm ", "m"), 5e-9, 1e-14);
  assert_close(Convert("1.2 mS/cm", "S/m"), 0.12, 1e-14);
  assert_close(Convert("25 degC", "K"), 298.15, 1e-14);
  assert_close(Convert("-20 degC", "K"), 253.15, 1e-14);
  assert_close(Convert("300", "K"), 300, 0);
  assert_close(Convert("1e-14", "m^2/s"), 1e-14, 0);
  assert_close(Convert("1e-10 cm^2/s", "m^2/s"), 1e-14, 1e-14);
  assert_close(Convert("1 mol/L", "mol/m^3"), 1000, 1e-14);
  assert_close(Convert("1 mA/cm^2", "A/m^2"), 10, 1e-14);
  assert_close(Convert("30 kJ/mol", "J/mol"), 30000, 1e-14);
  assert_close(Convert("4.8 g/cm^3", "kg/m^3"), 4800, 1e-14);
  assert_close(Convert("6.941 g/mol", "kg/mol"), 6.941e-3, 1e-14);
  assert_close(Convert("-0.1 mV/K", "V/K"), -1e-4, 1e-14);
  assert_close(Convert("0.5 ohm*cm^2", "ohm m^2"), 0.5e-4, 1e-14);
  assert_close(Convert("10 W/m^2/K", "W/(m^2 K)"), 10, 1e-14);
  assert_close(Convert("30 minutes", "s"), 1800, 1e-14);
  assert_close(Convert("2 hours", "s"), 7200, 1e-14);
  assert_close(Convert("1 h", "s"), 3600, 1e-14);
  assert_close(Convert("4200 mV", "V"), 4.2, 1e-14);
  assert_close(Convert("0.35", "1"), 0.35, 0);
  assert_close(Convert("50 %", "1"), 0.5, 1e-14);
  /* keys of the dissociation electrolyte, interfaces and the cell's series/geometric elements */
  assert_close(Convert("5.30e-7 F/cm^2", "F/m^2"), 5.30e-3, 1e-14);
  assert_close(Convert("1 uF/cm^2", "F/m^2"), 1e-2, 1e-14);
  assert_close(Convert("18.3 ohm*cm^2", "ohm m^2"), 18.3e-4, 1e-14);
  assert_close(Convert("18.3 Ohm cm2", "ohm m^2"), 18.3e-4, 1e-14);
  assert_close(Convert("0.9e-6 m^3/(mol s)", "m^3/(mol s)"), 0.9e-6, 1e-14);
  assert_close(Convert("0.9 cm^3/(mol*s)", "m^3/(mol s)"), 0.9e-6, 1e-14);
  assert_close(Convert("1 L/(mol s)", "m^3/(mol s)"), 1e-3, 1e-14);
}

/* udunits has no ampere-hour: "Ah" is mapped to A.h, and prefixes must work on it. */
static void test_units_ampere_hour(void **state)
{
  assert_close(Convert("1 Ah", "C"), 3600, 1e-14);
  assert_close(Convert("1 mAh", "C"), 3.6, 1e-14);
  assert_close(Convert("200 mAh/g", "C/kg"), 200 * 3.6 * 1000, 1e-14);
  assert_close(Convert("4 mAh/cm^2", "C/m^2"), 4 * 3.6 * 1e4, 1e-14);
  assert_close(Convert("1 kAh", "C"), 3.6e6, 1e-14);
}

static void test_units_errors(void **state)
{
  double v;
  char   msg[256];
  assert_int_equal(SsbUnitsConvert("30 mS/cm", "m", "a length", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_string_equal(msg, "expected a length (m), got 'mS/cm'");
  assert_int_equal(SsbUnitsConvert("30 furlongz", "m", "a length", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_non_null(strstr(msg, "unknown unit 'furlongz'"));
  assert_int_equal(SsbUnitsConvert("thirty um", "m", "a length", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_int_equal(SsbUnitsConvert("", "m", "a length", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_int_equal(SsbUnitsConvert("nan", "m", "a length", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_int_equal(SsbUnitsConvert("inf", "m", "a length", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_int_equal(SsbUnitsConvert("1e999", "m", "a length", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_int_equal(SsbUnitsConvert("3 um", "1", NULL, &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_non_null(strstr(msg, "dimensionless"));
  /* a unit with an offset cannot scale a function */
  assert_int_equal(SsbUnitsFactor("degC", "K", "a temperature", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_int_equal(SsbUnitsConvert("5 uF", "F/m^2", "an area-specific capacitance", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_string_equal(msg, "expected an area-specific capacitance (F/m^2), got 'uF'");
  assert_int_equal(SsbUnitsConvert("8e-7 m^3/s", "m^3/(mol s)", "a recombination rate constant", &v, msg, sizeof msg), SSB_ERR_INPUT);
  assert_int_equal(SsbUnitsFactor(" cm^2/s ", "m^2/s", "a diffusivity", &v, msg, sizeof msg), 0);
  assert_close(v, 1e-4, 1e-14);
}

static void test_units_quantity_or_expression(void **state)
{
  assert_true(SsbUnitsIsQuantity("1.2 mS/cm"));
  assert_true(SsbUnitsIsQuantity("3.7"));
  assert_true(SsbUnitsIsQuantity("-0.1 mV/K"));
  assert_false(SsbUnitsIsQuantity("2.17 - 0.5*x"));
  assert_false(SsbUnitsIsQuantity("1e-14*exp(-x)"));
  assert_false(SsbUnitsIsQuantity("x"));
  assert_false(SsbUnitsIsQuantity("3 - T/1000"));
  assert_false(SsbUnitsIsQuantity("0x10"));
}

static void test_did_you_mean(void **state)
{
  const char *const keys[] = {"kind", "material", "electrolyte", "thickness", "volume_fractions", "particle_radius", "electronic_conductivity", "bruggeman_exponent", "initial_stoichiometry", NULL};
  assert_int_equal(SsbLevenshtein("thicknes", "thickness"), 1);
  assert_int_equal(SsbLevenshtein("", "abc"), 3);
  assert_int_equal(SsbLevenshtein("Kind", "kind"), 0);
  assert_string_equal(SsbDidYouMean("thicknes", keys, -1), "thickness");
  assert_string_equal(SsbDidYouMean("thikness", keys, -1), "thickness");
  assert_string_equal(SsbDidYouMean("particle_radus", keys, -1), "particle_radius");
  assert_string_equal(SsbDidYouMean("volume_fraction", keys, -1), "volume_fractions");
  assert_string_equal(SsbDidYouMean("electrolite", keys, 9), "electrolyte");
  assert_string_equal(SsbDidYouMean("bruggeman", keys, -1), "bruggeman_exponent");
  assert_null(SsbDidYouMean("zzzzzz", keys, -1));
  assert_null(SsbDidYouMean("colour", keys, -1));
}

static void ParseStep(const char *text, SsbStep *st)
{
  char msg[256];
  memset(st, 0, sizeof(*st));
  if (SsbStepParse(text, st, msg, sizeof msg)) fail_msg("step '%s' rejected: %s", text, msg);
}

static void test_steps_good(void **state)
{
  SsbStep st;
  ParseStep("Discharge at 1C until 3.0 V", &st);
  assert_int_equal(st.kind, SSB_STEP_CURRENT);
  assert_int_equal(st.current.unit, SSB_CURRENT_CRATE);
  assert_close(st.current.value, 1, 0);
  assert_close(st.until_voltage, 3.0, 0);
  assert_true(isnan(st.duration));
  ParseStep("Charge at C/2 until 4.3 V", &st);
  assert_close(st.current.value, -0.5, 0);
  assert_close(st.until_voltage, 4.3, 1e-15);
  ParseStep("discharge at 0.5C for 30 minutes", &st);
  assert_close(st.current.value, 0.5, 0);
  assert_close(st.duration, 1800, 0);
  assert_true(isnan(st.until_voltage));
  ParseStep("Discharge at 2C for 1 h or until 3 V", &st);
  assert_close(st.current.value, 2, 0);
  assert_close(st.duration, 3600, 0);
  assert_close(st.until_voltage, 3, 0);
  ParseStep("Discharge at 2 A until 3 V", &st);
  assert_int_equal(st.current.unit, SSB_CURRENT_AMPERE);
  assert_close(st.current.value, 2, 0);
  ParseStep("Charge at 500 mA until 4200 mV", &st);
  assert_int_equal(st.current.unit, SSB_CURRENT_AMPERE);
  assert_close(st.current.value, -0.5, 1e-15);
  assert_close(st.until_voltage, 4.2, 1e-15);
  ParseStep("Discharge at 10 A/m^2 until 3 V", &st);
  assert_int_equal(st.current.unit, SSB_CURRENT_DENSITY);
  assert_close(st.current.value, 10, 0);
  ParseStep("Charge at 1 mA/cm^2 for 10 s", &st);
  assert_int_equal(st.current.unit, SSB_CURRENT_DENSITY);
  assert_close(st.current.value, -10, 1e-15);
  assert_close(st.duration, 10, 0);
  ParseStep("Rest for 2 hours", &st);
  assert_int_equal(st.kind, SSB_STEP_REST);
  assert_close(st.duration, 7200, 0);
  ParseStep("Hold at 4.3 V until C/20", &st);
  assert_int_equal(st.kind, SSB_STEP_VOLTAGE);
  assert_close(st.voltage, 4.3, 1e-15);
  assert_int_equal(st.until_current.unit, SSB_CURRENT_CRATE);
  assert_close(st.until_current.value, 0.05, 1e-15);
  assert_true(isnan(st.duration));
  ParseStep("Hold at 4.3 V for 1 h", &st);
  assert_int_equal(st.until_current.unit, SSB_CURRENT_NONE);
  assert_close(st.duration, 3600, 0);
  ParseStep("Hold at 4.2 V until 0.1 mA/cm^2 for 2 h", &st);
  assert_int_equal(st.until_current.unit, SSB_CURRENT_DENSITY);
  assert_close(st.until_current.value, 1, 1e-15);
  assert_close(st.duration, 7200, 0);
}

static void ExpectBadStep(const char *text, const char *fragment)
{
  SsbStep st;
  char    msg[256] = "";
  if (SsbStepParse(text, &st, msg, sizeof msg) != SSB_ERR_INPUT) fail_msg("step '%s' accepted", text);
  if (!strstr(msg, fragment)) fail_msg("step '%s': message '%s' lacks '%s'", text, msg, fragment);
}

static void test_steps_bad(void **state)
{
  ExpectBadStep("Dischrge at 1C until 3 V", "'Dischrge'");
  ExpectBadStep("Discharge at 1Q until 3 V", "'1Q'");
  ExpectBadStep("Discharge at 1C untill 3 V", "'untill'");
  ExpectBadStep("Discharge at 1C until 3 A", "'3 A'");
  ExpectBadStep("Discharge at 1C", "until");
  ExpectBadStep("Discharge until 3 V", "at <current>");
  ExpectBadStep("Discharge at 2 until 3 V", "needs a unit");
  ExpectBadStep("Charge at 5 ohm until 4 V", "load resistance");
  ExpectBadStep("Discharge at 5 W", "until");
  {
    /* power and load-resistance steps */
    SsbStep st;
    char    msg[512];
    memset(&st, 0, sizeof(st));
    assert_int_equal(SsbStepParse("Discharge at 5 W until 3 V", &st, msg, sizeof msg), 0);
    assert_int_equal(st.kind, SSB_STEP_POWER);
    assert_true(fabs(st.power - 5.0) < 1e-12 && !st.per_area && fabs(st.until_voltage - 3.0) < 1e-12);
    assert_int_equal(SsbStepParse("Charge at 2 mW/cm^2 for 1 h", &st, msg, sizeof msg), 0);
    assert_true(st.kind == SSB_STEP_POWER && st.per_area && fabs(st.power + 20.0) < 1e-12);
    assert_int_equal(SsbStepParse("Discharge at 20 ohm*cm^2 until 3 V", &st, msg, sizeof msg), 0);
    assert_true(st.kind == SSB_STEP_RESISTANCE && st.per_area && fabs(st.resistance - 20e-4) < 1e-15);
  }
  ExpectBadStep("Discharge at -1C until 3 V", "positive");
  ExpectBadStep("Rest", "for <duration>");
  ExpectBadStep("Rest for 10 V", "'10 V'");
  ExpectBadStep("Rest at 1C for 1 h", "Rest");
  ExpectBadStep("Hold at 4.2 V", "until <current>");
  ExpectBadStep("Hold at 1C until C/20", "'1C'");
  ExpectBadStep("Charge at C/0 until 4 V", "C/0");
  ExpectBadStep("Discharge at 1C for 1 h for 2 h", "twice");
  {
    /* profile steps: the file is read later, by the case reader */
    SsbStep st;
    char    msg[512];
    memset(&st, 0, sizeof(st));
    assert_int_equal(SsbStepParse("Run profile drive.csv until 2.5 V", &st, msg, sizeof msg), 0);
    assert_int_equal(st.kind, SSB_STEP_PROFILE);
    assert_string_equal(st.profile_file, "drive.csv");
    assert_true(fabs(st.until_voltage - 2.5) < 1e-12 && isnan(st.duration));
    PetscFree(st.profile_file);
  }
  ExpectBadStep("Run profile", "Run profile <file.csv>");
  ExpectBadStep("Run drive.csv", "Run profile <file.csv>");
  ExpectBadStep("Run profile drive.csv for 1 h", "only 'until <voltage>'");
  ExpectBadStep("", "empty");
  ExpectBadStep("Discharge at", "followed by a value");
}

static SsbYamlNode *Parse(const char *text)
{
  SsbYamlNode *root = NULL;
  assert_int_equal(SsbYamlParseString(text, "test.yaml", &root), 0);
  return root;
}

static const SsbYamlNode *At(const SsbYamlNode *map, const char *key)
{
  const SsbYamlEntry *e = SsbYamlMapFind(map, key);
  if (!e) fail_msg("no key %s", key);
  return e->value;
}

static void test_yaml_tree_locations(void **state)
{
  SsbYamlNode       *root = Parse("a: 1\nb:\n  c: [x, 'y z']\n  d:\n    - 3 um\n");
  const SsbYamlNode *b = At(root, "b"), *c = At(b, "c"), *d = At(b, "d");
  assert_int_equal(root->kind, SSB_YAML_MAPPING);
  assert_int_equal(SsbYamlMapFind(root, "b")->line, 2);
  assert_int_equal(SsbYamlMapFind(b, "c")->line, 3);
  assert_int_equal(SsbYamlMapFind(b, "c")->col, 3);
  assert_int_equal(c->kind, SSB_YAML_SEQUENCE);
  assert_int_equal(c->n, 2);
  assert_int_equal(c->entries[1].value->col, 10);
  assert_true(c->entries[1].value->quoted);
  assert_string_equal(d->entries[0].value->value, "3 um");
  assert_int_equal(d->entries[0].value->line, 5);
  assert_int_equal(d->entries[0].value->col, 7);
  assert_int_equal(SsbYamlNodeDestroy(&root), 0);
  assert_null(root);
}

static void test_yaml_errors(void **state)
{
  SsbYamlNode     *root = NULL;
  SsbStderrCapture cap;
  char            *out;
  SsbCaptureBegin(&cap);
  assert_int_equal(SsbYamlParseString("a: 1\nb: [1, 2\nc: 3\n", "t.yaml", &root), SSB_ERR_INPUT);
  assert_int_equal(SsbYamlParseString("a: 1\na: 2\n", "t.yaml", &root), SSB_ERR_INPUT);
  assert_int_equal(SsbYamlParseString("a: &x 1\nb: *x\n", "t.yaml", &root), SSB_ERR_INPUT);
  assert_int_equal(SsbYamlParseString("a: 1\n---\nb: 2\n", "t.yaml", &root), SSB_ERR_INPUT);
  assert_int_equal(SsbYamlParseString("? [a]\n: 1\n", "t.yaml", &root), SSB_ERR_INPUT);
  out = SsbCaptureEnd(&cap);
  assert_null(root);
  assert_non_null(strstr(out, "t.yaml:3:"));
  assert_non_null(strstr(out, "t.yaml:2:1: error: duplicate key 'a' (first given at line 1)"));
  assert_non_null(strstr(out, "aliases"));
  assert_non_null(strstr(out, "only one YAML document"));
  assert_non_null(strstr(out, "mapping keys"));
  free(out);
  assert_int_equal(SsbYamlParseString("", "t.yaml", &root), 0);
  assert_null(root);
}

/* The emitted text reads back as the same tree. */
static void CompareTrees(const SsbYamlNode *a, const SsbYamlNode *b)
{
  assert_int_equal(a->kind, b->kind);
  if (a->kind == SSB_YAML_SCALAR) {
    assert_string_equal(a->value, b->value);
    return;
  }
  assert_int_equal(a->n, b->n);
  for (int i = 0; i < a->n; i++) {
    if (a->entries[i].key) assert_string_equal(a->entries[i].key, b->entries[i].key);
    CompareTrees(a->entries[i].value, b->entries[i].value);
  }
}

static void test_yaml_emit_roundtrip(void **state)
{
  const char  *src = "title: \"a: b # c\"\nlist: [1, 2.5, -3]\nsteps:\n  - Discharge at 1C until 3 V\n  - Rest for 1 h\n"
                     "m: {a: 1, b: '2'}\nempty: {}\nnone: []\nnested:\n  - {x: [0, 1], y: [\"q\\\"uote\", back\\slash]}\n  - - 1\n    - 2\n"
                     "multi: |\n  line one\n  line two\nlead: '- dash'\nhash: 'x #y'\nblank: ''\n";
  SsbYamlNode *a = Parse(src), *b = NULL;
  char        *text;
  assert_int_equal(SsbYamlEmit(a, &text), 0);
  assert_int_equal(SsbYamlParseString(text, "emitted.yaml", &b), 0);
  CompareTrees(a, b);
  assert_non_null(strstr(text, "list: [1, 2.5, -3]\n"));
  assert_non_null(strstr(text, "  - Discharge at 1C until 3 V\n"));
  PetscFree(text);
  SsbYamlNodeDestroy(&a);
  SsbYamlNodeDestroy(&b);
}

static char *Set(SsbYamlNode *root, const char *arg, int expect)
{
  SsbStderrCapture cap;
  char            *out;
  char             label[256];
  snprintf(label, sizeof label, "--set %s", arg);
  SsbCaptureBegin(&cap);
  assert_int_equal(SsbYamlApplySet(root, arg, label, "case.yaml"), expect);
  out = SsbCaptureEnd(&cap);
  return out;
}

static void test_set(void **state)
{
  SsbYamlNode *root = Parse("cell:\n  positive:\n    thickness: 77 um\nexperiment:\n  steps:\n    - Rest for 1 h\n    - Rest for 2 h\ntitle: t\n");
  char        *out;
  /* labels must outlive the tree: the nodes point at them */
  static const char *const label = "--set test";
  assert_int_equal(SsbYamlApplySet(root, "cell.positive.thickness=80 um", label, "case.yaml"), 0);
  assert_string_equal(At(At(At(root, "cell"), "positive"), "thickness")->value, "80 um");
  assert_int_equal(SsbYamlApplySet(root, "stack.cells=100", label, "case.yaml"), 0);
  assert_string_equal(At(At(root, "stack"), "cells")->value, "100");
  assert_int_equal(SsbYamlApplySet(root, "experiment.steps[0]=Discharge at 2C until 3 V", label, "case.yaml"), 0);
  assert_string_equal(At(At(root, "experiment"), "steps")->entries[0].value->value, "Discharge at 2C until 3 V");
  assert_int_equal(SsbYamlApplySet(root, "experiment.steps[2]=Rest for 3 h", label, "case.yaml"), 0); /* append */
  assert_int_equal(At(At(root, "experiment"), "steps")->n, 3);
  assert_int_equal(SsbYamlApplySet(root, "mesh.particle=20", label, "case.yaml"), 0);
  assert_string_equal(At(At(root, "mesh"), "particle")->value, "20");
  assert_int_equal(SsbYamlApplySet(root, "output.particle_positions=[0, 0.25, 1]", label, "case.yaml"), 0);
  assert_int_equal(At(At(root, "output"), "particle_positions")->kind, SSB_YAML_SEQUENCE);
  assert_int_equal(At(At(root, "output"), "particle_positions")->n, 3);
  assert_int_equal(SsbYamlApplySet(root, "output.csv=", label, "case.yaml"), 0);
  assert_string_equal(At(At(root, "output"), "csv")->value, "");
  assert_false(SsbYamlIsNull(At(At(root, "output"), "csv")));
  assert_int_equal(SsbYamlApplySet(root, "solver.petsc_options=-pc_type lu -ksp_type=preonly", label, "case.yaml"), 0);
  assert_string_equal(At(At(root, "solver"), "petsc_options")->value, "-pc_type lu -ksp_type=preonly");
  assert_int_equal(SsbYamlApplySet(root, "new.list[0].name=x", label, "case.yaml"), 0);
  assert_string_equal(At(At(root, "new"), "list")->entries[0].value->entries[0].value->value, "x");

  out = Set(root, "cell.positive.thickness", SSB_ERR_INPUT);
  assert_non_null(strstr(out, "case.yaml: error: --set 'cell.positive.thickness': no '='"));
  free(out);
  out = Set(root, "=3", SSB_ERR_INPUT);
  assert_non_null(strstr(out, "--set '=3'"));
  free(out);
  out = Set(root, "experiment.steps[9]=Rest for 1 h", SSB_ERR_INPUT);
  assert_non_null(strstr(out, "test.yaml:6:5: error: --set 'experiment.steps[9]=Rest for 1 h': index 9 is out of range"));
  free(out);
  out = Set(root, "title.x=1", SSB_ERR_INPUT);
  assert_non_null(strstr(out, "--set 'title.x=1': title is not a mapping"));
  free(out);
  out = Set(root, "cell[0]=1", SSB_ERR_INPUT);
  assert_non_null(strstr(out, "cell is not a list"));
  free(out);
  out = Set(root, "cell..x=1", SSB_ERR_INPUT);
  assert_non_null(strstr(out, "empty key"));
  free(out);
  out = Set(root, "steps[x]=1", SSB_ERR_INPUT);
  assert_non_null(strstr(out, "index"));
  free(out);
  out = Set(root, "a.b=[1, 2", SSB_ERR_INPUT);
  assert_non_null(strstr(out, "not valid YAML"));
  free(out);
  SsbYamlNodeDestroy(&root);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_units_convert),
    cmocka_unit_test(test_units_ampere_hour),
    cmocka_unit_test(test_units_errors),
    cmocka_unit_test(test_units_quantity_or_expression),
    cmocka_unit_test(test_did_you_mean),
    cmocka_unit_test(test_steps_good),
    cmocka_unit_test(test_steps_bad),
    cmocka_unit_test(test_yaml_tree_locations),
    cmocka_unit_test(test_yaml_errors),
    cmocka_unit_test(test_yaml_emit_roundtrip),
    cmocka_unit_test(test_set),
  };
  int rc;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  rc = cmocka_run_group_tests_name("case_units", tests, NULL, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscFinalize());
  return rc;
}
