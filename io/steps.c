/* steps.c -- experiment step strings, in the words battery engineers use:

     Discharge|Charge at <current> [for <duration>] [until <voltage>]
     Discharge|Charge at <power> [for <duration>] [until <voltage>]       (W, kW, W/m^2, mW/cm^2)
     Discharge at <load resistance> [for <duration>] [until <voltage>]    (ohm, ohm*cm^2)
     Run profile <file.csv> [until <voltage>]                             (time against current or power)
     Rest for <duration>
     Hold at <voltage> [until <current>] [for <duration>]      (at least one of the two)

   <current>: C-rate (1C, 0.5C, C/2, C/20) or a current with a unit convertible to A (2 A, 500 mA)
   or to A/m^2 (10 A/m^2, 1 mA/cm^2). <duration>: time unit (30 minutes, 1 h, 10 s; bare number:
   s). <voltage>: V or mV (bare number: V). Words are case-insensitive; "or" may join clauses
   ("for 1 h or until 3 V"). Charge makes the current negative (+ = discharge). */
#include "case_internal.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define SSB_STEP_MAX_WORDS 32
#define SSB_STEP_MAX_LEN   512

static int WordIs(const char *w, const char *k)
{
  for (; *w && *k; w++, k++)
    if (tolower((unsigned char)*w) != tolower((unsigned char)*k)) return 0;
  return *w == *k;
}

static int IsClause(const char *w) { return WordIs(w, "at") || WordIs(w, "for") || WordIs(w, "until"); }

