/* ssb_cell.h -- the pseudo-2D finite-volume model of one solid-state cell (model.md sections 1-4).

   Negative: lithium_metal (a planar Butler-Volmer interface with a Li inventory state).
   Separator: single-ion solid electrolyte, Ohm's law.
   Positive: composite (active particles + SSE + conductive additive): phi_e, phi_s along x, the
   reaction current density i_n = F j at each x node (an algebraic unknown: it closes the implicit
   relation between flux and surface concentration) and c_s in N_r spherical shells per node.

   Unknowns of a cell, in order (the "unknown map"; names are those of the results file):
     phi_if  electrolyte potential at the Li-metal face (V)
     h_li    Li-metal thickness (m, differential)
     per electrolyte node k (separator, then positive electrode):
       phi_e (V); positive nodes also phi_s (V), i_n (A/m^2 of particle surface, + anodic), c_s[N_r] (mol/m^3, differential)
     V       cell voltage = phi_s at the positive collector (V; phi_s at the negative collector is 0)
   The stack current density I (A/m^2, + discharge) is not a cell unknown: it is passed in, and its
   Jacobian column is SSB_COL_CURRENT.

   Residual rows (per unit electrode area unless said): charge balance of every electrolyte and
   solid cell (A/m^2), the Butler-Volmer closure of every i_n (A/m^2), the Li-face balance (A/m^2),
   shell balances (mol/(m^3 s)), dh/dt + (M/(rho F)) i_Li (m/s), and V: sigma_eff (phi_s,N - V)/(dx/2)
   - I (A/m^2). The discretisation is conservative: fluxes are computed once per face. */
#pragma once
#include <ssbsim/ssb_case.h>
#include <ssbsim/ssb_mesh.h>

#define SSB_COL_CURRENT (-1)

/* Jacobian sink: add v to entry (row, col) of the cell block (local indices; col may be
   SSB_COL_CURRENT). */
typedef void (*SsbJacSink)(void *ctx, int row, int col, double v);

typedef enum { SSB_VAR_POTENTIAL = 0,
               SSB_VAR_CONCENTRATION,
               SSB_VAR_REACTION,
               SSB_VAR_THICKNESS } SsbVarType;

typedef struct {
  /* unknown map */
  int  nvar;
  int  i_phi_if, i_h, i_V;
  int  nsep, npos, ne, nr;
  int *off; /* [ne] first unknown (phi_e) of electrolyte node k; positive nodes: +1 phi_s, +2 i_n, +3.. c_s */
  /* grids */
  SsbGrid x;                 /* electrolyte nodes over separator + positive, x from the Li face */
  SsbGrid r;                 /* particle shells on [0, R_p] */
  double *G;                 /* [ne + 1] ionic face conductances (S/m^2); G[0]: Li face to node 0; G[ne] = 0 (collector) */
  double *rA;                /* [nr + 1] face r^2 (m^2) */
  double *rd;                /* [nr] centre distance r_{i+1} - r_i (m), rd[nr-1] unused */
  double *rV;                /* [nr] shell volume / 4 pi (m^3) */
  double  sw_N, sw_N1, sw_g; /* surface reconstruction: c_surf = sw_N c_N + sw_N1 c_N-1 + sw_g dc/dr|_R */
  /* positive composite */
  double  a_s;       /* specific surface area (1/m) */
  double  sigma_eff; /* S/m */
  double  kappa_pos; /* effective ionic conductivity in the positive (S/m) */
  double  c_max, k0; /* k0 = F k c_e^a Arrhenius: i0 = k0 (c_max - c)^a c^(1-a) */
  double  alpha_pos;
  double  D_arr;     /* Arrhenius factor of D_s */
  SsbFunc ocp, diff; /* set up at T, of x = c/c_max (own copies) */
  double  dx_pos;    /* uniform positive node width */
  double  x0_pos;    /* initial stoichiometry */
  double  x_charged, x_discharged;
  double  eps_active, L_pos;
  /* separator */
  double kappa_sep;
  /* Li metal */
  double i0_li, alpha_li, Vm_li; /* A/m^2, 1, m^3/mol */
  double h0_li;                  /* initial thickness (m) */
  double T, f;                   /* K, F/(R T) */
  double capacity;               /* theoretical cell capacity, C/m^2, positive electrode between x_charged and x_discharged */
} SsbCellModel;

PetscErrorCode SsbCellModelCreate(const SsbCase *c, SsbCellModel **m);
PetscErrorCode SsbCellModelDestroy(SsbCellModel **m);
/* Type of every unknown (for tolerances and the differential/algebraic id). */
PetscErrorCode SsbCellVarTypes(const SsbCellModel *m, SsbVarType *type, int *differential);
/* Rest state at the initial stoichiometry: every potential consistent at I = 0. */
void SsbCellInitialState(const SsbCellModel *m, double *y, double *yp);
/* Overwrite the algebraic unknowns of y with the open-circuit guess from its particle states (zero
   reaction currents, uniform potentials at the mean surface OCP): the starting point of the
   consistent-initialisation Newton iteration of a rest step. */
void SsbCellRestGuess(const SsbCellModel *m, double *y);
/* Residual F(y, y', I). Returns 0, or 1 when the state is inadmissible (surface stoichiometry
   outside (0, 1)): a recoverable error for IDA. */
int SsbCellResidual(const SsbCellModel *m, const double *y, const double *yp, double Icur, double *F);
/* Shell balances of one particle: R_i = dc_i/dt + (N(i+1/2) - N(i-1/2))/V_i with the surface flux
   N(R) = R^2 in/F (in: reaction current density, + anodic = Li leaving). */
void SsbParticleResidual(const SsbCellModel *m, const double *c, const double *cdot, double in, double *R);
/* Jacobian dF/dy + cj dF/dy' entries through sink; inserts the full pattern even where a value is 0. */
int SsbCellJacobian(const SsbCellModel *m, double cj, const double *y, const double *yp, double Icur, SsbJacSink sink, void *ctx);

/* Derived quantities of a state. */
typedef struct {
  double voltage; /* V */
  double soc;     /* from the positive electrode's mean stoichiometry */
  double x_mean;  /* mean stoichiometry of the positive */
  double li_pos;  /* Li in the positive electrode, mol/m^2 */
  double heat;    /* irreversible heat generation rate, W/m^2 (ohmic + reaction) */
  double ocv;     /* open-circuit voltage at the mean stoichiometry (V) */
} SsbCellDiag;
void SsbCellDiagnostics(const SsbCellModel *m, const double *y, double Icur, SsbCellDiag *d);
/* Surface concentration of a particle with shells c[] and reaction current density in (A/m^2, +
   anodic), and its derivatives (may be NULL). */
double SsbParticleSurface(const SsbCellModel *m, const double *c, double in, double *dcs_dN, double *dcs_dN1, double *dcs_din);
/* Surface concentration at positive node k. */
double SsbCellSurfaceConcentration(const SsbCellModel *m, const double *y, int k);
/* Butler-Volmer: in = i0 (exp(a f eta) - exp(-(1-a) f eta)); *dd_eta = d in / d eta. */
static inline double SsbButlerVolmer(double i0, double a, double f, double eta, double *d_eta)
{
  double e1 = exp(a * f * eta), e2 = a == 0.5 ? 1.0 / e1 : exp(-(1 - a) * f * eta);
  if (d_eta) *d_eta = i0 * f * (a * e1 + (1 - a) * e2);
  return i0 * (e1 - e2);
}
