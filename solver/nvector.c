/* nvector.c -- ssbsim's serial N_Vector (see ssb_nvector.h): NVECTOR_SERIAL's data layout and
   semantics, compiled with ssbsim's optimisation flags, with all fused and vector-array operations.

   Special cases follow nvector_serial.c of SUNDIALS 6.4 (x == z aliasing in linear sums and linear
   combinations, N_VInvTest leaving z untouched where x == 0, N_VConstrMask's tests). Reductions use
   `omp simd reduction`, which lets the compiler vectorise them by reordering the sum: results agree
   with NVECTOR_SERIAL to round-off. The element-wise operations that IDA calls most (linear sums,
   scaling, linear combinations) split long vectors (a stack of hundreds of cells, n >=
   SSB_NV_OMP_MIN) among OpenMP threads; each element is computed as in the serial loop, so the
   result does not depend on the number of threads. Reductions stay serial (the same sum order with
   any number of threads).

   SsbNVectorNewDistributed (the stack's state over MPI ranks) shares the element-wise code (its
   content begins with the serial content: local length, ownership, local data) and replaces the
   reductions: sums per segment (a cell, or the border) in a fixed order, gathered and added in
   global segment order, so that they do not depend on the number of ranks (ssb_nvector.h;
   tests/test_nvector_mpi.c). */
#include <ssbsim/ssb_nvector.h>
#include <nvector/nvector_serial.h>
#include <math.h>
#include <stdlib.h>

#define LEN(v) (((N_VectorContent_Serial)(v)->content)->length)
/* for (j < n) BODY: among OpenMP threads for long vectors; short ones never enter a parallel region
   (libgomp allocates and frees a thread team for every region, even one whose `if` clause is false:
   about 1 us per vector operation, a quarter of a single cell's discharge) */
#define SSB_FOR(n, j, ...)                                                                             \
  do {                                                                                                 \
    if ((n) >= SSB_NV_OMP_MIN) {                                                                       \
      _Pragma("omp parallel for schedule(static)") for (sunindextype j = 0; j < (n); j++) __VA_ARGS__; \
    } else                                                                                             \
      for (sunindextype j = 0; j < (n); j++) __VA_ARGS__;                                              \
  } while (0)
#define DATA(v) (((N_VectorContent_Serial)(v)->content)->data)
/* The element-wise operations and the fixed-order segment sums are also compiled for AVX2 (picked
   at load time by the CPU). No FMA, and no reordering (the segment sums' four partial sums are the
   four lanes): every result is bitwise the same as the default build's. The `omp simd` reductions
   of the serial kind are not cloned (their order would follow the vector width). */
#include "clones.h"

/* ---------------- constructors and utilities ---------------- */

static N_Vector_ID GetID(N_Vector v) { return SUNDIALS_NVEC_SERIAL; }

/* an empty clone of w whose content (of `size` bytes) begins with the serial header: length and
   no data; both vector kinds use it */
static N_Vector CloneEmptySized(N_Vector w, size_t size)
{
  N_Vector               v;
  N_VectorContent_Serial content;
  if (!w) return NULL;
  v = N_VNewEmpty(w->sunctx);
  if (!v) return NULL;
  if (N_VCopyOps(w, v)) {
    N_VFreeEmpty(v);
    return NULL;
  }
  content = (N_VectorContent_Serial)malloc(size);
  if (!content) {
    N_VFreeEmpty(v);
    return NULL;
  }
  content->length   = LEN(w);
  content->own_data = SUNFALSE;
  content->data     = NULL;
  v->content        = content;
  return v;
}

static N_Vector CloneEmpty(N_Vector w) { return CloneEmptySized(w, sizeof(struct _N_VectorContent_Serial)); }

/* a clone owning its data, for either kind (the empty clone and the destructor through w's ops) */
static N_Vector Clone(N_Vector w)
{
  N_Vector     v = w ? w->ops->nvcloneempty(w) : NULL;
  sunindextype n = v ? LEN(w) : 0;
  if (!v) return NULL;
  if (n > 0) {
    double *data = (double *)malloc((size_t)n * sizeof(double));
    if (!data) {
      N_VDestroy(v);
      return NULL;
    }
    ((N_VectorContent_Serial)v->content)->own_data = SUNTRUE;
    ((N_VectorContent_Serial)v->content)->data     = data;
  }
  return v;
}

static void Destroy(N_Vector v)
{
  if (!v) return;
  if (v->content) {
    N_VectorContent_Serial content = (N_VectorContent_Serial)v->content;
    if (content->own_data && content->data) free(content->data);
    free(content);
    v->content = NULL;
  }
  N_VFreeEmpty(v);
}

