/* sim.c -- the stack DAE F(t, y, y') = 0 for SUNDIALS IDA, its analytic Jacobian in a PETSc matrix,
   and the SUNDIALS wrappers that hand Newton systems to PETSc KSP (see ssb_sim.h).

   Index conversions: SUNDIALS 6.4 (Debian) uses 64-bit sunindextype, PETSc 3.18 32-bit PetscInt;
   the unknown count is checked against PETSC_MAX_INT once, at creation, and every index passed to
   PETSc is a PetscInt from then on. Vectors are ssbsim's distributed N_Vector (solver/nvector.c):
   each rank holds the unknowns of its cells [c0, c1), global indices [loc0, loc0 + nloc), and the
   last rank also the border after them (docs/model.md "Parallel layout"). The Jacobian's pattern
   (SeqAIJ) is the whole matrix on every rank; each rank fills its own rows. With PETSc KSP (one
   rank only) the vectors' arrays are placed into PETSc Vecs (VecPlaceArray) for each solve. */
#include "sim_impl.h"
#include <string.h>
#if defined(_OPENMP)
#  include <omp.h>
#endif

/* ---------------- residual ---------------- */

double SsbSimStackVoltage(SsbSim s, const double *y)
{
  double V = -y[s->iI] * s->R_stack;
  for (int k = 0; k < s->ncells; k++) V += y[s->coff[k] + s->cells[k]->i_V];
  return V;
}

/* cell k's residual rows (and heat) at its temperature in Y (set here, on the cell's thread) */
static inline int CellResidual(SsbSim s, int k, double Icur, const double *Y, const double *yc, const double *ypc, sunindextype off, double *F)
{
  const sunindextype o   = s->coff[k] - off;
  int                bad = 0;
  if (s->iT < 0)
    bad = SsbCellResidual(s->cells[k], yc + o, ypc + o, Icur, F + o);
  else {
    double hl[3], q;
    SsbCellSetTemperature(s->cells[k], SsbSimCellTemperature(s, Y, k));
    bad = SsbCellResidualHeat(s->cells[k], yc + o, ypc + o, Icur, F + o, hl, &q);
    if (s->heat)
      for (int l = 0; l < 3; l++) s->hq[3 * k + l] = hl[l];
    else
      s->hq[k] = q;
  }
  return bad;
}

/* The residual of this rank's cells [c0, c1) (on OpenMP threads) and, on the last rank, of the
   border. Y: a full-size array in which the border and every cell's voltage are set (the current,
   the temperatures, the stack voltage); yc, ypc, F: this rank's unknowns, unknown i at i - off (the
   cells, and on the last rank the border). The cells' heat sources are gathered on the last rank
   and summed in stack order, whatever the ranks and threads. Collective; every rank returns the
   same value. */
static int ResidualCore(SsbSim s, const double *Y, const double *yc, const double *ypc, sunindextype off, double *F)
{
  const double Icur = Y[s->iI];
  int          bad  = 0;
  if (s->iT >= 0)
    for (int i = 0; i < s->nth; i++)
      if (!(Y[s->iT + i] > 0)) bad = 1; /* inadmissible temperature (the same on every rank) */
  const int c0 = s->c0, c1 = s->c1, nq = s->heat ? 3 : 1;
  /* the cells are independent given I and their temperatures: each writes only its own block (and
     its own heat), so the result does not depend on the number of threads */
  if (!bad) {
    /* a few cells stay out of a parallel region (libgomp allocates a team for every region, even
       one whose `if` clause is false) */
    if (c1 - c0 > 8) {
#pragma omp parallel for schedule(static) reduction(| \
                                                    : bad)
      for (int k = c0; k < c1; k++) bad |= CellResidual(s, k, Icur, Y, yc, ypc, off, F);
    } else
      for (int k = c0; k < c1; k++) bad |= CellResidual(s, k, Icur, Y, yc, ypc, off, F);
  }
  if (s->size > 1) {
    if (s->iT >= 0) {
      /* one collective: every rank's heat values and its inadmissibility flag to every rank (the
         flag must be agreed, and the heat is needed on the last rank; a separate reduction of the
         flag cost a second collective per residual) */
      for (int r = 0; r < s->size; r++) {
        s->hcnt[r] = nq * s->ccnt[r] + 1;
        s->hdsp[r] = nq * s->cdsp[r] + r;
      }
      double *mine = s->hqb + s->hdsp[s->rank];
      memcpy(mine, s->hq + nq * s->c0, sizeof(double) * (size_t)(nq * (c1 - c0)));
      mine[nq * (c1 - c0)] = bad;
      if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, s->hqb, s->hcnt, s->hdsp, MPI_DOUBLE, s->comm)) return -1;
      for (int r = 0; r < s->size; r++) {
        if (s->hqb[s->hdsp[r] + s->hcnt[r] - 1] != 0) bad = 1;
        memcpy(s->hq + nq * s->cdsp[r], s->hqb + s->hdsp[r], sizeof(double) * (size_t)(s->hcnt[r] - 1));
      }
    } else if (MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_BOR, s->comm))
      return -1;
    if (bad) return 1;
  }
  if (bad) return 1;
  if (s->prof_t) {
    const double v = SsbSimProfileValue(s, s->t_now);
    if (s->mode == SSB_CONTROL_CURRENT)
      s->I_set = v;
    else
      s->P_set = v;
  }
  s->nres++;
  if (s->rank != s->size - 1) return 0;
  /* the border rows: the last rank's */
  if (s->heat) {
    /* conduction through the stack: each cell's heat in the layer where it arises, the plates' */
    for (int i = 0; i < s->nth; i++) s->qth[i] = 0;
    for (int k = 0; k < s->ncells; k++)
      for (int l = 0; l < 3; l++) s->qth[s->th_layer[3 * k + l]] += s->hq[3 * k + l] / s->heat->w[s->th_layer[3 * k + l]];
    for (int k = 0; k <= s->ncells; k++)
      if (s->th_plate[k] >= 0) s->qth[s->th_plate[k]] += Icur * Icur * s->th_qplate[k] / s->heat->w[s->th_plate[k]];
    SsbHeatResidual(s->heat, Y + s->iT, ypc + s->iT - off, s->qth, F + s->iT - off);
  } else if (s->iT >= 0) {
    /* lumped energy balance: C dT/dt = heat generated (irreversible + reversible, plates) - losses */
    double q = Icur * Icur * s->R_stack;
    for (int k = 0; k < s->ncells; k++) q += s->hq[k];
    F[s->iT - off] = s->C_th * ypc[s->iT - off] - q + s->h_th * (Y[s->iT] - s->Ta_th);
  }
  double *FI = F + s->iI - off;
  switch (s->mode) {
  case SSB_CONTROL_CURRENT:
    *FI = Icur - s->I_set;
    break;
  case SSB_CONTROL_VOLTAGE: {
    /* V_stack - V_set plus a resistance times the last cell's terminal-current row, which holds I:
       the same solution, but a non-zero diagonal in the I column, so LU needs no pivoting */
    const SsbCellModel *m = s->cells[s->ncells - 1];
    *FI                   = SsbSimStackVoltage(s, Y) - s->V_set + m->vrow_scale * F[s->coff[s->ncells - 1] + m->i_vrow - off];
  } break;
  case SSB_CONTROL_POWER:
    *FI = Icur * SsbSimStackVoltage(s, Y) - s->P_set;
    break;
  case SSB_CONTROL_RESISTANCE:
    *FI = SsbSimStackVoltage(s, Y) - Icur * s->R_set;
    break;
  }
  F[s->iQ - off] = ypc[s->iQ - off] - Icur;
  F[s->iE - off] = ypc[s->iE - off] - Icur * SsbSimStackVoltage(s, Y); /* energy delivered, J/m^2 */
  return 0;
}

/* Complete arrays in and out (every rank: the whole F). Collective. */
int SsbSimResidualArray(SsbSim s, const double *y, const double *yp, double *F)
{
  int bad = ResidualCore(s, y, y, yp, 0, F);
  if (bad || s->size == 1) return bad;
  if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, F, s->xcnt, s->xdsp, MPI_DOUBLE, s->comm)) return -1;
  return 0;
}

/* Every cell's voltage and the border of the local part yl (from the last rank) into the full-size
   array Y, in one collective. Returns nonzero on an MPI failure. */
static int ExchangeInto(SsbSim s, const double *yl, double *Y)
{
  const int N = s->ncells;
  double   *g = s->gbuf;
  for (int k = s->c0; k < s->c1; k++) g[k] = yl[s->coff[k] + s->cells[k]->i_V - s->loc0];
  if (s->rank == s->size - 1)
    for (sunindextype i = 0; i < s->nb; i++) g[N + i] = yl[s->coff[N] + i - s->loc0];
  if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, g, s->gcnt, s->gdsp, MPI_DOUBLE, s->comm)) return 1;
  for (int k = 0; k < N; k++) Y[s->coff[k] + s->cells[k]->i_V] = g[k];
  for (sunindextype i = 0; i < s->nb; i++) Y[s->coff[N] + i] = g[N + i];
  return 0;
}

const double *SsbSimExchange(SsbSim s, const double *yl)
{
  if (s->size == 1) return yl;
  return ExchangeInto(s, yl, s->ys) ? NULL : s->ys;
}

