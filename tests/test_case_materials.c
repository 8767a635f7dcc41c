/* test_case_materials.c -- the material library (cases/materials/, argv[1]) through the case reader.

   For every material file: a small case is generated in the working directory that includes the
   file and a helper file with a minimal cell, and SsbCaseRead must accept it (so every material of
   the file is validated by the reader). Then every material the file defines is used in its role
   (--set: the separator's electrolyte, the positive electrode's material, the negative's lithium,
   the stack's end plates for a conductor) and read again, and its functions are evaluated over the stoichiometry window (intercalation) or
   at its concentration (electrolytes): finite, OCP in (0, 6) V, positive diffusivities and
   conductivity, t+ in (0, 1]. Finally the check values written into the files as comments,

     # check: <function>(<x>[, <T>]) = <value>      e.g.  # check: ocp(0.5) = 3.9720
     # check: concentration = <value>

   are compared with the reader's functions (SsbFuncEvalExact; T defaults to 298.15 K) to the
   precision the value is written with (half a unit of its last digit). The last test reads all
   library files in one case: material names must be unique across the library. */
#define _DEFAULT_SOURCE /* realpath; implies POSIX.1-2008 */
#include "case_test_util.h"
#include <ssbsim/ssb_case.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define MAX_FILES 128

static char  library[PATH_MAX];
static char *files[MAX_FILES];
static int   nfiles;

static const char *helpers = "# Helper materials of the case_materials test (generated).\n"
                             "materials:\n"
                             "  ssbtest_li: {kind: lithium_metal, source: test, exchange_current_density: 10, density: 534, molar_mass: 6.941e-3}\n"
                             "  ssbtest_sse: {kind: electrolyte, source: test, conductivity: 0.1, concentration: 10000}\n"
                             "  ssbtest_am: {kind: intercalation, source: test, max_concentration: 50000, ocp: \"4.2 - x\", diffusivity: 1e-14,\n"
                             "               exchange_current_density: 1, stoichiometry_charged: 0.1, stoichiometry_discharged: 0.9}\n";

static void WriteText(const char *path, const char *text)
{
  FILE *fp = fopen(path, "w");
  if (!fp) fail_msg("cannot write %s", path);
  fputs(text, fp);
  fclose(fp);
}

/* A case including the given material files (absolute paths) and the helpers. */
static void WriteCase(const char *path, int n, char **incs)
{
  FILE *fp = fopen(path, "w");
  if (!fp) fail_msg("cannot write %s", path);
  fprintf(fp, "ssbsim: 1\ninclude: [case_materials_helpers.yaml");
  for (int i = 0; i < n; i++) fprintf(fp, ", \"%s/%s\"", library, incs[i]);
  fprintf(fp, "]\n"
              "cell:\n"
              "  area: 1 cm^2\n"
              "  negative: {kind: lithium_metal, material: ssbtest_li, thickness: 40 um}\n"
              "  separator: {electrolyte: ssbtest_sse, thickness: 30 um}\n"
              "  positive:\n"
              "    kind: composite\n"
              "    material: ssbtest_am\n"
              "    thickness: 50 um\n"
              "    volume_fractions: {active: 0.6, electrolyte: 0.4}\n"
              "    particle_radius: 2 um\n"
              "    electronic_conductivity: 1 S/m\n"
              "experiment:\n"
              "  steps: [Discharge at 1C until 2.5 V]\n");
  fclose(fp);
}

static SsbCase *ReadCase(const char *path, int nset, const char **sets, const char *what)
{
  SsbCase         *c = NULL;
  SsbStderrCapture cap;
  PetscErrorCode   ierr;
  char            *out;

  SsbCaptureBegin(&cap);
  ierr = SsbCaseRead(path, nset, (const char *const *)sets, &c);
  out  = SsbCaptureEnd(&cap);
  if (ierr) fail_msg("%s: SsbCaseRead failed (%d):\n%s", what, (int)ierr, out);
  free(out);
  return c;
}

static double Eval(const SsbFunc *f, double x, double T, const char *what)
{
  double v = NAN;
  if (SsbFuncEvalExact(f, x, T, &v)) fail_msg("%s: cannot evaluate at %g", what, x);
  return v;
}

