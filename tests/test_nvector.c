/* test_nvector.c -- ssbsim's N_Vector (solver/nvector.c) against SUNDIALS' NVECTOR_SERIAL.

   Every operation IDA can call (standard, fused, vector-array and local reductions) is applied to the
   same random vectors of lengths 1, 7 and 300 through the generic N_V* interface, once on ssbsim
   vectors and once on NVECTOR_SERIAL vectors (fused operations enabled), including the special
   coefficients (1, -1, a = b, a = -b) and aliasing (z = x, z = y, Y = Z) that have their own code
   paths. Results must agree to 1e-14 relative (elementwise operations, which do the same arithmetic,
   agree exactly in practice; reductions may sum in another order). Also checked: the serial data
   layout (NV_DATA_S, NV_LENGTH_S), the vector ID, clone, space and set-array-pointer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include <ssbsim/ssb_nvector.h>
#include <nvector/nvector_serial.h>
#include <float.h>

#define RTOL 1e-14
#define NV   4 /* vectors per array */

static SUNContext ctx;

typedef struct {
  N_Vector     a[NV], b[NV]; /* a: ssbsim, b: NVECTOR_SERIAL, with equal data */
  N_Vector     za[NV], zb[NV];
  N_Vector     ida, idb; /* 0/1 mask */
  sunindextype n;
} Pair;

static double Rand(void) { return 2.0 * rand() / (double)RAND_MAX - 1.0; }

static void Fill(N_Vector x, N_Vector y, double lo_zero)
{
  double *xd = N_VGetArrayPointer(x), *yd = N_VGetArrayPointer(y);
  for (sunindextype i = 0; i < N_VGetLength(x); i++) {
    double v = Rand();
    if (fabs(v) < lo_zero) v = 0; /* a few exact zeros */
    xd[i] = yd[i] = v * pow(10.0, 3 * Rand());
  }
}

static void PairCreate(sunindextype n, Pair *p)
{
  p->n = n;
  for (int i = 0; i < NV; i++) {
    p->a[i]  = SsbNVectorNew(n, ctx);
    p->b[i]  = N_VNew_Serial(n, ctx);
    p->za[i] = N_VClone(p->a[i]);
    p->zb[i] = N_VClone(p->b[i]);
    assert_non_null(p->a[i]);
    assert_non_null(p->za[i]);
    assert_int_equal(N_VEnableFusedOps_Serial(p->b[i], SUNTRUE), 0);
    assert_int_equal(N_VEnableFusedOps_Serial(p->zb[i], SUNTRUE), 0);
    Fill(p->a[i], p->b[i], 0.0);
    Fill(p->za[i], p->zb[i], 0.0);
  }
  p->ida = SsbNVectorNew(n, ctx);
  p->idb = N_VNew_Serial(n, ctx);
  for (sunindextype i = 0; i < n; i++) N_VGetArrayPointer(p->ida)[i] = N_VGetArrayPointer(p->idb)[i] = (i % 3) ? 1.0 : 0.0;
}

static void PairDestroy(Pair *p)
{
  for (int i = 0; i < NV; i++) {
    N_VDestroy(p->a[i]);
    N_VDestroy(p->b[i]);
    N_VDestroy(p->za[i]);
    N_VDestroy(p->zb[i]);
  }
  N_VDestroy(p->ida);
  N_VDestroy(p->idb);
}

static void AssertCloseTol(double x, double ref, double scale, double rtol, const char *what)
{
  double tol = rtol * fmax(fabs(ref), scale);
  if (!(fabs(x - ref) <= tol) && !(x == ref)) fail_msg("%s: %.17g vs NVECTOR_SERIAL %.17g", what, x, ref);
}

static void AssertClose(double x, double ref, double scale, const char *what) { AssertCloseTol(x, ref, scale, RTOL, what); }

/* Sums (dot products, norms) are vectorised with a reordered summation: the difference from the
   serial order is bounded by (n - 1) u times the sum of the magnitudes (Higham, Accuracy and
   Stability of Numerical Algorithms, 2nd ed., sec. 4.2), which exceeds RTOL for long vectors. */
static double sum_rtol = RTOL;
static void   AssertSum(double x, double ref, double scale, const char *what) { AssertCloseTol(x, ref, scale, sum_rtol, what); }

