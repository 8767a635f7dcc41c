/* sparselu.c -- a small sparse LU without pivoting (see sparselu.h). */
#include "sparselu.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>

struct SsbSparseLU_ {
  PetscInt  n;
  PetscInt *perm;           /* [n] new index -> old index */
  PetscInt *ia, *acol;      /* [n + 1], [nnz]: A's row pointers, each entry's column in the new numbering */
  PetscInt *Lp, *Lj;        /* strictly lower factor, row i: [Lp[i], Lp[i + 1]), ascending columns */
  PetscInt *Up, *Uj;        /* strictly upper factor, the same */
  double   *Lx, *Ux, *dinv; /* values; dinv: the inverted pivots */
  double   *w;              /* [n] a dense row (factor) or the permuted vector (solve) */
};

/* append v to the growing array *a (capacity *cap) at position k */
static PetscErrorCode Push(PetscInt **a, size_t *cap, size_t k, PetscInt v)
{
  PetscFunctionBeginUser;
  if (k >= *cap) {
    size_t    nc = *cap ? 2 * *cap : 64;
    PetscInt *na = (PetscInt *)realloc(*a, nc * sizeof(PetscInt));
    PetscCheck(na, PETSC_COMM_SELF, PETSC_ERR_MEM, "sparse LU: out of memory");
    *a   = na;
    *cap = nc;
  }
  (*a)[k] = v;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSparseLUCreate(PetscInt n, const PetscInt *ia, const PetscInt *ja, const PetscInt *perm, SsbSparseLU *out)
{
  SsbSparseLU lu;
  PetscInt   *iperm, *next, *mark, *cols;
  size_t      lcap = 0, ucap = 0, nl = 0, nu = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscNew(&lu));
  lu->n = n;
  PetscCall(PetscMalloc5(n, &lu->perm, n + 1, &lu->ia, ia[n], &lu->acol, n + 1, &lu->Lp, n + 1, &lu->Up));
  PetscCall(PetscMalloc4(n, &iperm, n, &next, n, &mark, n, &cols));
  for (PetscInt i = 0; i < n; i++) {
    lu->perm[i]    = perm[i];
    iperm[perm[i]] = i;
    mark[i]        = -1;
  }
  for (PetscInt i = 0; i <= n; i++) lu->ia[i] = ia[i];
  for (PetscInt e = 0; e < ia[n]; e++) lu->acol[e] = iperm[ja[e]];
  /* symbolic factorisation, row by row: the row's pattern (with the diagonal) as a sorted linked
     list, merged with the upper pattern of every row k < i in it (in increasing k; a column added
     by row k is > k, so it is visited later if it is < i) */
  lu->Lp[0] = lu->Up[0] = 0;
  for (PetscInt i = 0; i < n; i++) {
    const PetscInt r = perm[i];
    PetscInt       m = 0, head;
    cols[m++]        = i;
    mark[i]          = i;
    for (PetscInt e = ia[r]; e < ia[r + 1]; e++) {
      const PetscInt c = lu->acol[e];
      if (mark[c] == i) continue;
      mark[c]   = i;
      cols[m++] = c;
    }
    PetscCall(PetscSortInt(m, cols));
    head = cols[0];
    for (PetscInt q = 0; q < m; q++) next[cols[q]] = q + 1 < m ? cols[q + 1] : -1;
    for (PetscInt k = head; k >= 0 && k < i; k = next[k]) {
      PetscInt prev = k; /* the upper pattern of row k is ascending: the insertion point only moves on */
      for (PetscInt p = lu->Up[k]; p < lu->Up[k + 1]; p++) {
        const PetscInt j = lu->Uj[p];
        if (mark[j] == i) continue;
        mark[j] = i;
        while (next[prev] >= 0 && next[prev] < j) prev = next[prev];
        next[j]    = next[prev];
        next[prev] = j;
        prev       = j;
      }
    }
    for (PetscInt c = head; c >= 0; c = next[c]) {
      if (c < i)
        PetscCall(Push(&lu->Lj, &lcap, nl++, c));
      else if (c > i)
        PetscCall(Push(&lu->Uj, &ucap, nu++, c));
    }
    lu->Lp[i + 1] = (PetscInt)nl;
    lu->Up[i + 1] = (PetscInt)nu;
  }
  PetscCall(PetscFree4(iperm, next, mark, cols));
  PetscCall(PetscMalloc4(nl + 1, &lu->Lx, nu + 1, &lu->Ux, n, &lu->dinv, n, &lu->w));
  *out = lu;
  PetscFunctionReturn(PETSC_SUCCESS);
}

