/* ssb_cell.h -- the pseudo-2D finite-volume model of one solid-state cell (model.md sections 1-4).

   Along x, from the negative collector: negative electrode | separator | positive electrode. Each
   electrode is one of
     lithium_metal  a planar Butler-Volmer interface at the separator face, with its Li inventory h
                    (thickness) as a state; 0 = anode-free (Li plates on the collector)
     composite      active particles + solid electrolyte + conductive additive: phi_e, phi_s along x,
                    the reaction current density i_n = F j at every node (an algebraic unknown: it
                    closes the implicit relation between flux and surface concentration) and c_s in
                    N_r spherical shells per node
     dense          active material only (thin film, diffusion-dependent electrode): c_s along x
                    through the electrode, electrons by Ohm's law (exactly linear: no unknowns),
                    reaction only at the separator face
   The electrolyte (single-ion: phi_e only) spans the composite electrodes and the separator. Planar
   electrodes (lithium_metal, dense) meet it at a face with its own potential phi_if.

   Unknowns of a cell, in order (the unknown map):
     negative side block   lithium_metal: phi_if, i_n, h [, u_dl] [, c_if];   dense: phi_if, i_n, c[N_d] [, u_dl] [, c_if]
     electrolyte nodes     phi_e [, c_e]; composite nodes also phi_s, i_n, c_s[N_r] [, u_dl] [, Q]
     positive side block   as the negative (planar sides with a compact space-charge layer: Q after u_dl;
                           with a resolved one: c_0, phi_0, ..., c_{n-1}, phi_{n-1}, u_b after u_dl)
     [u_geo]               the voltage across the separator when cell.geometric_capacitance > 0
     V                     terminal voltage (phi at the positive terminal; the negative collector is 0)
   u_dl (per interface, when its double_layer_capacitance > 0) is the interface potential step
   phi_s - phi_e (or phi_s - phi_if), a differential unknown tied to the potentials by an algebraic
   row; the charging current C_dl du_dl/dt flows in parallel with i_n. Concentrations and h and the
   u's are differential, the rest algebraic.

   The stack current density I (A/m^2, + discharge) is passed in; its Jacobian column is
   SSB_COL_CURRENT. Signs (model.md section 7): i_n > 0 is Li leaving the solid (anodic); ionic and
   electronic currents are positive in +x. A separator with electronic conductivity sigma_e leaks
   i_leak = -sigma_e (phi_s,pos face - phi_s,neg face)/L_sep, and the geometric capacitance carries
   -C_geo du_geo/dt; both bypass the electrolyte from one electrode face to the other. The series
   resistance sits at the positive terminal: phi_s(positive collector) = V + I R_s. */
#pragma once
#include <ssbsim/ssb_case.h>
#include <ssbsim/ssb_mesh.h>
#include <ssbsim/ssb_space_charge.h>

#define SSB_COL_CURRENT (-1)

/* Jacobian sink: add v to entry (row, col) of the cell block (local indices; col may be
   SSB_COL_CURRENT). Every assembly makes the same sequence of calls (the pattern never depends on
   the state), so a caller may cache where each call lands. */
typedef void (*SsbJacSink)(void *ctx, int row, int col, double v);

typedef enum { SSB_VAR_POTENTIAL = 0,
               SSB_VAR_CONCENTRATION,
               SSB_VAR_REACTION,
               SSB_VAR_THICKNESS } SsbVarType;

/* A 1D diffusion domain: spherical particle (face areas r^2, volumes per 4 pi) or planar film (areas
   1, volumes = widths), shells graded toward the reacting surface at the end of the arrays. */
typedef struct {
  int     n;
  double  L;                 /* radius or thickness (m) */
  double *A, *V, *d;         /* [n+1] face areas, [n] volumes, [n-1] centroid distances */
  double *centre;            /* [n] shell centres, from the far end (centre of the particle, collector of a film) */
  double *Ad, *iV;           /* [n-1] A[i+1]/d[i], [n] 1/V[i]: the residual multiplies instead of dividing */
  double  sw_N, sw_N1, sw_g; /* surface reconstruction: c_surf = sw_N c_N + sw_N1 c_N-1 + sw_g dc/dx|_surface */
} SsbDiffGrid;

