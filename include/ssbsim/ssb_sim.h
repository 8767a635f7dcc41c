/* ssb_sim.h -- the simulation: the DAE of a stack (here one cell) integrated by SUNDIALS IDA, with the
   Newton systems solved through PETSc KSP/PC, driven step by step through the experiment.

   Unknowns: every cell's block (ssb_cell.h), the thermal unknowns (lumped: one; stack: one per
   layer), the energy delivered E (J/m^2, dE/dt = I V_stack), the stack current density I (A/m^2, +
   discharge, algebraic; its row is the control equation of the current step) and the charge passed
   Q (C/m^2, differential, dQ/dt = I). Jacobian: assembled analytically into a PETSc AIJ matrix whose pattern
   is fixed at creation (MATPREALLOCATOR); the SUNLinearSolver handed to IDA is of direct type, so
   IDA calls its setup (KSPSetOperators + KSPSetUp: a refactorisation) only when it asks for a new
   Jacobian, and reuses the factors otherwise. Solvers (-ssb_linear_solver): petsc, PETSc KSP/PC
   on the whole matrix (KSPPREONLY + PCLU with RCM ordering by default; any PETSc option -ksp_type,
   -pc_type, -pc_factor_mat_solver_type, -pc_factor_mat_ordering_type selects it), the default on
   one rank; bordered, block elimination of the cells and the Schur complement of the border
   (solver/bordered.h), the default and the only choice on several ranks.

   Parallel: the cells are split over the ranks of the communicator in contiguous blocks; IDA's
   vectors are distributed (each rank its cells' unknowns, the last rank also the border), each
   rank evaluates, factors and solves its own cells (OpenMP threads over them), and the results do
   not depend on the number of ranks or threads (docs/model.md "Parallel layout"). */
#pragma once
#include <ssbsim/ssb_cell.h>
#include <ssbsim/ssb_results.h>
#include <petscmat.h>
#include <ssbsim/ssb_thermal.h>

typedef struct SsbSim_ *SsbSim;

typedef enum { SSB_CONTROL_CURRENT = 0,
               SSB_CONTROL_VOLTAGE,
               SSB_CONTROL_POWER,                   /* I V_stack = P (W/m^2) */
               SSB_CONTROL_RESISTANCE } SsbControl; /* V_stack = I R (ohm m^2) */

typedef struct {
  long   steps, res_evals, jac_evals, lin_setups, newton_iters, lin_iters, newton_fails, err_fails;
  double wall; /* s, inside SsbSimRun */
} SsbSimStats;

PetscErrorCode SsbSimCreate(MPI_Comm comm, const SsbCase *c, SsbSim *sim);
PetscErrorCode SsbSimDestroy(SsbSim *sim);
/* Number of unknowns and the 1C current density (A/m^2) and theoretical capacity (C/m^2). */
PetscErrorCode SsbSimGetInfo(SsbSim sim, long *nunknowns, double *i1c, double *capacity, double *ocv0);
/* Run the experiment, writing rows to res (may be NULL). *status receives "completed",
   "terminated: ..." or "failed: ..." (owned by sim). A solver failure is not a PETSc error: it
   returns PETSC_SUCCESS with a "failed:" status after writing everything up to the failure. */
PetscErrorCode SsbSimRun(SsbSim sim, SsbResults res, const char **status);
PetscErrorCode SsbSimGetStats(SsbSim sim, SsbSimStats *st);
/* How far the running step has come, in [0, 1]: the larger of the fraction of its planned duration
   (a `for` clause or a profile's length) and of the way from its start voltage to its `until`
   voltage; NaN when it has neither (a hold until a current, a step to a limit only). */
double SsbSimStepFraction(SsbSim sim, double t, const double *y);
/* A monitor called at every output row (also without a results file): time (s), the experiment step
   (0-based), the state y and y'. For tests, progress reports and custom post-processing. */
typedef void (*SsbSimMonitor)(void *ctx, double t, int step, const double *y, const double *yp);
PetscErrorCode SsbSimSetMonitor(SsbSim sim, SsbSimMonitor fn, void *ctx);
/* The diagnostics of every cell at state y (temperature set first for the lumped model); d[ncells]. */
PetscErrorCode SsbSimDiagnostics(SsbSim sim, const double *y, const double *yp, SsbCellDiag *d);
/* Access for tests: the cell model, the state, the residual and Jacobian at a state. */
PetscErrorCode SsbSimGetCellModel(SsbSim sim, const SsbCellModel **m);
/* This rank's cells [c0, c1) (0-based): the cells are distributed over the ranks of the simulation's
   communicator in contiguous blocks; IDA's vectors are distributed (each rank holds its cells'
   unknowns, the last rank also the border), and each rank evaluates, factors and writes its own
   cells (docs/model.md "Parallel layout"). */