static void AssertSame(N_Vector x, N_Vector ref, const char *what)
{
  const double *xd = N_VGetArrayPointer(x), *rd = N_VGetArrayPointer(ref);
  assert_int_equal(N_VGetLength(x), N_VGetLength(ref));
  for (sunindextype i = 0; i < N_VGetLength(x); i++) AssertClose(xd[i], rd[i], 0.0, what);
}

/* restore every vector of the pair to equal data after an operation that wrote in place */
static void Resync(Pair *p)
{
  for (int i = 0; i < NV; i++) {
    Fill(p->a[i], p->b[i], 0.0);
    Fill(p->za[i], p->zb[i], 0.0);
  }
}

static void CheckStandard(Pair *p)
{
  const double coef[][2] = {{1, 1}, {1, -1}, {-1, 1}, {1, 0.3}, {-0.7, 1}, {-1, 2.5}, {1.5, -1}, {0.6, 0.6}, {0.6, -0.6}, {-1, -1}, {0.25, -3.5}};
  for (size_t c = 0; c < sizeof(coef) / sizeof(coef[0]); c++) {
    double a = coef[c][0], b = coef[c][1];
    N_VLinearSum(a, p->a[0], b, p->a[1], p->za[0]);
    N_VLinearSum(a, p->b[0], b, p->b[1], p->zb[0]);
    AssertSame(p->za[0], p->zb[0], "N_VLinearSum");
    N_VLinearSum(a, p->a[0], b, p->a[1], p->a[1]); /* z = y */
    N_VLinearSum(a, p->b[0], b, p->b[1], p->b[1]);
    AssertSame(p->a[1], p->b[1], "N_VLinearSum z = y");
    N_VLinearSum(a, p->a[0], b, p->a[1], p->a[0]); /* z = x */
    N_VLinearSum(a, p->b[0], b, p->b[1], p->b[0]);
    AssertSame(p->a[0], p->b[0], "N_VLinearSum z = x");
    Resync(p);
  }
  N_VConst(3.25, p->za[0]);
  N_VConst(3.25, p->zb[0]);
  AssertSame(p->za[0], p->zb[0], "N_VConst");
  N_VProd(p->a[0], p->a[1], p->za[0]);
  N_VProd(p->b[0], p->b[1], p->zb[0]);
  AssertSame(p->za[0], p->zb[0], "N_VProd");
  N_VDiv(p->a[0], p->a[1], p->za[0]);
  N_VDiv(p->b[0], p->b[1], p->zb[0]);
  AssertSame(p->za[0], p->zb[0], "N_VDiv");
  const double sc[] = {1, -1, 0.37};
  for (int c = 0; c < 3; c++) {
    N_VScale(sc[c], p->a[0], p->za[0]);
    N_VScale(sc[c], p->b[0], p->zb[0]);
    AssertSame(p->za[0], p->zb[0], "N_VScale");
    N_VScale(sc[c], p->a[2], p->a[2]);
    N_VScale(sc[c], p->b[2], p->b[2]);
    AssertSame(p->a[2], p->b[2], "N_VScale z = x");
  }
  N_VAbs(p->a[0], p->za[0]);
  N_VAbs(p->b[0], p->zb[0]);
  AssertSame(p->za[0], p->zb[0], "N_VAbs");
  N_VInv(p->a[0], p->za[0]);
  N_VInv(p->b[0], p->zb[0]);
  AssertSame(p->za[0], p->zb[0], "N_VInv");
  N_VAddConst(p->a[0], -0.3, p->za[0]);
  N_VAddConst(p->b[0], -0.3, p->zb[0]);
  AssertSame(p->za[0], p->zb[0], "N_VAddConst");
  /* reductions: the scale of the terms bounds the round-off of a reordered sum */
  double l1 = N_VL1Norm(p->b[0]) * N_VL1Norm(p->b[1]);
  AssertSum(N_VDotProd(p->a[0], p->a[1]), N_VDotProd(p->b[0], p->b[1]), l1, "N_VDotProd");
  AssertClose(N_VMaxNorm(p->a[0]), N_VMaxNorm(p->b[0]), 0, "N_VMaxNorm");
  AssertSum(N_VWrmsNorm(p->a[0], p->a[1]), N_VWrmsNorm(p->b[0], p->b[1]), 0, "N_VWrmsNorm");
  AssertSum(N_VWrmsNormMask(p->a[0], p->a[1], p->ida), N_VWrmsNormMask(p->b[0], p->b[1], p->idb), 0, "N_VWrmsNormMask");
  AssertClose(N_VMin(p->a[0]), N_VMin(p->b[0]), 0, "N_VMin");
  AssertSum(N_VWL2Norm(p->a[0], p->a[1]), N_VWL2Norm(p->b[0], p->b[1]), 0, "N_VWL2Norm");
  AssertSum(N_VL1Norm(p->a[0]), N_VL1Norm(p->b[0]), 0, "N_VL1Norm");
  AssertSum(N_VDotProdLocal(p->a[0], p->a[1]), N_VDotProdLocal(p->b[0], p->b[1]), l1, "N_VDotProdLocal");
  AssertClose(N_VMaxNormLocal(p->a[0]), N_VMaxNormLocal(p->b[0]), 0, "N_VMaxNormLocal");
  AssertClose(N_VMinLocal(p->a[0]), N_VMinLocal(p->b[0]), 0, "N_VMinLocal");
  AssertSum(N_VL1NormLocal(p->a[0]), N_VL1NormLocal(p->b[0]), 0, "N_VL1NormLocal");
  AssertSum(N_VWSqrSumLocal(p->a[0], p->a[1]), N_VWSqrSumLocal(p->b[0], p->b[1]), 0, "N_VWSqrSumLocal");
  AssertSum(N_VWSqrSumMaskLocal(p->a[0], p->a[1], p->ida), N_VWSqrSumMaskLocal(p->b[0], p->b[1], p->idb), 0, "N_VWSqrSumMaskLocal");
  N_VCompare(0.5, p->a[0], p->za[0]);
  N_VCompare(0.5, p->b[0], p->zb[0]);
  AssertSame(p->za[0], p->zb[0], "N_VCompare");
  /* with exact zeros: InvTest leaves z alone there and returns false; MinQuotient skips them */
  Fill(p->a[3], p->b[3], p->n > 1 ? 0.3 : 0.0);
  N_VConst(7.0, p->za[0]);
  N_VConst(7.0, p->zb[0]);
  assert_int_equal(N_VInvTest(p->a[3], p->za[0]), N_VInvTest(p->b[3], p->zb[0]));
  AssertSame(p->za[0], p->zb[0], "N_VInvTest");
  AssertClose(N_VMinQuotient(p->a[0], p->a[3]), N_VMinQuotient(p->b[0], p->b[3]), 0, "N_VMinQuotient");
  AssertClose(N_VMinQuotientLocal(p->a[0], p->a[3]), N_VMinQuotientLocal(p->b[0], p->b[3]), 0, "N_VMinQuotientLocal");
  assert_int_equal(N_VInvTestLocal(p->a[0], p->za[0]), N_VInvTestLocal(p->b[0], p->zb[0]));
  /* constraint codes -2, -1, 0, 1, 2 against values of both signs and zeros */
  for (sunindextype i = 0; i < p->n; i++) N_VGetArrayPointer(p->za[1])[i] = N_VGetArrayPointer(p->zb[1])[i] = (double)((int)(i % 5) - 2);
  assert_int_equal(N_VConstrMask(p->za[1], p->a[3], p->za[2]), N_VConstrMask(p->zb[1], p->b[3], p->zb[2]));
  AssertSame(p->za[2], p->zb[2], "N_VConstrMask");
  assert_int_equal(N_VConstrMaskLocal(p->za[1], p->a[3], p->za[2]), N_VConstrMaskLocal(p->zb[1], p->b[3], p->zb[2]));
  Resync(p);
}

