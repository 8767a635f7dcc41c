/* func.c -- material property functions: constants, tables and expressions turned into fast
   interpolants (see ssb_func.h).

   Expressions (libmatheval) are sampled once at the run temperature on a uniform grid, value and
   exact symbolic derivative at every node, and evaluated as cubic Hermite pieces: O(1) lookup, C1,
   error O(h^4 f''''). Tables are interpolated linearly or with the monotone piecewise-cubic Hermite
   scheme of Fritsch & Carlson (SIAM J. Numer. Anal. 17 (1980) 238), found by bisection. Outside the
   interpolation range the function continues linearly with its end slope. */
#include <ssbsim/ssb_func.h>
#include <matheval.h>
#include <string.h>

static double HermiteValue(double h, double t, double y0, double y1, double d0, double d1, double *dfdx)
{
  /* t in [0,1] on an interval of width h */
  double t2 = t * t, t3 = t2 * t;
  double h00 = 2 * t3 - 3 * t2 + 1, h10 = t3 - 2 * t2 + t, h01 = -2 * t3 + 3 * t2, h11 = t3 - t2;
  if (dfdx) {
    double g00 = 6 * t2 - 6 * t, g10 = 3 * t2 - 4 * t + 1, g01 = -6 * t2 + 6 * t, g11 = 3 * t2 - 2 * t;
    *dfdx = (g00 * y0 + g01 * y1) / h + g10 * d0 + g11 * d1;
  }
  return h00 * y0 + h * h10 * d0 + h01 * y1 + h * h11 * d1;
}

/* An expression's Hermite pieces as cubics in t (SsbFunc.pc): the same interpolant, evaluated by
   Horner's rule in the residual's innermost loop (the solid diffusivity at every shell face). */
