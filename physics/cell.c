/* cell.c -- residual and analytic Jacobian of one solid-state cell (ssb_cell.h, docs/model.md).

   Finite volumes along x with cell-centred potentials and harmonic face conductances; finite volumes
   in r (particles) or along x (dense films) for solid diffusion:

     electrolyte node k:  i_e(k+1/2) - i_e(k-1/2) - dx a_s (i_n + i_dl) = 0     i_e = -kappa_eff dphi_e/dx
     solid node k:        i_s(k+1/2) - i_s(k-1/2) + dx a_s (i_n + i_dl) = 0     i_s = -sigma_eff dphi_s/dx
     reaction closure:    i_n - i0(c_surf) [exp(a f eta) - exp(-(1-a) f eta)] = 0,
                          eta = phi_s - phi_e - U(c_surf/c_max) - i_n R_film
     diffusion cells:     dc_i/dt + (N(i+1/2) - N(i-1/2))/V_i = 0,   N = -A D dc/dr,   N(surface) = A i_n/F
     planar face:         i_face - s (i_n + i_dl) = 0     (s = +1 negative, -1 positive side)
     Li inventory:        dh/dt + (M/(rho F)) i_n = 0
     double layer:        u - (phi_s - phi_e) = 0,         i_dl = C_dl du/dt
     positive terminal:   composite: sigma_eff (phi_s,N - V - Icur R_s)/(dx/2) - Icur = 0;
                          planar:    Icur + (i_n + i_dl) - i_bypass = 0
     resolved space-charge layer at a planar face: Nernst-Planck and Poisson rows on its own graded
                          mesh, the far-end current row, the relaxation row in the face's row (section
                          "resolved space-charge layer" below)
   Boundary conditions: no ionic current into a collector; the electronic current leaves each
   electrode's solid at its separator face only as the bypass current i_bypass = i_leak + i_geo.
   Every face flux is computed once and added to both neighbours: Li and charge are conserved to
   round-off. The cell's heat by layer (SsbCellHeat, SsbCellDiagnostics) and its exact derivatives
   in the unknowns, the current and the temperature (SsbCellHeatJacobian) feed the thermal models. */
#include <ssbsim/ssb_cell.h>
#include <string.h>

/* offsets inside a composite electrolyte node: phi_s, i_n, first shell (after phi_e [, c_e]) */
#define OPS (m->o_phis)
#define OIN (m->o_in)
#define OCS (m->o_cs)

/* ------------------------------------------------------------------ setup */

static double Pow3(double x) { return x * x * x; }

/* Diffusion domain of n cells on [0, L], widths shrinking toward L (the reacting surface) by 4:1
   overall; sphere: areas r^2 and volumes per 4 pi; planar: areas 1. */
