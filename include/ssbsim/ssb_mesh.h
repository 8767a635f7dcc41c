/* ssb_mesh.h -- one-dimensional finite-volume grids.

   A grid of n cells is given by its n + 1 face coordinates; cell centres are the face midpoints (in
   x) or the volume-weighted radii (spheres, not used by the discretisation, which works with faces
   and centres defined as face midpoints). All lengths in m. */
#pragma once
#include <ssbsim/ssb.h>

typedef struct {
  int     n;      /* cells */
  double *face;   /* n + 1 face coordinates, face[0] = start, face[n] = end */
  double *centre; /* n centres (face midpoints) */
  double *width;  /* n widths */
} SsbGrid;

/* Uniform grid of n cells on [a, b]. */
PetscErrorCode SsbGridCreateUniform(int n, double a, double b, SsbGrid *g);
/* Geometric grid of n cells on [a, b] whose widths shrink toward b by the constant ratio q (< 1:
   finer at b; q = 1: uniform): width_k = w0 q^k. */
PetscErrorCode SsbGridCreateGeometric(int n, double a, double b, double q, SsbGrid *g);
PetscErrorCode SsbGridDestroy(SsbGrid *g);