static void CheckFused(Pair *p)
{
  double c[NV] = {0.7, -1.3, 2.1, -0.4}, ones[NV] = {1, 0.5, -2, 3}, da[NV], db[NV];
  for (int nv = 1; nv <= NV; nv++) {
    assert_int_equal(N_VLinearCombination(nv, c, p->a, p->za[0]), 0);
    assert_int_equal(N_VLinearCombination(nv, c, p->b, p->zb[0]), 0);
    AssertSame(p->za[0], p->zb[0], "N_VLinearCombination");
    /* z = X[0], with c[0] = 1 and c[0] != 1 */
    for (int k = 0; k < 2; k++) {
      double  *cc = k ? c : ones;
      N_Vector xa[NV], xb[NV];
      for (int i = 0; i < NV; i++) {
        xa[i] = i ? p->a[i] : p->za[1];
        xb[i] = i ? p->b[i] : p->zb[1];
      }
      assert_int_equal(N_VLinearCombination(nv, cc, xa, p->za[1]), 0);
      assert_int_equal(N_VLinearCombination(nv, cc, xb, p->zb[1]), 0);
      AssertSame(p->za[1], p->zb[1], "N_VLinearCombination z = X[0]");
    }
    assert_int_equal(N_VScaleAddMulti(nv, c, p->a[0], p->a, p->za), 0);
    assert_int_equal(N_VScaleAddMulti(nv, c, p->b[0], p->b, p->zb), 0);
    for (int i = 0; i < nv; i++) AssertSame(p->za[i], p->zb[i], "N_VScaleAddMulti");
    assert_int_equal(N_VScaleAddMulti(nv, c, p->a[0], p->za, p->za), 0); /* Y = Z */
    assert_int_equal(N_VScaleAddMulti(nv, c, p->b[0], p->zb, p->zb), 0);
    for (int i = 0; i < nv; i++) AssertSame(p->za[i], p->zb[i], "N_VScaleAddMulti Y = Z");
    assert_int_equal(N_VDotProdMulti(nv, p->a[0], p->a, da), 0);
    assert_int_equal(N_VDotProdMulti(nv, p->b[0], p->b, db), 0);
    for (int i = 0; i < nv; i++) AssertSum(da[i], db[i], N_VL1Norm(p->b[0]) * N_VL1Norm(p->b[i]), "N_VDotProdMulti");

    assert_int_equal(N_VLinearSumVectorArray(nv, 0.3, p->a, -1.0, p->za, p->za), 0);
    assert_int_equal(N_VLinearSumVectorArray(nv, 0.3, p->b, -1.0, p->zb, p->zb), 0);
    for (int i = 0; i < nv; i++) AssertSame(p->za[i], p->zb[i], "N_VLinearSumVectorArray");
    assert_int_equal(N_VScaleVectorArray(nv, c, p->a, p->za), 0);
    assert_int_equal(N_VScaleVectorArray(nv, c, p->b, p->zb), 0);
    for (int i = 0; i < nv; i++) AssertSame(p->za[i], p->zb[i], "N_VScaleVectorArray");
    assert_int_equal(N_VWrmsNormVectorArray(nv, p->a, p->za, da), 0);
    assert_int_equal(N_VWrmsNormVectorArray(nv, p->b, p->zb, db), 0);
    for (int i = 0; i < nv; i++) AssertSum(da[i], db[i], 0, "N_VWrmsNormVectorArray");
    assert_int_equal(N_VWrmsNormMaskVectorArray(nv, p->a, p->za, p->ida, da), 0);
    assert_int_equal(N_VWrmsNormMaskVectorArray(nv, p->b, p->zb, p->idb, db), 0);
    for (int i = 0; i < nv; i++) AssertSum(da[i], db[i], 0, "N_VWrmsNormMaskVectorArray");
    assert_int_equal(N_VConstVectorArray(nv, -2.5, p->za), 0);
    assert_int_equal(N_VConstVectorArray(nv, -2.5, p->zb), 0);
    for (int i = 0; i < nv; i++) AssertSame(p->za[i], p->zb[i], "N_VConstVectorArray");
    Resync(p);
  }
  /* vector arrays of sums: nvec = 2 vectors, nsum = 2 and 3 terms */
  for (int nsum = 1; nsum <= 3; nsum++) {
    N_Vector  Ya[3][2], Yb[3][2], Za[3][2], Zb[3][2];
    N_Vector *pYa[3], *pYb[3], *pZa[3], *pZb[3];
    for (int j = 0; j < nsum; j++) {
      for (int i = 0; i < 2; i++) {
        Ya[j][i] = N_VClone(p->a[0]);
        Yb[j][i] = N_VClone(p->b[0]);
        Za[j][i] = N_VClone(p->a[0]);
        Zb[j][i] = N_VClone(p->b[0]);
        Fill(Ya[j][i], Yb[j][i], 0.0);
      }
      pYa[j] = Ya[j];
      pYb[j] = Yb[j];
      pZa[j] = Za[j];
      pZb[j] = Zb[j];
    }
    assert_int_equal(N_VScaleAddMultiVectorArray(2, nsum, c, p->a, pYa, pZa), 0);
    assert_int_equal(N_VScaleAddMultiVectorArray(2, nsum, c, p->b, pYb, pZb), 0);
    for (int j = 0; j < nsum; j++)
      for (int i = 0; i < 2; i++) AssertSame(Za[j][i], Zb[j][i], "N_VScaleAddMultiVectorArray");
    assert_int_equal(N_VLinearCombinationVectorArray(2, nsum, c, pYa, p->za), 0);
    assert_int_equal(N_VLinearCombinationVectorArray(2, nsum, c, pYb, p->zb), 0);
    for (int i = 0; i < 2; i++) AssertSame(p->za[i], p->zb[i], "N_VLinearCombinationVectorArray");
    for (int j = 0; j < nsum; j++)
      for (int i = 0; i < 2; i++) {
        N_VDestroy(Ya[j][i]);
        N_VDestroy(Yb[j][i]);
        N_VDestroy(Za[j][i]);
        N_VDestroy(Zb[j][i]);
      }
  }
}

