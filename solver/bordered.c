/* bordered.c -- block elimination of the stack's Newton systems with KLU per cell (bordered.h). */
#include "bordered.h"
#include "sparselu.h"
#include <klu.h>
#include <petscmat.h>
#ifdef _OPENMP
#  include <omp.h>
#endif
#include <stdlib.h>
#include <string.h>

typedef struct {
  int     n;       /* unknowns of the block */
  int     nnz;     /* entries of A_k */
  int    *ap, *ai; /* A_k in CSR, given to KLU as the CSC of A_k^T (so A_k x = b is klu_tsolve); built when KLU is first needed */
  double *ax;      /* [nnz] values */
  int     m;       /* border columns its rows touch */
  int    *bcol;    /* [m] border column (0-based in the border) */
  /* B_k's columns as multiples of me <= m columns (SsbBorderedGroupColumns): column q is ew[q] times
     column es[q] of the reduced B_k, recovered as the group's sum times escale[q] = 1/(its weights'
     sum); W_k has the me columns. Without groups es[q] = q, ew = escale = 1. */
  int           me, *es;
  double       *ew, *escale;
  int           nB;               /* entries of B_k (each row's entries after its A_k entries in the Jacobian's CSR) */
  int          *Brow, *Bpos, *Bq; /* [nB] each entry's row (in the cell), position in J and border column slot, in order */
  int           r;                /* border rows with entries in its columns */
  int           nC;               /* entries of C_k */
  int          *Cr, *Ccol, *Cpos; /* row slot (0..r-1), local column, position */
  double       *Cval;             /* [nC] values at the last factorisation */
  double       *W;                /* [n me] A_k^{-1} B_k (reduced), column-major */
  klu_symbolic *sym;
  klu_numeric  *num;
  klu_common    com;
} Block;

struct SsbBordered_ {
  MPI_Comm        comm;
  int             size, rank;
  int             N, c0, c1, last; /* last: the rank that owns the border (size - 1) */
  int             n, b0, nb, off;  /* off: the first unknown of this rank (coff[c0]) */
  const PetscInt *ia, *ja;         /* the Jacobian's CSR pattern (the caller's, kept valid while bd lives) */
  int            *coff;            /* [N + 1] */
  int            *rc0, *rc1;       /* [size] each rank's cell range */
  int            *owner;           /* [N] the rank of each cell */
  Block          *blk;             /* [N], only [c0, c1) set up */
  /* the Schur complement S, CSR (KLU sees S^T) */
  int    *sp, *sj, nS;
  double *sv;
  int     nD, *Dpos, *Dspos; /* D entries: position in J, in S */
  /* the contributions of every cell to the border, gathered on the last rank: cell k's at
     offset eoff[k] + owner[k] of E (roff[k] + owner[k] of R), each rank's block followed by one
     slot for its failure flag */
  int          *eoff, *Epos;               /* [N + 1], [eoff[N]]: contribution C_k W_k (r_k x m_k) -> S position */
  double       *E;                         /* [eoff[N] + size] */
  int          *roff, *Rrow;               /* [N + 1], [roff[N]]: contribution C_k z_k (r_k) -> border row */
  double       *R;                         /* [roff[N] + size] */
  int          *ecnt, *edsp, *rcnt, *rdsp; /* [size] gathers of E and R (with the flag) */
  int          *crow;                      /* [roff[N]] border row of every (cell, row slot) */
  double       *xb;                        /* [nb + 1]: x_B and the failure flag */
  klu_symbolic *Ssym;
  klu_numeric  *Snum;
  klu_common    Scom;
  /* this rank's cells as one block-diagonal matrix Ar, in contiguous chunks of cells, one per
     OpenMP thread, each factored by ssbsim's sparse LU (PETSc's LU algorithm, sparselu.h) in the
     natural order: each cell's block is eliminated exactly as if it were alone, so the factors do
     not depend on how the cells are split over ranks and threads; KLU per cell after a zero pivot
     in any cell (decided on every rank alike) or with -ssb_bordered_klu */
  PetscBool    plu;          /* try the sparse LU first */
  int          mode;         /* the last factorisation: 0 sparse LU, 1 KLU per cell */
  PetscInt     nr, *ri, *rj; /* Ar: this rank's unknowns, CSR (row i's entries are the first of the Jacobian's row coff[c0] + i) */
  double      *rv, *rb, *rx; /* values; two work vectors [nr] */
  int          mmax;         /* the most (reduced) border columns of this rank's cells */
  int          nch, *chc;    /* chunks of cells: chunk j has cells [chc[j], chc[j + 1]) */
  SsbSparseLU *clu;          /* [nch] (NULL where blu is set) */
  /* a chunk whose cells have one pattern (one mesh: the usual case) is factored in groups of
     SSB_LU_LANES cells (sparselu.h), the last group padded with its last cell: blu[j], with bt[j]
     the group's interleaved vector [(cells' unknowns) x lanes], a scratch vector of a cell and one
     of zeros */
  SsbSparseLUBatch *blu;
  double          **bt;
};

#define SSB_BORDERED_MAXCOLS 16 /* border columns of one cell (the current and its temperatures: 1-4) */