/* Intercalation kinetics and transport of one electrode's active material at the run temperature. */
typedef struct {
  double         c_max, alpha, k0;         /* i0 = k0 (c_max - c)^alpha c^(1-alpha), at the current temperature */
  double         ic_max;                   /* 1/c_max */
  double         D_arr;                    /* Arrhenius factor of D at the current temperature */
  double         De;                       /* electron diffusivity at T0 (m^2/s; 0: none): D -> 2 D De/(D + De) */
  const SsbFunc *ocp, *diff;               /* of x = c/c_max, set up at the initial temperature T0 (shared between cells) */
  const SsbFunc *dUdT;                     /* entropic coefficient dU/dT (V/K) of x: given, or from the OCP expression's T dependence */
  double         dT;                       /* T - T0: U(x, T) = ocp(x) + dT dUdT(x) */
  double         k0_0, D_arr0, Ea_k, Ea_D; /* at T0, and the activation energies (J/mol) */
  double         x0, x_charged, x_discharged;
} SsbActive;

typedef struct {
  SsbElectrodeKind kind;
  double           s; /* +1 negative, -1 positive: ionic current at the face (+x) = s (i_n + i_dl) */
  double           L; /* thickness (m) */
  double           C_dl, R_film;
  /* planar sides: offsets of phi_if, i_n, h (lithium_metal) or c[0] (dense), u_dl (-1 if none) */
  int    i_phi_if, i_in, i_h, i_c, i_u, i_cif; /* i_cif: electrolyte concentration at the face (binary) */
  double c_ref;                                /* electrolyte concentration at which the exchange current is given */
  /* composite: electrolyte nodes [k0, k0 + nk) */
  int         k0, nk;
  double      a_s, sigma_eff, kappa_eff, dx, eps_active;
  SsbActive   am;
  SsbDiffGrid g;                                   /* particle (composite) or film (dense) */
  double      sigma_d;                             /* dense: electronic conductivity (S/m) */
  double      i0_li, alpha_li, Vm_li, h0;          /* lithium_metal: A/m^2, 1, m^3/mol, m */
  double      i0_li0, Ea_li, kappa_eff0, Ea_kappa; /* at T0, activation energies (J/mol) */
  double      U_li;                                /* Li metal 0; a two-phase alloy its constant potential vs Li/Li+ (V) */
  double      capacity;                            /* C/m^2 between the charged and discharged stoichiometry (intercalation) */
  /* compact space-charge layer and coating (docs/space-charge.md); scl = 0: none. Its unknown is the
     electrode's charge Q (C/m^2 of interface, differential; the layer holds -Q): i_q on a planar
     side, o_q inside each composite node (from its phi_e) */
  int                 scl, i_q, o_q;
  double              scl_theta, scl_eps, scl_cb;       /* theta_b, eps_r eps_0 (F/m), c_b (mol/m^3) */
  double              scl_lam, scl_q0, scl_lam0;        /* lambda_D (m) and F c_b lambda_D (C/m^2) at the current T; lambda_D at T0 */
  double              scl_kappa, scl_kappa0, scl_Ea;    /* bulk conductivity of the adjacent electrolyte (S/m) at T and T0, activation energy (J/mol) */
  double              C_coat, R_coat, R_coat0, Ea_coat; /* F/m^2 (INFINITY: none), ohm m^2 at T and T0, J/mol */
  double              scl_Q0;                           /* C/m^2, the equilibrium charge at the initial stoichiometry */
  double              scl_Rrelax;                       /* ohm m^2, the resistance the layer charges through (R_relax dQ/dt = step(x) - w(Q)) */
  const SsbFunc      *scl_step;                         /* V, equilibrium step of coating + layer, of x (shared) */
  const SsbSclRTable *scl_tab;                          /* the layer's excess resistance integral J(psi) (shared by the process) */
  /* resolved space-charge layer (pnp = 1, planar sides only; docs/space-charge.md "Resolved mode in
     the cell"). Local coordinate from the reaction plane into the electrolyte, nodes x[0..n] of a
     geometric mesh on [0, L]; unknowns the Li+ concentration c_i (i_pc + 2 i, differential) and the
     layer's own potential phi_i (i_pc + 2 i + 1, algebraic; phi_n = 0, c_n = c_b) for i < n, and u_b (i_pu),
     the drop of the uniform (bulk, ohmic) field over the domain. The electrode holds minus the
     layer's charge by construction. The scl_* parameters above (theta_b, eps, c_b, kappa_b,
     coating, R_relax, step) are set for it as for the compact layer. */
  int     pnp, pnp_n, i_pc, i_pu;
  double  pnp_L, pnp_cmax, pnp_D, pnp_D0; /* m; site concentration (0: none); Li+ diffusivity (m^2/s) at T and T0 */
  double *pnp_x, *pnp_h, *pnp_w;          /* [n+1] nodes, [n] cells, [n] control-volume widths of nodes 0..n-1 (m) */
  double *pnp_c_init, *pnp_phi_init;      /* [n] the equilibrium profile at the initial stoichiometry */
} SsbSide;