/* Read a current phrase into spec (value > 0). */
static PetscErrorCode ParseCurrent(const char *phrase, SsbCurrentSpec *spec, char *msg, size_t len)
{
  char   compact[SSB_STEP_MAX_LEN];
  size_t n = 0;
  double v;
  char   sub[256];

  PetscFunctionBeginUser;
  for (const char *p = phrase; *p && n + 1 < sizeof compact; p++)
    if (!isspace((unsigned char)*p)) compact[n++] = *p;
  compact[n] = '\0';
  /* C-rates: C, C/20, 0.5C, 2C */
  if (n >= 1 && (compact[0] == 'C' || compact[0] == 'c') && (n == 1 || compact[1] == '/')) {
    if (n == 1)
      v = 1.0;
    else if (!SsbParseNumber(compact + 2, &v) || v <= 0 || !isfinite(1.0 / v)) {
      snprintf(msg, len, "cannot read the C-rate '%s' (write it like C/2)", phrase);
      PetscFunctionReturn(SSB_ERR_INPUT);
    } else
      v = 1.0 / v;
    spec->unit  = SSB_CURRENT_CRATE;
    spec->value = v;
    PetscFunctionReturn(0);
  }
  if (n >= 2 && (compact[n - 1] == 'C' || compact[n - 1] == 'c')) {
    compact[n - 1] = '\0';
    if (SsbParseNumber(compact, &v)) {
      if (v <= 0) {
        snprintf(msg, len, "the current '%s' must be positive (use Charge for charging)", phrase);
        PetscFunctionReturn(SSB_ERR_INPUT);
      }
      spec->unit  = SSB_CURRENT_CRATE;
      spec->value = v;
      PetscFunctionReturn(0);
    }
    compact[n - 1] = 'C';
  }
  if (SsbParseNumber(phrase, &v)) {
    snprintf(msg, len, "the current '%s' needs a unit: a C-rate (1C, C/2), A or A/m^2", phrase);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  if (!SsbUnitsConvert(phrase, "A", "a current", &v, sub, sizeof sub))
    spec->unit = SSB_CURRENT_AMPERE;
  else if (!SsbUnitsConvert(phrase, "A/m^2", "a current density", &v, sub, sizeof sub))
    spec->unit = SSB_CURRENT_DENSITY;
  else if (!SsbUnitsConvert(phrase, "W", NULL, &v, sub, sizeof sub) || !SsbUnitsConvert(phrase, "W/m^2", NULL, &v, sub, sizeof sub)) {
    snprintf(msg, len, "'%s' is a power, not a current: expected a C-rate (1C, C/2), A or A/m^2", phrase);
    PetscFunctionReturn(SSB_ERR_INPUT);
  } else {
    snprintf(msg, len, "'%s' is not a current: expected a C-rate (1C, C/2), A or A/m^2", phrase);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  if (!(v > 0)) {
    snprintf(msg, len, "the current '%s' must be positive (use Charge for charging)", phrase);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  spec->value = v;
  PetscFunctionReturn(0);
}

static PetscErrorCode ParsePositive(const char *phrase, const char *si, const char *what, double *v, char *msg, size_t len)
{
  char sub[256];

  PetscFunctionBeginUser;
  if (SsbUnitsConvert(phrase, si, what, v, sub, sizeof sub)) {
    snprintf(msg, len, "'%s' is not %s (%s)", phrase, what, sub);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  if (!(*v > 0)) {
    snprintf(msg, len, "%s '%s' must be positive", what, phrase);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  PetscFunctionReturn(0);
}

/* One clause ("at ...", "for ...", "until ...") with its phrase. */
static PetscErrorCode ParseClause(SsbStep *step, const char *verb, const char *clause, const char *phrase, PetscBool *has_at_, char *msg, size_t len)
{
  PetscBool has_at = *has_at_;

  PetscFunctionBeginUser;
  if (WordIs(clause, "at")) {
    if (has_at || step->kind == SSB_STEP_REST) {
      snprintf(msg, len, has_at ? "'at' given twice" : "a Rest step takes no 'at' (write 'Rest for <duration>')");
      PetscFunctionReturn(SSB_ERR_INPUT);
    }
    has_at = PETSC_TRUE;
    if (step->kind == SSB_STEP_CURRENT) {
      double v;
      char   sub[256];
      /* a power (W, W/m^2) or a load resistance (ohm, ohm*m^2) instead of a current */
      /* (a bare number has no unit: ParseCurrent reports it) */
      if (SsbParseNumber(phrase, &v)) {
        SsbInCall(ParseCurrent(phrase, &step->current, msg, len));
      } else if (!SsbUnitsConvert(phrase, "W", NULL, &v, sub, sizeof sub) || !SsbUnitsConvert(phrase, "W/m^2", NULL, &v, sub, sizeof sub)) {
        step->per_area = SsbUnitsConvert(phrase, "W", NULL, &v, sub, sizeof sub) != 0;
        if (!(v > 0)) {
          snprintf(msg, len, "the power '%s' must be positive (use Charge for charging)", phrase);
          PetscFunctionReturn(SSB_ERR_INPUT);
        }
        step->kind  = SSB_STEP_POWER;
        step->power = WordIs(verb, "Charge") ? -v : v;
      } else if (!SsbUnitsConvert(phrase, "ohm", NULL, &v, sub, sizeof sub) || !SsbUnitsConvert(phrase, "ohm*m^2", NULL, &v, sub, sizeof sub)) {
        step->per_area = SsbUnitsConvert(phrase, "ohm", NULL, &v, sub, sizeof sub) != 0;
        if (!WordIs(verb, "Discharge")) {
          snprintf(msg, len, "a load resistance ('%s') discharges the cell: write 'Discharge at %s'", phrase, phrase);
          PetscFunctionReturn(SSB_ERR_INPUT);
        }
        if (!(v > 0)) {
          snprintf(msg, len, "the load resistance '%s' must be positive", phrase);
          PetscFunctionReturn(SSB_ERR_INPUT);
        }
        step->kind       = SSB_STEP_RESISTANCE;
        step->resistance = v;
      } else {
        SsbInCall(ParseCurrent(phrase, &step->current, msg, len));
        if (WordIs(verb, "Charge")) step->current.value = -step->current.value;
      }
    } else
      SsbInCall(ParsePositive(phrase, "V", "a voltage", &step->voltage, msg, len));
  } else if (WordIs(clause, "for")) {
    if (!isnan(step->duration)) {
      snprintf(msg, len, "'for' given twice");
      PetscFunctionReturn(SSB_ERR_INPUT);
    }
    SsbInCall(ParsePositive(phrase, "s", "a duration", &step->duration, msg, len));
  } else { /* until */
    if (step->kind == SSB_STEP_REST) {
      snprintf(msg, len, "a Rest step ends only 'for <duration>'");
      PetscFunctionReturn(SSB_ERR_INPUT);
    }
    if (!isnan(step->until_voltage) || step->until_current.unit != SSB_CURRENT_NONE) {
      snprintf(msg, len, "'until' given twice");
      PetscFunctionReturn(SSB_ERR_INPUT);
    }
    if (step->kind == SSB_STEP_CURRENT || step->kind == SSB_STEP_POWER || step->kind == SSB_STEP_RESISTANCE)
      SsbInCall(ParsePositive(phrase, "V", "a voltage", &step->until_voltage, msg, len));
    else
      SsbInCall(ParseCurrent(phrase, &step->until_current, msg, len));
  }
  *has_at_ = has_at;
  PetscFunctionReturn(0);
}

PetscErrorCode SsbStepParse(const char *text, SsbStep *step, char *msg, size_t len)
{
  char        buf[SSB_STEP_MAX_LEN];
  char       *words[SSB_STEP_MAX_WORDS];
  int         nw = 0, i;
  const char *verb;
  PetscBool   has_at = PETSC_FALSE;

  PetscFunctionBeginUser;
  step->kind                = SSB_STEP_REST;
  step->current.unit        = SSB_CURRENT_NONE;
  step->current.value       = 0;
  step->voltage             = NAN;
  step->power               = NAN;
  step->resistance          = NAN;
  step->per_area            = 0;
  step->duration            = NAN;
  step->until_voltage       = NAN;
  step->until_current.unit  = SSB_CURRENT_NONE;
  step->until_current.value = 0;
  step->profile_file        = NULL;
  step->profile_t           = NULL;
  step->profile_v           = NULL;
  step->profile_n           = 0;
  step->profile_power       = 0;
  if (strlen(text) >= sizeof buf) {
    snprintf(msg, len, "the step is too long (at most %d characters)", SSB_STEP_MAX_LEN - 1);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  strcpy(buf, text);
  for (char *p = buf; *p;) {
    while (*p && isspace((unsigned char)*p)) *p++ = '\0';
    if (!*p) break;
    if (nw == SSB_STEP_MAX_WORDS) {
      snprintf(msg, len, "the step has too many words");
      PetscFunctionReturn(SSB_ERR_INPUT);
    }
    words[nw++] = p;
    while (*p && !isspace((unsigned char)*p)) p++;
  }
  if (!nw) {
    snprintf(msg, len, "the step is empty");
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  /* Run profile <file.csv> [until <voltage>] */
  if (WordIs(words[0], "Run")) {
    if (nw < 3 || !WordIs(words[1], "profile")) {
      snprintf(msg, len, "write 'Run profile <file.csv> [until <voltage>]'");
      PetscFunctionReturn(SSB_ERR_INPUT);
    }
    step->kind = SSB_STEP_PROFILE;
    if (nw > 3) {
      char phrase[SSB_STEP_MAX_LEN] = "";
      if (!WordIs(words[3], "until") || nw < 5) {
        snprintf(msg, len, "after the file a profile step takes only 'until <voltage>', not '%s'", words[3]);
        PetscFunctionReturn(SSB_ERR_INPUT);
      }
      for (int k = 4; k < nw; k++) {
        if (k > 4) strncat(phrase, " ", sizeof phrase - strlen(phrase) - 1);
        strncat(phrase, words[k], sizeof phrase - strlen(phrase) - 1);
      }
      SsbInCall(ParsePositive(phrase, "V", "a voltage", &step->until_voltage, msg, len));
    }
    PetscCall(PetscStrallocpy(words[2], &step->profile_file)); /* last: an error leaves nothing to free */
    PetscFunctionReturn(0);
  }
  verb = words[0];
  if (WordIs(verb, "Discharge") || WordIs(verb, "Charge"))
    step->kind = SSB_STEP_CURRENT;
  else if (WordIs(verb, "Rest"))
    step->kind = SSB_STEP_REST;
  else if (WordIs(verb, "Hold"))
    step->kind = SSB_STEP_VOLTAGE;
  else { /* ("Run" was handled above) */
    snprintf(msg, len, "unknown step kind '%s' (expected Discharge, Charge, Rest, Hold or Run profile)", verb);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  i = 1;
  while (i < nw) {
    const char *clause                   = words[i];
    char        phrase[SSB_STEP_MAX_LEN] = "";
    int         j;
    if (WordIs(clause, "or") && i + 1 < nw && IsClause(words[i + 1]) && i > 1) {
      i++;
      continue;
    }
    if (!IsClause(clause)) {
      snprintf(msg, len, "unexpected word '%s' (expected 'at', 'for' or 'until')", clause);
      PetscFunctionReturn(SSB_ERR_INPUT);
    }
    for (j = i + 1; j < nw && !IsClause(words[j]) && !(WordIs(words[j], "or") && j + 1 < nw && IsClause(words[j + 1])); j++) {
      if (phrase[0]) strcat(phrase, " ");
      strcat(phrase, words[j]);
    }
    if (!phrase[0]) {
      snprintf(msg, len, "'%s' must be followed by a value", clause);
      PetscFunctionReturn(SSB_ERR_INPUT);
    }
    {
      PetscErrorCode ierr = ParseClause(step, verb, clause, phrase, &has_at, msg, len);
      if (ierr == SSB_ERR_INPUT && j - i > 2) {
        /* a value is one or two words: if a shorter prefix reads, the next word is the culprit */
        static const char *const clauses[] = {"at", "for", "until", NULL};
        for (int k = 1; k <= 2 && k < j - i - 1; k++) {
          char      prefix[SSB_STEP_MAX_LEN] = "", sub[256];
          PetscBool dummy                    = PETSC_FALSE;
          SsbStep   trial                    = *step;
          for (int q = i + 1; q <= i + k; q++) {
            if (prefix[0]) strcat(prefix, " ");
            strcat(prefix, words[q]);
          }
          char unit[300];
          snprintf(unit, sizeof unit, "1 %s", words[i + k + 1]);
          if (SsbUnitsIsQuantity(unit)) break; /* a unit of the wrong kind: the full message says more */
          if (!ParseClause(&trial, verb, clause, prefix, &dummy, sub, sizeof sub)) {
            const char *s = SsbDidYouMean(words[i + k + 1], clauses, -1);
            if (s)
              snprintf(msg, len, "unexpected word '%s' after '%s %s'; did you mean '%s'?", words[i + k + 1], clause, prefix, s);
            else
              snprintf(msg, len, "unexpected word '%s' after '%s %s' (expected 'for' or 'until')", words[i + k + 1], clause, prefix);
            break;
          }
        }
      }
      SsbInCall(ierr);
    }
    i = j;
  }
  if (step->kind != SSB_STEP_REST && !has_at) {
    snprintf(msg, len, "'%s' needs 'at <%s>'", verb, step->kind == SSB_STEP_CURRENT ? "current" : "voltage");
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  if (step->kind == SSB_STEP_REST && isnan(step->duration)) {
    snprintf(msg, len, "a Rest step needs 'for <duration>'");
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  if ((step->kind == SSB_STEP_CURRENT || step->kind == SSB_STEP_POWER || step->kind == SSB_STEP_RESISTANCE) && isnan(step->duration) && isnan(step->until_voltage)) {
    snprintf(msg, len, "'%s' needs 'until <voltage>' or 'for <duration>' to end", verb);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  if (step->kind == SSB_STEP_VOLTAGE && isnan(step->duration) && step->until_current.unit == SSB_CURRENT_NONE) {
    snprintf(msg, len, "a Hold step needs 'until <current>' or 'for <duration>' to end");
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  PetscFunctionReturn(0);
}