int SsbSparseLUFactor(SsbSparseLU lu, const double *a)
{
  const PetscInt n = lu->n, *Lp = lu->Lp, *Lj = lu->Lj, *Up = lu->Up, *Uj = lu->Uj, *acol = lu->acol;
  double        *w = lu->w, *Lx = lu->Lx, *Ux = lu->Ux, *dinv = lu->dinv;
  const double   zeropivot = 100.0 * DBL_EPSILON; /* PETSc's PCFactor default */
  for (PetscInt i = 0; i < n; i++) {
    const PetscInt r = lu->perm[i];
    w[i]             = 0;
    for (PetscInt p = Lp[i]; p < Lp[i + 1]; p++) w[Lj[p]] = 0;
    for (PetscInt p = Up[i]; p < Up[i + 1]; p++) w[Uj[p]] = 0;
    for (PetscInt e = lu->ia[r]; e < lu->ia[r + 1]; e++) w[acol[e]] = a[e];
    for (PetscInt p = Lp[i]; p < Lp[i + 1]; p++) {
      const PetscInt k = Lj[p];
      if (w[k] != 0.0) {
        const double mlt = w[k] * dinv[k];
        w[k]             = mlt;
        for (PetscInt q = Up[k]; q < Up[k + 1]; q++) w[Uj[q]] -= mlt * Ux[q];
      }
    }
    double rs = 0;
    for (PetscInt p = Lp[i]; p < Lp[i + 1]; p++) {
      Lx[p] = w[Lj[p]];
      rs += fabs(Lx[p]);
    }
    for (PetscInt p = Up[i]; p < Up[i + 1]; p++) {
      Ux[p] = w[Uj[p]];
      rs += fabs(Ux[p]);
    }
    if (fabs(w[i]) <= zeropivot * rs) return 1; /* as PETSc's MatPivotCheck (a NaN passes) */
    dinv[i] = 1.0 / w[i];
  }
  return 0;
}

void SsbSparseLUSolveForward(SsbSparseLU lu, PetscInt i0, PetscInt i1, const double *b)
{
  const PetscInt *Lp = lu->Lp, *Lj = lu->Lj, *perm = lu->perm;
  const double   *Lx = lu->Lx;
  double         *t  = lu->w;
  for (PetscInt i = i0; i < i1; i++) {
    double s = b[perm[i]];
    for (PetscInt p = Lp[i]; p < Lp[i + 1]; p++) s -= Lx[p] * t[Lj[p]];
    t[i] = s;
  }
}

void SsbSparseLUSolveBackward(SsbSparseLU lu, PetscInt i0, PetscInt i1, double *x)
{
  const PetscInt *Up = lu->Up, *Uj = lu->Uj, *perm = lu->perm;
  const double   *Ux = lu->Ux, *dinv = lu->dinv;
  double         *t = lu->w;
  for (PetscInt i = i1 - 1; i >= i0; i--) {
    double s = t[i];
    for (PetscInt p = Up[i]; p < Up[i + 1]; p++) s -= Ux[p] * t[Uj[p]];
    x[perm[i]] = t[i] = s * dinv[i];
  }
}

/* b has been read completely by the forward substitution: x may be b */
void SsbSparseLUSolve(SsbSparseLU lu, const double *b, double *x)
{
  SsbSparseLUSolveForward(lu, 0, lu->n, b);
  SsbSparseLUSolveBackward(lu, 0, lu->n, x);
}

long SsbSparseLUFactorEntries(SsbSparseLU lu) { return (long)lu->Lp[lu->n] + (long)lu->Up[lu->n] + (long)lu->n; }