/* Transport law of the electrolyte of one layer (model.md section 2), at the run temperature.
   single_ion: kappa only. binary (concentrated solution): kappa, D, t+, thermodynamic factor, all
   functions of c. dissociation: binary with kappa = F^2 (D+ + D-) c/(R T), D = 2 D+ D-/(D+ + D-),
   t+ = D+/(D+ + D-), factor 1, and the volume source k_d (a0 - c) - k_r c^2. Effective values are
   bulk values times eps^b (eff). */
typedef struct {
  const SsbFunc *kappa, *D, *tplus, *tdf;                  /* of c (mol/m^3), set up on [0, c_hi] (shared, or own[]) */
  SsbFunc        own[3];                                   /* constants of the law (dissociation, a default factor) */
  double         kappa_slope;                              /* dissociation: kappa = kappa_slope c (kappa unused) */
  double         kap_arr, D_arr;                           /* Arrhenius factors at the current temperature */
  double         kap_arr0, D_arr0, kd0, kr0, Ea_kap, Ea_D; /* at T0, activation energies (J/mol) */
  double         eff, eps;                                 /* eps^b and eps (1 in the separator) */
  double         c0;                                       /* initial (equilibrium) concentration */
  double         kd, kr, a0;                               /* dissociation (0: none) */
} SsbElectrolyteLaw;

typedef struct {
  int               nvar;
  int               binary;              /* the electrolyte concentration c_e is an unknown (binary or dissociation law) */
  int               nfe;                 /* electrolyte unknowns per node: phi_e [, c_e] */
  int               o_phis, o_in, o_cs;  /* offsets in a composite node of phi_s, i_n and the first shell */
  SsbElectrolyteLaw law[3];              /* negative electrode, separator, positive electrode */
  int               ne;                  /* electrolyte nodes */
  int              *off;                 /* [ne] first unknown (phi_e) of node k; then c_e (binary); composite: phi_s, i_n, c_s[N_r], u_dl at o_phis, o_in, o_cs */
  int              *layer;               /* [ne] 0 negative, 1 separator, 2 positive */
  SsbGrid           x;                   /* electrolyte nodes, x from the negative collector */
  double           *G;                   /* [ne + 1] ionic face conductances (S/m^2); G[0], G[ne]: half cells at the ends */
  double           *G0;                  /* [ne + 1] the same at T0 (SsbCellSetTemperature scales a face inside one layer) */
  SsbSide           side[2];             /* 0 negative, 1 positive */
  int               i_ugeo, i_V;         /* -1 if no geometric capacitance */
  double            C_geo, sigma_leak_L; /* F/m^2; sigma_e / L_sep (S/m^2) */
  double            R_series;            /* ohm m^2 */
  double            L_neg, L_sep, L_pos;
  double            T, f;           /* current temperature (K), F/(R T) */
  double            T0;             /* the temperature the functions were tabulated at (K) */
  double           *kap0, *Ea_node; /* [ne] single-ion: each node's effective conductivity at T0 and its activation energy */
  double            capacity;       /* theoretical cell capacity (C/m^2): the smaller of the electrodes' (intercalation) */
  int               i_vrow;         /* the row balancing the terminal current (the V row, or a planar positive side's i_n row) */
  double            vrow_scale;     /* a resistance (ohm m^2) to combine that row into a voltage-control row */
  double            kappa_sep;
  double            t_fast; /* s, the fastest relaxation time among the unknowns (a resolved layer's h_0^2/D; INFINITY if none) */
} SsbCellModel;

