/* input_error.c -- reporting of case-file errors ("file:line:col: error: message", as compilers do)
   and the "did you mean" suggestion for misspelt keys (Levenshtein distance).

   Input errors are not program errors: they are printed once, on rank 0 of PETSC_COMM_WORLD,
   without a PETSc traceback, and the reader returns SSB_ERR_INPUT straight up to main(). */
#include "case_internal.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PetscBool IsRankZero(void)
{
  PetscMPIInt rank = 0;
  if (PetscInitializeCalled && !PetscFinalizeCalled) {
    if (MPI_Comm_rank(PETSC_COMM_WORLD, &rank)) rank = 0;
  }
  return rank == 0 ? PETSC_TRUE : PETSC_FALSE;
}

/* Appended to every error message while set (SsbInputErrorContext): which cell of a stack, with
   which variation entries, was being read. */
static char error_context[1024];

void SsbInputErrorContext(const char *context)
{
  snprintf(error_context, sizeof error_context, "%s", context ? context : "");
}

static void Report(const char *severity, const char *file, int line, int col, const char *fmt, va_list ap)
{
  char where[1200];
  if (!IsRankZero()) return;
  if (file && line > 0 && col > 0)
    snprintf(where, sizeof where, "%s:%d:%d: ", file, line, col);
  else if (file && line > 0)
    snprintf(where, sizeof where, "%s:%d: ", file, line);
  else if (file)
    snprintf(where, sizeof where, "%s: ", file);
  else
    where[0] = '\0';
  fprintf(stderr, "%s%s: ", where, severity);
  vfprintf(stderr, fmt, ap);
  if (error_context[0] && !strcmp(severity, "error")) fprintf(stderr, " (%s)", error_context);
  fputc('\n', stderr);
  fflush(stderr);
}

PetscErrorCode SsbInputError(const char *file, int line, int col, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  Report("error", file, line, col, fmt, ap);
  va_end(ap);
  return SSB_ERR_INPUT;
}

PetscErrorCode SsbInputWarning(const char *file, int line, int col, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  Report("warning", file, line, col, fmt, ap);
  va_end(ap);
  return 0;
}

/* Case-insensitive edit distance (insert, delete, substitute, each cost 1). */
int SsbLevenshtein(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  int   *row, d;
  row = (int *)malloc((lb + 1) * sizeof(int));
  if (!row) return (int)(la > lb ? la : lb);
  for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int diag = row[0];
    row[0]   = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int up = row[j];
      int c  = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
      int v  = diag + c;
      if (up + 1 < v) v = up + 1;
      if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
      row[j] = v;
      diag   = up;
    }
  }
  d = row[lb];
  free(row);
  return d;
}

/* A suggestion is made only when it is plausibly the intended word: at most a third of the longer
   word changed (at least 2 edits allowed), or one word is a prefix of the other. */
const char *SsbDidYouMean(const char *word, const char *const *valid, int n)
{
  const char *best  = NULL;
  int         bestd = 1 << 30;
  if (!word || !valid) return NULL;
  for (int i = 0; n < 0 ? valid[i] != NULL : i < n; i++) {
    int d = SsbLevenshtein(word, valid[i]);
    if (d < bestd) {
      bestd = d;
      best  = valid[i];
    }
  }
  if (best) {
    size_t lw = strlen(word), lb = strlen(best), lmax = lw > lb ? lw : lb;
    int    allowed = (int)(lmax / 3) < 2 ? 2 : (int)(lmax / 3);
    if (bestd <= allowed && bestd < (int)lmax) return best;
  }
  for (int i = 0; n < 0 ? valid[i] != NULL : i < n; i++) {
    size_t lw = strlen(word), lv = strlen(valid[i]), lmin = lw < lv ? lw : lv, k = 0;
    if (lmin < 4) continue;
    while (k < lmin && tolower((unsigned char)word[k]) == tolower((unsigned char)valid[i][k])) k++;
    if (k == lmin) return valid[i];
  }
  return NULL;
}