static PetscErrorCode DiffGridCreate(int n, double L, PetscBool sphere, SsbDiffGrid *g)
{
  SsbGrid grid;
  PetscFunctionBeginUser;
  PetscCall(SsbGridCreateGeometric(n, 0.0, L, n > 1 ? pow(0.25, 1.0 / (n - 1)) : 1.0, &grid));
  g->n = n;
  g->L = L;
  PetscCall(PetscMalloc6(n + 1, &g->A, n, &g->V, n, &g->d, n, &g->centre, n, &g->Ad, n, &g->iV));
  double *cen;
  PetscCall(PetscMalloc1(n, &cen));
  for (int i = 0; i <= n; i++) g->A[i] = sphere ? grid.face[i] * grid.face[i] : 1.0;
  for (int i = 0; i < n; i++) {
    double a = grid.face[i], b = grid.face[i + 1];
    g->V[i]      = sphere ? (Pow3(b) - Pow3(a)) / 3.0 : b - a;
    cen[i]       = sphere ? 0.75 * (pow(b, 4) - pow(a, 4)) / (Pow3(b) - Pow3(a)) : 0.5 * (a + b); /* volume centroid */
    g->centre[i] = grid.centre[i];
  }
  for (int i = 0; i + 1 < n; i++) g->d[i] = cen[i + 1] - cen[i];
  g->d[n - 1] = 0;
  for (int i = 0; i < n; i++) {
    g->Ad[i] = i + 1 < n ? g->A[i + 1] / g->d[i] : 0.0;
    g->iV[i] = 1.0 / g->V[i];
  }
  /* the quadratic whose averages over the last two cells are c_N-1, c_N and whose slope at L is g */
  if (n == 1) {
    g->sw_N  = 1;
    g->sw_N1 = 0;
    g->sw_g  = L - cen[0];
  } else {
    double M1[2], M2[2];
    for (int q = 0; q < 2; q++) {
      double a = grid.face[n - 2 + q], b = grid.face[n - 1 + q];
      if (sphere) {
        double V = (Pow3(b) - Pow3(a)) / 3;
        M1[q]    = ((pow(b, 4) - pow(a, 4)) / 4 - L * (Pow3(b) - Pow3(a)) / 3) / V;
        M2[q]    = ((pow(b, 5) - pow(a, 5)) / 5 - L * (pow(b, 4) - pow(a, 4)) / 2 + L * L * (Pow3(b) - Pow3(a)) / 3) / V;
      } else {
        M1[q] = ((b - L) * (b - L) - (a - L) * (a - L)) / 2 / (b - a);
        M2[q] = (Pow3(b - L) - Pow3(a - L)) / 3 / (b - a);
      }
    }
    double dd = M2[1] - M2[0];
    g->sw_N   = 1 - M2[1] / dd;
    g->sw_N1  = M2[1] / dd;
    g->sw_g   = -M1[1] + M2[1] * (M1[1] - M1[0]) / dd;
  }
  PetscCall(PetscFree(cen));
  PetscCall(SsbGridDestroy(&grid));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode DiffGridDestroy(SsbDiffGrid *g)
{
  PetscFunctionBeginUser;
  if (g->A) PetscCall(PetscFree6(g->A, g->V, g->d, g->centre, g->Ad, g->iV));
  g->n = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Bulk ionic conductivity at the electrolyte's initial concentration. */
static PetscErrorCode ElectrolyteConductivity(const SsbMaterial *el, double T, double *kappa)
{
  PetscFunctionBeginUser;
  if (el->el.transport == SSB_TRANSPORT_DISSOCIATION) {
    double arr = SsbArrhenius(el->el.diffusivity_Ea, T, SSB_T_REF);
    *kappa     = SSB_FARADAY * SSB_FARADAY * (el->el.cation_diffusivity + el->el.anion_diffusivity) * arr * el->el.concentration / (SSB_GAS_CONSTANT * T);
  } else {
    PetscCall(SsbFuncEvalExact(&el->el.conductivity, el->el.concentration, T, kappa));
    *kappa *= SsbArrhenius(el->el.conductivity_Ea, T, SSB_T_REF);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The transport law of one layer's electrolyte at T; eps, b: volume fraction and Bruggeman exponent. */
static PetscErrorCode LawSetUp(const SsbMaterial *mat, double eps, double b, double T, SsbElectrolyteLaw *L)
{
  const SsbElectrolyte *el = &mat->el;
  PetscFunctionBeginUser;
  memset(L, 0, sizeof(*L));
  L->eps = eps;
  L->eff = pow(eps, b);
  L->c0  = el->concentration;
  if (el->transport == SSB_TRANSPORT_DISSOCIATION) {
    double Dp = el->cation_diffusivity, Dm = el->anion_diffusivity, d = el->dissociation_fraction;
    L->D_arr       = SsbArrhenius(el->diffusivity_Ea, T, SSB_T_REF);
    L->kap_arr     = L->D_arr;
    L->kappa_slope = SSB_FARADAY * SSB_FARADAY * (Dp + Dm) / (SSB_GAS_CONSTANT * T);
    L->own[0]      = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 2 * Dp * Dm / (Dp + Dm)};
    L->own[1]      = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = Dp / (Dp + Dm)};
    L->own[2]      = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 1.0};
    L->D           = &L->own[0];
    L->tplus       = &L->own[1];
    L->tdf         = &L->own[2];
    L->a0          = el->total_concentration;
    L->kr          = el->recombination_rate_constant * L->D_arr;
    L->kd          = L->kr * L->a0 * d * d / (1 - d);
    L->Ea_kap      = el->diffusivity_Ea;
    L->Ea_D        = el->diffusivity_Ea;
    if (isnan(L->c0)) L->c0 = d * L->a0;
  } else {
    double chi = 5 * L->c0; /* interpolation range of the functions of c: [0, 5 c0], linear beyond */
    L->kap_arr = SsbArrhenius(el->conductivity_Ea, T, SSB_T_REF);
    L->D_arr   = SsbArrhenius(el->diffusivity_Ea, T, SSB_T_REF);
    L->Ea_kap  = el->conductivity_Ea;
    L->Ea_D    = el->diffusivity_Ea;
    PetscCall(SsbFuncShared(&el->conductivity, 0, chi, T, 0, &L->kappa));
    if (el->transport == SSB_TRANSPORT_BINARY) {
      PetscCall(SsbFuncShared(&el->diffusivity, 0, chi, T, 0, &L->D));
      PetscCall(SsbFuncShared(&el->transference_number, 0, chi, T, 0, &L->tplus));
      if (el->thermodynamic_factor.kind != SSB_FUNC_NONE)
        PetscCall(SsbFuncShared(&el->thermodynamic_factor, 0, chi, T, 0, &L->tdf));
      else {
        L->own[2] = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 1.0};
        L->tdf    = &L->own[2];
      }
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void LawStoreT0(SsbElectrolyteLaw *L)
{
  L->kap_arr0 = L->kap_arr;
  L->D_arr0   = L->D_arr;
  L->kd0      = L->kd;
  L->kr0      = L->kr;
}

static PetscErrorCode LawDestroy(SsbElectrolyteLaw *L)
{
  PetscFunctionBeginUser;
  const SsbFunc **fs[4] = {&L->kappa, &L->D, &L->tplus, &L->tdf};
  for (int i = 0; i < 4; i++)
    if (*fs[i] && !(*fs[i] >= L->own && *fs[i] < L->own + 3)) PetscCall(SsbFuncSharedRelease(fs[i]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ActiveSetUp(const SsbElectrode *e, double c_e, double T, double soc, SsbActive *am)
{
  const SsbIntercalation *ins = &e->material->ins;
  PetscFunctionBeginUser;
  am->c_max  = ins->c_max;
  am->ic_max = 1.0 / ins->c_max;
  am->alpha  = ins->transfer_coefficient;
  am->D_arr  = SsbArrhenius(ins->diffusivity_Ea, T, SSB_T_REF);
  am->De     = isnan(ins->electron_diffusivity) ? 0.0 : ins->electron_diffusivity;
  PetscCall(SsbFuncShared(&ins->ocp, 0.0, 1.0, T, 0, &am->ocp));
  PetscCall(SsbFuncShared(&ins->diffusivity, 0.0, 1.0, T, 0, &am->diff));
  /* the entropic coefficient: given, or the T derivative of an OCP expression (0 for a table) */
  if (ins->entropic.kind != SSB_FUNC_NONE)
    PetscCall(SsbFuncShared(&ins->entropic, 0.0, 1.0, T, 0, &am->dUdT));
  else
    PetscCall(SsbFuncShared(&ins->ocp, 0.0, 1.0, T, 1, &am->dUdT));
  am->dT     = 0;
  am->Ea_k   = ins->kinetics_Ea;
  am->Ea_D   = ins->diffusivity_Ea;
  am->D_arr0 = am->D_arr;
  double arr = SsbArrhenius(ins->kinetics_Ea, T, SSB_T_REF), a = am->alpha;
  if (!isnan(ins->rate_constant))
    am->k0 = SSB_FARADAY * ins->rate_constant * pow(c_e, a) * arr;
  else {
    double cr = ins->exchange_current_stoichiometry * am->c_max;
    am->k0    = ins->exchange_current_density / (pow(am->c_max - cr, a) * pow(cr, 1 - a)) * arr;
  }
  am->k0_0         = am->k0;
  am->x_charged    = ins->x_charged;
  am->x_discharged = ins->x_discharged;
  am->x0           = !isnan(e->initial_stoichiometry) ? e->initial_stoichiometry : am->x_discharged + soc * (am->x_charged - am->x_discharged);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode SideSetUp(const SsbCase *c, const SsbCell *cell, int s, SsbSide *sd)
{
  const SsbElectrode     *e   = s == 0 ? &cell->neg : &cell->pos;
  const SsbInterfaceSpec *ifc = s == 0 ? &cell->ifc_neg : &cell->ifc_pos;
  const SsbMaterial      *sep = cell->sep.electrolyte;
  const double            T   = c->thermal.initial_temperature;
  PetscFunctionBeginUser;
  sd->kind   = e->kind;
  sd->s      = s == 0 ? 1.0 : -1.0;
  sd->L      = e->thickness;
  sd->C_dl   = ifc->double_layer_capacitance;
  sd->R_film = ifc->film_resistance;
  sd->i_u = sd->i_phi_if = sd->i_in = sd->i_h = sd->i_c = sd->i_cif = -1;
  switch (e->kind) {
  case SSB_ELECTRODE_LITHIUM_METAL: {
    const SsbMaterial *li  = e->material;
    double             arr = SsbArrhenius(li->li.kinetics_Ea, T, SSB_T_REF);
    sd->alpha_li           = li->li.transfer_coefficient;
    if (!isnan(li->li.exchange_current_density))
      sd->i0_li = li->li.exchange_current_density * arr;
    else
      sd->i0_li = SSB_FARADAY * li->li.rate_constant * pow(sep->el.concentration, sd->alpha_li) * arr;
    sd->Vm_li  = li->li.molar_mass / li->thermal.density;
    sd->h0     = e->thickness;
    sd->i0_li0 = sd->i0_li;
    sd->Ea_li  = li->li.kinetics_Ea;
    sd->U_li   = li->li.ocp;
  } break;
  case SSB_ELECTRODE_DENSE:
    PetscCall(ActiveSetUp(e, sep->el.concentration, T, cell->initial_soc, &sd->am));
    PetscCall(DiffGridCreate(s == 0 ? c->mesh.negative : c->mesh.positive, e->thickness, PETSC_FALSE, &sd->g));
    sd->sigma_d    = e->electronic_conductivity;
    sd->eps_active = 1;
    sd->capacity   = e->thickness * sd->am.c_max * SSB_FARADAY * fabs(sd->am.x_discharged - sd->am.x_charged);
    break;
  case SSB_ELECTRODE_COMPOSITE: {
    const SsbMaterial *el = e->electrolyte ? e->electrolyte : sep;
    double             kap;
    PetscCall(ActiveSetUp(e, el->el.concentration, T, cell->initial_soc, &sd->am));
    PetscCall(DiffGridCreate(c->mesh.particle, e->particle_radius, PETSC_TRUE, &sd->g));
    PetscCall(ElectrolyteConductivity(el, T, &kap));
    sd->nk         = s == 0 ? c->mesh.negative : c->mesh.positive;
    sd->dx         = e->thickness / sd->nk;
    sd->kappa_eff  = kap * pow(e->eps_electrolyte, e->bruggeman);
    sd->kappa_eff0 = sd->kappa_eff;
    sd->Ea_kappa   = el->el.transport == SSB_TRANSPORT_DISSOCIATION ? el->el.diffusivity_Ea : el->el.conductivity_Ea;
    sd->sigma_eff  = e->electronic_conductivity * pow(e->eps_active + e->eps_conductive, e->bruggeman);
    sd->eps_active = e->eps_active;
    sd->a_s        = 3.0 * e->eps_active / e->particle_radius;
    sd->capacity   = e->eps_active * e->thickness * sd->am.c_max * SSB_FARADAY * fabs(sd->am.x_discharged - sd->am.x_charged);
  } break;
  }
  sd->scl  = ifc->space_charge == SSB_SPACE_CHARGE_COMPACT;
  sd->pnp  = ifc->space_charge == SSB_SPACE_CHARGE_RESOLVED;
  sd->i_q  = -1;
  sd->o_q  = -1;
  sd->i_pc = sd->i_pu = -1;
  PetscCheck(!sd->pnp || e->kind != SSB_ELECTRODE_COMPOSITE, PETSC_COMM_SELF, PETSC_ERR_SUP, "the resolved space-charge layer is solved only at a planar interface, not at the %s composite's particle surfaces", s ? "positive" : "negative");
  PetscCheck(!sd->pnp || sd->C_dl == 0, PETSC_COMM_SELF, PETSC_ERR_SUP, "the resolved space-charge layer is not combined with a double_layer_capacitance");
  if (sd->scl || sd->pnp) {
    const SsbMaterial *el = e->kind == SSB_ELECTRODE_COMPOSITE && e->electrolyte ? e->electrolyte : sep;
    SsbSclParams       p  = {el->el.relative_permittivity, T, el->el.concentration, isnan(el->el.site_concentration) ? 0.0 : el->el.site_concentration};
    SsbSclCoating      co = {0, 1, 1};
    SsbSclSplit        split;
    double             x0 = e->kind == SSB_ELECTRODE_LITHIUM_METAL ? 0.0 : sd->am.x0, step;
    PetscCheck(el->el.transport == SSB_TRANSPORT_SINGLE_ION && !isnan(p.eps_r), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "a space-charge layer needs a single-ion electrolyte with a permittivity");
    PetscCall(SsbSclParamsCheck(&p));
    sd->scl_theta = SsbSclTheta(&p);
    sd->scl_eps   = p.eps_r * SSB_VACUUM_PERMITTIVITY;
    sd->scl_cb    = p.c_b;
    sd->scl_lam0  = SsbSclDebyeLength(&p);
    sd->scl_lam   = sd->scl_lam0;
    sd->scl_q0    = SSB_FARADAY * p.c_b * sd->scl_lam;
    sd->scl_Ea    = el->el.conductivity_Ea;
    PetscCall(ElectrolyteConductivity(el, T, &sd->scl_kappa0));
    sd->scl_kappa = sd->scl_kappa0;
    sd->C_coat    = INFINITY;
    sd->R_coat    = 0;
    sd->Ea_coat   = 0;
    if (ifc->coating && ifc->coating_thickness > 0) {
      double kc;
      PetscCall(ElectrolyteConductivity(ifc->coating, T, &kc));
      co          = (SsbSclCoating){ifc->coating_thickness, ifc->coating->el.relative_permittivity, kc};
      sd->C_coat  = co.eps_r * SSB_VACUUM_PERMITTIVITY / co.thickness;
      sd->R_coat  = co.thickness / kc;
      sd->Ea_coat = ifc->coating->el.transport == SSB_TRANSPORT_DISSOCIATION ? ifc->coating->el.diffusivity_Ea : ifc->coating->el.conductivity_Ea;
    }
    sd->R_coat0 = sd->R_coat;
    PetscCall(SsbFuncShared(ifc->scl_step, 0.0, 1.0, T, 0, &sd->scl_step));
    step = SsbFuncEval(sd->scl_step, x0, NULL);
    PetscCall(SsbSclCoatingSplit(&p, &co, step, &split));
    sd->scl_Q0 = -split.sigma;
    PetscCall(SsbSclRTableShared(sd->scl_theta, &sd->scl_tab));
    /* the layer relaxes to its equilibrium charge through the interface's resistance at the initial
       state: charge transfer RT/(F i0) (Frumkin-corrected) in series with film, coating and layer */
    {
      double dJ, r0 = SsbSclCrel(sd->scl_theta, split.scl.psi), i0;
      if (e->kind == SSB_ELECTRODE_LITHIUM_METAL)
        i0 = sd->i0_li * pow(r0, sd->alpha_li);
      else {
        double a = sd->am.alpha, cs = x0 * sd->am.c_max;
        i0 = sd->am.k0 * pow(sd->am.c_max - cs, a) * pow(cs, 1 - a) * pow(r0, a);
      }
      sd->scl_Rrelax = SSB_GAS_CONSTANT * T / (SSB_FARADAY * i0) + sd->R_film + sd->R_coat + sd->scl_lam / sd->scl_kappa * SsbSclRTableEval(sd->scl_tab, split.scl.psi, &dJ);
    }
    if (sd->pnp) {
      /* the layer domain: the geometric mesh of SsbSclResolvedSolve (phi(L) = 0), whose equilibrium
         profile at the initial step is the initial state */
      const SsbMeshSpec *ms   = &c->mesh;
      SsbSclMeshOptions  opt  = {(ms->scl_length > 0 ? ms->scl_length : 30.0) * sd->scl_lam0, ms->scl_growth >= 1 ? ms->scl_growth : 1.12, ms->scl_cells > 0 ? ms->scl_cells : 48, 0.0, 1};
      SsbSclProfile      prof = {0};
      const int          n    = opt.ncells;
      PetscCall(SsbSclResolvedSolve(&p, split.dphi_scl, &opt, &prof));
      sd->pnp_n    = n;
      sd->pnp_L    = opt.length;
      sd->pnp_cmax = p.c_max > 0 && isfinite(p.c_max) ? p.c_max : 0.0;
      /* Nernst-Einstein for the one carrier with site exclusion: kappa_b = F^2 D c_b (1 - theta_b)/(R T) */
      sd->pnp_D  = sd->scl_kappa * SSB_GAS_CONSTANT * T / (SSB_FARADAY * SSB_FARADAY * p.c_b * (1 - sd->scl_theta));
      sd->pnp_D0 = sd->pnp_D;
      PetscCall(PetscMalloc5(n + 1, &sd->pnp_x, n, &sd->pnp_h, n, &sd->pnp_w, n, &sd->pnp_c_init, n, &sd->pnp_phi_init));
      for (int i = 0; i <= n; i++) sd->pnp_x[i] = prof.x[i];
      sd->pnp_x[n] = sd->pnp_L;
      for (int i = 0; i < n; i++) sd->pnp_h[i] = sd->pnp_x[i + 1] - sd->pnp_x[i];
      for (int i = 0; i < n; i++) {
        sd->pnp_w[i]        = 0.5 * ((i > 0 ? sd->pnp_h[i - 1] : 0.0) + sd->pnp_h[i]);
        sd->pnp_c_init[i]   = prof.c[i];
        sd->pnp_phi_init[i] = prof.phi[i];
      }
      PetscCall(SsbSclProfileDestroy(&prof));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbCellModelCreate(const SsbCase *c, SsbCellModel **mm)
{
  PetscFunctionBeginUser;
  PetscCall(SsbCellModelCreateForCell(c, &c->cell, mm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbCellModelCreateForCell(const SsbCase *c, const SsbCell *cell, SsbCellModel **mm)
{
  SsbCellModel *m;
  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(1, &m));
  /* one transport law for the whole electrolyte: its unknowns are the same in every layer */
  {
    const SsbMaterial *sep = cell->sep.electrolyte;
    m->binary              = sep->el.transport != SSB_TRANSPORT_SINGLE_ION;
    for (int s = 0; s < 2; s++) {
      const SsbElectrode *e = s == 0 ? &cell->neg : &cell->pos;
      if (e->kind != SSB_ELECTRODE_COMPOSITE) continue;
      const SsbMaterial *el = e->electrolyte ? e->electrolyte : sep;
      PetscCheck((el->el.transport != SSB_TRANSPORT_SINGLE_ION) == m->binary, PETSC_COMM_SELF, PETSC_ERR_SUP, "the %s electrode's electrolyte %s and the separator's %s have different transport laws (single-ion and concentrated): not supported", s ? "positive" : "negative", el->name, sep->name);
      PetscCall(LawSetUp(el, e->eps_electrolyte, e->bruggeman, c->thermal.initial_temperature, &m->law[2 * s]));
    }
    PetscCall(LawSetUp(sep, 1.0, 1.0, c->thermal.initial_temperature, &m->law[1]));
  }
  m->T        = c->thermal.initial_temperature;
  m->f        = SSB_FARADAY / (SSB_GAS_CONSTANT * m->T);
  m->L_neg    = cell->neg.thickness;
  m->L_sep    = cell->sep.thickness;
  m->L_pos    = cell->pos.thickness;
  m->C_geo    = cell->geometric_capacitance;
  m->R_series = cell->series_resistance;
  {
    double se       = cell->sep.electrolyte->el.electronic_conductivity;
    m->sigma_leak_L = (isnan(se) ? 0.0 : se) / m->L_sep;
  }
  PetscCall(ElectrolyteConductivity(cell->sep.electrolyte, m->T, &m->kappa_sep));
  for (int s = 0; s < 2; s++) {
    PetscCall(SideSetUp(c, cell, s, &m->side[s]));
    m->side[s].c_ref = m->side[s].kind == SSB_ELECTRODE_COMPOSITE ? m->law[2 * s].c0 : m->law[1].c0;
  }
  SsbSide *neg = &m->side[0], *pos = &m->side[1];

  /* electrolyte nodes */
  int nneg = neg->kind == SSB_ELECTRODE_COMPOSITE ? neg->nk : 0, nsep = c->mesh.separator, npos = pos->kind == SSB_ELECTRODE_COMPOSITE ? pos->nk : 0;
  m->ne = nneg + nsep + npos;
  PetscCall(PetscMalloc2(m->ne, &m->off, m->ne, &m->layer));
  m->x.n = m->ne;
  PetscCall(PetscMalloc3(m->ne + 1, &m->x.face, m->ne, &m->x.centre, m->ne, &m->x.width));
  {
    int    k     = 0;
    double x0    = 0;
    m->x.face[0] = nneg ? 0.0 : m->L_neg;
    x0           = m->x.face[0];
    for (int j = 0; j < nneg; j++, k++) {
      m->layer[k]      = 0;
      m->x.face[k + 1] = x0 + m->L_neg * (j + 1) / nneg;
    }
    x0 = m->L_neg;
    for (int j = 0; j < nsep; j++, k++) {
      m->layer[k]      = 1;
      m->x.face[k + 1] = x0 + m->L_sep * (j + 1) / nsep;
    }
    x0 = m->L_neg + m->L_sep;
    for (int j = 0; j < npos; j++, k++) {
      m->layer[k]      = 2;
      m->x.face[k + 1] = x0 + m->L_pos * (j + 1) / npos;
    }
    for (k = 0; k < m->ne; k++) {
      m->x.centre[k] = 0.5 * (m->x.face[k] + m->x.face[k + 1]);
      m->x.width[k]  = m->x.face[k + 1] - m->x.face[k];
    }
  }
  neg->k0 = 0;
  pos->k0 = nneg + nsep;
  PetscCall(PetscMalloc2(m->ne + 1, &m->G, m->ne + 1, &m->G0));
  {
    double *kap;
    PetscCall(PetscMalloc1(m->ne, &kap));
    for (int k = 0; k < m->ne; k++) kap[k] = m->layer[k] == 1 ? m->kappa_sep : m->side[m->layer[k] / 2].kappa_eff;
    PetscCall(PetscMalloc2(m->ne, &m->kap0, m->ne, &m->Ea_node));
    for (int k = 0; k < m->ne; k++) {
      const SsbMaterial *el = m->layer[k] == 1 ? cell->sep.electrolyte : (m->layer[k] == 0 ? cell->neg.electrolyte : cell->pos.electrolyte);
      if (!el) el = cell->sep.electrolyte;
      m->kap0[k]    = kap[k];
      m->Ea_node[k] = el->el.transport == SSB_TRANSPORT_DISSOCIATION ? el->el.diffusivity_Ea : el->el.conductivity_Ea;
    }
    m->G[0] = neg->kind == SSB_ELECTRODE_COMPOSITE ? 0.0 : kap[0] / (0.5 * m->x.width[0]);
    for (int k = 1; k < m->ne; k++) m->G[k] = 1.0 / (0.5 * m->x.width[k - 1] / kap[k - 1] + 0.5 * m->x.width[k] / kap[k]);
    m->G[m->ne] = pos->kind == SSB_ELECTRODE_COMPOSITE ? 0.0 : kap[m->ne - 1] / (0.5 * m->x.width[m->ne - 1]);
    for (int k = 0; k <= m->ne; k++) m->G0[k] = m->G[k];
    PetscCall(PetscFree(kap));
  }

  /* unknown map */
  m->nfe    = m->binary ? 2 : 1;
  m->o_phis = m->nfe;
  m->o_in   = m->nfe + 1;
  m->o_cs   = m->nfe + 2;
  int o     = 0;
  for (int s = 0; s < 2; s++) {
    SsbSide *sd = &m->side[s];
    if (s == 1) {
      /* the electrolyte nodes sit between the two side blocks */
      for (int k = 0; k < m->ne; k++) {
        m->off[k] = o;
        o += m->nfe;
        if (m->layer[k] != 1) {
          SsbSide *cs = &m->side[m->layer[k] / 2];
          o += 2 + cs->g.n + (cs->C_dl > 0 ? 1 : 0) + (cs->scl ? 1 : 0);
        }
      }
    }
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) continue;
    sd->i_phi_if = o++;
    sd->i_in     = o++;
    if (sd->kind == SSB_ELECTRODE_LITHIUM_METAL)
      sd->i_h = o++;
    else {
      sd->i_c = o;
      o += sd->g.n;
    }
    sd->i_u = sd->C_dl > 0 ? o++ : -1;
    sd->i_q = sd->scl ? o++ : -1;
    if (sd->pnp) { /* c_i, phi_i interleaved node by node, then u_b */
      sd->i_pc = o;
      o += 2 * sd->pnp_n;
      sd->i_pu = o++;
    }
    sd->i_cif = m->binary ? o++ : -1;
  }
  for (int s = 0; s < 2; s++)
    if (m->side[s].kind == SSB_ELECTRODE_COMPOSITE && m->side[s].scl) m->side[s].o_q = m->o_cs + m->side[s].g.n + (m->side[s].C_dl > 0 ? 1 : 0);
  m->i_ugeo = m->C_geo > 0 ? o++ : -1;
  m->i_V    = o++;
  m->nvar   = o;

  /* capacity: the smaller of the intercalation electrodes'; a Li-metal electrode's inventory is
     tracked by its own event */
  if (neg->kind == SSB_ELECTRODE_LITHIUM_METAL && pos->kind == SSB_ELECTRODE_LITHIUM_METAL) { /* Li | Li: the smaller Li inventory */
    m->capacity = PetscMin(neg->h0, pos->h0) / neg->Vm_li * SSB_FARADAY;
    PetscCheck(m->capacity > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "a Li | Li cell needs Li on both sides");
  } else {
    m->capacity = INFINITY;
    for (int s = 0; s < 2; s++)
      if (m->side[s].kind != SSB_ELECTRODE_LITHIUM_METAL) m->capacity = PetscMin(m->capacity, m->side[s].capacity);
  }
  /* (a thickness or concentration beyond any battery's, e.g. 1e300 m, overflows here; it was taken
     for a Li | Li cell) */
  PetscCheck(isfinite(m->capacity) && m->capacity > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "the cell's capacity, %g C/m^2, is not a positive finite number: an electrode's thickness, active fraction or maximum concentration is out of range", m->capacity);
  m->i_vrow     = pos->kind == SSB_ELECTRODE_COMPOSITE ? m->i_V : pos->i_in;
  m->vrow_scale = pos->kind == SSB_ELECTRODE_COMPOSITE ? 0.5 * pos->dx / pos->sigma_eff : m->L_sep / m->kappa_sep;
  m->T0         = m->T;
  m->t_fast     = INFINITY;
  for (int s = 0; s < 2; s++)
    if (m->side[s].pnp) m->t_fast = PetscMin(m->t_fast, m->side[s].pnp_h[0] * m->side[s].pnp_h[0] / m->side[s].pnp_D);
  for (int l = 0; l < 3; l++) LawStoreT0(&m->law[l]);
  if (c->thermal.constant_properties) { /* constant properties: every rate property keeps its value at T0 */
    for (int s = 0; s < 2; s++) {
      SsbSide *sd = &m->side[s];
      sd->Ea_li = sd->am.Ea_k = sd->am.Ea_D = sd->Ea_kappa = sd->scl_Ea = sd->Ea_coat = 0;
    }
    for (int l = 0; l < 3; l++) m->law[l].Ea_kap = m->law[l].Ea_D = 0;
    for (int k = 0; k < m->ne; k++) m->Ea_node[k] = 0;
  }
  *mm = m;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbCellModelDestroy(SsbCellModel **mm)
{
  SsbCellModel *m = *mm;
  PetscFunctionBeginUser;
  if (!m) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree2(m->off, m->layer));
  PetscCall(PetscFree3(m->x.face, m->x.centre, m->x.width));
  PetscCall(PetscFree2(m->G, m->G0));
  PetscCall(PetscFree2(m->kap0, m->Ea_node));
  for (int l = 0; l < 3; l++) PetscCall(LawDestroy(&m->law[l]));
  for (int s = 0; s < 2; s++) {
    PetscCall(DiffGridDestroy(&m->side[s].g));
    PetscCall(SsbFuncSharedRelease(&m->side[s].am.ocp));
    PetscCall(SsbFuncSharedRelease(&m->side[s].am.dUdT));
    PetscCall(SsbFuncSharedRelease(&m->side[s].am.diff));
    if (m->side[s].scl || m->side[s].pnp) {
      PetscCall(SsbFuncSharedRelease(&m->side[s].scl_step));
      PetscCall(SsbSclRTableSharedRelease(&m->side[s].scl_tab));
    }
    if (m->side[s].pnp) PetscCall(PetscFree5(m->side[s].pnp_x, m->side[s].pnp_h, m->side[s].pnp_w, m->side[s].pnp_c_init, m->side[s].pnp_phi_init));
  }
  PetscCall(PetscFree(m));
  *mm = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static inline int            IsComposite(const SsbCellModel *m, int k) { return m->layer[k] != 1; }
static inline const SsbSide *NodeSide(const SsbCellModel *m, int k) { return &m->side[m->layer[k] / 2]; }

PetscErrorCode SsbCellVarTypes(const SsbCellModel *m, SsbVarType *type, int *dif, double *scale)
{
  const double i1c = m->capacity / 3600.0; /* A/m^2 */
  PetscFunctionBeginUser;
  for (int i = 0; i < m->nvar; i++) {
    type[i]  = SSB_VAR_POTENTIAL;
    dif[i]   = 0;
    scale[i] = 1.0;
  }
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) continue;
    type[sd->i_in]  = SSB_VAR_REACTION;
    scale[sd->i_in] = i1c;
    if (sd->i_h >= 0) {
      type[sd->i_h]  = SSB_VAR_THICKNESS;
      dif[sd->i_h]   = 1;
      scale[sd->i_h] = PetscMax(sd->h0, sd->Vm_li * m->capacity / SSB_FARADAY); /* anode-free: the Li that the capacity plates */
    }
    for (int i = 0; sd->i_c >= 0 && i < sd->g.n; i++) {
      type[sd->i_c + i]  = SSB_VAR_CONCENTRATION;
      dif[sd->i_c + i]   = 1;
      scale[sd->i_c + i] = sd->am.c_max;
    }
    if (sd->i_u >= 0) dif[sd->i_u] = 1;
    if (sd->i_q >= 0) {
      dif[sd->i_q]   = 1;
      scale[sd->i_q] = sd->scl_q0;
    }
    for (int i = 0; sd->pnp && i < sd->pnp_n; i++) {
      type[sd->i_pc + 2 * i]  = SSB_VAR_CONCENTRATION;
      dif[sd->i_pc + 2 * i]   = 1;
      scale[sd->i_pc + 2 * i] = sd->pnp_c_init[i]; /* the initial profile: a depleted node is resolved relative to its own size */
    }
  }
  for (int k = 0; k < m->ne && m->binary; k++) {
    type[m->off[k] + 1]  = SSB_VAR_CONCENTRATION;
    dif[m->off[k] + 1]   = 1;
    scale[m->off[k] + 1] = m->law[m->layer[k]].c0;
  }
  for (int s = 0; s < 2; s++)
    if (m->side[s].i_cif >= 0) {
      type[m->side[s].i_cif]  = SSB_VAR_CONCENTRATION;
      scale[m->side[s].i_cif] = m->law[1].c0;
    }
  for (int k = 0; k < m->ne; k++) {
    if (!IsComposite(m, k)) continue;
    const SsbSide *sd = NodeSide(m, k);
    int            o  = m->off[k];
    type[o + OIN]     = SSB_VAR_REACTION;
    scale[o + OIN]    = i1c / (sd->a_s * sd->L);
    for (int i = 0; i < sd->g.n; i++) {
      type[o + OCS + i]  = SSB_VAR_CONCENTRATION;
      dif[o + OCS + i]   = 1;
      scale[o + OCS + i] = sd->am.c_max;
    }
    if (sd->C_dl > 0) dif[o + OCS + sd->g.n] = 1;
    if (sd->scl) {
      dif[o + sd->o_q]   = 1;
      scale[o + sd->o_q] = sd->scl_q0;
    }
  }
  if (m->i_ugeo >= 0) dif[m->i_ugeo] = 1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ------------------------------------------------------------------ kernels */

/* The solid's chemical diffusivity at x and its x derivative: D_arr D(x), or with electrons
   (electron_diffusivity De, scaled by the same Arrhenius factor) the ambipolar diffusivity of a
   dilute mixed conductor, 2 D De/(D + De) (electroneutral Li+ and electron fluxes with no net
   current; docs/model.md). */
static inline double SolidD(const SsbActive *am, double x, double *dDdx)
{
  double d, D = am->D_arr * SsbFuncEval(am->diff, x, dDdx ? &d : NULL);
  if (dDdx) *dDdx = am->D_arr * d;
  if (am->De > 0) {
    const double De = am->De * am->D_arr, s = 1 / (D + De);
    if (dDdx) *dDdx *= 2 * De * De * s * s;
    D = 2 * D * De * s;
  }
  return D;
}

double SsbDiffusionSurface(const SsbDiffGrid *g, const SsbActive *am, const double *c, double in, double *dcs_dN, double *dcs_dN1, double *dcs_din)
{
  const int n  = g->n;
  double    cN = c[n - 1], cN1 = n > 1 ? c[n - 2] : 0, dDdx;
  double    D  = SolidD(am, cN * am->ic_max, dcs_dN ? &dDdx : NULL);
  double    iD = 1.0 / D;                        /* one division for the three uses */
  double    gr = -in * (1.0 / SSB_FARADAY) * iD; /* surface gradient from the flux condition */
  if (dcs_dN) *dcs_dN = g->sw_N - g->sw_g * gr * iD * dDdx * am->ic_max;
  if (dcs_dN1) *dcs_dN1 = g->sw_N1;
  if (dcs_din) *dcs_din = -g->sw_g * (1.0 / SSB_FARADAY) * iD;
  return g->sw_N * cN + g->sw_N1 * cN1 + g->sw_g * gr;
}

/* The innermost loop of the residual (every shell face of every particle): reciprocals are
   precomputed (DiffGridCreate), so a face costs one diffusivity lookup and no division. */
void SsbDiffusionResidual(const SsbDiffGrid *g, const SsbActive *am, const double *c, const double *cdot, double in, double *R)
{
  const int    n  = g->n;
  const double hc = 0.5 * am->ic_max;
  double       Nl = 0;
  if (am->diff->kind == SSB_FUNC_CONSTANT) { /* the same D at every face: looked up once */
    const double D = SolidD(am, 0.0, NULL);
    for (int i = 0; i + 1 < n; i++) {
      double Nr = -g->Ad[i] * D * (c[i + 1] - c[i]);
      R[i]      = cdot[i] + (Nr - Nl) * g->iV[i];
      Nl        = Nr;
    }
  } else if (am->diff->kind == SSB_FUNC_EXPRESSION && !(am->De > 0)) {
    /* SsbFuncEval's cubics with the function's fields in locals: the stores to R could alias them,
       so the compiler reloaded every one at every face (the same numbers as SolidD) */
    const SsbFunc *f  = am->diff;
    const double  *px = f->px, *pc = f->pc, x0 = px[0], x1 = px[f->m], ih = f->ih, Da = am->D_arr;
    const int      m = f->m;
    for (int i = 0; i + 1 < n; i++) {
      const double x = (c[i] + c[i + 1]) * hc;
      double       d;
      if (x > x0 && x < x1)
        d = SsbFuncPiece(px, pc, m, ih, x, NULL);
      else
        d = SsbFuncEvalGeneral(f, x, NULL);
      double Nr = -g->Ad[i] * (Da * d) * (c[i + 1] - c[i]);
      R[i]      = cdot[i] + (Nr - Nl) * g->iV[i];
      Nl        = Nr;
    }
  } else
    for (int i = 0; i + 1 < n; i++) {
      double D  = SolidD(am, (c[i] + c[i + 1]) * hc, NULL);
      double Nr = -g->Ad[i] * D * (c[i + 1] - c[i]);
      R[i]      = cdot[i] + (Nr - Nl) * g->iV[i];
      Nl        = Nr;
    }
  R[n - 1] = cdot[n - 1] + (g->A[n] * in / SSB_FARADAY - Nl) * g->iV[n - 1];
}

static void DiffusionJacobian(const SsbDiffGrid *g, const SsbActive *am, const double *c, double cj, int o, int o_in, SsbJacSink sink, void *ctx)
{
  const int n = g->n;
  for (int i = 0; i < n; i++) sink(ctx, o + i, o + i, cj);
  for (int i = 0; i + 1 < n; i++) {
    double dD, D = SolidD(am, 0.5 * (c[i] + c[i + 1]) / am->c_max, &dD);
    dD /= 2 * am->c_max;
    double q   = g->A[i + 1] / g->d[i];
    double dNl = -q * (dD * (c[i + 1] - c[i]) - D); /* dN(i+1/2)/dc_i */
    double dNr = -q * (dD * (c[i + 1] - c[i]) + D); /* dN(i+1/2)/dc_i+1 */
    sink(ctx, o + i, o + i, dNl / g->V[i]);
    sink(ctx, o + i, o + i + 1, dNr / g->V[i]);
    sink(ctx, o + i + 1, o + i, -dNl / g->V[i + 1]);
    sink(ctx, o + i + 1, o + i + 1, -dNr / g->V[i + 1]);
  }
  sink(ctx, o + n - 1, o_in, g->A[n] / SSB_FARADAY / g->V[n - 1]);
}

/* The OCP at the current temperature: the tabulated U(x, T0) shifted by (T - T0) dU/dT(x); *sT (may
   be NULL) receives the entropic coefficient dU/dT(x), which the shift evaluates anyway (the
   reversible heat's). */
static inline double OCPS(const SsbActive *am, double x, double *dUdx, double *sT)
{
  double U = SsbFuncEval(am->ocp, x, dUdx);
  if (am->dT != 0 || sT) {
    double d, s = SsbFuncEval(am->dUdT, x, dUdx && am->dT != 0 ? &d : NULL);
    if (am->dT != 0) {
      U += am->dT * s;
      if (dUdx) *dUdx += am->dT * d;
    }
    if (sT) *sT = s;
  }
  return U;
}

static inline double OCP(const SsbActive *am, double x, double *dUdx) { return OCPS(am, x, dUdx, NULL); }

/* Reaction closure R = i_n - i_BV at an intercalation interface, and its partial derivatives. */
typedef struct {
  double R, d_in, d_phis, d_phie, d_cN, d_cN1, d_ce;
  double eta;                     /* total overpotential phi_s - phi_e - U (including the film) */
  double bv, dbv_de, dbv_dc;      /* the Butler-Volmer current and its eta and c_surf derivatives */
  double eta_bv;                  /* the overpotential in the exponentials (eta less the film's i_n R_film) */
  double cs, U, dUdx;             /* surface concentration, OCP and dU/dx there */
  double sT;                      /* the entropic coefficient dU/dT there (when asked for) */
  double dcs_dN, dcs_dN1, dcs_di; /* surface reconstruction weights */
  int    bad;
} Closure;

/* ce_ratio: electrolyte concentration at the interface over the one the exchange current refers to
   (1 for single-ion electrolytes); i0 scales with ce_ratio^alpha. entropic: also z->sT. derivs = 0
   (the residual): only R, eta, bv, eta_bv, cs, U and sT are set, the same numbers, without the
   derivatives' lookups and divisions. */
static inline void IntercalationClosure(const SsbActive *am, const SsbDiffGrid *g, double R_film, double f, double phie, double phis, double in, const double *c, double ce_ratio, int entropic, int derivs, Closure *z)
{
  const double cmax = am->c_max, a = am->alpha;
  double       dcs_dN = 0, dcs_dN1 = 0, dcs_di = 0;
  double       cs = derivs ? SsbDiffusionSurface(g, am, c, in, &dcs_dN, &dcs_dN1, &dcs_di) : SsbDiffusionSurface(g, am, c, in, NULL, NULL, NULL);
  /* inadmissible: a cell or the surface clearly outside [0, c_max] (a Newton iterate gone astray) */
  z->bad = !(c[g->n - 1] > 0 && c[g->n - 1] < cmax) || !(cs > -1e-3 * cmax && cs < (1 + 1e-3) * cmax);
  if (z->bad) {
    z->R = z->d_in = z->d_phis = z->d_phie = z->d_cN = z->d_cN1 = z->d_ce = z->eta = 0;
    z->bv = z->dbv_de = z->dbv_dc = z->eta_bv = z->U = z->dUdx = z->dcs_dN = z->dcs_dN1 = z->dcs_di = z->sT = 0;
    z->cs                                                                                                   = 0.5 * cmax;
    return;
  }
  /* The exchange current vanishes as c_surf -> 0 or c_max; it is evaluated with c_surf held at
     least 1e-15 c_max from the bounds (a few ulps of c_max), so the residual stays defined (and
     smooth enough for Newton) when an end of the stoichiometry range is reached and the cut-off
     voltage follows. A larger floor (1e-12 until 22 Nov 2026) lets a large overpotential drive
     current on into a full particle (surfaces above c_max, IDA_TOO_MUCH_WORK at a 2.5 V cut-off). */
  const double eps = 1e-15 * cmax;
  double       ck = PetscMin(PetscMax(cs, eps), cmax - eps), dck = (cs > eps && cs < cmax - eps) ? 1.0 : 0.0;
  double       dUdx = 0, sT = 0, U = OCPS(am, cs / cmax, derivs ? &dUdx : NULL, entropic ? &sT : NULL);
  double       eta = phis - phie - U - in * R_film;
  /* symmetric kinetics (a = 1/2, the usual case): sqrt and one exp instead of two pow and two exp */
  double pa = a == 0.5 ? sqrt(cmax - ck) : pow(cmax - ck, a), pc = a == 0.5 ? sqrt(ck) : pow(ck, 1 - a);
  double pe = ce_ratio == 1.0 ? 1.0 : (a == 0.5 ? sqrt(ce_ratio) : pow(ce_ratio, a));
  double i0 = am->k0 * pa * pc * pe;
  double e1 = exp(a * f * eta), e2 = a == 0.5 ? 1.0 / e1 : exp(-(1 - a) * f * eta);
  double bv = i0 * (e1 - e2);
  z->eta    = eta + in * R_film;
  z->R      = in - bv;
  z->bv     = bv;
  z->eta_bv = eta;
  z->cs     = cs;
  z->U      = U;
  z->sT     = sT;
  if (!derivs) return;
  double di0    = dck * i0 * (-a / (cmax - ck) + (1 - a) / ck);
  double dbv_de = i0 * f * (a * e1 + (1 - a) * e2);
  double dbv_dc = di0 * (e1 - e2) - dbv_de * dUdx / cmax;
  z->d_in       = 1.0 - dbv_dc * dcs_di + dbv_de * R_film;
  z->d_phis     = -dbv_de;
  z->d_phie     = dbv_de;
  z->d_cN       = -dbv_dc * dcs_dN;
  z->d_cN1      = -dbv_dc * dcs_dN1;
  z->d_ce       = -bv * a / ce_ratio; /* d R / d ce_ratio */
  z->dbv_de     = dbv_de;
  z->dbv_dc     = dbv_dc;
  z->dUdx       = dUdx;
  z->dcs_dN     = dcs_dN;
  z->dcs_dN1    = dcs_dN1;
  z->dcs_di     = dcs_di;
}

/* ------------------------------------------------------------------ compact space-charge layer */

/* The layer at the electrode charge Q (C/m^2; the layer holds -Q), docs/space-charge.md:
     psi    = s^{-1}(Q/q0),                         the layer drop dphi = psi R T/F
     w      = dphi + Q/C_coat,                      drop of coating + layer, dw/dQ = 1/C_scl + 1/C_coat
     r      = c(0)/c_b,                             Frumkin factor: i0 scales with r^alpha
     R      = R_coat + (lambda_D/kappa_b) J(psi),   series resistance of the faradaic path
   and their Q derivatives. */
typedef struct {
  double psi, dphi, w, r, R, C_scl;
  double dw_dQ, dlnr_dQ, dR_dQ;
  double dpsi, J, dJ; /* dpsi/dQ, the resistance integral J(psi) and dJ/dpsi (for the T derivatives) */
} Scl;

static inline void SclEval(const SsbCellModel *m, const SsbSide *sd, double Q, Scl *e)
{
  const double vt = 1.0 / m->f, th = sd->scl_theta;
  double       ds, dJ;
  e->psi      = SsbSclPsiFromS(th, Q / sd->scl_q0, &ds);
  double dpsi = 1.0 / (sd->scl_q0 * ds); /* dpsi/dQ */
  e->dphi     = e->psi * vt;
  e->C_scl    = sd->scl_eps / sd->scl_lam * ds;
  e->w        = e->dphi + Q / sd->C_coat;
  e->dw_dQ    = vt * dpsi + 1.0 / sd->C_coat;
  e->r        = SsbSclCrel(th, e->psi);
  e->dlnr_dQ  = -(1 - th * e->r) * dpsi;
  double J = SsbSclRTableEval(sd->scl_tab, e->psi, &dJ), lk = sd->scl_lam / sd->scl_kappa;
  e->R     = sd->R_coat + lk * J;
  e->dR_dQ = lk * dJ * dpsi;
  e->dpsi  = dpsi;
  e->J     = J;
  e->dJ    = dJ;
}

/* ------------------------------------------------------------------ resolved space-charge layer */

/* The resolved layer (docs/space-charge.md, "Resolved mode in the cell"), in the local coordinate x
   from the reaction plane into the electrolyte, nodes 0..n (c_n = c_b, phi_n = 0):
     Li+ (rows scaled by F):  F w_i dc_i/dt + J_{i+1/2} - J_{i-1/2} = 0,   J_{-1/2} = i_n
       J_{i+1/2} = -(F D/h_i) m_{i+1/2} [ln a_{i+1} - ln a_i + f (Phi_{i+1} - Phi_i)]
       a = c/(1 - c/c_max), m = c (1 - c/c_max) (mean of the two nodes), Phi_j = phi_j + u_b (1 - x_j/L)
     Poisson:  eps [(phi_{i+1} - phi_i)/h_i - (phi_i - phi_{i-1})/h_{i-1}] + w_i F (c_i - c_b) = 0   (0 < i < n)
               eps (phi_1 - phi_0)/h_0 + Q_e + w_0 F (c_0 - c_b) = 0,  Q_e = -sum_j w_j F (c_j - c_b)
     far end:  J_{n-1/2} - i_b = 0   (i_b the bulk ionic current away from the interface: fixes u_b)
   The electrode charge Q_e is minus the layer's charge by construction. */
#define PNP_C(sd, i) ((sd)->i_pc + 2 * (i))
#define PNP_P(sd, i) ((sd)->i_pc + 2 * (i) + 1)

/* ln a(c) and its derivative; the mobility weight m(c) = c (1 - c/c_max) and its derivative */
static inline double PnpLa(const SsbSide *sd, double c, double *d)
{
  if (sd->pnp_cmax > 0) {
    *d = 1 / c + 1 / (sd->pnp_cmax - c);
    return log(c) - log1p(-c / sd->pnp_cmax);
  }
  *d = 1 / c;
  return log(c);
}
static inline double PnpMob(const SsbSide *sd, double c, double *d)
{
  if (sd->pnp_cmax > 0) {
    *d = 1 - 2 * c / sd->pnp_cmax;
    return c * (1 - c / sd->pnp_cmax);
  }
  *d = 1;
  return c;
}

/* The ionic current J_{i+1/2} (A/m^2, + away from the interface) of cell i and its derivatives in
   c_i, c_{i+1}, phi_i, phi_{i+1}, u_b. */
typedef struct {
  double J, dci, dcj, dpi, dpj, du;
} PnpFlux;

static inline void PnpCellFlux(const SsbCellModel *m, const SsbSide *sd, const double *y, int i, PnpFlux *q)
{
  const int    n = sd->pnp_n;
  const double h = sd->pnp_h[i], K = SSB_FARADAY * sd->pnp_D / h, f = m->f, ub = y[sd->i_pu];
  const double ci = y[PNP_C(sd, i)], cj = i + 1 < n ? y[PNP_C(sd, i + 1)] : sd->scl_cb;
  const double pi = y[PNP_P(sd, i)], pj = i + 1 < n ? y[PNP_P(sd, i + 1)] : 0.0;
  double       dli, dlj, dmi, dmj;
  double       li = PnpLa(sd, ci, &dli), lj = PnpLa(sd, cj, &dlj), mb = 0.5 * (PnpMob(sd, ci, &dmi) + PnpMob(sd, cj, &dmj));
  double       E = lj - li + f * (pj - pi - ub * h / sd->pnp_L);
  q->J           = -K * mb * E;
  q->dci         = -K * (0.5 * dmi * E - mb * dli);
  q->dcj         = i + 1 < n ? -K * (0.5 * dmj * E + mb * dlj) : 0.0;
  q->dpi         = K * mb * f;
  q->dpj         = i + 1 < n ? -K * mb * f : 0.0;
  q->du          = K * mb * f * h / sd->pnp_L;
}

/* The layer's Li+, Poisson and far-end rows (i_b: bulk current away from the interface, in: the
   faradaic current at the plane). Returns 1 for an inadmissible state. */
static inline int PnpResidual(const SsbCellModel *m, const SsbSide *sd, const double *y, const double *yp, double in, double ib, double *F)
{
  const int    n   = sd->pnp_n;
  const double eps = sd->scl_eps, Fc = SSB_FARADAY, cb = sd->scl_cb;
  double       Jl = in, Qlay = 0;
  for (int i = 0; i < n; i++) {
    double c = y[PNP_C(sd, i)];
    if (!(c > 0) || (sd->pnp_cmax > 0 && !(c < sd->pnp_cmax))) return 1;
  }
  for (int i = 0; i < n; i++) {
    PnpFlux q;
    PnpCellFlux(m, sd, y, i, &q);
    F[PNP_C(sd, i)] = Fc * sd->pnp_w[i] * yp[PNP_C(sd, i)] + q.J - Jl;
    Jl              = q.J;
    double pl = i > 0 ? y[PNP_P(sd, i - 1)] : 0.0, pc = y[PNP_P(sd, i)], pr = i + 1 < n ? y[PNP_P(sd, i + 1)] : 0.0;
    F[PNP_P(sd, i)] = eps * ((pr - pc) / sd->pnp_h[i] - (i > 0 ? (pc - pl) / sd->pnp_h[i - 1] : 0.0)) + (i > 0 ? sd->pnp_w[i] * Fc * (y[PNP_C(sd, i)] - cb) : 0.0);
    if (i > 0) Qlay += sd->pnp_w[i] * Fc * (y[PNP_C(sd, i)] - cb);
  }
  F[PNP_P(sd, 0)] -= Qlay; /* Q_e + w_0 F (c_0 - c_b) = -(the rest of the layer's charge) */
  F[sd->i_pu] = Jl - ib;
  return 0;
}

static void PnpJacobian(const SsbCellModel *m, const SsbSide *sd, double cj, const double *y, int col_if, int col_adj, double G_end, SsbJacSink sink, void *ctx)
{
  const int    n   = sd->pnp_n;
  const double eps = sd->scl_eps, Fc = SSB_FARADAY;
  sink(ctx, PNP_C(sd, 0), sd->i_in, -1.0);
  for (int i = 0; i < n; i++) {
    PnpFlux q;
    PnpCellFlux(m, sd, y, i, &q);
    sink(ctx, PNP_C(sd, i), PNP_C(sd, i), Fc * sd->pnp_w[i] * cj);
    /* +J into row i, -J into row i + 1 (or the far-end row, +J) */
    int    rows[2] = {PNP_C(sd, i), i + 1 < n ? PNP_C(sd, i + 1) : sd->i_pu};
    double sg[2]   = {1.0, i + 1 < n ? -1.0 : 1.0};
    for (int k = 0; k < 2; k++) {
      sink(ctx, rows[k], PNP_C(sd, i), sg[k] * q.dci);
      sink(ctx, rows[k], PNP_P(sd, i), sg[k] * q.dpi);
      if (i + 1 < n) {
        sink(ctx, rows[k], PNP_C(sd, i + 1), sg[k] * q.dcj);
        sink(ctx, rows[k], PNP_P(sd, i + 1), sg[k] * q.dpj);
      }
      sink(ctx, rows[k], sd->i_pu, sg[k] * q.du);
    }
    /* Poisson */
    int r = PNP_P(sd, i);
    sink(ctx, r, PNP_P(sd, i), -eps / sd->pnp_h[i] - (i > 0 ? eps / sd->pnp_h[i - 1] : 0.0));
    if (i + 1 < n) sink(ctx, r, PNP_P(sd, i + 1), eps / sd->pnp_h[i]);
    if (i > 0) {
      sink(ctx, r, PNP_P(sd, i - 1), eps / sd->pnp_h[i - 1]);
      sink(ctx, r, PNP_C(sd, i), sd->pnp_w[i] * Fc);
      sink(ctx, PNP_P(sd, 0), PNP_C(sd, i), -sd->pnp_w[i] * Fc);
    }
  }
  /* far end: - i_b = -G_end (phi_if - phi_adjacent) */
  sink(ctx, sd->i_pu, col_if, -G_end);
  sink(ctx, sd->i_pu, col_adj, G_end);
}

/* The reaction plane of a resolved layer: the electrode charge Q_e, the drop w of coating + layer,
   the Li+ electrochemical potential at the plane in volts, referred to the bulk electrolyte's
   potential extrapolated to the plane (what the mass-action kinetics see in place of phi_e),
     phi_e,plane = phi_if + phi_0 + u_b + (R T/F) ln(a_0/a_b) - i_b L/kappa_b
   (the domain's own bulk resistance L/kappa_b is already in the separator's mesh, which spans the
   domain; at rest the Li+ electrochemical potential is uniform and phi_e,plane = phi_if exactly),
   and r = c_0/c_b (Frumkin factor). */
typedef struct {
  double Qe, w, phie, dphie_dc0, dphie_dib, r;
} PnpPlane;

static inline void PnpPlaneEval(const SsbCellModel *m, const SsbSide *sd, const double *y, double ib, PnpPlane *pl)
{
  double dla0, dlab, Q = 0;
  for (int i = 0; i < sd->pnp_n; i++) Q -= sd->pnp_w[i] * SSB_FARADAY * (y[PNP_C(sd, i)] - sd->scl_cb);
  double c0  = y[PNP_C(sd, 0)];
  double la0 = PnpLa(sd, c0, &dla0), lab = PnpLa(sd, sd->scl_cb, &dlab);
  pl->Qe        = Q;
  pl->w         = y[PNP_P(sd, 0)] + Q / sd->C_coat;
  pl->dphie_dib = -sd->pnp_L / sd->scl_kappa;
  pl->phie      = y[sd->i_phi_if] + y[PNP_P(sd, 0)] + y[sd->i_pu] + (la0 - lab) / m->f + pl->dphie_dib * ib;
  pl->dphie_dc0 = dla0 / m->f;
  pl->r         = c0 / sd->scl_cb;
}

/* A potential that is linear in the unknowns: sum of w[i] y[col[i]] + wI I. */
typedef struct {
  int    n, col[1];
  double w[1], wI;
} Lin;

static inline double LinEval(const Lin *l, const double *y, double Icur) { return (l->n ? l->w[0] * y[l->col[0]] : 0.0) + l->wI * Icur; }
static inline void   LinAdd(const Lin *l, double factor, int row, SsbJacSink sink, void *ctx)
{
  if (l->n) sink(ctx, row, l->col[0], factor * l->w[0]);
  sink(ctx, row, SSB_COL_CURRENT, factor * l->wI);
}

/* Solid potential at each electrode's separator face. */
static void FacePotentials(const SsbCellModel *m, Lin face[2])
{
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    Lin           *l  = &face[s];
    l->n              = 0;
    l->wI             = 0;
    if (s == 1) { /* positive collector at V + Icur R_s */
      l->n      = 1;
      l->col[0] = m->i_V;
      l->w[0]   = 1;
      l->wI     = m->R_series;
    }
    switch (sd->kind) {
    case SSB_ELECTRODE_LITHIUM_METAL:
      break;
    case SSB_ELECTRODE_DENSE: /* the whole current crosses the film by Ohm's law */
      l->wI += -sd->L / sd->sigma_d;
      break;
    case SSB_ELECTRODE_COMPOSITE: /* phi_s of the node next to the separator */
      l->n      = 1;
      l->col[0] = m->off[s == 0 ? sd->k0 + sd->nk - 1 : sd->k0] + OPS;
      l->w[0]   = 1;
      l->wI     = 0;
      break;
    }
  }
}

/* ------------------------------------------------------------------ concentrated electrolyte */

/* Effective properties of a layer's electrolyte at c: kappa, D, nu = (1 - t+) (1 + dln f/dln c),
   tau = 1 - t+, with their derivatives in c. */
typedef struct {
  double kap, dkap, D, dD, nu, dnu, tau, dtau;
  int    bad;
} Props;

static inline void LawProps(const SsbElectrolyteLaw *L, double c, Props *p)
{
  double d, dt, dg;
  if (L->kappa_slope > 0) {
    p->kap  = L->kappa_slope * L->kap_arr * L->eff * c;
    p->dkap = L->kappa_slope * L->kap_arr * L->eff;
  } else {
    p->kap  = L->eff * L->kap_arr * SsbFuncEval(L->kappa, c, &d);
    p->dkap = L->eff * L->kap_arr * d;
  }
  p->D      = L->eff * L->D_arr * SsbFuncEval(L->D, c, &d);
  p->dD     = L->eff * L->D_arr * d;
  double tp = SsbFuncEval(L->tplus, c, &dt), g = SsbFuncEval(L->tdf, c, &dg);
  p->tau  = 1 - tp;
  p->dtau = -dt;
  p->nu   = p->tau * g;
  p->dnu  = -dt * g + p->tau * dg;
  p->bad  = !(c > 0) || !(p->kap > 0) || !(p->D > 0);
}

/* Current i and anion "flux" Phi = D dc/dx + (1 - t+) i/F (both + in x) through the face between two
   half cells of widths hl, hr (0 for a planar electrode face), with their derivatives in
   (phi_l, phi_r, c_l, c_r):
     i   = G [(phi_l - phi_r) + (2RT/F) nu (ln c_r - ln c_l)],   G = 1/(hl/(2 kappa_l) + hr/(2 kappa_r))
     Phi = Gamma (c_r - c_l) + tau i/F,                           Gamma likewise from D
   with nu and tau the means of the two sides. */
typedef struct {
  double i, Phi, di[4], dPhi[4], G;
  double E, dG[2], kap[2];       /* for the heat's derivatives: i = G E, dG/dc_l, dG/dc_r, kappa_eff of each side */
  double Gam, D[2], tau, Ed, dc; /* for the T derivatives: Gamma, D_eff of each side, tau, E's diffusion potential, c_r - c_l */
  int    bad;
} FaceFlux;

static inline void BinaryFace(const SsbCellModel *m, const SsbElectrolyteLaw *Ll, const SsbElectrolyteLaw *Lr, double hl, double hr, double pl, double pr, double cl, double cr, FaceFlux *ff)
{
  const double F = SSB_FARADAY, RTF2 = 2.0 / m->f;
  Props        a, b;
  LawProps(Ll, cl, &a);
  LawProps(Lr, cr, &b);
  ff->bad = a.bad || b.bad;
  if (ff->bad) {
    memset(ff, 0, sizeof(*ff));
    ff->bad = 1;
    return;
  }
  double G = 1.0 / (0.5 * hl / a.kap + 0.5 * hr / b.kap), Gam = 1.0 / (0.5 * hl / a.D + 0.5 * hr / b.D);
  double dG_l = G * G * 0.5 * hl * a.dkap / (a.kap * a.kap), dG_r = G * G * 0.5 * hr * b.dkap / (b.kap * b.kap);
  double dGam_l = Gam * Gam * 0.5 * hl * a.dD / (a.D * a.D), dGam_r = Gam * Gam * 0.5 * hr * b.dD / (b.D * b.D);
  double nu = 0.5 * (a.nu + b.nu), tau = 0.5 * (a.tau + b.tau);
  double lnr = log(cr) - log(cl), E = (pl - pr) + RTF2 * nu * lnr;
  ff->G       = G;
  ff->E       = E;
  ff->dG[0]   = dG_l;
  ff->dG[1]   = dG_r;
  ff->kap[0]  = a.kap;
  ff->kap[1]  = b.kap;
  ff->Gam     = Gam;
  ff->D[0]    = a.D;
  ff->D[1]    = b.D;
  ff->tau     = tau;
  ff->Ed      = RTF2 * nu * lnr;
  ff->dc      = cr - cl;
  ff->i       = G * E;
  ff->di[0]   = G;
  ff->di[1]   = -G;
  ff->di[2]   = dG_l * E + G * RTF2 * (0.5 * a.dnu * lnr - nu / cl);
  ff->di[3]   = dG_r * E + G * RTF2 * (0.5 * b.dnu * lnr + nu / cr);
  ff->Phi     = Gam * (cr - cl) + tau * ff->i / F;
  ff->dPhi[0] = tau * G / F;
  ff->dPhi[1] = -tau * G / F;
  ff->dPhi[2] = dGam_l * (cr - cl) - Gam + 0.5 * a.dtau * ff->i / F + tau * ff->di[2] / F;
  ff->dPhi[3] = dGam_r * (cr - cl) + Gam + 0.5 * b.dtau * ff->i / F + tau * ff->di[3] / F;
}

/* The face flux of face k (0..ne) of the electrolyte (0: left end, ne: right end), with the four
   columns it depends on (-1: none). End faces at collectors carry nothing. */
static inline void BinaryFaceK(const SsbCellModel *m, const double *y, int k, FaceFlux *ff, int col[4])
{
  const int ne = m->ne;
  if (k == 0 || k == ne) {
    const SsbSide *sd = &m->side[k == 0 ? 0 : 1];
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) {
      memset(ff, 0, sizeof(*ff));
      col[0] = col[1] = col[2] = col[3] = -1;
      return;
    }
    int                      kn = k == 0 ? 0 : ne - 1, on = m->off[kn];
    const SsbElectrolyteLaw *L = &m->law[m->layer[kn]];
    double                   h = m->x.width[kn];
    if (k == 0) {
      BinaryFace(m, L, L, 0.0, h, y[sd->i_phi_if], y[on], y[sd->i_cif], y[on + 1], ff);
      col[0] = sd->i_phi_if, col[1] = on, col[2] = sd->i_cif, col[3] = on + 1;
    } else {
      BinaryFace(m, L, L, h, 0.0, y[on], y[sd->i_phi_if], y[on + 1], y[sd->i_cif], ff);
      col[0] = on, col[1] = sd->i_phi_if, col[2] = on + 1, col[3] = sd->i_cif;
    }
    return;
  }
  int o_l = m->off[k - 1], o_r = m->off[k];
  BinaryFace(m, &m->law[m->layer[k - 1]], &m->law[m->layer[k]], m->x.width[k - 1], m->x.width[k], y[o_l], y[o_r], y[o_l + 1], y[o_r + 1], ff);
  col[0] = o_l, col[1] = o_r, col[2] = o_l + 1, col[3] = o_r + 1;
}

/* Dissociation source k_d (a0 - c) - k_r c^2 per volume of electrolyte, and its derivative. */
static inline double Generation(const SsbElectrolyteLaw *L, double c, double *d)
{
  *d = -L->kd - 2 * L->kr * c;
  return L->kd * (L->a0 - c) - L->kr * c * c;
}

/* The residual; ocp (NULL, or 2 (ne + 2) entries): also the OCP and the entropic coefficient at each
   intercalation interface, for HeatSources (composite node k at 2 k, the dense side s at 2 (ne + s)),
   and phis_face the solid's face potentials. */
static int Residual(const SsbCellModel *m, const double *y, const double *yp, double Icur, double *F, double *ocp, double phis_face[2])
{
  const int ne  = m->ne;
  int       bad = 0;
  Lin       face[2];
  FacePotentials(m, face);
  phis_face[0] = LinEval(&face[0], y, Icur);
  phis_face[1] = LinEval(&face[1], y, Icur);
  double Vf    = phis_face[1] - phis_face[0];
  double ibyp  = -m->sigma_leak_L * Vf + (m->i_ugeo >= 0 ? -m->C_geo * yp[m->i_ugeo] : 0.0);
  if (m->i_ugeo >= 0) F[m->i_ugeo] = y[m->i_ugeo] - Vf;
  const double Vint = y[m->i_V] + Icur * m->R_series;

  /* electrolyte: each face flux once */
  const SsbSide *neg = &m->side[0], *pos = &m->side[1];
  double         iface[2]; /* ionic current (+x) at the negative and positive planar faces */
  if (!m->binary) {
    double iL = m->G[0] > 0 ? m->G[0] * (y[neg->i_phi_if] - y[m->off[0]]) : 0.0;
    iface[0]  = iL;
    for (int k = 0; k < ne; k++) {
      double iR    = k + 1 < ne ? m->G[k + 1] * (y[m->off[k]] - y[m->off[k + 1]]) : (m->G[ne] > 0 ? m->G[ne] * (y[m->off[ne - 1]] - y[pos->i_phi_if]) : 0.0);
      F[m->off[k]] = iR - iL;
      iL           = iR;
    }
    iface[1] = iL;
  } else {
    FaceFlux fl, fr;
    int      col[4];
    BinaryFaceK(m, y, 0, &fl, col);
    bad |= fl.bad;
    iface[0] = fl.i;
    if (neg->i_cif >= 0) F[neg->i_cif] = fl.Phi; /* blocking for anions */
    for (int k = 0; k < ne; k++) {
      const SsbElectrolyteLaw *L = &m->law[m->layer[k]];
      const int                o = m->off[k];
      double                   dr, h = m->x.width[k];
      BinaryFaceK(m, y, k + 1, &fr, col);
      bad |= fr.bad;
      F[o]     = fr.i - fl.i;
      F[o + 1] = L->eps * h * yp[o + 1] - (fr.Phi - fl.Phi) - L->eps * h * Generation(L, y[o + 1], &dr);
      fl       = fr;
    }
    iface[1] = fl.i;
    if (pos->i_cif >= 0) F[pos->i_cif] = fl.Phi;
  }

  /* planar sides */
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) continue;
    double pif = y[sd->i_phi_if], in = y[sd->i_in];
    double idl = (sd->i_u >= 0 ? sd->C_dl * yp[sd->i_u] : 0.0) + (sd->i_q >= 0 ? yp[sd->i_q] : 0.0);
    Scl    sc  = {.r = 1.0};
    if (sd->scl) {
      SclEval(m, sd, y[sd->i_q], &sc);
      bad |= !isfinite(sc.psi); /* a charge no layer holds (a Newton iterate gone astray) */
    }
    F[sd->i_phi_if] = iface[s] - sd->s * (in + idl);
    if (sd->pnp) {
      /* the layer's rows; the plane's electrochemical potential and Frumkin factor replace phi_if in
         the kinetics; the phi_if row becomes the layer's relaxation, R_relax (i_b - i_n) + w - step =
         0 (i_b - i_n = dQ_e/dt), and the electrode's charging current is (step - w)/R_relax */
      double   ib = sd->s * iface[s], stepv;
      PnpPlane pl;
      if (PnpResidual(m, sd, y, yp, in, ib, F)) return 1;
      PnpPlaneEval(m, sd, y, ib, &pl);
      if (sd->kind == SSB_ELECTRODE_LITHIUM_METAL) {
        double eta                    = phis_face[s] - pl.phie - in * (sd->R_film + sd->R_coat);
        double i0                     = sd->i0_li * pow(pl.r, sd->alpha_li);
        F[s == 1 ? m->i_V : sd->i_in] = in - SsbButlerVolmer(i0, sd->alpha_li, m->f, eta, NULL);
        F[sd->i_h]                    = yp[sd->i_h] + sd->Vm_li / SSB_FARADAY * in;
        stepv                         = SsbFuncEval(sd->scl_step, 0.0, NULL);
      } else {
        Closure z;
        IntercalationClosure(&sd->am, &sd->g, sd->R_film + sd->R_coat, m->f, pl.phie, phis_face[s], in, y + sd->i_c, pl.r, ocp != NULL, 0, &z);
        bad |= z.bad;
        if (ocp) ocp[2 * (ne + s)] = z.U, ocp[2 * (ne + s) + 1] = z.sT;
        F[s == 1 ? m->i_V : sd->i_in] = z.R;
        SsbDiffusionResidual(&sd->g, &sd->am, y + sd->i_c, yp + sd->i_c, in, F + sd->i_c);
        stepv = SsbFuncEval(sd->scl_step, z.cs / sd->am.c_max, NULL);
      }
      F[sd->i_phi_if] = sd->scl_Rrelax * (ib - in) + pl.w - stepv;
      if (s == 1) F[sd->i_in] = Icur + in + (stepv - pl.w) / sd->scl_Rrelax - ibyp;
      continue;
    }
    if (sd->kind == SSB_ELECTRODE_LITHIUM_METAL) {
      double eta                    = phis_face[s] - pif - sd->U_li - in * (sd->R_film + sc.R);
      double i0                     = sd->i0_li * (m->binary ? pow(y[sd->i_cif] / sd->c_ref, sd->alpha_li) : 1.0) * (sd->scl ? pow(sc.r, sd->alpha_li) : 1.0);
      F[s == 1 ? m->i_V : sd->i_in] = in - SsbButlerVolmer(i0, sd->alpha_li, m->f, eta, NULL);
      F[sd->i_h]                    = yp[sd->i_h] + sd->Vm_li / SSB_FARADAY * in;
      if (sd->scl) F[sd->i_q] = sd->scl_Rrelax * yp[sd->i_q] + sc.w - SsbFuncEval(sd->scl_step, 0.0, NULL);
    } else {
      Closure z;
      IntercalationClosure(&sd->am, &sd->g, sd->R_film + sc.R, m->f, pif, phis_face[s], in, y + sd->i_c, (m->binary ? y[sd->i_cif] / sd->c_ref : 1.0) * sc.r, ocp != NULL, 0, &z);
      bad |= z.bad;
      if (ocp) ocp[2 * (ne + s)] = z.U, ocp[2 * (ne + s) + 1] = z.sT;
      F[s == 1 ? m->i_V : sd->i_in] = z.R;
      SsbDiffusionResidual(&sd->g, &sd->am, y + sd->i_c, yp + sd->i_c, in, F + sd->i_c);
      if (sd->scl) F[sd->i_q] = sd->scl_Rrelax * yp[sd->i_q] + sc.w - SsbFuncEval(sd->scl_step, z.cs / sd->am.c_max, NULL);
    }
    if (sd->i_u >= 0) F[sd->i_u] = y[sd->i_u] - (phis_face[s] - pif);
    if (s == 1) F[sd->i_in] = Icur + in + idl - ibyp;
  }

  /* composite sides */
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    if (sd->kind != SSB_ELECTRODE_COMPOSITE) continue;
    const double S   = sd->sigma_eff / sd->dx;
    const int    nr  = sd->g.n;
    double       isL = s == 0 ? -2 * S * y[m->off[sd->k0] + OPS] : ibyp;
    for (int j = 0; j < sd->nk; j++) {
      int           k = sd->k0 + j, o = m->off[k];
      const double *n = y + o;
      double        isR;
      if (j + 1 < sd->nk)
        isR = S * (n[OPS] - y[m->off[k + 1] + OPS]);
      else
        isR = s == 0 ? ibyp : 2 * S * (n[OPS] - Vint);
      double idl = (sd->C_dl > 0 ? sd->C_dl * yp[o + OCS + nr] : 0.0) + (sd->scl ? yp[o + sd->o_q] : 0.0);
      double src = sd->dx * sd->a_s * (n[OIN] + idl);
      F[o + OPS] = isR - isL + src;
      F[o] -= src;
      isL    = isR;
      Scl sc = {.r = 1.0};
      if (sd->scl) SclEval(m, sd, n[sd->o_q], &sc);
      Closure z;
      IntercalationClosure(&sd->am, &sd->g, sd->R_film + sc.R, m->f, n[0], n[OPS], n[OIN], n + OCS, (m->binary ? n[1] / sd->c_ref : 1.0) * sc.r, ocp != NULL, 0, &z);
      bad |= z.bad | !isfinite(sc.psi);
      if (ocp) ocp[2 * k] = z.U, ocp[2 * k + 1] = z.sT;
      F[o + OIN] = z.R;
      SsbDiffusionResidual(&sd->g, &sd->am, n + OCS, yp + o + OCS, n[OIN], F + o + OCS);
      if (sd->C_dl > 0) F[o + OCS + nr] = n[OCS + nr] - (n[OPS] - n[0]);
      if (sd->scl) F[o + sd->o_q] = sd->scl_Rrelax * yp[o + sd->o_q] + sc.w - SsbFuncEval(sd->scl_step, z.cs / sd->am.c_max, NULL);
    }
    if (s == 1) F[m->i_V] = 2 * S * (y[m->off[sd->k0 + sd->nk - 1] + OPS] - Vint) - Icur;
  }
  return bad;
}

int SsbCellResidual(const SsbCellModel *m, const double *y, const double *yp, double Icur, double *F)
{
  double phis_face[2];
  return Residual(m, y, yp, Icur, F, NULL, phis_face);
}

int SsbCellJacobian(const SsbCellModel *m, double cj, const double *y, const double *yp, double Icur, SsbJacSink sink, void *ctx)
{
  const int ne  = m->ne;
  int       bad = 0;
  Lin       face[2];
  FacePotentials(m, face);
  double         phis_face[2] = {LinEval(&face[0], y, Icur), LinEval(&face[1], y, Icur)};
  const SsbSide *neg = &m->side[0], *pos = &m->side[1];

  /* d ibyp = -sigma_leak_L d Vf - C_geo cj d u_geo; added to `row` times factor */
#define ADD_BYPASS(row, factor)                                              \
  do {                                                                       \
    LinAdd(&face[1], -(factor)*m->sigma_leak_L, (row), sink, ctx);           \
    LinAdd(&face[0], (factor)*m->sigma_leak_L, (row), sink, ctx);            \
    if (m->i_ugeo >= 0) sink(ctx, (row), m->i_ugeo, -(factor)*m->C_geo *cj); \
  } while (0)

  if (m->i_ugeo >= 0) {
    sink(ctx, m->i_ugeo, m->i_ugeo, 1.0);
    LinAdd(&face[1], -1.0, m->i_ugeo, sink, ctx);
    LinAdd(&face[0], 1.0, m->i_ugeo, sink, ctx);
  }

  /* electrolyte rows */
  FaceFlux ffe[2]; /* binary: the fluxes at the two end faces, for the planar rows */
  int      cole[2][4];
  if (m->binary) {
    /* every face once: +i/-Phi into the left node's rows, -i/+Phi into the right node's */
    for (int k = 0; k <= ne; k++) {
      FaceFlux ff;
      int      col[4];
      BinaryFaceK(m, y, k, &ff, col);
      bad |= ff.bad;
      if (k == 0 || k == ne) {
        ffe[k ? 1 : 0] = ff;
        memcpy(cole[k ? 1 : 0], col, sizeof(col));
        if (col[0] < 0) continue;
      }
      for (int q = 0; q < 4; q++) {
        if (k > 0) {
          sink(ctx, m->off[k - 1], col[q], ff.di[q]);
          sink(ctx, m->off[k - 1] + 1, col[q], -ff.dPhi[q]);
        }
        if (k < ne) {
          sink(ctx, m->off[k], col[q], -ff.di[q]);
          sink(ctx, m->off[k] + 1, col[q], ff.dPhi[q]);
        }
      }
      /* the anion balance of a planar face: Phi = 0 */
      if (k == 0 && m->side[0].i_cif >= 0)
        for (int q = 0; q < 4; q++) sink(ctx, m->side[0].i_cif, col[q], ff.dPhi[q]);
      if (k == ne && m->side[1].i_cif >= 0)
        for (int q = 0; q < 4; q++) sink(ctx, m->side[1].i_cif, col[q], ff.dPhi[q]);
    }
    for (int k = 0; k < ne; k++) { /* storage and generation */
      const SsbElectrolyteLaw *L = &m->law[m->layer[k]];
      double                   dr, h = m->x.width[k];
      Generation(L, y[m->off[k] + 1], &dr);
      sink(ctx, m->off[k] + 1, m->off[k] + 1, L->eps * h * (cj - dr));
    }
  }
  for (int k = 0; k < ne && !m->binary; k++) {
    int r = m->off[k];
    if (k == 0 && m->G[0] > 0) {
      sink(ctx, r, neg->i_phi_if, -m->G[0]);
      sink(ctx, r, r, m->G[0]);
    } else if (k > 0) {
      sink(ctx, r, m->off[k - 1], -m->G[k]);
      sink(ctx, r, r, m->G[k]);
    }
    if (k + 1 < ne) {
      sink(ctx, r, r, m->G[k + 1]);
      sink(ctx, r, m->off[k + 1], -m->G[k + 1]);
    } else if (m->G[ne] > 0) {
      sink(ctx, r, r, m->G[ne]);
      sink(ctx, r, pos->i_phi_if, -m->G[ne]);
    }
  }

  /* planar sides */
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) continue;
    /* rows: the positive side's closure sits in the V row and its current balance in the i_n row,
       so both have non-zero diagonals (LU without pivoting) */
    int    rif = sd->i_phi_if, rin = sd->i_in, rcl = s == 1 ? m->i_V : rin;
    double pif = y[rif], in = y[rin];
    if (sd->pnp) {
      const int    col_adj = s == 0 ? m->off[0] : m->off[ne - 1], c0 = PNP_C(sd, 0), p0 = PNP_P(sd, 0);
      const double G_end = s == 0 ? m->G[0] : m->G[ne], R = sd->scl_Rrelax, cm = sd->am.c_max;
      double       ds_din = 0, ds_dN = 0, ds_dN1 = 0; /* derivatives of step(x_s) */
      int          nd = sd->g.n;
      PnpPlane     pl;
      PnpJacobian(m, sd, cj, y, rif, col_adj, G_end, sink, ctx);
      PnpPlaneEval(m, sd, y, G_end * (pif - y[col_adj]), &pl);
      const double dpe_if = 1.0 + pl.dphie_dib * G_end, dpe_adj = -pl.dphie_dib * G_end; /* phi_e,plane in phi_if, phi_adjacent */
      if (sd->kind == SSB_ELECTRODE_LITHIUM_METAL) {
        const double Rt = sd->R_film + sd->R_coat;
        double       dbv, eta = phis_face[s] - pl.phie - in * Rt, i0 = sd->i0_li * pow(pl.r, sd->alpha_li);
        double       bv = SsbButlerVolmer(i0, sd->alpha_li, m->f, eta, &dbv);
        sink(ctx, rcl, rin, 1.0 + dbv * Rt);
        sink(ctx, rcl, rif, dbv * dpe_if);
        sink(ctx, rcl, col_adj, dbv * dpe_adj);
        sink(ctx, rcl, p0, dbv);
        sink(ctx, rcl, sd->i_pu, dbv);
        sink(ctx, rcl, c0, dbv * pl.dphie_dc0 - bv * sd->alpha_li / y[c0]);
        LinAdd(&face[s], -dbv, rcl, sink, ctx);
        sink(ctx, sd->i_h, sd->i_h, cj);
        sink(ctx, sd->i_h, rin, sd->Vm_li / SSB_FARADAY);
      } else {
        Closure z;
        double  dstep;
        IntercalationClosure(&sd->am, &sd->g, sd->R_film + sd->R_coat, m->f, pl.phie, phis_face[s], in, y + sd->i_c, pl.r, 0, 1, &z);
        bad |= z.bad;
        sink(ctx, rcl, rin, z.d_in);
        sink(ctx, rcl, rif, z.d_phie * dpe_if);
        sink(ctx, rcl, col_adj, z.d_phie * dpe_adj);
        sink(ctx, rcl, p0, z.d_phie);
        sink(ctx, rcl, sd->i_pu, z.d_phie);
        sink(ctx, rcl, c0, z.d_phie * pl.dphie_dc0 + z.d_ce / sd->scl_cb);
        LinAdd(&face[s], z.d_phis, rcl, sink, ctx);
        sink(ctx, rcl, sd->i_c + nd - 1, z.d_cN);
        if (nd > 1) sink(ctx, rcl, sd->i_c + nd - 2, z.d_cN1);
        DiffusionJacobian(&sd->g, &sd->am, y + sd->i_c, cj, sd->i_c, rin, sink, ctx);
        SsbFuncEval(sd->scl_step, z.cs / cm, &dstep);
        ds_din = dstep / cm * z.dcs_di;
        ds_dN  = dstep / cm * z.dcs_dN;
        ds_dN1 = dstep / cm * z.dcs_dN1;
      }
      /* relaxation row: R (i_b - i_n) + w - step */
      sink(ctx, rif, rif, R * G_end);
      sink(ctx, rif, col_adj, -R * G_end);
      sink(ctx, rif, rin, -R - ds_din);
      sink(ctx, rif, p0, 1.0);
      if (sd->kind == SSB_ELECTRODE_DENSE) {
        sink(ctx, rif, sd->i_c + nd - 1, -ds_dN);
        if (nd > 1) sink(ctx, rif, sd->i_c + nd - 2, -ds_dN1);
      }
      if (isfinite(sd->C_coat))
        for (int i = 0; i < sd->pnp_n; i++) sink(ctx, rif, PNP_C(sd, i), -sd->pnp_w[i] * SSB_FARADAY / sd->C_coat);
      if (s == 1) { /* current balance: Icur + i_n + (step - w)/R - i_bypass */
        sink(ctx, rin, SSB_COL_CURRENT, 1.0);
        sink(ctx, rin, rin, 1.0 + ds_din / R);
        sink(ctx, rin, p0, -1.0 / R);
        if (sd->kind == SSB_ELECTRODE_DENSE) {
          sink(ctx, rin, sd->i_c + nd - 1, ds_dN / R);
          if (nd > 1) sink(ctx, rin, sd->i_c + nd - 2, ds_dN1 / R);
        }
        if (isfinite(sd->C_coat))
          for (int i = 0; i < sd->pnp_n; i++) sink(ctx, rin, PNP_C(sd, i), sd->pnp_w[i] * SSB_FARADAY / (sd->C_coat * R));
        ADD_BYPASS(rin, -1.0);
      }
      continue;
    }
    /* face continuity */
    if (m->binary)
      for (int q = 0; q < 4; q++) sink(ctx, rif, cole[s][q], ffe[s].di[q]);
    else if (s == 0) {
      sink(ctx, rif, rif, m->G[0]);
      sink(ctx, rif, m->off[0], -m->G[0]);
    } else {
      sink(ctx, rif, rif, -m->G[ne]);
      sink(ctx, rif, m->off[ne - 1], m->G[ne]);
    }
    sink(ctx, rif, rin, -sd->s);
    if (sd->i_u >= 0) sink(ctx, rif, sd->i_u, -sd->s * sd->C_dl * cj);
    if (sd->i_q >= 0) sink(ctx, rif, sd->i_q, -sd->s * cj);
    Scl sc = {.r = 1.0};
    if (sd->scl) {
      SclEval(m, sd, y[sd->i_q], &sc);
      /* the Q row: R_relax dQ/dt + w(Q) - step(x) */
      sink(ctx, sd->i_q, sd->i_q, sc.dw_dQ + cj * sd->scl_Rrelax);
    }
    /* closure */
    if (sd->kind == SSB_ELECTRODE_LITHIUM_METAL) {
      const double Rt = sd->R_film + sc.R;
      double       dbv, eta = phis_face[s] - pif - sd->U_li - in * Rt;
      double       ratio = m->binary ? y[sd->i_cif] / sd->c_ref : 1.0, i0 = sd->i0_li * (m->binary ? pow(ratio, sd->alpha_li) : 1.0) * (sd->scl ? pow(sc.r, sd->alpha_li) : 1.0);
      double       bv = SsbButlerVolmer(i0, sd->alpha_li, m->f, eta, &dbv);
      if (m->binary) sink(ctx, rcl, sd->i_cif, -bv * sd->alpha_li / y[sd->i_cif]);
      sink(ctx, rcl, rin, 1.0 + dbv * Rt);
      sink(ctx, rcl, rif, dbv);
      LinAdd(&face[s], -dbv, rcl, sink, ctx);
      if (sd->scl) sink(ctx, rcl, sd->i_q, -bv * sd->alpha_li * sc.dlnr_dQ + dbv * in * sc.dR_dQ);
      sink(ctx, sd->i_h, sd->i_h, cj);
      sink(ctx, sd->i_h, rin, sd->Vm_li / SSB_FARADAY);
    } else {
      Closure z;
      int     nd = sd->g.n;
      IntercalationClosure(&sd->am, &sd->g, sd->R_film + sc.R, m->f, pif, phis_face[s], in, y + sd->i_c, (m->binary ? y[sd->i_cif] / sd->c_ref : 1.0) * sc.r, 0, 1, &z);
      bad |= z.bad;
      sink(ctx, rcl, rin, z.d_in);
      sink(ctx, rcl, rif, z.d_phie);
      LinAdd(&face[s], z.d_phis, rcl, sink, ctx);
      sink(ctx, rcl, sd->i_c + nd - 1, z.d_cN);
      if (nd > 1) sink(ctx, rcl, sd->i_c + nd - 2, z.d_cN1);
      if (m->binary) sink(ctx, rcl, sd->i_cif, z.d_ce / sd->c_ref);
      DiffusionJacobian(&sd->g, &sd->am, y + sd->i_c, cj, sd->i_c, rin, sink, ctx);
      if (sd->scl) {
        double dstep, cm = sd->am.c_max;
        SsbFuncEval(sd->scl_step, z.cs / cm, &dstep);
        double dF_dcs = -dstep / cm;
        sink(ctx, rcl, sd->i_q, -z.bv * sd->am.alpha * sc.dlnr_dQ + z.dbv_de * in * sc.dR_dQ);
        sink(ctx, sd->i_q, sd->i_c + nd - 1, dF_dcs * z.dcs_dN);
        if (nd > 1) sink(ctx, sd->i_q, sd->i_c + nd - 2, dF_dcs * z.dcs_dN1);
        sink(ctx, sd->i_q, rin, dF_dcs * z.dcs_di);
      }
    }
    if (sd->i_u >= 0) {
      sink(ctx, sd->i_u, sd->i_u, 1.0);
      LinAdd(&face[s], -1.0, sd->i_u, sink, ctx);
      sink(ctx, sd->i_u, rif, 1.0);
    }
    if (s == 1) { /* current balance (in the i_n row): Icur + i_n + i_dl - i_bypass */
      sink(ctx, rin, SSB_COL_CURRENT, 1.0);
      sink(ctx, rin, rin, 1.0);
      if (sd->i_u >= 0) sink(ctx, rin, sd->i_u, sd->C_dl * cj);
      if (sd->i_q >= 0) sink(ctx, rin, sd->i_q, cj);
      ADD_BYPASS(rin, -1.0);
    }
  }

  /* composite sides */
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    if (sd->kind != SSB_ELECTRODE_COMPOSITE) continue;
    const double S = sd->sigma_eff / sd->dx, src = sd->dx * sd->a_s;
    const int    nr = sd->g.n;
    for (int j = 0; j < sd->nk; j++) {
      int           k = sd->k0 + j, o = m->off[k];
      const double *n = y + o;
      /* solid row: left face */
      if (j == 0) {
        if (s == 0)
          sink(ctx, o + OPS, o + OPS, 2 * S); /* -isL = 2 S phi_s */
        else
          ADD_BYPASS(o + OPS, -1.0);
      } else {
        sink(ctx, o + OPS, o + OPS, S);
        sink(ctx, o + OPS, m->off[k - 1] + OPS, -S);
      }
      /* right face */
      if (j + 1 < sd->nk) {
        sink(ctx, o + OPS, o + OPS, S);
        sink(ctx, o + OPS, m->off[k + 1] + OPS, -S);
      } else if (s == 0)
        ADD_BYPASS(o + OPS, 1.0);
      else {
        sink(ctx, o + OPS, o + OPS, 2 * S);
        sink(ctx, o + OPS, m->i_V, -2 * S);
        sink(ctx, o + OPS, SSB_COL_CURRENT, -2 * S * m->R_series);
      }
      /* reaction and double-layer sources */
      sink(ctx, o + OPS, o + OIN, src);
      sink(ctx, o, o + OIN, -src);
      if (sd->C_dl > 0) {
        sink(ctx, o + OPS, o + OCS + nr, src * sd->C_dl * cj);
        sink(ctx, o, o + OCS + nr, -src * sd->C_dl * cj);
      }
      Scl sc = {.r = 1.0};
      if (sd->scl) {
        sink(ctx, o + OPS, o + sd->o_q, src * cj);
        sink(ctx, o, o + sd->o_q, -src * cj);
        SclEval(m, sd, n[sd->o_q], &sc);
      }
      /* closure */
      Closure z;
      IntercalationClosure(&sd->am, &sd->g, sd->R_film + sc.R, m->f, n[0], n[OPS], n[OIN], n + OCS, (m->binary ? n[1] / sd->c_ref : 1.0) * sc.r, 0, 1, &z);
      bad |= z.bad;
      if (sd->scl) {
        /* the Q row: R_relax dQ/dt + w(Q) - step(x), and Q in the closure */
        int    oq = o + sd->o_q;
        double dstep, cm = sd->am.c_max;
        SsbFuncEval(sd->scl_step, z.cs / cm, &dstep);
        double dF_dcs = -dstep / cm;
        sink(ctx, o + OIN, oq, -z.bv * sd->am.alpha * sc.dlnr_dQ + z.dbv_de * n[OIN] * sc.dR_dQ);
        sink(ctx, oq, oq, sc.dw_dQ + cj * sd->scl_Rrelax);
        sink(ctx, oq, o + OCS + nr - 1, dF_dcs * z.dcs_dN);
        if (nr > 1) sink(ctx, oq, o + OCS + nr - 2, dF_dcs * z.dcs_dN1);
        sink(ctx, oq, o + OIN, dF_dcs * z.dcs_di);
      }
      sink(ctx, o + OIN, o, z.d_phie);
      sink(ctx, o + OIN, o + OPS, z.d_phis);
      sink(ctx, o + OIN, o + OIN, z.d_in);
      sink(ctx, o + OIN, o + OCS + nr - 1, z.d_cN);
      if (m->binary) sink(ctx, o + OIN, o + 1, z.d_ce / sd->c_ref);
      if (nr > 1) sink(ctx, o + OIN, o + OCS + nr - 2, z.d_cN1);
      DiffusionJacobian(&sd->g, &sd->am, n + OCS, cj, o + OCS, o + OIN, sink, ctx);
      if (sd->C_dl > 0) {
        sink(ctx, o + OCS + nr, o + OCS + nr, 1.0);
        sink(ctx, o + OCS + nr, o + OPS, -1.0);
        sink(ctx, o + OCS + nr, o, 1.0);
      }
    }
    if (s == 1) { /* V row */
      int oN = m->off[sd->k0 + sd->nk - 1] + OPS;
      sink(ctx, m->i_V, oN, 2 * S);
      sink(ctx, m->i_V, m->i_V, -2 * S);
      sink(ctx, m->i_V, SSB_COL_CURRENT, -2 * S * m->R_series - 1.0);
    }
  }
#undef ADD_BYPASS
  return bad;
}

/* ------------------------------------------------------------------ states and diagnostics */

static double MeanConcentration(const SsbDiffGrid *g, const double *c)
{
  double s = 0, v = 0;
  for (int i = 0; i < g->n; i++) {
    s += g->V[i] * c[i];
    v += g->V[i];
  }
  return s / v;
}

double SsbCellSurfaceStoichiometry(const SsbCellModel *m, const double *y, int k)
{
  if (k >= 0) {
    const SsbSide *sd = NodeSide(m, k);
    const double  *n  = y + m->off[k];
    return SsbDiffusionSurface(&sd->g, &sd->am, n + OCS, n[OIN], NULL, NULL, NULL) / sd->am.c_max;
  }
  const SsbSide *sd = &m->side[-1 - k];
  return SsbDiffusionSurface(&sd->g, &sd->am, y + sd->i_c, y[sd->i_in], NULL, NULL, NULL) / sd->am.c_max;
}

double SsbCellSurfaceMargin(const SsbCellModel *m, const double *y, int *side, double *x_at)
{
  double margin = INFINITY;
  int    sd_at  = -1;
  double xa     = NAN;
  for (int k = 0; k < m->ne; k++) {
    if (!IsComposite(m, k)) continue;
    const double x = SsbCellSurfaceStoichiometry(m, y, k), mk = PetscMin(x, 1 - x);
    if (mk < margin) margin = mk, sd_at = m->layer[k] / 2, xa = x;
  }
  for (int s = 0; s < 2; s++) {
    if (m->side[s].kind != SSB_ELECTRODE_DENSE) continue;
    const double x = SsbCellSurfaceStoichiometry(m, y, -1 - s), mk = PetscMin(x, 1 - x);
    if (mk < margin) margin = mk, sd_at = s, xa = x;
  }
  if (side) *side = sd_at;
  if (x_at) *x_at = xa;
  return margin;
}

/* Open-circuit potential of each electrode's surfaces, averaged; the OCV of the cell. */
static double SideOCP(const SsbCellModel *m, const double *y, int s)
{
  const SsbSide *sd = &m->side[s];
  if (sd->kind == SSB_ELECTRODE_LITHIUM_METAL) return sd->U_li;
  if (sd->kind == SSB_ELECTRODE_DENSE) return OCP(&sd->am, SsbDiffusionSurface(&sd->g, &sd->am, y + sd->i_c, 0.0, NULL, NULL, NULL) / sd->am.c_max, NULL);
  double u = 0;
  for (int j = 0; j < sd->nk; j++) u += OCP(&sd->am, SsbDiffusionSurface(&sd->g, &sd->am, y + m->off[sd->k0 + j] + OCS, 0.0, NULL, NULL, NULL) / sd->am.c_max, NULL);
  return u / sd->nk;
}

void SsbCellRestGuess(const SsbCellModel *m, double *y)
{
  double U[2] = {SideOCP(m, y, 0), SideOCP(m, y, 1)};
  for (int k = 0; k < m->ne; k++) {
    y[m->off[k]] = -U[0]; /* electrolyte at the negative's equilibrium with phi_s = 0 */
    if (IsComposite(m, k)) {
      const SsbSide *sd  = NodeSide(m, k);
      y[m->off[k] + OPS] = m->layer[k] == 0 ? 0.0 : U[1] - U[0];
      y[m->off[k] + OIN] = 0;
      if (sd->C_dl > 0) y[m->off[k] + OCS + sd->g.n] = y[m->off[k] + OPS] - y[m->off[k]];
    }
  }
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) continue;
    y[sd->i_phi_if] = -U[0];
    y[sd->i_in]     = 0;
    if (sd->pnp) y[sd->i_pu] = 0; /* no bulk field at rest */
    if (sd->i_u >= 0) y[sd->i_u] = (s == 0 ? 0.0 : U[1] - U[0]) + U[0];
  }
  y[m->i_V] = U[1] - U[0];
  if (m->i_ugeo >= 0) y[m->i_ugeo] = y[m->i_V];
}

void SsbCellInitialState(const SsbCellModel *m, double *y, double *yp)
{
  memset(y, 0, sizeof(double) * m->nvar);
  memset(yp, 0, sizeof(double) * m->nvar);
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    if (sd->kind == SSB_ELECTRODE_LITHIUM_METAL) y[sd->i_h] = sd->h0;
    if (sd->kind == SSB_ELECTRODE_DENSE)
      for (int i = 0; i < sd->g.n; i++) y[sd->i_c + i] = sd->am.x0 * sd->am.c_max;
  }
  for (int k = 0; k < m->ne && m->binary; k++) y[m->off[k] + 1] = m->law[m->layer[k]].c0;
  for (int s = 0; s < 2; s++)
    if (m->side[s].i_cif >= 0) y[m->side[s].i_cif] = m->law[1].c0;
  for (int k = 0; k < m->ne; k++)
    if (IsComposite(m, k)) {
      const SsbSide *sd = NodeSide(m, k);
      for (int i = 0; i < sd->g.n; i++) y[m->off[k] + OCS + i] = sd->am.x0 * sd->am.c_max;
      if (sd->scl) y[m->off[k] + sd->o_q] = sd->scl_Q0;
    }
  for (int s = 0; s < 2; s++)
    if (m->side[s].i_q >= 0) y[m->side[s].i_q] = m->side[s].scl_Q0;
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    for (int i = 0; sd->pnp && i < sd->pnp_n; i++) {
      y[sd->i_pc + 2 * i]     = sd->pnp_c_init[i];
      y[sd->i_pc + 2 * i + 1] = sd->pnp_phi_init[i];
    }
  }
  SsbCellRestGuess(m, y);
}