static void Space(N_Vector v, sunindextype *lrw, sunindextype *liw)
{
  *lrw = LEN(v);
  *liw = 1;
}

static double *GetArrayPointer(N_Vector v) { return DATA(v); }
static void    SetArrayPointer(double *data, N_Vector v)
{
  if (LEN(v) > 0) DATA(v) = data;
}
static void        *GetCommunicator(N_Vector v) { return NULL; }
static sunindextype GetLength(N_Vector v) { return LEN(v); }

/* ---------------- standard operations ---------------- */

SSB_CLONES static void LinearSum(double a, N_Vector x, double b, N_Vector y, N_Vector z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x), *yd = DATA(y);
  double            *zd = DATA(z);
  /* the products a x and b y are exact when a or b is 1 or -1, so the one general loop gives
     NVECTOR_SERIAL's special-case results; aliasing (z == x or z == y) is elementwise safe */
  if (a == 1.0 && b == 1.0)
    SSB_FOR(n, i, zd[i] = xd[i] + yd[i]);
  else if (a == 1.0 && b == -1.0)
    SSB_FOR(n, i, zd[i] = xd[i] - yd[i]);
  else if (a == -1.0 && b == 1.0)
    SSB_FOR(n, i, zd[i] = yd[i] - xd[i]);
  else if (a == 1.0)
    SSB_FOR(n, i, zd[i] = xd[i] + b * yd[i]);
  else if (b == 1.0)
    SSB_FOR(n, i, zd[i] = a * xd[i] + yd[i]);
  else if (a == b)
    SSB_FOR(n, i, zd[i] = a * (xd[i] + yd[i]));
  else if (a == -b)
    SSB_FOR(n, i, zd[i] = a * (xd[i] - yd[i]));
  else
    SSB_FOR(n, i, zd[i] = a * xd[i] + b * yd[i]);
}

SSB_CLONES static void Const(double c, N_Vector z)
{
  const sunindextype n  = LEN(z);
  double            *zd = DATA(z);
  for (sunindextype i = 0; i < n; i++) zd[i] = c;
}

SSB_CLONES static void Prod(N_Vector x, N_Vector y, N_Vector z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x), *yd = DATA(y);
  double            *zd = DATA(z);
  for (sunindextype i = 0; i < n; i++) zd[i] = xd[i] * yd[i];
}

SSB_CLONES static void Div(N_Vector x, N_Vector y, N_Vector z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x), *yd = DATA(y);
  double            *zd = DATA(z);
  for (sunindextype i = 0; i < n; i++) zd[i] = xd[i] / yd[i];
}

SSB_CLONES static void Scale(double c, N_Vector x, N_Vector z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  double            *zd = DATA(z);
  if (c == 1.0) {
    if (zd != xd)
      SSB_FOR(n, i, zd[i] = xd[i]);
  } else if (c == -1.0)
    SSB_FOR(n, i, zd[i] = -xd[i]);
  else
    SSB_FOR(n, i, zd[i] = c * xd[i]);
}

SSB_CLONES static void Abs(N_Vector x, N_Vector z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  double            *zd = DATA(z);
  for (sunindextype i = 0; i < n; i++) zd[i] = fabs(xd[i]);
}

SSB_CLONES static void Inv(N_Vector x, N_Vector z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  double            *zd = DATA(z);
  for (sunindextype i = 0; i < n; i++) zd[i] = 1.0 / xd[i];
}

SSB_CLONES static void AddConst(N_Vector x, double b, N_Vector z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  double            *zd = DATA(z);
  for (sunindextype i = 0; i < n; i++) zd[i] = xd[i] + b;
}

static double DotProd(N_Vector x, N_Vector y)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x), *yd = DATA(y);
  double             s = 0;
#pragma omp simd reduction(+ \
                           : s)
  for (sunindextype i = 0; i < n; i++) s += xd[i] * yd[i];
  return s;
}

static double MaxNorm(N_Vector x)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  double             m  = 0;
#pragma omp simd reduction(max \
                           : m)
  for (sunindextype i = 0; i < n; i++) m = fabs(xd[i]) > m ? fabs(xd[i]) : m;
  return m;
}

static double WSqrSum(N_Vector x, N_Vector w)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x), *wd = DATA(w);
  double             s = 0;
#pragma omp simd reduction(+ \
                           : s)
  for (sunindextype i = 0; i < n; i++) {
    double p = xd[i] * wd[i];
    s += p * p;
  }
  return s;
}

