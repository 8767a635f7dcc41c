/* test_nvector_mpi.c -- the distributed N_Vector (solver/nvector.c, SsbNVectorNewDistributed): the
   same global vectors split over the ranks of MPI_COMM_WORLD (segments in contiguous blocks, as the
   stack's cells) and held whole by one rank (MPI_COMM_SELF, the same segments) give identical
   reductions, bit for bit (sums, norms, extrema, tests, the fused and vector-array reductions), and
   agree with NVECTOR_SERIAL to round-off; element-wise operations act on the local entries.
   Run on 1, 2 and 3 ranks (tests/CMakeLists.txt). Exit status 0 on success. */
#include <ssbsim/ssb_nvector.h>
#include <nvector/nvector_serial.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define G 9 /* global segments */
static const sunindextype seglen[G] = {13, 168, 5, 170, 2, 99, 3, 168, 41};

static int fails = 0;

static void Same(const char *what, double a, double b)
{
  if (memcmp(&a, &b, sizeof a)) {
    printf("FAIL %s: distributed %.17g, one rank %.17g\n", what, a, b);
    fails++;
  }
}

static void Close(const char *what, double a, double ref)
{
  if (!(fabs(a - ref) <= 1e-13 * fabs(ref)) && a != ref) {
    printf("FAIL %s: %.17g, NVECTOR_SERIAL %.17g\n", what, a, ref);
    fails++;
  }
}

/* a value of global entry i of vector v: deterministic, mixed signs and magnitudes, some zeros */
static double Val(int v, sunindextype i)
{
  unsigned long h = (unsigned long)(i + 1) * 2654435761ul + (unsigned long)v * 40503ul;
  h ^= h >> 13;
  h *= 0x5bd1e995ul;
  h ^= h >> 15;
  double x = (double)(h % 200001) / 100000.0 - 1.0;
  if (v != 3 && h % 17 == 0) return 0.0;
  return x * pow(10.0, (double)((int)(h % 7) - 3));
}