/* The heat of a cell (W/m^2): irreversible and reversible, by kind and by layer (see SsbCellDiag). */
typedef struct {
  double heat, heat_rev, h_ohm, h_rxn, hl[3];
} HeatSum;

static void HeatSources(const SsbCellModel *m, const double *y, double Icur, const double phis_face[2], const double *ocp, HeatSum *hs)
{
  const int ne = m->ne;
  double    Vf = phis_face[1] - phis_face[0], heat = 0, heat_rev = 0;
  /* irreversible heat: ohmic at every face, reaction (incl. film) at every interface, the dense
     films' and the series resistance's ohmic heat, leakage */
  /* every contribution is also booked to the layer it arises in (hl: negative, separator,
     positive); a face between two layers gives half to each */
  double hl[3] = {0, 0, 0}, h_ohm = 0, h_rxn = 0; /* by kind: ohmic (ionic, electronic, leakage), reaction */
#define FACE_HEAT(k, v)                                                                \
  do {                                                                                 \
    double v_ = (v);                                                                   \
    int    a_ = m->layer[(k) > 0 ? (k)-1 : 0], b_ = m->layer[(k) < ne ? (k) : ne - 1]; \
    hl[a_] += 0.5 * v_;                                                                \
    hl[b_] += 0.5 * v_;                                                                \
    heat += v_;                                                                        \
    h_ohm += v_;                                                                       \
  } while (0)
  for (int k = 0; k <= ne && m->binary; k++) { /* ohmic and diffusion-potential dissipation i E = i^2/G */
    FaceFlux ff;
    int      col[4];
    BinaryFaceK(m, y, k, &ff, col);
    if (col[0] >= 0 && !ff.bad) FACE_HEAT(k, ff.i * ff.i / ff.G);
  }
  for (int k = 0; k <= ne && !m->binary; k++) {
    if (m->G[k] <= 0) continue;
    double i;
    if (k == 0)
      i = m->G[0] * (y[m->side[0].i_phi_if] - y[m->off[0]]);
    else if (k == ne)
      i = m->G[ne] * (y[m->off[ne - 1]] - y[m->side[1].i_phi_if]);
    else
      i = m->G[k] * (y[m->off[k - 1]] - y[m->off[k]]);
    FACE_HEAT(k, i * i / m->G[k]);
  }
#undef FACE_HEAT
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    double         h0 = heat + heat_rev; /* this electrode's share, booked to its layer below */
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) {
      double S = sd->sigma_eff / sd->dx;
      for (int j = 0; j < sd->nk; j++) {
        int           k = sd->k0 + j;
        const double *n = y + m->off[k];
        if (j + 1 < sd->nk) {
          double is = S * (n[OPS] - y[m->off[k + 1] + OPS]);
          heat += is * is / S;
          h_ohm += is * is / S;
        }
        double U, sT;
        if (ocp)
          U = ocp[2 * k], sT = ocp[2 * k + 1];
        else {
          double cs = SsbDiffusionSurface(&sd->g, &sd->am, n + OCS, n[OIN], NULL, NULL, NULL);
          U         = OCPS(&sd->am, cs / sd->am.c_max, NULL, &sT);
        }
        double qr = sd->dx * sd->a_s * n[OIN] * (n[OPS] - n[0] - U);
        heat += qr;
        h_rxn += qr;
        heat_rev += sd->dx * sd->a_s * n[OIN] * m->T * sT;
      }
      /* collector half cell */
      int    kc = s == 0 ? sd->k0 : sd->k0 + sd->nk - 1;
      double pc = s == 0 ? 0.0 : y[m->i_V] + Icur * m->R_series;
      double is = 2 * S * (y[m->off[kc] + OPS] - pc);
      heat += is * is / (2 * S);
      h_ohm += is * is / (2 * S);
    } else {
      double pif = y[sd->i_phi_if], in = y[sd->i_in];
      double U = sd->U_li, sT = 0;
      if (sd->kind == SSB_ELECTRODE_DENSE) {
        if (ocp)
          U = ocp[2 * (ne + s)], sT = ocp[2 * (ne + s) + 1];
        else
          U = OCPS(&sd->am, SsbCellSurfaceStoichiometry(m, y, -1 - s), NULL, &sT);
      }
      heat += in * (phis_face[s] - pif - U);
      h_rxn += in * (phis_face[s] - pif - U);
      if (sd->kind == SSB_ELECTRODE_DENSE) heat_rev += in * m->T * sT;
      if (sd->kind == SSB_ELECTRODE_DENSE) {
        heat += Icur * Icur * sd->L / sd->sigma_d;
        h_ohm += Icur * Icur * sd->L / sd->sigma_d;
      }
    }
    hl[2 * s] += heat + heat_rev - h0;
  }
  heat += Icur * Icur * m->R_series + m->sigma_leak_L * Vf * Vf;
  hl[2] += Icur * Icur * m->R_series; /* at the positive terminal */
  hl[1] += m->sigma_leak_L * Vf * Vf;
  hs->heat     = heat;
  hs->heat_rev = heat_rev;
  hs->h_ohm    = h_ohm;
  hs->h_rxn    = h_rxn;
  for (int l = 0; l < 3; l++) hs->hl[l] = hl[l];
}