static int CellOf(const int *coff, int N, int col)
{
  int lo = 0, hi = N - 1;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (coff[mid] <= col)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

/* The entries of the Jacobian's row i (a cell's): A_k's at [ia[i], *pb), B_k's at [*pb, ia[i + 1])
   (columns in order, the border's last). */
static inline int BorderStart(const SsbBordered bd, int i)
{
  int p = (int)bd->ia[i], p1 = (int)bd->ia[i + 1];
  while (p < p1 && bd->ja[p] < bd->b0) p++;
  return p;
}

/* slot of border column c among cell b's */
static inline int Slot(const Block *b, int c)
{
  int q = 0;
  while (b->bcol[q] != c) q++;
  return q;
}

static int CmpPair(const void *a, const void *b)
{
  const int *p = (const int *)a, *q = (const int *)b;
  return p[0] != q[0] ? (p[0] < q[0] ? -1 : 1) : (p[1] != q[1] ? (p[1] < q[1] ? -1 : 1) : 0);
}

/* position of (row, col) in the CSR pattern (sp, sj), -1 if absent */
static int FindEntry(const int *sp, const int *sj, int row, int col)
{
  int lo = sp[row], hi = sp[row + 1] - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (sj[mid] == col) return mid;
    if (sj[mid] < col)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -1;
}

/* do cells [k0, k1) (this rank's) have one pattern in Ar (relative to each cell's first unknown)? */
static PetscBool SamePattern(const SsbBordered bd, int k0, int k1)
{
  const PetscInt r0 = bd->coff[k0] - bd->off, n = bd->blk[k0].n;
  for (int k = k0 + 1; k < k1; k++) {
    const PetscInt r = bd->coff[k] - bd->off;
    if (bd->blk[k].n != n) return PETSC_FALSE;
    for (PetscInt i = 0; i < n; i++) {
      const PetscInt p0 = bd->ri[r0 + i], p = bd->ri[r + i], len = bd->ri[r0 + i + 1] - p0;
      if (bd->ri[r + i + 1] - p != len) return PETSC_FALSE;
      for (PetscInt e = 0; e < len; e++)
        if (bd->rj[p + e] - r != bd->rj[p0 + e] - r0) return PETSC_FALSE;
    }
  }
  return PETSC_TRUE;
}

PetscErrorCode SsbBorderedCreate(MPI_Comm comm, int N, const sunindextype *coff, PetscInt n, const PetscInt *ia, const PetscInt *ja, int c0, int c1, SsbBordered *out)
{
  SsbBordered bd;
  PetscFunctionBeginUser;
  *out = NULL;
  /* block-bordered? every cell row only in its block or the border */
  const int b0 = (int)coff[N];
  for (int k = 0; k < N; k++)
    for (PetscInt i = coff[k]; i < coff[k + 1]; i++)
      for (PetscInt p = ia[i]; p < ia[i + 1]; p++)
        if ((ja[p] < coff[k] || ja[p] >= coff[k + 1]) && ja[p] < b0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscCalloc1(1, &bd));
  bd->comm = comm;
  PetscCallMPI(MPI_Comm_size(comm, &bd->size));
  PetscCallMPI(MPI_Comm_rank(comm, &bd->rank));
  bd->N  = N;
  bd->c0 = c0;
  bd->c1 = c1;
  bd->n  = (int)n;
  bd->b0 = b0;
  bd->nb = (int)n - b0;
  bd->ia = ia;
  bd->ja = ja;
  PetscCall(PetscMalloc1(N + 1, &bd->coff));
  for (int k = 0; k <= N; k++) bd->coff[k] = (int)coff[k];
  bd->last = bd->size - 1;
  bd->off  = bd->coff[c0];
  PetscCall(PetscMalloc3(bd->size, &bd->rc0, bd->size, &bd->rc1, N, &bd->owner));
  PetscCallMPI(MPI_Allgather(&c0, 1, MPI_INT, bd->rc0, 1, MPI_INT, comm));
  PetscCallMPI(MPI_Allgather(&c1, 1, MPI_INT, bd->rc1, 1, MPI_INT, comm));
  for (int r = 0; r < bd->size; r++)
    for (int k = bd->rc0[r]; k < bd->rc1[r]; k++) bd->owner[k] = r;
  PetscCheck(bd->rc1[bd->last] == N, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "the last rank must own the last cell");
  PetscCall(PetscCalloc1(N, &bd->blk));

  /* the border rows: D entries, and each cell's C entries (row slots in order of first appearance
     by row) */
  int nb = bd->nb, nDtot = 0;
  for (int i = b0; i < n; i++)
    for (PetscInt p = ia[i]; p < ia[i + 1]; p++)
      if (ja[p] >= b0) nDtot++;
  bd->nD = nDtot;
  PetscCall(PetscMalloc2(nDtot, &bd->Dpos, nDtot, &bd->Dspos));
  {
    int *cntC, *lastrow;
    PetscCall(PetscCalloc2(N, &cntC, N, &lastrow));
    for (int k = 0; k < N; k++) lastrow[k] = -1;
    for (int i = b0; i < n; i++)
      for (PetscInt p = ia[i]; p < ia[i + 1]; p++)
        if (ja[p] < b0) {
          int k = CellOf(bd->coff, N, (int)ja[p]);
          cntC[k]++;
          if (lastrow[k] != i) {
            bd->blk[k].r++;
            lastrow[k] = i;
          }
        }
    PetscCall(PetscMalloc1(N + 1, &bd->roff));
    bd->roff[0] = 0;
    for (int k = 0; k < N; k++) bd->roff[k + 1] = bd->roff[k] + bd->blk[k].r;
    PetscCall(PetscMalloc1(bd->roff[N], &bd->crow));
    for (int k = 0; k < N; k++) {
      Block *b = &bd->blk[k];
      b->nC    = cntC[k];
      PetscCall(PetscMalloc4(b->nC, &b->Cr, b->nC, &b->Ccol, b->nC, &b->Cpos, b->nC, &b->Cval));
      b->nC = 0;
      b->r  = 0;
    }
    for (int k = 0; k < N; k++) lastrow[k] = -1;
    nDtot = 0;
    for (int i = b0; i < n; i++)
      for (PetscInt p = ia[i]; p < ia[i + 1]; p++) {
        if (ja[p] >= b0) {
          bd->Dpos[nDtot++] = (int)p;
          continue;
        }
        int    k = CellOf(bd->coff, N, (int)ja[p]);
        Block *b = &bd->blk[k];
        if (lastrow[k] != i) {
          bd->crow[bd->roff[k] + b->r++] = i - b0;
          lastrow[k]                     = i;
        }
        b->Cr[b->nC]   = b->r - 1;
        b->Ccol[b->nC] = (int)ja[p] - bd->coff[k];
        b->Cpos[b->nC] = (int)p;
        b->nC++;
      }
    PetscCall(PetscFree2(cntC, lastrow));
  }
  /* each cell's block A_k and border columns B_k */
  for (int k = 0; k < N; k++) {
    Block *b  = &bd->blk[k];
    int    r0 = bd->coff[k], nk = bd->coff[k + 1] - r0, na = 0, nB = 0;
    b->n = nk;
    for (int i = r0; i < r0 + nk; i++)
      for (PetscInt p = ia[i]; p < ia[i + 1]; p++) {
        if (ja[p] < b0)
          na++;
        else
          nB++;
      }
    /* the distinct border columns (sorted) */
    int *cols;
    PetscCall(PetscMalloc1(nB + 1, &cols));
    nB = 0;
    for (int i = r0; i < r0 + nk; i++)
      for (PetscInt p = ia[i]; p < ia[i + 1]; p++)
        if (ja[p] >= b0) {
          int c = (int)ja[p] - b0, q;
          for (q = 0; q < b->m && cols[q] != c; q++) {}
          if (q == b->m) cols[b->m++] = c;
          nB++;
        }
    for (int a = 1; a < b->m; a++) /* insertion sort: m is a handful */
      for (int q = a; q > 0 && cols[q - 1] > cols[q]; q--) {
        int t       = cols[q];
        cols[q]     = cols[q - 1];
        cols[q - 1] = t;
      }
    b->bcol = cols;
    b->nB   = nB;
    b->nnz  = na;
    if (k < c0 || k >= c1) continue; /* another rank's cell: only its counts are needed here */
    PetscCheck(b->m <= SSB_BORDERED_MAXCOLS, PETSC_COMM_SELF, PETSC_ERR_SUP, "cell %d touches %d border columns, at most %d supported", k, b->m, SSB_BORDERED_MAXCOLS);
    PetscCall(PetscMalloc3(b->m + 1, &b->es, b->m + 1, &b->ew, b->m + 1, &b->escale));
    for (int q = 0; q < b->m; q++) {
      b->es[q] = q;
      b->ew[q] = b->escale[q] = 1.0;
    }
    b->me = b->m;
    PetscCall(PetscMalloc3(nB + 1, &b->Brow, nB + 1, &b->Bpos, nB + 1, &b->Bq));
    nB = 0;
    for (int i = r0; i < r0 + nk; i++)
      for (PetscInt p = ia[i]; p < ia[i + 1]; p++)
        if (ja[p] >= b0) {
          b->Brow[nB] = i - r0;
          b->Bpos[nB] = (int)p;
          b->Bq[nB++] = Slot(b, (int)ja[p] - b0);
        }
    PetscCall(PetscMalloc1((size_t)nk * PetscMax(b->m, 1), &b->W));
    klu_defaults(&b->com);
    /* KLU's pattern, analysis and values wait for the first KLU factorisation (FactorBlock): with
       PETSc's LU of the rank's cells they are needed only after a zero pivot */
  }
  /* the pattern of S: D and every cell's (row slots x border columns) */
  {
    int nE = 0;
    PetscCall(PetscMalloc1(N + 1, &bd->eoff));
    bd->eoff[0] = 0;
    for (int k = 0; k < N; k++) bd->eoff[k + 1] = bd->eoff[k] + bd->blk[k].r * bd->blk[k].m;
    nE = bd->eoff[N];
    int *pairs, np = 0;
    PetscCall(PetscMalloc1(2 * (size_t)(bd->nD + nE + nb), &pairs));
    for (int i = b0; i < n; i++)
      for (PetscInt p = ia[i]; p < ia[i + 1]; p++)
        if (ja[p] >= b0) {
          pairs[2 * np]     = i - b0;
          pairs[2 * np + 1] = (int)ja[p] - b0;
          np++;
        }
    for (int i = 0; i < nb; i++) { /* the diagonal, always */
      pairs[2 * np] = pairs[2 * np + 1] = i;
      np++;
    }
    for (int k = 0; k < N; k++)
      for (int a = 0; a < bd->blk[k].r; a++)
        for (int q = 0; q < bd->blk[k].m; q++) {
          pairs[2 * np]     = bd->crow[bd->roff[k] + a];
          pairs[2 * np + 1] = bd->blk[k].bcol[q];
          np++;
        }
    qsort(pairs, (size_t)np, 2 * sizeof(int), CmpPair);
    PetscCall(PetscMalloc2(nb + 1, &bd->sp, np, &bd->sj));
    int ns = 0;
    for (int i = 0; i <= nb; i++) bd->sp[i] = 0;
    for (int e = 0; e < np; e++) {
      if (e > 0 && pairs[2 * e] == pairs[2 * e - 2] && pairs[2 * e + 1] == pairs[2 * e - 1]) continue;
      bd->sj[ns++] = pairs[2 * e + 1];
      bd->sp[pairs[2 * e] + 1]++;
    }
    for (int i = 0; i < nb; i++) bd->sp[i + 1] += bd->sp[i];
    bd->nS = ns;
    PetscCall(PetscFree(pairs));
    PetscCall(PetscMalloc1(ns, &bd->sv));
    nDtot = 0;
    for (int i = b0; i < n; i++)
      for (PetscInt p = ia[i]; p < ia[i + 1]; p++)
        if (ja[p] >= b0) bd->Dspos[nDtot++] = FindEntry(bd->sp, bd->sj, i - b0, (int)ja[p] - b0);
    PetscCall(PetscMalloc3(nE, &bd->Epos, nE + bd->size + bd->nD, &bd->E, bd->roff[N] + bd->size + nb, &bd->R));
    for (int k = 0; k < N; k++)
      for (int a = 0; a < bd->blk[k].r; a++)
        for (int q = 0; q < bd->blk[k].m; q++) bd->Epos[bd->eoff[k] + a * bd->blk[k].m + q] = FindEntry(bd->sp, bd->sj, bd->crow[bd->roff[k] + a], bd->blk[k].bcol[q]);
    bd->Rrow = bd->crow;
  }
  PetscCall(PetscMalloc4(bd->size, &bd->ecnt, bd->size, &bd->edsp, bd->size, &bd->rcnt, bd->size, &bd->rdsp));
  for (int r = 0; r < bd->size; r++) {
    bd->edsp[r] = bd->eoff[bd->rc0[r]] + r;
    bd->ecnt[r] = bd->eoff[bd->rc1[r]] - bd->eoff[bd->rc0[r]] + 1;
    bd->rdsp[r] = bd->roff[bd->rc0[r]] + r;
    bd->rcnt[r] = bd->roff[bd->rc1[r]] - bd->roff[bd->rc0[r]] + 1;
  }
  /* the last rank's segments also carry the border's own values: D's entries (factorisation) and
     b_B (solve), after its flag, so every rank can form and solve S itself */
  bd->ecnt[bd->last] += bd->nD;
  bd->rcnt[bd->last] += nb;
  PetscCall(PetscMalloc1(nb + 1, &bd->xb));
  klu_defaults(&bd->Scom);
  bd->Ssym = klu_analyze(nb, bd->sp, bd->sj, &bd->Scom);
  PetscCheck(bd->Ssym, PETSC_COMM_SELF, PETSC_ERR_LIB, "KLU could not analyse the Schur complement of the border (status %d)", bd->Scom.status);
  {
    PetscBool klu_only = PETSC_FALSE;
    PetscCall(PetscOptionsGetBool(NULL, NULL, "-ssb_bordered_klu", &klu_only, NULL));
    bd->plu  = (PetscBool)!klu_only;
    bd->mode = 1;
  }
  if (bd->plu) {
    PetscInt nr = 0, nz = 0;
    for (int k = c0; k < c1; k++) {
      nr += bd->blk[k].n;
      nz += bd->blk[k].nnz;
      bd->mmax = PetscMax(bd->mmax, bd->blk[k].m);
    }
    bd->nr = nr;
    PetscCall(PetscMalloc3(nr + 1, &bd->ri, nz, &bd->rj, nz, &bd->rv));
    PetscCall(PetscMalloc2(nr + 1, &bd->rb, nr + 1, &bd->rx));
    PetscInt row = 0, e = 0;
    bd->ri[0] = 0;
    for (int k = c0; k < c1; k++) {
      const int r0 = bd->coff[k];
      for (int i = r0; i < bd->coff[k + 1]; i++, row++) {
        for (int p = (int)ia[i], pb = BorderStart(bd, i); p < pb; p++, e++) {
          bd->rj[e] = ja[p] - bd->coff[c0];
          bd->rv[e] = 0;
        }
        bd->ri[row + 1] = e;
      }
    }
    if (nr > 0) {
      /* one chunk of contiguous cells per thread (at most one per cell) */
      int nt = 1, ncl = c1 - c0;
#ifdef _OPENMP
      nt = omp_get_max_threads();
#endif
      bd->nch         = PetscMax(1, PetscMin(nt, ncl));
      PetscBool batch = PETSC_TRUE;
      PetscCall(PetscOptionsGetBool(NULL, NULL, "-ssb_bordered_batch", &batch, NULL));
      PetscCall(PetscCalloc4(bd->nch + 1, &bd->chc, bd->nch, &bd->clu, bd->nch, &bd->blu, bd->nch, &bd->bt));
      for (int j = 0; j <= bd->nch; j++) bd->chc[j] = c0 + (int)(((long)ncl * j) / bd->nch);
      for (int j = 0; j < bd->nch; j++) {
        if (batch && SamePattern(bd, bd->chc[j], bd->chc[j + 1])) {
          const int      k0 = bd->chc[j], ng = (bd->chc[j + 1] - k0 + SSB_LU_LANES - 1) / SSB_LU_LANES;
          const PetscInt r0 = bd->coff[k0] - bd->off, n = bd->blk[k0].n;
          PetscInt      *cia, *cja;
          PetscCall(PetscMalloc2(n + 1, &cia, bd->ri[r0 + n] - bd->ri[r0], &cja));
          for (PetscInt i = 0; i <= n; i++) cia[i] = bd->ri[r0 + i] - bd->ri[r0];
          for (PetscInt e = 0; e < cia[n]; e++) cja[e] = bd->rj[bd->ri[r0] + e] - r0;
          PetscCall(SsbSparseLUBatchCreate(n, cia, cja, ng, &bd->blu[j]));
          PetscCall(PetscFree2(cia, cja));
          PetscCall(PetscCalloc1((size_t)(SSB_LU_LANES + 2) * (size_t)PetscMax(n, 1), &bd->bt[j]));
          continue;
        }
        const PetscInt r0 = bd->coff[bd->chc[j]] - bd->coff[c0], n = bd->coff[bd->chc[j + 1]] - bd->coff[bd->chc[j]];
        PetscInt      *cia, *cja, *perm;
        PetscCall(PetscMalloc3(n + 1, &cia, bd->ri[r0 + n] - bd->ri[r0], &cja, n, &perm));
        for (PetscInt i = 0; i <= n; i++) cia[i] = bd->ri[r0 + i] - bd->ri[r0];
        for (PetscInt e = 0; e < cia[n]; e++) cja[e] = bd->rj[bd->ri[r0] + e] - r0;
        for (PetscInt i = 0; i < n; i++) perm[i] = i; /* natural order */
        PetscCall(SsbSparseLUCreate(n, cia, cja, perm, &bd->clu[j]));
        PetscCall(PetscFree3(cia, cja, perm));
      }
    }
  }
  *out = bd;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbBorderedGroupColumns(SsbBordered bd, int ncol, const int *cols, const double *w)
{
  PetscFunctionBeginUser;
  PetscCheck(ncol >= 1 && ncol <= SSB_BORDERED_MAXCOLS, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "a group of %d columns", ncol);
  bd->mmax = 0;
  for (int k = bd->c0; k < bd->c1; k++) {
    Block *b = &bd->blk[k];
    int    in[SSB_BORDERED_MAXCOLS], g = -1, me = 0;
    double ws = 0;
    for (int q = 0; q < b->m; q++) in[q] = -1;
    for (int j = 0; j < ncol; j++) {
      int q = 0;
      while (q < b->m && b->bcol[q] != cols[(size_t)ncol * k + j]) q++;
      PetscCheck(q < b->m, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "cell %d has no entries in border column %d", k, cols[(size_t)ncol * k + j]);
      in[q] = j;
      ws += w[(size_t)ncol * k + j];
    }
    PetscCheck(ws != 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "cell %d: the group's weights add up to 0", k);
    for (int q = 0; q < b->m; q++) { /* the reduced columns in the order of their first border column */
      if (in[q] < 0) {
        b->es[q] = me++;
        b->ew[q] = b->escale[q] = 1.0;
        continue;
      }
      if (g < 0) g = me++;
      b->es[q]     = g;
      b->ew[q]     = w[(size_t)ncol * k + in[q]];
      b->escale[q] = 1.0 / ws;
    }
    b->me = me;
    PetscCall(PetscFree(b->W));
    PetscCall(PetscMalloc1((size_t)b->n * PetscMax(me, 1), &b->W));
    bd->mmax = PetscMax(bd->mmax, me);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void BlockContribution(SsbBordered bd, int k, const double *a);

/* factor cell k's block and form its Schur contribution; 0 or 1 (singular) */
static int FactorBlock(SsbBordered bd, int k, const double *a)
{
  Block    *b  = &bd->blk[k];
  const int r0 = bd->coff[k], n = b->n, m = b->me;
  if (!b->sym) { /* A_k's pattern for KLU, from the Jacobian's rows (malloc: cells run on threads) */
    b->ap = (int *)malloc(sizeof(int) * (size_t)(n + 1));
    b->ai = (int *)malloc(sizeof(int) * (size_t)(b->nnz > 0 ? b->nnz : 1));
    b->ax = (double *)malloc(sizeof(double) * (size_t)(b->nnz > 0 ? b->nnz : 1));
    if (!b->ap || !b->ai || !b->ax) return 1;
    b->ap[0] = 0;
    for (int i = 0, e = 0; i < n; i++) {
      for (int p = (int)bd->ia[r0 + i], pb = BorderStart(bd, r0 + i); p < pb; p++) b->ai[e++] = bd->ja[p] - r0;
      b->ap[i + 1] = e;
    }
    b->sym = klu_analyze(n, b->ap, b->ai, &b->com);
    if (!b->sym) return 1;
  }
  for (int i = 0; i < n; i++) memcpy(b->ax + b->ap[i], a + bd->ia[r0 + i], sizeof(double) * (size_t)(b->ap[i + 1] - b->ap[i]));
  if (b->num) klu_free_numeric(&b->num, &b->com);
  b->num = klu_factor(b->ap, b->ai, b->ax, b->sym, &b->com);
  if (!b->num || b->com.status != KLU_OK) return 1;
  memset(b->W, 0, sizeof(double) * (size_t)n * (size_t)m);
  for (int i = 0; i < n; i++)
    for (int p = BorderStart(bd, r0 + i); p < bd->ia[r0 + i + 1]; p++) {
      const int q = Slot(b, bd->ja[p] - bd->b0);
      b->W[i + (size_t)b->es[q] * n] += a[p] * b->escale[q];
    }
  if (m > 0 && !klu_tsolve(b->sym, b->num, n, m, b->W, &b->com)) return 1;
  BlockContribution(bd, k, a);
  return 0;
}

/* the lanes of group g of chunk j: its cells (the last repeated in the padding), and how many are real */
static inline int GroupCells(const SsbBordered bd, int j, int g, int kv[SSB_LU_LANES])
{
  const int k0 = bd->chc[j] + SSB_LU_LANES * g, k1 = bd->chc[j + 1];
  for (int v = 0; v < SSB_LU_LANES; v++) kv[v] = PetscMin(k0 + v, k1 - 1);
  return PetscMin(SSB_LU_LANES, k1 - k0);
}

/* chunk j in groups of cells with one pattern (SsbSparseLUBatch): each group's factors, then its
   cells' W_k (the right-hand sides built and the columns stored as FactorRank's scalar path does:
   the same numbers) and contributions. 0, or 1 on a zero pivot. */
static int FactorChunkBatch(SsbBordered bd, int j, const double *a)
{
  const int ng = (bd->chc[j + 1] - bd->chc[j] + SSB_LU_LANES - 1) / SSB_LU_LANES;
  double   *t  = bd->bt[j];
  for (int g = 0; g < ng; g++) {
    int           kv[SSB_LU_LANES];
    const double *av[SSB_LU_LANES];
    const int     nv = GroupCells(bd, j, g, kv), n = bd->blk[kv[0]].n;
    for (int v = 0; v < SSB_LU_LANES; v++) av[v] = bd->rv + bd->ri[bd->coff[kv[v]] - bd->off];
    if (SsbSparseLUBatchFactor(bd->blu[j], g, av)) return 1;
    /* the right-hand sides in W_k, all columns in one pass over B_k's entries (each sum in the
       order of FactorRank's scalar path), then solved in place; a lane without column q (or
       padding) solves zeros into the scratch vector */
    for (int v = 0; v < nv; v++) {
      Block *b = &bd->blk[kv[v]];
      memset(b->W, 0, sizeof(double) * (size_t)n * (size_t)b->me);
      for (int e = 0; e < b->nB; e++) b->W[(size_t)b->es[b->Bq[e]] * n + b->Brow[e]] += a[b->Bpos[e]] * b->escale[b->Bq[e]];
    }
    for (int q = 0; q < bd->mmax; q++) {
      double *wv[SSB_LU_LANES];
      for (int v = 0; v < SSB_LU_LANES; v++) {
        const Block *b = &bd->blk[kv[v]];
        wv[v]          = v < nv && q < b->me ? b->W + (size_t)q * n : NULL;
      }
      const double *bv[SSB_LU_LANES];
      double       *xv[SSB_LU_LANES];
      for (int v = 0; v < SSB_LU_LANES; v++) {
        bv[v] = wv[v] ? wv[v] : t + (SSB_LU_LANES + 1) * (size_t)n; /* zeros */
        xv[v] = wv[v] ? wv[v] : t + SSB_LU_LANES * (size_t)n;
      }
      SsbSparseLUBatchSolveLanes(bd->blu[j], g, bv, xv, t);
    }
    for (int v = 0; v < nv; v++) BlockContribution(bd, kv[v], a);
  }
  return 0;
}

/* The sparse LU of this rank's cells, chunk by chunk on the threads: the factors, W_k for every
   cell (column slot q of every cell of a chunk in one right-hand side: A is block diagonal) and the
   contributions. 0, or 1 on a zero pivot (in any of this rank's cells). */
static int FactorRank(SsbBordered bd, const double *a)
{
  int zp = 0;
  if (bd->nr == 0) return 0;
#pragma omp parallel for schedule(static) reduction(| \
                                                    : zp) if (bd->nch > 1) num_threads(bd->nch)
  for (int j = 0; j < bd->nch; j++) {
    const PetscInt r0 = bd->coff[bd->chc[j]] - bd->coff[bd->c0], r1 = bd->coff[bd->chc[j + 1]] - bd->coff[bd->c0];
    for (PetscInt i = r0; i < r1; i++) memcpy(bd->rv + bd->ri[i], a + bd->ia[bd->off + i], sizeof(double) * (size_t)(bd->ri[i + 1] - bd->ri[i])); /* each chunk's rows on its thread */
    if (bd->blu[j]) {
      zp |= FactorChunkBatch(bd, j, a);
      continue;
    }
    if (SsbSparseLUFactor(bd->clu[j], bd->rv + bd->ri[r0])) {
      zp = 1;
      continue;
    }
    for (int q = 0; q < bd->mmax; q++) {
      memset(bd->rb + r0, 0, sizeof(double) * (size_t)(r1 - r0));
      for (int k = bd->chc[j]; k < bd->chc[j + 1]; k++) {
        const Block *b = &bd->blk[k];
        if (q >= b->me) continue;
        for (int i = bd->coff[k]; i < bd->coff[k + 1]; i++)
          for (int p = (int)bd->ri[i - bd->off + 1] - (int)bd->ri[i - bd->off] + (int)bd->ia[i]; p < bd->ia[i + 1]; p++) {
            const int qq = Slot(b, bd->ja[p] - bd->b0);
            if (b->es[qq] == q) bd->rb[i - bd->off] += a[p] * b->escale[qq];
          }
      }
      SsbSparseLUSolve(bd->clu[j], bd->rb + r0, bd->rx + r0);
      for (int k = bd->chc[j]; k < bd->chc[j + 1]; k++) {
        const Block *b = &bd->blk[k];
        if (q < b->me) memcpy(b->W + (size_t)q * b->n, bd->rx + bd->coff[k] - bd->coff[bd->c0], sizeof(double) * (size_t)b->n);
      }
    }
    for (int k = bd->chc[j]; k < bd->chc[j + 1]; k++) BlockContribution(bd, k, a);
  }
  return zp;
}

/* cell k's contribution C_k W_k to S (and its C_k values for the solves) */
static void BlockContribution(SsbBordered bd, int k, const double *a)
{
  Block    *b = &bd->blk[k];
  const int n = b->n, m = b->m;
  double   *E = bd->E + bd->eoff[k] + bd->owner[k];
  memset(E, 0, sizeof(double) * (size_t)b->r * (size_t)m);
  for (int e = 0; e < b->nC; e++) {
    double c = b->Cval[e] = a[b->Cpos[e]];
    for (int q = 0; q < m; q++) E[b->Cr[e] * m + q] += c * b->W[b->Ccol[e] + (size_t)b->es[q] * n] * b->ew[q];
  }
}

/* the position of rank r's failure flag in E and in R (after its cells' contributions) */
static inline int EFlag(const SsbBordered bd, int r) { return bd->edsp[r] + bd->eoff[bd->rc1[r]] - bd->eoff[bd->rc0[r]]; }
static inline int RFlag(const SsbBordered bd, int r) { return bd->rdsp[r] + bd->roff[bd->rc1[r]] - bd->roff[bd->rc0[r]]; }

/* Each rank factors its blocks and forms their contributions to S; every rank gathers all of them
   (with every rank's failure flag, and the last rank's D entries) in one collective, forms
   S = D - sum_k C_k W_k in stack order and factors it: the same numbers on every rank, so the
   outcome needs no further message (a gather to the last rank and a broadcast of the outcome
   before). */
int SsbBorderedFactor(SsbBordered bd, const double *a)
{
  int bad  = 0, status;
  bd->mode = 1;
  if (bd->plu) {
    int r = FactorRank(bd, a);
    if (r < 0) return -1;
    /* a zero pivot in any cell, on any rank: every rank uses KLU this time (the same cells fail
       whatever the split, so the choice does not depend on the number of ranks) */
    if (bd->size > 1 && MPI_Allreduce(MPI_IN_PLACE, &r, 1, MPI_INT, MPI_MAX, bd->comm)) return -1;
    if (r == 0)
      bd->mode = 0;
    else if (PetscInfo(NULL, "zero pivot in the sparse LU of the cells: KLU per cell (partial pivoting) for this factorisation\n"))
      return -1;
  }
  if (bd->mode == 1) {
#pragma omp parallel for schedule(static) reduction(| \
                                                    : bad) if (bd->c1 - bd->c0 > 1)
    for (int k = bd->c0; k < bd->c1; k++) bad |= FactorBlock(bd, k, a);
  }
  const double *D = NULL; /* D's entries, in the order of Dpos */
  if (bd->size > 1) {
    bd->E[EFlag(bd, bd->rank)] = bad;
    if (bd->rank == bd->last)
      for (int e = 0; e < bd->nD; e++) bd->E[EFlag(bd, bd->last) + 1 + e] = a[bd->Dpos[e]];
    if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, bd->E, bd->ecnt, bd->edsp, MPI_DOUBLE, bd->comm)) return -1;
    for (int r = 0; r < bd->size; r++) bad |= bd->E[EFlag(bd, r)] != 0;
    D = bd->E + EFlag(bd, bd->last) + 1;
  }
  status = bad;
  if (!bad) {
    /* S = D - sum_k C_k W_k, the cells in stack order */
    memset(bd->sv, 0, sizeof(double) * (size_t)bd->nS);
    for (int e = 0; e < bd->nD; e++) bd->sv[bd->Dspos[e]] += D ? D[e] : a[bd->Dpos[e]];
    for (int k = 0; k < bd->N; k++) {
      const double *E  = bd->E + bd->eoff[k] + bd->owner[k];
      const int     e0 = bd->eoff[k], ne = bd->eoff[k + 1] - e0;
      for (int e = 0; e < ne; e++) bd->sv[bd->Epos[e0 + e]] -= E[e];
    }
    if (bd->Snum) klu_free_numeric(&bd->Snum, &bd->Scom);
    bd->Snum = klu_factor(bd->sp, bd->sj, bd->sv, bd->Ssym, &bd->Scom);
    status   = !bd->Snum || bd->Scom.status != KLU_OK ? 1 : 0;
  }
  return status;
}