static double WSqrSumMask(N_Vector x, N_Vector w, N_Vector id)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x), *wd = DATA(w), *idd = DATA(id);
  double             s = 0;
#pragma omp simd reduction(+ \
                           : s)
  for (sunindextype i = 0; i < n; i++) {
    double p = idd[i] > 0.0 ? xd[i] * wd[i] : 0.0;
    s += p * p;
  }
  return s;
}

static double WrmsNorm(N_Vector x, N_Vector w) { return sqrt(WSqrSum(x, w) / (double)LEN(x)); }
static double WrmsNormMask(N_Vector x, N_Vector w, N_Vector id) { return sqrt(WSqrSumMask(x, w, id) / (double)LEN(x)); }
static double WL2Norm(N_Vector x, N_Vector w) { return sqrt(WSqrSum(x, w)); }

static double Min(N_Vector x)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  double             m  = n > 0 ? xd[0] : 0.0;
#pragma omp simd reduction(min \
                           : m)
  for (sunindextype i = 1; i < n; i++) m = xd[i] < m ? xd[i] : m;
  return m;
}

static double L1Norm(N_Vector x)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  double             s  = 0;
#pragma omp simd reduction(+ \
                           : s)
  for (sunindextype i = 0; i < n; i++) s += fabs(xd[i]);
  return s;
}

static void Compare(double c, N_Vector x, N_Vector z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  double            *zd = DATA(z);
  for (sunindextype i = 0; i < n; i++) zd[i] = fabs(xd[i]) >= c ? 1.0 : 0.0;
}

static sunbooleantype InvTest(N_Vector x, N_Vector z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  double            *zd = DATA(z);
  sunbooleantype     ok = SUNTRUE;
  for (sunindextype i = 0; i < n; i++) {
    if (xd[i] == 0.0)
      ok = SUNFALSE;
    else
      zd[i] = 1.0 / xd[i];
  }
  return ok;
}

static sunbooleantype ConstrMask(N_Vector c, N_Vector x, N_Vector m)
{
  const sunindextype n  = LEN(x);
  const double      *cd = DATA(c), *xd = DATA(x);
  double            *md = DATA(m);
  sunbooleantype     ok = SUNTRUE;
  for (sunindextype i = 0; i < n; i++) {
    md[i] = 0.0;
    if (cd[i] == 0.0) continue;
    if ((fabs(cd[i]) > 1.5 && xd[i] * cd[i] <= 0.0) || (fabs(cd[i]) > 0.5 && xd[i] * cd[i] < 0.0)) {
      md[i] = 1.0;
      ok    = SUNFALSE;
    }
  }
  return ok;
}

static double MinQuotient(N_Vector num, N_Vector denom)
{
  const sunindextype n  = LEN(num);
  const double      *nd = DATA(num), *dd = DATA(denom);
  double             m = SUN_BIG_REAL;
  for (sunindextype i = 0; i < n; i++) {
    if (dd[i] == 0.0) continue;
    double q = nd[i] / dd[i];
    m        = q < m ? q : m;
  }
  return m;
}

/* ---------------- fused operations ---------------- */

/* z = sum_i c[i] X[i], summed in the order i = 0, 1, ... (as NVECTOR_SERIAL). */
SSB_CLONES static int LinearCombination(int nv, double *c, N_Vector *X, N_Vector z)
{
  const sunindextype n  = LEN(z);
  double            *zd = DATA(z);
  if (nv < 1) return -1;
  if (nv == 1) {
    Scale(c[0], X[0], z);
    return 0;
  }
  if (nv == 2) {
    LinearSum(c[0], X[0], c[1], X[1], z);
    return 0;
  }
  int first = 1;
  if (X[0] == z) {
    if (c[0] != 1.0)
      SSB_FOR(n, j, zd[j] *= c[0]);
  } else {
    const double *x0 = DATA(X[0]), *x1 = DATA(X[1]);
    const double  c0 = c[0], c1 = c[1];
    SSB_FOR(n, j, zd[j] = c0 * x0[j] + c1 * x1[j]);
    first = 2;
  }
  int i = first;
  /* two vectors per pass: z = (z + c_i X_i) + c_i+1 X_i+1, the same order of additions */
  for (; i + 1 < nv; i += 2) {
    const double *xa = DATA(X[i]), *xb = DATA(X[i + 1]);
    const double  ca = c[i], cb = c[i + 1];
    SSB_FOR(n, j, zd[j] = (zd[j] + ca * xa[j]) + cb * xb[j]);
  }
  if (i < nv) {
    const double *xa = DATA(X[i]);
    const double  ca = c[i];
    SSB_FOR(n, j, zd[j] += ca * xa[j]);
  }
  return 0;
}