void SsbCellHeat(const SsbCellModel *m, const double *y, double Icur, double heat_layer[3], double *total)
{
  Lin     face[2];
  HeatSum hs;
  FacePotentials(m, face);
  double phis_face[2] = {LinEval(&face[0], y, Icur), LinEval(&face[1], y, Icur)};
  HeatSources(m, y, Icur, phis_face, NULL, &hs);
  for (int l = 0; l < 3; l++) heat_layer[l] = hs.hl[l];
  *total = hs.heat + hs.heat_rev;
}

/* the most electrolyte nodes whose interface OCPs SsbCellResidualHeat keeps on the stack (beyond,
   the heat evaluates them again: the same numbers) */
#define SSB_HEAT_NODES 512

int SsbCellResidualHeat(const SsbCellModel *m, const double *y, const double *yp, double Icur, double *F, double heat_layer[3], double *total)
{
  double  ocp[2 * (SSB_HEAT_NODES + 2)], phis_face[2];
  HeatSum hs;
  if (m->ne > SSB_HEAT_NODES) {
    int bad = SsbCellResidual(m, y, yp, Icur, F);
    SsbCellHeat(m, y, Icur, heat_layer, total);
    return bad;
  }
  int bad = Residual(m, y, yp, Icur, F, ocp, phis_face);
  if (bad) { /* an interface's OCP may be missing: no heat (the caller discards it) */
    for (int l = 0; l < 3; l++) heat_layer[l] = 0;
    *total = 0;
    return bad;
  }
  HeatSources(m, y, Icur, phis_face, ocp, &hs);
  for (int l = 0; l < 3; l++) heat_layer[l] = hs.hl[l];
  *total = hs.heat + hs.heat_rev;
  return 0;
}

