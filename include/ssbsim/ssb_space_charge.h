/* ssb_space_charge.h -- the space-charge layer (SCL) of a solid electrolyte next to an interface
   (model.md section 4, issue 4, docs/space-charge.md). The compact mode is coupled into the cell
   model (physics/cell.c) through the kernels at the end of this header; the resolved mode is a
   building block only.

   Model: one mobile species (Li+, charge +1) of bulk concentration c_b against a fixed background
   charge -F c_b, optional lattice saturation with site concentration c_max (theta_b = c_b/c_max),
   permittivity eps = eps_r eps_0, temperature T. In equilibrium (zero flux) the Li+ follow the
   Boltzmann (Fermi-Dirac with saturation) distribution

     c(psi) = c_b e^{-psi} / (1 - theta_b + theta_b e^{-psi}),  psi = F (phi - phi_bulk)/(R T)

   and -eps phi'' = F (c - c_b). Sign conventions (used throughout):
     dphi   potential of the electrolyte at the interface (x = 0) minus the bulk (V); dphi > 0
            depletes Li+ near the interface, dphi < 0 accumulates them.
     sigma  the charge of the layer itself (C/m^2): the integral of F (c - c_b) over the
            electrolyte. The electrode (or coating) carries -sigma, so sigma = eps phi'(0) and
            sigma has the sign opposite to dphi.
     C      differential capacitance -dsigma/d(dphi) > 0 (F/m^2).

   Compact mode: the Poisson-Boltzmann first integral of the semi-infinite layer,
     G(psi) = c_b psi + c_max ln(1 - theta_b + theta_b e^{-psi})   (no saturation: c_b (psi + e^{-psi} - 1)),
     sigma  = -sign(psi) sqrt(2 eps R T G),   C = F sqrt(eps/(2 R T)) |c_b - c(0)| / sqrt(G).
   Resolved mode: the same equilibrium problem on [0, L] solved by finite volumes on a graded mesh.
   Coating: a dielectric buffer (thickness L_c, eps_c, ionic conductivity sigma_c) in series. */
#pragma once
#include <ssbsim/ssb.h>

/* The electrolyte next to the interface. c_max = 0 or INFINITY: no lattice saturation; otherwise
   c_max > c_b. */
typedef struct {
  double eps_r; /* relative permittivity */
  double T;     /* K */
  double c_b;   /* mol/m^3: bulk mobile Li+ = fixed background charge */
  double c_max; /* mol/m^3: Li site concentration (0 or INFINITY: none) */
} SsbSclParams;

/* State of a compact (equilibrium, semi-infinite) layer at one potential step. */
typedef struct {
  double dphi;  /* V, interface minus bulk */
  double psi;   /* F dphi/(R T) */
  double G;     /* mol/m^3, first integral G(psi) >= 0 */
  double sigma; /* C/m^2, charge of the layer (the electrode holds -sigma) */
  double C;     /* F/m^2, -dsigma/d(dphi) */
  double c0;    /* mol/m^3, Li+ at the interface (Frumkin correction of i0: use c0 for c_e) */
  double width; /* m, |sigma|/(F c_b): the depletion width (exact for a fully depleted layer) */
} SsbSclState;

/* Checks the parameters (PETSC_ERR_ARG_OUTOFRANGE). */
PetscErrorCode SsbSclParamsCheck(const SsbSclParams *p);
/* theta_b = c_b/c_max (0 without saturation). */
double SsbSclTheta(const SsbSclParams *p);
/* Debye length sqrt(eps R T/(F^2 c_b)) (m) and the small-signal capacitance eps/lambda_D sqrt(1 - theta_b). */
double SsbSclDebyeLength(const SsbSclParams *p);
double SsbSclCapacitance0(const SsbSclParams *p);
/* Mott-Schottky width sqrt(2 eps (dphi - R T/F)/(F c_b)) (m) of a depleted layer; NaN for psi <= 1. */
double SsbSclMottSchottkyWidth(const SsbSclParams *p, double dphi);

/* Compact layer at the step dphi (V). Valid for |psi| up to ~700 (e^{|psi|} must not overflow). */
PetscErrorCode SsbSclCompactEval(const SsbSclParams *p, double dphi, SsbSclState *st);
/* The inverse: the step dphi (V) that carries the layer charge sigma (C/m^2). Safeguarded Newton
   (bracketed), converged to rounding; PETSC_ERR_ARG_OUTOFRANGE if |psi| would exceed 700. */
PetscErrorCode SsbSclCompactFromCharge(const SsbSclParams *p, double sigma, double *dphi);

/* A dielectric coating (buffer layer) between the electrode and the electrolyte. thickness 0: none. */
typedef struct {
  double thickness;    /* m */
  double eps_r;        /* relative permittivity */
  double conductivity; /* S/m, ionic (for the resistance only) */
} SsbSclCoating;

/* A total equilibrium step dphi_total = phi(electrode side of the coating) - phi(bulk electrolyte)
   split between the coating and the SCL. The coating carries no charge of its own, so the same
   -sigma sits on the electrode and its field -sigma/eps_c drops dphi_coat = -sigma L_c/eps_c =
   -sigma/C_coat across it; dphi_total = dphi_coat + dphi_scl (both of the sign of dphi_total). */
