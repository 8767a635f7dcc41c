/* space_charge.c -- the space-charge layer of a solid electrolyte: compact (first integral) and
   resolved (1D equilibrium Poisson-Nernst-Planck) modes, and a dielectric coating in series
   (ssb_space_charge.h, docs/space-charge.md). The compact kernels at the end (PsiFromS, the
   excess-resistance table) are what physics/cell.c couples; the resolved equilibrium solver gives the
   mesh and initial state of cell.c's transient resolved layer.

   Internally everything is dimensionless: psi = F phi/(R T), xi = x/lambda_D, and
     g(psi) = G/c_b = psi + ln(1 + theta a(psi))/theta,  a(psi) = e^{-psi} - 1,
     d(psi) = 1 - c(psi)/c_b = g'(psi),  s(psi) = sign(psi) sqrt(2 g(psi)),
   so that sigma = -F c_b lambda_D s(psi) and C = (eps/lambda_D) s'(psi), s' = |d|/sqrt(2 g). */
#include <ssbsim/ssb_space_charge.h>

/* e^{-psi} - 1 + psi without the cancellation at small psi (series below |psi| = 0.5: the terms
   fall at least 2^-n, 30 terms are far below rounding). */
static double E1(double psi)
{
  if (fabs(psi) < 0.5) {
    double term = psi * psi / 2, sum = 0;
    for (int n = 3; n < 32; n++) {
      sum += term;
      term *= -psi / n;
    }
    return sum;
  }
  return expm1(-psi) + psi;
}

/* log1p(a) - a, by its series for small |a| (where the difference cancels). */
static double LogMinus(double a)
{
  if (fabs(a) < 0.1) {
    double p = a * a, sum = 0;
    for (int n = 2; n < 24; n++) {
      sum += ((n % 2) ? p : -p) / n;
      p *= a;
    }
    return sum;
  }
  return log1p(a) - a;
}

/* g(psi) >= 0. Three forms, each free of cancellation where it is used:
   |theta a| <= 0.5: E1(psi) + (log1p(theta a) - theta a)/theta (the theta -> 0 limit is E1);
   otherwise        psi + log1p(theta a)/theta;
   theta a overflows (psi < -700): psi (1 - 1/theta) + ln(theta + (1 - theta) e^psi)/theta. */
static double Gdim(double theta, double psi)
{
  if (theta == 0) return E1(psi);
  double a = theta * expm1(-psi);
  if (!isfinite(a)) return psi * (1 - 1 / theta) + log(theta + (1 - theta) * exp(psi)) / theta;
  if (fabs(a) <= 0.5) return E1(psi) + LogMinus(a) / theta;
  return psi + log1p(a) / theta;
}

/* c(psi)/c_b = 1/(theta + (1 - theta) e^psi): two positive terms, no cancellation and no overflow
   for either sign (e^psi -> inf gives 0). */
static double Crel(double theta, double psi) { return 1 / (theta + (1 - theta) * exp(psi)); }

/* d = 1 - c/c_b = g'(psi), in the form that does not cancel for its sign of psi. */
static double Ddim(double theta, double psi)
{
  if (psi >= 0) {
    double em = expm1(-psi);
    return -(1 - theta) * em / (1 + theta * em);
  }
  /* (1 - theta)(e^psi - 1)/(theta + (1 - theta) e^psi): the denominator of positive terms (written
     as 1 + (1 - theta) expm1(psi) it would cancel to 0 for psi < -37). */
  return (1 - theta) * expm1(psi) / (theta + (1 - theta) * exp(psi));
}

/* d'(psi) = -(c/c_b)' = crel (1 - theta crel) > 0. */
static double DDdim(double theta, double psi)
{
  double cr = Crel(theta, psi);
  return cr * (1 - theta * cr);
}

/* s(psi) and s'(psi). Below |psi| = 1e-8 the two-term series s = k psi (1 + (2 theta - 1) psi/6),
   s' = k (1 + (2 theta - 1) psi/3), k = sqrt(1 - theta) (error O(psi^2) relative), so s'(0) = k
   exactly and nothing divides 0 by 0. */
