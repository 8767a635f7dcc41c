/* experiment.c -- the experiment driver: steps in sequence, repeated for `cycles`, each integrated by
   IDA from consistent initial conditions, ended exactly by IDA root functions (voltage and current
   cut-offs, the guard limits, an exhausted Li inventory) or by a stop time (duration, time limits).

   Output rows are written at every multiple of output.interval (interval 0: after every internal
   step of the integrator), at every step start and end, and at the failure point of a failed run;
   profiles at every multiple of output.profiles_interval and at the end of every step. */
#include <float.h>
#include "sim_impl.h"
#include <string.h>

/* an intercalation surface this close to empty or full when the integrator fails ends the run as
   'terminated' (the electrode is full or empty at this rate), not 'failed' */
#define SSB_SURFACE_MARGIN 1e-4
/* A current-driven step ends at a root when every surface of an electrode is this close to empty or
   full (ElectrodeSaturation): 0.1 rtol (1e-7 at the default rtol 1e-6), kept within [1e-14, 1e-5].
   With i0 ~ sqrt(c_s (c_max - c_s)) the voltage then falls as (R T/F) ln(t_e - t) to the time t_e
   the electrode is full: the surfaces approach the bound linearly in time (NMC811, 1C: 7e-5 per
   second, so t_e is about 1.4e-3 s away at 1e-7), and any cut-off is reached there, within the time
   and concentration resolution of double precision (2.5 V would need c_max - c_s ~ 1e-17 c_max).
   The charge still to pass before t_e is at most about that fraction of the electrode's capacity
   (the surfaces fill faster than the bulk), below the integration tolerance, so the end is located
   to the accuracy the run asked for. Following the collapse closer costs about 4 steps and several
   Jacobians per decade of c_max - c_s (1000-cell stack: 1e-11 685 steps and 115 Jacobians, 1e-7 646
   and 74; benchmarks/stack_scaling/README.md); past 1e-15 c_max the exchange current's floor
   (physics/cell.c) is not the stated kinetics. */
static double SurfaceFull(const SsbSim s) { return PetscMin(1e-5, PetscMax(1e-14, 0.1 * s->c->solver.rtol)); }

/* How close an electrode of cell m (state y) is to full or empty as a whole: for each intercalation
   side, the largest distance min(x, 1 - x) of a surface stoichiometry x from a bound over its
   surfaces (a composite's particles, a dense electrode's one surface); the smaller of the sides'.
   Small only when every surface of an electrode is at the bound: then the exchange current vanishes
   everywhere and the cell's voltage falls without bound (docs/model.md). One particle near full
   while the others take the current (a composite's front at a high rate) does not make it small.
   A side's scan stops at the first surface at least cap from the bounds: the result is then a lower
   bound, at least cap, and exact whenever it is below cap (the root, at 0.1 rtol <= 1e-5, needs it
   exact only there; far from full the first particle ends the scan). */
static double ElectrodeSaturation(const SsbCellModel *m, const double *y, double cap)
{
  double side[2] = {-INFINITY, -INFINITY}, g = INFINITY;
  for (int k = 0; k < m->ne; k++) {
    const int sd = m->layer[k] / 2;
    if (m->layer[k] == 1 || side[sd] >= cap) continue;
    const double x = SsbCellSurfaceStoichiometry(m, y, k);
    side[sd]       = PetscMax(side[sd], PetscMin(x, 1 - x));
  }
  for (int sd = 0; sd < 2; sd++) {
    if (m->side[sd].kind == SSB_ELECTRODE_DENSE) {
      const double x = SsbCellSurfaceStoichiometry(m, y, -1 - sd);
      side[sd]       = PetscMin(x, 1 - x);
    }
    if (side[sd] > -INFINITY) g = PetscMin(g, side[sd]);
  }
  return g;
}

/* The root functions, on distributed state vectors: each cell's roots are evaluated by the rank
   that owns the cell, the stack's (stack voltage, current, temperature) by the last rank, which owns
   the border; every other rank contributes -0.0 to each entry, and the sum over the ranks
   (-0.0 + x = x for every x, in any order) gives every rank the same g, bit for bit, as on one
   rank. Collective. */
/* Root i's value at the state (yl: this rank's unknowns, Y: the full-size view of SsbSimExchange);
   -0.0 for a root that another rank evaluates. */
static double RootValue(SsbSim s, const double *Y, const double *yl, int last, int i)
{
  const SsbRoot      *r   = &s->roots[i];
  const SsbCellModel *m   = s->cells[r->cell];
  const int           own = r->cell >= s->c0 && r->cell < s->c1;
  const double       *yc  = own ? yl + s->coff[r->cell] - s->loc0 : NULL;
  switch (r->kind) {
  case SSB_ROOT_STEP_VOLTAGE: /* steps act on the stack voltage */
    if (last) return SsbSimStackVoltage(s, Y) - r->value;
    break;
  case SSB_ROOT_VMAX:
  case SSB_ROOT_VMIN:
    if (own) return yc[m->i_V] - r->value;
    break;
  case SSB_ROOT_STEP_CURRENT:
    if (last) return fabs(Y[s->iI]) - r->value;
    break;
  case SSB_ROOT_LI_EXHAUSTED:
    if (own) return yc[m->side[r->side].i_h];
    break;
  case SSB_ROOT_TMAX:
    if (last) {
      double Tm = -INFINITY;
      for (int q = 0; q < s->nth; q++) Tm = PetscMax(Tm, Y[s->iT + q]);
      return Tm - r->value;
    }
    break;
  case SSB_ROOT_DEPLETED: /* the lowest electrolyte concentration, relative to its initial value */
    if (own) {
      double cmin = INFINITY;
      for (int k = 0; k < m->ne; k++) cmin = PetscMin(cmin, yc[m->off[k] + 1] / m->law[m->layer[k]].c0);
      for (int sd = 0; sd < 2; sd++)
        if (m->side[sd].i_cif >= 0) cmin = PetscMin(cmin, yc[m->side[sd].i_cif] / m->law[1].c0);
      return cmin - r->value;
    }
    break;
  case SSB_ROOT_SURFACE_FULL: /* every surface of an electrode near full or empty */
    if (own) return ElectrodeSaturation(m, yc, 1e-2) - r->value;
    break;
  }
  return -0.0;
}

static int RootFnCore(sunrealtype t, N_Vector yy, N_Vector yp, sunrealtype *g, void *ctx)
{
  SsbSim        s    = (SsbSim)ctx;
  const double *yl   = N_VGetArrayPointer(yy), *Y;
  const int     last = s->rank == s->size - 1, n = s->nroots;
  if (!(Y = SsbSimExchange(s, yl))) return -1;
  /* a stack's roots (several per cell; the saturation root reconstructs every particle surface) on
     the OpenMP threads; a few stay out of a parallel region */
  if (n > 64) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) g[i] = RootValue(s, Y, yl, last, i);
  } else
    for (int i = 0; i < n; i++) g[i] = RootValue(s, Y, yl, last, i);
  if (s->size > 1 && n > 0 && MPI_Allreduce(MPI_IN_PLACE, g, n, MPI_DOUBLE, MPI_SUM, s->comm)) return -1;
  return 0;
}

/* RootFnCore, timed for -log_view */
static int RootFn(sunrealtype t, N_Vector yy, N_Vector yp, sunrealtype *g, void *ctx)
{
  if (PetscLogEventBegin(SSB_EVENT_Roots, 0, 0, 0, 0)) return -1;
  int r = RootFnCore(t, yy, yp, g, ctx);
  if (PetscLogEventEnd(SSB_EVENT_Roots, 0, 0, 0, 0)) return -1;
  return r;
}