/* Z[i] = a[i] x + Y[i] */
SSB_CLONES static int ScaleAddMulti(int nv, double *a, N_Vector x, N_Vector *Y, N_Vector *Z)
{
  const sunindextype n  = LEN(x);
  const double      *xd = DATA(x);
  if (nv < 1) return -1;
  for (int i = 0; i < nv; i++) {
    const double *yd = DATA(Y[i]);
    double       *zd = DATA(Z[i]);
    const double  ai = a[i];
    SSB_FOR(n, j, zd[j] = ai * xd[j] + yd[j]);
  }
  return 0;
}

static int DotProdMulti(int nv, N_Vector x, N_Vector *Y, double *d)
{
  if (nv < 1) return -1;
  for (int i = 0; i < nv; i++) d[i] = DotProd(x, Y[i]);
  return 0;
}

/* ---------------- vector-array operations ---------------- */

static int LinearSumVectorArray(int nv, double a, N_Vector *X, double b, N_Vector *Y, N_Vector *Z)
{
  if (nv < 1) return -1;
  for (int i = 0; i < nv; i++) LinearSum(a, X[i], b, Y[i], Z[i]);
  return 0;
}

static int ScaleVectorArray(int nv, double *c, N_Vector *X, N_Vector *Z)
{
  if (nv < 1) return -1;
  for (int i = 0; i < nv; i++) Scale(c[i], X[i], Z[i]);
  return 0;
}

static int ConstVectorArray(int nv, double c, N_Vector *Z)
{
  if (nv < 1) return -1;
  for (int i = 0; i < nv; i++) Const(c, Z[i]);
  return 0;
}

static int WrmsNormVectorArray(int nv, N_Vector *X, N_Vector *W, double *nrm)
{
  if (nv < 1) return -1;
  for (int i = 0; i < nv; i++) nrm[i] = WrmsNorm(X[i], W[i]);
  return 0;
}

static int WrmsNormMaskVectorArray(int nv, N_Vector *X, N_Vector *W, N_Vector id, double *nrm)
{
  if (nv < 1) return -1;
  for (int i = 0; i < nv; i++) nrm[i] = WrmsNormMask(X[i], W[i], id);
  return 0;
}

/* Z[j][i] = a[j] X[i] + Y[j][i] */
static int ScaleAddMultiVectorArray(int nvec, int nsum, double *a, N_Vector *X, N_Vector **Y, N_Vector **Z)
{
  if (nvec < 1 || nsum < 1) return -1;
  for (int i = 0; i < nvec; i++) {
    const sunindextype n  = LEN(X[i]);
    const double      *xd = DATA(X[i]);
    for (int j = 0; j < nsum; j++) {
      const double *yd = DATA(Y[j][i]);
      double       *zd = DATA(Z[j][i]);
      const double  aj = a[j];
      for (sunindextype k = 0; k < n; k++) zd[k] = aj * xd[k] + yd[k];
    }
  }
  return 0;
}

/* Z[j] = sum_i c[i] X[i][j] */
static int LinearCombinationVectorArray(int nvec, int nsum, double *c, N_Vector **X, N_Vector *Z)
{
  N_Vector small[16], *col = small;
  int      ierr = 0;
  if (nvec < 1 || nsum < 1) return -1;
  if (nsum > 16 && !(col = (N_Vector *)malloc((size_t)nsum * sizeof(N_Vector)))) return -1;
  for (int j = 0; j < nvec && !ierr; j++) {
    for (int i = 0; i < nsum; i++) col[i] = X[i][j];
    ierr = LinearCombination(nsum, c, col, Z[j]);
  }
  if (col != small) free(col);
  return ierr;
}

static int DotProdMultiLocal(int nv, N_Vector x, N_Vector *Y, double *d) { return DotProdMulti(nv, x, Y, d); }

/* ---------------- creation ---------------- */

