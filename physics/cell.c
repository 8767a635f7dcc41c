/* cell.c -- residual and analytic Jacobian of one Li-metal | single-ion SSE | composite cell.

   Equations (model.md sections 2-4, sign conventions section 7), finite volumes along x with
   cell-centred potentials, harmonic face conductances, and finite volumes in r in each particle:

     electrolyte node k:  i_e(k+1/2) - i_e(k-1/2) - dx_k a_s i_n,k = 0,   i_e = -kappa_eff dphi_e/dx
     solid node k:        i_s(k+1/2) - i_s(k-1/2) + dx_k a_s i_n,k = 0,   i_s = -sigma_eff dphi_s/dx
     reaction closure:    i_n - i0(c_surf) [exp(a f eta) - exp(-(1-a) f eta)] = 0,  eta = phi_s - phi_e - U(c_surf/c_max)
     shells:              dc_i/dt + (N(i+1/2) - N(i-1/2)) / V_i = 0,  N = -r^2 D dc/dr,  N(R) = R^2 i_n / F
     surface value:       c_surf from the quadratic in r whose shell averages equal c_N-1 and c_N and whose
                          surface slope is the flux condition dc/dr = -i_n/(F D(c_N)) (third-order accurate)
     Li face:             G_0 (phi_if - phi_e,0) - i_Li(eta_Li = -phi_if) = 0
     Li inventory:        dh/dt + (M / (rho F)) G_0 (phi_if - phi_e,0) = 0
     collector:           sigma_eff (phi_s,N - V)/(dx/2) - I = 0
   Boundary conditions: no ionic current into the positive collector, no electronic current into the
   separator. Every face flux is computed once and added to both neighbours, so Li and charge are
   conserved to round-off. */
#include <ssbsim/ssb_cell.h>
#include <string.h>

/* volume centroid of the shell [a, b]: where a linear profile equals its shell average */
static double Centroid(double a, double b) { return 0.75 * (pow(b, 4) - pow(a, 4)) / (pow(b, 3) - pow(a, 3)); }

