/* energy_density.c -- the energy-density report of a cell and a stack (ssb_energy.h,
   docs/energy-density.md). Bookkeeping only: masses and thicknesses of the layers from the case,
   the theoretical energy from the OCP functions, the delivered energy of a time series. */
#include <ssbsim/ssb_energy.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void SsbEnergyInputsDefault(SsbEnergyInputs *in)
{
  memset(in, 0, sizeof(*in));
  in->footprint_ratio       = 1.0;
  in->conductive_density[0] = NAN;
  in->conductive_density[1] = NAN;
}

PetscErrorCode SsbEnergyInputsSetPackaging(SsbEnergyInputs *in, double mass_per_area, double thickness, double tab_mass, double tab_volume, double footprint_ratio)
{
  PetscFunctionBeginUser;
  if (isnan(footprint_ratio)) footprint_ratio = 1.0;
  PetscCheck(mass_per_area >= 0 && thickness >= 0 && tab_mass >= 0 && tab_volume >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "packaging: mass_per_area, thickness, tab_mass and tab_volume must be >= 0");
  PetscCheck(footprint_ratio >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "packaging: footprint_ratio must be >= 1, got %g", footprint_ratio);
  in->pack_mass_per_area = mass_per_area;
  in->pack_thickness     = thickness;
  in->tab_mass           = tab_mass;
  in->tab_volume         = tab_volume;
  in->footprint_ratio    = footprint_ratio;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- small helpers ---- */

static void Catf(char *buf, size_t len, const char *fmt, ...) PETSC_ATTRIBUTE_FORMAT(3, 4);
static void Catf(char *buf, size_t len, const char *fmt, ...)
{
  size_t  n = strlen(buf);
  va_list ap;
  if (n + 1 >= len) return;
  va_start(ap, fmt);
  vsnprintf(buf + n, len - n, fmt, ap);
  va_end(ap);
}

/* OCP functions set up once per material (cells of a varied stack may have their own copies). */
typedef struct {
  int                 n, cap;
  const SsbMaterial **mat;
  SsbFunc            *f;
} OcpCache;

static PetscErrorCode OcpGet(OcpCache *oc, const SsbMaterial *m, double T, const SsbFunc **f)
{
  PetscFunctionBeginUser;
  for (int i = 0; i < oc->n; i++)
    if (oc->mat[i] == m) {
      *f = &oc->f[i];
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  if (oc->n == oc->cap) {
    int                 cap = oc->cap ? 2 * oc->cap : 4;
    const SsbMaterial **mat;
    SsbFunc            *fn;
    PetscCall(PetscCalloc1(cap, &mat));
    PetscCall(PetscCalloc1(cap, &fn));
    if (oc->n) {
      PetscCall(PetscArraycpy(mat, oc->mat, oc->n));
      PetscCall(PetscArraycpy(fn, oc->f, oc->n));
    }
    PetscCall(PetscFree(oc->mat));
    PetscCall(PetscFree(oc->f));
    oc->mat = mat;
    oc->f   = fn;
    oc->cap = cap;
  }
  oc->mat[oc->n] = m;
  PetscCall(SsbFuncCopy(&m->ins.ocp, &oc->f[oc->n]));
  PetscCall(SsbFuncSetUp(&oc->f[oc->n], 0.0, 1.0, T, 0));
  *f = &oc->f[oc->n++];
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode OcpCacheDestroy(OcpCache *oc)
{
  PetscFunctionBeginUser;
  for (int i = 0; i < oc->n; i++) PetscCall(SsbFuncDestroy(&oc->f[i]));
  PetscCall(PetscFree(oc->mat));
  PetscCall(PetscFree(oc->f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static const SsbElectrode *Side(const SsbCell *cell, int s) { return s == 0 ? &cell->neg : &cell->pos; }

/* Window capacity of an intercalation electrode (C/m^2), as physics/cell.c; INFINITY for Li metal. */
static double WindowCapacity(const SsbElectrode *e)
{
  const SsbIntercalation *ins = &e->material->ins;
  if (e->kind == SSB_ELECTRODE_LITHIUM_METAL) return INFINITY;
  return (e->kind == SSB_ELECTRODE_DENSE ? 1.0 : e->eps_active) * e->thickness * ins->c_max * SSB_FARADAY * fabs(ins->x_discharged - ins->x_charged);
}

/* Theoretical capacity of a cell (C/m^2): the smaller intercalation window; Li | Li: the smaller Li. */
static double CellCapacity(const SsbCell *cell)
{
  double q = PetscMin(WindowCapacity(&cell->neg), WindowCapacity(&cell->pos));
  if (!isfinite(q)) {
    const SsbMaterial *li = cell->neg.material;
    q                     = PetscMin(cell->neg.thickness, cell->pos.thickness) * li->thermal.density / li->li.molar_mass * SSB_FARADAY;
  }
  return q;
}

/* Open-circuit voltage after the charge q (C/m^2) has been discharged from the charged state. */
static double CellOcv(const SsbCell *cell, const SsbFunc *U[2], const double Qs[2], double q)
{
  double u[2] = {0, 0};
  for (int s = 0; s < 2; s++) {
    const SsbElectrode *e = Side(cell, s);
    if (e->kind == SSB_ELECTRODE_LITHIUM_METAL) { /* Li metal 0; a two-phase alloy its plateau */
      u[s] = e->material->li.ocp;
      continue;
    }
    double x = e->material->ins.x_charged + (e->material->ins.x_discharged - e->material->ins.x_charged) * q / Qs[s];
    u[s]     = SsbFuncEvalGeneral(U[s], x, NULL);
  }
  return u[1] - u[0];
}

/* Theoretical energy (J/m^2) of a cell discharged by q_end (C/m^2) from its charged state:
   composite Simpson with n (even) intervals. */
static PetscErrorCode CellEnergy(const SsbCell *cell, OcpCache *oc, double T, double q_end, int n, double *E)
{
  const SsbFunc *U[2] = {NULL, NULL};
  double         Qs[2], sum = 0;
  PetscFunctionBeginUser;
  for (int s = 0; s < 2; s++) {
    const SsbElectrode *e = Side(cell, s);
    Qs[s]                 = WindowCapacity(e);
    if (e->kind != SSB_ELECTRODE_LITHIUM_METAL) PetscCall(OcpGet(oc, e->material, T, &U[s]));
  }
  for (int i = 0; i <= n; i++) sum += (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2)) * CellOcv(cell, U, Qs, q_end * i / n);
  *E = sum * q_end / n / 3.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Nominal capacity (C/m^2): specific_capacity x active mass, the smaller intercalation electrode;
   NaN if an intercalation electrode lacks specific_capacity or density, or there is none. */
static double NominalCapacity(const SsbCell *cell)
{
  double q = INFINITY;
  for (int s = 0; s < 2; s++) {
    const SsbElectrode *e = Side(cell, s);
    if (e->kind == SSB_ELECTRODE_LITHIUM_METAL) continue;
    double sc = e->material->ins.specific_capacity, rho = e->material->thermal.density;
    if (isnan(sc) || isnan(rho)) return NAN;
    q = PetscMin(q, sc * (e->kind == SSB_ELECTRODE_DENSE ? 1.0 : e->eps_active) * e->thickness * rho);
  }
  return isfinite(q) ? q : NAN;
}

/* Masses and thicknesses of the three layers of one cell; capacity: its theoretical capacity (for
   the Li-metal thickness at full charge). Lists every input in the layers' detail strings. */
static void CellLayers(const SsbCell *cell, const SsbEnergyInputs *in, double capacity, SsbEnergyLayer L[3])
{
  for (int s = 0; s < 2; s++) {
    const SsbElectrode *e   = Side(cell, s);
    SsbEnergyLayer     *l   = &L[s == 0 ? SSB_ENERGY_NEGATIVE : SSB_ENERGY_POSITIVE];
    const SsbMaterial  *m   = e->material;
    double              rho = m->thermal.density;
    l->present              = 1;
    l->missing              = 0;
    l->detail[0]            = 0;
    switch (e->kind) {
    case SSB_ELECTRODE_LITHIUM_METAL: {
      /* Li metal: mass as assembled; thickness at full charge (Li plated by charging from the
         initial SOC adds capacity x Vm / F, the Li coming out of the other electrode's mass) */
      double h = e->thickness;
      if (s == 0 && cell->pos.kind != SSB_ELECTRODE_LITHIUM_METAL && cell->initial_soc < 1 && !isnan(rho) && rho > 0) h += (1 - cell->initial_soc) * capacity * m->li.molar_mass / rho / SSB_FARADAY;
      l->thickness = h;
      Catf(l->detail, sizeof l->detail, "lithium metal %s %.4g um", m->name, e->thickness * 1e6);
      if (m->li.ocp != 0) Catf(l->detail, sizeof l->detail, " (a two-phase alloy at %.3g V vs Li: its Li as metal, the host metal's mass and volume not counted)", m->li.ocp);
      if (h != e->thickness) Catf(l->detail, sizeof l->detail, " (%.4g um at full charge: initial_soc %g)", h * 1e6, cell->initial_soc);
      if (isnan(rho)) {
        l->missing = 1;
        l->mass    = 0;
        Catf(l->detail, sizeof l->detail, " x ? (no density: excluded)");
      } else {
        l->mass = e->thickness * rho;
        Catf(l->detail, sizeof l->detail, " x %.5g kg/m^3", rho);
      }
    } break;
    case SSB_ELECTRODE_DENSE:
      l->thickness = e->thickness;
      Catf(l->detail, sizeof l->detail, "dense %s %.4g um", m->name, e->thickness * 1e6);
      if (isnan(rho)) {
        l->missing = 1;
        l->mass    = 0;
        Catf(l->detail, sizeof l->detail, " x ? (no density: excluded)");
      } else {
        l->mass = e->thickness * rho;
        Catf(l->detail, sizeof l->detail, " x %.5g kg/m^3", rho);
      }
      break;
    case SSB_ELECTRODE_COMPOSITE: {
      const SsbMaterial *el  = e->electrolyte ? e->electrolyte : cell->sep.electrolyte;
      double             rel = el->thermal.density, rcd = in->conductive_density[s];
      int                cddef = isnan(rcd);
      double             rhoc  = 0;
      if (cddef) rcd = SSB_CONDUCTIVE_DENSITY_DEFAULT;
      l->thickness = e->thickness;
      Catf(l->detail, sizeof l->detail, "composite %s %.4g um: active %.4g x ", m->name, e->thickness * 1e6, e->eps_active);
      if (isnan(rho)) {
        l->missing = 1;
        Catf(l->detail, sizeof l->detail, "? (%s has no density: excluded)", m->name);
      } else {
        rhoc += e->eps_active * rho;
        Catf(l->detail, sizeof l->detail, "%.5g", rho);
      }
      Catf(l->detail, sizeof l->detail, " + electrolyte %s %.4g x ", el->name, e->eps_electrolyte);
      if (isnan(rel)) {
        l->missing = 1;
        Catf(l->detail, sizeof l->detail, "? (%s has no density: excluded)", el->name);
      } else {
        rhoc += e->eps_electrolyte * rel;
        Catf(l->detail, sizeof l->detail, "%.5g", rel);
      }
      if (e->eps_conductive > 0) {
        rhoc += e->eps_conductive * rcd;
        Catf(l->detail, sizeof l->detail, " + conductive %.4g x %.5g%s", e->eps_conductive, rcd, cddef ? " (default)" : "");
      }
      l->mass = e->thickness * rhoc;
      Catf(l->detail, sizeof l->detail, " kg/m^3 = %.5g kg/m^3", rhoc);
    } break;
    }
  }
  {
    SsbEnergyLayer    *l   = &L[SSB_ENERGY_SEPARATOR];
    const SsbMaterial *el  = cell->sep.electrolyte;
    double             rho = el->thermal.density;
    l->present             = 1;
    l->missing             = isnan(rho);
    l->thickness           = cell->sep.thickness;
    l->mass                = l->missing ? 0 : cell->sep.thickness * rho;
    l->detail[0]           = 0;
    Catf(l->detail, sizeof l->detail, "%s %.4g um x ", el->name, cell->sep.thickness * 1e6);
    if (l->missing)
      Catf(l->detail, sizeof l->detail, "? (no density: excluded)");
    else
      Catf(l->detail, sizeof l->detail, "%.5g kg/m^3", rho);
  }
  for (int k = 0; k < 3; k++) {
    SsbEnergyLayer *l = &L[k];
    l->name           = k == 0 ? "negative electrode" : k == 1 ? "separator"
                                                               : "positive electrode";
  }
}

static void PlateLayer(const SsbPlateSpec *p, const char *name, SsbEnergyLayer *l)
{
  l->name      = name;
  l->detail[0] = 0;
  l->present   = p->material != NULL;
  l->missing   = 0;
  l->thickness = l->present ? p->thickness : 0;
  l->mass      = 0;
  if (!l->present) {
    Catf(l->detail, sizeof l->detail, "none given (excluded)");
    return;
  }
  Catf(l->detail, sizeof l->detail, "%s %.4g um x ", p->material->name, p->thickness * 1e6);
  if (isnan(p->material->thermal.density)) {
    l->missing = 1;
    Catf(l->detail, sizeof l->detail, "? (no density: excluded)");
  } else {
    l->mass = p->thickness * p->material->thermal.density;
    Catf(l->detail, sizeof l->detail, "%.5g kg/m^3", p->material->thermal.density);
  }
}

static SsbEnergyFigures Figures(double energy, double mass, double volume)
{
  SsbEnergyFigures f;
  f.wh_kg = mass > 0 ? energy / 3600.0 / mass : NAN;
  f.wh_l  = volume > 0 ? energy / 3600.0 / (volume * 1000.0) : NAN;
  return f;
}

PetscErrorCode SsbEnergyReportCompute(const SsbCase *c, const SsbEnergyInputs *in, SsbEnergyReport *r)
{
  OcpCache        oc = {0};
  const SsbCell  *base;
  SsbEnergyLayer *L;
  const double    A = c->cell.area;
  const int       N = c->stack.cells;
  double          E_nom_stack, ocv_sum;
  PetscFunctionBeginUser;
  memset(r, 0, sizeof(*r));
  if (in)
    r->in = *in;
  else
    SsbEnergyInputsDefault(&r->in);
  in             = &r->in;
  base           = &c->cell;
  L              = r->layer;
  r->area        = A;
  r->ncells      = N;
  r->temperature = c->thermal.initial_temperature;

  /* base cell: capacity, energy, layers */
  r->capacity = CellCapacity(base);
  PetscCall(CellEnergy(base, &oc, r->temperature, r->capacity, 2000, &r->energy));
  r->mean_ocv         = r->capacity > 0 ? r->energy / r->capacity : NAN;
  r->capacity_nominal = NominalCapacity(base);
  r->energy_nominal   = r->capacity_nominal * r->mean_ocv;
  CellLayers(base, in, r->capacity, L);
  PlateLayer(&c->stack.collector_negative, "CC-", &L[SSB_ENERGY_CC_NEGATIVE]);
  PlateLayer(&c->stack.collector_positive, "CC+", &L[SSB_ENERGY_CC_POSITIVE]);
  PlateLayer(&c->stack.bipolar_plate, "bipolar plate", &L[SSB_ENERGY_BIPOLAR]);
  if (N < 2) L[SSB_ENERGY_BIPOLAR].present = 0; /* ignored with one cell (as the reader warns) */
  PlateLayer(&c->stack.end_plate, "end plates", &L[SSB_ENERGY_END_PLATE]);
  {
    SsbEnergyLayer *p = &L[SSB_ENERGY_PACKAGE];
    p->name           = "packaging";
    p->present        = in->pack_mass_per_area > 0 || in->pack_thickness > 0 || in->tab_mass > 0 || in->tab_volume > 0;
    p->missing        = 0;
    p->mass           = in->pack_mass_per_area;
    p->thickness      = in->pack_thickness;
    p->detail[0]      = 0;
    if (p->present)
      Catf(p->detail, sizeof p->detail, "pouch %.5g g/m^2 of cell area, %.4g um thick (both walls), tabs %.5g g and %.5g cm^3, footprint %.4g x the cell area", in->pack_mass_per_area * 1e3, in->pack_thickness * 1e6, in->tab_mass * 1e3, in->tab_volume * 1e6, in->footprint_ratio);
    else
      Catf(p->detail, sizeof p->detail, "packaging not included (no packaging inputs)");
  }
  for (int k = 0; k < SSB_ENERGY_NLAYERS; k++)
    if (L[k].present && L[k].missing && (k != SSB_ENERGY_BIPOLAR || N > 1)) r->incomplete = 1;

  /* layers and mono cell (one package per cell; no end plates) */
  r->layers_mass      = L[0].mass + L[1].mass + L[2].mass;
  r->layers_thickness = L[0].thickness + L[1].thickness + L[2].thickness;
  {
    double m       = r->layers_mass + L[SSB_ENERGY_CC_NEGATIVE].mass + L[SSB_ENERGY_CC_POSITIVE].mass + in->pack_mass_per_area;
    double h       = r->layers_thickness + L[SSB_ENERGY_CC_NEGATIVE].thickness + L[SSB_ENERGY_CC_POSITIVE].thickness + in->pack_thickness;
    r->cell_mass   = m * A + in->tab_mass;
    r->cell_volume = h * A * in->footprint_ratio + in->tab_volume;
  }

  /* stack: every cell, over the common charge */
  {
    double mcells = 0, hcells = 0, qmin = INFINITY, qnom = INFINITY, E = 0;
    if (c->stack.nvariations == 0 || !c->stack.cell) {
      qmin    = r->capacity;
      E       = N * r->energy;
      mcells  = N * r->layers_mass;
      hcells  = N * r->layers_thickness;
      qnom    = r->capacity_nominal;
      ocv_sum = N * r->mean_ocv;
    } else {
      ocv_sum = 0;
      for (int k = 0; k < N; k++) {
        qmin      = PetscMin(qmin, CellCapacity(&c->stack.cell[k]));
        double qn = NominalCapacity(&c->stack.cell[k]);
        qnom      = isnan(qn) || isnan(qnom) ? NAN : PetscMin(qnom, qn);
      }
      for (int k = 0; k < N; k++) {
        SsbEnergyLayer Lk[3];
        double         Ek;
        CellLayers(&c->stack.cell[k], in, CellCapacity(&c->stack.cell[k]), Lk);
        for (int j = 0; j < 3; j++) {
          mcells += Lk[j].mass;
          hcells += Lk[j].thickness;
          if (Lk[j].missing) r->incomplete = 1;
        }
        /* 200 intervals for very large varied stacks: Simpson on the OCPs stays within ~1e-6 */
        PetscCall(CellEnergy(&c->stack.cell[k], &oc, r->temperature, qmin, N > 1000 ? 200 : 2000, &Ek));
        E += Ek;
        ocv_sum += qmin > 0 ? Ek / qmin : 0;
      }
    }
    r->stack_capacity = qmin;
    r->stack_energy   = E;
    E_nom_stack       = isfinite(qnom) ? qnom * ocv_sum : NAN;
    {
      double nb             = N > 1 && L[SSB_ENERGY_BIPOLAR].present ? N - 1 : 0;
      double m_noen         = mcells + nb * L[SSB_ENERGY_BIPOLAR].mass + L[SSB_ENERGY_CC_NEGATIVE].mass + L[SSB_ENERGY_CC_POSITIVE].mass + in->pack_mass_per_area;
      double h_noen         = hcells + nb * L[SSB_ENERGY_BIPOLAR].thickness + L[SSB_ENERGY_CC_NEGATIVE].thickness + L[SSB_ENERGY_CC_POSITIVE].thickness + in->pack_thickness;
      r->stack_mass_noend   = m_noen * A + in->tab_mass;
      r->stack_volume_noend = h_noen * A * in->footprint_ratio + in->tab_volume;
      r->stack_mass         = r->stack_mass_noend + 2 * L[SSB_ENERGY_END_PLATE].mass * A;
      r->stack_volume       = r->stack_volume_noend + 2 * L[SSB_ENERGY_END_PLATE].thickness * A * in->footprint_ratio;
    }
  }
  PetscCall(OcpCacheDestroy(&oc));

  r->layers_theoretical      = Figures(r->energy * A, r->layers_mass * A, r->layers_thickness * A);
  r->cell_theoretical        = Figures(r->energy * A, r->cell_mass, r->cell_volume);
  r->stack_theoretical       = Figures(r->stack_energy * A, r->stack_mass, r->stack_volume);
  r->stack_noend_theoretical = Figures(r->stack_energy * A, r->stack_mass_noend, r->stack_volume_noend);
  r->cell_nominal            = Figures(r->energy_nominal * A, r->cell_mass, r->cell_volume);
  r->stack_nominal           = Figures(E_nom_stack * A, r->stack_mass, r->stack_volume);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- the text ---- */

typedef struct {
  char  *s;
  size_t n, cap;
} Buf;

static void Addf(Buf *b, const char *fmt, ...) PETSC_ATTRIBUTE_FORMAT(2, 3);
static void Addf(Buf *b, const char *fmt, ...)
{
  va_list ap;
  int     k;
  va_start(ap, fmt);
  k = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  if (b->n + (size_t)k + 1 > b->cap) {
    size_t cap = 2 * b->cap + (size_t)k + 256;
    char  *s   = realloc(b->s, cap);
    if (!s) return;
    b->s   = s;
    b->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
  va_end(ap);
  b->n += (size_t)k;
}

static const char *Num(char *buf, size_t len, const char *fmt, double v)
{
  if (isnan(v))
    snprintf(buf, len, "-");
  else
    snprintf(buf, len, fmt, v);
  return buf;
}

PetscErrorCode SsbEnergyReportText(const SsbEnergyReport *r, const char *prefix, char **text)
{
  Buf                   b = {0};
  const char           *p = prefix ? prefix : "";
  const SsbEnergyLayer *L = r->layer;
  char                  n1[32], n2[32], n3[32], n4[32];
  const char           *ub = r->incomplete ? " (upper bound: mass incomplete)" : "";
  PetscFunctionBeginUser;
  Addf(&b, "%senergy density       per cell area %.6g cm^2; inputs (docs/energy-density.md):\n", p, r->area * 1e4);
  for (int k = 0; k < SSB_ENERGY_NLAYERS; k++) {
    const SsbEnergyLayer *l = &L[k];
    if (k == SSB_ENERGY_BIPOLAR && r->ncells < 2) {
      Addf(&b, "%s  %-19s not used (1 cell)\n", p, l->name);
      continue;
    }
    if (k == SSB_ENERGY_PACKAGE || !l->present) {
      Addf(&b, "%s  %-19s %s\n", p, l->name, l->detail);
      continue;
    }
    Addf(&b, "%s  %-19s %s -> %.4g um, %.5g mg/cm^2%s%s\n", p, l->name, l->detail, l->thickness * 1e6, l->mass * 1e2, k == SSB_ENERGY_BIPOLAR ? " each" : k == SSB_ENERGY_END_PLATE ? " each (stack only)"
                                                                                                                                                                                    : "",
         l->missing ? " [incomplete]" : "");
  }
  if (r->incomplete) {
    Addf(&b, "%s  %-19s", p, "excluded");
    for (int k = 0; k < SSB_ENERGY_NLAYERS; k++)
      if (L[k].present && L[k].missing) Addf(&b, " [%s]", L[k].name);
    Addf(&b, " missing densities: every Wh/kg below is an upper bound\n");
  }
  Addf(&b, "%s  %-19s %.5g mAh/cm^2 x mean OCV %.5g V = %.5g mWh/cm^2 (OCV integrated from the charged state, %.2f K)\n", p, "theoretical energy", r->capacity / 3.6 / 1e4, r->mean_ocv, r->energy / 3.6 / 1e4, r->temperature);
  if (!isnan(r->energy_nominal))
    Addf(&b, "%s  %-19s %.5g mAh/cm^2 (specific_capacity x active mass) x %.5g V = %.5g mWh/cm^2\n", p, "nominal energy", r->capacity_nominal / 3.6 / 1e4, r->mean_ocv, r->energy_nominal / 3.6 / 1e4);
  else
    Addf(&b, "%s  %-19s not available (an intercalation material lacks specific_capacity or density)\n", p, "nominal energy");
  Addf(&b, "%s  %-19s %12s %12s %12s %12s\n", p, "", "theor. Wh/kg", "theor. Wh/L", "nom. Wh/kg", "nom. Wh/L");
  {
    SsbEnergyFigures lnom = {NAN, NAN};
    if (!isnan(r->energy_nominal)) {
      lnom.wh_kg = r->layers_mass > 0 ? r->energy_nominal / 3600 / r->layers_mass : NAN;
      lnom.wh_l  = r->layers_thickness > 0 ? r->energy_nominal / 3600 / (r->layers_thickness * 1000) : NAN;
    }
    Addf(&b, "%s  %-19s %12s %12s %12s %12s\n", p, "layers only", Num(n1, 32, "%.1f", r->layers_theoretical.wh_kg), Num(n2, 32, "%.1f", r->layers_theoretical.wh_l), Num(n3, 32, "%.1f", lnom.wh_kg), Num(n4, 32, "%.1f", lnom.wh_l));
  }
  Addf(&b, "%s  %-19s %12s %12s %12s %12s   (%.5g g, %.5g cm^3)\n", p, "mono cell", Num(n1, 32, "%.1f", r->cell_theoretical.wh_kg), Num(n2, 32, "%.1f", r->cell_theoretical.wh_l), Num(n3, 32, "%.1f", r->cell_nominal.wh_kg), Num(n4, 32, "%.1f", r->cell_nominal.wh_l), r->cell_mass * 1e3, r->cell_volume * 1e6);
  {
    char lab[64];
    snprintf(lab, sizeof lab, "stack (%d cell%s)", r->ncells, r->ncells == 1 ? "" : "s");
    Addf(&b, "%s  %-19s %12s %12s %12s %12s   (%.5g g, %.5g cm^3)\n", p, lab, Num(n1, 32, "%.1f", r->stack_theoretical.wh_kg), Num(n2, 32, "%.1f", r->stack_theoretical.wh_l), Num(n3, 32, "%.1f", r->stack_nominal.wh_kg), Num(n4, 32, "%.1f", r->stack_nominal.wh_l), r->stack_mass * 1e3, r->stack_volume * 1e6);
    if (L[SSB_ENERGY_END_PLATE].present) Addf(&b, "%s  %-19s %12s %12s   (%.5g g, %.5g cm^3)\n", p, "  w/o end plates", Num(n1, 32, "%.1f", r->stack_noend_theoretical.wh_kg), Num(n2, 32, "%.1f", r->stack_noend_theoretical.wh_l), r->stack_mass_noend * 1e3, r->stack_volume_noend * 1e6);
  }
  if (r->ncells < 2)
    Addf(&b, "%s  %-19s 1 cell: the stack is the mono cell%s\n", p, "bipolar vs mono", L[SSB_ENERGY_END_PLATE].present ? " plus the end plates" : "");
  else {
    const SsbEnergyFigures *s = L[SSB_ENERGY_END_PLATE].present ? &r->stack_noend_theoretical : &r->stack_theoretical;
    Addf(&b, "%s  %-19s bipolar stack%s %.1f Wh/kg, %.1f Wh/L against %d mono cells %.1f Wh/kg, %.1f Wh/L: %+.1f %%, %+.1f %% (theoretical)%s\n", p, "bipolar vs mono", L[SSB_ENERGY_END_PLATE].present ? " (w/o end plates)" : "", s->wh_kg, s->wh_l, r->ncells, r->cell_theoretical.wh_kg, r->cell_theoretical.wh_l, 100 * (s->wh_kg / r->cell_theoretical.wh_kg - 1), 100 * (s->wh_l / r->cell_theoretical.wh_l - 1), ub);
    if (!L[SSB_ENERGY_CC_NEGATIVE].present || !L[SSB_ENERGY_CC_POSITIVE].present) Addf(&b, "%s  %-19s no end collectors given (stack.collectors): the mono cells have none either, which flatters them\n", p, "note");
  }
  if (!L[SSB_ENERGY_PACKAGE].present) Addf(&b, "%s  %-19s packaging not included: pouch, tabs and seals add mass and volume to every figure\n", p, "note");
  Addf(&b, "%s  %-19s delivered Wh/kg and Wh/L: from a run's energy (SsbEnergyDelivered), not computed by check\n", p, "note");
  PetscCheck(b.s, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory writing the energy-density report");
  PetscCall(PetscStrallocpy(b.s, text));
  free(b.s);
  PetscFunctionReturn(PETSC_SUCCESS);
}

double SsbEnergyDelivered(int n, const double *t, const double *V, const double *cur)
{
  double E = 0;
  for (int i = 1; i < n; i++) E += 0.5 * (V[i - 1] * cur[i - 1] + V[i] * cur[i]) * (t[i] - t[i - 1]);
  return E;
}

void SsbEnergyDeliveredFigures(const SsbEnergyReport *r, double stack_energy_per_area, SsbEnergyFigures *cell, SsbEnergyFigures *stack)
{
  if (stack) *stack = Figures(stack_energy_per_area * r->area, r->stack_mass, r->stack_volume);
  if (cell) *cell = Figures(stack_energy_per_area / r->ncells * r->area, r->cell_mass, r->cell_volume);
}
