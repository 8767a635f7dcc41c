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
} Reader;

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
    if (hi >= INT_MAX) SsbNodeError(n, "%s must be at least %ld, got '%s'", name, lo, n->value);
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

static const char *const material_kinds[] = {"intercalation", "lithium_metal", "electrolyte", NULL};
static const char *const transports[]     = {"single_ion", "binary", "dissociation", NULL};

static const char *const keys_intercalation[] = {"kind", "source", "max_concentration", "ocp", "entropic_coefficient", "diffusivity", "diffusivity_activation_energy", "rate_constant", "exchange_current_density", "exchange_current_stoichiometry", "transfer_coefficient", "kinetics_activation_energy", "electronic_conductivity", "stoichiometry_charged", "stoichiometry_discharged", "specific_capacity", "density", "heat_capacity", "thermal_conductivity", NULL};
static const char *const keys_lithium[]       = {"kind", "source", "exchange_current_density", "rate_constant", "transfer_coefficient", "kinetics_activation_energy", "density", "molar_mass", "heat_capacity", "thermal_conductivity", NULL};
static const char *const keys_electrolyte[]   = {"kind", "source", "transport", "conductivity", "conductivity_activation_energy", "concentration", "electronic_conductivity", "diffusivity", "transference_number", "thermodynamic_factor", "diffusivity_activation_energy", "total_concentration", "dissociation_fraction", "recombination_rate_constant", "cation_diffusivity", "anion_diffusivity", "density", "heat_capacity", "thermal_conductivity", NULL};
static const char *const keys_material_all[]  = {"kind", "source", "max_concentration", "ocp", "entropic_coefficient", "diffusivity", "diffusivity_activation_energy", "rate_constant", "exchange_current_density", "exchange_current_stoichiometry", "transfer_coefficient", "kinetics_activation_energy", "electronic_conductivity", "stoichiometry_charged", "stoichiometry_discharged", "specific_capacity", "density", "heat_capacity", "thermal_conductivity", "molar_mass", "transport", "conductivity", "conductivity_activation_energy", "concentration", "transference_number", "thermodynamic_factor", "total_concentration", "dissociation_fraction", "recombination_rate_constant", "cation_diffusivity", "anion_diffusivity", NULL};
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
    const char *const *valid = kind == 0 ? keys_intercalation : kind == 1 ? keys_lithium
                                                                          : keys_electrolyte;
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

  if (mat->kind == SSB_MATERIAL_INTERCALATION) {
    SsbIntercalation  *p = &mat->ins;
    const SsbYamlNode *nc, *nd;
    SsbInCall(GetRanged(m, where, "max_concentration", U_CONC, PETSC_TRUE, NAN, RANGE_POSITIVE, &p->c_max));
    SsbInCall(GetFunc(m, where, "ocp", U_VOLT, PETSC_FALSE, PETSC_TRUE, PETSC_FALSE, &p->ocp));
    SsbInCall(GetFunc(m, where, "entropic_coefficient", U_ENTROPIC, PETSC_FALSE, PETSC_FALSE, PETSC_FALSE, &p->entropic));
    SsbInCall(GetFunc(m, where, "diffusivity", U_DIFF, PETSC_FALSE, PETSC_TRUE, PETSC_TRUE, &p->diffusivity));
    SsbInCall(GetQuantity(m, where, "diffusivity_activation_energy", U_MOLAR_E, PETSC_FALSE, 0.0, &p->diffusivity_Ea, NULL));
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
static const char *const keys_electrode_all[]   = {"kind", "material", "electrolyte", "thickness", "volume_fractions", "particle_radius", "electronic_conductivity", "bruggeman_exponent", "initial_stoichiometry", NULL};
static const char *const keys_electrode_li[]    = {"kind", "material", "thickness", NULL};
static const char *const keys_electrode_dense[] = {"kind", "material", "thickness", "electronic_conductivity", "initial_stoichiometry", NULL};
static const char *const keys_fractions[]       = {"active", "electrolyte", "conductive", NULL};
/* composite-only keys: a dense electrode is a film of active material only */
static const char *const keys_composite_only[] = {"volume_fractions", "particle_radius", "bruggeman_exponent", "electrolyte", NULL};

static PetscErrorCode ReadElectrode(Reader *r, const SsbYamlNode *cell, const char *key, SsbElectrode *e)
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
  e->electrolyte = r->c->cell.sep.electrolyte;
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
static const char *const keys_interface[]  = {"double_layer_capacitance", "film_resistance", "space_charge", "coating", NULL};
static const char *const keys_coating[]    = {"material", "thickness", NULL};
static const char *const scl_kinds[]       = {"none", "compact", "resolved", NULL};

/* cell.interfaces.negative / .positive into cl->ifc_neg / ifc_pos (defaults 0, 0, none). Space
   charge other than none and coatings are stored or checked, and reported as not solved. */
static PetscErrorCode ReadInterfaces(const SsbYamlNode *cell, SsbCell *cl)
{
  const SsbYamlNode *ifs;

  PetscFunctionBeginUser;
  cl->ifc_neg = cl->ifc_pos = (SsbInterfaceSpec){0.0, 0.0, SSB_SPACE_CHARGE_NONE};
  SsbInCall(GetMapping(cell, "cell", "interfaces", PETSC_FALSE, &ifs));
  if (!ifs) PetscFunctionReturn(0);
  SsbInCall(CheckKeys(ifs, "cell.interfaces", keys_interfaces, NULL, NULL));
  for (int i = 0; i < ifs->n; i++) {
    const SsbYamlNode *f  = ifs->entries[i].value, *co, *n, *sn;
    SsbInterfaceSpec  *is = !strcmp(ifs->entries[i].key, "negative") ? &cl->ifc_neg : &cl->ifc_pos;
    char               w[64], cw[80];
    int                scl;
    const char        *s;
    double             v;
    snprintf(w, sizeof w, "cell.interfaces.%s", ifs->entries[i].key);
    SsbInCall(ExpectKind(f, SSB_YAML_MAPPING, w));
    SsbInCall(CheckKeys(f, w, keys_interface, NULL, NULL));
    SsbInCall(GetRanged(f, w, "double_layer_capacitance", U_AREACAP, PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &is->double_layer_capacitance));
    SsbInCall(GetRanged(f, w, "film_resistance", U_AREARES, PETSC_FALSE, 0.0, RANGE_NONNEGATIVE, &is->film_resistance));
    SsbInCall(GetChoice(f, w, "space_charge", scl_kinds, PETSC_FALSE, 0, &scl, &sn));
    is->space_charge = (SsbSpaceCharge)scl;
    if (scl != SSB_SPACE_CHARGE_NONE) PetscCall(SsbInputWarning(sn->file, sn->line, sn->col, "%s.space_charge '%s' is not solved by this version (the interface has no space-charge layer)", w, scl_kinds[scl]));
    SsbInCall(GetMapping(f, w, "coating", PETSC_FALSE, &co));
    if (co) {
      const SsbYamlEntry *ce = SsbYamlMapFind(f, "coating");
      snprintf(cw, sizeof cw, "%s.coating", w);
      SsbInCall(CheckKeys(co, cw, keys_coating, NULL, NULL));
      SsbInCall(GetString(co, cw, "material", PETSC_TRUE, &s, &n));
      SsbInCall(GetRanged(co, cw, "thickness", U_LENGTH, PETSC_TRUE, NAN, RANGE_POSITIVE, &v));
      PetscCall(SsbInputWarning(ce->file, ce->line, ce->col, "%s is not used by this version (coatings are not solved)", cw));
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadCell(Reader *r)
{
  const SsbYamlNode *cell, *sep, *n;
  SsbCell           *cl = &r->c->cell;

  PetscFunctionBeginUser;
  SsbInCall(GetMapping(r->root, "", "cell", PETSC_TRUE, &cell));
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
  SsbInCall(ReadElectrode(r, cell, "negative", &cl->neg));
  SsbInCall(ReadElectrode(r, cell, "positive", &cl->pos));
  SsbInCall(ReadInterfaces(cell, cl));
  PetscFunctionReturn(0);
}

/* ---- stack, thermal ---------------------------------------------------------------------------------- */

static const char *const keys_stack[]     = {"cells", "bipolar_plate", "end_plates", "variation", NULL};
static const char *const keys_plate[]     = {"material", "thickness", "contact_resistance", NULL};
static const char *const keys_variation[] = {"cells", "set", "parameter", "distribution", "cv", "seed", NULL};
static const char *const distributions[]  = {"normal", "lognormal", "uniform", NULL};

static PetscErrorCode ReadStack(Reader *r)
{
  const SsbYamlNode *st, *n;
  long               cells;

  PetscFunctionBeginUser;
  r->c->stack.cells = 1;
  SsbInCall(GetMapping(r->root, "", "stack", PETSC_FALSE, &st));
  if (!st) PetscFunctionReturn(0);
  SsbInCall(CheckKeys(st, "stack", keys_stack, NULL, NULL));
  SsbInCall(GetInt(st, "stack", "cells", PETSC_FALSE, 1, 1, 1000000, &cells));
  if (cells != 1) {
    SsbInCall(GetScalar(st, "stack", "cells", PETSC_TRUE, &n));
    SsbNodeError(n, "stack.cells: only 1 cell is supported in this version");
  }
  r->c->stack.cells = (int)cells;
  for (int k = 0; k < 2; k++) {
    const char        *key = k ? "end_plates" : "bipolar_plate";
    const SsbYamlNode *p;
    char               w[32];
    const char        *s;
    double             v;
    snprintf(w, sizeof w, "stack.%s", key);
    SsbInCall(GetMapping(st, "stack", key, PETSC_FALSE, &p));
    if (!p) continue;
    SsbInCall(CheckKeys(p, w, keys_plate, NULL, NULL));
    SsbInCall(GetString(p, w, "material", PETSC_FALSE, &s, NULL));
    SsbInCall(GetRanged(p, w, "thickness", U_LENGTH, PETSC_FALSE, 0, RANGE_NONNEGATIVE, &v));
    SsbInCall(GetRanged(p, w, "contact_resistance", U_AREARES, PETSC_FALSE, 0, RANGE_NONNEGATIVE, &v));
    {
      const SsbYamlEntry *e = SsbYamlMapFind(st, key);
      PetscCall(SsbInputWarning(e->file, e->line, e->col, "stack.%s is not used by this version", key));
    }
  }
  {
    const SsbYamlEntry *e;
    SsbInCall(GetEntry(st, "stack", "variation", PETSC_FALSE, &e));
    if (e) {
      SsbInCall(ExpectKind(e->value, SSB_YAML_SEQUENCE, "stack.variation"));
      for (int i = 0; i < e->value->n; i++) {
        const SsbYamlNode *v = e->value->entries[i].value;
        char               w[48];
        int                d;
        double             x;
        snprintf(w, sizeof w, "stack.variation[%d]", i);
        SsbInCall(ExpectKind(v, SSB_YAML_MAPPING, w));
        SsbInCall(CheckKeys(v, w, keys_variation, NULL, NULL));
        SsbInCall(GetChoice(v, w, "distribution", distributions, PETSC_FALSE, 0, &d, NULL));
        SsbInCall(GetRanged(v, w, "cv", U_NONE, PETSC_FALSE, 0, RANGE_NONNEGATIVE, &x));
      }
      PetscCall(SsbInputWarning(e->file, e->line, e->col, "stack.variation is not used by this version"));
    }
  }
  PetscFunctionReturn(0);
}

static const char *const keys_thermal[]    = {"model", "initial_temperature", "boundaries", NULL};
static const char *const thermal_models[]  = {"isothermal", "lumped", "stack", NULL};
static const char *const keys_boundaries[] = {"bottom", "top", NULL};
static const char *const keys_boundary[]   = {"type", "h", "ambient", "temperature", NULL};
static const char *const boundary_types[]  = {"convective", "fixed", "adiabatic", NULL};

static PetscErrorCode ReadThermal(Reader *r)
{
  const SsbYamlNode *th, *b, *mn;
  int                model;

  PetscFunctionBeginUser;
  r->c->thermal.model               = SSB_THERMAL_ISOTHERMAL;
  r->c->thermal.initial_temperature = SSB_T_REF;
  SsbInCall(GetMapping(r->root, "", "thermal", PETSC_FALSE, &th));
  if (!th) PetscFunctionReturn(0);
  SsbInCall(CheckKeys(th, "thermal", keys_thermal, NULL, NULL));
  SsbInCall(GetChoice(th, "thermal", "model", thermal_models, PETSC_FALSE, 0, &model, &mn));
  r->c->thermal.model = (SsbThermalModel)model;
  if (model != SSB_THERMAL_ISOTHERMAL) PetscCall(SsbInputWarning(mn->file, mn->line, mn->col, "thermal.model '%s' is not used by this version; the run is isothermal", thermal_models[model]));
  SsbInCall(GetRanged(th, "thermal", "initial_temperature", U_TEMP, PETSC_FALSE, SSB_T_REF, RANGE_POSITIVE, &r->c->thermal.initial_temperature));
  SsbInCall(GetMapping(th, "thermal", "boundaries", PETSC_FALSE, &b));
  if (b) {
    const SsbYamlEntry *e = SsbYamlMapFind(th, "boundaries");
    SsbInCall(CheckKeys(b, "thermal.boundaries", keys_boundaries, NULL, NULL));
    for (int i = 0; i < b->n; i++) {
      const SsbYamlNode *bc = b->entries[i].value;
      char               w[64];
      int                type;
      double             v;
      snprintf(w, sizeof w, "thermal.boundaries.%s", b->entries[i].key);
      SsbInCall(ExpectKind(bc, SSB_YAML_MAPPING, w));
      SsbInCall(CheckKeys(bc, w, keys_boundary, NULL, NULL));
      SsbInCall(GetChoice(bc, w, "type", boundary_types, PETSC_TRUE, 0, &type, NULL));
      SsbInCall(GetRanged(bc, w, "h", U_HTC, type == 0, 0, RANGE_NONNEGATIVE, &v));
      SsbInCall(GetRanged(bc, w, "ambient", U_TEMP, type == 0, SSB_T_REF, RANGE_POSITIVE, &v));
      SsbInCall(GetRanged(bc, w, "temperature", U_TEMP, type == 1, SSB_T_REF, RANGE_POSITIVE, &v));
    }
    PetscCall(SsbInputWarning(e->file, e->line, e->col, "thermal.boundaries is not used by this version"));
  }
  PetscFunctionReturn(0);
}

/* ---- experiment, mesh, solver, output ----------------------------------------------------------------- */

static const char *const keys_experiment[] = {"steps", "cycles", "limits", NULL};
static const char *const keys_limits[]     = {"cell_voltage_max", "cell_voltage_min", "temperature_max", "time_max", "step_time_max", NULL};

static PetscErrorCode ReadExperiment(Reader *r)
{
  const SsbYamlNode  *ex, *lim;
  const SsbYamlEntry *se;
  SsbExperiment      *xp = &r->c->experiment;
  SsbLimits          *L  = &xp->limits;

  PetscFunctionBeginUser;
  L->cell_voltage_max = L->cell_voltage_min = L->temperature_max = L->time_max = L->step_time_max = NAN;
  xp->cycles                                                                                      = 1;
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
    if (s->kind != SSB_YAML_SCALAR || SsbYamlIsNull(s)) SsbNodeError(s, "experiment.steps[%d] must be a step string like 'Discharge at 1C until 3 V'", i);
    PetscCall(PetscStrallocpy(s->value, &st->text));
    st->line = s->line;
    st->col  = s->col;
    if (SsbStepParse(s->value, st, msg, sizeof msg)) SsbNodeError(s, "experiment.steps[%d] '%s': %s", i, s->value, msg);
  }
  SsbInCall(GetInt32(ex, "experiment", "cycles", PETSC_FALSE, 1, 1, INT_MAX, &xp->cycles));
  SsbInCall(GetMapping(ex, "experiment", "limits", PETSC_FALSE, &lim));
  if (lim) {
    const char        *w = "experiment.limits";
    const SsbYamlNode *nmin;
    SsbInCall(CheckKeys(lim, w, keys_limits, NULL, NULL));
    SsbInCall(GetRanged(lim, w, "cell_voltage_max", U_VOLT, PETSC_FALSE, NAN, RANGE_POSITIVE, &L->cell_voltage_max));
    SsbInCall(GetQuantity(lim, w, "cell_voltage_min", U_VOLT, PETSC_FALSE, NAN, &L->cell_voltage_min, &nmin));
    SsbInCall(CheckRange(nmin, w, "cell_voltage_min", L->cell_voltage_min, RANGE_NONNEGATIVE));
    if (nmin && L->cell_voltage_min >= L->cell_voltage_max) SsbNodeError(nmin, "%s.cell_voltage_min must be below cell_voltage_max", w);
    SsbInCall(GetRanged(lim, w, "temperature_max", U_TEMP, PETSC_FALSE, NAN, RANGE_POSITIVE, &L->temperature_max));
    SsbInCall(GetRanged(lim, w, "time_max", U_TIME, PETSC_FALSE, NAN, RANGE_POSITIVE, &L->time_max));
    SsbInCall(GetRanged(lim, w, "step_time_max", U_TIME, PETSC_FALSE, NAN, RANGE_POSITIVE, &L->step_time_max));
  }
  PetscFunctionReturn(0);
}

static const char *const keys_mesh[]   = {"negative", "separator", "positive", "particle", NULL};
static const char *const keys_solver[] = {"rtol", "atol", "petsc_options", "max_steps", NULL};
static const char *const keys_output[] = {"file", "interval", "profiles_interval", "csv", "particle_positions", NULL};

static PetscErrorCode ReadMeshSolverOutput(Reader *r)
{
  const SsbYamlNode *m, *s, *o;
  SsbMeshSpec       *ms = &r->c->mesh;
  SsbSolverSpec     *ss = &r->c->solver;
  SsbOutputSpec     *os = &r->c->output;

  PetscFunctionBeginUser;
  ms->negative  = 10;
  ms->separator = 10;
  ms->positive  = 20;
  ms->particle  = 15;
  SsbInCall(GetMapping(r->root, "", "mesh", PETSC_FALSE, &m));
  if (m) {
    SsbInCall(CheckKeys(m, "mesh", keys_mesh, NULL, NULL));
    SsbInCall(GetInt32(m, "mesh", "negative", PETSC_FALSE, 10, 1, INT_MAX, &ms->negative));
    SsbInCall(GetInt32(m, "mesh", "separator", PETSC_FALSE, 10, 1, INT_MAX, &ms->separator));
    SsbInCall(GetInt32(m, "mesh", "positive", PETSC_FALSE, 20, 1, INT_MAX, &ms->positive));
    SsbInCall(GetInt32(m, "mesh", "particle", PETSC_FALSE, 15, 1, INT_MAX, &ms->particle));
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

  os->interval          = 10.0;
  os->profiles_interval = 60.0;
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
    SsbInCall(GetEntry(o, "output", "particle_positions", PETSC_FALSE, &pe));
    if (pe) {
      SsbInCall(ExpectKind(pe->value, SSB_YAML_SEQUENCE, "output.particle_positions"));
      PetscCall(PetscMalloc1(pe->value->n + 1, &os->particle_positions));
      os->nparticle_positions = 0;
      for (int i = 0; i < pe->value->n; i++) {
        const SsbYamlNode *it = pe->value->entries[i].value;
        double             v;
        if (it->kind != SSB_YAML_SCALAR || !SsbParseNumber(it->value, &v)) SsbNodeError(it, "output.particle_positions[%d]: expected a number in [0, 1]", i);
        if (!(v >= 0 && v <= 1)) SsbNodeError(it, "output.particle_positions[%d] must be in [0, 1] (a fraction of the positive electrode thickness), got '%s'", i, it->value);
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
  if (SsbYamlReadText(path, &text, msg, sizeof msg)) {
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

static const char *const keys_top[] = {"ssbsim", "title", "include", "materials", "cell", "stack", "thermal", "experiment", "mesh", "solver", "output", NULL};

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
  SsbInCall(ReadExperiment(r));
  SsbInCall(ReadMeshSolverOutput(r));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbCaseRead(const char *path, int nset, const char *const *sets, SsbCase **case_out)
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
  r.c = c;
  PetscCall(PetscStrallocpy(path, &c->path));
  PetscCall(AddFile(c, path, &label));
  ierr = SsbYamlParseFile(path, label, &r.root);
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
  for (int i = 0; i < c->experiment.nsteps; i++) PetscCall(PetscFree(c->experiment.steps[i].text));
  PetscCall(PetscFree(c->experiment.steps));
  for (int i = 0; i < c->nfiles; i++) PetscCall(PetscFree(c->files[i]));
  PetscCall(PetscFree(c->files));
  PetscCall(PetscFree(c->path));
  PetscCall(PetscFree(c->title));
  PetscCall(PetscFree(c->text));
  PetscCall(PetscFree(c->solver.petsc_options));
  PetscCall(PetscFree(c->output.file));
  PetscCall(PetscFree(c->output.csv));
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