static void test_operations(void **state)
{
  /* 100000: above SSB_NV_OMP_MIN, the element-wise operations run on OpenMP threads */
  const sunindextype lengths[] = {1, 7, 300, 100000};
  srand(12345);
  for (int l = 0; l < 4; l++) {
    Pair p;
    /* the short vectors keep RTOL (their sums agree that closely); the long one gets the bound */
    sum_rtol = lengths[l] > 300 ? (double)(lengths[l] - 1) * DBL_EPSILON : RTOL;
    PairCreate(lengths[l], &p);
    CheckStandard(&p);
    CheckFused(&p);
    PairDestroy(&p);
  }
}

static void test_layout(void **state)
{
  N_Vector     v = SsbNVectorNew(5, ctx), w, e;
  sunindextype lrw, liw;
  double       other[5] = {1, 2, 3, 4, 5};
  assert_non_null(v);
  assert_int_equal(N_VGetVectorID(v), SUNDIALS_NVEC_SERIAL);
  assert_int_equal(NV_LENGTH_S(v), 5);
  assert_ptr_equal(NV_DATA_S(v), N_VGetArrayPointer(v));
  assert_int_equal(N_VGetLength(v), 5);
  N_VSpace(v, &lrw, &liw);
  assert_int_equal(lrw, 5);
  assert_int_equal(liw, 1);
  assert_null(N_VGetCommunicator(v));
  /* the fused operations are ours, not SUNDIALS' generic fallbacks */
  assert_non_null(v->ops->nvlinearcombination);
  assert_non_null(v->ops->nvscaleaddmulti);
  assert_non_null(v->ops->nvwrmsnormvectorarray);
  w = N_VClone(v);
  assert_non_null(w);
  assert_true(NV_OWN_DATA_S(w));
  assert_ptr_not_equal(N_VGetArrayPointer(w), N_VGetArrayPointer(v));
  e = N_VCloneEmpty(v);
  assert_null(N_VGetArrayPointer(e));
  N_VSetArrayPointer(other, e);
  assert_ptr_equal(N_VGetArrayPointer(e), other);
  assert_true(N_VMaxNorm(e) == 5.0);
  N_VDestroy(e); /* does not own other[] */
  N_VDestroy(w);
  N_VDestroy(v);
  N_Vector z = SsbNVectorNew(0, ctx);
  assert_non_null(z);
  N_VDestroy(z);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_layout),
    cmocka_unit_test(test_operations),
  };
  if (SUNContext_Create(NULL, &ctx)) return 1;
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  SUNContext_Free(&ctx);
  return rc;
}