static double CurrentDensity(SsbSim s, const SsbCurrentSpec *cs)
{
  switch (cs->unit) {
  case SSB_CURRENT_CRATE:
    return cs->value * s->i1c;
  case SSB_CURRENT_AMPERE:
    return cs->value / s->c->cell.area;
  case SSB_CURRENT_DENSITY:
    return cs->value;
  default:
    return NAN;
  }
}

/* One stored profile: what it holds and its buffer. */
typedef enum { PROF_PHI_E,
               PROF_C_E,
               PROF_PHI_S,
               PROF_SURFACE,
               PROF_MEAN,
               PROF_REACTION,
               PROF_PARTICLE,
               PROF_FILM,
               PROF_SCL_PHI,
               PROF_SCL_C,
               PROF_TEMPERATURE } ProfKind;
typedef struct {
  ProfKind kind;
  int      cell, side, node, n;
  double  *buf;
} Prof;

typedef struct {
  SsbResults res;
  int        nprof, maxprof;
  Prof      *prof;
  double   **values;  /* [nprof] the buffers, in definition order */
  double    *cellbuf; /* [3 ncells] per-cell voltages, temperatures, SOCs of a row */
  double     t_next_row, t_next_prof;
} Output;

static const char *const side_name[2] = {"negative", "positive"};