static void Sdim(double theta, double psi, double *s, double *ds)
{
  double k = sqrt(1 - theta);
  if (fabs(psi) < 1e-8) {
    if (s) *s = k * psi * (1 + (2 * theta - 1) * psi / 6);
    if (ds) *ds = k * (1 + (2 * theta - 1) * psi / 3);
    return;
  }
  /* g and d from one expm1: em = e^{-psi} - 1 (> 0 for psi < 0, in (-1, 0] for psi >= 0), d =
     -(1 - theta) em/(1 + theta em) for either sign (both terms of the denominator positive), the
     forms of Gdim otherwise (and Gdim itself where theta em overflows) */
  double em = expm1(-psi), g;
  if (theta == 0)
    g = fabs(psi) < 0.5 ? E1(psi) : em + psi;
  else {
    double a = theta * em;
    if (!isfinite(a))
      g = Gdim(theta, psi);
    else if (fabs(a) <= 0.5)
      g = (fabs(psi) < 0.5 ? E1(psi) : em + psi) + LogMinus(a) / theta;
    else
      g = psi + log1p(a) / theta;
  }
  double r = sqrt(2 * g);
  if (s) *s = psi > 0 ? r : -r;
  if (ds) *ds = isfinite(em) ? fabs((1 - theta) * em / (1 + theta * em)) / r : fabs(Ddim(theta, psi)) / r;
}