PetscErrorCode SsbCellModelCreate(const SsbCase *c, SsbCellModel **m);
/* The same for one cell of a stack (cell: c->stack.cell[k]); the mesh, temperature and solver
   settings come from c. */
PetscErrorCode SsbCellModelCreateForCell(const SsbCase *c, const SsbCell *cell, SsbCellModel **m);
PetscErrorCode SsbCellModelDestroy(SsbCellModel **m);
/* Set the temperature of the cell (K): every Arrhenius rate, F/(RT) and the OCP's entropic shift.
   A no-op when T is unchanged; the isothermal model calls it never. */
void SsbCellSetTemperature(SsbCellModel *m, double T);
/* Type of every unknown, whether it is differential, and its typical magnitude (for absolute
   tolerances: 1 V, c_max, the 1C reaction current density, the Li thickness). */
PetscErrorCode SsbCellVarTypes(const SsbCellModel *m, SsbVarType *type, int *differential, double *scale);
/* Rest state at the initial stoichiometries, consistent at I = 0 (without leakage). */
void SsbCellInitialState(const SsbCellModel *m, double *y, double *yp);
/* Overwrite the algebraic unknowns with the open-circuit guess of the current particle states. */
void SsbCellRestGuess(const SsbCellModel *m, double *y);
/* Residual F(y, y', I): 0, or 1 when the state is inadmissible (recoverable for IDA). */
int SsbCellResidual(const SsbCellModel *m, const double *y, const double *yp, double Icur, double *F);
/* dF/dT of SsbCellResidual at the cell's temperature m->T (the one last set by SsbCellSetTemperature),
   exact, every row in one pass (0 where a row does not depend on T): the Arrhenius factors of every
   rate (d A/dT = A Ea/(R T^2)), f = F/(RT), the OCP's entropic shift, a space-charge layer's
   lambda_D ~ sqrt(T) and a resolved layer's Nernst-Einstein diffusivity. At an inadmissible state
   the affected rows are 0. */
void SsbCellResidualT(const SsbCellModel *m, const double *y, const double *yp, double Icur, double *dFdT);
/* Jacobian dF/dy + cj dF/dy' through sink; the same sequence of entries at every call. */
int SsbCellJacobian(const SsbCellModel *m, double cj, const double *y, const double *yp, double Icur, SsbJacSink sink, void *ctx);
/* Shell balances of one diffusion domain with surface reaction current density in (A/m^2, + anodic). */
void SsbDiffusionResidual(const SsbDiffGrid *g, const SsbActive *am, const double *c, const double *cdot, double in, double *R);
/* Surface concentration of a domain and its derivatives (may be NULL). */
double SsbDiffusionSurface(const SsbDiffGrid *g, const SsbActive *am, const double *c, double in, double *dcs_dN, double *dcs_dN1, double *dcs_din);