PetscErrorCode SsbSparseLUDestroy(SsbSparseLU *plu)
{
  SsbSparseLU lu = *plu;
  PetscFunctionBeginUser;
  if (!lu) PetscFunctionReturn(PETSC_SUCCESS);
  free(lu->Lj);
  free(lu->Uj);
  PetscCall(PetscFree5(lu->perm, lu->ia, lu->acol, lu->Lp, lu->Up));
  PetscCall(PetscFree4(lu->Lx, lu->Ux, lu->dinv, lu->w));
  PetscCall(PetscFree(*plu));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---------------- a batch of blocks with one pattern ---------------- */

/* Also compiled for AVX2 (picked at load time): one lane per double of a 256-bit register. No FMA
   (avx2 does not enable it, and -std=c11 turns contraction off): bitwise the scalar arithmetic. */
#include "clones.h"
#define V SSB_LU_LANES

struct SsbSparseLUBatch_ {
  PetscInt  n, ng, nl, nu;
  PetscInt *ia, *acol; /* [n + 1], [nnz]: A's pattern */
  PetscInt *Lp, *Lj;   /* the factors' pattern (SsbSparseLU's in the natural order) */
  PetscInt *Up, *Uj;
  size_t    stride; /* values of one group: Lx [nl V], Ux [nu V], dinv [n V] */
  double   *x;      /* [ng stride] */
  double   *w;      /* [n V] a dense row of every lane */
};

PetscErrorCode SsbSparseLUBatchCreate(PetscInt n, const PetscInt *ia, const PetscInt *ja, PetscInt ng, SsbSparseLUBatch *out)
{
  SsbSparseLUBatch lu;
  SsbSparseLU      one;
  PetscInt        *perm;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n, &perm));
  for (PetscInt i = 0; i < n; i++) perm[i] = i;
  PetscCall(SsbSparseLUCreate(n, ia, ja, perm, &one)); /* the symbolic factorisation of one block */
  PetscCall(PetscFree(perm));
  PetscCall(PetscNew(&lu));
  lu->n  = n;
  lu->ng = ng;
  lu->nl = one->Lp[n];
  lu->nu = one->Up[n];
  PetscCall(PetscMalloc6(n + 1, &lu->ia, ia[n], &lu->acol, n + 1, &lu->Lp, lu->nl + 1, &lu->Lj, n + 1, &lu->Up, lu->nu + 1, &lu->Uj));
  for (PetscInt i = 0; i <= n; i++) {
    lu->ia[i] = ia[i];
    lu->Lp[i] = one->Lp[i];
    lu->Up[i] = one->Up[i];
  }
  for (PetscInt e = 0; e < ia[n]; e++) lu->acol[e] = ja[e];
  for (PetscInt p = 0; p < lu->nl; p++) lu->Lj[p] = one->Lj[p];
  for (PetscInt p = 0; p < lu->nu; p++) lu->Uj[p] = one->Uj[p];
  PetscCall(SsbSparseLUDestroy(&one));
  lu->stride = (size_t)V * (size_t)(lu->nl + lu->nu + n);
  PetscCall(PetscMalloc2(lu->stride * (size_t)PetscMax(ng, 1), &lu->x, (size_t)V * (size_t)PetscMax(n, 1), &lu->w));
  *out = lu;
  PetscFunctionReturn(PETSC_SUCCESS);
}

