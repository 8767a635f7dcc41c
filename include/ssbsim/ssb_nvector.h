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

/* vector length from which element-wise operations (ssbsim's N_Vector, IDA's error weights) are
   split among OpenMP threads: below it a parallel region costs more than it saves (one cell: a few
   hundred entries).
   Measured on 2 threads, thermal stacks (bench_stack_scaling, alternating builds, 6 rounds each):
   at 1722 entries (10 cells) splitting made the run 1.5x slower (0.034 -> 0.057 s, a region costs
   more than the ~1 us a vector operation takes); at 17202 entries (100 cells) it made it 7-10 %
   faster (0.268 -> 0.249 s mean of medians) than the former limit of 32768, under which these
   operations ran on one thread while the other waited. */
#ifndef SSB_NV_OMP_MIN
#  define SSB_NV_OMP_MIN 8192
#endif

#include <mpi.h>

/* A new vector of length n owning its (uninitialised) data; NULL if out of memory. The drop-in
   replacement of N_VNew_Serial (it returns an N_Vector, not an error code, like the clone operation
   SUNDIALS calls). Destroy with N_VDestroy. */
N_Vector SsbNVectorNew(sunindextype n, SUNContext sunctx);

/* The distributed variant (the stack's state over MPI ranks, solver/sim.c): each rank holds
   nlocal entries split into nseg consecutive segments (seg[0] = 0 < ... <= seg[nseg] = nlocal: one
   per cell it owns, and the border on the last rank); gseg[r] is the number of segments of rank r
   and the global segments are numbered rank by rank. Element-wise operations act on the local
   entries. Sums (dot products, WRMS and L1 norms) are formed as one partial sum per segment, in a
   fixed order within the segment; the partials of all segments are gathered and added in global
   segment order on every rank, so a sum is the same, bit for bit, for any number of ranks and
   threads (the same segments, the same order). Maxima, minima and the logical tests are combined
   by MPI_Allreduce (exact in any order). WRMS norms divide by the global length nglobal. On one
   rank no MPI call is made. The vector ID is SUNDIALS_NVEC_CUSTOM; N_VGetArrayPointer gives the
   local entries. comm is duplicated (the vectors' own communicator). */
N_Vector SsbNVectorNewDistributed(MPI_Comm comm, sunindextype nlocal, sunindextype nglobal, int nseg, const sunindextype *seg, const int *gseg, SUNContext sunctx);