PetscErrorCode SsbCellModelCreate(const SsbCase *c, SsbCellModel **mm)
{
  SsbCellModel       *m;
  const SsbCell      *cell = &c->cell;
  const SsbElectrode *pos = &cell->pos, *neg = &cell->neg;
  const SsbMaterial  *am, *sse_sep, *sse_pos, *li;

  PetscFunctionBeginUser;
  PetscCheck(neg->kind == SSB_ELECTRODE_LITHIUM_METAL, PETSC_COMM_SELF, PETSC_ERR_SUP, "only a lithium_metal negative electrode is supported in this version");
  PetscCheck(pos->kind == SSB_ELECTRODE_COMPOSITE, PETSC_COMM_SELF, PETSC_ERR_SUP, "only a composite positive electrode is supported in this version");
  am      = pos->material;
  li      = neg->material;
  sse_sep = cell->sep.electrolyte;
  sse_pos = pos->electrolyte ? pos->electrolyte : sse_sep;
  PetscCheck(sse_sep->el.transport == SSB_TRANSPORT_SINGLE_ION && sse_pos->el.transport == SSB_TRANSPORT_SINGLE_ION, PETSC_COMM_SELF, PETSC_ERR_SUP, "only single_ion electrolytes are supported in this version");
  PetscCall(PetscCalloc1(1, &m));
  m->T = c->thermal.initial_temperature;
  m->f = SSB_FARADAY / (SSB_GAS_CONSTANT * m->T);

  /* unknown map */
  m->nsep = c->mesh.separator;
  m->npos = c->mesh.positive;
  m->nr   = c->mesh.particle;
  m->ne   = m->nsep + m->npos;
  PetscCall(PetscMalloc1(m->ne, &m->off));
  m->i_phi_if = 0;
  m->i_h      = 1;
  int o       = 2;
  for (int k = 0; k < m->ne; k++) {
    m->off[k] = o;
    o += k < m->nsep ? 1 : 3 + m->nr;
  }
  m->i_V  = o++;
  m->nvar = o;

  /* electrolyte grid: separator then positive, uniform in each */
  double Ls = cell->sep.thickness, Lp = pos->thickness;
  m->x.n = m->ne;
  PetscCall(PetscMalloc3(m->ne + 1, &m->x.face, m->ne, &m->x.centre, m->ne, &m->x.width));
  for (int k = 0; k <= m->nsep; k++) m->x.face[k] = Ls * k / m->nsep;
  for (int k = 1; k <= m->npos; k++) m->x.face[m->nsep + k] = Ls + Lp * k / m->npos;
  for (int k = 0; k < m->ne; k++) {
    m->x.centre[k] = 0.5 * (m->x.face[k] + m->x.face[k + 1]);
    m->x.width[k]  = m->x.face[k + 1] - m->x.face[k];
  }
  m->dx_pos = Lp / m->npos;
  m->L_pos  = Lp;

  /* transport properties at T */
  double kap_sep, kap_pos_bulk;
  PetscCall(SsbFuncEvalExact(&sse_sep->el.conductivity, sse_sep->el.concentration, m->T, &kap_sep));
  PetscCall(SsbFuncEvalExact(&sse_pos->el.conductivity, sse_pos->el.concentration, m->T, &kap_pos_bulk));
  kap_sep *= SsbArrhenius(sse_sep->el.conductivity_Ea, m->T, SSB_T_REF);
  kap_pos_bulk *= SsbArrhenius(sse_pos->el.conductivity_Ea, m->T, SSB_T_REF);
  m->kappa_sep  = kap_sep;
  m->kappa_pos  = kap_pos_bulk * pow(pos->eps_electrolyte, pos->bruggeman);
  m->sigma_eff  = pos->electronic_conductivity * pow(pos->eps_active + pos->eps_conductive, pos->bruggeman);
  m->eps_active = pos->eps_active;
  m->a_s        = 3.0 * pos->eps_active / pos->particle_radius;
  PetscCall(PetscMalloc1(m->ne + 1, &m->G));
  m->G[0] = kap_sep / (0.5 * m->x.width[0]);
  for (int k = 1; k < m->ne; k++) {
    double kl = k - 1 < m->nsep ? m->kappa_sep : m->kappa_pos, kr = k < m->nsep ? m->kappa_sep : m->kappa_pos;
    m->G[k] = 1.0 / (0.5 * m->x.width[k - 1] / kl + 0.5 * m->x.width[k] / kr);
  }
  m->G[m->ne] = 0;

  /* particle shells, graded toward the surface */
  PetscCall(SsbGridCreateGeometric(m->nr, 0.0, pos->particle_radius, m->nr > 1 ? pow(0.25, 1.0 / (m->nr - 1)) : 1.0, &m->r));
  PetscCall(PetscMalloc3(m->nr + 1, &m->rA, m->nr, &m->rd, m->nr, &m->rV));
  for (int i = 0; i <= m->nr; i++) m->rA[i] = m->r.face[i] * m->r.face[i];
  for (int i = 0; i < m->nr; i++) {
    m->rV[i] = (pow(m->r.face[i + 1], 3) - pow(m->r.face[i], 3)) / 3.0;
    m->rd[i] = i + 1 < m->nr ? Centroid(m->r.face[i + 1], m->r.face[i + 2]) - Centroid(m->r.face[i], m->r.face[i + 1]) : 0;
  }
  {
    /* surface reconstruction weights: c_surf = w_N c_N + w_N1 c_N-1 + w_g dc/dr|_R */
    double R = pos->particle_radius;
    if (m->nr == 1) {
      m->sw_N  = 1;
      m->sw_N1 = 0;
      m->sw_g  = R - m->r.centre[0];
    } else {
      double M1[2], M2[2];
      for (int q = 0; q < 2; q++) {
        double a = m->r.face[m->nr - 2 + q], b = m->r.face[m->nr - 1 + q], V = (b * b * b - a * a * a) / 3;
        M1[q] = ((pow(b, 4) - pow(a, 4)) / 4 - R * (pow(b, 3) - pow(a, 3)) / 3) / V;
        M2[q] = ((pow(b, 5) - pow(a, 5)) / 5 - R * (pow(b, 4) - pow(a, 4)) / 2 + R * R * (pow(b, 3) - pow(a, 3)) / 3) / V;
      }
      /* gamma = (c_N - c_N1 - g (M1[1] - M1[0])) / (M2[1] - M2[0]);  c_s = c_N - g M1[1] - gamma M2[1] */
      double d = M2[1] - M2[0];
      m->sw_N  = 1 - M2[1] / d;
      m->sw_N1 = M2[1] / d;
      m->sw_g  = -M1[1] + M2[1] * (M1[1] - M1[0]) / d;
    }
  }

  /* active material */
  m->c_max     = am->ins.c_max;
  m->alpha_pos = am->ins.transfer_coefficient;
  m->D_arr     = SsbArrhenius(am->ins.diffusivity_Ea, m->T, SSB_T_REF);
  PetscCall(SsbFuncCopy(&am->ins.ocp, &m->ocp));
  PetscCall(SsbFuncCopy(&am->ins.diffusivity, &m->diff));
  PetscCall(SsbFuncSetUp(&m->ocp, 0.0, 1.0, m->T, 0));
  PetscCall(SsbFuncSetUp(&m->diff, 0.0, 1.0, m->T, 0));
  {
    double arr = SsbArrhenius(am->ins.kinetics_Ea, m->T, SSB_T_REF), a = m->alpha_pos;
    if (!isnan(am->ins.rate_constant))
      m->k0 = SSB_FARADAY * am->ins.rate_constant * pow(sse_pos->el.concentration, a) * arr;
    else {
      double cr = am->ins.exchange_current_stoichiometry * m->c_max;
      m->k0     = am->ins.exchange_current_density / (pow(m->c_max - cr, a) * pow(cr, 1 - a)) * arr;
    }
  }
  m->x_charged    = am->ins.x_charged;
  m->x_discharged = am->ins.x_discharged;
  m->x0_pos       = !isnan(pos->initial_stoichiometry) ? pos->initial_stoichiometry : m->x_discharged + cell->initial_soc * (m->x_charged - m->x_discharged);
  m->capacity     = pos->eps_active * Lp * m->c_max * SSB_FARADAY * fabs(m->x_discharged - m->x_charged);

  /* lithium metal */
  {
    double arr  = SsbArrhenius(li->li.kinetics_Ea, m->T, SSB_T_REF);
    m->alpha_li = li->li.transfer_coefficient;
    if (!isnan(li->li.exchange_current_density))
      m->i0_li = li->li.exchange_current_density * arr;
    else
      m->i0_li = SSB_FARADAY * li->li.rate_constant * pow(sse_sep->el.concentration, m->alpha_li) * arr;
    m->Vm_li = li->li.molar_mass / li->thermal.density;
    m->h0_li = neg->thickness;
  }
  *mm = m;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbCellModelDestroy(SsbCellModel **mm)
{
  SsbCellModel *m = *mm;
  PetscFunctionBeginUser;
  if (!m) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree(m->off));
  PetscCall(PetscFree3(m->x.face, m->x.centre, m->x.width));
  PetscCall(PetscFree(m->G));
  PetscCall(SsbGridDestroy(&m->r));
  PetscCall(PetscFree3(m->rA, m->rd, m->rV));
  PetscCall(SsbFuncDestroy(&m->ocp));
  PetscCall(SsbFuncDestroy(&m->diff));
  PetscCall(PetscFree(m));
  *mm = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbCellVarTypes(const SsbCellModel *m, SsbVarType *type, int *differential)
{
  PetscFunctionBeginUser;
  for (int i = 0; i < m->nvar; i++) {
    type[i]         = SSB_VAR_POTENTIAL;
    differential[i] = 0;
  }
  type[m->i_h]         = SSB_VAR_THICKNESS;
  differential[m->i_h] = 1;
  for (int k = m->nsep; k < m->ne; k++) {
    type[m->off[k] + 2] = SSB_VAR_REACTION;
    for (int i = 0; i < m->nr; i++) {
      type[m->off[k] + 3 + i]         = SSB_VAR_CONCENTRATION;
      differential[m->off[k] + 3 + i] = 1;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SsbCellInitialState(const SsbCellModel *m, double *y, double *yp)
{
  double U = SsbFuncEval(&m->ocp, m->x0_pos, NULL);
  memset(y, 0, sizeof(double) * m->nvar);
  memset(yp, 0, sizeof(double) * m->nvar);
  y[m->i_h] = m->h0_li;
  for (int k = m->nsep; k < m->ne; k++) {
    y[m->off[k] + 1] = U;
    for (int i = 0; i < m->nr; i++) y[m->off[k] + 3 + i] = m->x0_pos * m->c_max;
  }
  y[m->i_V] = U;
}

void SsbCellRestGuess(const SsbCellModel *m, double *y)
{
  double Usum = 0;
  for (int k = m->nsep; k < m->ne; k++) {
    double *n = y + m->off[k];
    n[2]      = 0;
    Usum += SsbFuncEval(&m->ocp, SsbParticleSurface(m, n + 3, 0.0, NULL, NULL, NULL) / m->c_max, NULL);
  }
  double U       = Usum / m->npos;
  y[m->i_phi_if] = 0;
  for (int k = 0; k < m->ne; k++) {
    y[m->off[k]] = 0;
    if (k >= m->nsep) y[m->off[k] + 1] = U;
  }
  y[m->i_V] = U;
}

double SsbParticleSurface(const SsbCellModel *m, const double *c, double in, double *dcs_dN, double *dcs_dN1, double *dcs_din)
{
  const int nr = m->nr;
  double    cN = c[nr - 1], cN1 = nr > 1 ? c[nr - 2] : 0, dDdx;
  double    D = m->D_arr * SsbFuncEval(&m->diff, cN / m->c_max, &dDdx);
  double    g = -in / (SSB_FARADAY * D); /* dc/dr at the surface */
  if (dcs_dN) *dcs_dN = m->sw_N - m->sw_g * g / D * m->D_arr * dDdx / m->c_max;
  if (dcs_dN1) *dcs_dN1 = m->sw_N1;
  if (dcs_din) *dcs_din = -m->sw_g / (SSB_FARADAY * D);
  return m->sw_N * cN + m->sw_N1 * cN1 + m->sw_g * g;
}

double SsbCellSurfaceConcentration(const SsbCellModel *m, const double *y, int k)
{
  const double *n = y + m->off[k];
  return SsbParticleSurface(m, n + 3, n[2], NULL, NULL, NULL);
}

/* Reaction closure at a positive node: R = i_n - i_BV and its partial derivatives. */
typedef struct {
  double R, d_in, d_phis, d_phie, d_cN, d_cN1;
  double eta, cs;
  int    bad;
} Closure;

static inline void ReactionClosure(const SsbCellModel *m, double phie, double phis, double in, const double *c, Closure *z)
{
  const double cmax = m->c_max, a = m->alpha_pos;
  double       dcs_dN, dcs_dN1, dcs_di;
  double       cs = SsbParticleSurface(m, c, in, &dcs_dN, &dcs_dN1, &dcs_di);
  z->cs           = cs;
  /* inadmissible: a shell or the surface clearly outside [0, c_max] (a Newton iterate gone astray) */
  z->bad = !(c[m->nr - 1] > 0 && c[m->nr - 1] < cmax) || !(cs > -1e-3 * cmax && cs < (1 + 1e-3) * cmax);
  if (z->bad) {
    z->R = z->d_in = z->d_phis = z->d_phie = z->d_cN = z->d_cN1 = 0;
    return;
  }
  /* The exchange current vanishes as c_surf -> 0 or c_max; it is evaluated with c_surf held at
     least 1e-12 c_max from the bounds, so the residual stays defined (and smooth enough for Newton)
     when an end of the stoichiometry range is reached and the cut-off voltage follows. */
  const double eps = 1e-12 * cmax;
  double       ck = PetscMin(PetscMax(cs, eps), cmax - eps), dck = (cs > eps && cs < cmax - eps) ? 1.0 : 0.0;
  double       dUdx, U                                           = SsbFuncEval(&m->ocp, cs / cmax, &dUdx);
  double       eta = phis - phie - U;
  /* symmetric kinetics (a = 1/2, the usual case): sqrt and one exp instead of two pow and two exp
     (mathematically the same values, several times cheaper) */
  double pa = a == 0.5 ? sqrt(cmax - ck) : pow(cmax - ck, a), pc = a == 0.5 ? sqrt(ck) : pow(ck, 1 - a);
  double i0  = m->k0 * pa * pc;
  double di0 = dck * i0 * (-a / (cmax - ck) + (1 - a) / ck);
  double e1 = exp(a * m->f * eta), e2 = a == 0.5 ? 1.0 / e1 : exp(-(1 - a) * m->f * eta);
  double bv     = i0 * (e1 - e2);
  double dbv_de = i0 * m->f * (a * e1 + (1 - a) * e2);
  double dbv_dc = di0 * (e1 - e2) - dbv_de * dUdx / cmax;
  z->eta        = eta;
  z->R          = in - bv;
  z->d_in       = 1.0 - dbv_dc * dcs_di;
  z->d_phis     = -dbv_de;
  z->d_phie     = dbv_de;
  z->d_cN       = -dbv_dc * dcs_dN;
  z->d_cN1      = -dbv_dc * dcs_dN1;
}

void SsbParticleResidual(const SsbCellModel *m, const double *c, const double *cdot, double in, double *R)
{
  const int nr = m->nr;
  double    Nl = 0;
  for (int i = 0; i < nr; i++) {
    double Nr;
    if (i + 1 < nr) {
      double D = m->D_arr * SsbFuncEval(&m->diff, 0.5 * (c[i] + c[i + 1]) / m->c_max, NULL);
      Nr       = -m->rA[i + 1] * D * (c[i + 1] - c[i]) / m->rd[i];
    } else
      Nr = m->rA[nr] * in / SSB_FARADAY;
    R[i] = cdot[i] + (Nr - Nl) / m->rV[i];
    Nl   = Nr;
  }
}

int SsbCellResidual(const SsbCellModel *m, const double *y, const double *yp, double Icur, double *F)
{
  const int    ne = m->ne, ns = m->nsep;
  const double a_s = m->a_s, dx = m->dx_pos, S = m->sigma_eff / dx, Fc = SSB_FARADAY;
  int          bad = 0;

  /* Li face */
  double iL      = m->G[0] * (y[m->i_phi_if] - y[m->off[0]]);
  F[m->i_phi_if] = iL - SsbButlerVolmer(m->i0_li, m->alpha_li, m->f, -y[m->i_phi_if], NULL);
  F[m->i_h]      = yp[m->i_h] + m->Vm_li / Fc * iL;

  /* electrolyte: face currents, each computed once */
  double i_left = iL;
  for (int k = 0; k < ne; k++) {
    double i_right = k + 1 < ne ? m->G[k + 1] * (y[m->off[k]] - y[m->off[k + 1]]) : 0.0;
    F[m->off[k]]   = i_right - i_left;
    i_left         = i_right;
  }

  /* positive nodes: solid current, reaction, particles */
  double is_left = 0;
  for (int k = ns; k < ne; k++) {
    const double *n        = y + m->off[k];
    const double *np       = yp + m->off[k];
    double       *R        = F + m->off[k];
    double        is_right = k + 1 < ne ? S * (n[1] - y[m->off[k + 1] + 1]) : 2 * S * (n[1] - y[m->i_V]);
    R[1]                   = is_right - is_left + dx * a_s * n[2];
    R[0] -= dx * a_s * n[2];
    is_left = is_right;

    Closure z;
    ReactionClosure(m, n[0], n[1], n[2], n + 3, &z);
    bad |= z.bad;
    R[2] = z.R;

    SsbParticleResidual(m, n + 3, np + 3, n[2], R + 3);
  }
  F[m->i_V] = 2 * S * (y[m->off[ne - 1] + 1] - y[m->i_V]) - Icur;
  return bad;
}

int SsbCellJacobian(const SsbCellModel *m, double cj, const double *y, const double *yp, double Icur, SsbJacSink sink, void *ctx)
{
  const int    ne = m->ne, ns = m->nsep, nr = m->nr;
  const double a_s = m->a_s, dx = m->dx_pos, S = m->sigma_eff / dx, Fc = SSB_FARADAY;
  const int    iif = m->i_phi_if, ih = m->i_h, iV = m->i_V;
  int          bad = 0;
  double       dbv;

  /* Li face */
  SsbButlerVolmer(m->i0_li, m->alpha_li, m->f, -y[iif], &dbv);
  sink(ctx, iif, iif, m->G[0] + dbv);
  sink(ctx, iif, m->off[0], -m->G[0]);
  sink(ctx, ih, ih, cj);
  sink(ctx, ih, iif, m->Vm_li / Fc * m->G[0]);
  sink(ctx, ih, m->off[0], -m->Vm_li / Fc * m->G[0]);

  /* electrolyte */
  for (int k = 0; k < ne; k++) {
    int r = m->off[k];
    if (k == 0) {
      sink(ctx, r, iif, -m->G[0]);
      sink(ctx, r, r, m->G[0]);
    } else {
      sink(ctx, r, m->off[k - 1], -m->G[k]);
      sink(ctx, r, r, m->G[k]);
    }
    if (k + 1 < ne) {
      sink(ctx, r, r, m->G[k + 1]);
      sink(ctx, r, m->off[k + 1], -m->G[k + 1]);
    }
  }

  /* positive nodes */
  for (int k = ns; k < ne; k++) {
    const int     o = m->off[k];
    const double *n = y + o;
    /* electrolyte row: reaction source */
    sink(ctx, o, o + 2, -dx * a_s);
    /* solid row */
    if (k > ns) {
      sink(ctx, o + 1, o + 1, S);
      sink(ctx, o + 1, m->off[k - 1] + 1, -S);
    }
    if (k + 1 < ne) {
      sink(ctx, o + 1, o + 1, S);
      sink(ctx, o + 1, m->off[k + 1] + 1, -S);
    } else {
      sink(ctx, o + 1, o + 1, 2 * S);
      sink(ctx, o + 1, iV, -2 * S);
    }
    sink(ctx, o + 1, o + 2, dx * a_s);
    /* reaction closure */
    Closure z;
    ReactionClosure(m, n[0], n[1], n[2], n + 3, &z);
    bad |= z.bad;
    sink(ctx, o + 2, o, z.d_phie);
    sink(ctx, o + 2, o + 1, z.d_phis);
    sink(ctx, o + 2, o + 2, z.d_in);
    sink(ctx, o + 2, o + 3 + nr - 1, z.d_cN);
    if (nr > 1) sink(ctx, o + 2, o + 3 + nr - 2, z.d_cN1);
    /* shells */
    const double *c = n + 3;
    for (int i = 0; i < nr; i++) sink(ctx, o + 3 + i, o + 3 + i, cj);
    for (int i = 0; i + 1 < nr; i++) {
      double dD, D = m->D_arr * SsbFuncEval(&m->diff, 0.5 * (c[i] + c[i + 1]) / m->c_max, &dD);
      dD *= m->D_arr / (2 * m->c_max);
      double g   = m->rA[i + 1] / m->rd[i];
      double dNl = -g * (dD * (c[i + 1] - c[i]) - D); /* dN(i+1/2)/dc_i */
      double dNr = -g * (dD * (c[i + 1] - c[i]) + D); /* dN(i+1/2)/dc_{i+1} */
      /* N(i+1/2) leaves shell i and enters shell i+1 */
      sink(ctx, o + 3 + i, o + 3 + i, dNl / m->rV[i]);
      sink(ctx, o + 3 + i, o + 3 + i + 1, dNr / m->rV[i]);
      sink(ctx, o + 3 + i + 1, o + 3 + i, -dNl / m->rV[i + 1]);
      sink(ctx, o + 3 + i + 1, o + 3 + i + 1, -dNr / m->rV[i + 1]);
    }
    sink(ctx, o + 3 + nr - 1, o + 2, m->rA[nr] / Fc / m->rV[nr - 1]);
  }
  /* collector */
  sink(ctx, iV, m->off[ne - 1] + 1, 2 * S);
  sink(ctx, iV, iV, -2 * S);
  sink(ctx, iV, SSB_COL_CURRENT, -1.0);
  return bad;
}

void SsbCellDiagnostics(const SsbCellModel *m, const double *y, double Icur, SsbCellDiag *d)
{
  const int    ne = m->ne, ns = m->nsep, nr = m->nr;
  const double S  = m->sigma_eff / m->dx_pos;
  double       li = 0, heat = 0;
  /* Li in the positive: sum over nodes of dx * eps_active * (mean shell concentration) */
  double Rp3 = pow(m->r.face[nr], 3) / 3.0;
  for (int k = ns; k < ne; k++) {
    const double *c  = y + m->off[k] + 3;
    double        cp = 0;
    for (int i = 0; i < nr; i++) cp += m->rV[i] * c[i];
    li += m->dx_pos * m->eps_active * cp / Rp3;
  }
  d->li_pos  = li;
  d->x_mean  = li / (m->L_pos * m->eps_active * m->c_max);
  d->soc     = (m->x_discharged - d->x_mean) / (m->x_discharged - m->x_charged);
  d->ocv     = SsbFuncEval(&m->ocp, d->x_mean, NULL);
  d->voltage = y[m->i_V];
  /* irreversible heat: ohmic at every face + reaction at every interface */
  double iL = m->G[0] * (y[m->i_phi_if] - y[m->off[0]]);
  heat += iL * iL / m->G[0] + iL * (-y[m->i_phi_if]);
  for (int k = 0; k + 1 < ne; k++) {
    double i = m->G[k + 1] * (y[m->off[k]] - y[m->off[k + 1]]);
    heat += i * i / m->G[k + 1];
  }
  for (int k = ns; k < ne; k++) {
    const double *n  = y + m->off[k];
    double        is = k + 1 < ne ? S * (n[1] - y[m->off[k + 1] + 1]) : 2 * S * (n[1] - y[m->i_V]);
    heat += is * is / (k + 1 < ne ? S : 2 * S);
    double cs = SsbCellSurfaceConcentration(m, y, k);
    double U  = SsbFuncEval(&m->ocp, cs / m->c_max, NULL);
    heat += m->dx_pos * m->a_s * n[2] * (n[1] - n[0] - U);
  }
  d->heat = heat;
  (void)Icur;
}