N_Vector SsbNVectorNew(sunindextype n, SUNContext sunctx)
{
  N_Vector               v;
  N_VectorContent_Serial content;
  double                *data = NULL;
  if (n < 0) return NULL;
  v = N_VNewEmpty(sunctx);
  if (!v) return NULL;
  N_Vector_Ops o       = v->ops;
  o->nvgetvectorid     = GetID;
  o->nvclone           = Clone;
  o->nvcloneempty      = CloneEmpty;
  o->nvdestroy         = Destroy;
  o->nvspace           = Space;
  o->nvgetarraypointer = GetArrayPointer;
  o->nvsetarraypointer = SetArrayPointer;
  o->nvgetcommunicator = GetCommunicator;
  o->nvgetlength       = GetLength;
  o->nvgetlocallength  = GetLength;

  o->nvlinearsum    = LinearSum;
  o->nvconst        = Const;
  o->nvprod         = Prod;
  o->nvdiv          = Div;
  o->nvscale        = Scale;
  o->nvabs          = Abs;
  o->nvinv          = Inv;
  o->nvaddconst     = AddConst;
  o->nvdotprod      = DotProd;
  o->nvmaxnorm      = MaxNorm;
  o->nvwrmsnorm     = WrmsNorm;
  o->nvwrmsnormmask = WrmsNormMask;
  o->nvmin          = Min;
  o->nvwl2norm      = WL2Norm;
  o->nvl1norm       = L1Norm;
  o->nvcompare      = Compare;
  o->nvinvtest      = InvTest;
  o->nvconstrmask   = ConstrMask;
  o->nvminquotient  = MinQuotient;

  o->nvlinearcombination            = LinearCombination;
  o->nvscaleaddmulti                = ScaleAddMulti;
  o->nvdotprodmulti                 = DotProdMulti;
  o->nvlinearsumvectorarray         = LinearSumVectorArray;
  o->nvscalevectorarray             = ScaleVectorArray;
  o->nvconstvectorarray             = ConstVectorArray;
  o->nvwrmsnormvectorarray          = WrmsNormVectorArray;
  o->nvwrmsnormmaskvectorarray      = WrmsNormMaskVectorArray;
  o->nvscaleaddmultivectorarray     = ScaleAddMultiVectorArray;
  o->nvlinearcombinationvectorarray = LinearCombinationVectorArray;

  /* serial: the local reductions are the global ones */
  o->nvdotprodlocal      = DotProd;
  o->nvmaxnormlocal      = MaxNorm;
  o->nvminlocal          = Min;
  o->nvl1normlocal       = L1Norm;
  o->nvinvtestlocal      = InvTest;
  o->nvconstrmasklocal   = ConstrMask;
  o->nvminquotientlocal  = MinQuotient;
  o->nvwsqrsumlocal      = WSqrSum;
  o->nvwsqrsummasklocal  = WSqrSumMask;
  o->nvdotprodmultilocal = DotProdMultiLocal;

  content = (N_VectorContent_Serial)malloc(sizeof(*content));
  if (n > 0) data = (double *)malloc((size_t)n * sizeof(double));
  if (!content || (n > 0 && !data)) {
    free(content);
    free(data);
    N_VFreeEmpty(v);
    return NULL;
  }
  content->length   = n;
  content->own_data = SUNTRUE;
  content->data     = data;
  v->content        = content;
  return v;
}

/* ---------------- the distributed variant (ssb_nvector.h) ---------------- */

/* The segment layout, shared by a vector and its clones (reference counted). */
typedef struct {
  int           refs;
  MPI_Comm      comm;
  int           size;
  sunindextype  nglobal;
  int           nseg, G;     /* local and global segments */
  sunindextype *seg;         /* [nseg + 1] local segment boundaries */
  int          *gcnt, *gdsp; /* [size] each rank's segments and the first of them */
  int          *mcnt, *mdsp; /* [size] the same times the number of sums of a gather */
  int           nvmax;       /* sums the buffers hold */
  double       *part, *all;  /* [nvmax nseg] local partial sums, [nvmax G] every segment's */
} Layout;

typedef struct {
  struct _N_VectorContent_Serial s; /* first: LEN() and DATA() work on both kinds */
  Layout                        *L;
} * ContentD;

#define LAYOUT(v) (((ContentD)(v)->content)->L)

static void LayoutRelease(Layout *L)
{
  if (!L || --L->refs > 0) return;
  if (L->comm != MPI_COMM_NULL) MPI_Comm_free(&L->comm);
  free(L->seg);
  free(L->gcnt);
  free(L->gdsp);
  free(L->mcnt);
  free(L->mdsp);
  free(L->part);
  free(L->all);
  free(L);
}

/* room for nv sums; 0 or -1 (out of memory) */
static int LayoutReserve(Layout *L, int nv)
{
  if (nv <= L->nvmax) return 0;
  double *p = (double *)realloc(L->part, sizeof(double) * (size_t)nv * (size_t)(L->nseg > 0 ? L->nseg : 1));
  if (!p) return -1;
  L->part = p;
  p       = (double *)realloc(L->all, sizeof(double) * (size_t)nv * (size_t)(L->G > 0 ? L->G : 1));
  if (!p) return -1;
  L->all   = p;
  L->nvmax = nv;
  return 0;
}