void SsbCellDiagnostics(const SsbCellModel *m, const double *y, const double *yp, double Icur, SsbCellDiag *d)
{
  Lin face[2];
  FacePotentials(m, face);
  double phis_face[2] = {LinEval(&face[0], y, Icur), LinEval(&face[1], y, Icur)};
  double Vf           = phis_face[1] - phis_face[0];
  double ileak = -m->sigma_leak_L * Vf, igeo = m->i_ugeo >= 0 ? -m->C_geo * yp[m->i_ugeo] : 0.0;
  d->leak    = ileak + igeo;
  d->voltage = y[m->i_V];
  /* inventories and stoichiometries */
  double xs[2] = {NAN, NAN}, soc = NAN, cap = INFINITY;
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    d->x_mean[s]      = NAN;
    if (sd->kind == SSB_ELECTRODE_LITHIUM_METAL) {
      d->li[s] = y[sd->i_h] / sd->Vm_li;
      continue;
    }
    double li = 0;
    if (sd->kind == SSB_ELECTRODE_DENSE)
      li = sd->L * MeanConcentration(&sd->g, y + sd->i_c);
    else
      for (int j = 0; j < sd->nk; j++) li += sd->dx * sd->eps_active * MeanConcentration(&sd->g, y + m->off[sd->k0 + j] + OCS);
    d->li[s]     = li;
    d->x_mean[s] = li / (sd->eps_active * sd->L * sd->am.c_max);
    xs[s]        = d->x_mean[s];
    if (sd->capacity <= cap) { /* the limiting electrode (the positive when equal) defines SOC */
      cap = sd->capacity;
      soc = (sd->am.x_discharged - xs[s]) / (sd->am.x_discharged - sd->am.x_charged);
    }
  }
  d->soc = soc;
  {
    double U[2] = {0, 0};
    for (int s = 0; s < 2; s++) U[s] = isnan(xs[s]) ? m->side[s].U_li : OCP(&m->side[s].am, xs[s], NULL);
    d->ocv = U[1] - U[0];
  }
  HeatSum hs;
  HeatSources(m, y, Icur, phis_face, NULL, &hs);
  /* compact space-charge layers: the mean over a composite's particle surfaces */
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    d->scl_dphi[s] = d->scl_dcoat[s] = d->scl_sigma[s] = d->scl_C[s] = d->scl_R[s] = NAN;
    if (!sd->scl) continue;
    int    nq   = sd->kind == SSB_ELECTRODE_COMPOSITE ? sd->nk : 1;
    double a[5] = {0, 0, 0, 0, 0};
    for (int j = 0; j < nq; j++) {
      double Q = sd->kind == SSB_ELECTRODE_COMPOSITE ? y[m->off[sd->k0 + j] + sd->o_q] : y[sd->i_q];
      Scl    sc;
      SclEval(m, sd, Q, &sc);
      a[0] += sc.dphi;
      a[1] += Q / sd->C_coat;
      a[2] += -Q;
      a[3] += 1.0 / sc.dw_dQ;
      a[4] += sc.R;
    }
    d->scl_dphi[s]  = a[0] / nq;
    d->scl_dcoat[s] = a[1] / nq;
    d->scl_sigma[s] = a[2] / nq;
    d->scl_C[s]     = a[3] / nq;
    d->scl_R[s]     = a[4] / nq;
  }
  /* resolved layers: drop phi_0, the layer's charge (the electrode holds minus it), the equilibrium
     capacitance of the profile in series with the coating's, and the excess dc resistance of the
     discrete layer sum_i h_i (m_b/m_{i+1/2} - 1)/kappa_b (the Nernst-Planck faces' resistances less
     the bulk's) plus the coating's */
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    d->pnp_Qfield[s] = d->pnp_neutrality[s] = 0;
    if (!sd->pnp) continue;
    const int n = sd->pnp_n;
    PnpPlane  pl;
    double    Rl = 0, dm, mb = PnpMob(sd, sd->scl_cb, &dm);
    PnpPlaneEval(m, sd, y, 0.0, &pl); /* Q_e only */
    double Cd = SsbSclDiscreteCapacitance(sd->scl_theta, n, sd->pnp_x, sd->scl_lam, y + PNP_P(sd, 0), 2, m->f) * sd->scl_eps / sd->scl_lam;
    for (int i = 0; i < n; i++) {
      double ci = y[PNP_C(sd, i)], cj = i + 1 < n ? y[PNP_C(sd, i + 1)] : sd->scl_cb;
      double mf = 0.5 * (PnpMob(sd, ci, &dm) + PnpMob(sd, cj, &dm));
      Rl += sd->pnp_h[i] * (mb / mf - 1) / sd->scl_kappa;
    }
    d->scl_dphi[s]  = y[PNP_P(sd, 0)];
    d->scl_dcoat[s] = pl.Qe / sd->C_coat;
    d->scl_sigma[s] = -pl.Qe;
    d->scl_C[s]     = isfinite(sd->C_coat) ? 1 / (1 / Cd + 1 / sd->C_coat) : Cd;
    d->scl_R[s]     = sd->R_coat + Rl;
    /* Gauss at the plane from the potential profile: eps phi'(0) = eps (phi_1 - phi_0)/h_0 + w_0 F (c_0 - c_b) */
    d->pnp_Qfield[s]     = -(sd->scl_eps * (y[PNP_P(sd, 1)] - y[PNP_P(sd, 0)]) / sd->pnp_h[0] + sd->pnp_w[0] * SSB_FARADAY * (y[PNP_C(sd, 0)] - sd->scl_cb));
    d->pnp_neutrality[s] = d->pnp_Qfield[s] - pl.Qe; /* electrode (from the field) + layer */
  }
  d->heat          = hs.heat;
  d->heat_rev      = hs.heat_rev;
  d->heat_ohmic    = hs.h_ohm + m->sigma_leak_L * Vf * Vf;
  d->heat_reaction = hs.h_rxn;
  d->heat_contact  = Icur * Icur * m->R_series;
  for (int l = 0; l < 3; l++) d->heat_layer[l] = hs.hl[l];
}

