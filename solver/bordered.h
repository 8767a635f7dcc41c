/* bordered.h -- exact solution of a block-bordered linear system: the Newton systems of a stack.

   The stack's Jacobian (sim.c) has one diagonal block per cell, A_k, and a border: the unknowns
   after the last cell (the thermal unknowns, the delivered energy, the current and the charge).
   A cell's rows touch only its own block and border columns (B_k: the current, its temperatures);
   the border rows touch border columns (D) and unknowns of every cell (C_k: the cell voltages in the
   control and energy rows; the unknowns of the cell's heat in the thermal rows; any pattern). With z_k = A_k^{-1} b_k and W_k = A_k^{-1} B_k,

     S x_B = b_B - sum_k C_k z_k,   S = D - sum_k C_k W_k,   x_k = z_k - W_k x_B

   is an exact (direct) solution: block Jacobi factored exactly per cell, plus the Schur complement S
   of the border, which is small and sparse. A rank's cells are factored in chunks, one per OpenMP
   thread, by ssbsim's sparse LU (PETSc's algorithm, sparselu.h) in the natural order (their matrix
   is block diagonal: each cell is eliminated as if alone), a chunk whose cells share one pattern
   (one mesh) in groups of 8 cells on SIMD lanes (SsbSparseLUBatch: bitwise the same factors and
   solutions; -ssb_bordered_batch 0: the scalar LU of the chunk); after a zero pivot in any cell (the LU
   does not pivot) every rank uses KLU (SuiteSparse, partial
   pivoting) per cell for that factorisation, cells on OpenMP threads; -ssb_bordered_klu: always
   KLU. Every per-cell result is a function of that cell's values alone and the border sums run over
   the cells in stack order, so the solution is bit for bit the same for any number of threads and
   ranks. Every factorisation depends on the Jacobian alone (KLU: a fresh klu_factor, no
   klu_refactor with an old pivot sequence), which is what makes a restarted run (solver/checkpoint.c)
   continue bit for bit. */
#pragma once
#include <ssbsim/ssb.h>
#include <sundials/sundials_types.h>

typedef struct SsbBordered_ *SsbBordered;

/* From the CSR pattern (ia, ja: n rows, columns in order in every row) of the whole Jacobian and
   the cell offsets coff[0..ncells] (the border is [coff[ncells], n)). ia and ja are kept, not
   copied: they must stay valid while bd lives (every factorisation reads the cells' rows in place).
   This rank factors and solves the cells [c0, c1); comm holds all ranks, each with its own
   contiguous range (gathered here). *bd = NULL (and no error) if the pattern is not block-bordered
   (a cell row touching another cell's unknowns). */
PetscErrorCode SsbBorderedCreate(MPI_Comm comm, int ncells, const sunindextype *coff, PetscInt n, const PetscInt *ia, const PetscInt *ja, int c0, int c1, SsbBordered *bd);
/* Declare that each of this rank's cells k has its entries in the border columns cols[ncol k + j]
   (j < ncol, 0-based in the border) equal to w[ncol k + j] times one column v_k (the cell's rows
   depend on them only through sum_j w_j x_j: the stack thermal model's layer temperatures, through
   the cell's thickness-weighted temperature). W_k then stores A_k^{-1} v_k once instead of ncol
   columns (v_k recovered as the sum of the group's columns over the sum of the weights): less
   memory, fewer solves per factorisation, a cheaper back substitution. Call before the first
   factorisation. */
PetscErrorCode SsbBorderedGroupColumns(SsbBordered bd, int ncol, const int *cols, const double *w);
/* Factor with the CSR values a (same pattern; this rank's cell rows must be set, and on the last
   rank, which owns the border, the border rows). Every rank gathers every cell's contribution
   (and the border's own entries D) in one Allgatherv, and forms and factors the Schur complement
   itself: the same numbers on every rank. Collective. Returns 0, or 1 (on every rank) if a block or the Schur
   complement is singular (recoverable: the caller retries with a smaller step). */
int SsbBorderedFactor(SsbBordered bd, const double *a);
/* Solve: b holds this rank's part of the right-hand side (its cells' unknowns from coff[c0], and on
   the last rank the border after them), x receives its part of the solution (x may be b). The border's share
   travels as the cells' contributions C_k z_k, gathered with b_B on every rank in one Allgatherv;
   every rank solves for x_B. Collective. Returns 0, or 1 (on every rank) on a KLU failure. */
int SsbBorderedSolve(SsbBordered bd, const double *b, double *x);
/* Stored entries of the factors of this rank's blocks and of S (for memory figures). */
long SsbBorderedFactorEntries(SsbBordered bd);
/* This rank's cells in chunks factored in groups of one pattern (-ssb_bordered_batch, default on),
   and all its chunks (for tests). */
void           SsbBorderedChunks(SsbBordered bd, int *batched, int *chunks);
PetscErrorCode SsbBorderedDestroy(SsbBordered *bd);