/* Functions of one material: sane over its window (intercalation) or at its concentration. */
static void CheckFunctions(const SsbMaterial *m)
{
  const double T = 298.15;
  char         what[256];

  if (!m->source || !m->source[0]) fail_msg("%s: no source", m->name);
  if (m->kind == SSB_MATERIAL_INTERCALATION) {
    const SsbIntercalation *p  = &m->ins;
    double                  lo = fmin(p->x_charged, p->x_discharged), hi = fmax(p->x_charged, p->x_discharged);
    for (int i = 0; i <= 20; i++) {
      double x = lo + (hi - lo) * i / 20.0, u, d;
      snprintf(what, sizeof what, "%s.ocp", m->name);
      u = Eval(&p->ocp, x, T, what);
      if (!(isfinite(u) && u > 0 && u < 6)) fail_msg("%s: U(%g) = %g V is not in (0, 6) V", m->name, x, u);
      snprintf(what, sizeof what, "%s.diffusivity", m->name);
      d = Eval(&p->diffusivity, x, T, what);
      if (!(isfinite(d) && d > 0)) fail_msg("%s: D(%g) = %g is not positive", m->name, x, d);
      if (p->entropic.kind != SSB_FUNC_NONE) {
        snprintf(what, sizeof what, "%s.entropic_coefficient", m->name);
        d = Eval(&p->entropic, x, T, what);
        if (!(isfinite(d) && fabs(d) < 1e-2)) fail_msg("%s: dU/dT(%g) = %g V/K", m->name, x, d);
      }
    }
  } else if (m->kind == SSB_MATERIAL_ELECTROLYTE) {
    const SsbElectrolyte *p = &m->el;
    double                c = p->concentration, v;
    if (!(c > 0)) fail_msg("%s: concentration %g", m->name, c);
    if (p->conductivity.kind != SSB_FUNC_NONE) {
      v = Eval(&p->conductivity, c, T, m->name);
      if (!(isfinite(v) && v > 0)) fail_msg("%s: conductivity(%g) = %g is not positive", m->name, c, v);
    } else if (p->transport != SSB_TRANSPORT_DISSOCIATION)
      fail_msg("%s: no conductivity", m->name);
    if (p->transport == SSB_TRANSPORT_BINARY) {
      v = Eval(&p->diffusivity, c, T, m->name);
      if (!(isfinite(v) && v > 0)) fail_msg("%s: diffusivity(%g) = %g", m->name, c, v);
      v = Eval(&p->transference_number, c, T, m->name);
      if (!(isfinite(v) && v > 0 && v <= 1)) fail_msg("%s: t+(%g) = %g is not in (0, 1]", m->name, c, v);
    }
    if (p->transport == SSB_TRANSPORT_DISSOCIATION) {
      if (!(p->total_concentration > 0 && p->dissociation_fraction > 0 && p->dissociation_fraction < 1 && p->recombination_rate_constant > 0 && p->cation_diffusivity > 0 && p->anion_diffusivity > 0)) fail_msg("%s: dissociation parameters", m->name);
    } else if (!isnan(p->total_concentration))
      fail_msg("%s: total_concentration set for a non-dissociation electrolyte", m->name);
  } else if (m->kind == SSB_MATERIAL_LITHIUM_METAL) {
    if (!(m->thermal.density > 0 && m->li.molar_mass > 0)) fail_msg("%s: lithium inventory data", m->name);
  } else if (!(m->kind == SSB_MATERIAL_CONDUCTOR && m->electronic_conductivity > 0))
    fail_msg("%s: a conductor needs a positive electronic conductivity", m->name);
}

/* Half a unit of the last digit of a number as written ("3.9720" -> 5e-5, "3.02e-15" -> 5e-18). */
static double WrittenPrecision(const char *s)
{
  const char *dot = NULL, *e = NULL;
  int         ndec = 0, ex = 0;
  for (const char *p = s; *p; p++) {
    if (*p == '.') dot = p;
    if (*p == 'e' || *p == 'E') {
      e = p;
      break;
    }
  }
  if (dot)
    for (const char *p = dot + 1; *p && (!e || p < e) && *p >= '0' && *p <= '9'; p++) ndec++;
  if (e) ex = atoi(e + 1);
  return 0.5 * pow(10.0, ex - ndec) * (1 + 1e-9);
}

static const SsbFunc *FindFunc(const SsbMaterial *m, const char *name)
{
  if (m->kind == SSB_MATERIAL_INTERCALATION) {
    if (!strcmp(name, "ocp")) return &m->ins.ocp;
    if (!strcmp(name, "diffusivity")) return &m->ins.diffusivity;
    if (!strcmp(name, "entropic_coefficient")) return &m->ins.entropic;
  } else if (m->kind == SSB_MATERIAL_ELECTROLYTE) {
    if (!strcmp(name, "conductivity")) return &m->el.conductivity;
    if (!strcmp(name, "diffusivity")) return &m->el.diffusivity;
    if (!strcmp(name, "transference_number")) return &m->el.transference_number;
    if (!strcmp(name, "thermodynamic_factor")) return &m->el.thermodynamic_factor;
  }
  return NULL;
}