static PetscErrorCode DefineProfile(Output *o, ProfKind kind, int cell, int side, int node, int n, const char *path, const char *units, const char *desc, const char *grid)
{
  int id;
  PetscFunctionBeginUser;
  PetscCheck(o->nprof < o->maxprof, PETSC_COMM_SELF, PETSC_ERR_PLIB, "too many profiles");
  PetscCall(SsbResultsDefineProfile(o->res, path, units, desc, n, grid, &id));
  Prof *p = &o->prof[o->nprof++];
  p->kind = kind;
  p->cell = cell;
  p->side = side;
  p->node = node;
  p->n    = n;
  PetscCall(PetscMalloc1(n, &p->buf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The profiles of cell `cell` (0-based) under /profiles/cell_<cell+1>/. */
static PetscErrorCode CellProfiles(SsbSim s, Output *o, int cell)
{
  const SsbCellModel *m   = s->cells[cell];
  SsbResults          res = o->res;
  char                base[64], path[256], desc[512], grid[256];
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(base, sizeof(base), "/profiles/cell_%d", cell + 1));
  PetscCall(PetscSNPrintf(grid, sizeof(grid), "%s/x", base));
  PetscCall(SsbResultsWriteGrid(res, grid, "m", "electrolyte node centres, from the cell's negative collector", m->ne, m->x.centre));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/phi_e", base));
  PetscCall(DefineProfile(o, PROF_PHI_E, cell, 0, 0, m->ne, path, "V", "electrolyte potential", grid));
  if (m->binary) {
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/c_e", base));
    PetscCall(DefineProfile(o, PROF_C_E, cell, 0, 0, m->ne, path, "mol/m^3", "electrolyte salt concentration", grid));
  }
  for (int sd = 0; sd < 2; sd++) {
    const SsbSide *e  = &m->side[sd];
    const char    *nm = side_name[sd];
    if (e->kind == SSB_ELECTRODE_COMPOSITE) {
      PetscCall(PetscSNPrintf(grid, sizeof(grid), "%s/x_%s", base, nm));
      PetscCall(PetscSNPrintf(desc, sizeof(desc), "%s electrode node centres, from the cell's negative collector", nm));
      PetscCall(SsbResultsWriteGrid(res, grid, "m", desc, e->nk, m->x.centre + e->k0));
      const struct {
        ProfKind    k;
        const char *name, *units, *what;
      } q[4] = {
        {PROF_PHI_S, "phi_s", "V", "solid-phase potential"},
        {PROF_SURFACE, "surface_stoichiometry", "1", "particle surface stoichiometry c_s,surf/c_max"},
        {PROF_MEAN, "mean_stoichiometry", "1", "particle mean stoichiometry"},
        {PROF_REACTION, "reaction_current", "A/m^2", "reaction current density i_n = F j per particle surface, + anodic (Li leaving the solid)"}};
      for (int i = 0; i < 4; i++) {
        PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s_%s", base, q[i].name, nm));
        PetscCall(PetscSNPrintf(desc, sizeof(desc), "%s in the %s electrode", q[i].what, nm));
        PetscCall(DefineProfile(o, q[i].k, cell, sd, 0, e->nk, path, q[i].units, desc, grid));
      }
      PetscCall(PetscSNPrintf(grid, sizeof(grid), "%s/r_%s", base, nm));
      PetscCall(SsbResultsWriteGrid(res, grid, "m", "particle shell centres, from the particle centre", e->g.n, e->g.centre));
      for (int p = 0; p < s->c->output.nparticle_positions; p++) {
        double f = s->c->output.particle_positions[p];
        int    j = PetscMin(PetscMax((int)floor(f * e->nk), 0), e->nk - 1);
        PetscCall(PetscSNPrintf(path, sizeof(path), "%s/c_s_%s_%d", base, nm, p + 1));
        PetscCall(PetscSNPrintf(desc, sizeof(desc), "Li concentration in the particle of %s node %d (x = %g m, fraction %g of the electrode)", nm, j, m->x.centre[e->k0 + j], f));
        PetscCall(DefineProfile(o, PROF_PARTICLE, cell, sd, e->k0 + j, e->g.n, path, "mol/m^3", desc, grid));
      }
    } else if (e->kind == SSB_ELECTRODE_DENSE) {
      double *xs;
      PetscCall(PetscMalloc1(e->g.n, &xs));
      /* film cells are numbered from the collector to the separator face */
      for (int i = 0; i < e->g.n; i++) xs[i] = sd == 0 ? e->g.centre[i] : m->L_neg + m->L_sep + e->L - e->g.centre[i];
      PetscCall(PetscSNPrintf(grid, sizeof(grid), "%s/x_film_%s", base, nm));
      PetscCall(SsbResultsWriteGrid(res, grid, "m", "dense-electrode cell centres, from the cell's negative collector (collector side first)", e->g.n, xs));
      PetscCall(PetscFree(xs));
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/c_film_%s", base, nm));
      PetscCall(PetscSNPrintf(desc, sizeof(desc), "Li concentration in the dense %s electrode", nm));
      PetscCall(DefineProfile(o, PROF_FILM, cell, sd, 0, e->g.n, path, "mol/m^3", desc, grid));
    }
    if (e->pnp) { /* the resolved space-charge layer at the planar face */
      PetscCall(PetscSNPrintf(grid, sizeof(grid), "%s/x_space_charge_%s", base, nm));
      PetscCall(PetscSNPrintf(desc, sizeof(desc), "nodes of the resolved space-charge layer at the %s interface: distance from the reaction plane into the electrolyte", nm));
      PetscCall(SsbResultsWriteGrid(res, grid, "m", desc, e->pnp_n + 1, e->pnp_x));
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/phi_space_charge_%s", base, nm));
      PetscCall(PetscSNPrintf(desc, sizeof(desc), "potential of the resolved space-charge layer at the %s interface minus the bulk electrolyte's (the layer's own field; the uniform ohmic field of the bulk excluded)", nm));
      PetscCall(DefineProfile(o, PROF_SCL_PHI, cell, sd, 0, e->pnp_n + 1, path, "V", desc, grid));
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/c_space_charge_%s", base, nm));
      PetscCall(PetscSNPrintf(desc, sizeof(desc), "mobile Li+ concentration in the resolved space-charge layer at the %s interface", nm));
      PetscCall(DefineProfile(o, PROF_SCL_C, cell, sd, 0, e->pnp_n + 1, path, "mol/m^3", desc, grid));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Profiles of every cell of a stack of up to 10 cells, else of the first, middle and last. */
static PetscErrorCode OutputSetUp(SsbSim s, SsbResults res, Output *o)
{
  const int N = s->ncells;
  PetscFunctionBeginUser;
  memset(o, 0, sizeof(*o));
  o->res = res;
  if (!res) PetscFunctionReturn(PETSC_SUCCESS);
  int sel[10], nsel = 0;
  if (N <= 10)
    for (int k = 0; k < N; k++) sel[nsel++] = k;
  else {
    sel[nsel++] = 0;
    sel[nsel++] = N / 2;
    sel[nsel++] = N - 1;
  }
  o->maxprof = nsel * (4 + 14 + 2 * s->c->output.nparticle_positions) + 1;
  PetscCall(PetscCalloc1(o->maxprof, &o->prof));
  PetscCall(PetscMalloc1(8 * N, &o->cellbuf));
  for (int i = 0; i < nsel; i++) PetscCall(CellProfiles(s, o, sel[i]));
  if (s->heat) {
    /* the stack thermal model: every layer's temperature */
    const SsbHeatModel *hm = s->heat;
    double             *z;
    PetscCall(PetscMalloc1(hm->n, &z));
    for (int i = 0; i < hm->n; i++) z[i] = 0.5 * (hm->z[i] + hm->z[i + 1]);
    PetscCall(SsbResultsWriteGrid(res, "/thermal/z", "m", "thermal cell centres through the stack, from the bottom (end plate, collector, every cell's layers and the bipolar plates)", hm->n, z));
    PetscCall(PetscFree(z));
    PetscCall(DefineProfile(o, PROF_TEMPERATURE, 0, 0, 0, hm->n, "/thermal/temperature", "K", "temperature through the stack at the profile times (/profiles/time)", "/thermal/z"));
  } else {
    /* isothermal or lumped: the temperature at every cell's layer centres, cells stacked with
       their bipolar plates */
    double *z, z0 = 0, tp = s->c->stack.bipolar_plate.material ? s->c->stack.bipolar_plate.thickness : 0;
    PetscCall(PetscMalloc1(3 * N, &z));
    for (int k = 0; k < N; k++) {
      const SsbCellModel *m = s->cells[k];
      z[3 * k]              = z0 + 0.5 * m->L_neg;
      z[3 * k + 1]          = z0 + m->L_neg + 0.5 * m->L_sep;
      z[3 * k + 2]          = z0 + m->L_neg + m->L_sep + 0.5 * m->L_pos;
      z0 += m->L_neg + m->L_sep + m->L_pos + tp;
    }
    PetscCall(SsbResultsWriteGrid(res, "/thermal/z", "m", "layer centres through the stack (negative electrode, separator, positive electrode of every cell, from the bottom)", 3 * N, z));
    PetscCall(PetscFree(z));
    PetscCall(DefineProfile(o, PROF_TEMPERATURE, 0, 0, 0, 3 * N, "/thermal/temperature", "K", "temperature through the stack at the profile times (/profiles/time)", "/thermal/z"));
  }
  PetscCall(PetscMalloc1(o->nprof, &o->values));
  for (int i = 0; i < o->nprof; i++) o->values[i] = o->prof[i].buf;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode OutputDestroy(Output *o)
{
  PetscFunctionBeginUser;
  for (int i = 0; i < o->nprof; i++) PetscCall(PetscFree(o->prof[i].buf));
  PetscCall(PetscFree(o->values));
  PetscCall(PetscFree(o->prof));
  PetscCall(PetscFree(o->cellbuf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteRowCore(SsbSim s, Output *o, double t, int step)
{
  const double *y = s->yf, *yp = s->ypf;
  const int     N = s->ncells;
  SsbResultsRow row;
  double        heat = y[s->iI] * y[s->iI] * s->R_stack, Tmax = -INFINITY;
  PetscFunctionBeginUser;
  if (s->monitor) s->monitor(s->monitor_ctx, t, step, y, yp);
  if (!o->res) PetscFunctionReturn(PETSC_SUCCESS);
  /* this rank's cells [c0, c1) (the results file takes each rank's block); the heat of every cell
     is gathered and summed in stack order, so the row does not depend on the number of ranks */
  const int nl = s->c1 - s->c0;
  double   *hk = o->cellbuf + 3 * N, *hs = o->cellbuf + 4 * N; /* [N] heat of every cell; [4 nl] by kind */
  if (s->iT >= 0)                                              /* every cell's temperature at this state: the profiles (rank 0) use any cell's */
    for (int k = 0; k < N; k++) SsbCellSetTemperature(s->cells[k], SsbSimCellTemperature(s, y, k));
  for (int k = s->c0; k < s->c1; k++) {
    SsbCellDiag d;
    SsbCellDiagnostics(s->cells[k], y + s->coff[k], yp + s->coff[k], y[s->iI], &d);
    o->cellbuf[k - s->c0]          = d.voltage;
    o->cellbuf[nl + k - s->c0]     = s->cells[k]->T;
    o->cellbuf[2 * nl + k - s->c0] = d.soc;
    hk[k]                          = d.heat + d.heat_rev;
    hs[k - s->c0]                  = d.heat_ohmic;
    hs[nl + k - s->c0]             = d.heat_reaction;
    hs[2 * nl + k - s->c0]         = d.heat_rev;
    hs[3 * nl + k - s->c0]         = d.heat_contact;
    Tmax                           = PetscMax(Tmax, s->cells[k]->T);
  }
  if (s->size > 1) {
    PetscCallMPI(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, hk, s->ccnt, s->cdsp, MPI_DOUBLE, s->comm));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &Tmax, 1, MPI_DOUBLE, MPI_MAX, s->comm));
  }
  for (int k = 0; k < N; k++) heat += hk[k];
  for (int q = 0; q < s->nth; q++) Tmax = PetscMax(Tmax, y[s->iT + q]);
  row.time             = t;
  row.current_density  = y[s->iI];
  row.current          = y[s->iI] * s->c->cell.area;
  row.voltage          = SsbSimStackVoltage(s, y);
  row.capacity         = y[s->iQ] / 3600.0;
  row.temperature_max  = Tmax;
  row.heat_rate        = heat;
  row.step             = step;
  row.cell_voltage     = o->cellbuf;
  row.cell_temperature = o->cellbuf + nl;
  row.cell_soc         = o->cellbuf + 2 * nl;
  row.cell_heat        = hs;
  row.heat_plates      = y[s->iI] * y[s->iI] * s->R_stack;
  PetscCall(SsbResultsAppendRow(o->res, &row));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* WriteRowCore, timed for -log_view */
static PetscErrorCode WriteRow(SsbSim s, Output *o, double t, int step)
{
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(SSB_EVENT_Output, 0, 0, 0, 0));
  PetscCall(WriteRowCore(s, o, t, step));
  PetscCall(PetscLogEventEnd(SSB_EVENT_Output, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode WriteProfilesCore(SsbSim s, Output *o, double t)
{
  PetscFunctionBeginUser;
  if (!o->res) PetscFunctionReturn(PETSC_SUCCESS);
  for (int i = 0; i < o->nprof; i++) {
    Prof               *p = &o->prof[i];
    const SsbCellModel *m = s->cells[p->cell];
    const SsbSide      *e = &m->side[p->side];
    const double       *y = s->yf + s->coff[p->cell];
    if (p->kind == PROF_SCL_PHI || p->kind == PROF_SCL_C) {
      double *x, *phi, *c;
      PetscCall(PetscMalloc3(p->n, &x, p->n, &phi, p->n, &c));
      SsbCellPnpProfile(m, y, p->side, x, phi, c);
      PetscCall(PetscArraycpy(p->buf, p->kind == PROF_SCL_PHI ? phi : c, p->n));
      PetscCall(PetscFree3(x, phi, c));
      continue;
    }
    for (int j = 0; j < p->n; j++) {
      const double *n = p->kind == PROF_PHI_E || p->kind == PROF_C_E || p->kind == PROF_FILM || p->kind == PROF_TEMPERATURE ? NULL : y + m->off[p->kind == PROF_PARTICLE ? p->node : e->k0 + j];
      double        v = 0;
      switch (p->kind) {
      case PROF_PHI_E:
        v = y[m->off[j]];
        break;
      case PROF_C_E:
        v = y[m->off[j] + 1];
        break;
      case PROF_PHI_S:
        v = n[m->o_phis];
        break;
      case PROF_SURFACE:
        v = SsbCellSurfaceStoichiometry(m, y, e->k0 + j);
        break;
      case PROF_MEAN: {
        double c = 0, vol = 0;
        for (int q = 0; q < e->g.n; q++) {
          c += e->g.V[q] * n[m->o_cs + q];
          vol += e->g.V[q];
        }
        v = c / vol / e->am.c_max;
      } break;
      case PROF_REACTION:
        v = n[m->o_in];
        break;
      case PROF_PARTICLE:
        v = n[m->o_cs + j];
        break;
      case PROF_FILM:
        v = y[e->i_c + j];
        break;
      case PROF_SCL_PHI: /* stored above */
      case PROF_SCL_C:
        break;
      case PROF_TEMPERATURE: /* stack: every thermal cell; isothermal or lumped: each cell's three layers */
        v = s->heat ? s->yf[s->iT + j] : (s->iT >= 0 ? s->yf[s->iT] : s->cells[j / 3]->T);
        break;
      }
      p->buf[j] = v;
    }
  }
  PetscCall(SsbResultsAppendProfiles(o->res, t, (const double *const *)o->values));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* WriteProfilesCore, timed for -log_view */
static PetscErrorCode WriteProfiles(SsbSim s, Output *o, double t)
{
  PetscFunctionBeginUser;
  PetscCall(SsbSimGatherFull(s)); /* the profiled cells may be on other ranks */
  PetscCall(PetscLogEventBegin(SSB_EVENT_Output, 0, 0, 0, 0));
  PetscCall(WriteProfilesCore(s, o, t));
  PetscCall(PetscLogEventEnd(SSB_EVENT_Output, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static const char *IDAFlagText(int flag) { return IDAGetReturnFlagName(flag); }

/* IDAReInit resets IDA's counters: add them to the run's totals before every restart. */
static void AccumulateStats(SsbSim s)
{
  long nst = 0, nni = 0, ncf = 0, nef = 0;
  IDAGetNumSteps(s->ida, &nst);
  IDAGetNumNonlinSolvIters(s->ida, &nni);
  IDAGetNumNonlinSolvConvFails(s->ida, &ncf);
  IDAGetNumErrTestFails(s->ida, &nef);
  s->stats.steps += nst;
  s->stats.newton_iters += nni;
  s->stats.newton_fails += ncf;
  s->stats.err_fails += nef;
}

static void FormatCurrent(SsbSim s, const SsbCurrentSpec *cs, char *buf, size_t len)
{
  switch (cs->unit) {
  case SSB_CURRENT_CRATE:
    snprintf(buf, len, "%gC", fabs(cs->value));
    break;
  case SSB_CURRENT_AMPERE:
    snprintf(buf, len, "%g A", fabs(cs->value));
    break;
  default:
    snprintf(buf, len, "%g A/m^2", fabs(cs->value));
    break;
  }
}

/* Consistent initial conditions for the control just set, from the state at the end of the last
   step. IDACalcIC iterates with a Jacobian frozen at its starting point, which fails to converge when
   the control jumps far (the Butler-Volmer slopes change by orders of magnitude); then the jump is
   taken in 4, 16 and 64 equal stages of the control value, each starting from the previous stage's
   consistent state. */
static int ConsistentIC(SsbSim s, double t, double tout1)
{
  const double *y0     = s->yf;   /* the state the driver set (scattered into s->y) */
  SsbControl    mode   = s->mode; /* the staged quantity: the current, the stack voltage or the power; a load resistance is applied
     at once (from open circuit its staging would start at an infinite resistance) */
  double       *setp   = mode == SSB_CONTROL_CURRENT ? &s->I_set : mode == SSB_CONTROL_VOLTAGE ? &s->V_set
                                                                 : mode == SSB_CONTROL_POWER   ? &s->P_set
                                                                                               : &s->R_set;
  double        target = *setp;
  double        start  = mode == SSB_CONTROL_CURRENT ? y0[s->iI] : mode == SSB_CONTROL_VOLTAGE ? SsbSimStackVoltage(s, y0)
                                                                 : mode == SSB_CONTROL_POWER   ? y0[s->iI] * SsbSimStackVoltage(s, y0)
                                                                                               : target;
  N_Vector      ys = N_VClone(s->y), yps = N_VClone(s->yp);
  int           flag = -1;
  /* IDACalcIC's Newton iteration neglects the differential unknowns' own columns against cj = 1/h,
     h = 1e-3 (tout1 - t): with a resolved space-charge layer (relaxation times h_0^2/D down to
     picoseconds) tout1 - t must not exceed the fastest of them */
  {
    double tf = INFINITY, tfg;
    for (int k = 0; k < s->ncells; k++) tf = PetscMin(tf, s->cells[k]->t_fast);
    if (MPI_Allreduce(&tf, &tfg, 1, MPI_DOUBLE, MPI_MIN, s->comm)) tfg = tf;
    if (tfg < tout1 - t) tout1 = t + tfg;
  }
  /* IDACalcIC needs tout1 - t well above the rounding of t (4 uround |t|): a step that short late in
     a run is taken from IDA's t = 0, the residual seeing t through s->t_shift */
  const double t_ic = tout1 - t < 64 * DBL_EPSILON * fabs(t) ? 0.0 : t, tout1_ic = tout1 - t + t_ic;
  N_VScale(1.0, s->y, ys);
  N_VScale(1.0, s->yp, yps);
  for (int nstage = 1; nstage <= 64 && flag < 0; nstage *= 4) {
    N_VScale(1.0, ys, s->y);
    N_VScale(1.0, yps, s->yp);
    for (int k = 1; k <= nstage; k++) {
      if (mode == SSB_CONTROL_RESISTANCE) /* staged in conductance, from open circuit */
        *setp = k == nstage ? target : target * nstage / (double)k;
      else
        *setp = k == nstage ? target : start + (target - start) * k / nstage;
      s->t_shift = t - t_ic;
      if ((flag = IDAReInit(s->ida, t_ic, s->y, s->yp)) < 0) break;
      flag       = IDACalcIC(s->ida, IDA_YA_YDP_INIT, tout1_ic);
      s->t_shift = 0;
      if (flag < 0) break;
      if ((flag = IDAGetConsistentIC(s->ida, s->y, s->yp)) < 0) break;
    }
  }
  *setp      = target;
  s->t_shift = 0;
  if (flag < 0) {
    N_VScale(1.0, ys, s->y);
    N_VScale(1.0, yps, s->yp);
  } else
    flag = IDAReInit(s->ida, t, s->y, s->yp);
  N_VDestroy(ys);
  N_VDestroy(yps);
  if (SsbSimGatherState(s)) return IDA_MEM_FAIL;
  return flag;
}

PetscErrorCode SsbSimRun(SsbSim s, SsbResults res, const char **status)
{
  const SsbCase      *c     = s->c;
  const SsbCellModel *m     = s->cell;
  const SsbLimits    *lim_x = &c->experiment.limits;
  Output              o;
  double              t = 0, t_wall0, t_next_chk = INFINITY;
  int                 stepno = 0, done = 0, cyc0 = 0, si0 = 0;
  SsbCheckpoint      *resume = s->chk; /* a checkpoint to continue from (ssbsim restart) */
  const PetscBool     chk_on = s->chk_path && s->chk_interval > 0;
  char                reason[256];
  SsbCellDiag         d;

  PetscFunctionBeginUser;
  t_wall0 = MPI_Wtime();
  PetscCall(OutputSetUp(s, res, &o));
  PetscCall(PetscFree(s->roots));
  /* step cut-offs, and per cell: two voltage limits, two Li inventories, salt depletion, surface full */ const int maxroots = 3 + 6 * s->ncells;
  int                                                                                                              *dirs, *info;
  PetscCall(PetscMalloc3(maxroots, &s->roots, maxroots, &dirs, maxroots, &info));
  PetscCall(PetscStrncpy(s->status, "completed", sizeof(s->status)));
  o.t_next_row  = 0;
  o.t_next_prof = 0;
  if (chk_on) t_next_chk = s->chk_interval;
  if (resume) { /* SsbSimLoadCheckpoint restored y, y', li0 and the statistics */
    cyc0          = resume->rs.cyc;
    si0           = resume->rs.si;
    stepno        = resume->rs.stepno;
    t             = resume->rs.t;
    o.t_next_row  = resume->rs.t_next_row;
    o.t_next_prof = resume->rs.t_next_prof;
    if (chk_on) t_next_chk = resume->rs.t_next_chk;
  } else {
    SsbCellDiagnostics(m, s->yf, s->ypf, 0, &d);
    s->li0[0] = d.li[0];
    s->li0[1] = d.li[1];
  }

  /* capacity fade (capacity_fraction_min): the first cycle's discharge capacity (A s/m^2) */
  double q_first = resume ? resume->rs.q_first : NAN;
  for (int cyc = cyc0; cyc < c->experiment.cycles && !done; cyc++) {
    double q_cycle = resume && s->chk && cyc == cyc0 ? resume->rs.q_cycle : 0; /* charge discharged in this cycle's discharging steps */
    for (int si = cyc == cyc0 ? si0 : 0; si < c->experiment.nsteps && !done; si++, stepno++) {
      const SsbStep *st       = &c->experiment.steps[si];
      const int      resuming = resume && s->chk; /* the interrupted step, until the state is applied */
      double         t_start = resuming ? resume->rs.t_start : t, t_end = INFINITY;
      /* the guards of this step: its own where it has them, the experiment's otherwise */
      SsbLimits        Ls  = *lim_x;
      const SsbLimits *lim = &Ls;
      if (st->has_limits) {
        if (!isnan(st->limits.cell_voltage_max)) Ls.cell_voltage_max = st->limits.cell_voltage_max;
        if (!isnan(st->limits.cell_voltage_min)) Ls.cell_voltage_min = st->limits.cell_voltage_min;
        if (!isnan(st->limits.temperature_max)) Ls.temperature_max = st->limits.temperature_max;
        if (!isnan(st->limits.step_time_max)) Ls.step_time_max = st->limits.step_time_max;
      }
      reason[0] = 0;
      /* control */
      switch (st->kind) {
      case SSB_STEP_CURRENT:
        PetscCall(SsbSimSetControl(s, SSB_CONTROL_CURRENT, CurrentDensity(s, &st->current)));
        break;
      case SSB_STEP_REST:
        PetscCall(SsbSimSetControl(s, SSB_CONTROL_CURRENT, 0.0));
        break;
      case SSB_STEP_VOLTAGE:
        PetscCall(SsbSimSetControl(s, SSB_CONTROL_VOLTAGE, st->voltage));
        break;
      case SSB_STEP_POWER: /* per unit electrode area */
        PetscCall(SsbSimSetControl(s, SSB_CONTROL_POWER, st->per_area ? st->power : st->power / c->cell.area));
        break;
      case SSB_STEP_RESISTANCE:
        PetscCall(SsbSimSetControl(s, SSB_CONTROL_RESISTANCE, st->per_area ? st->resistance : st->resistance * c->cell.area));
        break;
      case SSB_STEP_PROFILE: /* per unit electrode area; the step starts at the table's first time */
        PetscCall(SsbSimSetProfile(s, st->profile_power ? SSB_CONTROL_POWER : SSB_CONTROL_CURRENT, st->profile_n, st->profile_t, st->profile_v, t_start, st->per_area ? 1.0 : 1.0 / c->cell.area));
        break;
      }
      s->t_now = t;
      /* the direction of a cut-off: falling on discharge, rising on charge */
      int discharging = st->kind == SSB_STEP_CURRENT ? s->I_set > 0 : st->kind == SSB_STEP_POWER ? s->P_set > 0
                                                                                                 : 1;
      if (st->kind == SSB_STEP_PROFILE) { /* a profile discharges if it delivers net charge (energy) */
        double net = 0;
        for (int k = 0; k + 1 < st->profile_n; k++) net += 0.5 * (st->profile_v[k] + st->profile_v[k + 1]) * (st->profile_t[k + 1] - st->profile_t[k]);
        discharging = net >= 0;
      }
      /* stop time: duration, the step time limit, the experiment time limit */
      const char *t_reason = NULL;
      if (!isnan(st->duration)) {
        t_end    = t_start + st->duration;
        t_reason = "duration reached";
      }
      if (st->kind == SSB_STEP_PROFILE) {
        t_end    = t_start + st->profile_t[st->profile_n - 1];
        t_reason = "profile finished";
      }
      double step_max = lim->step_time_max;
      if (isnan(step_max) && isnan(st->duration) && st->kind != SSB_STEP_PROFILE) {
        /* default guard: 1.5 times the time to pass the theoretical capacity (current steps), 24 h (holds) */ step_max = st->kind == SSB_STEP_CURRENT ? 1.5 * s->capacity / fabs(s->I_set) : (st->kind == SSB_STEP_VOLTAGE ? 86400.0 : 172800.0);
      }
      if (!isnan(step_max) && t_start + step_max < t_end) {
        t_end    = t_start + step_max;
        t_reason = "terminated: step time limit reached";
      }
      if (!isnan(lim->time_max) && lim->time_max < t_end) {
        t_end    = lim->time_max;
        t_reason = "terminated: experiment time limit reached";
      }
      if (!isnan(lim->time_max) && t >= lim->time_max * (1 - 1e-14) && !resuming) {
        /* the last step ended at the experiment's time limit: this one has no time left (IDA would
           refuse a stop time at its start: "tout too close to t0") */
        snprintf(s->status, sizeof(s->status), "terminated: experiment time limit reached at the start of step %d '%s' at t = %g s", stepno + 1, st->text, t);
        done = 1;
        break;
      }
      /* roots */
      s->nroots = 0;
      if (st->kind != SSB_STEP_VOLTAGE && st->kind != SSB_STEP_REST && !isnan(st->until_voltage)) s->roots[s->nroots++] = (SsbRoot){SSB_ROOT_STEP_VOLTAGE, 0, st->until_voltage, discharging ? -1 : 1, 0};
      if (st->kind == SSB_STEP_VOLTAGE && st->until_current.unit != SSB_CURRENT_NONE) s->roots[s->nroots++] = (SsbRoot){SSB_ROOT_STEP_CURRENT, 0, fabs(CurrentDensity(s, &st->until_current)), -1, 0};
      for (int k = 0; k < s->ncells; k++) {
        const SsbCellModel *mk = s->cells[k];
        if (!isnan(lim->cell_voltage_max)) s->roots[s->nroots++] = (SsbRoot){SSB_ROOT_VMAX, k, lim->cell_voltage_max, 1, 0};
        if (!isnan(lim->cell_voltage_min)) s->roots[s->nroots++] = (SsbRoot){SSB_ROOT_VMIN, k, lim->cell_voltage_min, -1, 0};
        for (int sd = 0; sd < 2; sd++)
          if (mk->side[sd].kind == SSB_ELECTRODE_LITHIUM_METAL) s->roots[s->nroots++] = (SsbRoot){SSB_ROOT_LI_EXHAUSTED, k, 0, -1, sd};
        /* a concentrated electrolyte that runs out of salt (Sand's time, limiting current) ends the run */
        if (mk->binary) s->roots[s->nroots++] = (SsbRoot){SSB_ROOT_DEPLETED, k, 1e-4, -1, 0};
        if (st->kind != SSB_STEP_VOLTAGE && st->kind != SSB_STEP_REST && isfinite(ElectrodeSaturation(mk, s->yf + s->coff[k], 0.0))) s->roots[s->nroots++] = (SsbRoot){SSB_ROOT_SURFACE_FULL, k, SurfaceFull(s), -1, 0};
      }
      if (s->iT >= 0 && !isnan(lim->temperature_max)) s->roots[s->nroots++] = (SsbRoot){SSB_ROOT_TMAX, 0, lim->temperature_max, 1, 0};
      for (int i = 0; i < s->nroots; i++) dirs[i] = s->roots[i].direction;

      /* restart the integrator from the current state: the control changed discontinuously */
      if (st->kind == SSB_STEP_REST && !resuming) {
        /* after a step that ended at a kinetic limit, the old currents are a poor Newton start */
        for (int k = 0; k < s->ncells; k++) SsbCellRestGuess(s->cells[k], s->yf + s->coff[k]);
        s->yf[s->iI] = 0;
        PetscCall(SsbSimScatterState(s));
      }
      AccumulateStats(s);
      SsbCallSUN(IDAReInit(s->ida, t, s->y, s->yp));
      SsbCallSUN(IDARootInit(s->ida, s->nroots, RootFn));
      SsbCallSUN(IDASetRootDirection(s->ida, dirs));
      if (isfinite(t_end))
        SsbCallSUN(IDASetStopTime(s->ida, t_end));
      else
        SsbCallSUN(IDASetStopTime(s->ida, 1e300)); /* SUNDIALS 6.4 has no IDAClearStopTime */
      /* for the progress line: the planned end and the cut-off of this step */
      s->step_t0   = t_start;
      s->step_t1   = (!isnan(st->duration) || st->kind == SSB_STEP_PROFILE) && isfinite(t_end) ? t_end : NAN;
      s->step_v0   = SsbSimStackVoltage(s, s->yf);
      s->step_vcut = st->kind != SSB_STEP_VOLTAGE && st->kind != SSB_STEP_REST ? st->until_voltage : NAN;
      /* the charge passed at the start of the step (capacity fade bookkeeping) */
      double q_start = resuming ? resume->rs.q_start : s->yf[s->iQ];
      int    flag    = 0;
      if (resuming) {
        /* continue the checkpointed step: IDA's history, the control and the factorisation as they
           were, then straight into the integration loop (the row at t opens the new results file) */
        PetscCall(SsbSimApplyCheckpoint(s));
        reason[0] = 0;
        PetscCall(WriteRow(s, &o, t, stepno));
        goto integrate;
      }
      flag = ConsistentIC(s, t, t + PetscMin(1.0, t_end - t));
      if (flag < 0 && st->kind != SSB_STEP_REST) {
        /* straight from a step that ended at a kinetic or transport limit to the opposite direction
           (a discharge to its cut-off, then a charge): the old interface currents are a poor Newton
           start. Start again from the rest guess (no interface current, the present concentrations)
           and stage the new set point from open circuit. */
        for (int k = 0; k < s->ncells; k++) SsbCellRestGuess(s->cells[k], s->yf + s->coff[k]);
        s->yf[s->iI] = 0;
        PetscCall(SsbSimScatterState(s));
        flag = ConsistentIC(s, t, t + PetscMin(1.0, t_end - t));
      }
      if (flag < 0) {
        snprintf(s->status, sizeof(s->status), "failed: no consistent initial state for step %d '%s' at t = %g s (%s; %s)", stepno + 1, st->text, t, IDAFlagText(flag), s->last_error);
        PetscCall(WriteRow(s, &o, t, stepno));
        if (res) PetscCall(SsbResultsAppendStep(res, stepno, cyc, st->text, t_start, t, "solver failure"));
        done = 2;
        break;
      }
      /* a cut-off already met at the start ends the step at once */
      {
        const double *y  = s->yf;
        double        Vs = SsbSimStackVoltage(s, y);
        /* a guard already crossed (a step's own limits may be tighter than where the last step ended) */
        for (int k = 0; k < s->ncells && !reason[0]; k++) {
          const double Vk = y[s->coff[k] + s->cells[k]->i_V];
          if (!isnan(lim->cell_voltage_max) && Vk > lim->cell_voltage_max) snprintf(reason, sizeof(reason), "terminated: cell %d voltage %.6g V above the limit cell_voltage_max = %g V at the start of the step", k + 1, Vk, lim->cell_voltage_max);
          if (!isnan(lim->cell_voltage_min) && Vk < lim->cell_voltage_min) snprintf(reason, sizeof(reason), "terminated: cell %d voltage %.6g V below the limit cell_voltage_min = %g V at the start of the step", k + 1, Vk, lim->cell_voltage_min);
        }
        if (st->kind != SSB_STEP_VOLTAGE && st->kind != SSB_STEP_REST && !isnan(st->until_voltage) && ((discharging && Vs <= st->until_voltage) || (!discharging && Vs >= st->until_voltage)))
          snprintf(reason, sizeof(reason), "voltage %g V reached at the start of the step", st->until_voltage);
        /* an empty Li-metal electrode cannot be stripped further (anode-free cell at its start) */
        for (int k = 0; k < s->ncells && !reason[0]; k++)
          for (int sd = 0; sd < 2 && !reason[0]; sd++) {
            const SsbSide *e = &s->cells[k]->side[sd];
            if (e->kind == SSB_ELECTRODE_LITHIUM_METAL && y[s->coff[k] + e->i_h] <= 0 && (sd == 0 ? y[s->iI] > 0 : y[s->iI] < 0))
              snprintf(reason, sizeof(reason), "terminated: cell %d %s lithium-metal inventory exhausted at the start of the step", k + 1, sd == 0 ? "negative" : "positive");
          }
      }
      PetscCall(WriteRow(s, &o, t, stepno));
    integrate:
      while (!reason[0]) {
        /* output.interval 0: a row after every internal step (IDA_ONE_STEP; the integrator still
           stops exactly at the step's end and at a profile's corners), and the profiles at the first
           internal step at or after each of their times (stopping there would change the steps) */
        const PetscBool every = c->output.interval == 0;
        double          tout  = t_end;
        if (c->output.interval > 0) {
          while (o.t_next_row <= t * (1 + 1e-12)) o.t_next_row += c->output.interval;
          tout = PetscMin(tout, o.t_next_row);
        }
        if (c->output.profiles_interval > 0) {
          if (every) { /* at the first step at or after a profile time, and on to the next one after t */
            if (o.t_next_prof <= t * (1 + 1e-12)) PetscCall(WriteProfiles(s, &o, t));
            while (o.t_next_prof <= t * (1 + 1e-12)) o.t_next_prof += c->output.profiles_interval;
          } else {
            while (o.t_next_prof < t * (1 - 1e-12)) o.t_next_prof += c->output.profiles_interval;
            if (o.t_next_prof <= t * (1 + 1e-12)) {
              PetscCall(WriteProfiles(s, &o, t));
              o.t_next_prof += c->output.profiles_interval;
            }
          }
          tout = PetscMin(tout, o.t_next_prof);
        }
        int j_corner = -1;
        if (st->kind == SSB_STEP_PROFILE) {
          /* stop at every corner of the profile: the integrator does not step across a kink; the
             piece of the profile in use is the one that ends at the next corner (at a jump, two
             rows at the same time, the value left of the jump up to it, the right one after it) */
          int j = 0;
          while (j < st->profile_n && t_start + st->profile_t[j] <= t * (1 + 1e-12) + 1e-12) j++;
          s->prof_k = PetscMax(0, PetscMin(j - 1, st->profile_n - 2));
          j_corner  = j;
          if (j < st->profile_n && t_start + st->profile_t[j] < t_end) {
            tout = PetscMin(tout, t_start + st->profile_t[j]);
            SsbCallSUN(IDASetStopTime(s->ida, t_start + st->profile_t[j]));
          } else
            SsbCallSUN(IDASetStopTime(s->ida, t_end));
        }
        double tret = t; /* IDASolve leaves it unset when it rejects its input (IDA_ILL_INPUT) */
        flag        = IDASolve(s->ida, tout, &tret, s->y, s->yp, every ? IDA_ONE_STEP : IDA_NORMAL);
        /* an ordinary return (an output row in the middle of the step) needs only this rank's cells,
           the voltages and the border; a root, a failure, a stop or the step's end the whole state */
        if (flag == IDA_SUCCESS && tret < t_end * (1 - 1e-14))
          PetscCall(SsbSimGatherRow(s));
        else
          PetscCall(SsbSimGatherState(s));
        if (flag < 0) {
          t = tret;
          /* an intercalation surface at empty or full: the exchange current vanishes there and the
             voltage collapses faster than the integrator can follow. That is where the electrode
             stops taking (or giving) Li at this rate, the physical end of the step: report it as
             such, not as a solver failure. */
          for (int k = 0; k < s->ncells && !reason[0]; k++) {
            int          sd;
            double       xs;
            const double mg = SsbCellSurfaceMargin(s->cells[k], s->yf + s->coff[k], &sd, &xs);
            if (mg < SSB_SURFACE_MARGIN)
              snprintf(reason, sizeof(reason), "terminated: cell %d %s electrode surface %s (stoichiometry %.7g) before the cut-off: it cannot %s Li at this rate (the integrator stopped: %s)", k + 1, sd == 0 ? "negative" : "positive", xs > 0.5 ? "full" : "empty", xs, xs > 0.5 ? "take more" : "give more", IDAFlagText(flag));
          }
          if (reason[0]) break;
          snprintf(s->status, sizeof(s->status), "failed: %s in step %d '%s' at t = %g s (%s)", IDAFlagText(flag), stepno + 1, st->text, t, s->last_error);
          PetscCall(WriteRow(s, &o, t, stepno));
          if (res) PetscCall(SsbResultsAppendStep(res, stepno, cyc, st->text, t_start, t, "solver failure"));
          done = 2;
          break;
        }
        t = tret;
        if (flag != IDA_ROOT_RETURN && j_corner >= 0 && j_corner + 1 < st->profile_n && st->profile_t[j_corner + 1] == st->profile_t[j_corner] && fabs(t - (t_start + st->profile_t[j_corner])) <= 1e-12 * (1 + fabs(t))) {
          /* a jump of the profile: the set point changes discontinuously, as at the start of a
             step; restart the integrator from a consistent state on the right side of the jump */
          if (!reason[0]) PetscCall(WriteRow(s, &o, t, stepno));
          s->prof_k = PetscMin(j_corner + 1, st->profile_n - 2);
          s->t_now  = t;
          AccumulateStats(s);
          flag = ConsistentIC(s, t, t + PetscMin(1.0, t_end - t));
          if (flag < 0) {
            snprintf(s->status, sizeof(s->status), "failed: no consistent state after the jump of the profile at t = %g s in step %d '%s' (%s; %s)", t, stepno + 1, st->text, IDAFlagText(flag), s->last_error);
            PetscCall(WriteRow(s, &o, t, stepno));
            if (res) PetscCall(SsbResultsAppendStep(res, stepno, cyc, st->text, t_start, t, "solver failure"));
            done = 2;
            break;
          }
          PetscCall(WriteRow(s, &o, t, stepno)); /* the right side of the jump, at the same time */
          continue;
        }
        if (flag == IDA_ROOT_RETURN) {
          SsbCallSUN(IDAGetRootInfo(s->ida, info));
          for (int i = 0; i < s->nroots && !reason[0]; i++) {
            if (!info[i]) continue;
            const SsbRoot *r = &s->roots[i];
            switch (r->kind) {
            case SSB_ROOT_STEP_VOLTAGE:
              snprintf(reason, sizeof(reason), "voltage %g V reached", r->value);
              break;
            case SSB_ROOT_STEP_CURRENT: {
              char cur[64];
              FormatCurrent(s, &st->until_current, cur, sizeof(cur));
              snprintf(reason, sizeof(reason), "current %s reached", cur);
            } break;
            case SSB_ROOT_VMAX:
              snprintf(reason, sizeof(reason), "terminated: cell %d voltage reached the limit cell_voltage_max = %g V", r->cell + 1, r->value);
              break;
            case SSB_ROOT_VMIN:
              snprintf(reason, sizeof(reason), "terminated: cell %d voltage reached the limit cell_voltage_min = %g V", r->cell + 1, r->value);
              break;
            case SSB_ROOT_LI_EXHAUSTED:
              snprintf(reason, sizeof(reason), "terminated: cell %d %s lithium-metal inventory exhausted", r->cell + 1, r->side == 0 ? "negative" : "positive");
              break;
            case SSB_ROOT_TMAX:
              snprintf(reason, sizeof(reason), "terminated: the stack temperature reached the limit temperature_max = %g K", r->value);
              break;
            case SSB_ROOT_SURFACE_FULL: {
              /* The cell's voltage now runs to -infinity (a positive electrode full, a negative
                 one empty) or +infinity within about 1e-7 s, with the stack voltage: every voltage
                 bound on its way is crossed there, in the order of the distances to them. The
                 nearer of the step's cut-off (the step ends as at its cut-off, the experiment goes
                 on) and the cell's limit (the run ends) is the one reported; with neither, the
                 electrode's saturation ends the run. */
              int          sd;
              double       xs;
              const int    k  = r->cell;
              const double Vk = s->yf[s->coff[k] + s->cells[k]->i_V], Vs = SsbSimStackVoltage(s, s->yf);
              SsbCellSurfaceMargin(s->cells[k], s->yf + s->coff[k], &sd, &xs);
              const int    down  = (sd == 1) == (xs > 0.5); /* positive full or negative empty: the voltage falls */
              const double lim_v = down ? lim->cell_voltage_min : lim->cell_voltage_max;
              const double d_cut = isnan(st->until_voltage) || (down != !!discharging) ? INFINITY : fabs(Vs - st->until_voltage);
              const double d_lim = isnan(lim_v) ? INFINITY : fabs(Vk - lim_v);
              char         why[128];
              snprintf(why, sizeof(why), "cell %d %s electrode %s: every surface within %g of x = %d, the voltage %s without bound", k + 1, sd == 0 ? "negative" : "positive", xs > 0.5 ? "full" : "empty", r->value, xs > 0.5 ? 1 : 0, down ? "falls" : "rises");
              if (d_cut < INFINITY && d_cut <= d_lim)
                snprintf(reason, sizeof(reason), "voltage %g V reached (%s)", st->until_voltage, why);
              else if (d_lim < INFINITY)
                snprintf(reason, sizeof(reason), "terminated: cell %d voltage reached the limit cell_voltage_%s = %g V (%s)", k + 1, down ? "min" : "max", lim_v, why);
              else
                snprintf(reason, sizeof(reason), "terminated: %s: it cannot %s Li at this rate", why, xs > 0.5 ? "take more" : "give more");
            } break;
            case SSB_ROOT_DEPLETED:
              snprintf(reason, sizeof(reason), "terminated: cell %d electrolyte depleted (salt concentration below %g of its initial value)", r->cell + 1, r->value);
              break;
            }
          }
        } else if (t >= t_end * (1 - 1e-14) || (flag == IDA_TSTOP_RETURN && st->kind != SSB_STEP_PROFILE)) {
          PetscCall(PetscStrncpy(reason, t_reason ? t_reason : "duration reached", sizeof(reason)));
        }
        if (!reason[0]) PetscCall(WriteRow(s, &o, t, stepno));
        /* a checkpoint when one is due or a signal came, always in the middle of a step (the
           step's end has no IDA history worth keeping); a signal then ends the run */
        int         sig = SsbSimInterruptSignal(), req = SsbSimCheckpointRequested();
        PetscMPIInt size;
        PetscCallMPI(MPI_Comm_size(s->comm, &size));
        /* on several ranks (the results file is written collectively) all stop at the same row */
        if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sig, 1, MPI_INT, MPI_MAX, s->comm));
        if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &req, 1, MPI_INT, MPI_MAX, s->comm));
        if (req && !s->chk_path) PetscCall(PetscFPrintf(s->comm, stderr, "ssbsim: SIGUSR1 ignored: no checkpoint file\n"));
        if (!reason[0] && s->chk_path && (sig || req || t >= t_next_chk * (1 - 1e-12))) {
          while (t_next_chk <= t * (1 + 1e-12)) t_next_chk += s->chk_interval;
          SsbRunState rs = {cyc, si, stepno, t, t_start, o.t_next_row, o.t_next_prof, t_next_chk, q_first, q_cycle, q_start};
          if (res) PetscCall(SsbResultsSync(res)); /* the rows up to the checkpoint are on disk with it */
          PetscCall(SsbSimWriteCheckpoint(s, s->chk_path, &rs, NULL));
          if (req && !sig) PetscCall(PetscFPrintf(s->comm, stderr, "ssbsim: checkpoint written to %s at t = %.17g s (on request, SIGUSR1); the run goes on\n", s->chk_path, t));
          if (sig) {
            snprintf(s->status, sizeof(s->status), "interrupted: checkpoint written to %s at t = %.17g s (signal %d in step %d '%s')", s->chk_path, t, sig, stepno + 1, st->text);
            done = 3;
            break;
          }
        }
      }
      if (done) break;
      PetscCall(WriteRow(s, &o, t, stepno));
      PetscCall(WriteProfiles(s, &o, t));
      if (res) PetscCall(SsbResultsAppendStep(res, stepno, cyc, st->text, t_start, t, reason));
      if (s->yf[s->iQ] > q_start) q_cycle += s->yf[s->iQ] - q_start;
      if (!strncmp(reason, "terminated: ", 12)) {
        snprintf(s->status, sizeof(s->status), "terminated: %s in step %d '%s' at t = %g s", reason + 12, stepno + 1, st->text, t);
        done = 1;
      }
    }
    /* capacity fade: a cycle that discharged less than the fraction of the first cycle ends the run */
    if (!done && cyc == 0)
      q_first = q_cycle;
    else if (!done && !isnan(lim_x->capacity_fraction_min) && q_first > 0 && q_cycle < lim_x->capacity_fraction_min * q_first && cyc + 1 < c->experiment.cycles) {
      snprintf(s->status, sizeof(s->status), "terminated: cycle %d discharged %.6g mA h/cm^2, %.4g of the first cycle's (below capacity_fraction_min = %g) at t = %g s", cyc + 1, q_cycle / 36000.0, q_cycle / q_first, lim_x->capacity_fraction_min, t);
      done = 1;
    }
  }
  if (s->chk_path && s->chk_at_end && (done == 0 || done == 1)) {
    /* the finished run's state, marked finished (ssbsim restart then has nothing to continue) */
    SsbRunState rs = {c->experiment.cycles, 0, stepno, t, t, o.t_next_row, o.t_next_prof, t_next_chk, q_first, 0, 0};
    PetscCall(SsbSimWriteCheckpoint(s, s->chk_path, &rs, s->status));
  }
  SsbCellDiagnostics(m, s->yf, s->ypf, s->yf[s->iI], &d);
  s->li1[0] = d.li[0];
  s->li1[1] = d.li[1];
  s->charge = s->yf[s->iQ];
  AccumulateStats(s);
  s->stats.res_evals  = s->nres;
  s->stats.jac_evals  = s->njac;
  s->stats.lin_setups = s->nsetup;
  s->stats.lin_iters  = s->nlin;
  s->stats.wall       = MPI_Wtime() - t_wall0;
  if (res) PetscCall(SsbResultsSetStatus(res, s->status));
  PetscCall(OutputDestroy(&o));
  PetscCall(PetscFree3(s->roots, dirs, info));
  *status = s->status;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGetBalance(SsbSim s, double *charge, double li0[2], double li1[2])
{
  PetscFunctionBeginUser;
  if (charge) *charge = s->charge;
  for (int e = 0; e < 2; e++) {
    if (li0) li0[e] = s->li0[e];
    if (li1) li1[e] = s->li1[e];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