/* b, x: this rank's unknowns (its cells, and the border on the last rank). Each rank solves its
   cells (z_k = A_k^-1 b_k, into x) and forms their contributions C_k z_k cell by cell, while z_k is
   in cache; the last rank gathers the contributions, solves for x_B and broadcasts it; each rank
   then finishes its own cells (x_k = z_k - W_k x_B). */
/* cell k's contribution C_k z_k to the border rows */
static inline void Contribution(SsbBordered bd, int k, const double *z)
{
  const Block *bk = &bd->blk[k];
  double      *R  = bd->R + bd->roff[k] + bd->owner[k];
  for (int a = 0; a < bk->r; a++) R[a] = 0;
  for (int e = 0; e < bk->nC; e++) R[bk->Cr[e]] += bk->Cval[e] * z[bk->Ccol[e]];
}

/* chunk j in groups (SsbSparseLUBatch): a group's right-hand sides gathered into the interleaved
   vector, solved, the solutions scattered into x and each cell's contribution formed */
static void SolveChunkBatch(SsbBordered bd, int j, const double *b, double *x)
{
  const int ng = (bd->chc[j + 1] - bd->chc[j] + SSB_LU_LANES - 1) / SSB_LU_LANES;
  double   *t  = bd->bt[j];
  for (int g = 0; g < ng; g++) {
    int           kv[SSB_LU_LANES];
    const double *bv[SSB_LU_LANES];
    double       *xv[SSB_LU_LANES];
    const int     nv = GroupCells(bd, j, g, kv), n = bd->blk[kv[0]].n;
    for (int v = 0; v < SSB_LU_LANES; v++) {
      bv[v] = b + bd->coff[kv[v]] - bd->off;
      xv[v] = v < nv ? x + bd->coff[kv[v]] - bd->off : t + SSB_LU_LANES * n; /* the padding's: a scratch vector */
    }
    SsbSparseLUBatchSolveLanes(bd->blu[j], g, bv, xv, t);
    for (int v = 0; v < nv; v++) Contribution(bd, kv[v], xv[v]);
  }
}