int main(int argc, char **argv)
{
  int        rank, size;
  SUNContext ctx;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (SUNContext_Create(NULL, &ctx)) return 1;
  sunindextype goff[G + 1];
  goff[0] = 0;
  for (int j = 0; j < G; j++) goff[j + 1] = goff[j] + seglen[j];
  const sunindextype n = goff[G];
  /* this rank's segments [s0, s1) */
  int gseg[64], gall[1] = {G};
  for (int r = 0; r < size; r++) gseg[r] = (G * (r + 1)) / size - (G * r) / size;
  const int    s0 = (G * rank) / size, s1 = (G * (rank + 1)) / size, ns = s1 - s0;
  sunindextype seg[G + 1];
  for (int j = s0; j <= s1; j++) seg[j - s0] = goff[j] - goff[s0];
  const sunindextype l0 = goff[s0], nl = goff[s1] - goff[s0];

  enum { NV = 5 };
  N_Vector d[NV], w[NV], e[NV];
  d[0] = SsbNVectorNewDistributed(MPI_COMM_WORLD, nl, n, ns, seg, gseg, ctx);
  w[0] = SsbNVectorNewDistributed(MPI_COMM_SELF, n, n, G, goff, gall, ctx);
  e[0] = N_VNew_Serial(n, ctx);
  for (int v = 1; v < NV; v++) {
    d[v] = N_VClone(d[0]);
    w[v] = N_VClone(w[0]);
    e[v] = N_VClone(e[0]);
  }
  for (int v = 0; v < NV; v++)
    for (sunindextype i = 0; i < n; i++) {
      double x = Val(v, i);
      if (v == 4) x = x > 0 ? 1.0 : 0.0; /* a 0/1 mask */
      N_VGetArrayPointer(w[v])[i] = N_VGetArrayPointer(e[v])[i] = x;
      if (i >= l0 && i < l0 + nl) N_VGetArrayPointer(d[v])[i - l0] = x;
    }
  if (N_VGetLength(d[0]) != n || d[0]->ops->nvgetlocallength(d[0]) != nl || N_VGetVectorID(d[0]) != SUNDIALS_NVEC_CUSTOM) {
    printf("FAIL lengths or ID\n");
    fails++;
  }
  N_Vector *D = d, *W = w, *E = e;
#define CHECK(name, expr)          \
  do {                             \
    N_Vector *V = D;               \
    double    a = (expr);          \
    V           = W;               \
    double b    = (expr);          \
    V           = E;               \
    double c    = (expr);          \
    Same(name, a, b);              \
    Close(name " (serial)", a, c); \
    (void)V;                       \
  } while (0)
  CHECK("N_VDotProd", N_VDotProd(V[0], V[1]));
  CHECK("N_VWrmsNorm", N_VWrmsNorm(V[0], V[1]));
  CHECK("N_VWrmsNormMask", N_VWrmsNormMask(V[0], V[1], V[4]));
  CHECK("N_VWL2Norm", N_VWL2Norm(V[0], V[2]));
  CHECK("N_VL1Norm", N_VL1Norm(V[2]));
  CHECK("N_VMaxNorm", N_VMaxNorm(V[1]));
  CHECK("N_VMin", N_VMin(V[2]));
  CHECK("N_VMinQuotient", N_VMinQuotient(V[0], V[1]));
  CHECK("N_VInvTest", (double)N_VInvTest(V[1], V[3]));
  CHECK("N_VInvTest (no zero)", (double)N_VInvTest(V[3], V[2]));
  CHECK("N_VConstrMask", (double)N_VConstrMask(V[4], V[0], V[2]));
  {
    double   a[3], b[3], c[3];
    N_Vector dy[3] = {d[1], d[2], d[3]}, wy[3] = {w[1], w[2], w[3]}, ey[3] = {e[1], e[2], e[3]};
    if (N_VDotProdMulti(3, d[0], dy, a) || N_VDotProdMulti(3, w[0], wy, b) || N_VDotProdMulti(3, e[0], ey, c)) fails++;
    for (int i = 0; i < 3; i++) {
      Same("N_VDotProdMulti", a[i], b[i]);
      Close("N_VDotProdMulti (serial)", a[i], c[i]);
    }
    N_Vector dx[3] = {d[0], d[1], d[2]}, wx[3] = {w[0], w[1], w[2]}, ex[3] = {e[0], e[1], e[2]};
    if (N_VWrmsNormVectorArray(3, dx, dy, a) || N_VWrmsNormVectorArray(3, wx, wy, b) || N_VWrmsNormVectorArray(3, ex, ey, c)) fails++;
    for (int i = 0; i < 3; i++) {
      Same("N_VWrmsNormVectorArray", a[i], b[i]);
      Close("N_VWrmsNormVectorArray (serial)", a[i], c[i]);
    }
    if (N_VWrmsNormMaskVectorArray(3, dx, dy, d[4], a) || N_VWrmsNormMaskVectorArray(3, wx, wy, w[4], b) || N_VWrmsNormMaskVectorArray(3, ex, ey, e[4], c)) fails++;
    for (int i = 0; i < 3; i++) {
      Same("N_VWrmsNormMaskVectorArray", a[i], b[i]);
      Close("N_VWrmsNormMaskVectorArray (serial)", a[i], c[i]);
    }
  }
  /* element-wise: z = 2 x - 3 y on the local entries */
  N_VLinearSum(2.0, d[0], -3.0, d[1], d[2]);
  N_VLinearSum(2.0, w[0], -3.0, w[1], w[2]);
  for (sunindextype i = 0; i < nl; i++) Same("N_VLinearSum", N_VGetArrayPointer(d[2])[i], N_VGetArrayPointer(w[2])[i + l0]);
  for (int v = 0; v < NV; v++) {
    N_VDestroy(d[v]);
    N_VDestroy(w[v]);
    N_VDestroy(e[v]);
  }
  int all = 0;
  MPI_Allreduce(&fails, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (!rank) printf("distributed N_Vector on %d rank(s), %d segments: %s\n", size, G, all ? "FAILED" : "all reductions identical to one rank's");
  SUNContext_Free(&ctx);
  MPI_Finalize();
  return all ? 1 : 0;
}
