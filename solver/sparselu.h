/* sparselu.h -- a small sparse LU without pivoting for the Newton matrix of one rank: the default
   linear solver on one rank (solver/sim.c, -ssb_linear_solver sparselu).

   It is the algorithm of PETSc's own LU (MatLUFactorNumeric_SeqAIJ): a symmetric fill-reducing
   ordering (the caller passes PETSc's RCM, PETSc's default here), a symbolic factorisation once,
   then row by row (IKJ) elimination with the inverted diagonal stored, no pivoting, and PETSc's
   zero-pivot test (|pivot| <= 100 eps x the sum of the row's other factor entries' magnitudes).
   The factors have the same nonzeros as PETSc's. What it saves is the per-call cost of PETSc's
   layers (KSPSetUp/PCSetUp, the logging and state checks, the IS permutations of MatSolve), which
   for a single cell of a few hundred unknowns (3-4 factor entries per row) exceeds the arithmetic:
   the triangular solves take about a third, a factorisation about half of PETSc's instructions.

   After a zero pivot the caller falls back to PETSc's solver (with its own fallbacks: natural
   ordering, then a pivoting LU). */
#pragma once
#include <ssbsim/ssb.h>

typedef struct SsbSparseLU_ *SsbSparseLU;

/* From the CSR pattern (ia, ja: n rows, sorted columns) and a symmetric ordering perm (new index i
   is old index perm[i]). */
PetscErrorCode SsbSparseLUCreate(PetscInt n, const PetscInt *ia, const PetscInt *ja, const PetscInt *perm, SsbSparseLU *lu);
/* Factor the CSR values a (the pattern given at creation). Returns 0, or 1 after a zero pivot (the
   factors are then unusable). */
int SsbSparseLUFactor(SsbSparseLU lu, const double *a);
/* x = A^{-1} b (old numbering); x may be b. */
void SsbSparseLUSolve(SsbSparseLU lu, const double *b, double *x);
/* The two halves of SsbSparseLUSolve for the rows [i0, i1) alone, valid when the ordering maps
   [i0, i1) onto itself and the matrix has no entry between these rows and the others (diagonal
   blocks, e.g. cells of a rank's block-diagonal matrix in the natural order): the forward
   substitution reads b's rows [i0, i1), the backward one writes x's (x may be b); a backward range
   needs the forward one of its rows first. A range may hold several blocks, and the backward
   substitution may go block by block (last block first: the factors are then read as one stream). */
void SsbSparseLUSolveForward(SsbSparseLU lu, PetscInt i0, PetscInt i1, const double *b);
void SsbSparseLUSolveBackward(SsbSparseLU lu, PetscInt i0, PetscInt i1, double *x);
/* stored entries of L + U (the diagonal included) */
long           SsbSparseLUFactorEntries(SsbSparseLU lu);
PetscErrorCode SsbSparseLUDestroy(SsbSparseLU *lu);

/* A batch of blocks with one sparsity pattern (the cells of a stack: one mesh, different values),
   in groups of SSB_LU_LANES blocks factored and solved together: the pattern (natural order) is
   stored once, the values of a group interleaved (entry p of lane v at [p SSB_LU_LANES + v]), so
   that every operation runs on the group's lanes at once (SIMD) and the factors carry no per-cell
   column indices. Every lane does the arithmetic of SsbSparseLU in the natural order in the same
   order: each block's factors and solutions are bitwise those of SsbSparseLU.
   8 lanes, two AVX2 registers: two independent dependency chains through the substitutions, whose
   rows (2-3 entries) are latency-bound (1000-cell thermal stack, 1 thread: the solves 1.7-1.9 ->
   1.5 s, the factorisations 0.38-0.40 -> 0.31-0.35 s from 4 lanes). */
#define SSB_LU_LANES 8
typedef struct SsbSparseLUBatch_ *SsbSparseLUBatch;

/* the pattern of one block (ia, ja: n rows, sorted columns) and the number of groups */
PetscErrorCode SsbSparseLUBatchCreate(PetscInt n, const PetscInt *ia, const PetscInt *ja, PetscInt ngroups, SsbSparseLUBatch *lu);
/* Factor group g from the CSR values of its lanes' blocks (a[v]: the pattern given at creation;
   lanes beyond the last block should repeat a valid block). Returns 0, or 1 after a zero pivot in
   any lane. */
int SsbSparseLUBatchFactor(SsbSparseLUBatch lu, PetscInt g, const double *const a[SSB_LU_LANES]);
/* x_v = A_v^{-1} b_v for the lanes v of group g, each lane's vectors in the caller's layout (x_v
   may be b_v); t: a work vector [n SSB_LU_LANES] (interleaved: t[i SSB_LU_LANES + v]) */
void           SsbSparseLUBatchSolveLanes(SsbSparseLUBatch lu, PetscInt g, const double *const b[SSB_LU_LANES], double *const x[SSB_LU_LANES], double *t);
PetscErrorCode SsbSparseLUBatchDestroy(SsbSparseLUBatch *lu);