/* One segment's sums in a fixed order: four interleaved accumulators from the segment's start
   (vectorisable without reassociation), then (a0 + a1) + (a2 + a3) and the tail. */
#define SEG_SUM(TERM)                          \
  double       a0 = 0, a1 = 0, a2 = 0, a3 = 0; \
  sunindextype i = 0;                          \
  for (; i + 4 <= n; i += 4) {                 \
    a0 += TERM(i);                             \
    a1 += TERM(i + 1);                         \
    a2 += TERM(i + 2);                         \
    a3 += TERM(i + 3);                         \
  }                                            \
  double r = (a0 + a1) + (a2 + a3);            \
  for (; i < n; i++) r += TERM(i);             \
  return r

SSB_CLONES static double SegDot(const double *x, const double *y, sunindextype n)
{
#define T_DOT(i) (x[i] * y[i])
  SEG_SUM(T_DOT);
#undef T_DOT
}
SSB_CLONES static double SegWSqr(const double *x, const double *w, sunindextype n)
{
#define T_WSQR(i) ((x[i] * w[i]) * (x[i] * w[i]))
  SEG_SUM(T_WSQR);
#undef T_WSQR
}
SSB_CLONES static double SegWSqrMask(const double *x, const double *w, const double *id, sunindextype n)
{
#define T_WSQRM(i) (id[i] > 0.0 ? (x[i] * w[i]) * (x[i] * w[i]) : 0.0)
  SEG_SUM(T_WSQRM);
#undef T_WSQRM
}
SSB_CLONES static double SegAbs(const double *x, sunindextype n)
{
#define T_ABS(i) fabs(x[i])
  SEG_SUM(T_ABS);
#undef T_ABS
}

typedef enum { SUM_DOT,
               SUM_WSQR,
               SUM_WSQR_MASK,
               SUM_ABS } SumKind;

static inline double SegSum(SumKind kind, const double *x, const double *y, const double *z, sunindextype a, sunindextype m)
{
  switch (kind) {
  case SUM_DOT:
    return SegDot(x + a, y + a, m);
  case SUM_WSQR:
    return SegWSqr(x + a, y + a, m);
  case SUM_WSQR_MASK:
    return SegWSqrMask(x + a, y + a, z + a, m);
  case SUM_ABS:
    return SegAbs(x + a, m);
  }
  return NAN;
}

/* the partial sums of every local segment of sum number iv (of a gather of several) */
static void Partials(Layout *L, int iv, SumKind kind, const double *x, const double *y, const double *z)
{
  double            *out = L->part + (size_t)iv * (size_t)L->nseg;
  const sunindextype n   = L->nseg > 0 ? L->seg[L->nseg] : 0;
  const int          ns  = L->nseg;
  if (n >= SSB_NV_OMP_MIN) {
#pragma omp parallel for schedule(static)
    for (int j = 0; j < ns; j++) out[j] = SegSum(kind, x, y, z, L->seg[j], L->seg[j + 1] - L->seg[j]);
  } else
    for (int j = 0; j < ns; j++) out[j] = SegSum(kind, x, y, z, L->seg[j], L->seg[j + 1] - L->seg[j]);
}

/* Every segment's partials of nv sums (in L->part) gathered, each sum added up in global segment
   order into d[nv]; 0 or -1 */
static int Combine(Layout *L, int nv, double *d)
{
  const double *all = L->part;
  if (L->size > 1) {
    for (int r = 0; r < L->size; r++) {
      L->mcnt[r] = nv * L->gcnt[r];
      L->mdsp[r] = nv * L->gdsp[r];
    }
    if (MPI_Allgatherv(L->part, nv * L->nseg, MPI_DOUBLE, L->all, L->mcnt, L->mdsp, MPI_DOUBLE, L->comm) != MPI_SUCCESS) return -1;
    all = L->all;
  }
  for (int i = 0; i < nv; i++) {
    double s = 0;
    if (L->size > 1) {
      for (int r = 0; r < L->size; r++) {
        const double *p = all + (size_t)L->mdsp[r] + (size_t)i * (size_t)L->gcnt[r];
        for (int j = 0; j < L->gcnt[r]; j++) s += p[j];
      }
    } else {
      const double *p = all + (size_t)i * (size_t)L->nseg;
      for (int j = 0; j < L->nseg; j++) s += p[j];
    }
    d[i] = s;
  }
  return 0;
}