SSB_CLONES int SsbSparseLUBatchFactor(SsbSparseLUBatch lu, PetscInt g, const double *const a[V])
{
  const PetscInt n = lu->n, *Lp = lu->Lp, *Lj = lu->Lj, *Up = lu->Up, *Uj = lu->Uj, *acol = lu->acol, *ia = lu->ia;
  double        *w = lu->w, *Lx = lu->x + lu->stride * (size_t)g, *Ux = Lx + (size_t)V * lu->nl, *dinv = Ux + (size_t)V * lu->nu;
  const double   zeropivot = 100.0 * DBL_EPSILON;
  for (PetscInt i = 0; i < n; i++) {
    double *wi = w + V * i;
    for (int v = 0; v < V; v++) wi[v] = 0;
    for (PetscInt p = Lp[i]; p < Lp[i + 1]; p++)
      for (int v = 0; v < V; v++) w[V * Lj[p] + v] = 0;
    for (PetscInt p = Up[i]; p < Up[i + 1]; p++)
      for (int v = 0; v < V; v++) w[V * Uj[p] + v] = 0;
    for (PetscInt e = ia[i]; e < ia[i + 1]; e++)
      for (int v = 0; v < V; v++) w[V * acol[e] + v] = a[v][e];
    for (PetscInt p = Lp[i]; p < Lp[i + 1]; p++) {
      const PetscInt k  = Lj[p];
      double        *wk = w + V * k, mlt[V];
      const double  *dk = dinv + V * k;
      int            nz = 0;
      for (int v = 0; v < V; v++) nz += wk[v] != 0.0;
      if (nz == 0) continue; /* the scalar LU skips a zero multiplier: so does every lane */
      for (int v = 0; v < V; v++) mlt[v] = wk[v] * dk[v];
      if (nz == V) {
        for (int v = 0; v < V; v++) wk[v] = mlt[v];
        for (PetscInt q = Up[k]; q < Up[k + 1]; q++) {
          double       *wj = w + V * Uj[q];
          const double *u  = Ux + (size_t)V * q;
#pragma omp simd
          for (int v = 0; v < V; v++) wj[v] -= mlt[v] * u[v];
        }
      } else { /* some lanes skip: they keep their values exactly (not w - 0 u: the sign of a zero, an infinite u) */
        int keep[V];
        for (int v = 0; v < V; v++) keep[v] = wk[v] == 0.0;
        for (int v = 0; v < V; v++) wk[v] = keep[v] ? wk[v] : mlt[v];
        for (PetscInt q = Up[k]; q < Up[k + 1]; q++) {
          double       *wj = w + V * Uj[q];
          const double *u  = Ux + (size_t)V * q;
#pragma omp simd
          for (int v = 0; v < V; v++) wj[v] = keep[v] ? wj[v] : wj[v] - mlt[v] * u[v];
        }
      }
    }
    double rs[V] = {0};
    for (PetscInt p = Lp[i]; p < Lp[i + 1]; p++)
      for (int v = 0; v < V; v++) {
        Lx[V * p + v] = w[V * Lj[p] + v];
        rs[v] += fabs(Lx[V * p + v]);
      }
    for (PetscInt p = Up[i]; p < Up[i + 1]; p++)
      for (int v = 0; v < V; v++) {
        Ux[V * p + v] = w[V * Uj[p] + v];
        rs[v] += fabs(Ux[V * p + v]);
      }
    int bad = 0;
    for (int v = 0; v < V; v++) bad |= fabs(wi[v]) <= zeropivot * rs[v];
    if (bad) return 1;
    for (int v = 0; v < V; v++) dinv[V * i + v] = 1.0 / wi[v];
  }
  return 0;
}

/* The forward substitution reads row i of every lane's b, the backward one writes each lane's x
   beside the interleaved t (a separate gather into t and scatter from it cost 1100 instructions a
   cell in the thermal stack, more than half of the solve's) */
SSB_CLONES void SsbSparseLUBatchSolveLanes(SsbSparseLUBatch lu, PetscInt g, const double *const b[V], double *const x[V], double *t)
{
  const PetscInt n = lu->n, *Lp = lu->Lp, *Lj = lu->Lj, *Up = lu->Up, *Uj = lu->Uj;
  const double  *Lx = lu->x + lu->stride * (size_t)g, *Ux = Lx + (size_t)V * lu->nl, *dinv = Ux + (size_t)V * lu->nu;
  for (PetscInt i = 0; i < n; i++) {
    double s[V];
    for (int v = 0; v < V; v++) s[v] = b[v][i];
    for (PetscInt p = Lp[i]; p < Lp[i + 1]; p++) {
      const double *tk = t + V * Lj[p], *l = Lx + (size_t)V * p;
#pragma omp simd
      for (int v = 0; v < V; v++) s[v] -= l[v] * tk[v];
    }
    for (int v = 0; v < V; v++) t[V * i + v] = s[v];
  }
  for (PetscInt i = n - 1; i >= 0; i--) {
    double s[V];
    for (int v = 0; v < V; v++) s[v] = t[V * i + v];
    for (PetscInt p = Up[i]; p < Up[i + 1]; p++) {
      const double *tk = t + V * Uj[p], *u = Ux + (size_t)V * p;
#pragma omp simd
      for (int v = 0; v < V; v++) s[v] -= u[v] * tk[v];
    }
#pragma omp simd
    for (int v = 0; v < V; v++) s[v] *= dinv[V * i + v];
    for (int v = 0; v < V; v++) t[V * i + v] = s[v];
    for (int v = 0; v < V; v++) x[v][i] = s[v];
  }
}

PetscErrorCode SsbSparseLUBatchDestroy(SsbSparseLUBatch *plu)
{
  SsbSparseLUBatch lu = *plu;
  PetscFunctionBeginUser;
  if (!lu) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree6(lu->ia, lu->acol, lu->Lp, lu->Lj, lu->Up, lu->Uj));
  PetscCall(PetscFree2(lu->x, lu->w));
  PetscCall(PetscFree(*plu));
  PetscFunctionReturn(PETSC_SUCCESS);
}