int SsbBorderedSolve(SsbBordered bd, const double *b, double *x)
{
  int       bad = 0;
  const int off = bd->off;
  if (bd->mode == 0 && bd->nr > 0) {
    /* the chunks (contiguous cells, one per thread): the forward substitution of the whole chunk,
       then the backward one cell by cell from the last, each cell's contribution while its z_k
       is in cache */
#pragma omp parallel for schedule(static) if (bd->nch > 1) num_threads(bd->nch)
    for (int j = 0; j < bd->nch; j++) {
      const int i0 = bd->coff[bd->chc[j]];
      if (bd->blu[j]) {
        SolveChunkBatch(bd, j, b, x);
        continue;
      }
      SsbSparseLUSolveForward(bd->clu[j], 0, bd->coff[bd->chc[j + 1]] - i0, b + i0 - off);
      for (int k = bd->chc[j + 1] - 1; k >= bd->chc[j]; k--) {
        SsbSparseLUSolveBackward(bd->clu[j], bd->coff[k] - i0, bd->coff[k + 1] - i0, x + i0 - off);
        Contribution(bd, k, x + bd->coff[k] - off);
      }
    }
  } else if (bd->mode == 1) {
#pragma omp parallel for schedule(static) reduction(| \
                                                    : bad) if (bd->c1 - bd->c0 > 1)
    for (int k = bd->c0; k < bd->c1; k++) {
      Block        *bk = &bd->blk[k];
      double       *z  = x + bd->coff[k] - off;
      const double *bz = b + bd->coff[k] - off;
      if (z != bz) memcpy(z, bz, sizeof(double) * (size_t)bk->n);
      if (!klu_tsolve(bk->sym, bk->num, bk->n, 1, z, &bk->com)) {
        bad = 1;
        continue;
      }
      Contribution(bd, k, z);
    }
  }
  /* the border: S x_B = b_B - sum_k C_k z_k, the cells in stack order, solved on every rank from
     the gathered contributions (and the last rank's b_B): the same numbers everywhere, one
     collective (a gather to the last rank and a broadcast of x_B before) */
  double       *xb = bd->xb;
  const double *bB = b + bd->b0 - off;
  if (bd->size > 1) {
    bd->R[RFlag(bd, bd->rank)] = bad;
    if (bd->rank == bd->last) memcpy(bd->R + RFlag(bd, bd->last) + 1, bB, sizeof(double) * (size_t)bd->nb);
    if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, bd->R, bd->rcnt, bd->rdsp, MPI_DOUBLE, bd->comm)) return -1;
    for (int r = 0; r < bd->size; r++) bad |= bd->R[RFlag(bd, r)] != 0;
    bB = bd->R + RFlag(bd, bd->last) + 1;
  }
  memcpy(xb, bB, sizeof(double) * (size_t)bd->nb);
  for (int k = 0; k < bd->N; k++) {
    const double *R  = bd->R + bd->roff[k] + bd->owner[k];
    const int     e0 = bd->roff[k], ne = bd->roff[k + 1] - e0;
    for (int e = 0; e < ne; e++) xb[bd->Rrow[e0 + e]] -= R[e];
  }
  if (!bad && !klu_tsolve(bd->Ssym, bd->Snum, bd->nb, 1, xb, &bd->Scom)) bad = 1;
  if (bd->rank == bd->last) memcpy(x + bd->b0 - off, xb, sizeof(double) * (size_t)bd->nb);
