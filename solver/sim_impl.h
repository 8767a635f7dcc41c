/* sim_impl.h -- private layout of SsbSim, shared by solver/sim.c (DAE, Jacobian, linear solver) and
   solver/experiment.c (the step driver). */
#pragma once
#include <ssbsim/ssb_sim.h>
#include <ssbsim/ssb_nvector.h>
#include <ssbsim/ssb_thermal.h>
#include "bordered.h"
#include "sparselu.h"
#include <petscksp.h>
#include <ida/ida.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_matrix.h>
#include <sundials/sundials_linearsolver.h>

typedef enum { SSB_ROOT_STEP_VOLTAGE = 0,
               SSB_ROOT_STEP_CURRENT,
               SSB_ROOT_VMAX,
               SSB_ROOT_VMIN,
               SSB_ROOT_LI_EXHAUSTED,
               SSB_ROOT_DEPLETED,
               SSB_ROOT_TMAX,
               SSB_ROOT_SURFACE_FULL } SsbRootKind;

typedef struct {
  SsbRootKind kind;
  int         cell; /* 0-based cell of the stack */
  double      value;
  int         direction;
  int         side; /* SSB_ROOT_LI_EXHAUSTED: 0 negative, 1 positive */
} SsbRoot;

/* The experiment driver's position: the cycle, the step in the cycle and overall, the time, the
   start of the current step, the next output and checkpoint times. */
typedef struct {
  int    cyc, si, stepno;
  double t, t_start, t_next_row, t_next_prof, t_next_chk;
  double q_first, q_cycle, q_start; /* capacity-fade bookkeeping (A s/m^2) */
} SsbRunState;

/* A loaded checkpoint (checkpoint.c), held from SsbSimLoadCheckpoint until the driver reaches the
   interrupted step: the stored arrays as read, applied by SsbSimApplyCheckpoint. */
typedef struct {
  SsbRunState rs;
  int         di[8], ints[11], nr;
  double      dd[15], reals[25], coef[30];
  long        dl[8], longs[8];
  double     *y, *yp, *jac, *vec, *rd;
  int        *ri;
} SsbCheckpoint;

struct SsbSim_ {
  MPI_Comm        comm;
  const SsbCase  *c;
  SsbCellModel   *cell; /* cells[0] */
  int             ncells;
  SsbCellModel  **cells;                                                                              /* [ncells], one model per cell of the stack (stack.cell[k]) */
  sunindextype   *coff;                                                                               /* [ncells + 1] first unknown of each cell's block */
  double          R_stack; /* ohm m^2: bipolar plates, end collectors and their contacts in series */ /* thermal.model lumped: one temperature unknown iT for the whole stack; stack: nth unknowns from
     iT, one per layer (-1: isothermal) */
  sunindextype    iT;
  int             nth;                                  /* thermal unknowns */
  SsbHeatModel   *heat;                                 /* stack model: conduction through every layer */
  int            *th_layer;                             /* [3 ncells] thermal cell of cell k's negative, separator, positive layer */
  double         *th_w;                                 /* [3 ncells] each layer's share of its cell's thickness */
  int            *th_plate;                             /* [ncells + 1] thermal cell of the plate below cell k (0: CC-, ncells: CC+), -1: none */
  double         *th_qplate;                            /* [ncells + 1] plate series resistance (ohm m^2) and */
  double         *qth;                                  /* [nth] heat sources (W/m^3) */
  double          C_th;                                 /* heat capacity per area, J/(m^2 K) */
  double          h_th, Ta_th;                          /* total loss conductance W/(m^2 K) to the effective ambient (K) */
  double         *Fs;                                   /* scratch: per thread a cell's dF/dT (the temperature columns), [nthr nvmax] */
  int             nthr, nvmax;                          /* OpenMP threads of the Jacobian's cell loop; the most unknowns of a cell */
  double          step_t0, step_t1, step_v0, step_vcut; /* the running step: start, planned end (NaN: none), start and cut-off stack voltage (NaN: none) */
  SsbSimMonitor   monitor;
  void           *monitor_ctx;
  sunindextype    n, iI, iQ, iE;
  double          i1c, capacity; /* A/m^2, C/m^2 */
  double          rtol;          /* IDA's relative tolerance (ErrorWeights) */
  SUNContext      sunctx;
  N_Vector        y, yp, id, atol;
  void           *ida;
  SUNMatrix       A;
  SUNLinearSolver LS;
  Mat             J;
  PetscInt        njpos, jnnz; /* Jacobian sink calls per assembly; stored entries of J */
  PetscInt       *jpos;        /* [njpos] position of each sink call in J's SeqAIJ value array */
  KSP             ksp;
  PC              pc;
  SsbBordered     bd;        /* block elimination, KLU per cell (bordered.h); the default on several ranks */
  const PetscInt *jia, *jja; /* J's CSR pattern, checked out (MatGetRowIJ) while bd lives */
  SsbSparseLU     slu;       /* ssbsim's sparse LU (sparselu.h); the default on one rank, NULL after a zero pivot */
  int             c0, c1;    /* this rank's cells [c0, c1) */
  PetscMPIInt     rank, size;
  int            *xcnt, *xdsp, *ccnt, *cdsp, *hcnt, *hdsp; /* [size] each rank's unknowns (its cells; the last rank's also the border), cells, heat values (gathers) */
  int            *gcnt, *gdsp;                             /* [size] the exchange of the voltages and the border (SsbSimExchange) */
  sunindextype    loc0, nloc;                              /* this rank's unknowns: [loc0, loc0 + nloc) of the global numbering, its N_Vectors' local entries */
  sunindextype    nb;                                      /* border unknowns (after the last cell) */
  double         *yf, *ypf;                                /* [n] the whole state, replicated (the driver's view; on 1 rank y's and yp's own data) */
  PetscBool       yf_partial;                              /* yf, ypf hold only this rank's cells, the voltages and the border (SsbSimGatherRow) */
  double         *ys;                                      /* [n] scratch (several ranks): the border and every cell's voltage, for the residual, Jacobian and roots */
  double         *gbuf;                                    /* [ncells + nb] */
  double         *hq;                                      /* [3 ncells] each cell's heat (stack: per layer; lumped: [ncells]) */
  double         *hqb;                                     /* [3 ncells + size] the heat gather's buffer: each rank's heat values and its flag */
  double         *hd;                                      /* [6 ncells] each cell's layer heats' derivatives in I and in its temperature (Jacobian; gathered on the last rank) */
  PetscInt       *jstart;                                  /* [ncells + 1] where each cell's Jacobian entries start in the sink sequence */
  PetscInt       *jheat;                                   /* [ncells] where each cell's heat entries (thermal rows, its columns) start; they end at jstart[c + 1] */
  int            *jcells, njcells;                         /* the cells whose Jacobian entries this rank assembles */
  int            *jvcnt, *jvdsp;                           /* [size] each rank's cell rows in J's value array */
  PetscBool       preonly;                                 /* KSPPREONLY: solves call PCApply directly */
  PetscBool       pivoting;                                /* switched to a pivoting LU after a zero pivot */
  PetscBool       natural;                                 /* switched to the natural ordering after a zero pivot */
  Vec             xv, bv;
  SsbControl      mode;
  double          I_set, V_set, P_set, R_set; /* A/m^2, V, W/m^2, ohm m^2 */
  /* a time profile of the current or power setpoint (SsbSimSetProfile): the setpoint at time t is
     prof_scale times the linear interpolant of (prof_t, prof_v) at t - prof_t0 */
  const double  *prof_t, *prof_v;
  int            prof_n, prof_k;
  double         prof_t0, prof_scale;
  double         t_now;   /* the time of the last residual call from IDA (or set by the driver) */
  double         t_shift; /* added to IDA's time in the residual: a consistent initialisation at time t run from IDA's t = 0 (ConsistentIC) */
  long           nres, njac, nsetup, nlin;
  int            nroots;
  SsbRoot       *roots;
  double         li0[2], li1[2], charge; /* Li in each electrode at the start and end (mol/m^2) */
  SsbSimStats    stats;
  SsbCheckpoint *chk;          /* a checkpoint to resume from (ssbsim restart), else NULL */
  const char    *chk_path;     /* where checkpoints are written, NULL: never */
  double         chk_interval; /* s, simulated time between checkpoints (<= 0 or NAN: none) */
  PetscBool      chk_at_end;   /* also a checkpoint of the finished run */
  char           status[1024];
  char           last_error[512]; /* last SUNDIALS error message */
};

