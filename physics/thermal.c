/* thermal.c -- finite-volume heat conduction through the layers of a stack (ssb_thermal.h).

   Face conductances: interior faces 1/(w_l/(2 k_l) + w_r/(2 k_r)); a convective end 1/(w/(2k) + 1/h)
   to the ambient; a fixed-temperature end 1/(w/(2k)) to the wall; an adiabatic end 0. Each face flux
   is computed once and added to both neighbours, so the heat balance closes to round-off: the
   stored heat changes by the sources minus what leaves through the ends and the sides. */
#include <ssbsim/ssb_thermal.h>

PetscErrorCode SsbHeatModelCreate(int nlayers, const SsbThermalLayer *layers, const SsbThermalBC bc[2], double side_hPA, double side_T, SsbHeatModel **tmm)
{
  SsbHeatModel *tm;
  int           n = 0;
  PetscFunctionBeginUser;
  for (int l = 0; l < nlayers; l++) {
    PetscCheck(layers[l].ncells >= 1 && layers[l].thickness > 0 && layers[l].k > 0 && layers[l].rho_cp > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "thermal layer %d: thickness, conductivity, heat capacity and cell count must be positive", l);
    n += layers[l].ncells;
  }
  PetscCall(PetscCalloc1(1, &tm));
  tm->n = n;
  PetscCall(PetscMalloc6(n + 1, &tm->z, n, &tm->w, n, &tm->k, n, &tm->rho_cp, n, &tm->layer, n + 1, &tm->G));
  tm->z[0] = 0;
  for (int l = 0, i = 0; l < nlayers; l++) {
    for (int j = 0; j < layers[l].ncells; j++, i++) {
      tm->w[i]      = layers[l].thickness / layers[l].ncells;
      tm->k[i]      = layers[l].k;
      tm->rho_cp[i] = layers[l].rho_cp;
      tm->layer[i]  = l;
      tm->z[i + 1]  = tm->z[i] + tm->w[i];
    }
  }
  for (int i = 1; i < n; i++) tm->G[i] = 1.0 / (0.5 * tm->w[i - 1] / tm->k[i - 1] + 0.5 * tm->w[i] / tm->k[i]);
  for (int e = 0; e < 2; e++) {
    int    i    = e == 0 ? 0 : n - 1;
    double half = 0.5 * tm->w[i] / tm->k[i];
    tm->bc[e]   = bc[e];
    switch (bc[e].type) {
    case SSB_THERMAL_BC_CONVECTIVE:
      PetscCheck(bc[e].h >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "a convective boundary needs h >= 0");
      tm->G[e == 0 ? 0 : n] = bc[e].h > 0 ? 1.0 / (half + 1.0 / bc[e].h) : 0.0; /* h = 0: no exchange, as at an adiabatic end */
      break;
    case SSB_THERMAL_BC_FIXED:
      tm->G[e == 0 ? 0 : n] = 1.0 / half;
      break;
    case SSB_THERMAL_BC_ADIABATIC:
      tm->G[e == 0 ? 0 : n] = 0;
      tm->bc[e].temperature = 0; /* unused: G = 0 (an unset ambient, NaN, would make 0 x NaN = NaN) */
      break;
    }
  }
  tm->side_hPA = side_hPA;
  tm->side_T   = side_hPA > 0 ? side_T : 0; /* no side loss: the ambient is unset (NaN) and unused */
  *tmm         = tm;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbHeatModelDestroy(SsbHeatModel **tm)
{
  PetscFunctionBeginUser;
  if (!*tm) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree6((*tm)->z, (*tm)->w, (*tm)->k, (*tm)->rho_cp, (*tm)->layer, (*tm)->G));
  PetscCall(PetscFree(*tm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SsbHeatResidual(const SsbHeatModel *tm, const double *T, const double *Tdot, const double *q, double *R)
{
  const int n  = tm->n;
  double    Hl = tm->G[0] * (tm->bc[0].temperature - T[0]); /* into cell 0 from below (+z) */
  for (int i = 0; i < n; i++) {
    double Hr = i + 1 < n ? tm->G[i + 1] * (T[i] - T[i + 1]) : tm->G[n] * (T[n - 1] - tm->bc[1].temperature);
    R[i]      = tm->rho_cp[i] * tm->w[i] * Tdot[i] + Hr - Hl - q[i] * tm->w[i] + tm->w[i] * tm->side_hPA * (T[i] - tm->side_T);
    Hl        = Hr;
  }
}

void SsbHeatJacobian(const SsbHeatModel *tm, double cj, double *lower, double *diag, double *upper)
{
  const int n = tm->n;
  for (int i = 0; i < n; i++) {
    lower[i] = i > 0 ? -tm->G[i] : 0.0;
    upper[i] = i + 1 < n ? -tm->G[i + 1] : 0.0;
    diag[i]  = cj * tm->rho_cp[i] * tm->w[i] + tm->G[i] + tm->G[i + 1] + tm->w[i] * tm->side_hPA;
  }
}

void SsbHeatBoundaryFlux(const SsbHeatModel *tm, const double *T, double out[2])
{
  out[0] = tm->G[0] * (T[0] - tm->bc[0].temperature);
  out[1] = tm->G[tm->n] * (T[tm->n - 1] - tm->bc[1].temperature);
}