#pragma omp parallel for schedule(static) if (bd->c1 - bd->c0 > 1)
  for (int k = bd->c0; k < bd->c1; k++) {
    const Block *bk = &bd->blk[k];
    double      *z  = x + bd->coff[k] - off;
    double       v[SSB_BORDERED_MAXCOLS];
    for (int e = 0; e < bk->me; e++) v[e] = 0;
    for (int q = 0; q < bk->m; q++) v[bk->es[q]] += bk->ew[q] * xb[bk->bcol[q]];
    const double *w0 = bk->W, *w1 = bk->W + bk->n;
    int           e = 0;
    for (; e + 1 < bk->me; e += 2, w0 += 2 * (size_t)bk->n, w1 += 2 * (size_t)bk->n) /* two columns per pass over z */
      for (int i = 0; i < bk->n; i++) z[i] -= w0[i] * v[e] + w1[i] * v[e + 1];
    if (e < bk->me)
      for (int i = 0; i < bk->n; i++) z[i] -= w0[i] * v[e];
  }
  return bad;
}

long SsbBorderedFactorEntries(SsbBordered bd)
{
  long e = 0;
  for (int k = bd->c0; k < bd->c1; k++)
    if (bd->blk[k].num) e += bd->blk[k].num->lnz + bd->blk[k].num->unz + bd->blk[k].n + (long)bd->blk[k].n * bd->blk[k].me;
  if (bd->Snum) e += bd->Snum->lnz + bd->Snum->unz + bd->nb;
  return e;
}

