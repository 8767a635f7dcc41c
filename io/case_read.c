/* case_read.c -- SsbCaseRead: the case file (YAML) to an SsbCase in SI units.

   Order: parse the case file into a located tree; resolve `include:` (material files, paths
   relative to the including file, merged into one top-level `materials:` mapping); apply the --set
   overrides; emit the resolved text (case->text); then validate section by section while filling
   the structs. Every key is checked against the keys valid at its level (unknown keys are errors
   with a did-you-mean suggestion), every dimensional value goes through udunits to its SI unit,
   every range is checked at the node that holds the value. The first error is reported as
   file:line:col and SSB_ERR_INPUT is returned; the partial Case is freed. See docs/case-files.md. */
#include "case_internal.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSB_INCLUDE_MAX_DEPTH 16
#define MSG_LEN               1024

typedef struct {
  SsbCase     *c;
  SsbYamlNode *root;
  int          nlabels;
  char       **labels; /* "--set <arg>" location strings of nodes created by --set */
  PetscBool    quiet;  /* no warnings (re-reading the cell for each cell of a stack) */
  /* SsbCaseReadText: the profile files as the original read resolved them, by step ("" or NULL:
     resolve as usual); a restart reads the same files whatever the text's location labels say */
  int                npaths;
  const char *const *paths;
  /* while a stack cell is read: material names that resolve to that cell's own copy */
  int           nalias;
  const char  **alias_name;
  SsbMaterial **alias_mat;
  int          *alias_hits;
} Reader;

/* the largest count of any mesh key, and a bound on a cell's unknowns (the model numbers them in int) */
#define SSB_MESH_MAX          100000
#define SSB_CELL_UNKNOWNS_MAX 100000000

/* SI units and the names of their dimensions used in messages */
#define U_LENGTH    "m", "a length"
#define U_AREA      "m^2", "an area"
#define U_COND      "S/m", "a conductivity"
#define U_CONC      "mol/m^3", "a concentration"
#define U_DIFF      "m^2/s", "a diffusivity"
#define U_CURDENS   "A/m^2", "a current density"
#define U_TEMP      "K", "a temperature"
#define U_TIME      "s", "a time"
#define U_MOLAR_E   "J/mol", "an activation energy"
#define U_DENSITY   "kg/m^3", "a density"
#define U_HEATCAP   "J/(kg K)", "a specific heat capacity"
#define U_THERMCOND "W/(m K)", "a thermal conductivity"
#define U_VOLT      "V", "a voltage"
#define U_ENTROPIC  "V/K", "an entropic coefficient"
#define U_MOLMASS   "kg/mol", "a molar mass"
#define U_SPECCAP   "C/kg", "a specific capacity"
#define U_HTC       "W/(m^2 K)", "a heat transfer coefficient"
#define U_AREARES   "ohm m^2", "an area-specific resistance"
#define U_AREACAP   "F/m^2", "an area-specific capacitance"
#define U_RECOMB    "m^3/(mol s)", "a recombination rate constant"
#define U_PERAREA   "1/m", "a perimeter per area"
#define U_NONE      "1", NULL

/* ---- generic getters -------------------------------------------------------------------------------- */

static const char *Join(char *buf, size_t len, const char *where, const char *key)
{
  if (where && where[0])
    snprintf(buf, len, "%s.%s", where, key);
  else
    snprintf(buf, len, "%s", key);
  return buf;
}

static const char *KindName(const SsbYamlNode *n)
{
  return n->kind == SSB_YAML_MAPPING ? "a mapping" : n->kind == SSB_YAML_SEQUENCE ? "a list"
                                                                                  : "a scalar";
}

static PetscErrorCode ExpectKind(const SsbYamlNode *n, SsbYamlKind kind, const char *name)
{
  PetscFunctionBeginUser;
  if (n->kind != kind) SsbNodeError(n, "%s must be %s, got %s", name[0] ? name : "the case file", kind == SSB_YAML_MAPPING ? "a mapping (key: value)" : kind == SSB_YAML_SEQUENCE ? "a list"
                                                                                                                                                                                  : "a single value",
                                    KindName(n));
  PetscFunctionReturn(0);
}

static int InList(const char *key, const char *const *list)
{
  for (int i = 0; list && list[i]; i++)
    if (!strcmp(key, list[i])) return 1;
  return 0;
}

static void ListText(char *buf, size_t len, const char *const *list)
{
  buf[0] = '\0';
  for (int i = 0; list[i]; i++) {
    if (i) strncat(buf, ", ", len - strlen(buf) - 1);
    strncat(buf, list[i], len - strlen(buf) - 1);
  }
}

/* Unknown keys are errors; keys in `all` but not in `valid` are valid elsewhere at this level (for
   another kind) and get their own message. */
static PetscErrorCode CheckKeys(const SsbYamlNode *map, const char *where, const char *const *valid, const char *const *all, const char *kind_text)
{
  PetscFunctionBeginUser;
  for (int i = 0; i < map->n; i++) {
    const SsbYamlEntry *e = &map->entries[i];
    const char         *s;
    char                list[MSG_LEN];
    if (InList(e->key, valid)) continue;
    if (all && InList(e->key, all)) SsbNodeError(e, "key '%s' does not apply to %s", e->key, kind_text);
    s = SsbDidYouMean(e->key, valid, -1);
    if (s) {
      if (where[0]) SsbNodeError(e, "unknown key '%s' in %s; did you mean '%s'?", e->key, where, s);
      SsbNodeError(e, "unknown top-level key '%s'; did you mean '%s'?", e->key, s);
    }
    ListText(list, sizeof list, valid);
    if (where[0]) SsbNodeError(e, "unknown key '%s' in %s (valid keys: %s)", e->key, where, list);
    SsbNodeError(e, "unknown top-level key '%s' (valid keys: %s)", e->key, list);
  }
  PetscFunctionReturn(0);
}

/* The entry for key, or an error if required and absent, or if present without a value. */
static PetscErrorCode GetEntry(const SsbYamlNode *map, const char *where, const char *key, PetscBool required, const SsbYamlEntry **entry)
{
  const SsbYamlEntry *e = SsbYamlMapFind(map, key);

  PetscFunctionBeginUser;
  *entry = NULL;
  if (!e) {
    if (required) {
      if (where[0]) SsbNodeError(map, "missing required key '%s' in %s", key, where);
      SsbNodeError(map, "missing required top-level key '%s'", key);
    }
    PetscFunctionReturn(0);
  }
  if (SsbYamlIsNull(e->value)) {
    char name[256];
    SsbNodeError(e, "%s has no value", Join(name, sizeof name, where, key));
  }
  *entry = e;
  PetscFunctionReturn(0);
}

static PetscErrorCode GetMapping(const SsbYamlNode *map, const char *where, const char *key, PetscBool required, const SsbYamlNode **node)
{
  const SsbYamlEntry *e;
  char                name[256];

  PetscFunctionBeginUser;
  *node = NULL;
  SsbInCall(GetEntry(map, where, key, required, &e));
  if (!e) PetscFunctionReturn(0);
  SsbInCall(ExpectKind(e->value, SSB_YAML_MAPPING, Join(name, sizeof name, where, key)));
  *node = e->value;
  PetscFunctionReturn(0);
}

/* A scalar value; *node NULL if absent and not required. */
static PetscErrorCode GetScalar(const SsbYamlNode *map, const char *where, const char *key, PetscBool required, const SsbYamlNode **node)
{
  const SsbYamlEntry *e;
  char                name[256];

  PetscFunctionBeginUser;
  *node = NULL;
  SsbInCall(GetEntry(map, where, key, required, &e));
  if (!e) PetscFunctionReturn(0);
  SsbInCall(ExpectKind(e->value, SSB_YAML_SCALAR, Join(name, sizeof name, where, key)));
  *node = e->value;
  PetscFunctionReturn(0);
}

static PetscErrorCode ConvertNode(const SsbYamlNode *n, const char *name, const char *si, const char *dim, double *v)
{
  char msg[MSG_LEN];

  PetscFunctionBeginUser;
  if (SsbUnitsConvert(n->value, si, dim, v, msg, sizeof msg)) SsbNodeError(n, "%s: %s", name, msg);
  PetscFunctionReturn(0);
}

/* A dimensional (or dimensionless, si "1") value converted to SI; def if absent. */
static PetscErrorCode GetQuantity(const SsbYamlNode *map, const char *where, const char *key, const char *si, const char *dim, PetscBool required, double def, double *v, const SsbYamlNode **node)
{
  const SsbYamlNode *n;
  char               name[256];

  PetscFunctionBeginUser;
  if (node) *node = NULL;
  SsbInCall(GetScalar(map, where, key, required, &n));
  if (!n) {
    *v = def;
    PetscFunctionReturn(0);
  }
  SsbInCall(ConvertNode(n, Join(name, sizeof name, where, key), si, dim, v));
  if (node) *node = n;
  PetscFunctionReturn(0);
}

typedef enum { RANGE_ANY = 0,
               RANGE_POSITIVE,
               RANGE_NONNEGATIVE,
               RANGE_UNIT,
               RANGE_OPEN_UNIT } RangeKind;