/* d ln(kappa)/dT of an electrolyte law times R T^2: its conductivity's activation energy, less R T for
   a dissociation law, whose kappa = F^2 (D+ + D-) c/(R T) follows 1/T besides its Arrhenius factor */
static inline double LawEaKappa(const SsbElectrolyteLaw *L, double T) { return L->kappa_slope > 0 ? L->Ea_kap - SSB_GAS_CONSTANT * T : L->Ea_kap; }

/* The derivatives of the heat booked by layer (SsbCellDiag.heat_layer) in the cell's unknowns, the
   current and the temperature, term by term as SsbCellDiagnostics forms them. The sink calls
   (layer, column) come in the same sequence at every state: a term that is undefined at this state
   (an inadmissible binary face) adds zeros. Temperature enters through the Arrhenius factors of the
   ionic conductances (single-ion G, binary kappa_eff), the diffusivity in the surface reconstruction
   (D ~ Arr(E_D): dc_surf/dT = -(dc_surf/di_n) i_n E_D/(R T^2)), the OCP's entropic shift U(x, T0) +
   (T - T0) dU/dT, the diffusion potential's 2RT/F and the reversible heat's T. */
void SsbCellHeatJacobian(const SsbCellModel *m, const double *y, double Icur, SsbJacSink sink, void *ctx, double dq_dI[3], double dq_dT[3])
{
  const int    ne = m->ne;
  const double T = m->T, RT2 = SSB_GAS_CONSTANT * T * T;
  Lin          face[2];
  FacePotentials(m, face);
  double phis_face[2] = {LinEval(&face[0], y, Icur), LinEval(&face[1], y, Icur)};
  for (int l = 0; l < 3; l++) dq_dI[l] = dq_dT[l] = 0;
    /* a face between two layers: half to each (FACE_HEAT) */
#define FACE_D(k, col, v)                                                              \
  do {                                                                                 \
    double v_ = 0.5 * (v);                                                             \
    int    a_ = m->layer[(k) > 0 ? (k)-1 : 0], b_ = m->layer[(k) < ne ? (k) : ne - 1]; \
    sink(ctx, a_, col, v_);                                                            \
    sink(ctx, b_, col, v_);                                                            \
  } while (0)
#define FACE_T(k, v)                                                                   \
  do {                                                                                 \
    double v_ = 0.5 * (v);                                                             \
    int    a_ = m->layer[(k) > 0 ? (k)-1 : 0], b_ = m->layer[(k) < ne ? (k) : ne - 1]; \
    dq_dT[a_] += v_;                                                                   \
    dq_dT[b_] += v_;                                                                   \
  } while (0)
  for (int k = 0; k <= ne && m->binary; k++) { /* G E^2: d = 2 E di - E^2 dG; in T, G's Arrhenius and E's 2RT/F */
    FaceFlux ff;
    int      col[4];
    BinaryFaceK(m, y, k, &ff, col);
    if (col[0] < 0) continue;
    double d[4] = {0, 0, 0, 0}, dT = 0;
    if (!ff.bad) {
      const int                kl = k > 0 ? k - 1 : 0, kr = k < ne ? k : ne - 1;
      const SsbElectrolyteLaw *Ll = &m->law[m->layer[kl]], *Lr = &m->law[m->layer[kr]];
      const double             hl = k > 0 ? m->x.width[k - 1] : 0.0, hr = k < ne ? m->x.width[k] : 0.0;
      const double             G_T = ff.G * ff.G * 0.5 * (hl / ff.kap[0] * LawEaKappa(Ll, T) + hr / ff.kap[1] * LawEaKappa(Lr, T)) / RT2;
      d[0]                         = 2 * ff.i;
      d[1]                         = -2 * ff.i;
      d[2]                         = 2 * ff.E * ff.di[2] - ff.E * ff.E * ff.dG[0];
      d[3]                         = 2 * ff.E * ff.di[3] - ff.E * ff.E * ff.dG[1];
      /* E = dphi + (2RT/F) nu ln(c_r/c_l): dE/dT = (E - dphi)/T */
      const double dphi = y[col[0]] - y[col[1]];
      dT                = G_T * ff.E * ff.E + 2 * ff.G * ff.E * (ff.E - dphi) / T;
    }
    for (int q = 0; q < 4; q++) FACE_D(k, col[q], d[q]);
    FACE_T(k, dT);
  }
  for (int k = 0; k <= ne && !m->binary; k++) { /* G dphi^2 */
    if (m->G[k] <= 0) continue;
    int    cl = k == 0 ? m->side[0].i_phi_if : m->off[k - 1], cr = k == ne ? m->side[1].i_phi_if : m->off[k];
    double dphi = y[cl] - y[cr], i = m->G[k] * dphi, rs = 0;
    if (k > 0) rs += 0.5 * m->x.width[k - 1] * m->Ea_node[k - 1] / (m->kap0[k - 1] * SsbArrhenius(m->Ea_node[k - 1], T, m->T0));
    if (k < ne) rs += 0.5 * m->x.width[k] * m->Ea_node[k] / (m->kap0[k] * SsbArrhenius(m->Ea_node[k], T, m->T0));
    FACE_D(k, cl, 2 * i);
    FACE_D(k, cr, -2 * i);
    FACE_T(k, m->G[k] * m->G[k] * rs / RT2 * dphi * dphi);
  }
#undef FACE_D
#undef FACE_T
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    const int      l  = 2 * s;
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) {
      const double S = sd->sigma_eff / sd->dx, cmax = sd->am.c_max, w = sd->dx * sd->a_s;
      for (int j = 0; j < sd->nk; j++) {
        const int     k = sd->k0 + j, o = m->off[k], n_r = sd->g.n;
        const double *n = y + o;
        if (j + 1 < sd->nk) {
          double is = S * (n[OPS] - y[m->off[k + 1] + OPS]);
          sink(ctx, l, o + OPS, 2 * is);
          sink(ctx, l, m->off[k + 1] + OPS, -2 * is);
        }
        double dN, dN1, di, dU, ds;
        double cs = SsbDiffusionSurface(&sd->g, &sd->am, n + OCS, n[OIN], &dN, &dN1, &di), x = cs / cmax;
        double U = OCP(&sd->am, x, &dU), sT = SsbFuncEval(sd->am.dUdT, x, &ds), in = n[OIN];
        double dcs_dT = -di * in * sd->am.Ea_D / RT2;
        /* w in (phi_s - phi_e - U) + w in T dU/dT(x) */
        double gx = w * in * (-dU + T * ds) / cmax; /* d/dc_surf */
        sink(ctx, l, o, -w * in);
        sink(ctx, l, o + OPS, w * in);
        sink(ctx, l, o + OIN, w * (n[OPS] - n[0] - U + T * sT) + gx * di);
        sink(ctx, l, o + OCS + n_r - 1, gx * dN);
        if (n_r > 1) sink(ctx, l, o + OCS + n_r - 2, gx * dN1);
        dq_dT[l] += gx * dcs_dT; /* the entropic shift's -w i_n dU/dT cancels the reversible heat's +w i_n dU/dT */
      }
      int    kc = s == 0 ? sd->k0 : sd->k0 + sd->nk - 1;
      double pc = s == 0 ? 0.0 : y[m->i_V] + Icur * m->R_series;
      double is = 2 * S * (y[m->off[kc] + OPS] - pc);
      sink(ctx, l, m->off[kc] + OPS, 2 * is);
      if (s == 1) {
        sink(ctx, l, m->i_V, -2 * is);
        dq_dI[l] += -2 * is * m->R_series;
      }
    } else {
      const double pif = y[sd->i_phi_if], in = y[sd->i_in];
      double       U = sd->U_li, sT = 0, gx = 0, dN = 0, dN1 = 0, di = 0, dcs_dT = 0; /* Li metal: its constant ocp */
      if (sd->kind == SSB_ELECTRODE_DENSE) {
        const double cmax = sd->am.c_max;
        double       dU, ds, x = SsbDiffusionSurface(&sd->g, &sd->am, y + sd->i_c, in, &dN, &dN1, &di) / cmax;
        U      = OCP(&sd->am, x, &dU);
        sT     = SsbFuncEval(sd->am.dUdT, x, &ds);
        gx     = in * (-dU + T * ds) / cmax;
        dcs_dT = -di * in * sd->am.Ea_D / RT2;
      }
      /* in (phi_s,face - phi_if - U) + in T dU/dT(x) */
      if (face[s].n) sink(ctx, l, face[s].col[0], in * face[s].w[0]);
      dq_dI[l] += in * face[s].wI;
      sink(ctx, l, sd->i_phi_if, -in);
      sink(ctx, l, sd->i_in, phis_face[s] - pif - U + T * sT + gx * di);
      if (sd->kind == SSB_ELECTRODE_DENSE) {
        const int n_r = sd->g.n;
        sink(ctx, l, sd->i_c + n_r - 1, gx * dN);
        if (n_r > 1) sink(ctx, l, sd->i_c + n_r - 2, gx * dN1);
        dq_dT[l] += gx * dcs_dT;
        dq_dI[l] += 2 * Icur * sd->L / sd->sigma_d;
      }
    }
  }
  /* the series resistance (positive terminal) and the leakage (separator) */
  dq_dI[2] += 2 * Icur * m->R_series;
  {
    const double Vf = phis_face[1] - phis_face[0], g = 2 * m->sigma_leak_L * Vf;
    if (m->sigma_leak_L > 0) {
      for (int s = 0; s < 2; s++)
        if (face[s].n) sink(ctx, 1, face[s].col[0], (s ? g : -g) * face[s].w[0]);
      dq_dI[1] += g * (face[1].wI - face[0].wI);
    }
  }
}