void SsbBorderedChunks(SsbBordered bd, int *batched, int *chunks)
{
  *batched = 0;
  for (int j = 0; j < bd->nch; j++) *batched += bd->blu[j] != NULL;
  *chunks = bd->nch;
}

PetscErrorCode SsbBorderedDestroy(SsbBordered *pbd)
{
  SsbBordered bd = *pbd;
  PetscFunctionBeginUser;
  if (!bd) PetscFunctionReturn(PETSC_SUCCESS);
  for (int k = 0; k < bd->N; k++) {
    Block *b = &bd->blk[k];
    if (b->num) klu_free_numeric(&b->num, &b->com);
    if (b->sym) klu_free_symbolic(&b->sym, &b->com);
    free(b->ap);
    free(b->ai);
    PetscCall(PetscFree3(b->es, b->ew, b->escale));
    free(b->ax);
    PetscCall(PetscFree4(b->Cr, b->Ccol, b->Cpos, b->Cval));
    PetscCall(PetscFree3(b->Brow, b->Bpos, b->Bq));
    PetscCall(PetscFree(b->W));
    PetscCall(PetscFree(b->bcol));
  }
  if (bd->Snum) klu_free_numeric(&bd->Snum, &bd->Scom);
  if (bd->Ssym) klu_free_symbolic(&bd->Ssym, &bd->Scom);
  for (int j = 0; j < bd->nch; j++) {
    PetscCall(SsbSparseLUDestroy(&bd->clu[j]));
    PetscCall(SsbSparseLUBatchDestroy(&bd->blu[j]));
    PetscCall(PetscFree(bd->bt[j]));
  }
  PetscCall(PetscFree4(bd->chc, bd->clu, bd->blu, bd->bt));
  PetscCall(PetscFree3(bd->ri, bd->rj, bd->rv));
  PetscCall(PetscFree2(bd->rb, bd->rx));
  PetscCall(PetscFree(bd->blk));
  PetscCall(PetscFree(bd->coff));
  PetscCall(PetscFree3(bd->rc0, bd->rc1, bd->owner));
  PetscCall(PetscFree2(bd->Dpos, bd->Dspos));
  PetscCall(PetscFree(bd->roff));
  PetscCall(PetscFree(bd->crow));
  PetscCall(PetscFree(bd->eoff));
  PetscCall(PetscFree2(bd->sp, bd->sj));
  PetscCall(PetscFree(bd->sv));
  PetscCall(PetscFree3(bd->Epos, bd->E, bd->R));
  PetscCall(PetscFree4(bd->ecnt, bd->edsp, bd->rcnt, bd->rdsp));
  PetscCall(PetscFree(bd->xb));
  PetscCall(PetscFree(bd));
  *pbd = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}
