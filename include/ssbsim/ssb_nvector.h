/* ssb_nvector.h -- ssbsim's own serial N_Vector for SUNDIALS IDA.

   Why: Debian's SUNDIALS 6.4.1 libraries are compiled without optimisation, and IDA spends most of
   its own time in N_Vector operations (WRMS norms, linear sums, the predictor's linear
   combinations). This implementation keeps those kernels in code compiled with ssbsim's flags, and
   provides the fused operations (N_VLinearCombination, N_VScaleAddMulti, N_VDotProdMulti and the
   vector-array operations) that NVECTOR_SERIAL leaves disabled by default.

   Compatibility: the content is a struct _N_VectorContent_Serial (length, own_data, data: one
   contiguous double array), and the vector ID is SUNDIALS_NVEC_SERIAL, so N_VGetArrayPointer,
   NV_DATA_S/NV_LENGTH_S and SUNDIALS modules that accept serial vectors work unchanged. Every
   operation has NVECTOR_SERIAL's semantics; reductions (dot products and norms) may sum in a
   different order, so results agree to round-off, not bit for bit (tests/test_nvector.c). */
#pragma once
#include <sundials/sundials_nvector.h>

/* A new vector of length n owning its (uninitialised) data; NULL if out of memory. The drop-in
   replacement of N_VNew_Serial (it returns an N_Vector, not an error code, like the clone operation
   SUNDIALS calls). Destroy with N_VDestroy. */
N_Vector SsbNVectorNew(sunindextype n, SUNContext sunctx);