static PetscErrorCode CheckRange(const SsbYamlNode *n, const char *where, const char *key, double v, RangeKind range)
{
  char name[256];

  PetscFunctionBeginUser;
  if (!n) PetscFunctionReturn(0);
  Join(name, sizeof name, where, key);
  switch (range) {
  case RANGE_POSITIVE:
    if (!(v > 0)) SsbNodeError(n, "%s must be positive, got '%s'", name, n->value);
    break;
  case RANGE_NONNEGATIVE:
    if (!(v >= 0)) SsbNodeError(n, "%s must not be negative, got '%s'", name, n->value);
    break;
  case RANGE_UNIT:
    if (!(v >= 0 && v <= 1)) SsbNodeError(n, "%s must be in [0, 1], got '%s'", name, n->value);
    break;
  case RANGE_OPEN_UNIT:
    if (!(v > 0 && v < 1)) SsbNodeError(n, "%s must be in (0, 1), got '%s'", name, n->value);
    break;
  default:
    break;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode GetRanged(const SsbYamlNode *map, const char *where, const char *key, const char *si, const char *dim, PetscBool required, double def, RangeKind range, double *v)
{
  const SsbYamlNode *n;

  PetscFunctionBeginUser;
  SsbInCall(GetQuantity(map, where, key, si, dim, required, def, v, &n));
  SsbInCall(CheckRange(n, where, key, *v, range));
  PetscFunctionReturn(0);
}

/* A rate constant: its SI unit depends on the transfer coefficient, so only a bare number (SI) is
   accepted. */
static PetscErrorCode GetRateConstant(const SsbYamlNode *map, const char *where, double *v, const SsbYamlNode **node)
{
  const SsbYamlNode *n;

  PetscFunctionBeginUser;
  *v = NAN;
  SsbInCall(GetScalar(map, where, "rate_constant", PETSC_FALSE, &n));
  *node = n;
  if (!n) PetscFunctionReturn(0);
  if (!SsbParseNumber(n->value, v)) SsbNodeError(n, "%s.rate_constant: expected a plain number in SI units (its unit depends on the transfer coefficient), got '%s'", where, n->value);
  if (!(*v > 0)) SsbNodeError(n, "%s.rate_constant must be positive, got '%s'", where, n->value);
  PetscFunctionReturn(0);
}

static PetscErrorCode GetInt(const SsbYamlNode *map, const char *where, const char *key, PetscBool required, long def, long lo, long hi, long *v)
{
  const SsbYamlNode *n;
  double             d;
  char               name[256];

  PetscFunctionBeginUser;
  SsbInCall(GetScalar(map, where, key, required, &n));
  if (!n) {
    *v = def;
    PetscFunctionReturn(0);
  }
  Join(name, sizeof name, where, key);
  if (!SsbParseNumber(n->value, &d) || d != floor(d) || fabs(d) > 1e15) SsbNodeError(n, "%s: expected an integer, got '%s'", name, n->value);
  if (d < (double)lo || d > (double)hi) {
    if (hi >= INT_MAX && d < (double)lo) SsbNodeError(n, "%s must be at least %ld, got '%s'", name, lo, n->value);
    SsbNodeError(n, "%s must be between %ld and %ld, got '%s'", name, lo, hi, n->value);
  }
  *v = (long)d;
  PetscFunctionReturn(0);
}

static PetscErrorCode GetInt32(const SsbYamlNode *map, const char *where, const char *key, PetscBool required, int def, int lo, int hi, int *v)
{
  long l;

  PetscFunctionBeginUser;
  SsbInCall(GetInt(map, where, key, required, def, lo, hi, &l));
  *v = (int)l;
  PetscFunctionReturn(0);
}

/* A string value (points into the tree). */
static PetscErrorCode GetString(const SsbYamlNode *map, const char *where, const char *key, PetscBool required, const char **s, const SsbYamlNode **node)
{
  const SsbYamlNode *n;

  PetscFunctionBeginUser;
  *s = NULL;
  if (node) *node = NULL;
  SsbInCall(GetScalar(map, where, key, required, &n));
  if (!n) PetscFunctionReturn(0);
  *s = n->value;
  if (node) *node = n;
  PetscFunctionReturn(0);
}

/* Optional string that may be empty ("" is allowed, a missing value is not). */
static PetscErrorCode GetStringCopy(const SsbYamlNode *map, const char *where, const char *key, const char *def, char **out)
{
  const SsbYamlEntry *e = SsbYamlMapFind(map, key);
  char                name[256];

  PetscFunctionBeginUser;
  if (!e) {
    PetscCall(PetscStrallocpy(def, out));
    PetscFunctionReturn(0);
  }
  SsbInCall(ExpectKind(e->value, SSB_YAML_SCALAR, Join(name, sizeof name, where, key)));
  PetscCall(PetscStrallocpy(SsbYamlIsNull(e->value) ? "" : e->value->value, out));
  PetscFunctionReturn(0);
}

static PetscErrorCode GetChoice(const SsbYamlNode *map, const char *where, const char *key, const char *const *choices, PetscBool required, int def, int *v, const SsbYamlNode **node)
{
  const SsbYamlNode *n;
  const char        *s;
  char               name[256], list[MSG_LEN];

  PetscFunctionBeginUser;
  if (node) *node = NULL;
  SsbInCall(GetScalar(map, where, key, required, &n));
  if (!n) {
    *v = def;
    PetscFunctionReturn(0);
  }
  if (node) *node = n;
  for (int i = 0; choices[i]; i++)
    if (!strcmp(n->value, choices[i])) {
      *v = i;
      PetscFunctionReturn(0);
    }
  Join(name, sizeof name, where, key);
  ListText(list, sizeof list, choices);
  s = SsbDidYouMean(n->value, choices, -1);
  if (s) SsbNodeError(n, "%s: unknown value '%s'; did you mean '%s'? (one of %s)", name, n->value, s, list);
  SsbNodeError(n, "%s: unknown value '%s' (one of %s)", name, n->value, list);
}

/* ---- material functions -------------------------------------------------------------------------- */

/* Rename the identifier c to x (electrolyte functions are functions of the concentration c, the
   SsbFunc variable is always x); other identifiers (cosh, acos ...) and numbers are left alone. */
static PetscErrorCode RenameConcentration(const char *in, char **out)
{
  size_t n = strlen(in);
  char  *s;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n + 1, &s));
  for (size_t i = 0; i <= n;) {
    unsigned char ch = (unsigned char)in[i];
    if (isalpha(ch) || ch == '_') {
      size_t j = i;
      while (j < n && (isalnum((unsigned char)in[j]) || in[j] == '_')) j++;
      memcpy(s + i, in + i, j - i);
      if (j - i == 1 && in[i] == 'c') s[i] = 'x';
      i = j;
    } else if (isdigit(ch) || (ch == '.' && isdigit((unsigned char)in[i + 1]))) {
      size_t j = i;
      while (j < n && (isdigit((unsigned char)in[j]) || in[j] == '.')) j++;
      if (j < n && (in[j] == 'e' || in[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (in[k] == '+' || in[k] == '-')) k++;
        if (k < n && isdigit((unsigned char)in[k])) {
          j = k;
          while (j < n && isdigit((unsigned char)in[j])) j++;
        }
      }
      memcpy(s + i, in + i, j - i);
      i = j;
    } else {
      s[i] = in[i];
      i++;
    }
  }
  *out = s;
  PetscFunctionReturn(0);
}

static PetscErrorCode SetExpression(const SsbYamlNode *n, const char *name, const char *text, PetscBool conc, double scale, SsbFunc *f)
{
  char          *expr;
  char           msg[MSG_LEN];
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  if (conc)
    PetscCall(RenameConcentration(text, &expr));
  else
    PetscCall(PetscStrallocpy(text, &expr));
  msg[0] = '\0';
  ierr   = SsbFuncCheckExpression(expr, msg, sizeof msg);
  if (ierr) {
    PetscCall(PetscFree(expr));
    if (ierr == SSB_ERR_INPUT) {
      if (conc) SsbNodeError(n, "%s: %s (functions of an electrolyte take the concentration c in mol/m^3, and T)", name, msg);
      SsbNodeError(n, "%s: %s", name, msg);
    }
    PetscCall(ierr);
  }
  f->kind  = SSB_FUNC_EXPRESSION;
  f->expr  = expr;
  f->scale = scale;
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadNumberList(const SsbYamlNode *seq, const char *name, int *n, double *v)
{
  PetscFunctionBeginUser;
  for (int i = 0; i < seq->n; i++) {
    const SsbYamlNode *it = seq->entries[i].value;
    if (it->kind != SSB_YAML_SCALAR || !SsbParseNumber(it->value, &v[i])) SsbNodeError(it, "%s[%d]: expected a plain number, got %s", name, i, it->kind == SSB_YAML_SCALAR ? it->value : KindName(it));
  }
  *n = seq->n;
  PetscFunctionReturn(0);
}

static const char *const func_map_keys[] = {"x", "y", "interpolation", "unit", "expression", NULL};
static const char *const interp_names[]  = {"linear", "pchip", NULL};

/* A material function: number (with or without unit) -> constant; other string -> expression in x
   (or c) and T; mapping -> table {x, y, interpolation, unit} or {expression, unit}. */
static PetscErrorCode GetFunc(const SsbYamlNode *map, const char *where, const char *key, const char *si, const char *dim, PetscBool conc, PetscBool required, PetscBool positive, SsbFunc *f)
{
  const SsbYamlEntry *e;
  const SsbYamlNode  *n;
  char                name[256], msg[MSG_LEN];
  double              scale = 1.0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(f, sizeof(*f)));
  f->scale = 1.0;
  SsbInCall(GetEntry(map, where, key, required, &e));
  if (!e) PetscFunctionReturn(0);
  n = e->value;
  Join(name, sizeof name, where, key);
  if (n->kind == SSB_YAML_SEQUENCE) SsbNodeError(n, "%s: expected a number, an expression or a table {x: [...], y: [...]}, got a list", name);
  if (n->kind == SSB_YAML_SCALAR) {
    double v;
    if (SsbParseNumber(n->value, &v) || SsbUnitsIsQuantity(n->value)) {
      SsbInCall(ConvertNode(n, name, si, dim, &v));
      if (positive && !(v > 0)) SsbNodeError(n, "%s must be positive, got '%s'", name, n->value);
      f->kind  = SSB_FUNC_CONSTANT;
      f->value = v;
      PetscFunctionReturn(0);
    }
    SsbInCall(SetExpression(n, name, n->value, conc, 1.0, f));
    PetscFunctionReturn(0);
  }
  SsbInCall(CheckKeys(n, name, func_map_keys, NULL, NULL));
  {
    const SsbYamlNode *un, *en;
    SsbInCall(GetScalar(n, name, "unit", PETSC_FALSE, &un));
    if (un && SsbUnitsFactor(un->value, si, dim, &scale, msg, sizeof msg)) SsbNodeError(un, "%s.unit: %s", name, msg);
    SsbInCall(GetScalar(n, name, "expression", PETSC_FALSE, &en));
    if (en) {
      const SsbYamlEntry *other = SsbYamlMapFind(n, "x") ? SsbYamlMapFind(n, "x") : SsbYamlMapFind(n, "y") ? SsbYamlMapFind(n, "y")
                                                                                                           : SsbYamlMapFind(n, "interpolation");
      if (other) SsbNodeError(other, "%s: give either 'expression' or a table (x, y, interpolation), not both", name);
      SsbInCall(SetExpression(en, name, en->value, conc, scale, f));
      PetscFunctionReturn(0);
    }
  }
  {
    const SsbYamlEntry *ex, *ey;
    int                 nx, ny, interp;
    SsbInCall(GetEntry(n, name, "x", PETSC_TRUE, &ex));
    SsbInCall(GetEntry(n, name, "y", PETSC_TRUE, &ey));
    SsbInCall(ExpectKind(ex->value, SSB_YAML_SEQUENCE, "a table's x"));
    SsbInCall(ExpectKind(ey->value, SSB_YAML_SEQUENCE, "a table's y"));
    if (ex->value->n != ey->value->n) SsbNodeError(ey->value, "%s: x has %d values but y has %d", name, ex->value->n, ey->value->n);
    if (ex->value->n < 2) SsbNodeError(ex->value, "%s: a table needs at least 2 points", name);
    SsbInCall(GetChoice(n, name, "interpolation", interp_names, PETSC_FALSE, 0, &interp, NULL));
    f->kind   = SSB_FUNC_TABLE;
    f->interp = interp == 1 ? SSB_INTERP_PCHIP : SSB_INTERP_LINEAR;
    PetscCall(PetscMalloc2(ex->value->n, &f->x, ex->value->n, &f->y));
    f->n = ex->value->n;
    {
      char nm[300];
      snprintf(nm, sizeof nm, "%s.x", name);
      SsbInCall(ReadNumberList(ex->value, nm, &nx, f->x));
      snprintf(nm, sizeof nm, "%s.y", name);
      SsbInCall(ReadNumberList(ey->value, nm, &ny, f->y));
    }
    for (int i = 1; i < nx; i++)
      if (!(f->x[i] > f->x[i - 1])) SsbNodeError(ex->value->entries[i].value, "%s.x must be strictly increasing: x[%d] = %g follows %g", name, i, f->x[i], f->x[i - 1]);
    for (int i = 0; i < ny; i++) {
      f->y[i] *= scale;
      if (positive && !(f->y[i] > 0)) SsbNodeError(ey->value->entries[i].value, "%s.y[%d] must be positive", name, i);
    }
    f->scale = 1.0; /* the unit is applied to y above */
  }
  PetscFunctionReturn(0);
}

/* ---- materials -------------------------------------------------------------------------------------- */

static const char *const material_kinds[] = {"intercalation", "lithium_metal", "electrolyte", "conductor", NULL};
static const char *const transports[]     = {"single_ion", "binary", "dissociation", NULL};

static const char *const keys_intercalation[] = {"kind", "source", "max_concentration", "ocp", "entropic_coefficient", "diffusivity", "diffusivity_activation_energy", "electron_diffusivity", "rate_constant", "exchange_current_density", "exchange_current_stoichiometry", "transfer_coefficient", "kinetics_activation_energy", "electronic_conductivity", "stoichiometry_charged", "stoichiometry_discharged", "specific_capacity", "density", "heat_capacity", "thermal_conductivity", NULL};
static const char *const keys_lithium[]       = {"kind", "source", "exchange_current_density", "rate_constant", "transfer_coefficient", "kinetics_activation_energy", "density", "molar_mass", "ocp", "heat_capacity", "thermal_conductivity", NULL};
static const char *const keys_electrolyte[]   = {"kind", "source", "transport", "conductivity", "conductivity_activation_energy", "concentration", "electronic_conductivity", "diffusivity", "transference_number", "thermodynamic_factor", "diffusivity_activation_energy", "total_concentration", "dissociation_fraction", "recombination_rate_constant", "cation_diffusivity", "anion_diffusivity", "relative_permittivity", "site_concentration", "density", "heat_capacity", "thermal_conductivity", NULL};
static const char *const keys_conductor[]     = {"kind", "source", "electronic_conductivity", "density", "heat_capacity", "thermal_conductivity", NULL};
static const char *const keys_material_all[]  = {"kind", "source", "max_concentration", "ocp", "entropic_coefficient", "diffusivity", "diffusivity_activation_energy", "electron_diffusivity", "rate_constant", "exchange_current_density", "exchange_current_stoichiometry", "transfer_coefficient", "kinetics_activation_energy", "electronic_conductivity", "stoichiometry_charged", "stoichiometry_discharged", "specific_capacity", "density", "heat_capacity", "thermal_conductivity", "molar_mass", "transport", "conductivity", "conductivity_activation_energy", "concentration", "transference_number", "thermodynamic_factor", "total_concentration", "dissociation_fraction", "recombination_rate_constant", "cation_diffusivity", "anion_diffusivity", "relative_permittivity", "site_concentration", NULL};
/* keys of one electrolyte transport law only */
static const char *const keys_dissociation[] = {"total_concentration", "dissociation_fraction", "recombination_rate_constant", "cation_diffusivity", "anion_diffusivity", NULL};
static const char *const keys_salt_funcs[]   = {"diffusivity", "transference_number", "thermodynamic_factor", NULL};

/* i0 is given either directly or through a rate constant, never both. */
static PetscErrorCode GetKinetics(const SsbYamlNode *m, const char *where, double *i0, double *k)
{
  const SsbYamlNode *ni = NULL, *nk = NULL;

  PetscFunctionBeginUser;
  SsbInCall(GetQuantity(m, where, "exchange_current_density", U_CURDENS, PETSC_FALSE, NAN, i0, &ni));
  SsbInCall(CheckRange(ni, where, "exchange_current_density", *i0, RANGE_POSITIVE));
  SsbInCall(GetRateConstant(m, where, k, &nk));
  if (ni && nk) SsbNodeError(nk, "%s: give either exchange_current_density or rate_constant, not both", where);
  if (!ni && !nk) SsbNodeError(m, "%s: the kinetics need exchange_current_density or rate_constant", where);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadMaterial(Reader *r, const SsbYamlEntry *entry, SsbMaterial *mat)
{
  const SsbYamlNode *m = entry->value;
  const SsbYamlNode *sn;
  const char        *src;
  char               where[SSB_NAME_LEN + 16];
  int                kind;

  PetscFunctionBeginUser;
  if (strlen(entry->key) >= SSB_NAME_LEN) SsbNodeError(entry, "material name '%s' is too long (at most %d characters)", entry->key, SSB_NAME_LEN - 1);
  if (!entry->key[0]) SsbNodeError(entry, "empty material name");
  snprintf(mat->name, sizeof mat->name, "%s", entry->key);
  mat->file = r->c->files[0];
  for (int i = 0; i < r->c->nfiles; i++)
    if (entry->file == r->c->files[i]) mat->file = r->c->files[i];
  mat->line = entry->line;
  snprintf(where, sizeof where, "materials.%s", entry->key);
  SsbInCall(ExpectKind(m, SSB_YAML_MAPPING, where));
  SsbInCall(GetChoice(m, where, "kind", material_kinds, PETSC_TRUE, 0, &kind, NULL));
  mat->kind = (SsbMaterialKind)kind;
  {
    const char *const *valid = kind == SSB_MATERIAL_INTERCALATION ? keys_intercalation : kind == SSB_MATERIAL_LITHIUM_METAL ? keys_lithium
                                                                                       : kind == SSB_MATERIAL_ELECTROLYTE   ? keys_electrolyte
                                                                                                                            : keys_conductor;
    char               kt[64];
    snprintf(kt, sizeof kt, "a material of kind %s", material_kinds[kind]);
    SsbInCall(CheckKeys(m, where, valid, keys_material_all, kt));
  }
  SsbInCall(GetString(m, where, "source", PETSC_TRUE, &src, &sn));
  if (!src[0]) SsbNodeError(sn, "%s.source must name where the data come from (a citation)", where);
  PetscCall(PetscStrallocpy(src, &mat->source));
  SsbInCall(GetRanged(m, where, "density", U_DENSITY, kind == SSB_MATERIAL_LITHIUM_METAL, NAN, RANGE_POSITIVE, &mat->thermal.density));
  SsbInCall(GetRanged(m, where, "heat_capacity", U_HEATCAP, PETSC_FALSE, NAN, RANGE_POSITIVE, &mat->thermal.heat_capacity));
  SsbInCall(GetRanged(m, where, "thermal_conductivity", U_THERMCOND, PETSC_FALSE, NAN, RANGE_POSITIVE, &mat->thermal.thermal_conductivity));
  mat->electronic_conductivity = NAN;

  if (mat->kind == SSB_MATERIAL_CONDUCTOR) {
    SsbInCall(GetRanged(m, where, "electronic_conductivity", U_COND, PETSC_TRUE, NAN, RANGE_POSITIVE, &mat->electronic_conductivity));
  } else if (mat->kind == SSB_MATERIAL_INTERCALATION) {
    SsbIntercalation  *p = &mat->ins;
    const SsbYamlNode *nc, *nd;
    SsbInCall(GetRanged(m, where, "max_concentration", U_CONC, PETSC_TRUE, NAN, RANGE_POSITIVE, &p->c_max));
    SsbInCall(GetFunc(m, where, "ocp", U_VOLT, PETSC_FALSE, PETSC_TRUE, PETSC_FALSE, &p->ocp));
    SsbInCall(GetFunc(m, where, "entropic_coefficient", U_ENTROPIC, PETSC_FALSE, PETSC_FALSE, PETSC_FALSE, &p->entropic));
    SsbInCall(GetFunc(m, where, "diffusivity", U_DIFF, PETSC_FALSE, PETSC_TRUE, PETSC_TRUE, &p->diffusivity));
    SsbInCall(GetQuantity(m, where, "diffusivity_activation_energy", U_MOLAR_E, PETSC_FALSE, 0.0, &p->diffusivity_Ea, NULL));
    SsbInCall(GetRanged(m, where, "electron_diffusivity", U_DIFF, PETSC_FALSE, NAN, RANGE_POSITIVE, &p->electron_diffusivity));
    SsbInCall(GetKinetics(m, where, &p->exchange_current_density, &p->rate_constant));
    SsbInCall(GetRanged(m, where, "exchange_current_stoichiometry", U_NONE, PETSC_FALSE, 0.5, RANGE_OPEN_UNIT, &p->exchange_current_stoichiometry));
    SsbInCall(GetRanged(m, where, "transfer_coefficient", U_NONE, PETSC_FALSE, 0.5, RANGE_OPEN_UNIT, &p->transfer_coefficient));
    SsbInCall(GetQuantity(m, where, "kinetics_activation_energy", U_MOLAR_E, PETSC_FALSE, 0.0, &p->kinetics_Ea, NULL));
    SsbInCall(GetRanged(m, where, "electronic_conductivity", U_COND, PETSC_FALSE, NAN, RANGE_POSITIVE, &p->electronic_conductivity));
    SsbInCall(GetQuantity(m, where, "stoichiometry_charged", U_NONE, PETSC_TRUE, NAN, &p->x_charged, &nc));
    SsbInCall(CheckRange(nc, where, "stoichiometry_charged", p->x_charged, RANGE_UNIT));
    SsbInCall(GetQuantity(m, where, "stoichiometry_discharged", U_NONE, PETSC_TRUE, NAN, &p->x_discharged, &nd));
    SsbInCall(CheckRange(nd, where, "stoichiometry_discharged", p->x_discharged, RANGE_UNIT));
    if (p->x_charged == p->x_discharged) SsbNodeError(nd, "%s: stoichiometry_charged and stoichiometry_discharged must differ", where);
    SsbInCall(GetRanged(m, where, "specific_capacity", U_SPECCAP, PETSC_FALSE, NAN, RANGE_POSITIVE, &p->specific_capacity));
  } else if (mat->kind == SSB_MATERIAL_LITHIUM_METAL) {
    SsbLithiumMetal *p = &mat->li;
    SsbInCall(GetKinetics(m, where, &p->exchange_current_density, &p->rate_constant));
    SsbInCall(GetRanged(m, where, "transfer_coefficient", U_NONE, PETSC_FALSE, 0.5, RANGE_OPEN_UNIT, &p->transfer_coefficient));
    SsbInCall(GetQuantity(m, where, "kinetics_activation_energy", U_MOLAR_E, PETSC_FALSE, 0.0, &p->kinetics_Ea, NULL));
    SsbInCall(GetRanged(m, where, "molar_mass", U_MOLMASS, PETSC_TRUE, NAN, RANGE_POSITIVE, &p->molar_mass));
    {
      const SsbYamlNode *on;
      SsbInCall(GetQuantity(m, where, "ocp", U_VOLT, PETSC_FALSE, 0.0, &p->ocp, &on));
      if (on && !(fabs(p->ocp) < 5)) SsbNodeError(on, "%s.ocp: a lithium_metal (or two-phase alloy) electrode's potential vs Li/Li+ must be a constant between -5 and 5 V", where);
    }
  } else {
    SsbElectrolyte *p = &mat->el;
    int             tr;
    PetscBool       binary, dissociation;
    SsbInCall(GetChoice(m, where, "transport", transports, PETSC_FALSE, 0, &tr, NULL));
    p->transport = (SsbTransport)tr;
    binary       = p->transport == SSB_TRANSPORT_BINARY ? PETSC_TRUE : PETSC_FALSE;
    dissociation = p->transport == SSB_TRANSPORT_DISSOCIATION ? PETSC_TRUE : PETSC_FALSE;
    for (int i = 0; i < m->n; i++) {
      const SsbYamlEntry *e = &m->entries[i];
      if (!dissociation && InList(e->key, keys_dissociation)) SsbNodeError(e, "key '%s' does not apply to a %s electrolyte (only to transport: dissociation)", e->key, transports[tr]);
      if (dissociation && InList(e->key, keys_salt_funcs)) SsbNodeError(e, "key '%s' does not apply to a dissociation electrolyte (its salt diffusivity and transference number follow from cation_diffusivity and anion_diffusivity)", e->key);
    }
    SsbInCall(GetFunc(m, where, "conductivity", U_COND, PETSC_TRUE, dissociation ? PETSC_FALSE : PETSC_TRUE, PETSC_TRUE, &p->conductivity));
    SsbInCall(GetQuantity(m, where, "conductivity_activation_energy", U_MOLAR_E, PETSC_FALSE, 0.0, &p->conductivity_Ea, NULL));
    SsbInCall(GetRanged(m, where, "electronic_conductivity", U_COND, PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &p->electronic_conductivity));
    SsbInCall(GetFunc(m, where, "diffusivity", U_DIFF, PETSC_TRUE, binary, PETSC_TRUE, &p->diffusivity));
    SsbInCall(GetFunc(m, where, "transference_number", U_NONE, PETSC_TRUE, binary, PETSC_FALSE, &p->transference_number));
    SsbInCall(GetFunc(m, where, "thermodynamic_factor", U_NONE, PETSC_TRUE, PETSC_FALSE, PETSC_TRUE, &p->thermodynamic_factor));
    if (binary && p->thermodynamic_factor.kind == SSB_FUNC_NONE) {
      p->thermodynamic_factor.kind  = SSB_FUNC_CONSTANT;
      p->thermodynamic_factor.value = 1.0;
    }
    if (p->transference_number.kind == SSB_FUNC_CONSTANT && !(p->transference_number.value > 0 && p->transference_number.value <= 1)) {
      const SsbYamlEntry *e = SsbYamlMapFind(m, "transference_number");
      SsbNodeError(e->value, "%s.transference_number must be in (0, 1], got '%s'", where, e->value->value);
    }
    SsbInCall(GetQuantity(m, where, "diffusivity_activation_energy", U_MOLAR_E, PETSC_FALSE, 0.0, &p->diffusivity_Ea, NULL));
    /* dissociation law (Danilov 2011): required for it, NaN otherwise */
    SsbInCall(GetRanged(m, where, "total_concentration", U_CONC, dissociation, NAN, RANGE_POSITIVE, &p->total_concentration));
    SsbInCall(GetRanged(m, where, "dissociation_fraction", U_NONE, dissociation, NAN, RANGE_OPEN_UNIT, &p->dissociation_fraction));
    SsbInCall(GetRanged(m, where, "recombination_rate_constant", U_RECOMB, dissociation, NAN, RANGE_POSITIVE, &p->recombination_rate_constant));
    SsbInCall(GetRanged(m, where, "cation_diffusivity", U_DIFF, dissociation, NAN, RANGE_POSITIVE, &p->cation_diffusivity));
    SsbInCall(GetRanged(m, where, "anion_diffusivity", U_DIFF, dissociation, NAN, RANGE_POSITIVE, &p->anion_diffusivity));
    /* mobile Li+: required, except for dissociation where it defaults to delta a0 */
    SsbInCall(GetRanged(m, where, "concentration", U_CONC, dissociation ? PETSC_FALSE : PETSC_TRUE, dissociation ? p->dissociation_fraction * p->total_concentration : NAN, RANGE_POSITIVE, &p->concentration));
    /* space-charge layers and coatings (docs/space-charge.md): optional here, required by the interfaces that use them */
    SsbInCall(GetRanged(m, where, "relative_permittivity", U_NONE, PETSC_FALSE, NAN, RANGE_POSITIVE, &p->relative_permittivity));
    SsbInCall(GetRanged(m, where, "site_concentration", U_CONC, PETSC_FALSE, NAN, RANGE_POSITIVE, &p->site_concentration));
    if (!isnan(p->site_concentration) && !(p->site_concentration > p->concentration)) {
      const SsbYamlEntry *e = SsbYamlMapFind(m, "site_concentration");
      SsbNodeError(e->value, "%s.site_concentration (%g mol/m^3) must exceed the mobile Li+ concentration (%g mol/m^3)", where, p->site_concentration, p->concentration);
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadMaterials(Reader *r)
{
  const SsbYamlNode *mats;

  PetscFunctionBeginUser;
  SsbInCall(GetMapping(r->root, "", "materials", PETSC_FALSE, &mats));
  if (!mats || !mats->n) PetscFunctionReturn(0);
  PetscCall(PetscCalloc1(mats->n, &r->c->materials));
  r->c->nmaterials = mats->n;
  for (int i = 0; i < mats->n; i++) SsbInCall(ReadMaterial(r, &mats->entries[i], &r->c->materials[i]));
  PetscFunctionReturn(0);
}

/* A material named at node n of the given kind. */
static PetscErrorCode LookupMaterial(Reader *r, const SsbYamlNode *n, const char *name, SsbMaterialKind kind, const char *role, const SsbMaterial **out)
{
  const SsbMaterial *m = SsbCaseFindMaterial(r->c, n->value);

  PetscFunctionBeginUser;
  for (int i = 0; i < r->nalias; i++) /* a stack cell with its own copy of this material */
    if (!strcmp(n->value, r->alias_name[i])) {
      m = r->alias_mat[i];
      r->alias_hits[i]++;
    }
  if (!m) {
    const char **names;
    const char  *s;
    PetscCall(PetscCalloc1(r->c->nmaterials + 1, &names));
    for (int i = 0; i < r->c->nmaterials; i++) names[i] = r->c->materials[i].name;
    s = SsbDidYouMean(n->value, names, r->c->nmaterials);
    if (s) {
      char sug[SSB_NAME_LEN];
      snprintf(sug, sizeof sug, "%s", s);
      PetscCall(PetscFree(names));
      SsbNodeError(n, "%s: unknown material '%s'; did you mean '%s'?", name, n->value, sug);
    }
    PetscCall(PetscFree(names));
    SsbNodeError(n, "%s: unknown material '%s' (%s; include the material file that defines it)", name, n->value, r->c->nmaterials ? "not defined in any included file" : "no materials are defined");
  }
  if (m->kind != kind) SsbNodeError(n, "%s: %s needs a material of kind %s, but '%s' (%s:%d) is of kind %s", name, role, material_kinds[kind], m->name, m->file, m->line, material_kinds[m->kind]);
  *out = m;
  PetscFunctionReturn(0);
}

/* ---- cell -------------------------------------------------------------------------------------------- */

static const char *const electrode_kinds[]      = {"lithium_metal", "composite", "dense", NULL};
static const char *const keys_electrode_all[]   = {"kind", "material", "electrolyte", "thickness", "volume_fractions", "particle_radius", "electronic_conductivity", "bruggeman_exponent", "initial_stoichiometry", "conductive_density", NULL};
static const char *const keys_electrode_li[]    = {"kind", "material", "thickness", NULL};
static const char *const keys_electrode_dense[] = {"kind", "material", "thickness", "electronic_conductivity", "initial_stoichiometry", NULL};
static const char *const keys_fractions[]       = {"active", "electrolyte", "conductive", NULL};
/* composite-only keys: a dense electrode is a film of active material only */
static const char *const keys_composite_only[] = {"volume_fractions", "particle_radius", "bruggeman_exponent", "electrolyte", "conductive_density", NULL};

static PetscErrorCode ReadElectrode(Reader *r, const SsbYamlNode *cell, const char *key, const SsbCell *cl, SsbElectrode *e)
{
  const SsbYamlNode *m, *n;
  char               where[64], kt[64], name[128];
  int                kind;

  PetscFunctionBeginUser;
  snprintf(where, sizeof where, "cell.%s", key);
  SsbInCall(GetMapping(cell, "cell", key, PETSC_TRUE, &m));
  SsbInCall(GetChoice(m, where, "kind", electrode_kinds, PETSC_TRUE, 0, &kind, NULL));
  e->kind = (SsbElectrodeKind)kind;
  snprintf(kt, sizeof kt, "a %s electrode", electrode_kinds[kind]);
  if (e->kind == SSB_ELECTRODE_DENSE)
    for (int i = 0; i < m->n; i++)
      if (InList(m->entries[i].key, keys_composite_only))
        SsbNodeError(&m->entries[i], "%s: key '%s' is not used by a dense electrode (a dense electrode is a film of active material only: Li diffuses across its thickness and reacts at its face to the separator; use kind: composite for particles in an electrolyte)", where, m->entries[i].key);
  SsbInCall(CheckKeys(m, where, kind == 0 ? keys_electrode_li : kind == 1 ? keys_electrode_all
                                                                          : keys_electrode_dense,
                      keys_electrode_all, kt));
  SsbInCall(GetScalar(m, where, "material", PETSC_TRUE, &n));
  SsbInCall(LookupMaterial(r, n, Join(name, sizeof name, where, "material"), e->kind == SSB_ELECTRODE_LITHIUM_METAL ? SSB_MATERIAL_LITHIUM_METAL : SSB_MATERIAL_INTERCALATION, kt, &e->material));
  e->electrolyte = cl->sep.electrolyte;
  SsbInCall(GetScalar(m, where, "electrolyte", PETSC_FALSE, &n));
  if (n) SsbInCall(LookupMaterial(r, n, Join(name, sizeof name, where, "electrolyte"), SSB_MATERIAL_ELECTROLYTE, "the electrolyte of an electrode", &e->electrolyte));
  SsbInCall(GetRanged(m, where, "thickness", U_LENGTH, PETSC_TRUE, NAN, kind == SSB_ELECTRODE_LITHIUM_METAL ? RANGE_NONNEGATIVE : RANGE_POSITIVE, &e->thickness));
  SsbInCall(GetRanged(m, where, "bruggeman_exponent", U_NONE, PETSC_FALSE, 1.5, RANGE_NONNEGATIVE, &e->bruggeman));
  SsbInCall(GetRanged(m, where, "initial_stoichiometry", U_NONE, PETSC_FALSE, NAN, RANGE_UNIT, &e->initial_stoichiometry));
  e->eps_active              = 1.0;
  e->eps_electrolyte         = 0.0;
  e->eps_conductive          = 0.0;
  e->particle_radius         = NAN;
  e->electronic_conductivity = NAN;
  e->conductive_density      = NAN;
  if (e->kind == SSB_ELECTRODE_COMPOSITE) {
    const SsbYamlNode *vf;
    char               vw[96];
    double             sum;
    snprintf(vw, sizeof vw, "%s.volume_fractions", where);
    SsbInCall(GetMapping(m, where, "volume_fractions", PETSC_TRUE, &vf));
    SsbInCall(CheckKeys(vf, vw, keys_fractions, NULL, NULL));
    SsbInCall(GetQuantity(vf, vw, "active", U_NONE, PETSC_TRUE, NAN, &e->eps_active, &n));
    SsbInCall(CheckRange(n, vw, "active", e->eps_active, RANGE_UNIT));
    if (!(e->eps_active > 0)) SsbNodeError(n, "%s.active must be positive", vw);
    SsbInCall(GetQuantity(vf, vw, "electrolyte", U_NONE, PETSC_TRUE, NAN, &e->eps_electrolyte, &n));
    SsbInCall(CheckRange(n, vw, "electrolyte", e->eps_electrolyte, RANGE_UNIT));
    if (!(e->eps_electrolyte > 0)) SsbNodeError(n, "%s.electrolyte must be positive (ions must get through)", vw);
    SsbInCall(GetQuantity(vf, vw, "conductive", U_NONE, PETSC_FALSE, 0.0, &e->eps_conductive, &n));
    SsbInCall(CheckRange(n, vw, "conductive", e->eps_conductive, RANGE_UNIT));
    sum = e->eps_active + e->eps_electrolyte + e->eps_conductive;
    if (fabs(sum - 1.0) > 1e-6) SsbNodeError(vf, "%s must sum to 1 (within 1e-6), got %.9g", vw, sum);
    SsbInCall(GetRanged(m, where, "particle_radius", U_LENGTH, PETSC_TRUE, NAN, RANGE_POSITIVE, &e->particle_radius));
    SsbInCall(GetRanged(m, where, "conductive_density", U_DENSITY, PETSC_FALSE, NAN, RANGE_NONNEGATIVE, &e->conductive_density));
  }
  if (e->kind != SSB_ELECTRODE_LITHIUM_METAL) {
    SsbInCall(GetRanged(m, where, "electronic_conductivity", U_COND, PETSC_FALSE, e->material->ins.electronic_conductivity, RANGE_POSITIVE, &e->electronic_conductivity));
    if (isnan(e->electronic_conductivity)) SsbNodeError(m, "%s: electronic_conductivity is not given and material '%s' (%s:%d) has none", where, e->material->name, e->material->file, e->material->line);
  }
  PetscFunctionReturn(0);
}

static const char *const keys_cell[]       = {"area", "negative", "separator", "positive", "interfaces", "initial_soc", "series_resistance", "geometric_capacitance", NULL};
static const char *const keys_separator[]  = {"electrolyte", "thickness", NULL};
static const char *const keys_interfaces[] = {"negative", "positive", NULL};
static const char *const keys_interface[]  = {"double_layer_capacitance", "film_resistance", "space_charge", "space_charge_step", "coating", NULL};
static const char *const keys_coating[]    = {"material", "thickness", NULL};
static const char *const scl_kinds[]       = {"none", "compact", "resolved", NULL};

/* The electrolyte next to the interface of side `which` (0 negative, 1 positive): a composite's own
   (default the separator's), the separator's for a planar face. */
static const SsbMaterial *InterfaceElectrolyte(const SsbCell *cl, int which)
{
  const SsbElectrode *e = which ? &cl->pos : &cl->neg;
  return e->kind == SSB_ELECTRODE_COMPOSITE && e->electrolyte ? e->electrolyte : cl->sep.electrolyte;
}

/* cell.interfaces.negative / .positive into cl->ifc_neg / ifc_pos (defaults 0, 0, none). compact
   space charge needs space_charge_step and the permittivity of a single-ion electrolyte; a coating
   needs compact or resolved and an electrolyte material with a permittivity; resolved only at a
   planar face and without a parallel double layer (errors, not silent fallbacks). */
static PetscErrorCode ReadInterfaces(Reader *r, const SsbYamlNode *cell, SsbCell *cl)
{
  const SsbYamlNode *ifs;

  PetscFunctionBeginUser;
  cl->ifc_neg = cl->ifc_pos = (SsbInterfaceSpec){0.0, 0.0, SSB_SPACE_CHARGE_NONE, NULL, NULL, 0.0};
  SsbInCall(GetMapping(cell, "cell", "interfaces", PETSC_FALSE, &ifs));
  if (!ifs) PetscFunctionReturn(0);
  SsbInCall(CheckKeys(ifs, "cell.interfaces", keys_interfaces, NULL, NULL));
  for (int i = 0; i < ifs->n; i++) {
    const SsbYamlNode  *f     = ifs->entries[i].value, *co, *n, *sn;
    const int           which = !strcmp(ifs->entries[i].key, "negative") ? 0 : 1;
    SsbInterfaceSpec   *is    = which == 0 ? &cl->ifc_neg : &cl->ifc_pos;
    const SsbElectrode *e     = which == 0 ? &cl->neg : &cl->pos;
    const SsbMaterial  *el    = InterfaceElectrolyte(cl, which);
    const SsbYamlEntry *se;
    char                w[64], cw[80];
    int                 scl;
    const char         *s;
    snprintf(w, sizeof w, "cell.interfaces.%s", ifs->entries[i].key);
    SsbInCall(ExpectKind(f, SSB_YAML_MAPPING, w));
    SsbInCall(CheckKeys(f, w, keys_interface, NULL, NULL));
    SsbInCall(GetRanged(f, w, "double_layer_capacitance", U_AREACAP, PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &is->double_layer_capacitance));
    SsbInCall(GetRanged(f, w, "film_resistance", U_AREARES, PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &is->film_resistance));
    SsbInCall(GetChoice(f, w, "space_charge", scl_kinds, PETSC_FALSE, 0, &scl, &sn));
    is->space_charge = (SsbSpaceCharge)scl;
    se               = SsbYamlMapFind(f, "space_charge_step");
    if (scl == SSB_SPACE_CHARGE_RESOLVED && e->kind == SSB_ELECTRODE_COMPOSITE)
      SsbNodeError(sn, "%s.space_charge 'resolved' is solved only at a planar interface (a lithium_metal or dense electrode's face); the %s electrode is a composite (particle surfaces): use 'compact' or 'none'", w, which ? "positive" : "negative");
    if (scl == SSB_SPACE_CHARGE_RESOLVED && is->double_layer_capacitance > 0)
      SsbNodeError(sn, "%s.space_charge 'resolved' resolves the charge at the interface itself; remove double_layer_capacitance (a parallel double layer is not combined with it)", w);
    if (scl == SSB_SPACE_CHARGE_NONE && se) SsbNodeError(se, "%s.space_charge_step applies only with space_charge: compact or resolved", w);
    if (scl != SSB_SPACE_CHARGE_NONE) {
      SsbFunc    *fn;
      const char *mode = scl == SSB_SPACE_CHARGE_COMPACT ? "compact" : "resolved";
      if (!se) SsbNodeError(sn, "%s.space_charge '%s' needs space_charge_step (V, the equilibrium potential step of the layer as a function of the electrode's stoichiometry x)", w, mode);
      if (el->el.transport != SSB_TRANSPORT_SINGLE_ION) SsbNodeError(sn, "%s.space_charge '%s' needs a single_ion electrolyte (a fixed anion lattice); electrolyte '%s' (%s:%d) is not", w, mode, el->name, el->file, el->line);
      if (isnan(el->el.relative_permittivity)) SsbNodeError(sn, "%s.space_charge '%s' needs the relative_permittivity of electrolyte '%s' (%s:%d), which it does not give", w, mode, el->name, el->file, el->line);
      PetscCall(PetscRealloc(sizeof(SsbFunc *) * (r->c->nfuncs + 1), &r->c->funcs));
      PetscCall(PetscCalloc1(1, &fn));
      r->c->funcs[r->c->nfuncs++] = fn;
      SsbInCall(GetFunc(f, w, "space_charge_step", U_VOLT, PETSC_FALSE, PETSC_TRUE, PETSC_FALSE, fn));
      if (e->kind == SSB_ELECTRODE_LITHIUM_METAL && fn->kind != SSB_FUNC_CONSTANT) SsbNodeError(se->value, "%s.space_charge_step: a lithium_metal electrode has no stoichiometry; give a number (V)", w);
      is->scl_step = fn;
    }
    SsbInCall(GetMapping(f, w, "coating", PETSC_FALSE, &co));
    if (co) {
      const SsbYamlEntry *ce = SsbYamlMapFind(f, "coating");
      snprintf(cw, sizeof cw, "%s.coating", w);
      if (scl == SSB_SPACE_CHARGE_NONE) SsbNodeError(ce, "%s is solved only together with space_charge: compact or resolved (its dielectric capacitance takes part of the layer's step)", cw);
      SsbInCall(CheckKeys(co, cw, keys_coating, NULL, NULL));
      SsbInCall(GetString(co, cw, "material", PETSC_TRUE, &s, &n));
      {
        char mw[96];
        snprintf(mw, sizeof mw, "%s.material", cw);
        SsbInCall(LookupMaterial(r, n, mw, SSB_MATERIAL_ELECTROLYTE, "a coating", &is->coating));
      }
      if (isnan(is->coating->el.relative_permittivity)) SsbNodeError(n, "%s.material '%s' (%s:%d) gives no relative_permittivity (the coating's dielectric capacitance needs it)", cw, is->coating->name, is->coating->file, is->coating->line);
      if (is->coating->el.transport == SSB_TRANSPORT_SINGLE_ION && is->coating->el.conductivity.kind == SSB_FUNC_NONE) SsbNodeError(n, "%s.material '%s' gives no conductivity (the coating's ionic resistance needs it)", cw, is->coating->name);
      SsbInCall(GetRanged(co, cw, "thickness", U_LENGTH, PETSC_TRUE, NAN, RANGE_POSITIVE, &is->coating_thickness));
    }
  }
  PetscFunctionReturn(0);
}

/* The `cell` mapping (the case's, or a stack cell's copy with its overrides) into cl. */
static PetscErrorCode ReadCellNode(Reader *r, const SsbYamlNode *cell, SsbCell *cl)
{
  const SsbYamlNode *sep, *n;

  PetscFunctionBeginUser;
  SsbInCall(CheckKeys(cell, "cell", keys_cell, NULL, NULL));
  SsbInCall(GetRanged(cell, "cell", "area", U_AREA, PETSC_TRUE, NAN, RANGE_POSITIVE, &cl->area));
  SsbInCall(GetRanged(cell, "cell", "initial_soc", U_NONE, PETSC_FALSE, 1.0, RANGE_UNIT, &cl->initial_soc));
  SsbInCall(GetRanged(cell, "cell", "series_resistance", U_AREARES, PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &cl->series_resistance));
  SsbInCall(GetRanged(cell, "cell", "geometric_capacitance", U_AREACAP, PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &cl->geometric_capacitance));
  SsbInCall(GetMapping(cell, "cell", "separator", PETSC_TRUE, &sep));
  SsbInCall(CheckKeys(sep, "cell.separator", keys_separator, NULL, NULL));
  SsbInCall(GetScalar(sep, "cell.separator", "electrolyte", PETSC_TRUE, &n));
  SsbInCall(LookupMaterial(r, n, "cell.separator.electrolyte", SSB_MATERIAL_ELECTROLYTE, "the separator", &cl->sep.electrolyte));
  SsbInCall(GetRanged(sep, "cell.separator", "thickness", U_LENGTH, PETSC_TRUE, NAN, RANGE_POSITIVE, &cl->sep.thickness));
  SsbInCall(ReadElectrode(r, cell, "negative", cl, &cl->neg));
  SsbInCall(ReadElectrode(r, cell, "positive", cl, &cl->pos));
  for (int side = 0; side < 2; side++) {
    /* the electrolyte's unknowns are the same in every layer: one transport law (single-ion, or
       concentrated: binary and dissociation) for the composites' electrolytes and the separator's */
    const SsbElectrode *e  = side ? &cl->pos : &cl->neg;
    const SsbMaterial  *el = e->electrolyte ? e->electrolyte : cl->sep.electrolyte, *sp = cl->sep.electrolyte;
    if (e->kind != SSB_ELECTRODE_COMPOSITE || (el->el.transport == SSB_TRANSPORT_SINGLE_ION) == (sp->el.transport == SSB_TRANSPORT_SINGLE_ION)) continue;
    const SsbYamlEntry *se = SsbYamlMapFind(cell, side ? "positive" : "negative"), *ee = se ? SsbYamlMapFind(se->value, "electrolyte") : NULL;
    SsbNodeError(ee ? ee->value : cell, "cell.%s.electrolyte: '%s' (transport %s) and the separator's '%s' (transport %s) must both be single_ion or both concentrated (binary, dissociation): the electrolyte has one transport law through the cell", side ? "positive" : "negative", el->name, transports[el->el.transport], sp->name, transports[sp->el.transport]);
  }
  if (cl->neg.kind == SSB_ELECTRODE_LITHIUM_METAL && cl->pos.kind == SSB_ELECTRODE_LITHIUM_METAL && (cl->neg.thickness == 0 || cl->pos.thickness == 0)) {
    /* a Li | Li cell's capacity is its smaller Li inventory: an anode-free side leaves it none */
    const char         *side = cl->neg.thickness == 0 ? "negative" : "positive";
    const SsbYamlEntry *se = SsbYamlMapFind(cell, side), *te = se ? SsbYamlMapFind(se->value, "thickness") : NULL;
    const SsbYamlNode  *at = te ? te->value : cell;
    SsbNodeError(at, "cell.%s.thickness: a Li | Li cell needs Li on both sides, so neither lithium_metal electrode may be anode-free (thickness 0)", side);
  }
  SsbInCall(ReadInterfaces(r, cell, cl));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadCell(Reader *r)
{
  const SsbYamlNode *cell;

  PetscFunctionBeginUser;
  SsbInCall(GetMapping(r->root, "", "cell", PETSC_TRUE, &cell));
  SsbInCall(ReadCellNode(r, cell, &r->c->cell));
  PetscFunctionReturn(0);
}

/* ---- stack ---------------------------------------------------------------------------------------------- */

static const char *const keys_stack[]      = {"cells", "bipolar_plate", "collectors", "end_plates", "variation", NULL};
static const char *const keys_plate[]      = {"material", "thickness", "contact_resistance", NULL};
static const char *const keys_collectors[] = {"negative", "positive", NULL};
static const char *const keys_variation[]  = {"cells", "set", "parameter", "distribution", "cv", "seed", NULL};
static const char *const distributions[]   = {"normal", "lognormal", "uniform", NULL};

/* A key of `cell` that stack.variation may set (path relative to `cell`). Numeric keys (si != NULL)
   may also be drawn at random; offset locates the SI value in SsbCell, the default used when the key
   is not written in the cell block. */
typedef struct {
  const char *path;
  const char *si, *dim;
  size_t      offset;
} CellKey;

#define TEXT_KEY(p)  \
  {                  \
    p, NULL, NULL, 0 \
  }
#define ELECTRODE_KEYS(s, m)                                                                                                                         \
  TEXT_KEY(s), TEXT_KEY(s ".kind"), TEXT_KEY(s ".material"), TEXT_KEY(s ".electrolyte"), {s ".thickness", U_LENGTH, offsetof(SsbCell, m.thickness)}, \
    TEXT_KEY(s ".volume_fractions"), {s ".volume_fractions.active", U_NONE, offsetof(SsbCell, m.eps_active)},                                        \
    {s ".volume_fractions.electrolyte", U_NONE, offsetof(SsbCell, m.eps_electrolyte)},                                                               \
    {s ".volume_fractions.conductive", U_NONE, offsetof(SsbCell, m.eps_conductive)},                                                                 \
    {s ".particle_radius", U_LENGTH, offsetof(SsbCell, m.particle_radius)},                                                                          \
    {s ".electronic_conductivity", U_COND, offsetof(SsbCell, m.electronic_conductivity)},                                                            \
    {s ".bruggeman_exponent", U_NONE, offsetof(SsbCell, m.bruggeman)},                                                                               \
  {                                                                                                                                                  \
    s ".initial_stoichiometry", U_NONE, offsetof(SsbCell, m.initial_stoichiometry)                                                                   \
  }
#define INTERFACE_KEYS(s, m) TEXT_KEY(s), {s ".double_layer_capacitance", U_AREACAP, offsetof(SsbCell, m.double_layer_capacitance)}, \
                             {s ".film_resistance", U_AREARES, offsetof(SsbCell, m.film_resistance)}, TEXT_KEY(s ".space_charge"),   \
                             TEXT_KEY(s ".coating"), TEXT_KEY(s ".coating.material"), TEXT_KEY(s ".coating.thickness")

static const CellKey cell_keys[] = {
  {"initial_soc", U_NONE, offsetof(SsbCell, initial_soc)},
  {"series_resistance", U_AREARES, offsetof(SsbCell, series_resistance)},
  {"geometric_capacitance", U_AREACAP, offsetof(SsbCell, geometric_capacitance)},
  TEXT_KEY("separator"),
  TEXT_KEY("separator.electrolyte"),
  {"separator.thickness", U_LENGTH, offsetof(SsbCell, sep.thickness)},
  ELECTRODE_KEYS("negative", neg),
  ELECTRODE_KEYS("positive", pos),
  TEXT_KEY("interfaces"),
  INTERFACE_KEYS("interfaces.negative", ifc_neg),
  INTERFACE_KEYS("interfaces.positive", ifc_pos),
};
#define NCELL_KEYS ((int)(sizeof cell_keys / sizeof cell_keys[0]))

/* Numeric material keys (a random spread multiplies the number; functions given as expressions or
   tables cannot be drawn). */
typedef struct {
  const char *key, *si, *dim;
} MaterialKey;
static const MaterialKey material_numeric_keys[] = {
  {"density", U_DENSITY},
  {"heat_capacity", U_HEATCAP},
  {"thermal_conductivity", U_THERMCOND},
  {"max_concentration", U_CONC},
  {"ocp", U_VOLT},
  {"entropic_coefficient", U_ENTROPIC},
  {"diffusivity", U_DIFF},
  {"diffusivity_activation_energy", U_MOLAR_E},
  {"rate_constant", U_NONE}, /* a bare number in SI units */
  {"exchange_current_density", U_CURDENS},
  {"exchange_current_stoichiometry", U_NONE},
  {"transfer_coefficient", U_NONE},
  {"kinetics_activation_energy", U_MOLAR_E},
  {"electronic_conductivity", U_COND},
  {"stoichiometry_charged", U_NONE},
  {"stoichiometry_discharged", U_NONE},
  {"specific_capacity", U_SPECCAP},
  {"molar_mass", U_MOLMASS},
  {"conductivity", U_COND},
  {"conductivity_activation_energy", U_MOLAR_E},
  {"concentration", U_CONC},
  {"transference_number", U_NONE},
  {"thermodynamic_factor", U_NONE},
  {"total_concentration", U_CONC},
  {"dissociation_fraction", U_NONE},
  {"recombination_rate_constant", U_RECOMB},
  {"cation_diffusivity", U_DIFF},
  {"anion_diffusivity", U_DIFF},
  {"relative_permittivity", U_NONE},
  {"site_concentration", U_CONC},
};
#define NMATERIAL_NUMERIC_KEYS ((int)(sizeof material_numeric_keys / sizeof material_numeric_keys[0]))

/* A place in a file, for messages (SsbNodeError takes anything with file, line and col). */
typedef struct {
  const char *file;
  int         line, col;
} Loc;
#define LOC(x) ((Loc){(x)->file, (x)->line, (x)->col})

/* What a variation key names: a key of the cell, or key `mkey` of material `mat` (index into the
   case's materials). */
typedef struct {
  const CellKey     *ckey;
  int                mat;
  const char        *mkey;
  const MaterialKey *mnum; /* numeric material key, or NULL */
} VarKey;

/* One entry of stack.variation while the cells are resolved. */
typedef struct {
  const SsbYamlNode *node; /* the entry (a mapping) */
  PetscBool          random;
  const SsbYamlNode *set;   /* explicit: the set mapping */
  VarKey            *keys;  /* explicit: one per set entry; random: one */
  const SsbYamlNode *pnode; /* random: the parameter */
  SsbRng             rng;
  int                irealized;
} VarInfo;

/* Check a variation key (path) at entry e (where the message points); numeric: it will be drawn. */
static PetscErrorCode ParseVarKey(Reader *r, const Loc *at, const char *where, const char *path, PetscBool numeric, VarKey *vk)
{
  PetscFunctionBeginUser;
  vk->ckey = NULL;
  vk->mat  = -1;
  vk->mkey = NULL;
  vk->mnum = NULL;
  if (!strncmp(path, "materials.", 10)) {
    const char        *name = path + 10, *dot = strchr(name, '.');
    char               mname[SSB_NAME_LEN];
    const SsbMaterial *m;
    size_t             len = dot ? (size_t)(dot - name) : strlen(name);
    if (!dot || !dot[1] || len == 0) SsbNodeError(at, "%s: '%s' must have the form materials.<name>.<key>", where, path);
    if (len >= sizeof mname) SsbNodeError(at, "%s: '%s': no material has so long a name", where, path);
    memcpy(mname, name, len);
    mname[len] = '\0';
    m          = SsbCaseFindMaterial(r->c, mname);
    if (!m) {
      const char **names;
      const char  *s;
      char         sug[SSB_NAME_LEN] = "";
      PetscCall(PetscCalloc1(r->c->nmaterials + 1, &names));
      for (int i = 0; i < r->c->nmaterials; i++) names[i] = r->c->materials[i].name;
      s = SsbDidYouMean(mname, names, r->c->nmaterials);
      if (s) snprintf(sug, sizeof sug, "%s", s);
      PetscCall(PetscFree(names));
      if (sug[0]) SsbNodeError(at, "%s: unknown material '%s' in '%s'; did you mean '%s'?", where, mname, path, sug);
      SsbNodeError(at, "%s: unknown material '%s' in '%s'", where, mname, path);
    }
    if (m->kind == SSB_MATERIAL_CONDUCTOR) SsbNodeError(at, "%s: '%s': material '%s' is a conductor (plates and collectors are shared by the whole stack), it cannot vary from cell to cell", where, path, mname);
    vk->mat  = (int)(m - r->c->materials);
    vk->mkey = dot + 1;
    if (!strcmp(vk->mkey, "kind") || !strcmp(vk->mkey, "source")) SsbNodeError(at, "%s: '%s': a cell's copy of a material keeps its kind and source; only its data can vary", where, path);
    if (!InList(vk->mkey, keys_material_all)) {
      const char *s = SsbDidYouMean(vk->mkey, keys_material_all, -1);
      if (s) SsbNodeError(at, "%s: unknown material key '%s' in '%s'; did you mean '%s'?", where, vk->mkey, path, s);
      SsbNodeError(at, "%s: unknown material key '%s' in '%s'", where, vk->mkey, path);
    }
    for (int i = 0; i < NMATERIAL_NUMERIC_KEYS; i++)
      if (!strcmp(vk->mkey, material_numeric_keys[i].key)) vk->mnum = &material_numeric_keys[i];
    if (numeric && !vk->mnum) SsbNodeError(at, "%s: '%s' is not a number, so it cannot be drawn at random", where, path);
    PetscFunctionReturn(0);
  }
  if (!strcmp(path, "area")) SsbNodeError(at, "%s: 'area' cannot vary from cell to cell: the cells of a stack are in series and carry the same current density", where);
  for (int i = 0; i < NCELL_KEYS; i++)
    if (!strcmp(path, cell_keys[i].path)) vk->ckey = &cell_keys[i];
  if (!vk->ckey) {
    const char *names[NCELL_KEYS + 1], *s;
    for (int i = 0; i < NCELL_KEYS; i++) names[i] = cell_keys[i].path;
    names[NCELL_KEYS] = NULL;
    s                 = SsbDidYouMean(path, names, NCELL_KEYS);
    if (s) SsbNodeError(at, "%s: unknown cell key '%s'; did you mean '%s'?", where, path, s);
    SsbNodeError(at, "%s: unknown cell key '%s' (keys are relative to `cell`, e.g. positive.thickness, initial_soc, interfaces.positive.film_resistance, or materials.<name>.<key>)", where, path);
  }
  if (numeric && !vk->ckey->si) SsbNodeError(at, "%s: '%s' is not a number, so it cannot be drawn at random", where, path);
  PetscFunctionReturn(0);
}

/* Parse stack.variation[i] into spec and info. */
static PetscErrorCode ParseVariation(Reader *r, const SsbYamlNode *v, int i, int ncells, SsbVariationSpec *spec, VarInfo *info)
{
  char                w[48], name[96];
  const SsbYamlEntry *ce, *se;
  PetscBool           has_random = PETSC_FALSE;

  PetscFunctionBeginUser;
  snprintf(w, sizeof w, "stack.variation[%d]", i);
  info->node = v;
  SsbInCall(ExpectKind(v, SSB_YAML_MAPPING, w));
  SsbInCall(CheckKeys(v, w, keys_variation, NULL, NULL));
  for (int k = 0; k < v->n; k++)
    if (strcmp(v->entries[k].key, "cells") && strcmp(v->entries[k].key, "set")) has_random = PETSC_TRUE;
  ce = SsbYamlMapFind(v, "cells");
  se = SsbYamlMapFind(v, "set");
  if (has_random && (ce || se)) SsbNodeError(ce ? ce : se, "%s: give either {cells, set} (explicit overrides) or {parameter, distribution, cv, seed} (a random spread), not both", w);
  if (!has_random && !ce && !se) SsbNodeError(v, "%s: give either {cells, set} (explicit overrides) or {parameter, distribution, cv, seed} (a random spread)", w);
  if (!has_random) {
    const SsbYamlNode *cl, *set;
    SsbInCall(GetEntry(v, w, "cells", PETSC_TRUE, &ce));
    cl = ce->value;
    SsbInCall(ExpectKind(cl, SSB_YAML_SEQUENCE, Join(name, sizeof name, w, "cells")));
    if (!cl->n) SsbNodeError(cl, "%s.cells is empty", w);
    PetscCall(PetscMalloc1(cl->n, &spec->cells));
    for (int k = 0; k < cl->n; k++) {
      const SsbYamlNode *it = cl->entries[k].value;
      double             d;
      if (it->kind != SSB_YAML_SCALAR || !SsbParseNumber(it->value, &d) || d != floor(d) || fabs(d) > 1e9) SsbNodeError(it, "%s.cells[%d]: expected a cell number (an integer), got %s", w, k, it->kind == SSB_YAML_SCALAR ? it->value : KindName(it));
      if (d < 1 || d > ncells) SsbNodeError(it, "%s.cells[%d]: there is no cell %s: the stack has %d cell%s, numbered 1 to %d", w, k, it->value, ncells, ncells == 1 ? "" : "s", ncells);
      for (int j = 0; j < spec->ncells; j++)
        if (spec->cells[j] == (int)d) SsbNodeError(it, "%s.cells[%d]: cell %d is listed twice", w, k, (int)d);
      spec->cells[spec->ncells++] = (int)d;
    }
    SsbInCall(GetMapping(v, w, "set", PETSC_TRUE, &set));
    if (!set->n) SsbNodeError(set, "%s.set is empty", w);
    info->set = set;
    PetscCall(PetscCalloc1(set->n, &info->keys));
    PetscCall(PetscCalloc2(set->n, &spec->set_keys, set->n, &spec->set_values));
    spec->nset = set->n;
    Join(name, sizeof name, w, "set");
    for (int k = 0; k < set->n; k++) {
      const SsbYamlEntry *e  = &set->entries[k];
      Loc                 at = LOC(e);
      SsbInCall(ParseVarKey(r, &at, name, e->key, PETSC_FALSE, &info->keys[k]));
      if (SsbYamlIsNull(e->value)) SsbNodeError(e, "%s.%s has no value", name, e->key);
      PetscCall(PetscStrallocpy(e->key, &spec->set_keys[k]));
      if (e->value->kind == SSB_YAML_SCALAR)
        PetscCall(PetscStrallocpy(e->value->value, &spec->set_values[k]));
      else {
        size_t n;
        PetscCall(SsbYamlEmit(e->value, &spec->set_values[k]));
        n = strlen(spec->set_values[k]);
        while (n && spec->set_values[k][n - 1] == '\n') spec->set_values[k][--n] = '\0';
      }
    }
  } else {
    const SsbYamlNode *pn;
    const char        *param;
    int                d;
    long               seed;
    info->random = PETSC_TRUE;
    SsbInCall(GetString(v, w, "parameter", PETSC_TRUE, &param, &pn));
    info->pnode = pn;
    PetscCall(PetscCalloc1(1, &info->keys));
    {
      Loc at = LOC(pn);
      SsbInCall(ParseVarKey(r, &at, Join(name, sizeof name, w, "parameter"), param, PETSC_TRUE, &info->keys[0]));
    }
    PetscCall(PetscStrallocpy(param, &spec->parameter));
    SsbInCall(GetChoice(v, w, "distribution", distributions, PETSC_TRUE, 0, &d, NULL));
    spec->distribution = (SsbDistribution)(d + 1);
    SsbInCall(GetRanged(v, w, "cv", U_NONE, PETSC_TRUE, NAN, RANGE_NONNEGATIVE, &spec->cv));
    SsbInCall(GetInt(v, w, "seed", PETSC_FALSE, 0, 0, 1000000000000000L, &seed));
    spec->seed = (unsigned long)seed;
    SsbRngSeed(&info->rng, (uint64_t)seed);
  }
  PetscFunctionReturn(0);
}

static PetscBool VariationHasCell(const SsbVariationSpec *spec, int k)
{
  for (int j = 0; j < spec->ncells; j++)
    if (spec->cells[j] == k) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Set the dotted path in map (creating mappings on the way) to value (taken over). The entries made
   carry the location of at. */
static PetscErrorCode SetPath(SsbYamlNode *map, const char *path, SsbYamlNode *value, const Loc *at, const char *where)
{
  char         part[256];
  const char  *p   = path;
  SsbYamlNode *cur = map;

  PetscFunctionBeginUser;
  for (;;) {
    const char   *dot = strchr(p, '.');
    size_t        len = dot ? (size_t)(dot - p) : strlen(p);
    SsbYamlEntry *e;
    snprintf(part, sizeof part, "%.*s", (int)len, p);
    if (cur->kind != SSB_YAML_MAPPING) {
      PetscCall(SsbYamlNodeDestroy(&value));
      SsbNodeError(at, "%s: cannot set '%s': the cell's value on the way is not a mapping", where, path);
    }
    e = SsbYamlMapFind(cur, part);
    if (!e) {
      PetscCall(SsbYamlNodeAppend(cur, part, at->file, at->line, at->col, NULL));
      e = &cur->entries[cur->n - 1];
    }
    if (!dot) {
      PetscCall(SsbYamlNodeDestroy(&e->value));
      e->value = value;
      break;
    }
    if (!e->value || SsbYamlIsNull(e->value)) {
      PetscCall(SsbYamlNodeDestroy(&e->value));
      PetscCall(SsbYamlNodeCreate(SSB_YAML_MAPPING, NULL, at->file, at->line, at->col, &e->value));
    }
    cur = e->value;
    p   = dot + 1;
  }
  PetscFunctionReturn(0);
}

static SsbYamlNode *FindPath(SsbYamlNode *map, const char *path)
{
  char         part[256];
  const char  *p   = path;
  SsbYamlNode *cur = map;
  for (;;) {
    const char   *dot = strchr(p, '.');
    size_t        len = dot ? (size_t)(dot - p) : strlen(p);
    SsbYamlEntry *e;
    snprintf(part, sizeof part, "%.*s", (int)len, p);
    e = SsbYamlMapFind(cur, part);
    if (!e || !e->value) return NULL;
    if (!dot) return e->value;
    cur = e->value;
    p   = dot + 1;
  }
}

/* The working copies of one cell: its `cell` tree and the trees of the materials it gets its own copy
   of. */
typedef struct {
  SsbYamlNode  *cell;
  int           nmat;
  int          *mat;   /* original material index */
  SsbYamlNode **tree;  /* copy of the material's mapping */
  Loc          *first; /* where the first override of that material stands */
} CellWork;

static PetscErrorCode MaterialTree(Reader *r, CellWork *cw, int mat, const Loc *at, SsbYamlNode **tree)
{
  const SsbYamlNode *mats;

  PetscFunctionBeginUser;
  for (int j = 0; j < cw->nmat; j++)
    if (cw->mat[j] == mat) {
      *tree = cw->tree[j];
      PetscFunctionReturn(0);
    }
  SsbInCall(GetMapping(r->root, "", "materials", PETSC_TRUE, &mats));
  cw->mat[cw->nmat]   = mat;
  cw->first[cw->nmat] = *at;
  PetscCall(SsbYamlNodeCopy(mats->entries[mat].value, &cw->tree[cw->nmat]));
  *tree = cw->tree[cw->nmat++];
  PetscFunctionReturn(0);
}

/* Apply variation entry v to cell k's working copies (draws its random factor for cell k). */
static PetscErrorCode ApplyVariation(Reader *r, VarInfo *v, const SsbVariationSpec *spec, int iv, int k, CellWork *cw)
{
  SsbStackSpec *st = &r->c->stack;
  char          w[64];

  PetscFunctionBeginUser;
  snprintf(w, sizeof w, "stack.variation[%d]", iv);
  if (!v->random) {
    for (int j = 0; j < v->set->n; j++) {
      const SsbYamlEntry *e  = &v->set->entries[j];
      const VarKey       *vk = &v->keys[j];
      SsbYamlNode        *val, *tree = cw->cell;
      Loc                 at = LOC(e);
      if (vk->mat >= 0) SsbInCall(MaterialTree(r, cw, vk->mat, &at, &tree));
      PetscCall(SsbYamlNodeCopy(e->value, &val));
      SsbInCall(SetPath(tree, vk->mat >= 0 ? vk->mkey : e->key, val, &at, w));
    }
  } else {
    const VarKey *vk   = &v->keys[0];
    SsbYamlNode  *tree = cw->cell, *n, *val;
    const char   *path = vk->mat >= 0 ? vk->mkey : vk->ckey->path;
    const char   *si   = vk->mat >= 0 ? vk->mnum->si : vk->ckey->si;
    const char   *dim  = vk->mat >= 0 ? vk->mnum->dim : vk->ckey->dim;
    double        x, f = SsbRngFactor(&v->rng, spec->distribution, spec->cv);
    char          txt[64], msg[MSG_LEN];
    Loc           at = LOC(v->pnode);
    if (vk->mat >= 0) SsbInCall(MaterialTree(r, cw, vk->mat, &at, &tree));
    n = FindPath(tree, path);
    if (n) {
      double d;
      if (n->kind != SSB_YAML_SCALAR || !(SsbParseNumber(n->value, &d) || SsbUnitsIsQuantity(n->value))) SsbNodeError(n, "%s is not a number (%s), so %s cannot draw it at random", spec->parameter, n->kind == SSB_YAML_SCALAR ? n->value : KindName(n), w);
      if (SsbUnitsConvert(n->value, si, dim, &x, msg, sizeof msg)) SsbNodeError(n, "%s: %s", spec->parameter, msg);
    } else if (vk->mat >= 0)
      SsbNodeError(v->pnode, "%s.parameter: material '%s' has no %s to vary (give it in the material)", w, r->c->materials[vk->mat].name, vk->mkey);
    else
      x = *(const double *)((const char *)&r->c->cell + vk->ckey->offset);
    if (isnan(x)) SsbNodeError(v->pnode, "%s.parameter: cell.%s has no value to vary (give it in the cell block)", w, path);
    x *= f;
    snprintf(txt, sizeof txt, "%.17g", x);
    PetscCall(SsbYamlNodeCreate(SSB_YAML_SCALAR, txt, v->pnode->file, v->pnode->line, v->pnode->col, &val));
    SsbInCall(SetPath(tree, path, val, &at, w));
    st->realized[(size_t)v->irealized * (size_t)st->cells + (size_t)(k - 1)] = x;
  }
  PetscFunctionReturn(0);
}

/* Resolve cell k (1-based) of the stack from its working copies. */
static PetscErrorCode ReadStackCell(Reader *r, int k, CellWork *cw, int nmat_orig)
{
  SsbCase           *c = r->c;
  const SsbYamlNode *mats;

  PetscFunctionBeginUser;
  SsbInCall(GetMapping(r->root, "", "materials", PETSC_FALSE, &mats));
  for (int j = 0; j < cw->nmat; j++) {
    const SsbYamlEntry *orig = &mats->entries[cw->mat[j]];
    SsbYamlEntry        e    = *orig;
    SsbMaterial        *m    = &c->materials[c->nmaterials];
    char                name[3 * SSB_NAME_LEN];
    PetscCheck(cw->mat[j] < nmat_orig, PETSC_COMM_SELF, PETSC_ERR_PLIB, "material copy of a copy");
    snprintf(name, sizeof name, "%s@cell%d", orig->key, k);
    if (strlen(name) >= SSB_NAME_LEN) SsbNodeError(&cw->first[j], "material name '%s' is too long for the name of cell %d's copy, '%s' (at most %d characters)", orig->key, k, name, SSB_NAME_LEN - 1);
    e.value = cw->tree[j];
    c->nmaterials++;
    SsbInCall(ReadMaterial(r, &e, m));
    snprintf(m->name, sizeof m->name, "%s", name);
    r->alias_name[j] = orig->key;
    r->alias_mat[j]  = m;
    r->alias_hits[j] = 0;
  }
  r->nalias = cw->nmat;
  SsbInCall(ReadCellNode(r, cw->cell, &c->stack.cell[k - 1]));
  for (int j = 0; j < cw->nmat; j++)
    if (!r->alias_hits[j]) SsbNodeError(&cw->first[j], "material '%s' is not used by cell %d, so it cannot vary there", r->alias_name[j], k);
  PetscFunctionReturn(0);
}

static PetscErrorCode GrowMaterials(SsbCase *c, int extra)
{
  SsbMaterial *nm;

  PetscFunctionBeginUser;
  if (extra <= 0) PetscFunctionReturn(0);
  PetscCall(PetscCalloc1(c->nmaterials + extra, &nm));
  if (c->nmaterials) PetscCall(PetscArraycpy(nm, c->materials, c->nmaterials));
#define REMAP(p) \
  if (p) p = nm + ((p)-c->materials)
  REMAP(c->cell.neg.material);
  REMAP(c->cell.neg.electrolyte);
  REMAP(c->cell.pos.material);
  REMAP(c->cell.pos.electrolyte);
  REMAP(c->cell.sep.electrolyte);
#undef REMAP
  PetscCall(PetscFree(c->materials));
  c->materials = nm;
  PetscFunctionReturn(0);
}

/* stack.cell[k]: the base cell with cell k's overrides and random factors, in the order of the
   variation list. */
static PetscErrorCode ResolveCells(Reader *r, int nvar, VarInfo *info)
{
  SsbCase           *c  = r->c;
  SsbStackSpec      *st = &c->stack;
  const SsbYamlNode *cellnode;
  int                ncopies = 0, nmat_orig = c->nmaterials, nrandom = 0;
  int               *mark;
  CellWork           cw;
  PetscErrorCode     ierr = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(st->cells, &st->cell));
  for (int i = 0; i < nvar; i++)
    if (info[i].random) info[i].irealized = nrandom++;
  if (nrandom) {
    st->nrealized = nrandom;
    PetscCall(PetscCalloc1(nrandom, &st->realized_names));
    PetscCall(PetscCalloc1((size_t)nrandom * (size_t)st->cells, &st->realized));
    for (int i = 0; i < nvar; i++)
      if (info[i].random) PetscCall(PetscStrallocpy(st->variations[i].parameter, &st->realized_names[info[i].irealized]));
  }
  /* how many per-cell material copies: every (cell, material) pair a variation touches */
  PetscCall(PetscMalloc1(nmat_orig + 1, &mark));
  for (int j = 0; j <= nmat_orig; j++) mark[j] = 0;
  for (int k = 1; k <= st->cells; k++)
    for (int i = 0; i < nvar; i++) {
      if (!info[i].random && !VariationHasCell(&st->variations[i], k)) continue;
      for (int j = 0; j < (info[i].random ? 1 : st->variations[i].nset); j++) {
        int m = info[i].keys[j].mat;
        if (m >= 0 && mark[m] != k) {
          mark[m] = k;
          ncopies++;
        }
      }
    }
  PetscCall(PetscFree(mark));
  PetscCall(GrowMaterials(c, ncopies));
  PetscCall(PetscMemzero(&cw, sizeof cw));
  PetscCall(PetscMalloc4(nmat_orig + 1, &cw.mat, nmat_orig + 1, &cw.tree, nmat_orig + 1, &cw.first, nmat_orig + 1, &r->alias_hits));
  PetscCall(PetscMalloc2(nmat_orig + 1, &r->alias_name, nmat_orig + 1, &r->alias_mat));
  SsbInCall(GetMapping(r->root, "", "cell", PETSC_TRUE, &cellnode));
  for (int k = 1; k <= st->cells && !ierr; k++) {
    char ctx[1024];
    int  napplied = 0;
    snprintf(ctx, sizeof ctx, "in cell %d of the stack, with", k);
    cw.cell = NULL;
    cw.nmat = 0;
    for (int i = 0; i < nvar && !ierr; i++) {
      const SsbYamlNode *n = info[i].node;
      if (!info[i].random && !VariationHasCell(&st->variations[i], k)) continue;
      if (!cw.cell) PetscCall(SsbYamlNodeCopy(cellnode, &cw.cell));
      if (strlen(ctx) + 80 < sizeof ctx) snprintf(ctx + strlen(ctx), sizeof ctx - strlen(ctx), "%s stack.variation[%d] at %s:%d:%d", napplied ? "," : "", i, n->file, n->line, n->col);
      napplied++;
      SsbInputErrorContext(ctx);
      ierr = ApplyVariation(r, &info[i], &st->variations[i], i, k, &cw);
    }
    if (!ierr) {
      if (!cw.cell)
        st->cell[k - 1] = c->cell;
      else {
        r->quiet = PETSC_TRUE;
        ierr     = ReadStackCell(r, k, &cw, nmat_orig);
        r->quiet = PETSC_FALSE;
      }
    }
    SsbInputErrorContext(NULL);
    r->nalias = 0;
    PetscCall(SsbYamlNodeDestroy(&cw.cell));
    for (int j = 0; j < cw.nmat; j++) PetscCall(SsbYamlNodeDestroy(&cw.tree[j]));
  }
  PetscCall(PetscFree4(cw.mat, cw.tree, cw.first, r->alias_hits));
  PetscCall(PetscFree2(r->alias_name, r->alias_mat));
  SsbInCall(ierr);
  PetscFunctionReturn(0);
}

/* stack.bipolar_plate, stack.collectors.negative/positive, stack.end_plates: {material (conductor),
   thickness, contact_resistance}; absent: material NULL. */
static PetscErrorCode ReadPlate(Reader *r, const SsbYamlNode *parent, const char *pwhere, const char *key, SsbPlateSpec *p)
{
  const SsbYamlNode *m, *n;
  char               w[64], name[96];

  PetscFunctionBeginUser;
  p->material           = NULL;
  p->thickness          = 0.0;
  p->contact_resistance = 0.0;
  if (!parent) PetscFunctionReturn(0);
  SsbInCall(GetMapping(parent, pwhere, key, PETSC_FALSE, &m));
  if (!m) PetscFunctionReturn(0);
  Join(w, sizeof w, pwhere, key);
  SsbInCall(CheckKeys(m, w, keys_plate, NULL, NULL));
  SsbInCall(GetScalar(m, w, "material", PETSC_TRUE, &n));
  SsbInCall(LookupMaterial(r, n, Join(name, sizeof name, w, "material"), SSB_MATERIAL_CONDUCTOR, "a plate or current collector", &p->material));
  SsbInCall(GetRanged(m, w, "thickness", U_LENGTH, PETSC_TRUE, NAN, RANGE_POSITIVE, &p->thickness));
  SsbInCall(GetRanged(m, w, "contact_resistance", U_AREARES, PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &p->contact_resistance));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadStack(Reader *r)
{
  SsbStackSpec       *st = &r->c->stack;
  const SsbYamlNode  *s, *col = NULL;
  const SsbYamlEntry *ve    = NULL;
  VarInfo            *info  = NULL;
  long                cells = 1;
  PetscErrorCode      ierr  = 0;

  PetscFunctionBeginUser;
  st->cells = 1;
  SsbInCall(GetMapping(r->root, "", "stack", PETSC_FALSE, &s));
  if (s) {
    SsbInCall(CheckKeys(s, "stack", keys_stack, NULL, NULL));
    SsbInCall(GetInt(s, "stack", "cells", PETSC_FALSE, 1, 1, 1000000, &cells));
    st->cells = (int)cells;
    SsbInCall(GetEntry(s, "stack", "variation", PETSC_FALSE, &ve));
  }
  if (ve) {
    const SsbYamlNode *seq = ve->value;
    SsbInCall(ExpectKind(seq, SSB_YAML_SEQUENCE, "stack.variation"));
    PetscCall(PetscCalloc1(seq->n, &st->variations));
    PetscCall(PetscCalloc1(seq->n, &info));
    st->nvariations = seq->n;
    for (int i = 0; i < seq->n && !ierr; i++) {
      ierr = ParseVariation(r, seq->entries[i].value, i, st->cells, &st->variations[i], &info[i]);
      for (int j = 0; j < i && !ierr; j++)
        if (info[i].random && info[j].random && !strcmp(st->variations[i].parameter, st->variations[j].parameter)) {
          const SsbYamlNode *n = info[i].pnode;
          ierr                 = SsbInputError(n->file, n->line, n->col, "stack.variation[%d].parameter: %s is already drawn at random by stack.variation[%d]", i, st->variations[i].parameter, j);
        }
    }
  }
  if (!ierr) ierr = ResolveCells(r, st->nvariations, info);
  for (int i = 0; info && i < st->nvariations; i++) PetscCall(PetscFree(info[i].keys));
  PetscCall(PetscFree(info));
  SsbInCall(ierr);
  SsbInCall(ReadPlate(r, s, "stack", "bipolar_plate", &st->bipolar_plate));
  if (s) {
    SsbInCall(GetMapping(s, "stack", "collectors", PETSC_FALSE, &col));
    if (col) SsbInCall(CheckKeys(col, "stack.collectors", keys_collectors, NULL, NULL));
  }
  SsbInCall(ReadPlate(r, col, "stack.collectors", "negative", &st->collector_negative));
  SsbInCall(ReadPlate(r, col, "stack.collectors", "positive", &st->collector_positive));
  SsbInCall(ReadPlate(r, s, "stack", "end_plates", &st->end_plate));
  if (st->bipolar_plate.material && st->cells == 1) {
    const SsbYamlEntry *e = SsbYamlMapFind(s, "bipolar_plate");
    PetscCall(SsbInputWarning(e->file, e->line, e->col, "stack.bipolar_plate is given, but a stack of 1 cell has no bipolar plate; it is ignored"));
  }
  PetscFunctionReturn(0);
}

/* ---- thermal -------------------------------------------------------------------------------------------- */

static const char *const no_yes[]              = {"false", "true", NULL}; /* a boolean key's choices */
static const char *const keys_thermal[]        = {"model", "initial_temperature", "boundaries", "lateral", "arrhenius", NULL};
static const char *const thermal_models[]      = {"isothermal", "lumped", "stack", NULL};
static const char *const keys_boundaries[]     = {"bottom", "top", NULL};
static const char *const keys_boundary_all[]   = {"type", "h", "ambient", "temperature", NULL};
static const char *const keys_boundary_conv[]  = {"type", "h", "ambient", NULL};
static const char *const keys_boundary_fixed[] = {"type", "temperature", NULL};
static const char *const keys_boundary_adia[]  = {"type", NULL};
static const char *const boundary_types[]      = {"adiabatic", "convective", "fixed", NULL}; /* SsbBoundaryKind order */
static const char *const keys_lateral[]        = {"h", "perimeter_per_area", "ambient", NULL};

static PetscErrorCode ReadBoundary(const SsbYamlNode *b, const char *key, SsbBoundarySpec *bc)
{
  const SsbYamlNode *n;
  char               w[64], kt[64];
  int                type;

  PetscFunctionBeginUser;
  bc->type        = SSB_BOUNDARY_ADIABATIC;
  bc->h           = 0.0;
  bc->temperature = NAN;
  if (!b) PetscFunctionReturn(0);
  SsbInCall(GetMapping(b, "thermal.boundaries", key, PETSC_FALSE, &n));
  if (!n) PetscFunctionReturn(0);
  snprintf(w, sizeof w, "thermal.boundaries.%s", key);
  SsbInCall(GetChoice(n, w, "type", boundary_types, PETSC_TRUE, 0, &type, NULL));
  bc->type = (SsbBoundaryKind)type;
  snprintf(kt, sizeof kt, "a %s boundary", boundary_types[type]);
  SsbInCall(CheckKeys(n, w, type == SSB_BOUNDARY_CONVECTIVE ? keys_boundary_conv : type == SSB_BOUNDARY_FIXED ? keys_boundary_fixed
                                                                                                              : keys_boundary_adia,
                      keys_boundary_all, kt));
  if (type == SSB_BOUNDARY_CONVECTIVE) {
    SsbInCall(GetRanged(n, w, "h", U_HTC, PETSC_TRUE, NAN, RANGE_NONNEGATIVE, &bc->h));
    SsbInCall(GetRanged(n, w, "ambient", U_TEMP, PETSC_TRUE, NAN, RANGE_POSITIVE, &bc->temperature));
  } else if (type == SSB_BOUNDARY_FIXED)
    SsbInCall(GetRanged(n, w, "temperature", U_TEMP, PETSC_TRUE, NAN, RANGE_POSITIVE, &bc->temperature));
  PetscFunctionReturn(0);
}

typedef struct {
  const SsbMaterial *m;
  const char        *role;
} LayerRef;

/* Thermal model `stack`: every layer of every cell and every plate needs density, heat capacity and
   thermal conductivity; `lumped` (one heat capacity for the stack): density and heat capacity. */
static PetscErrorCode CheckStackThermalProps(Reader *r, const SsbYamlNode *model)
{
  const PetscBool lumped = r->c->thermal.model == SSB_THERMAL_LUMPED ? PETSC_TRUE : PETSC_FALSE;
  const SsbCase  *c      = r->c;

  PetscFunctionBeginUser;
  for (int k = 0; k <= c->stack.cells; k++) {
    const SsbCell *cl = k < c->stack.cells ? &c->stack.cell[k] : NULL;
    LayerRef       layer[8];
    int            nl = 0;
    if (cl) {
      layer[nl++] = (LayerRef){cl->neg.material, "negative electrode"};
      if (cl->neg.kind == SSB_ELECTRODE_COMPOSITE) layer[nl++] = (LayerRef){cl->neg.electrolyte, "electrolyte of the negative electrode"};
      layer[nl++] = (LayerRef){cl->sep.electrolyte, "separator"};
      layer[nl++] = (LayerRef){cl->pos.material, "positive electrode"};
      if (cl->pos.kind == SSB_ELECTRODE_COMPOSITE) layer[nl++] = (LayerRef){cl->pos.electrolyte, "electrolyte of the positive electrode"};
    } else {
      layer[nl++] = (LayerRef){c->stack.collector_negative.material, "negative current collector (stack.collectors.negative)"};
      layer[nl++] = (LayerRef){c->stack.collector_positive.material, "positive current collector (stack.collectors.positive)"};
      layer[nl++] = (LayerRef){c->stack.end_plate.material, "end plates (stack.end_plates)"};
      if (c->stack.cells > 1) layer[nl++] = (LayerRef){c->stack.bipolar_plate.material, "bipolar plate (stack.bipolar_plate)"};
    }
    for (int i = 0; i < nl; i++) {
      const SsbMaterial *m = layer[i].m;
      const char        *miss;
      char               where[128];
      if (!m) continue;
      miss = isnan(m->thermal.density) ? "density" : isnan(m->thermal.heat_capacity)                   ? "heat_capacity"
                                                   : !lumped && isnan(m->thermal.thermal_conductivity) ? "thermal_conductivity"
                                                                                                       : NULL;
      if (!miss) continue;
      if (cl)
        snprintf(where, sizeof where, "the %s of cell %d", layer[i].role, k + 1);
      else
        snprintf(where, sizeof where, "the %s", layer[i].role);
      {
        char loc[1200];
        if (model->line > 0)
          snprintf(loc, sizeof loc, "%s:%d:%d", model->file, model->line, model->col);
        else
          snprintf(loc, sizeof loc, "%s", model->file);
        PetscFunctionReturn(SsbInputError(m->file, m->line, 0, "material '%s' (%s) has no %s; thermal.model '%s' (%s) needs %s of every layer's material", m->name, where, miss, lumped ? "lumped" : "stack", loc, lumped ? "density and heat_capacity" : "density, heat_capacity and thermal_conductivity"));
      }
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadThermal(Reader *r)
{
  SsbThermal        *t = &r->c->thermal;
  const SsbYamlNode *th, *b = NULL, *mn = NULL, *lat;
  int                model;

  PetscFunctionBeginUser;
  t->model                      = SSB_THERMAL_ISOTHERMAL;
  t->initial_temperature        = SSB_T_REF;
  t->lateral_h                  = 0.0;
  t->lateral_perimeter_per_area = 0.0;
  t->lateral_ambient            = NAN;
  t->constant_properties        = 0;
  SsbInCall(GetMapping(r->root, "", "thermal", PETSC_FALSE, &th));
  if (th) {
    SsbInCall(CheckKeys(th, "thermal", keys_thermal, NULL, NULL));
    SsbInCall(GetChoice(th, "thermal", "model", thermal_models, PETSC_FALSE, 0, &model, &mn));
    t->model = (SsbThermalModel)model;
    SsbInCall(GetRanged(th, "thermal", "initial_temperature", U_TEMP, PETSC_FALSE, SSB_T_REF, RANGE_POSITIVE, &t->initial_temperature));
    {
      int arrhenius;
      SsbInCall(GetChoice(th, "thermal", "arrhenius", no_yes, PETSC_FALSE, 1, &arrhenius, NULL));
      t->constant_properties = !arrhenius;
    }
    SsbInCall(GetMapping(th, "thermal", "boundaries", PETSC_FALSE, &b));
    if (b) SsbInCall(CheckKeys(b, "thermal.boundaries", keys_boundaries, NULL, NULL));
  }
  SsbInCall(ReadBoundary(b, "bottom", &t->bottom));
  SsbInCall(ReadBoundary(b, "top", &t->top));
  if (th) {
    SsbInCall(GetMapping(th, "thermal", "lateral", PETSC_FALSE, &lat));
    if (lat) {
      const char *w = "thermal.lateral";
      SsbInCall(CheckKeys(lat, w, keys_lateral, NULL, NULL));
      SsbInCall(GetRanged(lat, w, "h", U_HTC, PETSC_TRUE, NAN, RANGE_NONNEGATIVE, &t->lateral_h));
      SsbInCall(GetRanged(lat, w, "perimeter_per_area", U_PERAREA, PETSC_TRUE, NAN, RANGE_POSITIVE, &t->lateral_perimeter_per_area));
      SsbInCall(GetRanged(lat, w, "ambient", U_TEMP, PETSC_TRUE, NAN, RANGE_POSITIVE, &t->lateral_ambient));
    }
  }
  if (t->model == SSB_THERMAL_LUMPED) { /* one temperature for the stack: no wall can hold it */
    for (int e = 0; e < 2; e++) {
      const SsbYamlEntry *be = b ? SsbYamlMapFind(b, e ? "top" : "bottom") : NULL;
      const SsbYamlEntry *te = be && be->value->kind == SSB_YAML_MAPPING ? SsbYamlMapFind(be->value, "type") : NULL;
      if ((e ? t->top.type : t->bottom.type) == SSB_BOUNDARY_FIXED)
        SsbNodeError(te ? te->value : be->value, "thermal.boundaries.%s: a fixed-temperature boundary needs thermal.model: stack (the lumped model has one temperature for the whole stack)", e ? "top" : "bottom");
    }
  }
  if (t->model == SSB_THERMAL_STACK || t->model == SSB_THERMAL_LUMPED) SsbInCall(CheckStackThermalProps(r, mn));
  PetscFunctionReturn(0);
}

/* ---- experiment, mesh, solver, output ----------------------------------------------------------------- */

/* The CSV of a "Run profile" step: a header "time [unit],current [unit]" (or power), then rows of two
   numbers; the path is relative to the file the step is written in. Errors name the CSV's line. */
static PetscErrorCode ReadProfile(const SsbYamlNode *node, const char *resolved, SsbStep *st)
{
  char   path[PETSC_MAX_PATH_LEN], line[1024], msg[256];
  FILE  *fp;
  int    ln = 0, n = 0, cap = 0;
  double ts = 1, vs = 1, *t = NULL, *v = NULL;
  PetscFunctionBeginUser;
  /* relative to the case file; a step given by --set (its node's "file" is the "--set <arg>" label)
     is relative to the working directory; on restart, the path the original run resolved */
  if (resolved && resolved[0])
    snprintf(path, sizeof path, "%s", resolved);
  else if (st->profile_file[0] == '/' || !strncmp(node->file, "--set ", 6) || !strchr(node->file, '/'))
    snprintf(path, sizeof path, "%s", st->profile_file);
  else {
    const char *slash = strrchr(node->file, '/');
    snprintf(path, sizeof path, "%.*s/%s", (int)(slash - node->file), node->file, st->profile_file);
  }
  fp = SsbOpenInputFile(path, msg, sizeof msg);
  if (!fp) SsbNodeError(node, "cannot read the profile '%s' (%s)", path, msg);
  while (fgets(line, sizeof line, fp)) {
    ln++;
    const size_t L = strlen(line);
    if (L == sizeof line - 1 && line[L - 1] != '\n' && !feof(fp)) { /* not a row split in two */
      fclose(fp);
      free(t), free(v);
      PetscFunctionReturn(SsbInputError(path, ln, 1, "the line is longer than %d characters", (int)sizeof line - 2));
    }
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '\n' || *p == '\r' || *p == '\0' || *p == '#') continue;
    if (ln == 1 || (n == 0 && !(isdigit((unsigned char)*p) || *p == '-' || *p == '.' || *p == '+'))) {
      /* header: name [unit], name [unit] */
      char  u1[128] = "", u2[128] = "", n2[64] = "";
      char *a = strchr(p, '['), *b = a ? strchr(a, ']') : NULL, *cm = strchr(p, ',');
      if (!a || !b || !cm || a > cm) {
        fclose(fp);
        PetscFunctionReturn(SsbInputError(path, ln, 1, "expected a header like 'time [s],current [A]' (or power [W], current [A/m^2] ...)"));
      }
      snprintf(u1, sizeof u1, "1 %.*s", (int)(b - a - 1), a + 1);
      char *q = cm + 1;
      while (*q == ' ') q++;
      sscanf(q, "%63[a-zA-Z_ ]", n2);
      for (size_t l = strlen(n2); l > 0 && n2[l - 1] == ' '; l--) n2[l - 1] = 0;
      char *a2 = strchr(q, '['), *b2 = a2 ? strchr(a2, ']') : NULL;
      if (!a2 || !b2) {
        fclose(fp);
        PetscFunctionReturn(SsbInputError(path, ln, (int)(q - line) + 1, "the second column needs a unit in brackets"));
      }
      snprintf(u2, sizeof u2, "1 %.*s", (int)(b2 - a2 - 1), a2 + 1);
      if (SsbUnitsConvert(u1, "s", "a time", &ts, msg, sizeof msg)) {
        fclose(fp);
        PetscFunctionReturn(SsbInputError(path, ln, 1, "the first column must be a time: %s", msg));
      }
      st->profile_power = !strncmp(n2, "power", 5);
      if (!st->profile_power && strncmp(n2, "current", 7)) {
        fclose(fp);
        PetscFunctionReturn(SsbInputError(path, ln, (int)(q - line) + 1, "the second column must be 'current [...]' or 'power [...]', not '%s'", n2));
      }
      const char *si = st->profile_power ? "W" : "A", *sia = st->profile_power ? "W/m^2" : "A/m^2";
      if (!SsbUnitsConvert(u2, si, NULL, &vs, msg, sizeof msg))
        st->per_area = 0;
      else if (!SsbUnitsConvert(u2, sia, NULL, &vs, msg, sizeof msg))
        st->per_area = 1;
      else {
        fclose(fp);
        PetscFunctionReturn(SsbInputError(path, ln, (int)(a2 - line) + 1, "'%s' is not a unit of %s (%s or %s)", u2 + 2, st->profile_power ? "power" : "current", si, sia));
      }
      continue;
    }
    /* two decimal numbers, as everywhere in a case (no hexadecimal, inf, nan or subnormals) */
    double a, b;
    char  *cm = strchr(p, ',');
    if (cm) *cm = '\0';
    if (!cm || !SsbParseNumber(p, &a) || !SsbParseNumber(cm + 1, &b)) {
      fclose(fp);
      free(t), free(v);
      PetscFunctionReturn(SsbInputError(path, ln, 1, "expected two numbers 'time, %s'", st->profile_power ? "power" : "current"));
    }
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      t   = (double *)realloc(t, sizeof(double) * cap);
      v   = (double *)realloc(v, sizeof(double) * cap);
    }
    t[n] = a * ts;
    v[n] = b * vs;
    /* two rows at the same time make a jump (a step change of the current or power); three may not */
    if (n && !(t[n] > t[n - 1] || (t[n] == t[n - 1] && (n < 2 || t[n - 1] > t[n - 2])))) {
      double tn = t[n], tp = t[n - 1];
      fclose(fp);
      free(t), free(v);
      PetscFunctionReturn(SsbInputError(path, ln, 1, "times must increase (%g s after %g s; two equal times make a jump, three may not)", tn, tp));
    }
    n++;
  }
  fclose(fp);
  if (n < 2) {
    free(t), free(v);
    SsbNodeError(node, "the profile '%s' needs at least two rows", path);
  }
  if (t[n - 1] == t[n - 2] || t[1] == t[0]) {
    free(t), free(v);
    SsbNodeError(node, "the profile '%s' may not jump at its first or last time", path);
  }
  PetscCall(PetscMalloc2(n, &st->profile_t, n, &st->profile_v));
  for (int k = 0; k < n; k++) {
    st->profile_t[k] = t[k] - t[0];
    st->profile_v[k] = v[k];
  }
  st->profile_n = n;
  st->duration  = st->profile_t[n - 1];
  free(t), free(v);
  /* keep the path as resolved: the driver refuses to write results over it */
  PetscCall(PetscFree(st->profile_file));
  PetscCall(PetscStrallocpy(path, &st->profile_file));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static const char *const keys_experiment[]  = {"steps", "cycles", "limits", NULL};
static const char *const keys_limits[]      = {"cell_voltage_max", "cell_voltage_min", "temperature_max", "time_max", "step_time_max", "capacity_fraction_min", NULL};
static const char *const keys_step[]        = {"step", "limits", NULL};
static const char *const keys_step_limits[] = {"cell_voltage_max", "cell_voltage_min", "temperature_max", "time_max", NULL};

/* the voltage and temperature guards shared by experiment.limits and a step's limits */
static PetscErrorCode ReadGuards(const SsbYamlNode *lim, const char *w, SsbLimits *L)
{
  const SsbYamlNode *nmin;
  PetscFunctionBeginUser;
  SsbInCall(GetRanged(lim, w, "cell_voltage_max", U_VOLT, PETSC_FALSE, NAN, RANGE_POSITIVE, &L->cell_voltage_max));
  SsbInCall(GetQuantity(lim, w, "cell_voltage_min", U_VOLT, PETSC_FALSE, NAN, &L->cell_voltage_min, &nmin));
  SsbInCall(CheckRange(nmin, w, "cell_voltage_min", L->cell_voltage_min, RANGE_NONNEGATIVE));
  if (nmin && L->cell_voltage_min >= L->cell_voltage_max) SsbNodeError(nmin, "%s.cell_voltage_min must be below cell_voltage_max", w);
  SsbInCall(GetRanged(lim, w, "temperature_max", U_TEMP, PETSC_FALSE, NAN, RANGE_POSITIVE, &L->temperature_max));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadExperiment(Reader *r)
{
  const SsbYamlNode  *ex, *lim;
  const SsbYamlEntry *se;
  SsbExperiment      *xp = &r->c->experiment;
  SsbLimits          *L  = &xp->limits;

  PetscFunctionBeginUser;
  L->cell_voltage_max = L->cell_voltage_min = L->temperature_max = L->time_max = L->step_time_max = L->capacity_fraction_min = NAN;
  xp->cycles                                                                                                                 = 1;
  SsbInCall(GetMapping(r->root, "", "experiment", PETSC_TRUE, &ex));
  SsbInCall(CheckKeys(ex, "experiment", keys_experiment, NULL, NULL));
  SsbInCall(GetEntry(ex, "experiment", "steps", PETSC_TRUE, &se));
  SsbInCall(ExpectKind(se->value, SSB_YAML_SEQUENCE, "experiment.steps"));
  if (!se->value->n) SsbNodeError(se->value, "experiment.steps is empty");
  PetscCall(PetscCalloc1(se->value->n, &xp->steps));
  xp->nsteps = se->value->n;
  for (int i = 0; i < se->value->n; i++) {
    const SsbYamlNode *s  = se->value->entries[i].value;
    SsbStep           *st = &xp->steps[i];
    char               msg[MSG_LEN];
    SsbLimits          SL = {NAN, NAN, NAN, NAN, NAN, NAN};
    if (s->kind == SSB_YAML_MAPPING) {
      /* {step: "...", limits: {...}}: a step with its own guards */
      const SsbYamlNode *sl;
      char               w[64];
      snprintf(w, sizeof w, "experiment.steps[%d]", i);
      SsbInCall(CheckKeys(s, w, keys_step, NULL, NULL));
      SsbInCall(GetMapping(s, w, "limits", PETSC_FALSE, &sl));
      if (sl) {
        snprintf(w, sizeof w, "experiment.steps[%d].limits", i);
        SsbInCall(CheckKeys(sl, w, keys_step_limits, NULL, NULL));
        SsbInCall(ReadGuards(sl, w, &SL));
        SsbInCall(GetRanged(sl, w, "time_max", U_TIME, PETSC_FALSE, NAN, RANGE_POSITIVE, &SL.step_time_max));
      }
      {
        const SsbYamlEntry *e;
        snprintf(w, sizeof w, "experiment.steps[%d]", i);
        SsbInCall(GetEntry(s, w, "step", PETSC_TRUE, &e));
        s = e->value;
      }
    }
    if (s->kind != SSB_YAML_SCALAR || SsbYamlIsNull(s)) SsbNodeError(s, "experiment.steps[%d] must be a step string like 'Discharge at 1C until 3 V' (or {step: '...', limits: {...}})", i);
    PetscCall(PetscStrallocpy(s->value, &st->text));
    st->line = s->line;
    st->col  = s->col;
    if (SsbStepParse(s->value, st, msg, sizeof msg)) SsbNodeError(s, "experiment.steps[%d] '%s': %s", i, s->value, msg);
    st->limits     = SL;
    st->has_limits = se->value->entries[i].value->kind == SSB_YAML_MAPPING;
    if (st->kind == SSB_STEP_PROFILE) SsbInCall(ReadProfile(s, i < r->npaths ? r->paths[i] : NULL, st));
  }
  SsbInCall(GetInt32(ex, "experiment", "cycles", PETSC_FALSE, 1, 1, INT_MAX, &xp->cycles));
  SsbInCall(GetMapping(ex, "experiment", "limits", PETSC_FALSE, &lim));
  if (lim) {
    const char *w = "experiment.limits";
    SsbInCall(CheckKeys(lim, w, keys_limits, NULL, NULL));
    SsbInCall(ReadGuards(lim, w, L));
    SsbInCall(GetRanged(lim, w, "capacity_fraction_min", U_NONE, PETSC_FALSE, NAN, RANGE_OPEN_UNIT, &L->capacity_fraction_min));
    SsbInCall(GetRanged(lim, w, "time_max", U_TIME, PETSC_FALSE, NAN, RANGE_POSITIVE, &L->time_max));
    SsbInCall(GetRanged(lim, w, "step_time_max", U_TIME, PETSC_FALSE, NAN, RANGE_POSITIVE, &L->step_time_max));
  }
  PetscFunctionReturn(0);
}

static const char *const keys_packaging[] = {"mass_per_area", "thickness", "tab_mass", "tab_volume", "footprint_ratio", NULL};

/* packaging: the package of a mono cell or a stack, for the energy-density report only */
static PetscErrorCode ReadPackaging(Reader *r)
{
  const SsbYamlNode *p;
  SsbCase           *c = r->c;
  const SsbYamlNode *nf;
  PetscFunctionBeginUser;
  c->packaging.given         = 0;
  c->packaging.mass_per_area = c->packaging.thickness = c->packaging.tab_mass = c->packaging.tab_volume = 0;
  c->packaging.footprint_ratio                                                                          = 1;
  SsbInCall(GetMapping(r->root, "", "packaging", PETSC_FALSE, &p));
  if (!p) PetscFunctionReturn(PETSC_SUCCESS);
  c->packaging.given = 1;
  SsbInCall(CheckKeys(p, "packaging", keys_packaging, NULL, NULL));
  SsbInCall(GetRanged(p, "packaging", "mass_per_area", "kg/m^2", "a mass per area", PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &c->packaging.mass_per_area));
  SsbInCall(GetRanged(p, "packaging", "thickness", U_LENGTH, PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &c->packaging.thickness));
  SsbInCall(GetRanged(p, "packaging", "tab_mass", "kg", "a mass", PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &c->packaging.tab_mass));
  SsbInCall(GetRanged(p, "packaging", "tab_volume", "m^3", "a volume", PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &c->packaging.tab_volume));
  SsbInCall(GetQuantity(p, "packaging", "footprint_ratio", U_NONE, PETSC_FALSE, 1.0, &c->packaging.footprint_ratio, &nf));
  if (nf && !(c->packaging.footprint_ratio >= 1)) SsbNodeError(nf, "packaging.footprint_ratio (package footprint over cell area) must be at least 1, not %g", c->packaging.footprint_ratio);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static const char *const keys_mesh[]   = {"negative", "separator", "positive", "particle", "space_charge_cells", "space_charge_length", "space_charge_growth", NULL};
static const char *const keys_solver[] = {"rtol", "atol", "petsc_options", "max_steps", NULL};
static const char *const keys_output[] = {"file", "interval", "profiles_interval", "csv", "particle_positions", "checkpoint", "checkpoint_interval", "checkpoint_at_end", NULL};

static PetscErrorCode ReadMeshSolverOutput(Reader *r)
{
  const SsbYamlNode *m, *s, *o;
  SsbMeshSpec       *ms = &r->c->mesh;
  SsbSolverSpec     *ss = &r->c->solver;
  SsbOutputSpec     *os = &r->c->output;

  PetscFunctionBeginUser;
  ms->negative   = 10;
  ms->separator  = 10;
  ms->positive   = 20;
  ms->particle   = 15;
  ms->scl_cells  = 48;
  ms->scl_length = 30.0;
  ms->scl_growth = 1.12;
  SsbInCall(GetMapping(r->root, "", "mesh", PETSC_FALSE, &m));
  if (m) {
    SsbInCall(CheckKeys(m, "mesh", keys_mesh, NULL, NULL));
    SsbInCall(GetInt32(m, "mesh", "negative", PETSC_FALSE, 10, 1, SSB_MESH_MAX, &ms->negative));
    SsbInCall(GetInt32(m, "mesh", "separator", PETSC_FALSE, 10, 1, SSB_MESH_MAX, &ms->separator));
    SsbInCall(GetInt32(m, "mesh", "positive", PETSC_FALSE, 20, 1, SSB_MESH_MAX, &ms->positive));
    SsbInCall(GetInt32(m, "mesh", "particle", PETSC_FALSE, 15, 1, SSB_MESH_MAX, &ms->particle));
    SsbInCall(GetInt32(m, "mesh", "space_charge_cells", PETSC_FALSE, 48, 4, SSB_MESH_MAX, &ms->scl_cells));
    {
      /* the model numbers a cell's unknowns in int: a bound on them, whatever the electrode kinds
         (each electrolyte node with a particle and its interface unknowns, a dense film's nodes,
         both resolved space-charge layers) */
      const double nu = (double)(ms->negative + ms->separator + ms->positive) * (ms->particle + 8) + 4.0 * ms->scl_cells + 16;
      if (nu > SSB_CELL_UNKNOWNS_MAX) SsbNodeError(m, "mesh: %d/%d/%d cells with %d per particle give up to %.4g unknowns per cell, more than %.0e: use coarser meshes", ms->negative, ms->separator, ms->positive, ms->particle, nu, (double)SSB_CELL_UNKNOWNS_MAX);
    }
    SsbInCall(GetRanged(m, "mesh", "space_charge_length", U_NONE, PETSC_FALSE, 30.0, RANGE_POSITIVE, &ms->scl_length));
    SsbInCall(GetRanged(m, "mesh", "space_charge_growth", U_NONE, PETSC_FALSE, 1.12, RANGE_POSITIVE, &ms->scl_growth));
    {
      const SsbYamlEntry *en = SsbYamlMapFind(m, "space_charge_length"), *eg = SsbYamlMapFind(m, "space_charge_growth");
      if (en && ms->scl_length < 5) SsbNodeError(en, "mesh.space_charge_length is in Debye lengths and must be >= 5 (the layer must decay inside its domain), got %g", ms->scl_length);
      if (eg && !(ms->scl_growth >= 1 && ms->scl_growth <= 2)) SsbNodeError(eg, "mesh.space_charge_growth must be in [1, 2], got %g", ms->scl_growth);
    }
  }

  ss->rtol      = 1e-6;
  ss->atol      = 1e-9;
  ss->max_steps = 100000;
  SsbInCall(GetMapping(r->root, "", "solver", PETSC_FALSE, &s));
  if (s) {
    const SsbYamlNode *n;
    const char        *po;
    SsbInCall(CheckKeys(s, "solver", keys_solver, NULL, NULL));
    SsbInCall(GetQuantity(s, "solver", "rtol", U_NONE, PETSC_FALSE, 1e-6, &ss->rtol, &n));
    if (n && !(ss->rtol > 0 && ss->rtol < 1)) SsbNodeError(n, "solver.rtol must be in (0, 1), got '%s'", n->value);
    SsbInCall(GetRanged(s, "solver", "atol", U_NONE, PETSC_FALSE, 1e-9, RANGE_POSITIVE, &ss->atol));
    SsbInCall(GetString(s, "solver", "petsc_options", PETSC_FALSE, &po, NULL));
    if (po) PetscCall(PetscStrallocpy(po, &ss->petsc_options));
    SsbInCall(GetInt(s, "solver", "max_steps", PETSC_FALSE, 100000, 1, LONG_MAX, &ss->max_steps));
  }

  os->interval            = 10.0;
  os->profiles_interval   = 60.0;
  os->checkpoint_interval = NAN; /* none */
  SsbInCall(GetMapping(r->root, "", "output", PETSC_FALSE, &o));
  if (o) {
    const SsbYamlNode  *fn;
    const SsbYamlEntry *pe;
    const char         *f;
    SsbInCall(CheckKeys(o, "output", keys_output, NULL, NULL));
    SsbInCall(GetString(o, "output", "file", PETSC_FALSE, &f, &fn));
    if (fn && !f[0]) SsbNodeError(fn, "output.file must not be empty");
    PetscCall(PetscStrallocpy(f ? f : "results.h5", &os->file));
    SsbInCall(GetStringCopy(o, "output", "csv", "results.csv", &os->csv));
    SsbInCall(GetRanged(o, "output", "interval", U_TIME, PETSC_FALSE, 10.0, RANGE_NONNEGATIVE, &os->interval));
    SsbInCall(GetRanged(o, "output", "profiles_interval", U_TIME, PETSC_FALSE, 60.0, RANGE_NONNEGATIVE, &os->profiles_interval));
    SsbInCall(GetRanged(o, "output", "checkpoint_interval", U_TIME, PETSC_FALSE, NAN, RANGE_POSITIVE, &os->checkpoint_interval));
    SsbInCall(GetString(o, "output", "checkpoint", PETSC_FALSE, &f, &fn));
    if (fn && !f[0]) SsbNodeError(fn, "output.checkpoint must not be empty");
    if (f) PetscCall(PetscStrallocpy(f, &os->checkpoint));
    SsbInCall(GetChoice(o, "output", "checkpoint_at_end", no_yes, PETSC_FALSE, 0, &os->checkpoint_at_end, NULL));
    SsbInCall(GetEntry(o, "output", "particle_positions", PETSC_FALSE, &pe));
    if (pe) {
      SsbInCall(ExpectKind(pe->value, SSB_YAML_SEQUENCE, "output.particle_positions"));
      PetscCall(PetscMalloc1(pe->value->n + 1, &os->particle_positions));
      os->nparticle_positions = 0;
      for (int i = 0; i < pe->value->n; i++) {
        const SsbYamlNode *it = pe->value->entries[i].value;
        double             v;
        if (it->kind != SSB_YAML_SCALAR || !SsbParseNumber(it->value, &v)) SsbNodeError(it, "output.particle_positions[%d]: expected a number in [0, 1]", i);
        if (!(v >= 0 && v <= 1)) SsbNodeError(it, "output.particle_positions[%d] must be in [0, 1] (a fraction of a composite electrode's thickness), got '%s'", i, it->value);
        os->particle_positions[os->nparticle_positions++] = v;
      }
    }
  } else {
    PetscCall(PetscStrallocpy("results.h5", &os->file));
    PetscCall(PetscStrallocpy("results.csv", &os->csv));
  }
  if (!os->particle_positions) {
    PetscCall(PetscMalloc1(3, &os->particle_positions));
    os->particle_positions[0] = 0.0;
    os->particle_positions[1] = 0.5;
    os->particle_positions[2] = 1.0;
    os->nparticle_positions   = 3;
  }
  PetscFunctionReturn(0);
}

/* ---- includes ------------------------------------------------------------------------------------------ */

static PetscErrorCode AddFile(SsbCase *c, const char *path, const char **stored)
{
  char **nf;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(c->nfiles + 1, &nf));
  if (c->nfiles) PetscCall(PetscArraycpy(nf, c->files, c->nfiles));
  PetscCall(PetscFree(c->files));
  c->files = nf;
  PetscCall(PetscStrallocpy(path, &c->files[c->nfiles]));
  *stored = c->files[c->nfiles++];
  PetscFunctionReturn(0);
}

static PetscErrorCode IncludeFile(Reader *r, const char *from, const SsbYamlNode *item, int depth, SsbYamlNode *dest);

/* Resolve the `include` entry of tree (read from file `from`) into dest (a materials mapping). */
static PetscErrorCode ProcessIncludes(Reader *r, const SsbYamlNode *tree, const char *from, int depth, SsbYamlNode *dest)
{
  const SsbYamlEntry *inc = SsbYamlMapFind(tree, "include");

  PetscFunctionBeginUser;
  if (!inc || SsbYamlIsNull(inc->value)) PetscFunctionReturn(0);
  if (inc->value->kind == SSB_YAML_SCALAR)
    SsbInCall(IncludeFile(r, from, inc->value, depth, dest));
  else if (inc->value->kind == SSB_YAML_SEQUENCE) {
    for (int i = 0; i < inc->value->n; i++) {
      const SsbYamlNode *it = inc->value->entries[i].value;
      if (it->kind != SSB_YAML_SCALAR || SsbYamlIsNull(it)) SsbNodeError(it, "include[%d] must be a file name", i);
      SsbInCall(IncludeFile(r, from, it, depth, dest));
    }
  } else
    SsbNodeError(inc->value, "include must be a file name or a list of file names, got a mapping");
  PetscFunctionReturn(0);
}

/* Merge the materials of one parsed file into dest; duplicates are errors naming both places. */
static PetscErrorCode MergeMaterials(const SsbYamlNode *mats, SsbYamlNode *dest)
{
  PetscFunctionBeginUser;
  for (int i = 0; i < mats->n; i++) {
    const SsbYamlEntry *e    = &mats->entries[i];
    const SsbYamlEntry *prev = SsbYamlMapFind(dest, e->key);
    SsbYamlNode        *copy;
    if (prev) SsbNodeError(e, "duplicate material '%s' (also defined at %s:%d:%d)", e->key, prev->file, prev->line, prev->col);
    PetscCall(SsbYamlNodeCopy(e->value, &copy));
    PetscCall(SsbYamlNodeAppend(dest, e->key, e->file, e->line, e->col, copy));
  }
  PetscFunctionReturn(0);
}

static const char *const keys_material_file[] = {"materials", "include", NULL};

static PetscErrorCode IncludeBody(Reader *r, const SsbYamlNode *item, const char *label, SsbYamlNode *tree, int depth, SsbYamlNode *dest)
{
  const SsbYamlNode *mats;

  PetscFunctionBeginUser;
  if (!tree) SsbNodeError(item, "included file '%s' is empty", label);
  SsbInCall(ExpectKind(tree, SSB_YAML_MAPPING, "a material file"));
  SsbInCall(CheckKeys(tree, "", keys_material_file, NULL, NULL));
  SsbInCall(ProcessIncludes(r, tree, label, depth + 1, dest));
  SsbInCall(GetMapping(tree, "", "materials", PETSC_FALSE, &mats));
  if (mats) SsbInCall(MergeMaterials(mats, dest));
  PetscFunctionReturn(0);
}

static PetscErrorCode IncludeFile(Reader *r, const char *from, const SsbYamlNode *item, int depth, SsbYamlNode *dest)
{
  char          *path;
  const char    *slash = strrchr(from, '/'), *label;
  size_t         dlen  = (item->value[0] == '/' || !slash) ? 0 : (size_t)(slash - from + 1);
  char          *text, msg[MSG_LEN];
  SsbYamlNode   *tree = NULL;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  if (depth >= SSB_INCLUDE_MAX_DEPTH) SsbNodeError(item, "includes are nested deeper than %d levels (does a file include itself?)", SSB_INCLUDE_MAX_DEPTH);
  PetscCall(PetscMalloc1(dlen + strlen(item->value) + 1, &path));
  memcpy(path, from, dlen);
  strcpy(path + dlen, item->value);
  for (int i = 0; i < r->c->nfiles; i++)
    if (!strcmp(r->c->files[i], path)) { /* already included (or the case file itself): once is enough */
      PetscCall(PetscFree(path));
      PetscFunctionReturn(0);
    }
  if (SsbYamlReadText(path, &text, msg, sizeof msg, NULL, NULL)) {
    char full[2 * MSG_LEN];
    snprintf(full, sizeof full, "cannot read included file '%s' (looked for '%s'): %s", item->value, path, msg);
    PetscCall(PetscFree(path));
    SsbNodeError(item, "%s", full);
  }
  PetscCall(AddFile(r->c, path, &label));
  PetscCall(PetscFree(path));
  ierr = SsbYamlParseString(text, label, &tree);
  PetscCall(PetscFree(text));
  SsbInCall(ierr);
  ierr = IncludeBody(r, item, label, tree, depth, dest);
  PetscCall(SsbYamlNodeDestroy(&tree));
  SsbInCall(ierr);
  PetscFunctionReturn(0);
}

/* Includes of the case file; the result replaces `include` by `materials` (in its place if the
   case had no `materials` of its own). */
static PetscErrorCode ResolveIncludes(Reader *r)
{
  SsbYamlEntry *inc = SsbYamlMapFind(r->root, "include");
  SsbYamlEntry *mat;

  PetscFunctionBeginUser;
  if (!inc) PetscFunctionReturn(0);
  mat = SsbYamlMapFind(r->root, "materials");
  if (mat) {
    SsbInCall(ExpectKind(mat->value, SSB_YAML_MAPPING, "materials"));
    SsbInCall(ProcessIncludes(r, r->root, r->c->files[0], 0, mat->value));
    PetscCall(SsbYamlMapRemove(r->root, "include"));
  } else {
    SsbYamlNode   *dest;
    PetscErrorCode ierr;
    PetscCall(SsbYamlNodeCreate(SSB_YAML_MAPPING, NULL, inc->file, inc->line, inc->col, &dest));
    ierr = ProcessIncludes(r, r->root, r->c->files[0], 0, dest);
    if (ierr) {
      PetscCall(SsbYamlNodeDestroy(&dest));
      SsbInCall(ierr);
    }
    inc = SsbYamlMapFind(r->root, "include");
    PetscCall(SsbYamlNodeDestroy(&inc->value));
    PetscCall(PetscFree(inc->key));
    PetscCall(PetscStrallocpy("materials", &inc->key));
    inc->value = dest;
  }
  PetscFunctionReturn(0);
}

/* ---- top level ------------------------------------------------------------------------------------------ */

static const char *const keys_top[] = {"ssbsim", "title", "include", "materials", "cell", "stack", "thermal", "experiment", "mesh", "solver", "output", "packaging", NULL};

/* An expression must have a finite value and derivative wherever the model samples it (SsbFuncSetUp:
   x in [0, 1] for intercalation functions, c in [0, 5 concentration] for an electrolyte's, at the
   initial temperature; an OCP also 1 K either side for dU/dT when no entropic coefficient is given):
   'sqrt(x)' or '1/(x - 0.5)' are input errors here, at the key, not failures of the model set-up. */
static PetscErrorCode CheckFunction(Reader *r, const SsbMaterial *mat, const char *key, const SsbFunc *f, double hi, int dT)
{
  const SsbYamlEntry *ms = SsbYamlMapFind(r->root, "materials"), *me = ms ? SsbYamlMapFind(ms->value, mat->name) : NULL;
  const SsbYamlEntry *ke = me ? SsbYamlMapFind(me->value, key) : NULL;
  const double        T  = r->c->thermal.initial_temperature;
  const PetscBool     el = mat->kind == SSB_MATERIAL_ELECTROLYTE ? PETSC_TRUE : PETSC_FALSE;

  PetscFunctionBeginUser;
  if (f->kind != SSB_FUNC_EXPRESSION || !ke) PetscFunctionReturn(PETSC_SUCCESS);
  for (int j = 0; j <= 2 * dT; j++) {
    const int d = j == 0 ? 0 : (j == 1 ? -1 : 1); /* T first, then T - 1 K and T + 1 K */
    double    x_bad;
    PetscCall(SsbFuncCheckFinite(f, 0.0, hi, T + d, 0, &x_bad));
    if (!isnan(x_bad)) {
      const SsbYamlNode *n = ke->value;
      SsbNodeError(n, "materials.%s.%s: expression '%s' or its derivative is not finite at %s = %g (T = %g K); it must be finite for every %s in [0, %g]%s", mat->name, key, n->kind == SSB_YAML_SCALAR ? n->value : f->expr, el ? "c" : "x", x_bad, T + d, el ? "c" : "x", hi, el ? " mol/m^3 (5 times the concentration)" : "");
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CheckFunctions(Reader *r)
{
  PetscFunctionBeginUser;
  for (int side = 0; side < 2; side++) {
    /* a space-charge step: finite with its derivative for every x in [0, 1], and within the 700 RT/F
       (18 V at 25 degC) the layer model solves for, at any x as the model samples it: input errors
       here, not failures of the set-up or the run */
    const SsbFunc      *f  = side ? r->c->cell.ifc_pos.scl_step : r->c->cell.ifc_neg.scl_step;
    const SsbYamlEntry *ce = SsbYamlMapFind(r->root, "cell"), *ie = ce ? SsbYamlMapFind(ce->value, "interfaces") : NULL;
    const SsbYamlEntry *se = ie ? SsbYamlMapFind(ie->value, side ? "positive" : "negative") : NULL;
    const SsbYamlEntry *ke = se ? SsbYamlMapFind(se->value, "space_charge_step") : NULL;
    const double        T = r->c->thermal.initial_temperature, vmax = 700 * SSB_GAS_CONSTANT * T / SSB_FARADAY;
    const char         *sn = side ? "positive" : "negative";
    SsbFunc             g;
    double              x_bad, worst = 0, xw = 0;
    if (!f || !ke) continue;
    if (f->kind == SSB_FUNC_EXPRESSION) {
      PetscCall(SsbFuncCheckFinite(f, 0.0, 1.0, T, 0, &x_bad));
      if (!isnan(x_bad)) SsbNodeError(ke->value, "cell.interfaces.%s.space_charge_step: expression '%s' or its derivative is not finite at x = %g (T = %g K); it must be finite for every x in [0, 1]", sn, ke->value->kind == SSB_YAML_SCALAR ? ke->value->value : f->expr, x_bad, T);
    }
    PetscCall(SsbFuncCopy(f, &g));
    PetscCall(SsbFuncSetUp(&g, 0.0, 1.0, T, 0));
    if (g.kind == SSB_FUNC_CONSTANT) worst = fabs(g.value);
    for (int k = 0; g.kind != SSB_FUNC_CONSTANT && k <= g.m; k++)
      if (fabs(g.py[k]) > worst) worst = fabs(g.py[k]), xw = g.px[k];
    PetscCall(SsbFuncDestroy(&g));
    if (worst > vmax && f->kind == SSB_FUNC_CONSTANT) SsbNodeError(ke->value, "cell.interfaces.%s.space_charge_step is %g V; the space-charge layer is solved for steps up to 700 RT/F = %.4g V in magnitude at %g K", sn, f->value, vmax, T);
    if (worst > vmax) SsbNodeError(ke->value, "cell.interfaces.%s.space_charge_step reaches %g V in magnitude at x = %g; the space-charge layer is solved for steps up to 700 RT/F = %.4g V at %g K", sn, worst, xw, vmax, T);
  }
  for (int i = 0; i < r->c->nmaterials; i++) {
    const SsbMaterial *m = &r->c->materials[i];
    if (strchr(m->name, '@')) continue; /* a stack cell's copy: read from the same keys */
    if (m->kind == SSB_MATERIAL_INTERCALATION) {
      SsbInCall(CheckFunction(r, m, "ocp", &m->ins.ocp, 1.0, m->ins.entropic.kind == SSB_FUNC_NONE ? 1 : 0));
      SsbInCall(CheckFunction(r, m, "entropic_coefficient", &m->ins.entropic, 1.0, 0));
      SsbInCall(CheckFunction(r, m, "diffusivity", &m->ins.diffusivity, 1.0, 0));
    } else if (m->kind == SSB_MATERIAL_ELECTROLYTE && m->el.transport != SSB_TRANSPORT_DISSOCIATION) {
      const double chi = 5 * m->el.concentration;
      SsbInCall(CheckFunction(r, m, "conductivity", &m->el.conductivity, chi, 0));
      if (m->el.transport == SSB_TRANSPORT_BINARY) {
        SsbInCall(CheckFunction(r, m, "diffusivity", &m->el.diffusivity, chi, 0));
        SsbInCall(CheckFunction(r, m, "transference_number", &m->el.transference_number, chi, 0));
        SsbInCall(CheckFunction(r, m, "thermodynamic_factor", &m->el.thermodynamic_factor, chi, 0));
      }
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadTop(Reader *r, int nset, const char *const *sets)
{
  SsbCase           *c = r->c;
  const SsbYamlNode *n;
  const char        *title;
  long               version;

  PetscFunctionBeginUser;
  if (!r->root) PetscFunctionReturn(SsbInputError(c->files[0], 1, 0, "the case file is empty (no YAML content)"));
  SsbInCall(ExpectKind(r->root, SSB_YAML_MAPPING, ""));
  SsbInCall(ResolveIncludes(r));
  if (nset > 0) PetscCall(PetscCalloc1(nset, &r->labels));
  for (int i = 0; i < nset; i++) {
    size_t len = strlen(sets[i]) + 8;
    PetscCall(PetscMalloc1(len, &r->labels[i]));
    snprintf(r->labels[i], len, "--set %s", sets[i]);
    r->nlabels++;
    SsbInCall(SsbYamlApplySet(r->root, sets[i], r->labels[i], c->files[0]));
  }
  {
    const SsbYamlEntry *inc = SsbYamlMapFind(r->root, "include");
    if (inc) SsbNodeError(inc, "include cannot be given with --set; add it to the case file");
  }
  PetscCall(SsbYamlEmit(r->root, &c->text));
  SsbInCall(CheckKeys(r->root, "", keys_top, NULL, NULL));
  SsbInCall(GetInt(r->root, "", "ssbsim", PETSC_FALSE, 1, 0, LONG_MAX, &version));
  if (version != 1) {
    SsbInCall(GetScalar(r->root, "", "ssbsim", PETSC_TRUE, &n));
    SsbNodeError(n, "ssbsim: case format version %ld is not supported (this version reads format 1)", version);
  }
  SsbInCall(GetString(r->root, "", "title", PETSC_FALSE, &title, NULL));
  if (title) PetscCall(PetscStrallocpy(title, &c->title));
  SsbInCall(ReadMaterials(r));
  SsbInCall(ReadCell(r));
  SsbInCall(ReadStack(r));
  SsbInCall(ReadThermal(r));
  SsbInCall(CheckFunctions(r));
  SsbInCall(ReadExperiment(r));
  SsbInCall(ReadMeshSolverOutput(r));
  SsbInCall(ReadPackaging(r));
  PetscFunctionReturn(0);
}

static PetscErrorCode CaseRead(const char *path, const char *text, int npaths, const char *const *paths, int nset, const char *const *sets, SsbCase **case_out)
{
  Reader         r;
  SsbCase       *c;
  const char    *label;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  *case_out = NULL;
  PetscCheck(path, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "no case file given");
  PetscCall(PetscMemzero(&r, sizeof(r)));
  PetscCall(PetscNew(&c));
  r.c      = c;
  r.npaths = npaths;
  r.paths  = paths;
  PetscCall(PetscStrallocpy(path, &c->path));
  PetscCall(AddFile(c, path, &label));
  ierr = text ? SsbYamlParseString(text, label, &r.root) : SsbYamlParseFile(path, label, &r.root);
  if (!ierr) ierr = ReadTop(&r, nset, sets);
  PetscCall(SsbYamlNodeDestroy(&r.root));
  for (int i = 0; i < r.nlabels; i++) PetscCall(PetscFree(r.labels[i]));
  PetscCall(PetscFree(r.labels));
  if (ierr) {
    PetscCall(SsbCaseDestroy(&c));
    if (ierr == SSB_ERR_INPUT) return SSB_ERR_INPUT;
    PetscCall(ierr);
  }
  *case_out = c;
  PetscFunctionReturn(0);
}

PetscErrorCode SsbCaseRead(const char *path, int nset, const char *const *sets, SsbCase **case_out)
{
  return CaseRead(path, NULL, 0, NULL, nset, sets, case_out);
}

/* The resolved text of a case (SsbCase.text, stored in results and checkpoint files) read as if it
   were the file `path`. The text no longer says which profile paths came from --set (relative to the
   working directory) and which from the file (relative to it): paths[i], when given, is step i's
   profile file as the original read resolved it (SsbStep.profile_file). */
PetscErrorCode SsbCaseReadText(const char *path, const char *text, int npaths, const char *const *paths, SsbCase **case_out)
{
  return CaseRead(path, text, npaths, paths, 0, NULL, case_out);
}

PetscErrorCode SsbCaseDestroy(SsbCase **case_ptr)
{
  SsbCase *c;

  PetscFunctionBeginUser;
  if (!case_ptr || !*case_ptr) PetscFunctionReturn(0);
  c = *case_ptr;
  for (int i = 0; i < c->nmaterials; i++) {
    SsbMaterial *m = &c->materials[i];
    PetscCall(PetscFree(m->source));
    PetscCall(SsbFuncDestroy(&m->ins.ocp));
    PetscCall(SsbFuncDestroy(&m->ins.entropic));
    PetscCall(SsbFuncDestroy(&m->ins.diffusivity));
    PetscCall(SsbFuncDestroy(&m->el.conductivity));
    PetscCall(SsbFuncDestroy(&m->el.diffusivity));
    PetscCall(SsbFuncDestroy(&m->el.transference_number));
    PetscCall(SsbFuncDestroy(&m->el.thermodynamic_factor));
  }
  PetscCall(PetscFree(c->materials));
  for (int i = 0; i < c->nfuncs; i++) {
    PetscCall(SsbFuncDestroy(c->funcs[i]));
    PetscCall(PetscFree(c->funcs[i]));
  }
  PetscCall(PetscFree(c->funcs));
  for (int i = 0; i < c->stack.nvariations; i++) {
    SsbVariationSpec *v = &c->stack.variations[i];
    for (int j = 0; j < v->nset; j++) {
      if (v->set_keys) PetscCall(PetscFree(v->set_keys[j]));
      if (v->set_values) PetscCall(PetscFree(v->set_values[j]));
    }
    PetscCall(PetscFree2(v->set_keys, v->set_values));
    PetscCall(PetscFree(v->cells));
    PetscCall(PetscFree(v->parameter));
  }
  PetscCall(PetscFree(c->stack.variations));
  PetscCall(PetscFree(c->stack.cell));
  for (int i = 0; i < c->stack.nrealized; i++) PetscCall(PetscFree(c->stack.realized_names[i]));
  PetscCall(PetscFree(c->stack.realized_names));
  PetscCall(PetscFree(c->stack.realized));
  for (int i = 0; i < c->experiment.nsteps; i++) {
    PetscCall(PetscFree(c->experiment.steps[i].text));
    PetscCall(PetscFree(c->experiment.steps[i].profile_file));
    if (c->experiment.steps[i].profile_t) PetscCall(PetscFree2(c->experiment.steps[i].profile_t, c->experiment.steps[i].profile_v));
  }
  PetscCall(PetscFree(c->experiment.steps));
  for (int i = 0; i < c->nfiles; i++) PetscCall(PetscFree(c->files[i]));
  PetscCall(PetscFree(c->files));
  PetscCall(PetscFree(c->path));
  PetscCall(PetscFree(c->title));
  PetscCall(PetscFree(c->text));
  PetscCall(PetscFree(c->solver.petsc_options));
  PetscCall(PetscFree(c->output.file));
  PetscCall(PetscFree(c->output.csv));
  PetscCall(PetscFree(c->output.checkpoint));
  PetscCall(PetscFree(c->output.particle_positions));
  PetscCall(PetscFree(c));
  *case_ptr = NULL;
  PetscFunctionReturn(0);
}

const SsbMaterial *SsbCaseFindMaterial(const SsbCase *c, const char *name)
{
  if (!c || !name) return NULL;
  for (int i = 0; i < c->nmaterials; i++)
    if (!strcmp(c->materials[i].name, name)) return &c->materials[i];
  return NULL;
}