/* The "# check:" lines of a file, against the (single) material mat of that file. */
static int CheckValues(const char *path, const SsbMaterial *mat)
{
  FILE *fp = fopen(path, "r");
  char  line[1024];
  int   n = 0;
  if (!fp) fail_msg("cannot open %s", path);
  while (fgets(line, sizeof line, fp)) {
    char  *s = strstr(line, "# check: "), name[64], val[64];
    double x = NAN, T = 298.15, expect, got = NAN, tol;
    if (!s) continue;
    s += 9;
    if (sscanf(s, "%63[a-z_](%lf, %lf) = %63s", name, &x, &T, val) == 4 || sscanf(s, "%63[a-z_](%lf) = %63s", name, &x, val) == 3) {
      const SsbFunc *f = FindFunc(mat, name);
      if (!f || f->kind == SSB_FUNC_NONE) fail_msg("%s: check of '%s': no such function in material %s", path, name, mat->name);
      got = Eval(f, x, T, name);
    } else if (sscanf(s, "%63[a-z_] = %63s", name, val) == 2 && !strcmp(name, "concentration") && mat->kind == SSB_MATERIAL_ELECTROLYTE) {
      got = mat->el.concentration;
    } else
      fail_msg("%s: cannot read the check line '%s'", path, s);
    expect = atof(val);
    tol    = WrittenPrecision(val);
    if (!(fabs(got - expect) <= tol)) fail_msg("%s: %s check %s(%g, T = %g): got %.10g, the file says %s (tolerance %g)", path, mat->name, name, x, T, got, val, tol);
    n++;
  }
  fclose(fp);
  return n;
}

static void test_material_file(void **state)
{
  const char *file = (const char *)*state;
  char        casepath[PATH_MAX + 64], full[2 * PATH_MAX], *incs[1] = {(char *)file};
  SsbCase    *c;
  int         nmine = 0;

  snprintf(casepath, sizeof casepath, "case_materials_%s", file);
  snprintf(full, sizeof full, "%s/%s", library, file);
  WriteCase(casepath, 1, incs);
  c = ReadCase(casepath, 0, NULL, file);
  for (int i = 0; i < c->nmaterials; i++) {
    const SsbMaterial *m = &c->materials[i];
    char               set[SSB_NAME_LEN + 64];
    const char        *sets[1] = {set};
    SsbCase           *d;
    if (strcmp(m->file, full)) continue;
    nmine++;
    CheckFunctions(m);
    if (m->kind == SSB_MATERIAL_CONDUCTOR) { /* plates: the stack thermal model needs all three */
      assert_true(m->electronic_conductivity > 0);
      assert_true(m->thermal.density > 0 && m->thermal.heat_capacity > 0 && m->thermal.thermal_conductivity > 0);
    }
    /* the material in its role */
    if (m->kind == SSB_MATERIAL_ELECTROLYTE)
      snprintf(set, sizeof set, "cell.separator.electrolyte=%s", m->name);
    else if (m->kind == SSB_MATERIAL_INTERCALATION)
      snprintf(set, sizeof set, "cell.positive.material=%s", m->name);
    else if (m->kind == SSB_MATERIAL_CONDUCTOR)
      snprintf(set, sizeof set, "stack.end_plates={material: %s, thickness: 1 mm}", m->name);
    else
      snprintf(set, sizeof set, "cell.negative.material=%s", m->name);
    d = ReadCase(casepath, 1, sets, set);
    assert_int_equal(SsbCaseDestroy(&d), 0);
    if (nmine == 1) {
      int nchecks = CheckValues(full, m);
      printf("%s: material %s, %d check value%s\n", file, m->name, nchecks, nchecks == 1 ? "" : "s");
    }
  }
  if (!nmine) fail_msg("%s defines no material", file);
  assert_int_equal(SsbCaseDestroy(&c), 0);
}

/* Every library file in one case: names are unique across the library. */
static void test_whole_library(void **state)
{
  SsbCase *c;
  WriteCase("case_materials_all.yaml", nfiles, files);
  c = ReadCase("case_materials_all.yaml", 0, NULL, "the whole library");
  assert_true(c->nmaterials >= nfiles + 3);
  printf("library: %d files, %d materials\n", nfiles, c->nmaterials - 3);
  assert_int_equal(SsbCaseDestroy(&c), 0);
}

static int CompareNames(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
  DIR               *dir;
  struct dirent     *ent;
  struct CMUnitTest *tests;
  int                rc;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  if (argc < 2 || !realpath(argv[1], library)) {
    fprintf(stderr, "usage: test_case_materials <cases/materials directory>\n");
    return 1;
  }
  dir = opendir(library);
  if (!dir) return 1;
  while ((ent = readdir(dir)) && nfiles < MAX_FILES) {
    size_t len = strlen(ent->d_name);
    if (len > 5 && !strcmp(ent->d_name + len - 5, ".yaml")) files[nfiles++] = strdup(ent->d_name);
  }
  closedir(dir);
  if (nfiles < 1) {
    fprintf(stderr, "no material files in %s\n", library);
    return 1;
  }
  qsort(files, (size_t)nfiles, sizeof(*files), CompareNames);
  WriteText("case_materials_helpers.yaml", helpers);
  tests = calloc((size_t)nfiles + 1, sizeof(*tests));
  for (int i = 0; i < nfiles; i++) {
    tests[i].name          = files[i];
    tests[i].test_func     = test_material_file;
    tests[i].initial_state = files[i];
  }
  tests[nfiles].name      = "whole_library";
  tests[nfiles].test_func = test_whole_library;
  rc                      = _cmocka_run_group_tests("case_materials", tests, (size_t)nfiles + 1, NULL, NULL);
  for (int i = 0; i < nfiles; i++) free(files[i]);
  free(tests);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscFinalize());
  return rc;
}
