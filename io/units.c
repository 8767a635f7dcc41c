/* units.c -- "number unit" strings to SI with udunits2.

   The unit system is read once (lazily) from udunits' default XML database and released at
   PetscFinalize. udunits lacks the ampere-hour, which capacities are usually given in, so the
   symbol "Ah" is mapped to A.h; udunits applies SI prefixes to mapped symbols, so "mAh/g" and
   "mAh/cm^2" work. Conversion goes through a converter, so offsets are right ("25 degC" is
   298.15 K). */
#include "case_internal.h"
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <udunits2.h>

static ut_system *units_system = NULL;

static PetscErrorCode UnitsFinalize(void)
{
  PetscFunctionBeginUser;
  if (units_system) ut_free_system(units_system);
  units_system = NULL;
  PetscFunctionReturn(0);
}

static PetscErrorCode UnitsGet(ut_system **sys)
{
  PetscFunctionBeginUser;
  if (!units_system) {
    ut_unit *ah;
    ut_set_error_message_handler(ut_ignore);
    units_system = ut_read_xml(NULL);
    PetscCheck(units_system, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot read the udunits2 unit database (status %d); set UDUNITS2_XML_PATH", (int)ut_get_status());
    ah = ut_parse(units_system, "A.h", UT_ASCII);
    PetscCheck(ah, PETSC_COMM_SELF, PETSC_ERR_LIB, "udunits2 cannot parse A.h");
    PetscCheck(ut_map_symbol_to_unit("Ah", UT_ASCII, ah) == UT_SUCCESS, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot define the unit symbol Ah");
    ut_free(ah);
    if (PetscInitializeCalled) PetscCall(PetscRegisterFinalize(UnitsFinalize));
  }
  *sys = units_system;
  PetscFunctionReturn(0);
}

PetscBool SsbNumberInRange(double v) { return isfinite(v) && (v == 0 || fabs(v) >= DBL_MIN) ? PETSC_TRUE : PETSC_FALSE; }

PetscBool SsbParseNumber(const char *text, double *value)
{
  char  *end;
  double v;
  if (!text) return PETSC_FALSE;
  while (isspace((unsigned char)*text)) text++;
  if (!*text || (!isdigit((unsigned char)*text) && !strchr("+-.", *text))) return PETSC_FALSE;
  if (strpbrk(text, "xX")) return PETSC_FALSE; /* strtod would read hexadecimal: decimal numbers only */
  v = strtod(text, &end);
  if (end == text) return PETSC_FALSE;
  while (isspace((unsigned char)*end)) end++;
  if (*end || !SsbNumberInRange(v)) return PETSC_FALSE;
  *value = v;
  return PETSC_TRUE;
}

/* Split "number unit" into the number and the trimmed unit text (copied into unit, size len).
   Returns 0 if there is no leading number, -1 if it is out of range (SsbNumberInRange), else 1. */
static int SplitQuantity(const char *text, double *number, char *unit, size_t len)
{
  char       *end;
  const char *u;
  size_t      n;
  while (isspace((unsigned char)*text)) text++;
  if (!*text || (!isdigit((unsigned char)*text) && !strchr("+-.", *text))) return PETSC_FALSE;
  /* strtod would read "inf", "nan" and hex; case files use decimal numbers only */
  for (const char *p = text; *p && !isspace((unsigned char)*p); p++)
    if (*p == 'x' || *p == 'X') return PETSC_FALSE;
  *number = strtod(text, &end);
  if (end == text) return 0;
  if (!SsbNumberInRange(*number)) return -1;
  u = end;
  while (isspace((unsigned char)*u)) u++;
  n = strlen(u);
  while (n && isspace((unsigned char)u[n - 1])) n--;
  if (n >= len) n = len - 1;
  memcpy(unit, u, n);
  unit[n] = '\0';
  return 1;
}

PetscBool SsbUnitsIsQuantity(const char *text)
{
  double     number;
  char       unit[256];
  ut_system *sys;
  ut_unit   *u;
  switch (SplitQuantity(text, &number, unit, sizeof unit)) {
  case 0:
    return PETSC_FALSE;
  case -1:
    return PETSC_TRUE; /* a number, out of range: its conversion says so */
  }
  if (!unit[0]) return PETSC_TRUE;
  if (UnitsGet(&sys)) return PETSC_FALSE;
  u = ut_parse(sys, unit, UT_UTF8);
  if (!u) return PETSC_FALSE;
  ut_free(u);
  return PETSC_TRUE;
}

/* Converter from unit text to si_unit, or a message. */
static PetscErrorCode GetConverter(const char *unit, const char *si_unit, const char *dimension, cv_converter **cv, char *msg, size_t len)
{
  ut_system *sys;
  ut_unit   *from, *to;

  PetscFunctionBeginUser;
  *cv = NULL;
  PetscCall(UnitsGet(&sys));
  to = ut_parse(sys, si_unit, UT_ASCII);
  PetscCheck(to, PETSC_COMM_SELF, PETSC_ERR_PLIB, "internal: cannot parse SI unit '%s'", si_unit);
  from = ut_parse(sys, unit, UT_UTF8);
  if (!from) {
    ut_free(to);
    snprintf(msg, len, "unknown unit '%s'", unit);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  if (!ut_are_convertible(from, to)) {
    ut_free(from);
    ut_free(to);
    if (!strcmp(si_unit, "1"))
      snprintf(msg, len, "expected a dimensionless number, got '%s'", unit);
    else
      snprintf(msg, len, "expected %s (%s), got '%s'", dimension ? dimension : "a quantity", si_unit, unit);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  *cv = ut_get_converter(from, to);
  ut_free(from);
  ut_free(to);
  PetscCheck(*cv, PETSC_COMM_SELF, PETSC_ERR_LIB, "udunits2: no converter from %s to %s", unit, si_unit);
  PetscFunctionReturn(0);
}

PetscErrorCode SsbUnitsConvert(const char *text, const char *si_unit, const char *dimension, double *value, char *msg, size_t len)
{
  double        number;
  char          unit[256];
  cv_converter *cv;
  int           split;

  PetscFunctionBeginUser;
  split = SplitQuantity(text, &number, unit, sizeof unit);
  if (split < 0) {
    snprintf(msg, len, "the number in '%s' is out of range (its magnitude must be 0 or between %.3g and %.3g)", text, DBL_MIN, DBL_MAX);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  if (!split) {
    if (!strcmp(si_unit, "1"))
      snprintf(msg, len, "expected a number, got '%s'", text);
    else
      snprintf(msg, len, "expected %s: a number in %s or a string \"number unit\", got '%s'", dimension ? dimension : "a quantity", si_unit, text);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  if (!unit[0]) {
    *value = number;
    PetscFunctionReturn(0);
  }
  SsbInCall(GetConverter(unit, si_unit, dimension, &cv, msg, len));
  *value = cv_convert_double(cv, number);
  cv_free(cv);
  if (!SsbNumberInRange(*value)) {
    snprintf(msg, len, "'%s' is %g %s, out of range (its magnitude must be 0 or between %.3g and %.3g)", text, *value, si_unit, DBL_MIN, DBL_MAX);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SsbUnitsFactor(const char *unit, const char *si_unit, const char *dimension, double *factor, char *msg, size_t len)
{
  cv_converter *cv;
  char          u[256];
  size_t        n;

  PetscFunctionBeginUser;
  while (isspace((unsigned char)*unit)) unit++;
  n = strlen(unit);
  while (n && isspace((unsigned char)unit[n - 1])) n--;
  if (n >= sizeof u) n = sizeof u - 1;
  memcpy(u, unit, n);
  u[n] = '\0';
  SsbInCall(GetConverter(u, si_unit, dimension, &cv, msg, len));
  if (cv_convert_double(cv, 0.0) != 0.0) {
    cv_free(cv);
    snprintf(msg, len, "unit '%s' has an offset (like degC) and cannot scale a function", u);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  *factor = cv_convert_double(cv, 1.0);
  cv_free(cv);
  PetscFunctionReturn(0);
}