typedef struct {
  double voltage;       /* V, terminal */
  double soc;           /* from the electrode that limits the capacity (the positive if equal) */
  double x_mean[2];     /* mean stoichiometry of each intercalation electrode (NaN for Li metal) */
  double li[2];         /* Li in each electrode, mol/m^2 (Li metal: h / Vm) */
  double heat;          /* irreversible heat generation rate, W/m^2 */
  double ocv;           /* open-circuit voltage at the mean stoichiometries (V) */
  double leak;          /* leakage + displacement current density through the separator (A/m^2, +x) */
  double heat_rev;      /* reversible (entropic) heat, the sum of a i_n T dU/dT (W/m^2) */
  double heat_layer[3]; /* heat + heat_rev by layer where it arises: negative, separator, positive (W/m^2) */
  /* heat by kind (W/m^2): heat = heat_ohmic + heat_reaction + heat_contact */
  double heat_ohmic;    /* Joule heat of the ionic and electronic currents (electrolyte, solid phases, dense films) and the leakage */
  double heat_reaction; /* irreversible reaction heat, the sum of i_n (overpotential incl. film) over every interface */
  double heat_contact;  /* the cell's series (contact) resistance, I^2 R */
  /* compact space-charge layer of each side's interface (NaN where off); a composite's is the mean
     over its particle surfaces (per area of interface) */
  double scl_dphi[2];  /* V, layer drop: electrolyte at the reaction plane minus bulk */
  double scl_dcoat[2]; /* V, coating drop */
  double scl_sigma[2]; /* C/m^2, charge of the layer (the electrode holds -sigma) */
  double scl_C[2];     /* F/m^2, differential capacitance of coating and layer in series */
  double scl_R[2];     /* ohm m^2, coating + layer excess resistance in the faradaic path */
  /* resolved layers only (0 elsewhere): the electrode's charge from Gauss's law at the reaction plane,
     -eps phi'(0), evaluated from the potential profile, and its mismatch with minus the layer's
     integrated charge (the discrete conservation law; C/m^2) */
  double pnp_Qfield[2], pnp_neutrality[2];
} SsbCellDiag;
/* The resolved layer of side s: nodes x (m, from the reaction plane), potential phi - phi_bulk (V;
   the layer's own field, the uniform bulk field excluded) and Li+ concentration (mol/m^3) at the
   pnp_n + 1 nodes. */
void SsbCellPnpProfile(const SsbCellModel *m, const double *y, int s, double *x, double *phi, double *c);
void SsbCellDiagnostics(const SsbCellModel *m, const double *y, const double *yp, double Icur, SsbCellDiag *d);
/* The heat only (the residual's share of SsbCellDiagnostics, the same numbers): heat_layer[3] and
   *total = heat + heat_rev (W/m^2). */
void SsbCellHeat(const SsbCellModel *m, const double *y, double Icur, double heat_layer[3], double *total);
/* SsbCellResidual and SsbCellHeat in one pass (the heat reuses the residual's surface concentrations,
   OCPs and face potentials): the same numbers, bitwise. When the state is inadmissible (return 1)
   the heat is not computed (0). */
int SsbCellResidualHeat(const SsbCellModel *m, const double *y, const double *yp, double Icur, double *F, double heat_layer[3], double *total);
/* The derivatives of heat_layer[l] (W/m^2, l = 0 negative, 1 separator, 2 positive) of
   SsbCellDiagnostics: in the cell's unknowns through sink(ctx, l, column, value) (the same sequence of
   calls at every state; the heat does not depend on y'), in the current density I in dq_dI[l] and
   in the cell's temperature in dq_dT[l] (at the temperature last set by SsbCellSetTemperature). */
void SsbCellHeatJacobian(const SsbCellModel *m, const double *y, double Icur, SsbJacSink sink, void *ctx, double dq_dI[3], double dq_dT[3]);
/* Surface stoichiometry at composite node k, or of a dense side's face (k = -1 - side). */
double SsbCellSurfaceStoichiometry(const SsbCellModel *m, const double *y, int k);
/* The least distance of any active surface (composite nodes, dense faces) from empty or full,
   min over surfaces of min(x, 1 - x); which side it is on and its stoichiometry (may be NULL).
   INFINITY for a cell without intercalation electrodes. */
double SsbCellSurfaceMargin(const SsbCellModel *m, const double *y, int *side, double *x_at);

/* Butler-Volmer: in = i0 (exp(a f eta) - exp(-(1-a) f eta)); *d_eta = d in / d eta. */
static inline double SsbButlerVolmer(double i0, double a, double f, double eta, double *d_eta)
{
  double e1 = exp(a * f * eta), e2 = a == 0.5 ? 1.0 / e1 : exp(-(1 - a) * f * eta);
  if (d_eta) *d_eta = i0 * f * (a * e1 + (1 - a) * e2);
  return i0 * (e1 - e2);
}