PetscErrorCode SsbSclParamsCheck(const SsbSclParams *p)
{
  PetscFunctionBeginUser;
  PetscCheck(p->eps_r > 0 && isfinite(p->eps_r), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: eps_r must be > 0, got %g", p->eps_r);
  PetscCheck(p->T > 0 && isfinite(p->T), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: T must be > 0, got %g", p->T);
  PetscCheck(p->c_b > 0 && isfinite(p->c_b), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: c_b must be > 0, got %g", p->c_b);
  PetscCheck(p->c_max == 0 || p->c_max > p->c_b, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: c_max must be 0/INFINITY (none) or > c_b = %g, got %g", p->c_b, p->c_max);
  PetscFunctionReturn(PETSC_SUCCESS);
}

double SsbSclTheta(const SsbSclParams *p) { return (p->c_max > 0 && isfinite(p->c_max)) ? p->c_b / p->c_max : 0.0; }
double SsbSclDebyeLength(const SsbSclParams *p) { return sqrt(p->eps_r * SSB_VACUUM_PERMITTIVITY * SSB_GAS_CONSTANT * p->T / (SSB_FARADAY * SSB_FARADAY * p->c_b)); }
double SsbSclCapacitance0(const SsbSclParams *p) { return p->eps_r * SSB_VACUUM_PERMITTIVITY / SsbSclDebyeLength(p) * sqrt(1 - SsbSclTheta(p)); }

double SsbSclMottSchottkyWidth(const SsbSclParams *p, double dphi)
{
  double vt = SSB_GAS_CONSTANT * p->T / SSB_FARADAY;
  if (dphi <= vt) return NAN;
  return sqrt(2 * p->eps_r * SSB_VACUUM_PERMITTIVITY * (dphi - vt) / (SSB_FARADAY * p->c_b));
}

PetscErrorCode SsbSclCompactEval(const SsbSclParams *p, double dphi, SsbSclState *st)
{
  double vt, theta, psi, lam, s, ds, sigma0;

  PetscFunctionBeginUser;
  PetscCall(SsbSclParamsCheck(p));
  vt    = SSB_GAS_CONSTANT * p->T / SSB_FARADAY;
  theta = SsbSclTheta(p);
  psi   = dphi / vt;
  PetscCheck(fabs(psi) <= 700, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: |F dphi/RT| = %g exceeds 700", fabs(psi));
  lam = SsbSclDebyeLength(p);
  Sdim(theta, psi, &s, &ds);
  sigma0    = SSB_FARADAY * p->c_b * lam; /* = sqrt(eps R T c_b) */
  st->dphi  = dphi;
  st->psi   = psi;
  st->G     = p->c_b * Gdim(theta, psi);
  st->sigma = -sigma0 * s;
  st->C     = p->eps_r * SSB_VACUUM_PERMITTIVITY / lam * ds;
  st->c0    = p->c_b * Crel(theta, psi);
  st->width = lam * fabs(s);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Root of f(x) = F(x) - target, F increasing, in the bracket [lo, hi] (F(lo) <= target <= F(hi)):
   Newton from x, falling back to bisection whenever a step leaves the bracket; converged when the
   step or the bracket is at rounding level. */
typedef void (*IncFn)(double x, void *ctx, double *f, double *df);
static PetscErrorCode SafeNewton(IncFn fn, void *ctx, double target, double lo, double hi, double x, double *root)
{
  PetscFunctionBeginUser;
  for (int it = 0; it < 500; it++) {
    double f, df, xn;
    fn(x, ctx, &f, &df);
    f -= target;
    if (f == 0) {
      *root = x;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    if (f < 0)
      lo = x;
    else
      hi = x;
    xn = x - f / df;
    if (!(xn > lo && xn < hi)) xn = 0.5 * (lo + hi);
    if (fabs(xn - x) <= 4e-16 * fabs(xn) || hi - lo <= 4e-16 * PetscMax(fabs(lo), fabs(hi))) {
      *root = xn;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    x = xn;
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_CONV_FAILED, "space charge: root finding did not converge in 500 iterations");
}

static void SFn(double psi, void *ctx, double *f, double *df) { Sdim(*(double *)ctx, psi, f, df); }

/* The bracket [lo, hi] (one end 0) of the root of F(psi) = t for an increasing F with F(0) = 0, by
   doubling up to |psi| = 700. */
static PetscErrorCode Bracket(IncFn fn, void *ctx, double t, double *lo, double *hi)
{
  double x = 1, f, df;

  PetscFunctionBeginUser;
  for (;;) {
    fn(t > 0 ? x : -x, ctx, &f, &df);
    if ((t > 0 && f >= t) || (t < 0 && f <= t)) break;
    PetscCheck(x < 700, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: the requested charge needs |F dphi/RT| > 700");
    x = PetscMin(2 * x, 700);
  }
  *lo = t > 0 ? 0 : -x;
  *hi = t > 0 ? x : 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSclCompactFromCharge(const SsbSclParams *p, double sigma, double *dphi)
{
  double theta, vt, t, lo, hi, psi, guess;

  PetscFunctionBeginUser;
  PetscCall(SsbSclParamsCheck(p));
  theta = SsbSclTheta(p);
  vt    = SSB_GAS_CONSTANT * p->T / SSB_FARADAY;
  t     = -sigma / (SSB_FARADAY * p->c_b * SsbSclDebyeLength(p)); /* s(psi) = t */
  if (t == 0) {
    *dphi = 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(Bracket(SFn, &theta, t, &lo, &hi));
  /* Start from the linear response when it lies in the bracket (small charges), else mid-bracket. */
  guess = t / sqrt(1 - theta);
  if (!(guess > lo && guess < hi)) guess = 0.5 * (lo + hi);
  PetscCall(SafeNewton(SFn, &theta, t, lo, hi, guess, &psi));
  *dphi = psi * vt;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* psi_scl + r s(psi_scl) = psi_total, r = C_0/C_coat with C_0 = eps/lambda_D (the coating drop
   -sigma/C_coat in units of R T/F is r s(psi)). */
typedef struct {
  double theta, r;
} SplitCtx;
static void SplitFn(double psi, void *ctx, double *f, double *df)
{
  SplitCtx *c = (SplitCtx *)ctx;
  double    s, ds;
  Sdim(c->theta, psi, &s, &ds);
  *f  = psi + c->r * s;
  *df = 1 + c->r * ds;
}

PetscErrorCode SsbSclCoatingSplit(const SsbSclParams *p, const SsbSclCoating *coat, double dphi_total, SsbSclSplit *out)
{
  double   vt, C0, Cc, psi_t, psi = 0, lo, hi;
  SplitCtx ctx;

  PetscFunctionBeginUser;
  PetscCall(SsbSclParamsCheck(p));
  PetscCheck(coat->thickness >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: coating thickness must be >= 0");
  PetscCheck(coat->thickness == 0 || (coat->eps_r > 0 && coat->conductivity > 0), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: a coating needs eps_r > 0 and conductivity > 0");
  vt        = SSB_GAS_CONSTANT * p->T / SSB_FARADAY;
  C0        = p->eps_r * SSB_VACUUM_PERMITTIVITY / SsbSclDebyeLength(p);
  Cc        = coat->thickness > 0 ? coat->eps_r * SSB_VACUUM_PERMITTIVITY / coat->thickness : INFINITY;
  ctx.theta = SsbSclTheta(p);
  ctx.r     = C0 / Cc;
  psi_t     = dphi_total / vt;
  /* |psi_scl| <= |psi_total|: both drops have the sign of the total. */
  if (psi_t != 0) {
    lo = PetscMin(0, psi_t);
    hi = PetscMax(0, psi_t);
    PetscCall(SafeNewton(SplitFn, &ctx, psi_t, lo, hi, psi_t / (1 + ctx.r * sqrt(1 - ctx.theta)), &psi));
  }
  PetscCall(SsbSclCompactEval(p, psi * vt, &out->scl));
  out->dphi_scl  = psi * vt;
  out->sigma     = out->scl.sigma;
  out->dphi_coat = isfinite(Cc) ? -out->sigma / Cc : 0.0;
  out->C_scl     = out->scl.C;
  out->C_coat    = Cc;
  out->C_total   = isfinite(Cc) ? 1 / (1 / Cc + 1 / out->C_scl) : out->C_scl;
  out->R_coat    = coat->thickness > 0 ? coat->thickness / coat->conductivity : 0.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Thomas algorithm for a[i] x[i-1] + b[i] x[i] + c[i] x[i+1] = d[i], i < m; x overwrites d, b is
   used as scratch. No pivoting: the Jacobian here is strictly diagonally dominant (d' > 0). */
static void Thomas(int m, const double *a, double *b, const double *c, double *d)
{
  for (int i = 1; i < m; i++) {
    double w = a[i] / b[i - 1];
    b[i] -= w * c[i - 1];
    d[i] -= w * d[i - 1];
  }
  d[m - 1] /= b[m - 1];
  for (int i = m - 2; i >= 0; i--) d[i] = (d[i] - c[i] * d[i + 1]) / b[i];
}

PetscErrorCode SsbSclResolvedSolve(const SsbSclParams *p, double dphi, const SsbSclMeshOptions *opt, SsbSclProfile *prof)
{
  double    vt, theta, lam, psi, Ld, q, h0, *xi, *h, *u, *A, *B, *Cu, *R, sigma0, C0;
  int       N, m;
  PetscBool conv = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(SsbSclParamsCheck(p));
  PetscCheck(opt->length > 0 && opt->growth >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: mesh length must be > 0 and growth >= 1");
  PetscCheck(opt->ncells > 0 || opt->first > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: give ncells > 0 or first > 0");
  vt    = SSB_GAS_CONSTANT * p->T / SSB_FARADAY;
  theta = SsbSclTheta(p);
  lam   = SsbSclDebyeLength(p);
  psi   = dphi / vt;
  PetscCheck(fabs(psi) <= 700, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: |F dphi/RT| = %g exceeds 700", fabs(psi));
  Ld = opt->length / lam;
  q  = opt->growth;
  if (opt->ncells > 0)
    N = opt->ncells;
  else if (q == 1)
    N = (int)ceil(Ld / (opt->first / lam) - 1e-9);
  else
    N = (int)ceil(log1p(Ld * (q - 1) / (opt->first / lam)) / log(q) - 1e-9);
  PetscCheck(N >= 2, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: the mesh needs at least 2 cells");
  /* h_0 so that the N cells fill [0, L] exactly: the meshes (N, q) and (2N, sqrt q) are nested, the
     nodes of a smooth (exponential) map, which is what the second-order convergence needs. */
  h0 = q == 1 ? Ld / N : Ld * (q - 1) / (pow(q, N) - 1);

  PetscCall(PetscMalloc3(N + 1, &xi, N, &h, N + 1, &u));
  PetscCall(PetscMalloc4(N, &A, N, &B, N, &Cu, N, &R));
  xi[0] = 0;
  for (int i = 0; i < N; i++) {
    h[i]      = h0 * pow(q, i);
    xi[i + 1] = xi[i] + h[i];
  }
  xi[N]    = Ld;
  h[N - 1] = xi[N] - xi[N - 1];

  /* Initial guess: the semi-infinite profile, u' = -s(u) from u(0) = psi (the first integral), by
     RK4 with substeps short against the local decay length 1/s'(u). Newton then only removes the
     discretisation and finite-L differences. */
  u[0] = psi;
  for (int i = 0; i < N; i++) {
    double uu = u[i], rem = h[i];
    while (rem > 0) {
      double ds, k1, k2, k3, k4, dx;
      Sdim(theta, uu, NULL, &ds);
      dx = PetscMin(rem, 0.2 / PetscMax(1.0, ds));
      Sdim(theta, uu, &k1, NULL);
      Sdim(theta, uu - 0.5 * dx * k1, &k2, NULL);
      Sdim(theta, uu - 0.5 * dx * k2, &k3, NULL);
      Sdim(theta, uu - dx * k3, &k4, NULL);
      uu -= dx * (k1 + 2 * k2 + 2 * k3 + k4) / 6;
      rem -= dx;
    }
    u[i + 1] = uu;
  }
  if (opt->far_dirichlet) u[N] = 0;

  /* Newton on the unknowns u_1..u_m (m = N, or N - 1 with phi(L) = 0). Row i (node i): the flux
     balance of its control volume [xi_{i-1/2}, xi_{i+1/2}],
       (u_{i+1} - u_i)/h_i - (u_i - u_{i-1})/h_{i-1} - w_i d(u_i) = 0,  w_i = (h_{i-1} + h_i)/2,
     and at a Neumann end the half cell: -(u_N - u_{N-1})/h_{N-1} - (h_{N-1}/2) d(u_N) = 0. */
  m = opt->far_dirichlet ? N - 1 : N;
  for (int it = 0; it < 100 && !conv; it++) {
    double dmax = 0, scale = 1;
    for (int k = 0; k < m; k++) {
      int    i  = k + 1;
      double hl = h[i - 1];
      if (i < N) {
        double hr = h[i], w = 0.5 * (hl + hr);
        R[k]  = (u[i + 1] - u[i]) / hr - (u[i] - u[i - 1]) / hl - w * Ddim(theta, u[i]);
        B[k]  = -1 / hr - 1 / hl - w * DDdim(theta, u[i]);
        Cu[k] = 1 / hr;
      } else {
        R[k]  = -(u[i] - u[i - 1]) / hl - 0.5 * hl * Ddim(theta, u[i]);
        B[k]  = -1 / hl - 0.5 * hl * DDdim(theta, u[i]);
        Cu[k] = 0;
      }
      A[k] = 1 / hl;
      R[k] = -R[k];
    }
    Thomas(m, A, B, Cu, R);
    for (int k = 0; k < m; k++) dmax = PetscMax(dmax, fabs(R[k]));
    /* Damp steps above 2 R T/F: the exponentials make long Newton steps unreliable. */
    if (dmax > 2) scale = 2 / dmax;
    for (int k = 0; k < m; k++) u[k + 1] += scale * R[k];
    prof->newton_its = it + 1;
    if (dmax <= 1e-13 * PetscMax(fabs(psi), 1e-300)) conv = PETSC_TRUE;
  }
  if (!conv) {
    PetscCall(PetscFree3(xi, h, u));
    PetscCall(PetscFree4(A, B, Cu, R));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_CONV_FAILED, "space charge: the resolved Newton iteration did not converge (dphi = %g V)", dphi);
  }

  /* Charges. The flux at x = 0 from the half-cell balance, u'(0) = (u_1 - u_0)/h_0 - (h_0/2) d(u_0)
     (second order), and the integral of (c/c_b - 1) = -d with the scheme's own control-volume
     weights; summing the rows telescopes, so the two agree up to the Newton residual (electrode
     charge + layer charge = 0 by construction, with phi'(L) = 0). */
  sigma0 = SSB_FARADAY * p->c_b * lam;
  C0     = p->eps_r * SSB_VACUUM_PERMITTIVITY / lam;
  {
    double flux0 = (u[1] - u[0]) / h[0] - 0.5 * h[0] * Ddim(theta, u[0]), Q = 0;
    for (int i = 0; i <= N; i++) {
      double w = (i > 0 ? 0.5 * h[i - 1] : 0) + (i < N ? 0.5 * h[i] : 0);
      Q -= w * Ddim(theta, u[i]);
    }
    prof->sigma_field = sigma0 * flux0;
    prof->sigma_int   = sigma0 * Q;
  }

  /* Capacitance: v = du/dpsi solves J v = -dR/du_0 (only row 1 depends on u_0, with 1/h_0), the
     exact derivative of the discrete problem at the converged state. */
  for (int k = 0; k < m; k++) {
    int    i  = k + 1;
    double hl = h[i - 1];
    if (i < N) {
      double hr = h[i], w = 0.5 * (hl + hr);
      B[k]  = -1 / hr - 1 / hl - w * DDdim(theta, u[i]);
      Cu[k] = 1 / hr;
    } else {
      B[k]  = -1 / hl - 0.5 * hl * DDdim(theta, u[i]);
      Cu[k] = 0;
    }
    A[k] = 1 / hl;
    R[k] = k == 0 ? -1 / h[0] : 0;
  }
  Thomas(m, A, B, Cu, R);
  prof->C = -C0 * ((R[0] - 1) / h[0] - 0.5 * h[0] * DDdim(theta, u[0]));

  prof->n                = N + 1;
  prof->first_cell_ratio = h[0] / PetscMin(1.0, sqrt(1 / Crel(theta, psi)));
  PetscCall(PetscMalloc3(N + 1, &prof->x, N + 1, &prof->phi, N + 1, &prof->c));
  for (int i = 0; i <= N; i++) {
    prof->x[i]   = xi[i] * lam;
    prof->phi[i] = u[i] * vt;
    prof->c[i]   = p->c_b * Crel(theta, u[i]);
  }
  PetscCall(PetscFree3(xi, h, u));
  PetscCall(PetscFree4(A, B, Cu, R));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The equilibrium layer's differential capacitance at a given potential profile: the sensitivity
   v = du/du_0 of the discrete Poisson-Boltzmann rows 1..N-1 (those of SsbSclResolvedSolve with
   u_N = 0) linearised at u, and C = -d(u'(0))/du_0 from the half-cell balance at x = 0, in units of
   eps/lambda_D. Only v_1 is needed, so the tridiagonal system is eliminated from the far end with
   scalars: row k (node k, unknown v_k, 1 <= k <= N-1) is v_{k-1}/h_{k-1} + B_k v_k + v_{k+1}/h_k = 0
   with v_0 = 1, v_N = 0; eliminating v_{k+1} = -v_k/(h_k Bp_{k+1}) from the bottom leaves
   Bp_k = B_k - 1/(h_k^2 Bp_{k+1}) and finally v_1 = -(1/h_0)/Bp_1. No allocation (the cell model's
   diagnostics call it). x in m, lam the Debye length, phi[i stride] the potential (V) of node i < N,
   f = F/(R T). */
double SsbSclDiscreteCapacitance(double theta, int N, const double *x, double lam, const double *phi, int stride, double f)
{
  double Bp = 0, h0 = (x[1] - x[0]) / lam;
  for (int k = N - 1; k >= 1; k--) {
    double hl = (x[k] - x[k - 1]) / lam, hr = (x[k + 1] - x[k]) / lam;
    double B = -1 / hr - 1 / hl - 0.5 * (hl + hr) * DDdim(theta, f * phi[k * stride]);
    Bp       = k == N - 1 ? B : B - 1 / (hr * hr * Bp);
  }
  double v1 = N > 1 ? -(1 / h0) / Bp : 0.0;
  return -((v1 - 1) / h0 - 0.5 * h0 * DDdim(theta, f * phi[0]));
}

PetscErrorCode SsbSclProfileDestroy(SsbSclProfile *prof)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(prof->x, prof->phi, prof->c));
  prof->n = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ------------------------------------------------------------------ kernels of the coupled compact mode */

double SsbSclCrel(double theta, double psi) { return Crel(theta, psi); }

/* Safeguarded Newton on s(psi) = t from an asymptotic guess: the small-signal series for |t| < 1,
   the depletion asymptote s^2/2 = psi + ln(1 - theta)/theta (-> psi - 1) corrected to first order in
   e^{-psi} for t > 1, the accumulation asymptote psi = -ln(t^2/2 + 1 - psi) (theta = 0) for t < -1. The bracket starts as (0, inf) or (-inf, 0)
   (s is increasing) and shrinks with every evaluation; a step out of it bisects (or doubles out of
   a half-open one). Converged when |s - t| is at rounding level of t, or after a Newton step below
   1e-8 (its error is of the order of its square). */
double SsbSclPsiFromS(double theta, double t, double *ds)
{
  const double k = sqrt(1 - theta);
  double       x, lo, hi, s, d;
  if (t == 0) {
    if (ds) *ds = k;
    return 0;
  }
  if (fabs(t) < 1) {
    x = t / k; /* with the second-order term of s = k psi (1 + (2 theta - 1) psi/6) */
    x *= 1 - (2 * theta - 1) * x / 6;
  } else if (t > 0) {
    /* g = psi + ln(1 - theta + theta e^{-psi})/theta = t^2/2, to first order in e^{-psi} */
    x = 0.5 * t * t + (theta > 0 ? -log1p(-theta) / theta : 1.0);
    x -= exp(-x) / (1 - theta);
  } else {
    x = -log(0.5 * t * t + 1);
    if (theta == 0) x = -log(0.5 * t * t + 1 - x); /* one fixed-point step of e^{-psi} = t^2/2 + 1 - psi */
  }
  lo = t > 0 ? 0 : -INFINITY;
  hi = t > 0 ? INFINITY : 0;
  for (int it = 0; it < 200; it++) {
    Sdim(theta, x, &s, &d);
    double f = s - t, xn;
    if (fabs(f) <= 2e-16 * fabs(t)) break;
    if (f < 0)
      lo = x;
    else
      hi = x;
    xn = x - f / d;
    if (!(xn > lo && xn < hi)) {
      if (isfinite(lo) && isfinite(hi))
        xn = 0.5 * (lo + hi);
      else if (isfinite(lo))
        xn = 2 * x - lo + 1;
      else
        xn = 2 * x - hi - 1;
    } else if (fabs(xn - x) <= 1e-8 * PetscMax(1.0, fabs(x))) {
      /* a Newton step this small leaves an error of order its square (s is smooth): x is converged
         to rounding without another evaluation; s' is returned from x, 1e-8 relative off (Jacobian only) */
      x = xn;
      break;
    }
    x = xn;
  }
  if (ds) *ds = d;
  return x;
}

/* k(psi) = (c_b/c - 1)/s(psi) = (1 - theta) |e^psi - 1|/sqrt(2 g(psi)) > 0, k(0) = sqrt(1 - theta):
   the excess resistivity of the layer per unit of psi (R = (lambda_D/kappa) int_0^psi k). */
double SsbSclResistanceIntegrand(double theta, double psi)
{
  if (fabs(psi) < 1e-8) return sqrt(1 - theta); /* the O(psi) correction is below 1e-8 relative here */
  return (1 - theta) * fabs(expm1(psi)) / sqrt(2 * Gdim(theta, psi));
}

/* 5-point Gauss-Legendre on [a, b] (exact to degree 9): the reference quadrature. */
static double GaussK(double theta, double a, double b)
{
  static const double xg[5] = {0.0, -0.5384693101056831, 0.5384693101056831, -0.9061798459386640, 0.9061798459386640};
  static const double wg[5] = {0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891};
  double              m = 0.5 * (a + b), h = 0.5 * (b - a), sum = 0;
  for (int i = 0; i < 5; i++) sum += wg[i] * SsbSclResistanceIntegrand(theta, m + h * xg[i]);
  return h * sum;
}

/* 3-point Gauss-Legendre (exact to degree 5: on the table's 0.02-wide intervals the error is
   ~h^7 k^(6), far below rounding of J): the table's integrals. */
static double GaussK3(double theta, double a, double b)
{
  const double m = 0.5 * (a + b), h = 0.5 * (b - a), x = 0.7745966692414834;
  return h * (8.0 / 9.0 * SsbSclResistanceIntegrand(theta, m) + 5.0 / 9.0 * (SsbSclResistanceIntegrand(theta, m - h * x) + SsbSclResistanceIntegrand(theta, m + h * x)));
}

#define SCL_TAB_LO (-50.0)
#define SCL_TAB_HI 80.0
#define SCL_TAB_H  0.02

PetscErrorCode SsbSclRTableCreate(double theta, SsbSclRTable *t)
{
  PetscFunctionBeginUser;
  t->theta = theta;
  t->lo    = SCL_TAB_LO;
  t->h     = SCL_TAB_H;
  t->ih    = 1 / SCL_TAB_H;
  t->m     = (int)lround((SCL_TAB_HI - SCL_TAB_LO) / SCL_TAB_H);
  PetscCall(PetscMalloc2(t->m + 1, &t->J, t->m + 1, &t->k));
  const int i0 = (int)lround(-SCL_TAB_LO / SCL_TAB_H); /* the node at psi = 0 */
  for (int i = 0; i <= t->m; i++) t->k[i] = SsbSclResistanceIntegrand(theta, t->lo + i * t->h);
  t->J[i0] = 0;
  for (int i = i0 + 1; i <= t->m; i++) t->J[i] = t->J[i - 1] + GaussK3(theta, t->lo + (i - 1) * t->h, t->lo + i * t->h);
  for (int i = i0 - 1; i >= 0; i--) t->J[i] = t->J[i + 1] - GaussK3(theta, t->lo + i * t->h, t->lo + (i + 1) * t->h);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSclRTableDestroy(SsbSclRTable *t)
{
  PetscFunctionBeginUser;
  if (t->J) PetscCall(PetscFree2(t->J, t->k));
  t->J = t->k = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One table per theta for the whole process (cell models of a stack share it), reference counted;
   created and released serially (cell model setup). */
typedef struct RTableEntry {
  SsbSclRTable        t;
  int                 refs;
  struct RTableEntry *next;
} RTableEntry;
static RTableEntry *rtable_head;

PetscErrorCode SsbSclRTableShared(double theta, const SsbSclRTable **t)
{
  RTableEntry *e;

  PetscFunctionBeginUser;
  for (e = rtable_head; e; e = e->next)
    if (e->t.theta == theta) {
      e->refs++;
      *t = &e->t;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  PetscCall(PetscCalloc1(1, &e));
  PetscCall(SsbSclRTableCreate(theta, &e->t));
  e->refs     = 1;
  e->next     = rtable_head;
  rtable_head = e;
  *t          = &e->t;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSclRTableSharedRelease(const SsbSclRTable **t)
{
  PetscFunctionBeginUser;
  if (!*t) PetscFunctionReturn(PETSC_SUCCESS);
  for (RTableEntry **p = &rtable_head; *p; p = &(*p)->next)
    if (&(*p)->t == *t) {
      RTableEntry *e = *p;
      if (--e->refs == 0) {
        *p = e->next;
        PetscCall(SsbSclRTableDestroy(&e->t));
        PetscCall(PetscFree(e));
      }
      break;
    }
  *t = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

double SsbSclRTableEval(const SsbSclRTable *t, double psi, double *dJ)
{
  const int m = t->m;
  if (!(psi > t->lo)) { /* also a NaN psi (an iterate gone astray): no index from it */
    *dJ = t->k[0];
    return t->J[0] + t->k[0] * (psi - t->lo);
  }
  int i = (int)((psi - t->lo) * t->ih);
  if (i >= m) {
    *dJ = t->k[m];
    return t->J[m] + t->k[m] * (psi - t->lo - m * t->h);
  }
  double h = t->h, u = (psi - t->lo - i * h) * t->ih, u2 = u * u, u3 = u2 * u;
  double y0 = t->J[i], y1 = t->J[i + 1], d0 = t->k[i], d1 = t->k[i + 1];
  *dJ = ((6 * u2 - 6 * u) * y0 + (-6 * u2 + 6 * u) * y1) / h + (3 * u2 - 4 * u + 1) * d0 + (3 * u2 - 2 * u) * d1;
  return (2 * u3 - 3 * u2 + 1) * y0 + h * (u3 - 2 * u2 + u) * d0 + (-2 * u3 + 3 * u2) * y1 + h * (u3 - u2) * d1;
}

PetscErrorCode SsbSclExcessResistance(const SsbSclParams *p, double kappa, double dphi, double *R)
{
  double theta, psi, sum = 0;
  int    n;

  PetscFunctionBeginUser;
  PetscCall(SsbSclParamsCheck(p));
  PetscCheck(kappa > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "space charge: kappa must be > 0");
  theta = SsbSclTheta(p);
  psi   = dphi * SSB_FARADAY / (SSB_GAS_CONSTANT * p->T);
  n     = (int)PetscMax(200.0, ceil(fabs(psi) / 1e-3));
  for (int i = 0; i < n; i++) sum += GaussK(theta, psi * i / n, psi * (i + 1) / n);
  *R = SsbSclDebyeLength(p) / kappa * sum;
  PetscFunctionReturn(PETSC_SUCCESS);
}