/* Every rank's rows of the Jacobian's values (its cells', the last rank's also the border's) to
   rank 0 (for a checkpoint). Collective. */
PetscErrorCode SsbSimGatherJacobian(SsbSim s);
/* The replicated state s->yf, s->ypf from the ranks' parts of s->y, s->yp (after IDA changed them).
   Collective; nothing to do on one rank. */
PetscErrorCode SsbSimGatherState(SsbSim s);
/* What an output row needs after an ordinary return of IDA, without gathering the whole state (two
   Allgatherv of the state on every rank; N = 200 on 2 ranks: 9 % of the run with 10 s rows): this
   rank's part of s->y, s->yp copied into s->yf, s->ypf, and every cell's voltage and the border
   (its values, not its derivatives) gathered in one small collective. The other ranks' cells stay
   as they were (s->yf_partial): SsbSimGatherFull before anything reads them (a profile, a
   checkpoint, a root, a failure, the step's end). Collective; nothing to do on one rank. */
PetscErrorCode SsbSimGatherRow(SsbSim s);
/* SsbSimGatherState if the last gather was SsbSimGatherRow. Collective. */
PetscErrorCode SsbSimGatherFull(SsbSim s);
/* This rank's parts of s->y, s->yp from s->yf, s->ypf (after the driver changed them). */
PetscErrorCode SsbSimScatterState(SsbSim s);
/* A full-size view of a state vector's local part yl for the border and stack-level quantities:
   yl itself on one rank; else s->ys with the border (from the last rank) and every cell's voltage
   (gathered). NULL on an MPI failure. Collective. */
const double *SsbSimExchange(SsbSim s, const double *yl);
/* final_status: NULL in the middle of a run, else the status of the finished run */
PetscErrorCode SsbSimWriteCheckpoint(SsbSim s, const char *path, const SsbRunState *rs, const char *final_status);
PetscErrorCode SsbSimApplyCheckpoint(SsbSim s);
PetscErrorCode SsbSimFreeCheckpoint(SsbSim s);
/* Put the Jacobian values `a` back into J, switch to the zero-pivot fallbacks in force, refactor. */
PetscErrorCode SsbSimRestoreFactorization(SsbSim s, const double *a, PetscBool natural, PetscBool pivoting);

/* PETSc log events of the integration (-log_view): the residual, the Jacobian assembly, the linear
   solver's setup (factorisation) and solve, the root functions, results output and checkpoints. Registered by
   SsbSimCreate (SsbLogRegister; idempotent). */
extern PetscLogEvent SSB_EVENT_Residual, SSB_EVENT_Jacobian, SSB_EVENT_LSSetup, SSB_EVENT_LSSolve, SSB_EVENT_Output, SSB_EVENT_Checkpoint, SSB_EVENT_Roots;
PetscErrorCode       SsbLogRegister(void);
