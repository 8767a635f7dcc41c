/* ssb_thermal.h -- one-dimensional heat conduction through the layers of a stack (model.md section 5).

     rho c_p dT/dt = d/dz (k dT/dz) + q - (h_side P/A) (T - T_amb,side)

   Finite volumes along z: every layer (end plate, collector, electrode, separator, bipolar plate, ...)
   is split into cells; heat flux between neighbouring cells through the harmonic combination of
   their half-cell conductances (exact at layer interfaces for piecewise-linear profiles); at each
   stack end a convective (h, T_amb), fixed-temperature or adiabatic condition, applied through the
   end half cell. Unknowns: the cell temperatures (K). Residual rows in W/m^2 per cell:

     R_i = rho c_p w_i dT_i/dt + H_{i+1/2} - H_{i-1/2} - q_i w_i + w_i (h_side P/A) (T_i - T_amb,side)

   with H the heat flux in +z. Sources q_i (W/m^3) are given by the caller. */
#pragma once
#include <ssbsim/ssb.h>

typedef enum { SSB_THERMAL_BC_CONVECTIVE = 0,
               SSB_THERMAL_BC_FIXED,
               SSB_THERMAL_BC_ADIABATIC } SsbThermalBCType;

typedef struct {
  SsbThermalBCType type;
  double           h;           /* W/(m^2 K), convective */
  double           temperature; /* K: ambient (convective) or wall (fixed) */
} SsbThermalBC;

/* One layer: thickness (m), conductivity (W/(m K)), volumetric heat capacity rho c_p (J/(m^3 K)), cells. */
typedef struct {
  double thickness, k, rho_cp;
  int    ncells;
} SsbThermalLayer;

typedef struct {
  int          n;              /* cells */
  double      *z;              /* [n + 1] faces from the bottom (first layer) */
  double      *w, *k, *rho_cp; /* [n] widths, conductivities, heat capacities */
  int         *layer;          /* [n] layer of each cell */
  double      *G;              /* [n + 1] face conductances W/(m^2 K); G[0], G[n]: to the boundary (0: adiabatic) */
  SsbThermalBC bc[2];          /* bottom (z = 0), top */
  double       side_hPA;       /* lateral loss h_side P/A (W/(m^3 K)), 0: none */
  double       side_T;         /* K */
} SsbHeatModel;

PetscErrorCode SsbHeatModelCreate(int nlayers, const SsbThermalLayer *layers, const SsbThermalBC bc[2], double side_hPA, double side_T, SsbHeatModel **tm);
PetscErrorCode SsbHeatModelDestroy(SsbHeatModel **tm);
/* Residual of the n cell temperatures T with rates Tdot and sources q (W/m^3, per cell). */
void SsbHeatResidual(const SsbHeatModel *tm, const double *T, const double *Tdot, const double *q, double *R);
/* Jacobian dR/dT + cj dR/dTdot as a tridiagonal: lower[i] = dR_i/dT_{i-1}, diag[i], upper[i] = dR_i/dT_{i+1}. */
void SsbHeatJacobian(const SsbHeatModel *tm, double cj, double *lower, double *diag, double *upper);
/* Heat leaving through the bottom and top boundaries (W/m^2) at temperatures T. */
void SsbHeatBoundaryFlux(const SsbHeatModel *tm, const double *T, double out[2]);
