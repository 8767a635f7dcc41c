/* grid.c -- uniform and geometrically graded 1D finite-volume grids (ssb_mesh.h). */
#include <ssbsim/ssb_mesh.h>

static PetscErrorCode GridAlloc(int n, SsbGrid *g)
{
  PetscFunctionBeginUser;
  PetscCheck(n >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "a grid needs at least one cell, got %d", n);
  g->n = n;
  PetscCall(PetscMalloc3(n + 1, &g->face, n, &g->centre, n, &g->width));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void GridFinish(SsbGrid *g)
{
  for (int k = 0; k < g->n; k++) {
    g->centre[k] = 0.5 * (g->face[k] + g->face[k + 1]);
    g->width[k]  = g->face[k + 1] - g->face[k];
  }
}

PetscErrorCode SsbGridCreateUniform(int n, double a, double b, SsbGrid *g)
{
  PetscFunctionBeginUser;
  PetscCall(GridAlloc(n, g));
  for (int k = 0; k <= n; k++) g->face[k] = a + (b - a) * k / n;
  g->face[n] = b;
  GridFinish(g);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbGridCreateGeometric(int n, double a, double b, double q, SsbGrid *g)
{
  PetscFunctionBeginUser;
  PetscCheck(q > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "grading ratio must be positive, got %g", q);
  if (q == 1.0)
    PetscCall(SsbGridCreateUniform(n, a, b, g));
  else {
    PetscCall(GridAlloc(n, g));
    double w0 = (b - a) * (1 - q) / (1 - pow(q, n)), w = w0;
    g->face[0] = a;
    for (int k = 0; k < n; k++) {
      g->face[k + 1] = g->face[k] + w;
      w *= q;
    }
    g->face[n] = b;
    GridFinish(g);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbGridDestroy(SsbGrid *g)
{
  PetscFunctionBeginUser;
  if (g->face) PetscCall(PetscFree3(g->face, g->centre, g->width));
  g->n = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}