static PetscErrorCode FuncBuildCubics(SsbFunc *f)
{
  PetscFunctionBeginUser;
  if (!f->pc) PetscCall(PetscMalloc1(4 * (size_t)f->m, &f->pc));
  for (int k = 0; k < f->m; k++) {
    const double h = f->px[k + 1] - f->px[k], y0 = f->py[k], y1 = f->py[k + 1], d0 = h * f->pd[k], d1 = h * f->pd[k + 1];
    f->pc[4 * k]     = y0;
    f->pc[4 * k + 1] = d0;
    f->pc[4 * k + 2] = 3 * (y1 - y0) - 2 * d0 - d1;
    f->pc[4 * k + 3] = 2 * (y0 - y1) + d0 + d1;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

double SsbFuncEvalGeneral(const SsbFunc *f, double x, double *dfdx)
{
  switch (f->kind) {
  case SSB_FUNC_NONE:
    if (dfdx) *dfdx = 0;
    return 0;
  case SSB_FUNC_CONSTANT:
    if (dfdx) *dfdx = 0;
    return f->value;
  default:
    break;
  }
  const int m = f->m;
  if (x <= f->px[0]) {
    if (dfdx) *dfdx = f->pd[0];
    return f->py[0] + f->pd[0] * (x - f->px[0]);
  }
  if (x >= f->px[m]) {
    if (dfdx) *dfdx = f->pd[m];
    return f->py[m] + f->pd[m] * (x - f->px[m]);
  }
  if (f->pc) return SsbFuncPiece(f->px, f->pc, m, f->ih, x, dfdx); /* an expression: its cubics, as SsbFuncEval (one representation) */
  int k;
  if (f->ih > 0) {
    k = (int)((x - f->px[0]) * f->ih);
    if (k >= m) k = m - 1;
    if (k < 0) k = 0;
  } else {
    int lo = 0, hi = m;
    while (hi - lo > 1) {
      int mid = (lo + hi) / 2;
      if (x < f->px[mid])
        hi = mid;
      else
        lo = mid;
    }
    k = lo;
  }
  double h = f->px[k + 1] - f->px[k];
  if (f->kind == SSB_FUNC_TABLE && f->interp == SSB_INTERP_LINEAR) {
    double s = (f->py[k + 1] - f->py[k]) / h;
    if (dfdx) *dfdx = s;
    return f->py[k] + s * (x - f->px[k]);
  }
  return HermiteValue(h, (x - f->px[k]) / h, f->py[k], f->py[k + 1], f->pd[k], f->pd[k + 1], dfdx);
}

/* Fritsch-Carlson monotone slopes for table nodes. */
static void PchipSlopes(int n, const double *x, const double *y, double *d)
{
  if (n == 2) {
    d[0] = d[1] = (y[1] - y[0]) / (x[1] - x[0]);
    return;
  }
  for (int k = 1; k < n - 1; k++) {
    double h0 = x[k] - x[k - 1], h1 = x[k + 1] - x[k];
    double s0 = (y[k] - y[k - 1]) / h0, s1 = (y[k + 1] - y[k]) / h1;
    if (s0 * s1 <= 0)
      d[k] = 0;
    else {
      double w1 = 2 * h1 + h0, w2 = h1 + 2 * h0;
      d[k] = (w1 + w2) / (w1 / s0 + w2 / s1);
    }
  }
  /* one-sided three-point end slopes, limited to keep monotonicity */
  for (int e = 0; e < 2; e++) {
    int    i0 = e == 0 ? 0 : n - 1, sgn = e == 0 ? 1 : -1;
    double h0 = fabs(x[i0 + sgn] - x[i0]), h1 = fabs(x[i0 + 2 * sgn] - x[i0 + sgn]);
    double s0 = (y[i0 + sgn] - y[i0]) / (x[i0 + sgn] - x[i0]), s1 = (y[i0 + 2 * sgn] - y[i0 + sgn]) / (x[i0 + 2 * sgn] - x[i0 + sgn]);
    double dd = ((2 * h0 + h1) * s0 - h0 * s1) / (h0 + h1);
    if (dd * s0 <= 0)
      dd = 0;
    else if (s0 * s1 <= 0 && fabs(dd) > fabs(3 * s0))
      dd = 3 * s0;
    d[i0] = dd;
  }
}

static PetscErrorCode ExprEval(void *ev, double x, double T, double *v)
{
  char  *names[2] = {"x", "T"};
  double vals[2]  = {x, T};
  PetscFunctionBeginUser;
  *v = evaluator_evaluate(ev, 2, names, vals);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbFuncCheckExpression(const char *expr, char *msg, size_t len)
{
  void  *ev;
  char **names;
  int    count;
  PetscFunctionBeginUser;
  ev = evaluator_create((char *)expr);
  if (!ev) {
    snprintf(msg, len, "cannot parse expression '%s'", expr);
    return SSB_ERR_INPUT;
  }
  evaluator_get_variables(ev, &names, &count);
  for (int i = 0; i < count; i++) {
    if (strcmp(names[i], "x") && strcmp(names[i], "T")) {
      snprintf(msg, len, "expression '%s' uses the unknown variable '%s' (only x and T are defined)", expr, names[i]);
      evaluator_destroy(ev);
      return SSB_ERR_INPUT;
    }
  }
  evaluator_destroy(ev);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbFuncEvalExact(const SsbFunc *f, double x, double T, double *value)
{
  PetscFunctionBeginUser;
  switch (f->kind) {
  case SSB_FUNC_NONE:
    *value = 0;
    break;
  case SSB_FUNC_CONSTANT:
    *value = f->value;
    break;
  case SSB_FUNC_TABLE: {
    SsbFunc g = *f; /* evaluate the table through its own nodes */
    g.px      = f->x;
    g.py      = f->y;
    g.m       = f->n - 1;
    g.ih      = 0;
    if (f->setup)
      g.pd = f->pd;
    else {
      PetscCall(PetscMalloc1(f->n, &g.pd));
      if (f->interp == SSB_INTERP_PCHIP)
        PchipSlopes(f->n, f->x, f->y, g.pd);
      else
        for (int k = 0; k < f->n; k++) g.pd[k] = (f->y[k == f->n - 1 ? k : k + 1] - f->y[k == f->n - 1 ? k - 1 : k]) / (f->x[k == f->n - 1 ? k : k + 1] - f->x[k == f->n - 1 ? k - 1 : k]);
    }
    *value = SsbFuncEval(&g, x, NULL) * (f->setup || f->scale == 0 ? 1.0 : f->scale);
    if (!f->setup) PetscCall(PetscFree(g.pd));
  } break;
  case SSB_FUNC_EXPRESSION: {
    void *ev = evaluator_create(f->expr);
    PetscCheck(ev, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "cannot parse expression '%s'", f->expr);
    PetscCall(ExprEval(ev, x, T, value));
    *value *= f->scale == 0 ? 1.0 : f->scale;
    evaluator_destroy(ev);
  } break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The grid SsbFuncSetUp samples an expression on: [lo, hi], an end point where the value is not
   finite moved 1e-9 of the range inside, and m intervals. */
static PetscErrorCode ExprGrid(void *ev, double T, int m_expr, double *lo, double *hi, int *m)
{
  double v;
  PetscFunctionBeginUser;
  PetscCall(ExprEval(ev, *lo, T, &v));
  if (!isfinite(v)) *lo += 1e-9 * (*hi - *lo);
  PetscCall(ExprEval(ev, *hi, T, &v));
  if (!isfinite(v)) *hi -= 1e-9 * (*hi - *lo);
  *m = m_expr > 0 ? m_expr : 2000;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Value and derivative at the m + 1 nodes of the grid (into px, py, pd, each m + 1 long, or NULL);
   *x_bad is the first node where either is not finite, NaN if there is none. */
static PetscErrorCode ExprSample(void *ev, void *dev, double lo, double hi, int m, double T, double scale, double *px, double *py, double *pd, double *x_bad)
{
  const double h = (hi - lo) / m;
  PetscFunctionBeginUser;
  *x_bad = NAN;
  for (int k = 0; k <= m; k++) {
    double x = k == m ? hi : lo + k * h, v, d;
    PetscCall(ExprEval(ev, x, T, &v));
    PetscCall(ExprEval(dev, x, T, &d));
    if (px) {
      px[k] = x;
      py[k] = scale * v;
      pd[k] = scale * d;
    }
    if (!isfinite(v) || !isfinite(d)) {
      *x_bad = x;
      break;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbFuncCheckFinite(const SsbFunc *f, double lo, double hi, double T, int m_expr, double *x_bad)
{
  void *ev, *dev;
  int   m;
  PetscFunctionBeginUser;
  *x_bad = NAN;
  if (f->kind != SSB_FUNC_EXPRESSION) PetscFunctionReturn(PETSC_SUCCESS);
  ev = evaluator_create(f->expr);
  PetscCheck(ev, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "cannot parse expression '%s'", f->expr);
  dev = evaluator_derivative(ev, "x");
  if (!dev) evaluator_destroy(ev);
  PetscCheck(dev, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "cannot differentiate expression '%s'", f->expr);
  PetscCall(ExprGrid(ev, T, m_expr, &lo, &hi, &m));
  PetscCall(ExprSample(ev, dev, lo, hi, m, T, 1.0, NULL, NULL, NULL, x_bad));
  evaluator_destroy(dev);
  evaluator_destroy(ev);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbFuncSetUp(SsbFunc *f, double lo, double hi, double T, int m_expr)
{
  PetscFunctionBeginUser;
  if (f->setup) {
    PetscCall(PetscFree3(f->px, f->py, f->pd));
    PetscCall(PetscFree(f->pc));
    f->setup = 0;
  }
  if (f->kind == SSB_FUNC_NONE || f->kind == SSB_FUNC_CONSTANT) {
    f->setup = 1;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  double scale = f->scale == 0 ? 1.0 : f->scale;
  if (f->kind == SSB_FUNC_TABLE) {
    PetscCheck(f->n >= 2, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "a table needs at least two points");
    f->m  = f->n - 1;
    f->ih = 0;
    f->h  = 0;
    PetscCall(PetscMalloc3(f->n, &f->px, f->n, &f->py, f->n, &f->pd));
    for (int k = 0; k < f->n; k++) {
      f->px[k] = f->x[k];
      f->py[k] = scale * f->y[k];
    }
    if (f->interp == SSB_INTERP_PCHIP)
      PchipSlopes(f->n, f->px, f->py, f->pd);
    else {
      /* end slopes for linear extrapolation */
      for (int k = 0; k < f->n; k++) f->pd[k] = 0;
      f->pd[0]    = (f->py[1] - f->py[0]) / (f->px[1] - f->px[0]);
      f->pd[f->m] = (f->py[f->m] - f->py[f->m - 1]) / (f->px[f->m] - f->px[f->m - 1]);
    }
    f->lo    = f->px[0];
    f->hi    = f->px[f->m];
    f->setup = 1;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  /* expression */
  void *ev = evaluator_create(f->expr);
  PetscCheck(ev, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "cannot parse expression '%s'", f->expr);
  void *dev = evaluator_derivative(ev, "x");
  PetscCheck(dev, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "cannot differentiate expression '%s'", f->expr);
  double x_bad;
  int    m;
  PetscCall(ExprGrid(ev, T, m_expr, &lo, &hi, &m));
  f->m  = m;
  f->lo = lo;
  f->hi = hi;
  f->h  = (hi - lo) / m;
  f->ih = 1.0 / f->h;
  PetscCall(PetscMalloc3(m + 1, &f->px, m + 1, &f->py, m + 1, &f->pd));
  PetscCall(ExprSample(ev, dev, lo, hi, m, T, scale, f->px, f->py, f->pd, &x_bad));
  if (!isnan(x_bad)) {
    evaluator_destroy(dev);
    evaluator_destroy(ev);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "expression '%s' is not finite at x = %g, T = %g K (its range must cover [%g, %g])", f->expr, x_bad, T, lo, hi);
  }
  evaluator_destroy(dev);
  evaluator_destroy(ev);
  PetscCall(FuncBuildCubics(f));
  f->setup = 1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbFuncCopy(const SsbFunc *src, SsbFunc *dst)
{
  PetscFunctionBeginUser;
  memset(dst, 0, sizeof(*dst));
  dst->kind   = src->kind;
  dst->value  = src->value;
  dst->n      = src->n;
  dst->interp = src->interp;
  dst->scale  = src->scale;
  if (src->n > 0) {
    PetscCall(PetscMalloc2(src->n, &dst->x, src->n, &dst->y));
    PetscCall(PetscArraycpy(dst->x, src->x, src->n));
    PetscCall(PetscArraycpy(dst->y, src->y, src->n));
  }
  if (src->expr) PetscCall(PetscStrallocpy(src->expr, &dst->expr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbFuncDestroy(SsbFunc *f)
{
  PetscFunctionBeginUser;
  if (!f) PetscFunctionReturn(PETSC_SUCCESS);
  if (f->setup && f->px) PetscCall(PetscFree3(f->px, f->py, f->pd));
  PetscCall(PetscFree(f->pc));
  if (f->x) PetscCall(PetscFree2(f->x, f->y));
  PetscCall(PetscFree(f->expr));
  memset(f, 0, sizeof(*f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---------------------------------------------------------------- shared interpolants

   The cells of a stack use the same materials at the same temperature: their interpolants (48 kB for
   an expression on 2001 points) are set up once and shared. An entry is keyed by the source
   function's address, the range, the temperature and the variant (0: the function, 1: its
   temperature derivative, the centred difference over +-1 K of an expression); it lives while
   references to it do. Set-up is serial (model creation), evaluation only reads. */
typedef struct SharedEntry {
  const SsbFunc      *src;
  double              lo, hi, T;
  int                 variant, refs;
  SsbFunc             f;
  struct SharedEntry *next;
} SharedEntry;

static SharedEntry *shared_head = NULL;

PetscErrorCode SsbFuncShared(const SsbFunc *src, double lo, double hi, double T, int variant, const SsbFunc **out)
{
  PetscFunctionBeginUser;
  for (SharedEntry *e = shared_head; e; e = e->next)
    if (e->src == src && e->lo == lo && e->hi == hi && e->T == T && e->variant == variant) {
      e->refs++;
      *out = &e->f;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  SharedEntry *e;
  PetscCall(PetscCalloc1(1, &e));
  e->src     = src;
  e->lo      = lo;
  e->hi      = hi;
  e->T       = T;
  e->variant = variant;
  e->refs    = 1;
  if (variant == 0) {
    PetscCall(SsbFuncCopy(src, &e->f));
    PetscCall(SsbFuncSetUp(&e->f, lo, hi, T, 0));
  } else if (src->kind == SSB_FUNC_EXPRESSION) {
    SsbFunc up, dn;
    PetscCall(SsbFuncCopy(src, &up));
    PetscCall(SsbFuncCopy(src, &dn));
    PetscCall(SsbFuncSetUp(&up, lo, hi, T + 1.0, 0));
    PetscCall(SsbFuncSetUp(&dn, lo, hi, T - 1.0, 0));
    PetscCall(SsbFuncCopy(src, &e->f));
    PetscCall(SsbFuncSetUp(&e->f, lo, hi, T, 0));
    PetscCheck(up.m == e->f.m && dn.m == e->f.m && up.lo == e->f.lo && dn.hi == e->f.hi, PETSC_COMM_SELF, PETSC_ERR_PLIB, "interpolation grids differ across temperatures");
    for (int k = 0; k <= e->f.m; k++) {
      e->f.py[k] = 0.5 * (up.py[k] - dn.py[k]);
      e->f.pd[k] = 0.5 * (up.pd[k] - dn.pd[k]);
    }
    PetscCall(FuncBuildCubics(&e->f));
    PetscCall(SsbFuncDestroy(&up));
    PetscCall(SsbFuncDestroy(&dn));
  } else { /* a constant or a table has no temperature dependence */
    e->f = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 0.0};
    PetscCall(SsbFuncSetUp(&e->f, lo, hi, T, 0));
  }
  e->next     = shared_head;
  shared_head = e;
  *out        = &e->f;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbFuncSharedRelease(const SsbFunc **f)
{
  PetscFunctionBeginUser;
  if (!*f) PetscFunctionReturn(PETSC_SUCCESS);
  for (SharedEntry **p = &shared_head; *p; p = &(*p)->next)
    if (&(*p)->f == *f) {
      SharedEntry *e = *p;
      if (--e->refs == 0) {
        *p = e->next;
        PetscCall(SsbFuncDestroy(&e->f));
        PetscCall(PetscFree(e));
      }
      break;
    }
  *f = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}