PetscErrorCode SsbSimGatherState(SsbSim s)
{
  PetscFunctionBeginUser;
  if (s->size == 1) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCallMPI(MPI_Allgatherv(N_VGetArrayPointer(s->y), (int)s->nloc, MPI_DOUBLE, s->yf, s->xcnt, s->xdsp, MPI_DOUBLE, s->comm));
  PetscCallMPI(MPI_Allgatherv(N_VGetArrayPointer(s->yp), (int)s->nloc, MPI_DOUBLE, s->ypf, s->xcnt, s->xdsp, MPI_DOUBLE, s->comm));
  s->yf_partial = PETSC_FALSE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGatherRow(SsbSim s)
{
  PetscFunctionBeginUser;
  if (s->size == 1) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscArraycpy(s->yf + s->loc0, N_VGetArrayPointer(s->y), s->nloc));
  PetscCall(PetscArraycpy(s->ypf + s->loc0, N_VGetArrayPointer(s->yp), s->nloc));
  PetscCheck(!ExchangeInto(s, N_VGetArrayPointer(s->y), s->yf), s->comm, PETSC_ERR_LIB, "MPI_Allgatherv of the voltages and the border failed");
  s->yf_partial = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGatherFull(SsbSim s)
{
  PetscFunctionBeginUser;
  if (s->yf_partial) PetscCall(SsbSimGatherState(s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimScatterState(SsbSim s)
{
  PetscFunctionBeginUser;
  if (s->size == 1 || !s->nloc) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscArraycpy(N_VGetArrayPointer(s->y), s->yf + s->loc0, s->nloc));
  PetscCall(PetscArraycpy(N_VGetArrayPointer(s->yp), s->ypf + s->loc0, s->nloc));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---------------- profiling ---------------- */

PetscLogEvent SSB_EVENT_Residual, SSB_EVENT_Jacobian, SSB_EVENT_LSSetup, SSB_EVENT_LSSolve, SSB_EVENT_Output, SSB_EVENT_Checkpoint, SSB_EVENT_Roots;

PetscErrorCode SsbLogRegister(void)
{
  static PetscBool done = PETSC_FALSE;
  PetscClassId     id;
  PetscFunctionBeginUser;
  if (done) PetscFunctionReturn(PETSC_SUCCESS);
  done = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("ssbsim", &id));
  PetscCall(PetscLogEventRegister("SsbResidual", id, &SSB_EVENT_Residual));
  PetscCall(PetscLogEventRegister("SsbJacobian", id, &SSB_EVENT_Jacobian));
  PetscCall(PetscLogEventRegister("SsbLinSetup", id, &SSB_EVENT_LSSetup));
  PetscCall(PetscLogEventRegister("SsbLinSolve", id, &SSB_EVENT_LSSolve));
  PetscCall(PetscLogEventRegister("SsbOutput", id, &SSB_EVENT_Output));
  PetscCall(PetscLogEventRegister("SsbCheckpoint", id, &SSB_EVENT_Checkpoint));
  PetscCall(PetscLogEventRegister("SsbRoots", id, &SSB_EVENT_Roots));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* IDA's error weights (IDAWFtolerances): w_i = 1/(rtol |y_i| + atol_i) in one pass, on the threads
   for long vectors as the vector operations (each entry as in IDA's own three passes) */
static int ErrorWeights(N_Vector y, N_Vector ewt, void *ctx)
{
  SsbSim             s  = (SsbSim)ctx;
  const sunindextype n  = s->nloc; /* this rank's unknowns */
  const double      *yd = N_VGetArrayPointer(y), *at = N_VGetArrayPointer(s->atol), rtol = s->rtol;
  double            *w = N_VGetArrayPointer(ewt);
  if (n >= SSB_NV_OMP_MIN) { /* as the vector operations: no parallel region for short vectors */
#pragma omp parallel for schedule(static)
    for (sunindextype i = 0; i < n; i++) w[i] = 1.0 / (rtol * fabs(yd[i]) + at[i]);
  } else
    for (sunindextype i = 0; i < n; i++) w[i] = 1.0 / (rtol * fabs(yd[i]) + at[i]);
  return 0;
}

static int ResidualIDA(sunrealtype t, N_Vector yy, N_Vector yp, N_Vector rr, void *ctx)
{
  SsbSim        s  = (SsbSim)ctx;
  const double *yl = N_VGetArrayPointer(yy), *Y;
  s->t_now         = t + s->t_shift;
  if (PetscLogEventBegin(SSB_EVENT_Residual, 0, 0, 0, 0)) return -1;
  int r = (Y = SsbSimExchange(s, yl)) ? ResidualCore(s, Y, yl, N_VGetArrayPointer(yp), s->loc0, N_VGetArrayPointer(rr)) : -1;
  if (PetscLogEventEnd(SSB_EVENT_Residual, 0, 0, 0, 0)) return -1;
  return r < 0 ? -1 : (r ? 1 : 0);
}

/* ---------------- Jacobian ---------------- */

/* The Jacobian pattern is fixed, and SsbCellJacobian calls its sink in the same order with the same
   (row, column) sequence at every state (it inserts the full pattern, zeros included). At creation
   the sequence is recorded once (SinkRecord) and every call is mapped to its position in the SeqAIJ
   value array (s->jpos); from then on an assembly is a sequence of additions into that array
   (SinkFill): no MatSetValues searches, no MatAssembly. */
typedef struct {
  PetscInt        iI, k;
  PetscInt       *rows, *cols; /* recording: NULL while counting */
  double         *a;           /* filling: the SeqAIJ values */
  const PetscInt *pos;
} Sink;

static void SinkRecord(void *ctx, int row, int col, double v)
{
  Sink *k = (Sink *)ctx;
  if (k->rows) {
    k->rows[k->k] = row;
    k->cols[k->k] = col == SSB_COL_CURRENT ? k->iI : col;
  }
  k->k++;
}

static void SinkFill(void *ctx, int row, int col, double v)
{
  Sink *k = (Sink *)ctx;
  k->a[k->pos[k->k++]] += v;
}

/* Cell k's entries go to its block (local indices shifted by row0; the current column stays
   SSB_COL_CURRENT for the Sink). Every entry of the last cell's terminal-current row is also added,
   times vrow_scale in voltage control and times 0 otherwise, to the control row (see
   SsbSimResidualArray): the call sequence stays the same in both modes. */
typedef struct {
  SsbJacSink sink;
  Sink      *k;
  int        row0, ivrow, iI;
  double     w;
} Tee;

static void SinkTee(void *ctx, int row, int col, double v)
{
  Tee *t = (Tee *)ctx;
  int  c = col == SSB_COL_CURRENT ? SSB_COL_CURRENT : col + t->row0;
  t->sink(t->k, row + t->row0, c, v);
  if (row == t->ivrow) t->sink(t->k, t->iI, c, t->w * v);
}

/* The same when filling (every assembly but the first): the recorded positions, read and advanced
   in the tee itself (no second call, no pointer chase to the Sink at every entry) */
typedef struct {
  double         *a;
  const PetscInt *pos;
  PetscInt        kk;
  int             ivrow;
  double          w;
} TeeFill;

static void SinkTeeFill(void *ctx, int row, int col, double v)
{
  TeeFill *t = (TeeFill *)ctx;
  (void)col;
  t->a[t->pos[t->kk++]] += v;
  if (row == t->ivrow) t->a[t->pos[t->kk++]] += t->w * v;
}

/* The heat rows' entries in a cell's columns: layer l's heat (W/m^2) enters the residual of its
   thermal row (stack model; lumped: the one temperature row) with the factor -1. */
typedef struct {
  SsbJacSink sink;
  Sink      *k;
  int        col0, row[3];
} HeatTee;

static void SinkHeat(void *ctx, int l, int col, double v)
{
  HeatTee *h = (HeatTee *)ctx;
  h->sink(h->k, h->row[l], col + h->col0, -v);
}

/* Cell c's entries: its block (and, for the last cell, its share of the control row), then its
   temperature columns (stack model: its three layers, weighted by thickness; lumped: the one
   temperature) from the exact derivative of the cell's residual in its temperature
   (SsbCellResidualT: every Arrhenius factor, F/RT and the entropic shift), then its heat sources' exact derivatives in its unknowns (the
   thermal rows' entries in its columns, the C_k of the block elimination; SsbCellHeatJacobian).
   The heat's derivatives in the current and the temperatures are border entries, which several
   cells share (the lumped model's one row, the plates'): they go to s->hd (per cell, dq/dI and
   dq/dT by layer) and are added on the last rank in stack order (JacobianEntries). Sets cell c's
   temperature from Y, and touches only cell c's model, its thread's scratch in s->Fs and its part of
   s->hd, so cells run in parallel. */
static int CellJacobianEntries(SsbSim s, int c, double cj, const double *Y, const double *yc, const double *ypc, sunindextype off, SsbJacSink sink, Sink *k, PetscInt *heat_start)
{
  const int          iI = (int)s->iI, last = s->ncells - 1;
  const double       Icur = Y[s->iI];
  SsbCellModel      *m    = s->cells[c];
  const sunindextype o    = s->coff[c] - off;
  const double      *y = yc + o, *yp = ypc + o;
  if (s->iT >= 0) SsbCellSetTemperature(m, SsbSimCellTemperature(s, Y, c));
  const int    ivrow = c == last ? m->i_vrow : -1;
  const double vw    = s->mode == SSB_CONTROL_VOLTAGE ? m->vrow_scale : 0.0;
  int          bad;
  if (sink == SinkFill) {
    TeeFill tf = {k->a, k->pos, k->k, ivrow, vw};
    bad        = SsbCellJacobian(m, cj, y, yp, Icur, SinkTeeFill, &tf);
    k->k       = tf.kk;
  } else {
    Tee tee = {sink, k, (int)s->coff[c], ivrow, iI, vw};
    bad     = SsbCellJacobian(m, cj, y, yp, Icur, SinkTee, &tee);
  }
  if (s->iT >= 0) {
#if defined(_OPENMP)
    const int t = omp_get_thread_num();
#else
    const int t = 0;
#endif
    double *dT = s->Fs + (size_t)t * s->nvmax; /* this thread's scratch */
    SsbCellResidualT(m, y, yp, Icur, dT);
    const double wv = c == last && s->mode == SSB_CONTROL_VOLTAGE ? m->vrow_scale : 0.0;
    for (int l = 0; l < (s->heat ? 3 : 1); l++) {
      const int    col = (int)s->iT + (s->heat ? s->th_layer[3 * c + l] : 0);
      const double w   = s->heat ? s->th_w[3 * c + l] : 1.0;
      if (sink == SinkFill) /* the recorded positions, in the same order as below */
        for (int r = 0; r < m->nvar; r++) k->a[k->pos[k->k++]] += w * dT[r];
      else
        for (int r = 0; r < m->nvar; r++) sink(k, (int)s->coff[c] + r, col, w * dT[r]);
      if (c == last) sink(k, iI, col, wv * w * dT[m->i_vrow]);
    }
    HeatTee ht = {sink, k, (int)s->coff[c], {0, 0, 0}};
    for (int l = 0; l < 3; l++) ht.row[l] = (int)s->iT + (s->heat ? s->th_layer[3 * c + l] : 0);
    double *hd = s->hd + 6 * c;
    if (heat_start) *heat_start = k->k;
    SsbCellHeatJacobian(m, y, Icur, SinkHeat, &ht, hd, hd + 3);
  }
  return bad;
}

/* Every cell's entries, then the thermal rows, the control row (the full pattern of all modes), the
   charge and energy rows. Recording (CreateMatrix, complete arrays) walks every cell in order and
   notes where each cell's entries start in the sequence (s->jstart); filling walks this rank's
   cells (s->jcells) on OpenMP threads, each from its own start. Y, yc, ypc, off as in ResidualCore.
   The border rows are filled on every rank (cheap), but only the last rank's are complete (the
   last cell's share of the control row) and used. */
static int JacobianEntries(SsbSim s, double cj, const double *Y, const double *yc, const double *ypc, sunindextype off, SsbJacSink sink, Sink *k, PetscBool record)
{
  int    iI = (int)s->iI, iQ = (int)s->iQ, bad = 0;
  double Icur = Y[s->iI];
  if (record) {
    for (int c = 0; c < s->ncells; c++) {
      s->jstart[c] = k->k;
      bad |= CellJacobianEntries(s, c, cj, Y, yc, ypc, off, sink, k, s->jheat + c);
    }
    s->jstart[s->ncells] = k->k;
  } else {
    const int nj = s->njcells;
    if (nj > 8) {
#pragma omp parallel for schedule(static) reduction(| \
                                                    : bad) num_threads(s->nthr)
      for (int j = 0; j < nj; j++) {
        Sink kc = *k;
        kc.k    = s->jstart[s->jcells[j]];
        bad |= CellJacobianEntries(s, s->jcells[j], cj, Y, yc, ypc, off, sink, &kc, NULL);
      }
    } else
      for (int j = 0; j < nj; j++) {
        Sink kc = *k;
        kc.k    = s->jstart[s->jcells[j]];
        bad |= CellJacobianEntries(s, s->jcells[j], cj, Y, yc, ypc, off, sink, &kc, NULL);
      }
    k->k = s->jstart[s->ncells];
    /* the heat's derivatives in the border columns to the last rank (bad: gathered anyway, so the
       collective calls match on every rank) */
    if (s->iT >= 0 && s->size > 1) {
      for (int r = 0; r < s->size; r++) {
        s->hcnt[r] = 6 * s->ccnt[r];
        s->hdsp[r] = 6 * s->cdsp[r];
      }
      const int me = s->rank, last = s->size - 1;
      if (MPI_Gatherv(me == last ? MPI_IN_PLACE : s->hd + s->hdsp[me], s->hcnt[me], MPI_DOUBLE, s->hd, s->hcnt, s->hdsp, MPI_DOUBLE, last, s->comm)) return -1;
    }
  }
  if (s->heat) {
    double *lo = s->qth, *di = s->Fs, *up = s->Fs + s->nth; /* scratch */
    SsbHeatJacobian(s->heat, cj, lo, di, up);
    for (int i = 0; i < s->nth; i++) {
      if (i > 0) sink(k, (int)s->iT + i, (int)s->iT + i - 1, lo[i]);
      sink(k, (int)s->iT + i, (int)s->iT + i, di[i]);
      if (i + 1 < s->nth) sink(k, (int)s->iT + i, (int)s->iT + i + 1, up[i]);
    }
    /* each cell's layer heat in the current and in the three layer temperatures (the cell runs at
       their thickness-weighted mean), in stack order; the plates' I^2 R */
    for (int c = 0; c < s->ncells; c++) {
      const double *hd = s->hd + 6 * c;
      for (int l = 0; l < 3; l++) {
        const int row = (int)s->iT + s->th_layer[3 * c + l];
        sink(k, row, iI, -hd[l]);
        for (int j = 0; j < 3; j++) sink(k, row, (int)s->iT + s->th_layer[3 * c + j], -hd[3 + l] * s->th_w[3 * c + j]);
      }
    }
    for (int c = 0; c <= s->ncells; c++)
      if (s->th_plate[c] >= 0) sink(k, (int)s->iT + s->th_plate[c], iI, -2 * Icur * s->th_qplate[c]);
  } else if (s->iT >= 0) {
    /* lumped: the stack's heat (every cell's, in stack order, and the plates' I^2 R) in I and T */
    double dI = 2 * Icur * s->R_stack, dT = 0;
    for (int c = 0; c < s->ncells; c++)
      for (int l = 0; l < 3; l++) {
        dI += s->hd[6 * c + l];
        dT += s->hd[6 * c + 3 + l];
      }
    sink(k, (int)s->iT, (int)s->iT, s->C_th * cj + s->h_th);
    sink(k, (int)s->iT, (int)s->iT, -dT);
    sink(k, (int)s->iT, iI, -dI);
  }
  {
    /* the control row: d/dI and d/dV_k of I - I_set, V_stack - V_set, I V_stack - P, V_stack - I R */
    double Vs = SsbSimStackVoltage(s, Y), dI = 0, dV = 0;
    switch (s->mode) {
    case SSB_CONTROL_CURRENT:
      dI = 1.0;
      break;
    case SSB_CONTROL_VOLTAGE:
      dI = -s->R_stack;
      dV = 1.0;
      break;
    case SSB_CONTROL_POWER:
      dI = Vs - Icur * s->R_stack;
      dV = Icur;
      break;
    case SSB_CONTROL_RESISTANCE:
      dI = -s->R_stack - s->R_set;
      dV = 1.0;
      break;
    }
    sink(k, iI, iI, dI);
    for (int c = 0; c < s->ncells; c++) sink(k, iI, (int)(s->coff[c] + s->cells[c]->i_V), dV);
  }
  sink(k, iQ, iQ, cj);
  sink(k, iQ, iI, -1.0);
  {
    double Vs = SsbSimStackVoltage(s, Y);
    int    iE = (int)s->iE;
    sink(k, iE, iE, cj);
    sink(k, iE, iI, -(Vs - Icur * s->R_stack));
    for (int c = 0; c < s->ncells; c++) sink(k, iE, (int)(s->coff[c] + s->cells[c]->i_V), -Icur);
  }
  return bad;
}

static PetscErrorCode AssembleJacobian(SsbSim s, double cj, const double *Y, const double *yc, const double *ypc, sunindextype off, int *bad)
{
  Sink k = {(PetscInt)s->iI, 0, NULL, NULL, NULL, s->jpos};
  PetscFunctionBeginUser;
  PetscCall(MatSeqAIJGetArray(s->J, &k.a));
  PetscCall(PetscArrayzero(k.a, s->jnnz));
  *bad = JacobianEntries(s, cj, Y, yc, ypc, off, SinkFill, &k, PETSC_FALSE);
  if (s->size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, bad, 1, MPI_INT, MPI_BOR, s->comm));
  PetscCall(MatSeqAIJRestoreArray(s->J, &k.a)); /* increases the matrix state: the PC sees the change */
  PetscCheck(k.k == s->njpos, PETSC_COMM_SELF, PETSC_ERR_PLIB, "the Jacobian inserted %" PetscInt_FMT " entries, its recorded pattern has %" PetscInt_FMT, k.k, s->njpos);
  s->njac++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static int JacobianIDA(sunrealtype t, sunrealtype cj, N_Vector yy, N_Vector yp, N_Vector rr, SUNMatrix A, void *ctx, N_Vector t1, N_Vector t2, N_Vector t3)
{
  SsbSim        s   = (SsbSim)ctx;
  int           bad = 0;
  const double *yl  = N_VGetArrayPointer(yy), *Y;
  if (PetscLogEventBegin(SSB_EVENT_Jacobian, 0, 0, 0, 0)) return -1;
  int r = !(Y = SsbSimExchange(s, yl)) || AssembleJacobian(s, cj, Y, yl, N_VGetArrayPointer(yp), s->loc0, &bad) ? -1 : 0;
  if (PetscLogEventEnd(SSB_EVENT_Jacobian, 0, 0, 0, 0)) return -1;
  return r < 0 ? -1 : (bad ? 1 : 0);
}

PetscErrorCode SsbSimJacobianMat(SsbSim s, double cj, const double *y, const double *yp, Mat *J)
{
  int bad;
  PetscFunctionBeginUser;
  PetscCall(AssembleJacobian(s, cj, y, y, yp, 0, &bad));
  *J = s->J;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---------------- SUNMatrix wrapping the PETSc Mat ---------------- */

static SUNMatrix_ID MatGetID_Ssb(SUNMatrix A) { return SUNMATRIX_CUSTOM; }
/* IDA zeroes the matrix before every Jacobian call; AssembleJacobian zeroes and writes every stored
   entry itself, so there is nothing to do here. */
static int  MatZero_Ssb(SUNMatrix A) { return 0; }
static void MatDestroy_Ssb(SUNMatrix A) { SUNMatFreeEmpty(A); }

/* ---------------- SUNLinearSolver calling PETSc KSP ---------------- */

static SUNLinearSolver_Type LSGetType_Ssb(SUNLinearSolver S) { return SUNLINEARSOLVER_DIRECT; }
static SUNLinearSolver_ID   LSGetID_Ssb(SUNLinearSolver S) { return SUNLINEARSOLVER_CUSTOM; }
static int                  LSInit_Ssb(SUNLinearSolver S) { return 0; }
/* PETSc's own LU does not pivot. With RCM ordering it is the fastest here, but some cells and stacks
   meet a zero pivot (the Danilov 2011 cell: a pivot of 6500 - 6500, condition number 1e13; the
   stacks of cases/bipolar_stack_10.yaml: an exact zero at the rest state). After the first failed
   factorisation with the default the run switches, for good, to the natural ordering, and after a
   second failure to a pivoting sparse LU (UMFPACK from SuiteSparse, else SuperLU or MUMPS), and
   refactors. An ordering or a solver chosen by the user is never replaced. */
static PetscErrorCode SwitchToPivotingLU(SsbSim s, PetscBool *switched)
{
  MatSolverType current;
  PCType        pctype;
  PetscBool     islu, user;
  PetscFunctionBeginUser;
  *switched = PETSC_FALSE;
  if (s->pivoting) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PCGetType(s->pc, &pctype));
  PetscCall(PetscStrcmp(pctype, PCLU, &islu));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-pc_factor_mat_solver_type", &user));
  PetscCall(PCFactorGetMatSolverType(s->pc, &current));
  if (!islu || user || (current && strcmp(current, MATSOLVERPETSC))) PetscFunctionReturn(PETSC_SUCCESS);
#if defined(PETSC_HAVE_SUITESPARSE)
  const MatSolverType pivoting = MATSOLVERUMFPACK;
#elif defined(PETSC_HAVE_SUPERLU)
  const MatSolverType pivoting = MATSOLVERSUPERLU;
#elif defined(PETSC_HAVE_MUMPS)
  const MatSolverType pivoting = MATSOLVERMUMPS;
#else
  PetscFunctionReturn(PETSC_SUCCESS);
#endif
  PetscBool userorder;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-pc_factor_mat_ordering_type", &userorder));
  PetscCall(PCReset(s->pc));
  PetscCall(PCSetType(s->pc, PCLU));
  if (!s->natural && !userorder) {
    /* first the natural ordering (the unknown map's own, cell by cell, no zero pivot seen in stacks),
       still with PETSc's fast LU */
    PetscCall(PCFactorSetMatOrderingType(s->pc, MATORDERINGNATURAL));
    PetscCall(PetscInfo(s->pc, "zero pivot in PETSc's LU with RCM ordering: switching to the natural ordering\n"));
    s->natural = PETSC_TRUE;
  } else {
    PetscCall(PCFactorSetMatSolverType(s->pc, pivoting));
    PetscCall(PetscInfo(s->pc, "zero pivot in PETSc's LU: switching to %s\n", pivoting));
    s->pivoting = PETSC_TRUE;
  }
  PetscCall(KSPSetOperators(s->ksp, s->J, s->J));
  *switched = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ssbsim's sparse LU of J's pattern in the given (symmetric) ordering, replacing any present */
static PetscErrorCode SparseLUBuild(SsbSim s, MatOrderingType type)
{
  const PetscInt *ia, *ja, *perm;
  PetscInt        nrow;
  PetscBool       done;
  IS              rperm, cperm;
  PetscFunctionBeginUser;
  PetscCall(SsbSparseLUDestroy(&s->slu));
  PetscCall(MatGetOrdering(s->J, type, &rperm, &cperm));
  PetscCall(ISGetIndices(rperm, &perm));
  PetscCall(MatGetRowIJ(s->J, 0, PETSC_FALSE, PETSC_FALSE, &nrow, &ia, &ja, &done));
  PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_PLIB, "cannot access the Jacobian's CSR structure");
  PetscCall(SsbSparseLUCreate(nrow, ia, ja, perm, &s->slu));
  PetscCall(MatRestoreRowIJ(s->J, 0, PETSC_FALSE, PETSC_FALSE, &nrow, &ia, &ja, &done));
  PetscCall(ISRestoreIndices(rperm, &perm));
  PetscCall(ISDestroy(&rperm));
  PetscCall(ISDestroy(&cperm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static int LSSetupCore(SUNLinearSolver S, SUNMatrix A)
{
  SsbSim         s = (SsbSim)S->content;
  PCFailedReason pcreason;
  PetscBool      switched;
  if (s->bd) {
    const PetscScalar *a;
    int                r;
    if (MatSeqAIJGetArrayRead(s->J, &a)) return -1;
    r = SsbBorderedFactor(s->bd, a);
    if (MatSeqAIJRestoreArrayRead(s->J, &a)) return -1;
    s->nsetup++;
    return r < 0 ? -1 : r;
  }
  while (s->slu) {
    const PetscScalar *a;
    int                r;
    if (MatSeqAIJGetArrayRead(s->J, &a)) return -1;
    r = SsbSparseLUFactor(s->slu, a);
    if (MatSeqAIJRestoreArrayRead(s->J, &a)) return -1;
    if (r == 0) {
      s->nsetup++;
      return 0;
    }
    /* a zero pivot: the fallbacks of PETSc's LU (SwitchToPivotingLU), the first one in this solver:
       the natural ordering (s->natural, as with PETSc's LU); after a zero pivot with it too, PETSc's
       LU, which then goes straight on to a pivoting LU */
    if (!s->natural) {
      if (PetscInfo(NULL, "zero pivot in ssbsim's sparse LU with RCM ordering: switching to the natural ordering\n") || SparseLUBuild(s, MATORDERINGNATURAL)) return -1;
      s->natural = PETSC_TRUE;
    } else if (PetscInfo(NULL, "zero pivot in ssbsim's sparse LU: switching to PETSc's LU\n") || SsbSparseLUDestroy(&s->slu))
      return -1;
  }
  /* KSPSetOperators marks the operator changed, so KSPSetUp refactors now, not at the next solve */
  if (KSPSetOperators(s->ksp, s->J, s->J)) return -1;
  if (KSPSetUp(s->ksp)) return 1;
  s->nsetup++;
  if (PCGetFailedReason(s->pc, &pcreason)) return -1;
  if (pcreason != PC_NOERROR) { /* RCM -> natural ordering -> a pivoting LU, each once */
    for (int attempt = 0; attempt < 2 && pcreason != PC_NOERROR; attempt++) {
      if (SwitchToPivotingLU(s, &switched)) return -1;
      if (!switched) break;
      if (KSPSetUp(s->ksp)) return 1;
      if (PCGetFailedReason(s->pc, &pcreason)) return -1;
    }
  }
  /* a zero pivot is not a PETSc error: report it as recoverable (IDA retries with a smaller step) */
  return pcreason == PC_NOERROR ? 0 : 1;
}
static int LSSolveCore(SUNLinearSolver S, SUNMatrix A, N_Vector x, N_Vector b)
{
  SsbSim             s = (SsbSim)S->content;
  KSPConvergedReason reason;
  PetscInt           its;
  PetscErrorCode     ierr;
  if (s->bd) {
    int r = SsbBorderedSolve(s->bd, N_VGetArrayPointer(b), N_VGetArrayPointer(x));
    s->nlin++;
    return r < 0 ? -1 : r;
  }
  if (s->slu) {
    SsbSparseLUSolve(s->slu, N_VGetArrayPointer(b), N_VGetArrayPointer(x));
    s->nlin++;
    return 0;
  }
  if (VecPlaceArray(s->xv, N_VGetArrayPointer(x)) || VecPlaceArray(s->bv, N_VGetArrayPointer(b))) return -1;
  /* KSPPREONLY applies the (factored) preconditioner once: call PCApply directly and skip KSPSolve's
     per-solve options-database queries (-ksp_view etc.), which cost as much as the triangular solves
     of a single cell */
  ierr = s->preonly ? PCApply(s->pc, s->bv, s->xv) : KSPSolve(s->ksp, s->bv, s->xv);
  if (VecResetArray(s->xv) || VecResetArray(s->bv)) return -1;
  if (ierr) return 1;
  if (s->preonly) {
    PCFailedReason pcreason;
    if (PCGetFailedReason(s->pc, &pcreason)) return -1;
    s->nlin++;
    return pcreason == PC_NOERROR ? 0 : 1;
  }
  if (KSPGetConvergedReason(s->ksp, &reason) || KSPGetIterationNumber(s->ksp, &its)) return -1;
  s->nlin += its;
  return reason < 0 ? 1 : 0;
}
/* the linear solver's setup and solve, timed for -log_view */
static int LSSetup_Ssb(SUNLinearSolver S, SUNMatrix A)
{
  if (PetscLogEventBegin(SSB_EVENT_LSSetup, 0, 0, 0, 0)) return -1;
  int r = LSSetupCore(S, A);
  if (PetscLogEventEnd(SSB_EVENT_LSSetup, 0, 0, 0, 0)) return -1;
  return r;
}
static int LSSolve_Ssb(SUNLinearSolver S, SUNMatrix A, N_Vector x, N_Vector b, sunrealtype tol)
{
  (void)tol; /* a direct solve */
  if (PetscLogEventBegin(SSB_EVENT_LSSolve, 0, 0, 0, 0)) return -1;
  int r = LSSolveCore(S, A, x, b);
  if (PetscLogEventEnd(SSB_EVENT_LSSolve, 0, 0, 0, 0)) return -1;
  return r;
}
static int LSFree_Ssb(SUNLinearSolver S)
{
  SUNLinSolFreeEmpty(S);
  return 0;
}

PetscErrorCode SsbSimRestoreFactorization(SsbSim s, const double *a, PetscBool natural, PetscBool pivoting)
{
  PetscScalar *v;
  PetscBool    switched = PETSC_TRUE;
  PetscFunctionBeginUser;
  /* the fallbacks in the order the run took them (natural ordering, then a pivoting LU) */
  if (pivoting)
    PetscCall(SsbSparseLUDestroy(&s->slu));
  else if (natural && s->slu && !s->natural) {
    PetscCall(SparseLUBuild(s, MATORDERINGNATURAL));
    s->natural = PETSC_TRUE;
  }
  while (switched && ((natural && !s->natural) || (pivoting && !s->pivoting))) PetscCall(SwitchToPivotingLU(s, &switched));
  PetscCall(MatSeqAIJGetArray(s->J, &v));
  PetscCall(PetscArraycpy(v, a, s->jnnz));
  PetscCall(MatSeqAIJRestoreArray(s->J, &v));
  PetscCheck(LSSetup_Ssb(s->LS, s->A) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "the restored Jacobian could not be factored");
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The rows of each rank, then the thermal rows' entries in each rank's cells' columns (the border
   rows are the last rank's, but a cell's heat derivatives are written by the rank that owns it:
   each cell's are the end of its entry sequence, [jheat[c], jstart[c + 1])). */
PetscErrorCode SsbSimGatherJacobian(SsbSim s)
{
  PetscScalar *a;
  int         *cnt = NULL, *dsp = NULL;
  double      *buf = NULL;
  PetscFunctionBeginUser;
  if (s->size == 1) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(MatSeqAIJGetArray(s->J, &a));
  if (s->iT >= 0) { /* packed before the rows arrive: the last rank's border rows overwrite rank 0's */
    int tot = 0;
    PetscCall(PetscMalloc2(s->size, &cnt, s->size, &dsp));
    for (int r = 0; r < s->size; r++) {
      dsp[r] = tot;
      for (int c = s->cdsp[r]; c < s->cdsp[r] + s->ccnt[r]; c++) tot += (int)(s->jstart[c + 1] - s->jheat[c]);
      cnt[r] = tot - dsp[r];
    }
    PetscCall(PetscMalloc1(tot + 1, &buf));
    for (int c = s->c0, e = dsp[s->rank]; c < s->c1; c++)
      for (PetscInt i = s->jheat[c]; i < s->jstart[c + 1]; i++) buf[e++] = a[s->jpos[i]];
  }
  PetscCallMPI(MPI_Gatherv(s->rank ? a + s->jvdsp[s->rank] : MPI_IN_PLACE, s->jvcnt[s->rank], MPI_DOUBLE, a, s->jvcnt, s->jvdsp, MPI_DOUBLE, 0, s->comm));
  if (s->iT >= 0) {
    PetscCallMPI(MPI_Gatherv(s->rank ? buf + dsp[s->rank] : MPI_IN_PLACE, cnt[s->rank], MPI_DOUBLE, buf, cnt, dsp, MPI_DOUBLE, 0, s->comm));
    if (s->rank == 0)
      for (int c = 0, e = 0; c < s->ncells; c++)
        for (PetscInt i = s->jheat[c]; i < s->jstart[c + 1]; i++) a[s->jpos[i]] = buf[e++];
    PetscCall(PetscFree(buf));
    PetscCall(PetscFree2(cnt, dsp));
  }
  PetscCall(MatSeqAIJRestoreArray(s->J, &a));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimSetCheckpoint(SsbSim s, const char *path, double interval, PetscBool at_end)
{
  PetscFunctionBeginUser;
  s->chk_at_end   = at_end;
  s->chk_path     = path;
  s->chk_interval = interval;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* SUNDIALS error messages are kept, not printed: a failed first attempt at consistent initial
   conditions is retried (experiment.c), and a final failure is reported in the run's status. */
static void IDAErrorHandler(int code, const char *module, const char *function, char *msg, void *ctx)
{
  SsbSim s = (SsbSim)ctx;
  snprintf(s->last_error, sizeof(s->last_error), "%s: %s", function, msg);
}

/* ---------------- creation ---------------- */

static PetscErrorCode CreateMatrix(SsbSim s)
{
  Mat             P;
  PetscInt        n = (PetscInt)s->n, nrow;
  const PetscInt *ia, *ja;
  PetscBool       done;
  double         *y = s->yf, *yp = s->ypf; /* complete on every rank at creation */
  Sink            k = {(PetscInt)s->iI, 0, NULL, NULL, NULL, NULL};
  PetscFunctionBeginUser;
  /* record the (row, column) sequence of one assembly: count, then store */
  (void)JacobianEntries(s, 1.0, y, y, yp, 0, SinkRecord, &k, PETSC_TRUE);
  s->njpos = k.k;
  PetscCall(PetscMalloc2(s->njpos, &k.rows, s->njpos, &k.cols));
  PetscCall(PetscMalloc1(s->njpos, &s->jpos));
  k.k = 0;
  (void)JacobianEntries(s, 1.0, y, y, yp, 0, SinkRecord, &k, PETSC_TRUE);
  /* the pattern */
  PetscCall(MatCreate(PETSC_COMM_SELF, &P));
  PetscCall(MatSetSizes(P, n, n, n, n));
  PetscCall(MatSetType(P, MATPREALLOCATOR));
  PetscCall(MatSetUp(P));
  for (PetscInt i = 0; i < s->njpos; i++) PetscCall(MatSetValue(P, k.rows[i], k.cols[i], 0.0, ADD_VALUES));
  PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatCreate(PETSC_COMM_SELF, &s->J));
  PetscCall(MatSetSizes(s->J, n, n, n, n));
  PetscCall(MatSetType(s->J, MATSEQAIJ));
  PetscCall(MatPreallocatorPreallocate(P, PETSC_TRUE, s->J));
  PetscCall(MatDestroy(&P));
  PetscCall(MatSetOption(s->J, MAT_NEW_NONZERO_LOCATION_ERR, PETSC_TRUE));
  /* every recorded entry's position in the CSR value array */
  PetscCall(MatGetRowIJ(s->J, 0, PETSC_FALSE, PETSC_FALSE, &nrow, &ia, &ja, &done));
  PetscCheck(done && nrow == n, PETSC_COMM_SELF, PETSC_ERR_PLIB, "cannot access the Jacobian's CSR structure");
  s->jnnz = ia[n];
  for (PetscInt i = 0; i < s->njpos; i++) {
    PetscInt lo = ia[k.rows[i]], hi = ia[k.rows[i] + 1] - 1;
    while (lo < hi) {
      PetscInt mid = (lo + hi) / 2;
      if (ja[mid] < k.cols[i])
        lo = mid + 1;
      else
        hi = mid;
    }
    PetscCheck(ja[lo] == k.cols[i], PETSC_COMM_SELF, PETSC_ERR_PLIB, "Jacobian entry (%" PetscInt_FMT ", %" PetscInt_FMT ") missing from the pattern", k.rows[i], k.cols[i]);
    s->jpos[i] = lo;
  }
  PetscCall(PetscMalloc2(s->size, &s->jvcnt, s->size, &s->jvdsp));
  for (int r = 0; r < s->size; r++) {
    s->jvdsp[r] = (int)ia[s->xdsp[r]];
    s->jvcnt[r] = (int)(ia[s->xdsp[r] + s->xcnt[r]] - ia[s->xdsp[r]]);
  }
  PetscCall(MatRestoreRowIJ(s->J, 0, PETSC_FALSE, PETSC_FALSE, &nrow, &ia, &ja, &done));
  PetscCall(PetscFree2(k.rows, k.cols));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The linear solver: -ssb_linear_solver bordered eliminates the cell blocks exactly (bordered.h:
   the sparse LU of each rank's cells in chunks on the threads, KLU per cell after a zero pivot); -ssb_linear_solver petsc hands the whole Jacobian to PETSc KSP/PC (default there:
   KSPPREONLY + PCLU with RCM ordering, and the natural-ordering and pivoting-LU fallbacks after a
   zero pivot); -ssb_linear_solver sparselu is ssbsim's own LU (sparselu.h: PETSc's algorithm and
   RCM ordering without PETSc's per-call layers, and PETSc's fallbacks: the natural ordering after
   a zero pivot, then PETSc's LU and its pivoting LU). Default: sparselu for a single cell (the
   same factors and steps as PETSc's LU; benchmarks/single_cell: a discharge about a quarter fewer
   instructions), bordered for every stack and on several ranks (the only parallel one). Since
   the block elimination factors a rank's cells in chunks on the threads it is the faster for
   stacks on one rank too (1000 isothermal cells, 2 threads: 3.3-4.3 s against 4.2-4.9 s with the
   sparse LU of the whole matrix; one thread: the same, 6.0-6.1 s; the stack thermal model 6.0 s
   against 39 s with PETSc's LU of the whole matrix; benchmarks/stack_scaling/README.md). Any of -ksp_type, -pc_type, -pc_factor_mat_solver_type,
   -pc_factor_mat_ordering_type on the command line selects PETSc's solver, so a user's PETSc
   options always take effect. */
static PetscErrorCode CreateKSP(SsbSim s)
{
  PC pc;
  PetscFunctionBeginUser;
  {
    char      kind[32] = "petsc";
    PetscBool set, user = PETSC_FALSE, has;
    PetscCall(PetscOptionsGetString(NULL, NULL, "-ssb_linear_solver", kind, sizeof kind, &set));
    if (!set) {
      const char *opts[] = {"-ksp_type", "-pc_type", "-pc_factor_mat_solver_type", "-pc_factor_mat_ordering_type"};
      for (int i = 0; i < 4; i++) {
        PetscCall(PetscOptionsHasName(NULL, NULL, opts[i], &has));
        user = (PetscBool)(user || has);
      }
      /* the block elimination on several ranks and for every stack (its cells' LUs run on the
         threads), the sparse LU of the whole matrix for a single cell */
      if (!user && (s->size > 1 || s->ncells > 1))
        PetscCall(PetscStrncpy(kind, "bordered", sizeof kind));
      else if (!user) /* one rank: ssbsim's sparse LU */
        PetscCall(PetscStrncpy(kind, "sparselu", sizeof kind));
    }
    PetscCheck(!strcmp(kind, "bordered") || !strcmp(kind, "petsc") || !strcmp(kind, "sparselu"), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "-ssb_linear_solver %s: expected sparselu, bordered or petsc", kind);
    PetscCheck(!strcmp(kind, "bordered") || s->size == 1, PETSC_COMM_SELF, PETSC_ERR_SUP, "-ssb_linear_solver %s (or a PETSc solver option): one MPI rank only; the distributed stack uses block elimination", kind);
    /* PETSc's RCM ordering, the same as PETSc's LU uses by default (the same factor pattern) */
    if (!strcmp(kind, "sparselu")) PetscCall(SparseLUBuild(s, MATORDERINGRCM));
    if (!strcmp(kind, "bordered")) {
      /* the block elimination reads the pattern at every factorisation: it stays checked out until
         SsbSimDestroy (the SeqAIJ's own arrays; its pattern never changes) */
      PetscInt  nrow;
      PetscBool done;
      PetscCall(MatGetRowIJ(s->J, 0, PETSC_FALSE, PETSC_FALSE, &nrow, &s->jia, &s->jja, &done));
      PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_PLIB, "cannot access the Jacobian's CSR structure");
      PetscCall(SsbBorderedCreate(s->comm, s->ncells, s->coff, nrow, s->jia, s->jja, s->c0, s->c1, &s->bd));
      if (!s->bd) PetscCall(MatRestoreRowIJ(s->J, 0, PETSC_FALSE, PETSC_FALSE, &nrow, &s->jia, &s->jja, &done));
      PetscCheck(s->bd, PETSC_COMM_SELF, PETSC_ERR_PLIB, "the Jacobian is not block-bordered: use -ssb_linear_solver petsc");
      if (s->heat) { /* a cell's rows depend on its three layer temperatures through their thickness-weighted mean */
        int    *cols;
        double *w;
        PetscCall(PetscMalloc2(3 * s->ncells, &cols, 3 * s->ncells, &w));
        for (int i = 0; i < 3 * s->ncells; i++) {
          cols[i] = (int)(s->iT - s->coff[s->ncells]) + s->th_layer[i];
          w[i]    = s->th_w[i];
        }
        PetscCall(SsbBorderedGroupColumns(s->bd, 3, cols, w));
        PetscCall(PetscFree2(cols, w));
      }
    }
  }
  PetscCall(KSPCreate(PETSC_COMM_SELF, &s->ksp));
  PetscCall(KSPSetType(s->ksp, KSPPREONLY));
  PetscCall(KSPGetPC(s->ksp, &pc));
  PetscCall(PCSetType(pc, PCLU));
  PetscCall(PCFactorSetMatOrderingType(pc, MATORDERINGRCM));
  PetscCall(KSPSetOperators(s->ksp, s->J, s->J));
  PetscCall(KSPSetFromOptions(s->ksp));
  PetscCall(KSPGetPC(s->ksp, &s->pc));
  PetscCall(PetscObjectTypeCompare((PetscObject)s->ksp, KSPPREONLY, &s->preonly));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)s->n, NULL, &s->xv));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, (PetscInt)s->n, NULL, &s->bv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The stack thermal model: one thermal cell per layer, bottom to top: end plate, CC-, then every
   cell's negative electrode, separator and positive electrode with a bipolar plate between cells,
   CC+, end plate. Composite layers: volume-weighted heat capacity and conductivity of the active
   material and the electrolyte (the conductive additive has no data and is not counted). */
static PetscErrorCode LayerProps(const SsbElectrode *e, const SsbMaterial *sep, double *rc, double *kt)
{
  const SsbThermalProps *a = &e->material->thermal;
  PetscFunctionBeginUser;
  PetscCheck(!isnan(a->density) && !isnan(a->heat_capacity) && !isnan(a->thermal_conductivity), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "thermal model stack: material %s needs density, heat_capacity and thermal_conductivity", e->material->name);
  if (e->kind != SSB_ELECTRODE_COMPOSITE) {
    *rc = a->density * a->heat_capacity;
    *kt = a->thermal_conductivity;
  } else {
    const SsbMaterial     *el = e->electrolyte ? e->electrolyte : sep;
    const SsbThermalProps *b  = &el->thermal;
    PetscCheck(!isnan(b->density) && !isnan(b->heat_capacity) && !isnan(b->thermal_conductivity), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "thermal model stack: material %s needs density, heat_capacity and thermal_conductivity", el->name);
    double f = e->eps_active + e->eps_electrolyte;
    *rc      = (e->eps_active * a->density * a->heat_capacity + e->eps_electrolyte * b->density * b->heat_capacity);
    *kt      = (e->eps_active * a->thermal_conductivity + e->eps_electrolyte * b->thermal_conductivity) / f;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode StackThermalCreate(SsbSim s, const SsbCase *c)
{
  const int           N  = s->ncells;
  const SsbStackSpec *st = &c->stack;
  SsbThermalLayer    *layers;
  int                 nl = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(3 * N + N + 4, &layers));
  PetscCall(PetscMalloc5(3 * N, &s->th_layer, 3 * N, &s->th_w, N + 1, &s->th_plate, N + 1, &s->th_qplate, 3 * N + N + 4, &s->qth));
  for (int k = 0; k <= N; k++) {
    s->th_plate[k]  = -1;
    s->th_qplate[k] = 0;
  }
#define PLATE(spec, name_)                                                                                                                                                                                                                                                  \
  do {                                                                                                                                                                                                                                                                      \
    const SsbThermalProps *a_ = &(spec)->material->thermal;                                                                                                                                                                                                                 \
    PetscCheck(!isnan(a_->density) && !isnan(a_->heat_capacity) && !isnan(a_->thermal_conductivity), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "thermal model stack: the %s material %s needs density, heat_capacity and thermal_conductivity", name_, (spec)->material->name); \
    layers[nl++] = (SsbThermalLayer){(spec)->thickness, a_->thermal_conductivity, a_->density * a_->heat_capacity, 1};                                                                                                                                                      \
  } while (0)
  if (st->end_plate.material) PLATE(&st->end_plate, "end plate");
  if (st->collector_negative.material) {
    s->th_plate[0]  = nl;
    s->th_qplate[0] = st->collector_negative.contact_resistance + st->collector_negative.thickness / st->collector_negative.material->electronic_conductivity;
    PLATE(&st->collector_negative, "negative collector");
  }
  for (int k = 0; k < N; k++) {
    const SsbCell *cl = st->cell ? &st->cell[k] : &c->cell;
    double         rc, kt, L = cl->neg.thickness + cl->sep.thickness + cl->pos.thickness;
    PetscCall(LayerProps(&cl->neg, cl->sep.electrolyte, &rc, &kt));
    s->th_layer[3 * k]        = nl;
    s->th_w[3 * k]            = cl->neg.thickness / L;
    layers[nl++]              = (SsbThermalLayer){cl->neg.thickness, kt, rc, 1};
    const SsbThermalProps *sp = &cl->sep.electrolyte->thermal;
    PetscCheck(!isnan(sp->density) && !isnan(sp->heat_capacity) && !isnan(sp->thermal_conductivity), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "thermal model stack: material %s needs density, heat_capacity and thermal_conductivity", cl->sep.electrolyte->name);
    s->th_layer[3 * k + 1] = nl;
    s->th_w[3 * k + 1]     = cl->sep.thickness / L;
    layers[nl++]           = (SsbThermalLayer){cl->sep.thickness, sp->thermal_conductivity, sp->density * sp->heat_capacity, 1};
    PetscCall(LayerProps(&cl->pos, cl->sep.electrolyte, &rc, &kt));
    s->th_layer[3 * k + 2] = nl;
    s->th_w[3 * k + 2]     = cl->pos.thickness / L;
    layers[nl++]           = (SsbThermalLayer){cl->pos.thickness, kt, rc, 1};
    if (k + 1 < N && st->bipolar_plate.material) {
      s->th_plate[k + 1]  = nl;
      s->th_qplate[k + 1] = 2 * st->bipolar_plate.contact_resistance + st->bipolar_plate.thickness / st->bipolar_plate.material->electronic_conductivity;
      PLATE(&st->bipolar_plate, "bipolar plate");
    }
  }
  if (st->collector_positive.material) {
    s->th_plate[N]  = nl;
    s->th_qplate[N] = st->collector_positive.contact_resistance + st->collector_positive.thickness / st->collector_positive.material->electronic_conductivity;
    PLATE(&st->collector_positive, "positive collector");
  }
  if (st->end_plate.material) PLATE(&st->end_plate, "end plate");
#undef PLATE
  SsbThermalBC           bc[2];
  const SsbBoundarySpec *b[2] = {&c->thermal.bottom, &c->thermal.top};
  for (int e = 0; e < 2; e++) {
    bc[e].type        = b[e]->type == SSB_BOUNDARY_CONVECTIVE ? SSB_THERMAL_BC_CONVECTIVE : (b[e]->type == SSB_BOUNDARY_FIXED ? SSB_THERMAL_BC_FIXED : SSB_THERMAL_BC_ADIABATIC);
    bc[e].h           = b[e]->h;
    bc[e].temperature = b[e]->temperature;
  }
  PetscCall(SsbHeatModelCreate(nl, layers, bc, c->thermal.lateral_h > 0 ? c->thermal.lateral_h * c->thermal.lateral_perimeter_per_area : 0.0, c->thermal.lateral_ambient, &s->heat));
  PetscCall(PetscFree(layers));
  PetscFunctionReturn(PETSC_SUCCESS);
}

double SsbSimCellTemperature(SsbSim s, const double *y, int k)
{
  if (s->iT < 0) return s->cells[k]->T;
  if (!s->heat) return y[s->iT];
  double T = 0;
  for (int l = 0; l < 3; l++) T += s->th_w[3 * k + l] * y[s->iT + s->th_layer[3 * k + l]];
  return T;
}

PetscErrorCode SsbSimCreate(MPI_Comm comm, const SsbCase *c, SsbSim *sim)
{
  SsbSim s;
  PetscFunctionBeginUser;
  PetscCall(SsbLogRegister());
  PetscCall(PetscCalloc1(1, &s));
  s->comm = comm;
  s->c    = c;
  /* one model per cell; the stack's 1C current and capacity are the base cell's (the nominal
     design), whatever the per-cell variations */
  s->ncells = PetscMax(c->stack.cells, 1);
  /* the cells in contiguous blocks over the ranks */
  PetscCallMPI(MPI_Comm_rank(comm, &s->rank));
  PetscCallMPI(MPI_Comm_size(comm, &s->size));
  s->c0 = (int)(((long)s->ncells * s->rank) / s->size);
  s->c1 = (int)(((long)s->ncells * (s->rank + 1)) / s->size);
  PetscCall(PetscMalloc2(s->ncells, &s->cells, s->ncells + 1, &s->coff));
  s->coff[0] = 0;
  for (int k = 0; k < s->ncells; k++) {
    PetscCall(SsbCellModelCreateForCell(c, c->stack.cell ? &c->stack.cell[k] : &c->cell, &s->cells[k]));
    s->coff[k + 1] = s->coff[k] + s->cells[k]->nvar;
  }
  s->cell = s->cells[0];
  PetscCall(PetscMalloc6(s->size, &s->xcnt, s->size, &s->xdsp, s->size, &s->ccnt, s->size, &s->cdsp, s->size, &s->hcnt, s->size, &s->hdsp));
  for (int r = 0; r < s->size; r++) {
    int r0 = (int)(((long)s->ncells * r) / s->size), r1 = (int)(((long)s->ncells * (r + 1)) / s->size);
    s->cdsp[r] = r0;
    s->ccnt[r] = r1 - r0;
    s->xdsp[r] = (int)s->coff[r0];
    s->xcnt[r] = (int)(s->coff[r1] - s->coff[r0]);
  }
  PetscCheck(s->coff[s->ncells] < PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_SUP, "%ld unknowns exceed the 32-bit index range", (long)s->coff[s->ncells]);
  PetscCall(PetscMalloc4(3 * s->ncells, &s->hq, 3 * s->ncells + s->size, &s->hqb, s->ncells + 1, &s->jstart, s->c1 - s->c0 + 1, &s->jcells));
  PetscCall(PetscCalloc2(6 * s->ncells, &s->hd, s->ncells, &s->jheat));
  for (int k = s->c0; k < s->c1; k++) s->jcells[s->njcells++] = k;
  {
    SsbCellModel *base;
    PetscCall(SsbCellModelCreate(c, &base));
    s->capacity = base->capacity;
    PetscCall(SsbCellModelDestroy(&base));
  }
  s->i1c = s->capacity / 3600.0;
  /* the series resistance outside the cells: each bipolar plate (two contacts and its bulk), each
     end collector (one contact and its bulk); through-plane only */
  {
    const SsbStackSpec *st = &c->stack;
    double              r  = 0;
    if (st->bipolar_plate.material && s->ncells > 1) r += (s->ncells - 1) * (2 * st->bipolar_plate.contact_resistance + st->bipolar_plate.thickness / st->bipolar_plate.material->electronic_conductivity);
    const SsbPlateSpec *cc[2] = {&st->collector_negative, &st->collector_positive};
    for (int e = 0; e < 2; e++)
      if (cc[e]->material) r += cc[e]->contact_resistance + cc[e]->thickness / cc[e]->material->electronic_conductivity;
    s->R_stack = r;
  } /* lumped thermal model: the stack's heat capacity and its losses through both ends and the sides */
  s->iT = -1;
  if (c->thermal.model == SSB_THERMAL_LUMPED) {
    double C = 0, L = 0, G = 0, GT = 0;
    for (int k = 0; k < s->ncells; k++) {
      const SsbCell      *cl    = c->stack.cell ? &c->stack.cell[k] : &c->cell;
      const SsbElectrode *el[2] = {&cl->neg, &cl->pos};
      for (int e = 0; e < 2; e++) {
        const SsbThermalProps *a = &el[e]->material->thermal;
        PetscCheck(!isnan(a->density) && !isnan(a->heat_capacity), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "thermal model lumped: material %s needs density and heat_capacity", el[e]->material->name);
        double rc = (el[e]->kind == SSB_ELECTRODE_COMPOSITE ? el[e]->eps_active : 1.0) * a->density * a->heat_capacity;
        if (el[e]->kind == SSB_ELECTRODE_COMPOSITE) {
          const SsbMaterial *ee = el[e]->electrolyte ? el[e]->electrolyte : cl->sep.electrolyte;
          PetscCheck(!isnan(ee->thermal.density) && !isnan(ee->thermal.heat_capacity), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "thermal model lumped: material %s needs density and heat_capacity", ee->name);
          rc += el[e]->eps_electrolyte * ee->thermal.density * ee->thermal.heat_capacity; /* the conductive additive's share is not counted (no data) */
        }
        C += rc * el[e]->thickness;
        L += el[e]->thickness;
      }
      const SsbThermalProps *sp = &cl->sep.electrolyte->thermal;
      PetscCheck(!isnan(sp->density) && !isnan(sp->heat_capacity), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "thermal model lumped: material %s needs density and heat_capacity", cl->sep.electrolyte->name);
      C += sp->density * sp->heat_capacity * cl->sep.thickness;
      L += cl->sep.thickness;
    }
    const SsbStackSpec *st      = &c->stack;
    const SsbPlateSpec *pl[4]   = {&st->bipolar_plate, &st->collector_negative, &st->collector_positive, &st->end_plate};
    const int           mult[4] = {s->ncells - 1, 1, 1, 2};
    for (int i = 0; i < 4; i++) {
      if (!pl[i]->material || mult[i] <= 0) continue;
      const SsbThermalProps *a = &pl[i]->material->thermal;
      PetscCheck(!isnan(a->density) && !isnan(a->heat_capacity), PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "thermal model lumped: material %s needs density and heat_capacity", pl[i]->material->name);
      C += mult[i] * a->density * a->heat_capacity * pl[i]->thickness;
      L += mult[i] * pl[i]->thickness;
    }
    const SsbBoundarySpec *b[2] = {&c->thermal.bottom, &c->thermal.top};
    for (int e = 0; e < 2; e++) {
      PetscCheck(b[e]->type != SSB_BOUNDARY_FIXED, PETSC_COMM_SELF, PETSC_ERR_SUP, "thermal model lumped: a fixed-temperature boundary needs the stack thermal model");
      if (b[e]->type == SSB_BOUNDARY_CONVECTIVE) {
        G += b[e]->h;
        GT += b[e]->h * b[e]->temperature;
      }
    }
    if (c->thermal.lateral_h > 0) {
      double gl = c->thermal.lateral_h * c->thermal.lateral_perimeter_per_area * L;
      G += gl;
      GT += gl * c->thermal.lateral_ambient;
    }
    s->C_th  = C;
    s->h_th  = G;
    s->Ta_th = G > 0 ? GT / G : c->thermal.initial_temperature;
    s->iT    = s->coff[s->ncells];
  }
  if (c->thermal.model == SSB_THERMAL_STACK) PetscCall(StackThermalCreate(s, c));
  s->nth = s->heat ? s->heat->n : (s->iT >= 0 ? 1 : 0);
  s->n   = s->coff[s->ncells] + s->nth + 3;
  PetscCheck(s->n < PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_SUP, "%ld unknowns exceed PETSc's 32-bit index range", (long)s->n);
  s->iE = s->coff[s->ncells] + s->nth; /* delivered energy, then the current and the charge */
  s->iI = s->iE + 1;
  s->iQ = s->iI + 1;
  /* scratch: one cell's dF/dT per thread (the temperature columns), or the thermal model's
     three diagonals */
#if defined(_OPENMP)
  s->nthr = omp_get_max_threads();
#else
  s->nthr = 1;
#endif
  for (int k = 0; k < s->ncells; k++) s->nvmax = PetscMax(s->nvmax, s->cells[k]->nvar);
  PetscCall(PetscMalloc1(PetscMax((size_t)s->nthr * s->nvmax, 3 * (size_t)s->nth + 1), &s->Fs));
  if (s->heat) s->iT = s->coff[s->ncells];
  /* this rank's unknowns: its cells', and on the last rank the border after them */
  s->nb                = s->n - s->coff[s->ncells];
  s->xcnt[s->size - 1] = (int)(s->n - s->xdsp[s->size - 1]);
  s->loc0              = s->xdsp[s->rank];
  s->nloc              = s->xcnt[s->rank];
  PetscCall(PetscMalloc2(s->size, &s->gcnt, s->size, &s->gdsp));
  for (int r = 0; r < s->size; r++) { /* the exchange: each rank's cells' voltages, the last rank's border after all of them */
    s->gcnt[r] = s->ccnt[r];
    s->gdsp[r] = s->cdsp[r];
  }
  s->gcnt[s->size - 1] += (int)s->nb;

  PetscCall(SUNContext_Create(NULL, &s->sunctx));
  {
    /* ssbsim's N_Vector, distributed: one segment per cell and one for the border, each rank its
       own (nvector.c: sums in the same order on any number of ranks). -ssb_nvector_sundials (one
       rank only) selects NVECTOR_SERIAL instead (the same semantics, sums in another order; for
       benchmarks/single_cell, which measures the difference) */
    PetscBool sundials_serial = PETSC_FALSE;
    PetscCall(PetscOptionsGetBool(NULL, NULL, "-ssb_nvector_sundials", &sundials_serial, NULL));
    PetscCheck(!sundials_serial || s->size == 1, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "-ssb_nvector_sundials: one MPI rank only");
    if (sundials_serial)
      s->y = N_VNew_Serial(s->n, s->sunctx);
    else {
      const int     last = s->rank == s->size - 1, nseg = s->c1 - s->c0 + last;
      sunindextype *seg;
      int          *gseg;
      PetscCall(PetscMalloc2(nseg + 1, &seg, s->size, &gseg));
      for (int k = s->c0; k <= s->c1; k++) seg[k - s->c0] = s->coff[k] - s->loc0;
      if (last) seg[nseg] = s->n - s->loc0;
      for (int r = 0; r < s->size; r++) gseg[r] = s->ccnt[r] + (r == s->size - 1);
      s->y = SsbNVectorNewDistributed(s->comm, s->nloc, s->n, nseg, seg, gseg, s->sunctx);
      PetscCall(PetscFree2(seg, gseg));
    }
    PetscCheck(s->y, PETSC_COMM_SELF, PETSC_ERR_MEM, "cannot allocate SUNDIALS vectors");
    s->yp   = N_VClone(s->y);
    s->id   = N_VClone(s->y);
    s->atol = N_VClone(s->y);
  }
  PetscCheck(s->y && s->yp && s->id && s->atol, PETSC_COMM_SELF, PETSC_ERR_MEM, "cannot allocate SUNDIALS vectors");
  if (s->size == 1) { /* the replicated state is the vectors' own data */
    s->yf  = N_VGetArrayPointer(s->y);
    s->ypf = N_VGetArrayPointer(s->yp);
  } else {
    PetscCall(PetscMalloc3(s->n, &s->yf, s->n, &s->ypf, s->n, &s->ys));
    PetscCall(PetscMalloc1(s->ncells + s->nb, &s->gbuf));
  }
  {
    /* the whole state, id and atol on every rank; then each rank's part */
    double *id, *at;
    double *y = s->yf, *yp = s->ypf;
    PetscCall(PetscMalloc2(s->n, &id, s->n, &at));
    for (int k = 0; k < s->ncells; k++) {
      const SsbCellModel *m = s->cells[k];
      SsbVarType         *type;
      int                *dif;
      double             *scale;
      PetscCall(PetscMalloc3(m->nvar, &type, m->nvar, &dif, m->nvar, &scale));
      PetscCall(SsbCellVarTypes(m, type, dif, scale));
      for (int i = 0; i < m->nvar; i++) {
        id[s->coff[k] + i] = dif[i] ? 1.0 : 0.0;
        at[s->coff[k] + i] = c->solver.atol * scale[i];
      }
      PetscCall(PetscFree3(type, dif, scale));
      SsbCellInitialState(m, y + s->coff[k], yp + s->coff[k]);
    }
    for (int i = 0; i < s->nth; i++) {
      id[s->iT + i] = 1;
      at[s->iT + i] = c->solver.atol * 1e3; /* K: 1e-6 K at the default atol */
      y[s->iT + i]  = c->thermal.initial_temperature;
      yp[s->iT + i] = 0;
    }
    id[s->iI] = 0;
    id[s->iQ] = 1;
    id[s->iE] = 1;
    at[s->iE] = c->solver.atol * s->capacity * 4.0; /* J/m^2: the capacity at about 4 V */
    at[s->iI] = c->solver.atol * s->i1c;
    at[s->iQ] = c->solver.atol * s->capacity;
    y[s->iI]  = 0;
    y[s->iQ]  = 0;
    y[s->iE]  = 0;
    yp[s->iE] = 0;
    yp[s->iI] = 0;
    yp[s->iQ] = 0;
    if (s->nloc) {
      PetscCall(PetscArraycpy(N_VGetArrayPointer(s->id), id + s->loc0, s->nloc));
      PetscCall(PetscArraycpy(N_VGetArrayPointer(s->atol), at + s->loc0, s->nloc));
    }
    PetscCall(PetscFree2(id, at));
    PetscCall(SsbSimScatterState(s));
  }
  s->mode  = SSB_CONTROL_CURRENT;
  s->I_set = 0;

  PetscCall(CreateMatrix(s));
  PetscCall(CreateKSP(s));

  s->ida = IDACreate(s->sunctx);
  PetscCheck(s->ida, PETSC_COMM_SELF, PETSC_ERR_LIB, "IDACreate failed");
  SsbCallSUN(IDAInit(s->ida, ResidualIDA, 0.0, s->y, s->yp));
  /* the error weights 1/(rtol |y_i| + atol_i), IDA's own formula (IDASVtolerances: |y|, then
     rtol |y| + atol, then the reciprocal: three passes over four vectors) in one pass over y, atol
     and the weights; the same numbers, bit for bit. atol > 0 everywhere, so no weight fails (and no
     global minimum, a collective on several ranks, is needed). */
  {
    const double *at = N_VGetArrayPointer(s->atol);
    for (sunindextype i = 0; i < s->nloc; i++) PetscCheck(at[i] > 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "absolute tolerance %g of unknown %ld is not positive", at[i], (long)(s->loc0 + i));
  }
  s->rtol = c->solver.rtol;
  SsbCallSUN(IDAWFtolerances(s->ida, ErrorWeights));
  SsbCallSUN(IDASetUserData(s->ida, s));
  SsbCallSUN(IDASetErrHandlerFn(s->ida, IDAErrorHandler, s));
  SsbCallSUN(IDASetId(s->ida, s->id));
  {
    /* -ssb_ida_suppress_alg: the local error test on the differential unknowns only (the algebraic
       ones follow from them, index 1). Measured on the quickstart 1C discharge at rtol 1e-6 against
       rtol 1e-9: 718 -> 362 steps, voltage error 0.2 -> 1.3 uV, capacity 9e-9 -> 1.3e-7 relative;
       but it makes the end of some discharges fail (a composite | composite cell at its cut-off),
       so it stays off by default. */
    PetscBool sa = PETSC_FALSE;
    PetscCall(PetscOptionsGetBool(NULL, NULL, "-ssb_ida_suppress_alg", &sa, NULL));
    SsbCallSUN(IDASetSuppressAlg(s->ida, sa ? SUNTRUE : SUNFALSE));
  }
  SsbCallSUN(IDASetMaxNumSteps(s->ida, c->solver.max_steps));
  SsbCallSUN(IDASetMaxErrTestFails(s->ida, 20));
  SsbCallSUN(IDASetMaxConvFails(s->ida, 20));
  /* IDACalcIC: at most 4 Newton iterations per Jacobian (IDA's default is 10), then a fresh Jacobian
     at the current iterate (up to 20). From a rest state to a loaded one the Butler-Volmer slopes
     change by orders of magnitude, so the modified Newton iteration on the first Jacobian converges
     only linearly; refreshing it early halves the cost of the consistent initialisation (50
     iterations per Jacobian before: about 100 residuals per discharge start, now about 30) */
  SsbCallSUN(IDASetMaxNumItersIC(s->ida, 4));
  SsbCallSUN(IDASetMaxNumJacsIC(s->ida, 20));
  {
    /* Newton's iteration of every step stops when its estimated error is below coef times the
       local error test's tolerance: 0.1 instead of IDA's 0.33, a tighter corrector. Fewer rejected
       and fewer small steps, at the same agreement with a tight reference: over 15 discharges of
       each single-cell benchmark cell (5 meshes, 0.5/1/2C) TiS2 up to 9 % less work (1C, 297
       unknowns: 182 -> 170 steps, 11 % less time), NMC811 neutral (-3 % to +4 %), voltage within
       2e-7 V of an rtol 1e-10 run either way (benchmarks/single_cell/README.md). Thermal models
       kept IDA's 0.33 until the saturation root moved to 0.1 rtol (fifth session of 22 Nov 2026):
       the tighter corrector had doubled the Newton failures and Jacobians at the end of a thermal
       stack's discharge, where a cell's surface nears full. Since then 0.1 is better there too:
       the looser corrector's noise kept IDA at order 2 with 0.12 s steps for the first 30 s of a
       100-cell thermal discharge (272 steps; 85-105 at N = 10, 1000). Thermal stacks of 10 / 100 /
       1000 cells: 628 / 577 / 599 steps, 65 / 74 / 73 Jacobians with 0.1, against 689 / 818 / 646
       and 69 / 63 / 74 with 0.33 (benchmarks/stack_scaling/README.md). -ssb_ida_nonlin_conv_coef. */
    PetscReal coef = 0.1;
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-ssb_ida_nonlin_conv_coef", &coef, NULL));
    PetscCheck(coef > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "-ssb_ida_nonlin_conv_coef must be positive");
    SsbCallSUN(IDASetNonlinConvCoef(s->ida, coef));
  }

  s->A = SUNMatNewEmpty(s->sunctx);
  PetscCheck(s->A, PETSC_COMM_SELF, PETSC_ERR_MEM, "SUNMatNewEmpty failed");
  s->A->content      = s;
  s->A->ops->getid   = MatGetID_Ssb;
  s->A->ops->zero    = MatZero_Ssb;
  s->A->ops->destroy = MatDestroy_Ssb;
  s->LS              = SUNLinSolNewEmpty(s->sunctx);
  PetscCheck(s->LS, PETSC_COMM_SELF, PETSC_ERR_MEM, "SUNLinSolNewEmpty failed");
  s->LS->content         = s;
  s->LS->ops->gettype    = LSGetType_Ssb;
  s->LS->ops->getid      = LSGetID_Ssb;
  s->LS->ops->initialize = LSInit_Ssb;
  s->LS->ops->setup      = LSSetup_Ssb;
  s->LS->ops->solve      = LSSolve_Ssb;
  s->LS->ops->free       = LSFree_Ssb;
  SsbCallSUN(IDASetLinearSolver(s->ida, s->LS, s->A));
  SsbCallSUN(IDASetJacFn(s->ida, JacobianIDA));
  *sim = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimDestroy(SsbSim *sim)
{
  SsbSim s = *sim;
  PetscFunctionBeginUser;
  if (!s) PetscFunctionReturn(PETSC_SUCCESS);
  IDAFree(&s->ida);
  if (s->LS) SUNLinSolFree(s->LS);
  if (s->A) SUNMatDestroy(s->A);
  N_VDestroy(s->y);
  N_VDestroy(s->yp);
  N_VDestroy(s->id);
  N_VDestroy(s->atol);
  PetscCall(KSPDestroy(&s->ksp));
  if (s->bd) {
    PetscInt  nrow;
    PetscBool done;
    PetscCall(SsbBorderedDestroy(&s->bd));
    PetscCall(MatRestoreRowIJ(s->J, 0, PETSC_FALSE, PETSC_FALSE, &nrow, &s->jia, &s->jja, &done));
  }
  PetscCall(SsbSparseLUDestroy(&s->slu));
  PetscCall(MatDestroy(&s->J));
  PetscCall(PetscFree(s->jpos));
  PetscCall(PetscFree2(s->jvcnt, s->jvdsp));
  PetscCall(VecDestroy(&s->xv));
  PetscCall(VecDestroy(&s->bv));
  for (int k = 0; k < s->ncells; k++) PetscCall(SsbCellModelDestroy(&s->cells[k]));
  PetscCall(PetscFree2(s->cells, s->coff));
  PetscCall(PetscFree6(s->xcnt, s->xdsp, s->ccnt, s->cdsp, s->hcnt, s->hdsp));
  PetscCall(PetscFree2(s->gcnt, s->gdsp));
  if (s->size > 1) {
    PetscCall(PetscFree3(s->yf, s->ypf, s->ys));
    PetscCall(PetscFree(s->gbuf));
  }
  PetscCall(PetscFree4(s->hq, s->hqb, s->jstart, s->jcells));
  PetscCall(PetscFree2(s->hd, s->jheat));
  PetscCall(PetscFree(s->Fs));
  if (s->heat) {
    PetscCall(SsbHeatModelDestroy(&s->heat));
    PetscCall(PetscFree5(s->th_layer, s->th_w, s->th_plate, s->th_qplate, s->qth));
  }
  PetscCall(PetscFree(s->roots));
  PetscCall(SsbSimFreeCheckpoint(s));
  SUNContext_Free(&s->sunctx);
  PetscCall(PetscFree(s));
  *sim = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGetInfo(SsbSim s, long *n, double *i1c, double *capacity, double *ocv0)
{
  PetscFunctionBeginUser;
  if (n) *n = (long)s->n;
  if (i1c) *i1c = s->i1c;
  if (capacity) *capacity = s->capacity;
  if (ocv0) { /* the stack's: the sum over its cells */
    *ocv0 = 0;
    for (int k = 0; k < s->ncells; k++) {
      SsbCellDiag d;
      double     *y0, *yp0;
      PetscCall(PetscCalloc2(s->cells[k]->nvar, &y0, s->cells[k]->nvar, &yp0));
      SsbCellInitialState(s->cells[k], y0, yp0);
      SsbCellDiagnostics(s->cells[k], y0, yp0, 0.0, &d);
      *ocv0 += d.ocv;
      PetscCall(PetscFree2(y0, yp0));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGetCellRange(SsbSim s, int *c0, int *c1)
{
  PetscFunctionBeginUser;
  *c0 = s->c0;
  *c1 = s->c1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGetCellModel(SsbSim s, const SsbCellModel **m)
{
  PetscFunctionBeginUser;
  *m = s->cell;
  PetscFunctionReturn(PETSC_SUCCESS);
}

double SsbSimStepFraction(SsbSim s, double t, const double *y)
{
  double f = NAN;
  if (isfinite(s->step_t1) && s->step_t1 > s->step_t0) f = (t - s->step_t0) / (s->step_t1 - s->step_t0);
  if (isfinite(s->step_vcut) && s->step_v0 != s->step_vcut) {
    const double fv = (s->step_v0 - SsbSimStackVoltage(s, y)) / (s->step_v0 - s->step_vcut);
    f               = isnan(f) ? fv : PetscMax(f, fv);
  }
  return isnan(f) ? f : PetscMin(1.0, PetscMax(0.0, f));
}

double SsbSimProfileValue(SsbSim s, double t)
{
  const double *tt = s->prof_t, *vv = s->prof_v;
  const int     n = s->prof_n;
  double        x = t - s->prof_t0;
  int           k = s->prof_k;
  if (!tt) return s->mode == SSB_CONTROL_CURRENT ? s->I_set : s->P_set;
  if (x <= tt[0]) return s->prof_scale * vv[0];
  if (x >= tt[n - 1]) return s->prof_scale * vv[n - 1];
  /* IDA moves forward and back by small amounts: search from the last interval */
  if (k < 0 || k > n - 2) k = 0;
  while (k > 0 && x < tt[k]) k--;
  while (k < n - 2 && x > tt[k + 1]) k++;
  s->prof_k = k;
  return s->prof_scale * (vv[k] + (vv[k + 1] - vv[k]) * (x - tt[k]) / (tt[k + 1] - tt[k]));
}

PetscErrorCode SsbSimSetProfile(SsbSim s, SsbControl mode, int n, const double *t_tab, const double *v_tab, double t0, double scale)
{
  PetscFunctionBeginUser;
  PetscCheck(mode == SSB_CONTROL_CURRENT || mode == SSB_CONTROL_POWER, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "a profile sets a current or a power");
  PetscCheck(n >= 2 && t_tab && v_tab, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "a profile needs at least two points");
  s->mode       = mode;
  s->prof_t     = t_tab;
  s->prof_v     = v_tab;
  s->prof_n     = n;
  s->prof_k     = 0;
  s->prof_t0    = t0;
  s->prof_scale = scale;
  if (mode == SSB_CONTROL_CURRENT)
    s->I_set = scale * v_tab[0];
  else
    s->P_set = scale * v_tab[0];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimSetControl(SsbSim s, SsbControl mode, double value)
{
  PetscFunctionBeginUser;
  s->prof_t = NULL;
  s->mode   = mode;
  switch (mode) {
  case SSB_CONTROL_CURRENT:
    s->I_set = value;
    break;
  case SSB_CONTROL_VOLTAGE:
    s->V_set = value;
    break;
  case SSB_CONTROL_POWER:
    s->P_set = value;
    break;
  case SSB_CONTROL_RESISTANCE:
    s->R_set = value;
    break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGetState(SsbSim s, long *n, double **y, double **yp)
{
  PetscFunctionBeginUser;
  if (n) *n = (long)s->n;
  if (y) *y = s->yf;
  if (yp) *yp = s->ypf;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGetStats(SsbSim s, SsbSimStats *st)
{
  PetscFunctionBeginUser;
  *st = s->stats;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimSetMonitor(SsbSim s, SsbSimMonitor fn, void *ctx)
{
  PetscFunctionBeginUser;
  s->monitor     = fn;
  s->monitor_ctx = ctx;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimDiagnostics(SsbSim s, const double *y, const double *yp, SsbCellDiag *d)
{
  PetscFunctionBeginUser;
  for (int k = 0; k < s->ncells; k++) {
    if (s->iT >= 0) SsbCellSetTemperature(s->cells[k], SsbSimCellTemperature(s, y, k));
    SsbCellDiagnostics(s->cells[k], y + s->coff[k], yp + s->coff[k], y[s->iI], &d[k]);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGetHeatModel(SsbSim s, const SsbHeatModel **hm, long *first)
{
  PetscFunctionBeginUser;
  *hm = s->heat;
  if (first) *first = (long)s->iT;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimGetEnergy(SsbSim s, double *energy)
{
  PetscFunctionBeginUser;
  *energy = s->yf[s->iE];
  PetscFunctionReturn(PETSC_SUCCESS);
}