static double Sum1(N_Vector v, SumKind kind, const double *x, const double *y, const double *z)
{
  Layout *L = LAYOUT(v);
  double  d = NAN;
  if (LayoutReserve(L, 1)) return NAN;
  Partials(L, 0, kind, x, y, z);
  if (Combine(L, 1, &d)) return NAN;
  return d;
}

static double AllMax(Layout *L, double m)
{
  if (L->size > 1) MPI_Allreduce(MPI_IN_PLACE, &m, 1, MPI_DOUBLE, MPI_MAX, L->comm);
  return m;
}
static double AllMin(Layout *L, double m)
{
  if (L->size > 1) MPI_Allreduce(MPI_IN_PLACE, &m, 1, MPI_DOUBLE, MPI_MIN, L->comm);
  return m;
}
static sunbooleantype AllTrue(Layout *L, sunbooleantype ok)
{
  int v = ok ? 1 : 0;
  if (L->size > 1) MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MIN, L->comm);
  return v ? SUNTRUE : SUNFALSE;
}

static N_Vector_ID GetIDD(N_Vector v) { return SUNDIALS_NVEC_CUSTOM; }

static N_Vector CloneEmptyD(N_Vector w)
{
  N_Vector v = CloneEmptySized(w, sizeof(*(ContentD)NULL));
  if (!v) return NULL;
  ((ContentD)v->content)->L = LAYOUT(w);
  LAYOUT(w)->refs++;
  return v;
}

static void DestroyD(N_Vector v)
{
  if (!v) return;
  if (v->content) {
    ContentD content = (ContentD)v->content;
    if (content->s.own_data && content->s.data) free(content->s.data);
    LayoutRelease(content->L);
    free(content);
    v->content = NULL;
  }
  N_VFreeEmpty(v);
}

static void        *GetCommunicatorD(N_Vector v) { return &LAYOUT(v)->comm; }
static sunindextype GetLengthD(N_Vector v) { return LAYOUT(v)->nglobal; }

static double         DotProdD(N_Vector x, N_Vector y) { return Sum1(x, SUM_DOT, DATA(x), DATA(y), NULL); }
static double         WrmsNormD(N_Vector x, N_Vector w) { return sqrt(Sum1(x, SUM_WSQR, DATA(x), DATA(w), NULL) / (double)LAYOUT(x)->nglobal); }
static double         WrmsNormMaskD(N_Vector x, N_Vector w, N_Vector id) { return sqrt(Sum1(x, SUM_WSQR_MASK, DATA(x), DATA(w), DATA(id)) / (double)LAYOUT(x)->nglobal); }
static double         WL2NormD(N_Vector x, N_Vector w) { return sqrt(Sum1(x, SUM_WSQR, DATA(x), DATA(w), NULL)); }
static double         L1NormD(N_Vector x) { return Sum1(x, SUM_ABS, DATA(x), NULL, NULL); }
static double         MaxNormD(N_Vector x) { return AllMax(LAYOUT(x), MaxNorm(x)); }
static double         MinD(N_Vector x) { return AllMin(LAYOUT(x), LEN(x) > 0 ? Min(x) : SUN_BIG_REAL); }
static double         MinQuotientD(N_Vector num, N_Vector denom) { return AllMin(LAYOUT(num), MinQuotient(num, denom)); }
static sunbooleantype InvTestD(N_Vector x, N_Vector z) { return AllTrue(LAYOUT(x), InvTest(x, z)); }
static sunbooleantype ConstrMaskD(N_Vector c, N_Vector x, N_Vector m) { return AllTrue(LAYOUT(x), ConstrMask(c, x, m)); }

static int DotProdMultiD(int nv, N_Vector x, N_Vector *Y, double *d)
{
  Layout *L = LAYOUT(x);
  if (nv < 1 || LayoutReserve(L, nv)) return -1;
  for (int i = 0; i < nv; i++) Partials(L, i, SUM_DOT, DATA(x), DATA(Y[i]), NULL);
  return Combine(L, nv, d);
}

static int WrmsNormVectorArrayD(int nv, N_Vector *X, N_Vector *W, double *nrm)
{
  Layout *L = LAYOUT(X[0]);
  if (nv < 1 || LayoutReserve(L, nv)) return -1;
  for (int i = 0; i < nv; i++) Partials(L, i, SUM_WSQR, DATA(X[i]), DATA(W[i]), NULL);
  if (Combine(L, nv, nrm)) return -1;
  for (int i = 0; i < nv; i++) nrm[i] = sqrt(nrm[i] / (double)L->nglobal);
  return 0;
}

