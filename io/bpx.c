/* bpx.c -- `ssbsim import-bpx`: a Battery Parameter eXchange (BPX) JSON set as an ssbsim case file
   and material file (docs/bpx.md: what is mapped, how, and what is not).

   The JSON is read with jansson. Every emitted number carries its unit (SI); every material's
   source names the BPX file and its Header. Nothing is written unless the whole set maps. */
#define _DEFAULT_SOURCE /* realpath; implies POSIX.1-2008 */
#include <ssbsim/ssb_bpx.h>
#include <ssbsim/ssb_func.h>
#include "case_internal.h"
#include <jansson.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growing text buffer ------------------------------------------------------------------------ */
typedef struct {
  char  *s;
  size_t n, cap;
} Buf;

static void BufPrintf(Buf *b, const char *fmt, ...) PETSC_ATTRIBUTE_FORMAT(2, 3);
static void BufPrintf(Buf *b, const char *fmt, ...)
{
  va_list ap;
  int     len;
  va_start(ap, fmt);
  len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (len < 0) return;
  if (b->n + (size_t)len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + (size_t)len + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) abort();
    b->s   = s;
    b->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)len;
}

static void BufFree(Buf *b)
{
  free(b->s);
  memset(b, 0, sizeof(*b));
}

/* A YAML double-quoted string. */
static void BufQuoted(Buf *b, const char *s)
{
  BufPrintf(b, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      BufPrintf(b, "\\%c", *p);
    else if (*p == '\n')
      BufPrintf(b, "\\n");
    else if (*p == '\t')
      BufPrintf(b, "\\t");
    else if (*p < 0x20)
      BufPrintf(b, "\\x%02x", *p);
    else
      BufPrintf(b, "%c", *p);
  }
  BufPrintf(b, "\"");
}

/* The shortest decimal that reads back as v (fixed notation when that is not longer). The text
   lives in one of 16 rotating buffers, so several calls may share one printf. */
static const char *Num(double v)
{
  static char ring[16][48];
  static int  next = 0;
  char       *g    = ring[next], f[48];
  next             = (next + 1) % 16;
  for (int p = 1; p <= 17; p++) {
    snprintf(g, 48, "%.*g", p, v);
    if (strtod(g, NULL) == v) break;
  }
  if (fabs(v) < 1e15 && (v == 0 || fabs(v) >= 1e-4)) {
    for (int d = 0; d <= 17; d++) {
      snprintf(f, sizeof f, "%.*f", d, v);
      if (strtod(f, NULL) == v) {
        if (strlen(f) <= strlen(g)) snprintf(g, 48, "%s", f);
        break;
      }
    }
  }
  return g;
}

/* v to 12 significant digits: products of BPX numbers without the binary noise in the last digits. */
static double Round12(double v)
{
  char b[40];
  snprintf(b, sizeof b, "%.12g", v);
  return strtod(b, NULL);
}

/* ---- import context ----------------------------------------------------------------------------- */
typedef struct {
  const char *file;     /* the JSON file, for messages */
  Buf         unknown;  /* unknown BPX keys, "; "-separated */
  Buf         unmapped; /* known BPX keys that ssbsim does not use */
  int         nunknown, nunmapped;
} Ctx;

#define BpxError(ctx, ...) PetscFunctionReturn(SsbInputError((ctx)->file, 0, 0, __VA_ARGS__))

static void Note(Buf *b, int *n, const char *sec, const char *key)
{
  BufPrintf(b, "%s'%s%s%s'", *n ? ", " : "", sec, sec[0] ? "." : "", key);
  (*n)++;
}

static int InList(const char *key, const char *const *list)
{
  for (; list && *list; list++)
    if (!strcmp(key, *list)) return 1;
  return 0;
}

/* Sort the keys of obj into used (silently), known but not mapped (noted), and unknown (noted). */
static void CheckKeys(Ctx *c, json_t *obj, const char *sec, const char *const *used, const char *const *unmapped)
{
  const char *key;
  json_t     *v;
  if (!json_is_object(obj)) return;
  json_object_foreach(obj, key, v)
  {
    if (InList(key, used)) continue;
    if (InList(key, unmapped))
      Note(&c->unmapped, &c->nunmapped, sec, key);
    else
      Note(&c->unknown, &c->nunknown, sec, key);
  }
}