/* ------------------------------------------------------------------ temperature */

static inline double Arr(double Ea, double T, double T0) { return Ea == 0.0 ? 1.0 : exp(-Ea / SSB_GAS_CONSTANT * (1.0 / T - 1.0 / T0)); }

/* The Arrhenius factors of one temperature, each activation energy's computed once (a cell has a
   handful of distinct ones, its nodes share their layer's): the same numbers as Arr, fewer exp. */
typedef struct {
  int    n;
  double T, T0, Ea[8], v[8];
} ArrMemo;

static inline double ArrM(ArrMemo *a, double Ea)
{
  if (Ea == 0.0) return 1.0;
  for (int i = 0; i < a->n; i++)
    if (a->Ea[i] == Ea) return a->v[i];
  double v = Arr(Ea, a->T, a->T0);
  if (a->n < 8) {
    a->Ea[a->n]  = Ea;
    a->v[a->n++] = v;
  }
  return v;
}

void SsbCellSetTemperature(SsbCellModel *m, double T)
{
  if (T == m->T) return;
  const double T0 = m->T0;
  ArrMemo      am = {0, T, T0, {0}, {0}};
  m->T            = T;
  m->f            = SSB_FARADAY / (SSB_GAS_CONSTANT * T);
  for (int s = 0; s < 2; s++) {
    SsbSide *sd = &m->side[s];
    if (sd->kind == SSB_ELECTRODE_LITHIUM_METAL)
      sd->i0_li = sd->i0_li0 * ArrM(&am, sd->Ea_li);
    else {
      sd->am.k0    = sd->am.k0_0 * ArrM(&am, sd->am.Ea_k);
      sd->am.D_arr = sd->am.D_arr0 * ArrM(&am, sd->am.Ea_D);
      sd->am.dT    = T - T0;
    }
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) sd->kappa_eff = sd->kappa_eff0 * ArrM(&am, sd->Ea_kappa);
    if (sd->scl || sd->pnp) { /* lambda_D ~ sqrt(T); the bulk and coating conductivities are Arrhenius */
      sd->scl_lam   = sd->scl_lam0 * sqrt(T / T0);
      sd->scl_q0    = SSB_FARADAY * sd->scl_cb * sd->scl_lam;
      sd->scl_kappa = sd->scl_kappa0 * ArrM(&am, sd->scl_Ea);
      sd->R_coat    = sd->R_coat0 / ArrM(&am, sd->Ea_coat);
      sd->pnp_D     = sd->pnp_D0 * ArrM(&am, sd->scl_Ea) * T / T0; /* Nernst-Einstein: kappa_b R T/(F^2 c_b (1 - theta_b)) */
    }
  }
  for (int l = 0; l < 3; l++) {
    SsbElectrolyteLaw *L = &m->law[l];
    L->kap_arr           = L->kap_arr0 * ArrM(&am, L->Ea_kap) * (L->kappa_slope > 0 ? T0 / T : 1.0); /* dissociation: Nernst-Einstein, kappa ~ D/T */
    L->D_arr             = L->D_arr0 * ArrM(&am, L->Ea_D);
    L->kd                = L->kd0 * ArrM(&am, L->Ea_D);
    L->kr                = L->kr0 * ArrM(&am, L->Ea_D);
  }
  /* single-ion face conductances from the nodes' conductivities at T: a face between two nodes of
     one activation energy scales with their common Arrhenius factor (G0 at T0); a face between two
     (a layer boundary) is the harmonic mean of the two half cells */
  const int ne = m->ne;
  double    El = m->Ea_node[0], al = ArrM(&am, El);
  m->G[0] = m->G0[0] * al;
  for (int k = 1; k < ne; k++) {
    const double Er = m->Ea_node[k];
    if (Er == El)
      m->G[k] = m->G0[k] * al;
    else {
      const double ar = ArrM(&am, Er);
      m->G[k]         = 1.0 / (0.5 * m->x.width[k - 1] / (m->kap0[k - 1] * al) + 0.5 * m->x.width[k] / (m->kap0[k] * ar));
      El              = Er;
      al              = ar;
    }
  }
  m->G[ne] = m->G0[ne] * al;
}