PetscErrorCode SsbSimGetCellRange(SsbSim sim, int *c0, int *c1);
/* The stack thermal model (NULL unless thermal.model is stack) and the index of its first unknown. */
PetscErrorCode SsbSimGetHeatModel(SsbSim sim, const SsbHeatModel **hm, long *first);
PetscErrorCode SsbSimSetControl(SsbSim sim, SsbControl mode, double value);
/* A current or power setpoint that follows a table against time: at time t the setpoint is
   scale * (linear interpolant of (t_tab, v_tab) at t - t0), held constant outside the table. The
   arrays are borrowed (they must outlive the run); a later SsbSimSetControl clears the profile. */
PetscErrorCode SsbSimSetProfile(SsbSim sim, SsbControl mode, int n, const double *t_tab, const double *v_tab, double t0, double scale);
double         SsbSimProfileValue(SsbSim sim, double t);
/* The whole state (n unknowns) on every rank: a replicated copy, updated after every return of the
   integrator (on one rank it is the integrator's own vector data, so writing it sets the state). */
PetscErrorCode SsbSimGetState(SsbSim sim, long *n, double **y, double **yp);
/* The stack's terminal voltage at state y: the cells' voltages less the plates' and collectors'
   ohmic drop. */
double SsbSimStackVoltage(SsbSim sim, const double *y);
/* Cell k's temperature at state y (K): fixed (isothermal), the stack's (lumped), or the thickness
   average over its three layers (stack model). */
double SsbSimCellTemperature(SsbSim sim, const double *y, int k);
/* The residual at a complete state (every rank), complete on every rank. Collective. */
int SsbSimResidualArray(SsbSim sim, const double *y, const double *yp, double *F);
/* The Jacobian at a complete state: this rank's cell rows and the border rows (complete on one
   rank; with several ranks only the last rank's border rows hold the last cell's share). */
PetscErrorCode SsbSimJacobianMat(SsbSim sim, double cj, const double *y, const double *yp, Mat *J);
/* After SsbSimRun: total charge passed (C/m^2) and the initial and final Li in the negative [0] and
   positive [1] electrode (mol/m^2; li0, li1 arrays of 2, may be NULL). */
PetscErrorCode SsbSimGetBalance(SsbSim sim, double *charge, double li0[2], double li1[2]);
/* The energy delivered by the stack since the start, the integral of I V_stack dt (J/m^2, + when
   discharged); a differential unknown integrated with the rest. */
PetscErrorCode SsbSimGetEnergy(SsbSim sim, double *energy);

/* Checkpoint and restart (solver/checkpoint.c, docs/user-guide.md "Restart on clusters").
   SsbSimSetCheckpoint: write the full solver state to `path` (borrowed) every `interval` s of
   simulated time (at the first output time at or after each multiple; NAN or <= 0: only on a
   signal). SsbSimInstallSignalHandlers: SIGTERM and SIGINT only set a flag, which SsbSimRun checks
   after every integrator return: it then writes the checkpoint, flushes the results and returns
   with the status "interrupted: checkpoint written to PATH at t = T s". SIGUSR1 asks for a
   checkpoint at the next output row and the run goes on (SsbSimCheckpointRequested reads and
   clears that request). SsbCheckpointReadCase:
   the case file name, the resolved text and the steps' resolved profile files (one line per step)
   stored in a checkpoint (SSB_ERR_INPUT: not a checkpoint), and *final_status: NULL, or the status
   of a finished run whose checkpoint was written at its end (at_end; nothing to continue).
   SsbCheckpointReadLinearSolver: the linear solver the checkpointed run used ("bordered" or
   "petsc"; "" in a checkpoint written before it was recorded).
   SsbSimLoadCheckpoint: after SsbSimCreate on that case, make the next SsbSimRun continue the
   checkpointed run exactly (the same steps, results equal to round-off). */
PetscErrorCode SsbSimSetCheckpoint(SsbSim sim, const char *path, double interval, PetscBool at_end);
PetscErrorCode SsbSimInstallSignalHandlers(void);
int            SsbSimInterruptSignal(void);
int            SsbSimCheckpointRequested(void);
PetscErrorCode SsbCheckpointReadCase(const char *path, char **case_path, char **case_text, char **profile_files, char **final_status);
PetscErrorCode SsbCheckpointReadLinearSolver(const char *path, char *kind, size_t len);
PetscErrorCode SsbSimLoadCheckpoint(SsbSim sim, const char *path);