static PetscErrorCode GetObject(Ctx *c, json_t *parent, const char *sec, const char *key, PetscBool required, json_t **o)
{
  PetscFunctionBeginUser;
  *o = parent ? json_object_get(parent, key) : NULL;
  if (!*o) {
    if (required) BpxError(c, "missing BPX section '%s%s%s'", sec, sec[0] ? "." : "", key);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!json_is_object(*o)) BpxError(c, "%s%s%s: expected a JSON object", sec, sec[0] ? "." : "", key);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A number; NaN if absent and not required. */
static PetscErrorCode GetNumber(Ctx *c, json_t *obj, const char *sec, const char *key, PetscBool required, double *x)
{
  json_t *v = obj ? json_object_get(obj, key) : NULL;
  PetscFunctionBeginUser;
  *x = NAN;
  if (!v) {
    if (required) BpxError(c, "missing BPX key '%s.%s'", sec, key);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!json_is_number(v)) BpxError(c, "%s.%s: expected a number", sec, key);
  *x = json_number_value(v);
  if (!isfinite(*x)) BpxError(c, "%s.%s: not a finite number", sec, key);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode GetString(Ctx *c, json_t *obj, const char *sec, const char *key, const char **s)
{
  json_t *v = obj ? json_object_get(obj, key) : NULL;
  PetscFunctionBeginUser;
  *s = NULL;
  if (!v) PetscFunctionReturn(PETSC_SUCCESS);
  if (!json_is_string(v)) BpxError(c, "%s.%s: expected a string", sec, key);
  *s = json_string_value(v);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- expression translation: a small recursive-descent parser of the Python subset BPX uses -------- */
typedef struct {
  const char *p;
  Buf         out;
  char       *msg;
  size_t      msglen;
} Tr;

static void TrSkip(Tr *t)
{
  while (*t->p == ' ' || *t->p == '\t' || *t->p == '\n' || *t->p == '\r') t->p++;
}

static int TrExpr(Tr *t, Buf *o);

/* atom := NUMBER | NAME | NAME '(' expr ')' | '(' expr ')'. *atomic: the text needs no parentheses
   as the base of ^. */
static int TrAtom(Tr *t, Buf *o)
{
  static const char *const funcs[]    = {"exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan", "asinh", "acosh", "atanh", "abs", "erf", NULL};
  static const char *const alias[][2] = {
    {"arcsin", "asin"},
    {"arccos", "acos"},
    {"arctan", "atan"},
    {"arcsinh", "asinh"},
    {"arccosh", "acosh"},
    {"arctanh", "atanh"},
    {"fabs", "abs"},
    {"absolute", "abs"},
    {NULL, NULL}};
  TrSkip(t);
  if (isdigit((unsigned char)*t->p) || (*t->p == '.' && isdigit((unsigned char)t->p[1]))) {
    const char *s = t->p;
    while (isdigit((unsigned char)*t->p)) t->p++;
    if (*t->p == '.') t->p++;
    while (isdigit((unsigned char)*t->p)) t->p++;
    if ((*t->p == 'e' || *t->p == 'E') && (isdigit((unsigned char)t->p[1]) || ((t->p[1] == '+' || t->p[1] == '-') && isdigit((unsigned char)t->p[2])))) {
      t->p += 2;
      while (isdigit((unsigned char)*t->p)) t->p++;
    }
    if (isalnum((unsigned char)*t->p) || *t->p == '_') {
      snprintf(t->msg, t->msglen, "the number at '%.20s' is not supported", s);
      return 1;
    }
    BufPrintf(o, "%s%.*s%s", *s == '.' ? "0" : "", (int)(t->p - s), s, t->p[-1] == '.' ? "0" : "");
    return 0;
  }
  if (isalpha((unsigned char)*t->p) || *t->p == '_') {
    char name[64];
    int  n = 0;
    while (isalnum((unsigned char)*t->p) || *t->p == '_' || *t->p == '.') {
      if (n < 63) name[n++] = *t->p;
      t->p++;
    }
    name[n]             = 0;
    const char *prefs[] = {"np.", "numpy.", "math.", NULL}, *bare = name;
    for (int i = 0; prefs[i]; i++)
      if (!strncmp(name, prefs[i], strlen(prefs[i]))) bare = name + strlen(prefs[i]);
    if (strchr(bare, '.')) {
      snprintf(t->msg, t->msglen, "'%s' is not supported (only numpy/math functions)", name);
      return 1;
    }
    for (int i = 0; alias[i][0]; i++)
      if (!strcmp(bare, alias[i][0])) bare = alias[i][1];
    TrSkip(t);
    if (*t->p == '(') {
      int log10 = !strcmp(bare, "log10"), log2 = !strcmp(bare, "log2");
      if (!log10 && !log2 && !InList(bare, funcs)) {
        snprintf(t->msg, t->msglen, "the function '%s' has no libmatheval equivalent", name);
        return 1;
      }
      t->p++;
      BufPrintf(o, "%s(", log10 || log2 ? "(log" : bare);
      if (TrExpr(t, o)) return 1;
      TrSkip(t);
      if (*t->p == ',') {
        snprintf(t->msg, t->msglen, "the function '%s' is called with more than one argument", name);
        return 1;
      }
      if (*t->p != ')') {
        snprintf(t->msg, t->msglen, "expected ')' after the argument of '%s'", name);
        return 1;
      }
      t->p++;
      BufPrintf(o, ")%s", log10 ? "/log(10))" : log2 ? "/log(2))"
                                                     : "");
      return 0;
    }
    if (!strcmp(bare, "x") || !strcmp(bare, "T"))
      BufPrintf(o, "%s", bare);
    else if (!strcmp(bare, "pi"))
      BufPrintf(o, "3.141592653589793");
    else if (!strcmp(bare, "e"))
      BufPrintf(o, "2.718281828459045");
    else {
      snprintf(t->msg, t->msglen, "the name '%s' is not defined (the variable is x)", name);
      return 1;
    }
    return 0;
  }
  if (*t->p == '(') {
    t->p++;
    BufPrintf(o, "(");
    if (TrExpr(t, o)) return 1;
    TrSkip(t);
    if (*t->p != ')') {
      snprintf(t->msg, t->msglen, *t->p ? "unexpected '%.12s' (expected ')')" : "missing ')'", t->p);
      return 1;
    }
    t->p++;
    BufPrintf(o, ")");
    return 0;
  }
  if (*t->p)
    snprintf(t->msg, t->msglen, "unexpected '%.12s'", t->p);
  else
    snprintf(t->msg, t->msglen, "the expression ends too early");
  return 1;
}

static int TrUnary(Tr *t, Buf *o, int *atomic, int lead);

/* power := atom ['**' unary]: Python's ** binds tighter than unary minus on its left and is right
   associative; libmatheval's ^ is left associative, so the exponent is parenthesized unless atomic. */
static int TrPower(Tr *t, Buf *o, int *atomic)
{
  Buf a = {0};
  if (TrAtom(t, &a)) {
    BufFree(&a);
    return 1;
  }
  TrSkip(t);
  *atomic = 1;
  if (t->p[0] == '*' && t->p[1] == '*') {
    Buf e = {0};
    int eat;
    t->p += 2;
    if (TrUnary(t, &e, &eat, 0)) {
      BufFree(&a);
      BufFree(&e);
      return 1;
    }
    BufPrintf(o, "%s^%s%s%s", a.s, eat ? "" : "(", e.s, eat ? "" : ")");
    *atomic = 0;
    BufFree(&e);
  } else
    BufPrintf(o, "%s", a.s);
  BufFree(&a);
  return 0;
}

/* unary := ('+'|'-') unary | power. A negation is written in parentheses unless it leads its
   expression (lead): libmatheval's unary minus binds tighter than * and / but looser than ^, as in
   Python, so "-a^b*c" means the same in both. */
static int TrUnary(Tr *t, Buf *o, int *atomic, int lead)
{
  TrSkip(t);
  if (*t->p == '+') {
    t->p++;
    return TrUnary(t, o, atomic, lead);
  }
  if (*t->p == '-') {
    Buf u = {0};
    int at;
    t->p++;
    if (TrUnary(t, &u, &at, 0)) {
      BufFree(&u);
      return 1;
    }
    BufPrintf(o, lead ? "-%s" : "(-%s)", u.s);
    BufFree(&u);
    *atomic = !lead;
    return 0;
  }
  return TrPower(t, o, atomic);
}

static int TrTerm(Tr *t, Buf *o, int lead)
{
  int at;
  if (TrUnary(t, o, &at, lead)) return 1;
  for (;;) {
    TrSkip(t);
    if ((t->p[0] == '*' && t->p[1] != '*') || (t->p[0] == '/' && t->p[1] != '/')) {
      BufPrintf(o, "%c", *t->p++);
      if (TrUnary(t, o, &at, 0)) return 1;
    } else if (t->p[0] == '/' || t->p[0] == '%' || t->p[0] == '@') {
      snprintf(t->msg, t->msglen, "the operator '%.2s' is not supported", t->p);
      return 1;
    } else
      return 0;
  }
}

static int TrExpr(Tr *t, Buf *o)
{
  if (TrTerm(t, o, 1)) return 1;
  for (;;) {
    TrSkip(t);
    if (*t->p == '+' || *t->p == '-') {
      BufPrintf(o, " %c ", *t->p++);
      if (TrTerm(t, o, 0)) return 1;
    } else
      return 0;
  }
}

PetscErrorCode SsbBpxTranslateExpression(const char *in, char *out, size_t outlen, char *msg, size_t msglen)
{
  Tr  t   = {in, {0}, msg, msglen};
  int bad = TrExpr(&t, &t.out);
  PetscFunctionBeginUser;
  if (!bad) {
    TrSkip(&t);
    if (*t.p) {
      snprintf(msg, msglen, "unexpected '%.12s'", t.p);
      bad = 1;
    }
  }
  if (!bad && t.out.n + 1 > outlen) {
    snprintf(msg, msglen, "the expression is too long");
    bad = 1;
  }
  if (!bad) {
    memcpy(out, t.out.s, t.out.n + 1);
    if (SsbFuncCheckExpression(out, msg, msglen)) bad = 1;
  }
  BufFree(&t.out);
  PetscFunctionReturn(bad ? SSB_ERR_INPUT : PETSC_SUCCESS);
}

/* ---- material functions ------------------------------------------------------------------------- */
/* Emit `ykey: <function>` from the BPX value v (number, expression string, or table {x, y}), times
   scale, in unit (SI; "" for dimensionless). */
static PetscErrorCode EmitFunction(Ctx *c, Buf *b, const char *indent, const char *ykey, json_t *v, const char *sec, const char *key, const char *unit, double scale)
{
  PetscFunctionBeginUser;
  if (json_is_number(v)) {
    double x = json_number_value(v) * scale;
    if (!isfinite(x)) BpxError(c, "%s.%s: not a finite number", sec, key);
    BufPrintf(b, "%s%s: %s%s%s\n", indent, ykey, Num(x), unit[0] ? " " : "", unit);
  } else if (json_is_string(v)) {
    const char *s = json_string_value(v);
    char       *end, msg[1024];
    double      x = strtod(s, &end);
    while (end != s && isspace((unsigned char)*end)) end++;
    if (end != s && !*end && isfinite(x)) { /* a number written as a string */
      BufPrintf(b, "%s%s: %s%s%s\n", indent, ykey, Num(x * scale), unit[0] ? " " : "", unit);
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    size_t len = 4 * strlen(s) + 256;
    char  *out = malloc(len), *full = malloc(len + 64);
    if (SsbBpxTranslateExpression(s, out, len, msg, sizeof msg)) {
      PetscErrorCode e = SsbInputError(c->file, 0, 0, "%s.%s: the expression '%s' cannot be translated to ssbsim (libmatheval syntax): %s", sec, key, s, msg);
      free(out);
      free(full);
      PetscFunctionReturn(e);
    }
    if (scale != 1.0)
      snprintf(full, len + 64, "%s*(%s)", Num(scale), out);
    else
      snprintf(full, len + 64, "%s", out);
    BufPrintf(b, "%s%s: ", indent, ykey);
    if (unit[0]) {
      BufPrintf(b, "{expression: ");
      BufQuoted(b, full);
      BufPrintf(b, ", unit: %s}\n", unit);
    } else {
      BufQuoted(b, full);
      BufPrintf(b, "\n");
    }
    free(out);
    free(full);
  } else if (json_is_object(v)) {
    json_t *jx = json_object_get(v, "x"), *jy = json_object_get(v, "y");
    size_t  n;
    int     dir = 0;
    if (!json_is_array(jx) || !json_is_array(jy)) BpxError(c, "%s.%s: a table needs the arrays 'x' and 'y'", sec, key);
    if (json_object_size(v) != 2) BpxError(c, "%s.%s: a table has only the keys 'x' and 'y'", sec, key);
    n = json_array_size(jx);
    if (n != json_array_size(jy)) BpxError(c, "%s.%s: 'x' and 'y' differ in length (%zu and %zu)", sec, key, n, json_array_size(jy));
    if (n < 2) BpxError(c, "%s.%s: a table needs at least 2 points", sec, key);
    for (size_t i = 0; i < n; i++) {
      if (!json_is_number(json_array_get(jx, i)) || !json_is_number(json_array_get(jy, i))) BpxError(c, "%s.%s: table entry %zu is not a number", sec, key, i);
      if (i) {
        double d = json_number_value(json_array_get(jx, i)) - json_number_value(json_array_get(jx, i - 1));
        int    s = d > 0 ? 1 : d < 0 ? -1
                                     : 0;
        if (!s || (dir && s != dir)) BpxError(c, "%s.%s: the table's x values are not strictly monotonic (at entry %zu)", sec, key, i);
        dir = s;
      }
    }
    BufPrintf(b, "%s%s:\n%s  x: [", indent, ykey, indent);
    for (size_t k = 0; k < n; k++) BufPrintf(b, "%s%s", k ? ", " : "", Num(json_number_value(json_array_get(jx, dir > 0 ? k : n - 1 - k))));
    BufPrintf(b, "]\n%s  y: [", indent);
    for (size_t k = 0; k < n; k++) BufPrintf(b, "%s%s", k ? ", " : "", Num(json_number_value(json_array_get(jy, dir > 0 ? k : n - 1 - k)) * scale));
    BufPrintf(b, "]\n%s  interpolation: linear\n", indent);
    if (unit[0]) BufPrintf(b, "%s  unit: %s\n", indent, unit);
    if (dir < 0) BufPrintf(b, "%s  # the BPX table's x decreases: written in increasing order\n", indent);
  } else
    BpxError(c, "%s.%s: expected a number, an expression string or a table {\"x\": [...], \"y\": [...]}", sec, key);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode EmitFunctionKey(Ctx *c, Buf *b, const char *indent, const char *ykey, json_t *obj, const char *sec, const char *key, const char *unit, double scale, PetscBool required)
{
  json_t *v = json_object_get(obj, key);
  PetscFunctionBeginUser;
  if (!v) {
    if (required) BpxError(c, "missing BPX key '%s.%s'", sec, key);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  SsbInCall(EmitFunction(c, b, indent, ykey, v, sec, key, unit, scale));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A JSON value as YAML flow text (User-defined ssbsim materials are copied this way). */
static void EmitJson(Buf *b, json_t *v)
{
  if (json_is_object(v)) {
    const char *k;
    json_t     *x;
    int         first = 1;
    BufPrintf(b, "{");
    json_object_foreach(v, k, x)
    {
      BufPrintf(b, "%s", first ? "" : ", ");
      BufQuoted(b, k);
      BufPrintf(b, ": ");
      EmitJson(b, x);
      first = 0;
    }
    BufPrintf(b, "}");
  } else if (json_is_array(v)) {
    BufPrintf(b, "[");
    for (size_t i = 0; i < json_array_size(v); i++) {
      BufPrintf(b, "%s", i ? ", " : "");
      EmitJson(b, json_array_get(v, i));
    }
    BufPrintf(b, "]");
  } else if (json_is_number(v))
    BufPrintf(b, "%s", Num(json_number_value(v)));
  else if (json_is_string(v))
    BufQuoted(b, json_string_value(v));
  else if (json_is_true(v))
    BufPrintf(b, "true");
  else if (json_is_false(v))
    BufPrintf(b, "false");
  else
    BufPrintf(b, "null");
}

/* A length from User-defined.ssbsim: a number (m) or a string with a unit, copied. */
static PetscErrorCode EmitLength(Ctx *c, Buf *b, json_t *v, const char *key, double bpx)
{
  PetscFunctionBeginUser;
  if (!v)
    BufPrintf(b, "%s m", Num(bpx));
  else if (json_is_number(v))
    BufPrintf(b, "%s m", Num(json_number_value(v)));
  else if (json_is_string(v))
    BufQuoted(b, json_string_value(v));
  else
    BpxError(c, "Parameterisation.User-defined.ssbsim.%s: expected a number (m) or a string such as \"40 um\"", key);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- the import ----------------------------------------------------------------------------------- */
static const char *const kCell[]        = {"Electrode area [m2]", "Number of electrode pairs connected in parallel to make a cell", "Lower voltage cut-off [V]", "Upper voltage cut-off [V]", "Nominal cell capacity [A.h]", "Initial temperature [K]", "Reference temperature [K]", NULL};
static const char *const kCellUnused[]  = {"Ambient temperature [K]", "Specific heat capacity [J.K-1.kg-1]", "Thermal conductivity [W.m-1.K-1]", "Density [kg.m-3]", "External surface area [m2]", "Volume [m3]", NULL};
static const char *const kElyte[]       = {"Initial concentration [mol.m-3]", "Cation transference number", "Conductivity [S.m-1]", "Diffusivity [m2.s-1]", "Conductivity activation energy [J.mol-1]", "Diffusivity activation energy [J.mol-1]", NULL};
static const char *const kElectrode[]   = {"Particle radius [m]", "Thickness [m]", "Diffusivity [m2.s-1]", "OCP [V]", "Entropic change coefficient [V.K-1]", "Conductivity [S.m-1]", "Surface area per unit volume [m-1]", "Porosity", "Transport efficiency", "Reaction rate constant [mol.m-2.s-1]", "Minimum stoichiometry", "Maximum stoichiometry", "Maximum concentration [mol.m-3]", "Diffusivity activation energy [J.mol-1]", "Reaction rate constant activation energy [J.mol-1]", NULL};
static const char *const kElectrodeUn[] = {"OCP (delithiation) [V]", "OCP (lithiation) [V]", "OCP hysteresis decay constant", NULL};
static const char *const kSeparator[]   = {"Thickness [m]", "Porosity", "Transport efficiency", NULL};
static const char *const kSsbsim[]      = {"materials", "electrolyte", "negative_kind", "positive_kind", "negative_material", "positive_material", "negative_thickness", "positive_thickness", "separator_thickness", "initial_soc", NULL};

typedef struct {
  const char *bpxname; /* "Negative electrode" */
  const char *side;    /* "negative" */
  char        sec[64]; /* "Parameterisation.Negative electrode" */
  json_t     *obj;     /* the BPX section (NULL if absent) */
  const char *kind;    /* composite | dense | lithium_metal */
  const char *matname; /* the material the electrode uses */
  char        bpxmat[SSB_NAME_LEN];
  json_t     *thick; /* User-defined thickness, or NULL */
} Side;

/* The BPX intercalation material of one side. */
static PetscErrorCode EmitIntercalation(Ctx *c, Buf *m, Side *s, const char *source)
{
  double cmax, xmin, xmax, k, Ed, Ek;
  int    neg = !strcmp(s->side, "negative");
  PetscFunctionBeginUser;
  SsbInCall(GetNumber(c, s->obj, s->sec, "Maximum concentration [mol.m-3]", PETSC_TRUE, &cmax));
  SsbInCall(GetNumber(c, s->obj, s->sec, "Minimum stoichiometry", PETSC_TRUE, &xmin));
  SsbInCall(GetNumber(c, s->obj, s->sec, "Maximum stoichiometry", PETSC_TRUE, &xmax));
  SsbInCall(GetNumber(c, s->obj, s->sec, "Reaction rate constant [mol.m-2.s-1]", PETSC_TRUE, &k));
  SsbInCall(GetNumber(c, s->obj, s->sec, "Diffusivity activation energy [J.mol-1]", PETSC_FALSE, &Ed));
  SsbInCall(GetNumber(c, s->obj, s->sec, "Reaction rate constant activation energy [J.mol-1]", PETSC_FALSE, &Ek));
  if (!(cmax > 0)) BpxError(c, "%s.Maximum concentration [mol.m-3]: must be > 0", s->sec);
  if (!(xmin >= 0 && xmin <= 1)) BpxError(c, "%s.Minimum stoichiometry: must be in [0, 1]", s->sec);
  if (!(xmax >= 0 && xmax <= 1)) BpxError(c, "%s.Maximum stoichiometry: must be in [0, 1]", s->sec);
  if (!(xmin < xmax)) BpxError(c, "%s.Minimum stoichiometry: must be below the Maximum stoichiometry", s->sec);
  if (!(k > 0)) BpxError(c, "%s.Reaction rate constant [mol.m-2.s-1]: must be > 0", s->sec);
  BufPrintf(m, "  %s:\n    kind: intercalation\n    source: ", s->bpxmat);
  {
    Buf src = {0};
    BufPrintf(&src, "%s BPX '%s' section: active material of the %s electrode. Exchange current from the BPX reaction rate constant (form C, j0 = F k sqrt((c_e/c_e0) x (1 - x))) at x = 0.5, c_e = c_e0 [derived].", source, s->bpxname, s->side);
    BufQuoted(m, src.s);
    BufFree(&src);
  }
  BufPrintf(m, "\n    max_concentration: %s mol/m^3\n", Num(cmax));
  /* for either side the charged end (100 % SOC) is the one of the high cell voltage: the negative's
     lithiated end (the BPX maximum), the positive's delithiated end (the BPX minimum) */
  BufPrintf(m, "    stoichiometry_charged: %s      # BPX %s stoichiometry (100 %% SOC)\n", Num(neg ? xmax : xmin), neg ? "Maximum" : "Minimum");
  BufPrintf(m, "    stoichiometry_discharged: %s   # BPX %s stoichiometry (0 %% SOC)\n", Num(neg ? xmin : xmax), neg ? "Minimum" : "Maximum");
  SsbInCall(EmitFunctionKey(c, m, "    ", "ocp", s->obj, s->sec, "OCP [V]", "V", 1.0, PETSC_TRUE));
  SsbInCall(EmitFunctionKey(c, m, "    ", "entropic_coefficient", s->obj, s->sec, "Entropic change coefficient [V.K-1]", "V/K", 1.0, PETSC_FALSE));
  SsbInCall(EmitFunctionKey(c, m, "    ", "diffusivity", s->obj, s->sec, "Diffusivity [m2.s-1]", "m^2/s", 1.0, PETSC_TRUE));
  if (!isnan(Ed)) BufPrintf(m, "    diffusivity_activation_energy: %s J/mol\n", Num(Ed));
  BufPrintf(m, "    # BPX reaction rate constant k = %s mol/(m^2 s), form C: i0 = F k sqrt((c_e/c_e0) x (1 - x));\n", Num(k));
  BufPrintf(m, "    # at x = 0.5 and c_e = c_e0: i0 = F k sqrt(0.25) = F k / 2 = %s A/m^2. ssbsim's i0 (x (1 - x))^0.5 (c_e/c_e0)^0.5 is the same law.\n", Num(SSB_FARADAY * k / 2));
  BufPrintf(m, "    exchange_current_density: %s A/m^2\n", Num(SSB_FARADAY * k / 2));
  BufPrintf(m, "    exchange_current_stoichiometry: 0.5\n    transfer_coefficient: 0.5   # BPX form C is symmetric (square root)\n");
  if (!isnan(Ek)) BufPrintf(m, "    kinetics_activation_energy: %s J/mol\n", Num(Ek));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The electrode block of one side, in the case. */
static PetscErrorCode EmitElectrode(Ctx *c, Buf *cs, Side *s, const char *electrolyte)
{
  double L = NAN, R, a, eps, te, sigma;
  PetscFunctionBeginUser;
  if (s->obj) SsbInCall(GetNumber(c, s->obj, s->sec, "Thickness [m]", s->thick ? PETSC_FALSE : PETSC_TRUE, &L));
  if (!s->thick && !(L > 0)) BpxError(c, "%s.Thickness [m]: must be > 0", s->sec);
  BufPrintf(cs, "  %s:\n    kind: %s\n    material: %s\n    thickness: ", s->side, s->kind, s->matname);
  SsbInCall(EmitLength(c, cs, s->thick, !strcmp(s->side, "negative") ? "negative_thickness" : "positive_thickness", L));
  BufPrintf(cs, "%s\n", s->thick ? "   # User-defined ssbsim" : "   # BPX Thickness [m]");
  if (!strcmp(s->kind, "lithium_metal")) PetscFunctionReturn(PETSC_SUCCESS);
  if (!s->obj) BpxError(c, "missing BPX section '%s' (needed for a %s electrode)", s->sec, s->kind);
  SsbInCall(GetNumber(c, s->obj, s->sec, "Conductivity [S.m-1]", PETSC_TRUE, &sigma));
  if (!(sigma > 0)) BpxError(c, "%s.Conductivity [S.m-1]: must be > 0", s->sec);
  if (!strcmp(s->kind, "dense")) {
    BufPrintf(cs, "    electronic_conductivity: %s S/m   # BPX Conductivity (an electrode value, used as the film's)\n", Num(sigma));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  SsbInCall(GetNumber(c, s->obj, s->sec, "Particle radius [m]", PETSC_TRUE, &R));
  SsbInCall(GetNumber(c, s->obj, s->sec, "Surface area per unit volume [m-1]", PETSC_TRUE, &a));
  SsbInCall(GetNumber(c, s->obj, s->sec, "Porosity", PETSC_TRUE, &eps));
  SsbInCall(GetNumber(c, s->obj, s->sec, "Transport efficiency", PETSC_TRUE, &te));
  if (!(R > 0)) BpxError(c, "%s.Particle radius [m]: must be > 0", s->sec);
  if (!(a > 0)) BpxError(c, "%s.Surface area per unit volume [m-1]: must be > 0", s->sec);
  if (!(eps > 0 && eps < 1)) BpxError(c, "%s.Porosity: must be in (0, 1)", s->sec);
  if (!(te > 0 && te <= 1)) BpxError(c, "%s.Transport efficiency: must be in (0, 1]", s->sec);
  {
    /* spheres: a = 3 eps_active / R; the rest of the solid is conductive additive and binder */
    double ea, b, ec, es;
    char   sa[40], se[40];
    ea = a * R / 3;
    snprintf(sa, sizeof sa, "%.6g", ea);
    snprintf(se, sizeof se, "%s", Num(eps));
    ec = 1 - strtod(sa, NULL) - eps;
    if (ec < -1e-9) BpxError(c, "%s.Surface area per unit volume [m-1]: the active fraction a R / 3 = %.6g and the porosity %.6g add up to more than 1", s->sec, ea, eps);
    if (ec < 0) ec = 0;
    b  = log(te) / log(eps);
    es = 1 - eps;
    BufPrintf(cs, "    electrolyte: %s\n", electrolyte);
    BufPrintf(cs, "    # active = BPX surface area per unit volume x particle radius / 3 (spheres); electrolyte = BPX porosity\n");
    BufPrintf(cs, "    volume_fractions: {active: %s, electrolyte: %s, conductive: %.10g}\n", sa, se, ec);
    BufPrintf(cs, "    particle_radius: %s m\n", Num(R));
    BufPrintf(cs, "    bruggeman_exponent: %.6g   # ln(BPX transport efficiency %s) / ln(porosity)\n", b, Num(te));
    BufPrintf(cs, "    # BPX Conductivity %s S/m is the effective matrix value; ssbsim takes the bulk value and applies\n", Num(sigma));
    BufPrintf(cs, "    # (1 - porosity)^bruggeman: %s / %.6g^%.6g\n", Num(sigma), es, b);
    BufPrintf(cs, "    electronic_conductivity: %.6g S/m\n", sigma / pow(es, b));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void BaseName(const char *path, char *out, size_t len, int strip_ext)
{
  const char *s = strrchr(path, '/');
  s             = s ? s + 1 : path;
  snprintf(out, len, "%s", s);
  if (strip_ext) {
    char *dot = strrchr(out, '.');
    if (dot && dot != out) *dot = 0;
  }
}

static void DirName(const char *path, char *out, size_t len)
{
  const char *s = strrchr(path, '/');
  if (!s)
    snprintf(out, len, ".");
  else if (s == path)
    snprintf(out, len, "/");
  else
    snprintf(out, len, "%.*s", (int)(s - path), path);
}

static PetscErrorCode WriteFile(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  PetscFunctionBeginUser;
  if (!f) PetscFunctionReturn(SsbInputError(path, 0, 0, "cannot write the file"));
  if (fputs(text, f) < 0 || fclose(f)) PetscFunctionReturn(SsbInputError(path, 0, 0, "cannot write the file"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode Import(Ctx *c, json_t *root, const char *case_out, const char *materials_out, const char *prefix, Buf *cs, Buf *m)
{
  json_t     *hdr, *par, *state = NULL, *ic = NULL, *cell, *ely = NULL, *sep = NULL, *ud = NULL, *ssb = NULL, *v;
  const char *title = NULL, *desc = NULL, *refs = NULL, *model = NULL, *key;
  const char *el_name;
  char        base[48], fname[256], version[64] = "?";
  char        el_bpx[SSB_NAME_LEN], el_sep[SSB_NAME_LEN];
  Buf         source = {0};
  Side        sides[2];
  double      area, npairs, vmin, vmax, cap, T0 = NAN, Tref, ce0 = NAN, soc = NAN;
  PetscFunctionBeginUser;
  if (!json_is_object(root)) BpxError(c, "the top level of a BPX file is a JSON object");
  CheckKeys(c, root, "", (const char *const[]){"Header", "Parameterisation", "State", NULL}, (const char *const[]){"Validation", NULL});
  SsbInCall(GetObject(c, root, "", "Header", PETSC_TRUE, &hdr));
  SsbInCall(GetObject(c, root, "", "Parameterisation", PETSC_TRUE, &par));
  SsbInCall(GetObject(c, root, "", "State", PETSC_FALSE, &state));
  CheckKeys(c, hdr, "Header", (const char *const[]){"BPX", "Title", "Description", "References", "Model", NULL}, NULL);
  v = json_object_get(hdr, "BPX");
  if (!v) BpxError(c, "missing BPX key 'Header.BPX' (the format version)");
  if (json_is_string(v))
    snprintf(version, sizeof version, "%s", json_string_value(v));
  else if (json_is_number(v))
    snprintf(version, sizeof version, "%s", Num(json_number_value(v)));
  else
    BpxError(c, "Header.BPX: expected a version string or number");
  SsbInCall(GetString(c, hdr, "Header", "Title", &title));
  SsbInCall(GetString(c, hdr, "Header", "Description", &desc));
  SsbInCall(GetString(c, hdr, "Header", "References", &refs));
  SsbInCall(GetString(c, hdr, "Header", "Model", &model));
  BaseName(c->file, fname, sizeof fname, 0);
  BufPrintf(&source, "BPX parameter set %s (BPX %s, model %s)%s%s%s.", fname, version, model ? model : "not given", title ? ": \"" : "", title ? title : "", title ? "\"" : "");
  if (desc) BufPrintf(&source, " Description: %s%s", desc, desc[0] && desc[strlen(desc) - 1] == '.' ? "" : ".");
  if (refs) BufPrintf(&source, " References: %s%s", refs, refs[0] && refs[strlen(refs) - 1] == '.' ? "" : ".");
  BufPrintf(&source, " Imported by ssbsim import-bpx (docs/bpx.md);");

  if (prefix)
    snprintf(base, sizeof base, "%s", prefix);
  else {
    BaseName(c->file, base, sizeof base, 1);
    for (char *p = base; *p; p++)
      if (!isalnum((unsigned char)*p) && *p != '_') *p = '_';
    if (!isalpha((unsigned char)base[0])) base[0] = 'b';
  }

  CheckKeys(c, par, "Parameterisation", (const char *const[]){"Cell", "Electrolyte", "Negative electrode", "Positive electrode", "Separator", "User-defined", NULL}, NULL);
  SsbInCall(GetObject(c, par, "Parameterisation", "Cell", PETSC_TRUE, &cell));
  SsbInCall(GetObject(c, par, "Parameterisation", "User-defined", PETSC_FALSE, &ud));
  if (state) {
    CheckKeys(c, state, "State", (const char *const[]){"Initial conditions", NULL}, (const char *const[]){"Thermal state", "Degradation", NULL});
    SsbInCall(GetObject(c, state, "State", "Initial conditions", PETSC_FALSE, &ic));
    CheckKeys(c, ic, "State.Initial conditions", (const char *const[]){"Initial state-of-charge", "Initial temperature [K]", "Initial electrolyte concentration [mol.m-3]", NULL}, (const char *const[]){"Initial hysteresis state: Positive electrode", "Initial hysteresis state: Negative electrode", NULL});
  }

  /* User-defined: the ssbsim block; other user-defined keys are listed as not used */
  if (ud) {
    json_object_foreach(ud, key, v)
    {
      if (strcmp(key, "ssbsim") && strcmp(key, "description")) Note(&c->unmapped, &c->nunmapped, "Parameterisation.User-defined", key);
    }
    SsbInCall(GetObject(c, ud, "Parameterisation.User-defined", "ssbsim", PETSC_FALSE, &ssb));
    if (ssb) json_object_foreach(ssb, key, v)
      {
        if (!InList(key, kSsbsim)) BpxError(c, "Parameterisation.User-defined.ssbsim: unknown key '%s' (valid: materials, electrolyte, negative_kind, positive_kind, negative_material, positive_material, negative_thickness, positive_thickness, separator_thickness, initial_soc)", key);
      }
  }

  /* sides */
  for (int s = 0; s < 2; s++) {
    Side       *sd   = &sides[s];
    const char *kind = NULL, *mat = NULL;
    char        k1[32], k2[32];
    memset(sd, 0, sizeof(*sd));
    sd->bpxname = s ? "Positive electrode" : "Negative electrode";
    sd->side    = s ? "positive" : "negative";
    snprintf(sd->sec, sizeof sd->sec, "Parameterisation.%s", sd->bpxname);
    snprintf(sd->bpxmat, sizeof sd->bpxmat, "%s_%s", base, sd->side);
    snprintf(k1, sizeof k1, "%s_kind", sd->side);
    snprintf(k2, sizeof k2, "%s_material", sd->side);
    SsbInCall(GetString(c, ssb, "Parameterisation.User-defined.ssbsim", k1, &kind));
    SsbInCall(GetString(c, ssb, "Parameterisation.User-defined.ssbsim", k2, &mat));
    snprintf(k1, sizeof k1, "%s_thickness", sd->side);
    sd->thick = ssb ? json_object_get(ssb, k1) : NULL;
    sd->kind  = kind ? kind : "composite";
    if (strcmp(sd->kind, "composite") && strcmp(sd->kind, "dense") && (s || strcmp(sd->kind, "lithium_metal")))
      BpxError(c, "Parameterisation.User-defined.ssbsim.%s_kind: '%s' is not an electrode kind (composite, dense%s)", sd->side, sd->kind, s ? "" : " or lithium_metal");
    if (!strcmp(sd->kind, "lithium_metal") && !mat) BpxError(c, "Parameterisation.User-defined.ssbsim: negative_kind lithium_metal needs negative_material (a lithium_metal material of 'materials')");
    if (mat && strlen(mat) >= SSB_NAME_LEN) BpxError(c, "Parameterisation.User-defined.ssbsim.%s_material: name too long", sd->side);
    sd->matname = mat ? mat : sd->bpxmat;
    SsbInCall(GetObject(c, par, "Parameterisation", sd->bpxname, mat ? PETSC_FALSE : PETSC_TRUE, &sd->obj));
    if (sd->obj && json_object_get(sd->obj, "Particle")) BpxError(c, "%s.Particle: blended electrodes (several active materials) cannot be mapped: an ssbsim electrode has one active material", sd->sec);
    CheckKeys(c, sd->obj, sd->sec, kElectrode, kElectrodeUn);
  }

  /* electrolyte */
  SsbInCall(GetString(c, ssb, "Parameterisation.User-defined.ssbsim", "electrolyte", &el_name));
  if (el_name && strlen(el_name) >= SSB_NAME_LEN) BpxError(c, "Parameterisation.User-defined.ssbsim.electrolyte: name too long");
  SsbInCall(GetObject(c, par, "Parameterisation", "Electrolyte", el_name ? PETSC_FALSE : PETSC_TRUE, &ely));
  SsbInCall(GetObject(c, par, "Parameterisation", "Separator", el_name ? PETSC_FALSE : PETSC_TRUE, &sep));
  CheckKeys(c, ely, "Parameterisation.Electrolyte", kElyte, NULL);
  CheckKeys(c, sep, "Parameterisation.Separator", kSeparator, NULL);
  if (el_name) {
    if (ely) Note(&c->unmapped, &c->nunmapped, "Parameterisation", "Electrolyte (replaced by User-defined.ssbsim.electrolyte)");
    if (sep && json_object_get(sep, "Porosity")) Note(&c->unmapped, &c->nunmapped, "Parameterisation.Separator", "Porosity and Transport efficiency (a dense solid-electrolyte separator)");
  }
  snprintf(el_bpx, sizeof el_bpx, "%s_electrolyte", base);
  snprintf(el_sep, sizeof el_sep, "%s_separator_electrolyte", base);

  /* cell */
  CheckKeys(c, cell, "Parameterisation.Cell", kCell, kCellUnused);
  SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Electrode area [m2]", PETSC_TRUE, &area));
  SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Number of electrode pairs connected in parallel to make a cell", PETSC_FALSE, &npairs));
  SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Lower voltage cut-off [V]", PETSC_TRUE, &vmin));
  SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Upper voltage cut-off [V]", PETSC_TRUE, &vmax));
  SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Nominal cell capacity [A.h]", PETSC_TRUE, &cap));
  SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Initial temperature [K]", PETSC_FALSE, &T0));
  SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Reference temperature [K]", PETSC_FALSE, &Tref));
  if (isnan(T0)) SsbInCall(GetNumber(c, ic, "State.Initial conditions", "Initial temperature [K]", PETSC_FALSE, &T0));
  SsbInCall(GetNumber(c, ic, "State.Initial conditions", "Initial state-of-charge", PETSC_FALSE, &soc));
  if (!(area > 0)) BpxError(c, "Parameterisation.Cell.Electrode area [m2]: must be > 0");
  if (isnan(npairs)) npairs = 1;
  if (!(npairs >= 1 && npairs == floor(npairs))) BpxError(c, "Parameterisation.Cell.Number of electrode pairs connected in parallel to make a cell: must be a whole number >= 1");
  if (!(vmin >= 0 && vmax > vmin)) BpxError(c, "Parameterisation.Cell.Lower voltage cut-off [V]: must be >= 0 and below the upper cut-off");
  if (!(cap > 0)) BpxError(c, "Parameterisation.Cell.Nominal cell capacity [A.h]: must be > 0");
  if (!isnan(T0) && !(T0 > 0)) BpxError(c, "Parameterisation.Cell.Initial temperature [K]: must be > 0");
  if (!isnan(Tref) && fabs(Tref - SSB_T_REF) > 1e-6)
    BpxError(c, "Parameterisation.Cell.Reference temperature [K]: %s K cannot be mapped: ssbsim's Arrhenius laws refer to %g K (the BPX values at %s K would need converting)", Num(Tref), SSB_T_REF, Num(Tref));
  if (!isnan(soc) && !(soc >= 0 && soc <= 1)) BpxError(c, "State.Initial conditions.Initial state-of-charge: must be in [0, 1]");
  {
    json_t *jsoc = ssb ? json_object_get(ssb, "initial_soc") : NULL;
    if (jsoc) {
      if (!json_is_number(jsoc) || !(json_number_value(jsoc) >= 0 && json_number_value(jsoc) <= 1)) BpxError(c, "Parameterisation.User-defined.ssbsim.initial_soc: expected a number in [0, 1]");
      soc = json_number_value(jsoc);
    }
  }

  /* ---- materials file ---- */
  BufPrintf(m, "# ssbsim materials imported by `ssbsim import-bpx` from %s (BPX %s).\n", fname, version);
  BufPrintf(m, "# Every number is in SI units as written; docs/bpx.md describes the mapping.\n\nmaterials:\n");
  for (int s = 0; s < 2; s++)
    if (sides[s].obj && sides[s].matname == sides[s].bpxmat) SsbInCall(EmitIntercalation(c, m, &sides[s], source.s));
  if (!el_name) {
    double eps, te, L, f;
    SsbInCall(GetNumber(c, ely, "Parameterisation.Electrolyte", "Initial concentration [mol.m-3]", PETSC_FALSE, &ce0));
    if (isnan(ce0)) SsbInCall(GetNumber(c, ic, "State.Initial conditions", "Initial electrolyte concentration [mol.m-3]", PETSC_FALSE, &ce0));
    if (isnan(ce0)) BpxError(c, "missing BPX key 'Parameterisation.Electrolyte.Initial concentration [mol.m-3]' (or 'State.Initial conditions.Initial electrolyte concentration [mol.m-3]')");
    if (!(ce0 > 0)) BpxError(c, "Parameterisation.Electrolyte.Initial concentration [mol.m-3]: must be > 0");
    SsbInCall(GetNumber(c, sep, "Parameterisation.Separator", "Thickness [m]", PETSC_TRUE, &L));
    SsbInCall(GetNumber(c, sep, "Parameterisation.Separator", "Porosity", PETSC_TRUE, &eps));
    SsbInCall(GetNumber(c, sep, "Parameterisation.Separator", "Transport efficiency", PETSC_TRUE, &te));
    if (!(L > 0)) BpxError(c, "Parameterisation.Separator.Thickness [m]: must be > 0");
    if (!(eps > 0 && eps <= 1)) BpxError(c, "Parameterisation.Separator.Porosity: must be in (0, 1]");
    if (!(te > 0 && te <= 1)) BpxError(c, "Parameterisation.Separator.Transport efficiency: must be in (0, 1]");
    f = Round12(eps * te);
    for (int k = 0; k < 2; k++) {
      double Ek, Ed, tp;
      Buf    src = {0};
      BufPrintf(m, "  %s:\n    kind: electrolyte\n    source: ", k ? el_sep : el_bpx);
      if (!k)
        BufPrintf(&src, "%s BPX 'Electrolyte' section: the liquid electrolyte, concentrated-solution (binary) transport; thermodynamic factor 1 (BPX has none).", source.s);
      else
        BufPrintf(&src, "%s BPX 'Electrolyte' and 'Separator' sections: the liquid in the porous separator as an equivalent dense layer (thickness porosity x L, conductivity and diffusivity x porosity x transport efficiency = %s) [derived, docs/bpx.md].", source.s, Num(f));
      BufQuoted(m, src.s);
      BufFree(&src);
      BufPrintf(m, "\n    transport: binary\n    concentration: %s mol/m^3\n", Num(ce0));
      if (k) BufPrintf(m, "    # kappa and D of %s times porosity %s x transport efficiency %s = %s\n", el_bpx, Num(eps), Num(te), Num(f));
      SsbInCall(EmitFunctionKey(c, m, "    ", "conductivity", ely, "Parameterisation.Electrolyte", "Conductivity [S.m-1]", "S/m", k ? f : 1.0, PETSC_TRUE));
      SsbInCall(GetNumber(c, ely, "Parameterisation.Electrolyte", "Conductivity activation energy [J.mol-1]", PETSC_FALSE, &Ek));
      if (!isnan(Ek)) BufPrintf(m, "    conductivity_activation_energy: %s J/mol\n", Num(Ek));
      SsbInCall(EmitFunctionKey(c, m, "    ", "diffusivity", ely, "Parameterisation.Electrolyte", "Diffusivity [m2.s-1]", "m^2/s", k ? f : 1.0, PETSC_TRUE));
      SsbInCall(GetNumber(c, ely, "Parameterisation.Electrolyte", "Diffusivity activation energy [J.mol-1]", PETSC_FALSE, &Ed));
      if (!isnan(Ed)) BufPrintf(m, "    diffusivity_activation_energy: %s J/mol\n", Num(Ed));
      v = json_object_get(ely, "Cation transference number");
      if (!v) BpxError(c, "missing BPX key 'Parameterisation.Electrolyte.Cation transference number'");
      if (json_is_number(v)) {
        tp = json_number_value(v);
        if (!(tp > 0 && tp <= 1)) BpxError(c, "Parameterisation.Electrolyte.Cation transference number: must be in (0, 1]");
      }
      SsbInCall(EmitFunction(c, m, "    ", "transference_number", v, "Parameterisation.Electrolyte", "Cation transference number", "", 1.0));
    }
  }
  if (ssb && (v = json_object_get(ssb, "materials"))) {
    json_t *mv;
    if (!json_is_object(v)) BpxError(c, "Parameterisation.User-defined.ssbsim.materials: expected an object {name: material}");
    json_object_foreach(v, key, mv)
    {
      json_t     *x;
      const char *k2;
      if (!json_is_object(mv)) BpxError(c, "Parameterisation.User-defined.ssbsim.materials.%s: expected an object (an ssbsim material)", key);
      BufPrintf(m, "  %s:   # from the BPX User-defined ssbsim block\n", key);
      json_object_foreach(mv, k2, x)
      {
        BufPrintf(m, "    %s: ", k2);
        EmitJson(m, x);
        BufPrintf(m, "\n");
      }
      if (!json_object_get(mv, "source")) {
        BufPrintf(m, "    source: ");
        BufQuoted(m, source.s);
        BufPrintf(m, "\n");
      }
    }
  }

  /* ---- case file ---- */
  {
    char dcase[PATH_MAX], dmat[PATH_MAX], mname[2 * PATH_MAX + 2];
    DirName(case_out, dcase, sizeof dcase);
    DirName(materials_out, dmat, sizeof dmat);
    if (!strcmp(dcase, dmat))
      BaseName(materials_out, mname, sizeof mname, 0);
    else if (materials_out[0] == '/')
      snprintf(mname, sizeof mname, "%s", materials_out);
    else {
      char rd[PATH_MAX], bn[PATH_MAX];
      if (!realpath(dmat, rd)) BpxError(c, "cannot resolve the directory of the material file '%s'", materials_out);
      BaseName(materials_out, bn, sizeof bn, 0);
      snprintf(mname, sizeof mname, "%s/%s", rd, bn);
    }
    BufPrintf(cs, "# ssbsim case imported by `ssbsim import-bpx` from %s (BPX %s, model %s).\n", fname, version, model ? model : "not given");
    if (title) BufPrintf(cs, "# %s\n", title);
    BufPrintf(cs, "# What is mapped, and how: docs/bpx.md. Every number is in SI units as written.\n");
    if (!el_name) BufPrintf(cs, "# The liquid electrolyte is an ssbsim binary electrolyte; the porous separator is written as an equivalent\n# dense layer (docs/bpx.md).\n");
    {
      double x;
      SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Density [kg.m-3]", PETSC_FALSE, &x));
      if (!isnan(x)) BufPrintf(cs, "# BPX cell density %s kg/m^3 (lumped; not mapped)\n", Num(x));
      SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Specific heat capacity [J.K-1.kg-1]", PETSC_FALSE, &x));
      if (!isnan(x)) BufPrintf(cs, "# BPX cell specific heat capacity %s J/(kg K) (lumped; not mapped)\n", Num(x));
      SsbInCall(GetNumber(c, cell, "Parameterisation.Cell", "Thermal conductivity [W.m-1.K-1]", PETSC_FALSE, &x));
      if (!isnan(x)) BufPrintf(cs, "# BPX cell thermal conductivity %s W/(m K) (lumped; not mapped)\n", Num(x));
    }
    BufPrintf(cs, "\nssbsim: 1\ntitle: ");
    {
      Buf t = {0};
      BufPrintf(&t, "%s (imported from BPX %s)", title ? title : fname, fname);
      BufQuoted(cs, t.s);
      BufFree(&t);
    }
    BufPrintf(cs, "\ninclude: [");
    BufQuoted(cs, mname);
    BufPrintf(cs, "]\n\ncell:\n");
    BufPrintf(cs, "  area: %s m^2   # BPX electrode area %s m^2 x %s electrode pair(s) in parallel\n", Num(area * npairs), Num(area), Num(npairs));
    SsbInCall(EmitElectrode(c, cs, &sides[0], el_name ? el_name : el_bpx));
    if (el_name) {
      double  L  = NAN;
      json_t *st = ssb ? json_object_get(ssb, "separator_thickness") : NULL;
      if (!st) SsbInCall(GetNumber(c, sep, "Parameterisation.Separator", "Thickness [m]", PETSC_TRUE, &L));
      if (!st && !(L > 0)) BpxError(c, "Parameterisation.Separator.Thickness [m]: must be > 0");
      BufPrintf(cs, "  separator:\n    electrolyte: %s   # User-defined ssbsim electrolyte (dense)\n    thickness: ", el_name);
      SsbInCall(EmitLength(c, cs, st, "separator_thickness", L));
      BufPrintf(cs, "\n");
    } else {
      double L, eps, te;
      SsbInCall(GetNumber(c, sep, "Parameterisation.Separator", "Thickness [m]", PETSC_TRUE, &L));
      SsbInCall(GetNumber(c, sep, "Parameterisation.Separator", "Porosity", PETSC_TRUE, &eps));
      SsbInCall(GetNumber(c, sep, "Parameterisation.Separator", "Transport efficiency", PETSC_TRUE, &te));
      BufPrintf(cs, "  separator:\n");
      BufPrintf(cs, "    # BPX separator: %s m, porosity %s, transport efficiency %s. ssbsim separators are dense, so the\n", Num(L), Num(eps), Num(te));
      BufPrintf(cs, "    # porous layer is written as the equivalent dense layer: thickness porosity x L (same salt inventory),\n");
      BufPrintf(cs, "    # kappa and D x porosity x transport efficiency (same resistance and diffusion time); docs/bpx.md.\n");
      BufPrintf(cs, "    electrolyte: %s\n    thickness: %s m\n", el_sep, Num(Round12(eps * L)));
    }
    SsbInCall(EmitElectrode(c, cs, &sides[1], el_name ? el_name : el_bpx));
    if (!isnan(soc))
      BufPrintf(cs, "  initial_soc: %s\n", Num(soc));
    else
      BufPrintf(cs, "  initial_soc: 1   # not in BPX: the charged end of both stoichiometry windows\n");
    BufPrintf(cs, "\nthermal:\n  model: isothermal\n  initial_temperature: %s K%s\n", Num(isnan(T0) ? SSB_T_REF : T0), isnan(T0) ? "   # not in BPX: the default" : "");
    BufPrintf(cs, "\nexperiment:\n  steps:\n    # 1C of the BPX nominal capacity %s A.h, to the BPX lower voltage cut-off\n", Num(cap));
    BufPrintf(cs, "    - Discharge at %s A until %s V\n", Num(cap), Num(vmin));
    BufPrintf(cs, "  limits: {cell_voltage_max: %s V, cell_voltage_min: %s V}   # BPX voltage cut-offs\n", Num(vmax), Num(vmin));
    {
      char b2[64];
      BaseName(case_out, b2, sizeof b2, 1);
      BufPrintf(cs, "\noutput: {file: %s.h5, csv: %s.csv}\n", b2, b2);
    }
  }
  BufFree(&source);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbBpxImport(const char *json_path, const char *case_out, const char *materials_out, const char *prefix)
{
  Ctx            c  = {json_path, {0}, {0}, 0, 0};
  Buf            cs = {0}, m = {0};
  json_error_t   jerr;
  json_t        *root;
  PetscErrorCode ierr;
  PetscFunctionBeginUser;
  {
    /* as every input file (SsbOpenInputFile): no device, and a FIFO without a writer does not block */
    char  why[256];
    FILE *f = SsbOpenInputFile(json_path, why, sizeof why);
    if (!f) PetscFunctionReturn(SsbInputError(json_path, 0, 0, "cannot open the BPX file (%s)", why));
    root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
  }
  if (!root) PetscFunctionReturn(SsbInputError(json_path, jerr.line > 0 ? jerr.line : 0, jerr.column > 0 ? jerr.column : 0, "malformed JSON: %s", jerr.text));
  ierr = Import(&c, root, case_out, materials_out, prefix, &cs, &m);
  json_decref(root);
  if (!ierr) {
    if (c.nunknown) SsbInputWarning(json_path, 0, 0, "unknown BPX keys, ignored: %s", c.unknown.s);
    if (c.nunmapped) SsbInputWarning(json_path, 0, 0, "BPX keys read but not mapped to ssbsim (docs/bpx.md): %s", c.unmapped.s);
    ierr = WriteFile(materials_out, m.s);
    if (!ierr) ierr = WriteFile(case_out, cs.s);
  }
  BufFree(&c.unknown);
  BufFree(&c.unmapped);
  BufFree(&cs);
  BufFree(&m);
  if (ierr == SSB_ERR_INPUT) PetscFunctionReturn(ierr);
  PetscCall(ierr);
  PetscFunctionReturn(PETSC_SUCCESS);
}
