/* solve_check.h -- shared by the linear-solver tests (test_bordered.c, test_sparselu.c): the backward
   errors of a solution x of J x = b, and its distance from a reference PETSc LU solution. */
#ifndef SSB_TEST_SOLVE_CHECK_H
#define SSB_TEST_SOLVE_CHECK_H
#include <petscksp.h>

typedef struct {
  double normwise;      /* |J x - b|_inf / (|J|_inf |x|_inf + |b|_inf) */
  double componentwise; /* max_i |J x - b|_i / (|J| |x| + |b|)_i (Oettli-Prager) */
  double vs_reference;  /* |J (x - x_ref)|_inf / (|J|_inf |x|_inf) */
} SolveCheck;

/* x_ref from PETSc's LU (KSPPREONLY + PCLU) with the given solver package (NULL: PETSc's own) and
   ordering (NULL: the package's default). Returns 0 on success. */
static PetscErrorCode SolveCheckCompute(Mat J, long n, const double *x, const double *b, MatSolverType package, MatOrderingType ordering, SolveCheck *out)
{
  Vec     vx, vr, vb, vx2;
  KSP     ksp;
  PC      pc;
  double *r, *x2, Jn, xn = 0, bn = 0, rn = 0, dn = 0, cw = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n, &r, n, &x2));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)n, x, &vx));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)n, r, &vr));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)n, b, &vb));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)n, x2, &vx2));
  PetscCall(MatMult(J, vx, vr));
  PetscCall(MatNorm(J, NORM_INFINITY, &Jn));
  for (long i = 0; i < n; i++) {
    PetscInt           nc;
    const PetscInt    *cols;
    const PetscScalar *vals;
    double             den = fabs(b[i]);
    PetscCall(MatGetRow(J, (PetscInt)i, &nc, &cols, &vals));
    for (PetscInt q = 0; q < nc; q++) den += fabs(vals[q]) * fabs(x[cols[q]]);
    PetscCall(MatRestoreRow(J, (PetscInt)i, &nc, &cols, &vals));
    cw = PetscMax(cw, fabs(r[i] - b[i]) / den);
    rn = PetscMax(rn, fabs(r[i] - b[i]));
    xn = PetscMax(xn, fabs(x[i]));
    bn = PetscMax(bn, fabs(b[i]));
  }
  PetscCall(KSPCreate(PETSC_COMM_SELF, &ksp));
  PetscCall(KSPSetType(ksp, KSPPREONLY));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCLU));
  if (package) PetscCall(PCFactorSetMatSolverType(pc, package));
  if (ordering) PetscCall(PCFactorSetMatOrderingType(pc, ordering));
  PetscCall(KSPSetOperators(ksp, J, J));
  PetscCall(KSPSolve(ksp, vb, vx2));
  for (long i = 0; i < n; i++) x2[i] -= x[i];
  PetscCall(MatMult(J, vx2, vr));
  for (long i = 0; i < n; i++) dn = PetscMax(dn, fabs(r[i]));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&vx));
  PetscCall(VecDestroy(&vr));
  PetscCall(VecDestroy(&vb));
  PetscCall(VecDestroy(&vx2));
  PetscCall(PetscFree2(r, x2));
  out->normwise      = rn / (Jn * xn + bn);
  out->componentwise = cw;
  out->vs_reference  = dn / (Jn * xn);
  PetscFunctionReturn(PETSC_SUCCESS);
}
#endif
