/* ssb_func.h -- material property functions of one variable (stoichiometry x or concentration c).

   A function is given in a material file as a number, a table (pairs of x and value, linear or
   monotone-cubic interpolation), or an expression in x and T (libmatheval syntax, e.g.
   "2.17 + 8.314*T/96485*log((1-x)/x)"). SsbFuncSetUp turns it, once, at the run temperature T, into a
   fast interpolant: expressions become cubic Hermite pieces on a uniform grid using the symbolic
   derivative, so the residual never evaluates an expression tree. Evaluation outside [lo, hi]
   extrapolates linearly from the end value and slope (the caller flags inadmissible states). */
#pragma once
#include <ssbsim/ssb.h>

typedef enum { SSB_FUNC_NONE = 0,
               SSB_FUNC_CONSTANT,
               SSB_FUNC_TABLE,
               SSB_FUNC_EXPRESSION } SsbFuncKind;
typedef enum { SSB_INTERP_LINEAR = 0,
               SSB_INTERP_PCHIP } SsbInterp;

typedef struct {
  SsbFuncKind kind;
  double      value;  /* SSB_FUNC_CONSTANT, SI */
  int         n;      /* SSB_FUNC_TABLE: number of nodes (>= 2, x strictly increasing) */
  double     *x, *y;  /* table nodes, owned: allocated together with PetscMalloc2(n, &x, n, &y) */
  SsbInterp   interp; /* table interpolation */
  char       *expr;   /* SSB_FUNC_EXPRESSION, owned; variables x and T (K) */
  double      scale;  /* multiplies the expression or table values: unit conversion to SI (0 or 1: none) */
  /* set by SsbFuncSetUp: */
  int     setup;
  double  lo, hi;       /* interpolation range */
  int     m;            /* number of intervals of the Hermite pieces */
  double  h, ih;        /* uniform spacing (expressions) and its inverse */
  double *px, *py, *pd; /* nodes, values, derivatives (m + 1 each), owned */
  double *pc;           /* expressions: [4 m] each interval's cubic in t = (x - px[k]) / h, c0 + t (c1 + t (c2 + t c3)), owned */
} SsbFunc;

/* Build the interpolant on [lo, hi] at temperature T. Expressions are sampled with m_expr intervals
   (0: default 2000). An expression that is not finite at an end point is sampled from lo + 1e-9 (hi -
   lo) (or to hi - ...) instead. */
PetscErrorCode SsbFuncSetUp(SsbFunc *f, double lo, double hi, double T, int m_expr);
/* Whether SsbFuncSetUp(f, lo, hi, T, m_expr) can sample f: *x_bad is NaN if so, else the first
   point where an expression's value or derivative is not finite (the case reader reports it). */
PetscErrorCode SsbFuncCheckFinite(const SsbFunc *f, double lo, double hi, double T, int m_expr, double *x_bad);
/* Value at x; *dfdx (may be NULL) receives the derivative. */
double SsbFuncEvalGeneral(const SsbFunc *f, double x, double *dfdx);
/* An expression's piece at x inside its range (px[0] < x < px[m]): the Hermite piece k as a
   polynomial in t = (x - px[k]) ih, by Horner's rule; *dfdx (may be NULL) the derivative. The
   fields are arguments so that a loop can keep them in registers (SsbDiffusionResidual). */
static inline double SsbFuncPiece(const double *px, const double *pc, int m, double ih, double x, double *dfdx)
{
  int k = (int)((x - px[0]) * ih);
  if (k >= m) k = m - 1;
  if (k < 0) k = 0;
  const double  t = (x - px[k]) * ih;
  const double *c = pc + 4 * (size_t)k;
  if (dfdx) *dfdx = (c[1] + t * (2 * c[2] + 3 * t * c[3])) * ih;
  return c[0] + t * (c[1] + t * (c[2] + t * c[3]));
}
/* SsbFuncEvalGeneral, with the two cases the residual meets most (a constant, and an expression's
   uniform Hermite pieces inside the range: the solid diffusivity at every particle shell face)
   inlined at the call site. */
static inline double SsbFuncEval(const SsbFunc *f, double x, double *dfdx)
{
  if (f->kind == SSB_FUNC_CONSTANT) {
    if (dfdx) *dfdx = 0;
    return f->value;
  }
  if (f->kind == SSB_FUNC_EXPRESSION && x > f->px[0] && x < f->px[f->m]) return SsbFuncPiece(f->px, f->pc, f->m, f->ih, x, dfdx);
  return SsbFuncEvalGeneral(f, x, dfdx);
}
/* Evaluate the source definition directly (expression tree or table); slow, for setup and tests. */
PetscErrorCode SsbFuncEvalExact(const SsbFunc *f, double x, double T, double *value);
/* A set-up interpolant of src on [lo, hi] at T, shared with every other caller asking for the same
   (src, lo, hi, T, variant); variant 0: the function, 1: its temperature derivative (an expression's
   centred difference over +-1 K; 0 for numbers and tables). Reference counted: release with
   SsbFuncSharedRelease. The source must outlive the shared copy (it is the key). */
PetscErrorCode SsbFuncShared(const SsbFunc *src, double lo, double hi, double T, int variant, const SsbFunc **f);
PetscErrorCode SsbFuncSharedRelease(const SsbFunc **f);
/* Deep copy (the copy is not set up), and release. */
PetscErrorCode SsbFuncCopy(const SsbFunc *src, SsbFunc *dst);
PetscErrorCode SsbFuncDestroy(SsbFunc *f);
/* Check an expression parses and uses only the variables x and T; on error returns SSB_ERR_INPUT
   after writing a message to msg (size len). */
PetscErrorCode SsbFuncCheckExpression(const char *expr, char *msg, size_t len);