static int WrmsNormMaskVectorArrayD(int nv, N_Vector *X, N_Vector *W, N_Vector id, double *nrm)
{
  Layout *L = LAYOUT(X[0]);
  if (nv < 1 || LayoutReserve(L, nv)) return -1;
  for (int i = 0; i < nv; i++) Partials(L, i, SUM_WSQR_MASK, DATA(X[i]), DATA(W[i]), DATA(id));
  if (Combine(L, nv, nrm)) return -1;
  for (int i = 0; i < nv; i++) nrm[i] = sqrt(nrm[i] / (double)L->nglobal);
  return 0;
}

N_Vector SsbNVectorNewDistributed(MPI_Comm comm, sunindextype nlocal, sunindextype nglobal, int nseg, const sunindextype *seg, const int *gseg, SUNContext sunctx)
{
  N_Vector v = SsbNVectorNew(nlocal, sunctx);
  Layout  *L;
  ContentD content;
  if (!v) return NULL;
  L       = (Layout *)calloc(1, sizeof(*L));
  content = (ContentD)malloc(sizeof(*content));
  if (!L || !content) {
    free(L);
    free(content);
    N_VDestroy(v);
    return NULL;
  }
  /* the serial content becomes the first member of the distributed one */
  content->s = *(N_VectorContent_Serial)v->content;
  free(v->content);
  v->content = content;
  content->L = L;
  L->refs    = 1;
  L->comm    = MPI_COMM_NULL;
  L->nglobal = nglobal;
  L->nseg    = nseg;
  if (MPI_Comm_dup(comm, &L->comm) != MPI_SUCCESS || MPI_Comm_size(L->comm, &L->size) != MPI_SUCCESS) goto fail;
  L->seg  = (sunindextype *)malloc(sizeof(sunindextype) * (size_t)(nseg + 1));
  L->gcnt = (int *)malloc(sizeof(int) * (size_t)L->size);
  L->gdsp = (int *)malloc(sizeof(int) * (size_t)L->size);
  L->mcnt = (int *)malloc(sizeof(int) * (size_t)L->size);
  L->mdsp = (int *)malloc(sizeof(int) * (size_t)L->size);
  if (!L->seg || !L->gcnt || !L->gdsp || !L->mcnt || !L->mdsp) goto fail;
  for (int j = 0; j <= nseg; j++) L->seg[j] = seg[j];
  L->G = 0;
  for (int r = 0; r < L->size; r++) {
    L->gcnt[r] = gseg[r];
    L->gdsp[r] = L->G;
    L->G += gseg[r];
  }
  if (LayoutReserve(L, 4)) goto fail;

  N_Vector_Ops o               = v->ops;
  o->nvgetvectorid             = GetIDD;
  o->nvclone                   = Clone;
  o->nvcloneempty              = CloneEmptyD;
  o->nvdestroy                 = DestroyD;
  o->nvgetcommunicator         = GetCommunicatorD;
  o->nvgetlength               = GetLengthD;
  o->nvgetlocallength          = GetLength;
  o->nvdotprod                 = DotProdD;
  o->nvmaxnorm                 = MaxNormD;
  o->nvwrmsnorm                = WrmsNormD;
  o->nvwrmsnormmask            = WrmsNormMaskD;
  o->nvmin                     = MinD;
  o->nvwl2norm                 = WL2NormD;
  o->nvl1norm                  = L1NormD;
  o->nvinvtest                 = InvTestD;
  o->nvconstrmask              = ConstrMaskD;
  o->nvminquotient             = MinQuotientD;
  o->nvdotprodmulti            = DotProdMultiD;
  o->nvwrmsnormvectorarray     = WrmsNormVectorArrayD;
  o->nvwrmsnormmaskvectorarray = WrmsNormMaskVectorArrayD;
  /* no local reductions: SUNDIALS then uses the global ones above */
  o->nvdotprodlocal      = NULL;
  o->nvmaxnormlocal      = NULL;
  o->nvminlocal          = NULL;
  o->nvl1normlocal       = NULL;
  o->nvinvtestlocal      = NULL;
  o->nvconstrmasklocal   = NULL;
  o->nvminquotientlocal  = NULL;
  o->nvwsqrsumlocal      = NULL;
  o->nvwsqrsummasklocal  = NULL;
  o->nvdotprodmultilocal = NULL;
  return v;
fail:
  DestroyD(v);
  return NULL;
}