typedef struct {
  double      dphi_scl, dphi_coat; /* V */
  double      sigma;               /* C/m^2, layer charge (electrode: -sigma) */
  double      C_scl, C_coat;       /* F/m^2; C_coat = eps_c/L_c (INFINITY without a coating) */
  double      C_total;             /* F/m^2, 1/(1/C_coat + 1/C_scl) = -dsigma/d(dphi_total) */
  double      R_coat;              /* Ohm m^2, L_c/sigma_c (0 without a coating) */
  SsbSclState scl;                 /* the SCL at dphi_scl */
} SsbSclSplit;

PetscErrorCode SsbSclCoatingSplit(const SsbSclParams *p, const SsbSclCoating *coat, double dphi_total, SsbSclSplit *out);

/* Resolved mode: -eps phi'' = F (c(phi) - c_b) on [0, L], phi(0) = dphi, phi'(L) = 0 (or phi(L) = 0
   with far_dirichlet). Vertex-centred finite volumes on nodes graded geometrically from x = 0 (cell
   i has width h_0 growth^i), Newton with a tridiagonal (Thomas) solve. */
typedef struct {
  double length;        /* m, L (many Debye lengths: >= 20 lambda_D recommended) */
  double growth;        /* >= 1: ratio of neighbouring cell widths */
  int    ncells;        /* > 0: number of cells (h_0 follows); 0: from first */
  double first;         /* m, first cell width when ncells = 0 (a fraction of lambda_D) */
  int    far_dirichlet; /* 0: phi'(L) = 0; 1: phi(L) = 0 */
} SsbSclMeshOptions;

typedef struct {
  int     n;           /* nodes (ncells + 1) */
  double *x, *phi, *c; /* [n]: m, V (minus bulk), mol/m^3 */
  double  sigma_int;   /* C/m^2: the integral of F (c - c_b) over [0, L] (same quadrature as the scheme) */
  double  sigma_field; /* C/m^2: eps phi'(0), from the flux balance of the half cell at x = 0 */
  double  C;           /* F/m^2: -d(sigma_field)/d(dphi), exact derivative of the discrete problem */
  int     newton_its;
  double  first_cell_ratio; /* h_0 over the local Debye length at x = 0, lambda_D min(1, sqrt(c_b/c(0))):
                               an accumulation layer (dphi < 0) without saturation is e^{psi/2} lambda_D
                               thin, and sigma, C are accurate to ~1e-4 only for ratios ~0.02 */
} SsbSclProfile;

PetscErrorCode SsbSclResolvedSolve(const SsbSclParams *p, double dphi, const SsbSclMeshOptions *opt, SsbSclProfile *prof);
PetscErrorCode SsbSclProfileDestroy(SsbSclProfile *prof);
/* The differential capacitance -d(eps phi'(0))/d(phi(0)) of the equilibrium layer at a given
   potential profile, in units of eps/lambda_D: the exact derivative of the discrete problem of
   SsbSclResolvedSolve (phi(L) = 0) on the nodes x[0..N] (m; lam the Debye length), phi[i stride] the
   potential (V, minus the bulk) of node i < N (phi_N = 0), f = F/(R T). Allocation-free. */
double SsbSclDiscreteCapacitance(double theta, int N, const double *x, double lam, const double *phi, int stride, double f);

/* Kernels of the compact mode coupled into the cell model (physics/cell.c): pure, no checks, no
   allocation in the evaluation. Dimensionless: t = s(psi) = -sigma/(F c_b lambda_D), the
   electrode's charge in units of F c_b lambda_D. */
/* c(0)/c_b = 1/(theta + (1 - theta) e^psi): the Frumkin factor of the interface concentration. */
double SsbSclCrel(double theta, double psi);
/* psi with s(psi) = t (safeguarded Newton, to rounding), and s'(psi) (C = (eps/lambda_D) s'). */
double SsbSclPsiFromS(double theta, double t, double *ds);
/* k(psi) = (c_b/c - 1)/s(psi) > 0: the layer's excess resistance R_scl = (lambda_D/kappa_b) J(psi),
   J(psi) = int_0^psi k, is the integral of (1/kappa(x) - 1/kappa_b) over the layer with kappa(x) =
   kappa_b c(x)/c_b (the dc resistance of an equilibrium layer with one mobile carrier). */
double SsbSclResistanceIntegrand(double theta, double psi);
/* J(psi) tabulated once per theta: cubic Hermite with the exact slopes k on a uniform grid (step
   0.02 on [-50, 80], 3-point Gauss-Legendre per interval; relative error < 1e-8); linear with the end
   slope outside (|dphi| beyond 1.3-2 V). */
typedef struct {
  double  theta, lo, h, ih;
  int     m;
  double *J, *k; /* [m + 1] */
} SsbSclRTable;
PetscErrorCode SsbSclRTableCreate(double theta, SsbSclRTable *t);
PetscErrorCode SsbSclRTableDestroy(SsbSclRTable *t);
/* The table of theta shared by every caller in the process (reference counted; not thread-safe:
   call during setup). */
PetscErrorCode SsbSclRTableShared(double theta, const SsbSclRTable **t);
PetscErrorCode SsbSclRTableSharedRelease(const SsbSclRTable **t);
double         SsbSclRTableEval(const SsbSclRTable *t, double psi, double *dJ);
/* Reference value of the excess resistance (ohm m^2) at the step dphi, by composite Gauss-Legendre
   quadrature (for tests and the docs); kappa_b in S/m. */
PetscErrorCode SsbSclExcessResistance(const SsbSclParams *p, double kappa, double dphi, double *R);