void SsbCellPnpProfile(const SsbCellModel *m, const double *y, int s, double *x, double *phi, double *c)
{
  const SsbSide *sd = &m->side[s];
  for (int i = 0; i <= sd->pnp_n; i++) {
    x[i]   = sd->pnp_x[i];
    phi[i] = i < sd->pnp_n ? y[PNP_P(sd, i)] : 0.0;
    c[i]   = i < sd->pnp_n ? y[PNP_C(sd, i)] : sd->scl_cb;
  }
}

/* ------------------------------------------------------------------ temperature derivative */

/* d ln A/dT of an Arrhenius factor A = exp(-Ea/R (1/T - 1/T0)): Ea/(R T^2) */
static inline double ArrT(double Ea, double T) { return Ea / (SSB_GAS_CONSTANT * T * T); }

/* dR/dT of an intercalation closure R = i_n - i0 (e1 - e2) (IntercalationClosure with entropic = 1):
   through k0's Arrhenius factor (d ln k0/dT = gk), the surface concentration (dcs_dT: the
   diffusivity in the surface reconstruction), the concentration ratio of the exchange current
   (d ln/dT = dlnce_dT: a space-charge layer's Frumkin factor), the OCP's entropic shift (dU/dT at
   fixed x = z->sT), the rest of eta's explicit T dependence (deta: a film resistance, a resolved
   layer's plane potential) and f = F/(RT) in the exponentials (d bv/df = dbv_de eta/f, df/dT = -f/T). */
static inline double ClosureT(const Closure *z, double a, double T, double gk, double dcs_dT, double dlnce_dT, double deta)
{
  if (z->bad) return 0;
  return -(z->bv * (gk + a * dlnce_dT) + z->dbv_dc * dcs_dT + z->dbv_de * (deta - z->sT - z->eta_bv / T));
}

/* The T derivatives of a compact layer's w, R and ln r at the charge Q (SclEval's e): lambda_D ~
   sqrt(T), so s = Q/q0 falls as -s/(2T) and dpsi/dT = -(dpsi/dQ) Q/(2T); the layer drop psi R T/F;
   lambda_D/kappa_b with kappa_b Arrhenius; R_coat = R_coat0/Arr. */
typedef struct {
  double dw, dR, dlnr;
} SclT;

static inline void SclEvalT(const SsbCellModel *m, const SsbSide *sd, double Q, const Scl *e, SclT *t)
{
  const double T = m->T, vt = 1.0 / m->f, lk = sd->scl_lam / sd->scl_kappa;
  const double dpsi = -e->dpsi * Q / (2 * T);
  t->dw             = e->psi * vt / T + vt * dpsi;
  t->dlnr           = -(1 - sd->scl_theta * e->r) * dpsi;
  t->dR             = -sd->R_coat * ArrT(sd->Ea_coat, T) + lk * (0.5 / T - ArrT(sd->scl_Ea, T)) * e->J + lk * e->dJ * dpsi;
}

/* d/dT of SsbDiffusionResidual (gD = d ln D_arr/dT): every shell face's flux scales with D_arr (the
   ambipolar 2 D De/(D + De) too: De carries the same factor); the surface flux A i_n/F does not. */
static void DiffusionResidualT(const SsbDiffGrid *g, const SsbActive *am, const double *c, double gD, double *R)
{
  const int    n  = g->n;
  const double hc = 0.5 * am->ic_max;
  double       Nl = 0;
  if (gD == 0) {
    for (int i = 0; i < n; i++) R[i] = 0;
    return;
  }
  const int    cst = am->diff->kind == SSB_FUNC_CONSTANT;
  const double D0  = cst ? SolidD(am, 0.0, NULL) : 0.0;
  for (int i = 0; i + 1 < n; i++) {
    double D  = cst ? D0 : SolidD(am, (c[i] + c[i + 1]) * hc, NULL);
    double Nr = -g->Ad[i] * D * (c[i + 1] - c[i]);
    R[i]      = gD * (Nr - Nl) * g->iV[i];
    Nl        = Nr;
  }
  R[n - 1] = -gD * Nl * g->iV[n - 1];
}

void SsbCellResidualT(const SsbCellModel *m, const double *y, const double *yp, double Icur, double *dF)
{
  const int      ne = m->ne;
  const double   T = m->T, RT2 = SSB_GAS_CONSTANT * T * T, f = m->f;
  const SsbSide *neg = &m->side[0], *pos = &m->side[1];
  double         iface[2] = {0, 0}, diface[2] = {0, 0}; /* ionic current (+x) at the planar faces and its T derivative */
  Lin            face[2];
  FacePotentials(m, face);
  const double phis_face[2] = {LinEval(&face[0], y, Icur), LinEval(&face[1], y, Icur)};
  memset(dF, 0, sizeof(double) * m->nvar);

  /* electrolyte */
  if (!m->binary) {
    /* G = 1/(w_l/(2 kappa_l) + w_r/(2 kappa_r)): dG/dT = G^2 sum (w/2) Ea/(kappa R T^2), G Ea/(R T^2)
       when both sides share Ea (the nodes' kappa at T only where they differ) */
    ArrMemo am = {0, T, m->T0, {0}, {0}};
    for (int k = 0; k <= ne; k++) {
      if (m->G[k] <= 0) continue;
      const int cl = k == 0 ? neg->i_phi_if : m->off[k - 1], cr = k == ne ? pos->i_phi_if : m->off[k];
      double    dG;
      if (k == 0 || k == ne)
        dG = m->G[k] * ArrT(m->Ea_node[k == 0 ? 0 : ne - 1], T);
      else if (m->Ea_node[k - 1] == m->Ea_node[k])
        dG = m->G[k] * ArrT(m->Ea_node[k], T);
      else {
        const double kl = m->kap0[k - 1] * ArrM(&am, m->Ea_node[k - 1]), kr = m->kap0[k] * ArrM(&am, m->Ea_node[k]);
        dG = m->G[k] * m->G[k] * 0.5 * (m->x.width[k - 1] * m->Ea_node[k - 1] / kl + m->x.width[k] * m->Ea_node[k] / kr) / RT2;
      }
      const double dphi = y[cl] - y[cr], di = dG * dphi;
      if (k > 0) dF[m->off[k - 1]] += di;
      if (k < ne) dF[m->off[k]] -= di;
      if (k == 0) iface[0] = m->G[0] * dphi, diface[0] = di;
      if (k == ne) iface[1] = m->G[ne] * dphi, diface[1] = di;
    }
  } else {
    /* i = G E: G's Arrhenius (kappa), E = dphi + (2RT/F) nu ln(c_r/c_l); Phi = Gamma (c_r - c_l) + tau i/F:
       Gamma's Arrhenius (D); the dissociation source k_d (a0 - c) - k_r c^2 scales with D's factor */
    for (int k = 0; k <= ne; k++) {
      FaceFlux ff;
      int      col[4];
      BinaryFaceK(m, y, k, &ff, col);
      if (col[0] < 0 || ff.bad) continue;
      const int                kl = k > 0 ? k - 1 : 0, kr = k < ne ? k : ne - 1;
      const SsbElectrolyteLaw *Ll = &m->law[m->layer[kl]], *Lr = &m->law[m->layer[kr]];
      const double             hl = k > 0 ? m->x.width[k - 1] : 0.0, hr = k < ne ? m->x.width[k] : 0.0;
      const double             dG   = ff.G * ff.G * 0.5 * (hl / ff.kap[0] * LawEaKappa(Ll, T) + hr / ff.kap[1] * LawEaKappa(Lr, T)) / RT2;
      const double             dGam = ff.Gam * ff.Gam * 0.5 * (hl / ff.D[0] * Ll->Ea_D + hr / ff.D[1] * Lr->Ea_D) / RT2;
      const double             di = dG * ff.E + ff.G * ff.Ed / T, dPhi = dGam * ff.dc + ff.tau * di / SSB_FARADAY;
      if (k > 0) {
        dF[m->off[k - 1]] += di;
        dF[m->off[k - 1] + 1] -= dPhi;
      }
      if (k < ne) {
        dF[m->off[k]] -= di;
        dF[m->off[k] + 1] += dPhi;
      }
      if (k == 0) diface[0] = di;
      if (k == ne) diface[1] = di;
      if (k == 0 && neg->i_cif >= 0) dF[neg->i_cif] = dPhi;
      if (k == ne && pos->i_cif >= 0) dF[pos->i_cif] = dPhi;
    }
    for (int k = 0; k < ne; k++) {
      const SsbElectrolyteLaw *L = &m->law[m->layer[k]];
      double                   dr;
      if (L->kd == 0 && L->kr == 0) continue;
      dF[m->off[k] + 1] -= L->eps * m->x.width[k] * Generation(L, y[m->off[k] + 1], &dr) * ArrT(L->Ea_D, T);
    }
  }

  /* planar sides */
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    if (sd->kind == SSB_ELECTRODE_COMPOSITE) continue;
    const int    rcl = s == 1 ? m->i_V : sd->i_in, dense = sd->kind == SSB_ELECTRODE_DENSE;
    const double pif = y[sd->i_phi_if], in = y[sd->i_in];
    const double gD = dense ? ArrT(sd->am.Ea_D, T) : 0.0, gk = dense ? ArrT(sd->am.Ea_k, T) : ArrT(sd->Ea_li, T);
    dF[sd->i_phi_if] = diface[s];
    if (sd->pnp) {
      /* the layer's fluxes J = -(F D/h) m (dln a + f dPhi) with D ~ Arr T (Nernst-Einstein); the plane
         potential phi_if + phi_0 + u_b + ln(a_0/a_b)/f - i_b L/kappa_b; the bulk current i_b */
      const int    n = sd->pnp_n;
      const double g = ArrT(sd->scl_Ea, T), ib = sd->s * iface[s], dib = sd->s * diface[s], dRc = -sd->R_coat * ArrT(sd->Ea_coat, T);
      int          ok = 1;
      for (int i = 0; i < n; i++) {
        double c = y[PNP_C(sd, i)];
        if (!(c > 0) || (sd->pnp_cmax > 0 && !(c < sd->pnp_cmax))) ok = 0;
      }
      if (!ok) continue;
      double dJl = 0; /* J_{-1/2} = i_n */
      for (int i = 0; i < n; i++) {
        PnpFlux q;
        PnpCellFlux(m, sd, y, i, &q);
        const double P   = (i + 1 < n ? y[PNP_P(sd, i + 1)] : 0.0) - y[PNP_P(sd, i)] - y[sd->i_pu] * sd->pnp_h[i] / sd->pnp_L;
        const double dJ  = q.J * (g + 1 / T) + q.dpi * P / T;
        dF[PNP_C(sd, i)] = dJ - dJl;
        dJl              = dJ;
      }
      dF[sd->i_pu] = dJl - dib;
      PnpPlane pl;
      double   d0, db, dstep = 0;
      PnpPlaneEval(m, sd, y, ib, &pl);
      const double dphie = (PnpLa(sd, y[PNP_C(sd, 0)], &d0) - PnpLa(sd, sd->scl_cb, &db)) / (f * T) - pl.dphie_dib * g * ib + pl.dphie_dib * dib;
      if (!dense) {
        double dbv, eta = phis_face[s] - pl.phie - in * (sd->R_film + sd->R_coat), i0 = sd->i0_li * pow(pl.r, sd->alpha_li);
        double bv = SsbButlerVolmer(i0, sd->alpha_li, f, eta, &dbv);
        dF[rcl]   = -(bv * gk - dbv * (dphie + in * dRc + eta / T));
      } else {
        Closure z;
        IntercalationClosure(&sd->am, &sd->g, sd->R_film + sd->R_coat, f, pl.phie, phis_face[s], in, y + sd->i_c, pl.r, 1, 1, &z);
        const double dcs_dT = -z.dcs_di * in * gD;
        dF[rcl]             = ClosureT(&z, sd->am.alpha, T, gk, dcs_dT, 0.0, -dphie - in * dRc);
        DiffusionResidualT(&sd->g, &sd->am, y + sd->i_c, gD, dF + sd->i_c);
        if (!z.bad) {
          double ds;
          SsbFuncEval(sd->scl_step, z.cs / sd->am.c_max, &ds);
          dstep = ds * dcs_dT / sd->am.c_max;
        }
      }
      dF[sd->i_phi_if] = sd->scl_Rrelax * dib - dstep; /* R_relax (i_b - i_n) + w - step */
      if (s == 1) dF[sd->i_in] = dstep / sd->scl_Rrelax;
      continue;
    }
    Scl  sc = {.r = 1.0};
    SclT st = {0, 0, 0};
    if (sd->scl) {
      SclEval(m, sd, y[sd->i_q], &sc);
      SclEvalT(m, sd, y[sd->i_q], &sc, &st);
    }
    if (!dense) {
      double dbv, eta = phis_face[s] - pif - sd->U_li - in * (sd->R_film + sc.R);
      double i0 = sd->i0_li * (m->binary ? pow(y[sd->i_cif] / sd->c_ref, sd->alpha_li) : 1.0) * (sd->scl ? pow(sc.r, sd->alpha_li) : 1.0);
      double bv = SsbButlerVolmer(i0, sd->alpha_li, f, eta, &dbv);
      dF[rcl]   = -(bv * (gk + sd->alpha_li * st.dlnr) - dbv * (in * st.dR + eta / T));
      if (sd->scl) dF[sd->i_q] = st.dw; /* R_relax dQ/dt + w(Q) - step (constant on Li) */
    } else {
      Closure z;
      IntercalationClosure(&sd->am, &sd->g, sd->R_film + sc.R, f, pif, phis_face[s], in, y + sd->i_c, (m->binary ? y[sd->i_cif] / sd->c_ref : 1.0) * sc.r, 1, 1, &z);
      const double dcs_dT = -z.dcs_di * in * gD;
      dF[rcl]             = ClosureT(&z, sd->am.alpha, T, gk, dcs_dT, st.dlnr, -in * st.dR);
      DiffusionResidualT(&sd->g, &sd->am, y + sd->i_c, gD, dF + sd->i_c);
      if (sd->scl) {
        double ds = 0;
        if (!z.bad) SsbFuncEval(sd->scl_step, z.cs / sd->am.c_max, &ds);
        dF[sd->i_q] = st.dw - ds * dcs_dT / sd->am.c_max;
      }
    }
  }

  /* composite sides: the closures, the particles, the layers' Q rows (the potentials' rows are
     linear in conductivities that do not depend on T) */
  for (int s = 0; s < 2; s++) {
    const SsbSide *sd = &m->side[s];
    if (sd->kind != SSB_ELECTRODE_COMPOSITE) continue;
    const double gD = ArrT(sd->am.Ea_D, T), gk = ArrT(sd->am.Ea_k, T), cmax = sd->am.c_max;
    for (int j = 0; j < sd->nk; j++) {
      const int     o  = m->off[sd->k0 + j];
      const double *n  = y + o;
      Scl           sc = {.r = 1.0};
      SclT          st = {0, 0, 0};
      if (sd->scl) {
        SclEval(m, sd, n[sd->o_q], &sc);
        SclEvalT(m, sd, n[sd->o_q], &sc, &st);
      }
      Closure z;
      IntercalationClosure(&sd->am, &sd->g, sd->R_film + sc.R, f, n[0], n[OPS], n[OIN], n + OCS, (m->binary ? n[1] / sd->c_ref : 1.0) * sc.r, 1, 1, &z);
      const double dcs_dT = -z.dcs_di * n[OIN] * gD;
      dF[o + OIN]         = ClosureT(&z, sd->am.alpha, T, gk, dcs_dT, st.dlnr, -n[OIN] * st.dR);
      DiffusionResidualT(&sd->g, &sd->am, n + OCS, gD, dF + o + OCS);
      if (sd->scl) {
        double ds = 0;
        if (!z.bad) SsbFuncEval(sd->scl_step, z.cs / cmax, &ds);
        dF[o + sd->o_q] = st.dw - ds * dcs_dT / cmax;
      }
    }
  }
  (void)yp;
}
