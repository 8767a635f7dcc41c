/* checkpoint.c -- checkpoint and restart: the complete solver state in an HDF5 file, so that a run
   continued from it (ssbsim restart) takes exactly the steps the uninterrupted run takes.

   Restarting IDA from (t, y, y') alone (IDAReInit) starts a new BDF history at order 1 with a fresh
   initial step: the continued solution then differs from the uninterrupted one by the integration
   error (about rtol). To continue bit for bit the file holds IDA's own history and step controller
   (ida_impl.h: the divided differences phi[0..maxord], psi, alpha, beta, sigma, gamma, the order
   and step size and their counters, cj and the cj of the last linear-solver setup, the Newton test
   constants, the stop time and the root finder's bracket), the Jacobian values the last LU was
   computed from (refactored on restore: the same values and ordering give the same factors), the
   zero-pivot fallbacks in force, and the experiment driver's position (cycle, step, the step's
   start, the next output and checkpoint times) and bookkeeping (initial Li, statistics). IDALS
   keeps only counters between steps, and the Newton solver nothing.

   The resolved case text is stored too: the restart re-reads the case from it, so the continued run
   solves the same problem even if the case file changed. Files are written to NAME.tmp and renamed,
   so a job killed while writing leaves the previous checkpoint intact.

   Signals: SsbSimInstallSignalHandlers makes SIGTERM and SIGINT only set a flag; the step driver
   (experiment.c) checks it after every IDASolve return, writes a checkpoint and stops. */
/* sigaction with SA_RESETHAND (POSIX.1-2008, XSI) */
#define _XOPEN_SOURCE 700
#include "sim_impl.h"
#include <ida/ida_impl.h>
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Exported by libsundials_ida (IDA's own ida_ic.c calls it) but not declared in ida_impl.h: the
   checks, error weights, linear solver and Newton solver initialisation IDASolve does on its first
   call. The restored run calls it once, then marks the setup done. */
extern int IDAInitialSetup(IDAMem IDA_mem);

#define SSB_CHECKPOINT_VERSION 1

static volatile sig_atomic_t ssb_signal = 0;

static void SignalHandler(int sig) { ssb_signal = sig; }

/* SIGUSR1: a checkpoint on request, and the run goes on (the handler stays installed) */
static volatile sig_atomic_t ssb_request = 0;

static void RequestHandler(int sig)
{
  (void)sig;
  ssb_request = 1;
}

PetscErrorCode SsbSimInstallSignalHandlers(void)
{
  struct sigaction sa;
  PetscFunctionBeginUser;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = SignalHandler;
  /* one signal asks for a checkpoint; a second one (Ctrl-C again) has the default effect and ends
     the program at once */
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  PetscCheck(!sigaction(SIGTERM, &sa, NULL) && !sigaction(SIGINT, &sa, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot install the SIGTERM/SIGINT handlers");
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = RequestHandler;
  sa.sa_flags   = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  PetscCheck(!sigaction(SIGUSR1, &sa, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot install the SIGUSR1 handler");
  PetscFunctionReturn(PETSC_SUCCESS);
}

int SsbSimInterruptSignal(void) { return (int)ssb_signal; }

int SsbSimCheckpointRequested(void)
{
  const int r = (int)ssb_request;
  ssb_request = 0;
  return r;
}

/* IDAMem fields that determine the next steps (SUNDIALS 6.4). Tolerances, limits, eta factors and
   the like are set by SsbSimCreate the same way in both runs and are not stored. */
#define SSB_IDA_REALS(X) \
  X(tstop)               \
  X(hin)                 \
  X(h0u)                 \
  X(hh)                  \
  X(hused)               \
  X(eta)                 \
  X(tn)                  \
  X(tretlast)            \
  X(cj)                  \
  X(cjlast)              \
  X(cjold)               \
  X(cjratio)             \
  X(ss)                  \
  X(oldnrm)              \
  X(epsNewt)             \
  X(epcon)               \
  X(toldel)              \
  X(tolsf)               \
  X(t0)                  \
  X(tscale)              \
  X(tlo)                 \
  X(thi)                 \
  X(trout)               \
  X(toutc)               \
  X(ttol)
#define SSB_IDA_INTS(X) \
  X(tstopset)           \
  X(kk)                 \
  X(kused)              \
  X(knew)               \
  X(phase)              \
  X(ns)                 \
  X(irfnd)              \
  X(taskc)              \
  X(mxgnull)            \
  X(maxord)             \
  X(nrtfn)
#define SSB_IDA_LONGS(X) \
  X(nst)                 \
  X(nre)                 \
  X(ncfn)                \
  X(netf)                \
  X(nni)                 \
  X(nnf)                 \
  X(nsetups)             \
  X(nge)
#define SSB_COUNT(f) +1
enum { NREAL = 0 SSB_IDA_REALS(SSB_COUNT),
       NINT  = 0 SSB_IDA_INTS(SSB_COUNT),
       NLONG = 0 SSB_IDA_LONGS(SSB_COUNT) };
/* work vectors besides phi[0..maxord]: the error weights, the predictor, the corrections and the
   residual; most are overwritten before use, storing them costs little (ida_yy and ida_yp are the
   caller's y and y', s->y and s->yp, restored with them) */
#define NWORK 9
static N_Vector *WorkVector(IDAMem m, int i)
{
  N_Vector *w[NWORK] = {&m->ida_ewt, &m->ida_yypredict, &m->ida_yppredict, &m->ida_delta, &m->ida_savres, &m->ida_ee, &m->ida_tempv1, &m->ida_tempv2, &m->ida_tempv3};
  return w[i];
}

/* driver integers and reals, in this order */
enum { DI_CYC,
       DI_SI,
       DI_STEPNO,
       DI_MODE,
       DI_PROF_K,
       DI_NATURAL,
       DI_PIVOTING,
       DI_NROOTS,
       NDI };
enum { DD_T,
       DD_T_START,
       DD_T_NEXT_ROW,
       DD_T_NEXT_PROF,
       DD_T_NEXT_CHK,
       DD_LI0,
       DD_LI1,
       DD_I_SET,
       DD_V_SET,
       DD_P_SET,
       DD_R_SET,
       DD_T_NOW,
       DD_Q_FIRST,
       DD_Q_CYCLE,
       DD_Q_START,
       NDD };
enum { DL_NRES,
       DL_NJAC,
       DL_NSETUP,
       DL_NLIN,
       DL_STEPS,
       DL_NEWTON,
       DL_NFAIL,
       DL_EFAIL,
       NDL };

/* SsbCheckpoint (sim_impl.h) holds these arrays with literal sizes */
#define SSB_LEN(member, type) (sizeof(((SsbCheckpoint *)0)->member) / sizeof(type))
_Static_assert(SSB_LEN(di, int) == NDI && SSB_LEN(dd, double) == NDD && SSB_LEN(dl, long) == NDL, "SsbCheckpoint driver arrays");
_Static_assert(SSB_LEN(reals, double) == NREAL && SSB_LEN(ints, int) == NINT && SSB_LEN(longs, long) == NLONG && SSB_LEN(coef, double) == 5 * MXORDP1, "SsbCheckpoint IDA arrays");
#undef SSB_LEN

/* ---------------- HDF5 helpers ---------------- */

static PetscErrorCode Write1(hid_t f, const char *name, hid_t type, hsize_t n, const void *data)
{
  hid_t  sp, ds;
  herr_t st;
  PetscFunctionBeginUser;
  sp = H5Screate_simple(1, &n, NULL);
  PetscCheck(sp >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "checkpoint: cannot create the dataspace of %s", name);
  ds = H5Dcreate2(f, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Sclose(sp);
  PetscCheck(ds >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "checkpoint: cannot create %s", name);
  st = n ? H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) : 0;
  H5Dclose(ds);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "checkpoint: cannot write %s", name);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The length of dataset `name` (-1: absent or not 1-D). */
static hssize_t Length(hid_t f, const char *name)
{
  hssize_t n = -1;
  if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return -1;
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  if (ds < 0) return -1;
  hid_t sp = H5Dget_space(ds);
  if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1) n = H5Sget_simple_extent_npoints(sp);
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(ds);
  return n;
}

static PetscErrorCode Read1(hid_t f, const char *path, const char *name, hid_t type, hsize_t n, void *data)
{
  PetscFunctionBeginUser;
  PetscCheck(Length(f, name) == (hssize_t)n, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: not a checkpoint of this case (dataset %s missing or of the wrong size)", path, name);
  if (!n) PetscFunctionReturn(PETSC_SUCCESS);
  hid_t  ds = H5Dopen2(f, name, H5P_DEFAULT);
  herr_t st = H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(ds);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot read %s", path, name);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode ReadString(hid_t f, const char *path, const char *name, char **s)
{
  hssize_t n = Length(f, name);
  PetscFunctionBeginUser;
  PetscCheck(n >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: not an ssbsim checkpoint (no %s)", path, name);
  PetscCall(PetscMalloc1(n + 1, s));
  PetscCall(Read1(f, path, name, H5T_NATIVE_CHAR, (hsize_t)n, *s));
  (*s)[n] = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---------------- write ---------------- */

static PetscErrorCode WriteCheckpointCore(SsbSim s, const char *path, const SsbRunState *rs, const char *final_status)
{
  IDAMem      m = (IDAMem)s->ida;
  char        tmp[PETSC_MAX_PATH_LEN];
  hid_t       f;
  hsize_t     n    = (hsize_t)s->n;
  const int   nphi = m->ida_maxord + 1, nr = m->ida_nrtfn;
  double     *buf, *a;
  int         version = SSB_CHECKPOINT_VERSION;
  PetscMPIInt rank;
  PetscFunctionBeginUser;
  /* the state is distributed: the Jacobian's rows (each rank its cells', the last rank the
     border's) and IDA's vectors are gathered on rank 0, which writes; y and y' are the replicated
     copies (s->yf, s->ypf, gathered whole before the file is written) */
  PetscCall(SsbSimGatherJacobian(s));
  PetscCallMPI(MPI_Comm_rank(s->comm, &rank));
  buf = NULL;
  if (!rank) PetscCall(PetscMalloc1((size_t)(nphi + NWORK) * n, &buf));
  for (int j = 0; j < nphi + NWORK; j++) {
    const double *v = N_VGetArrayPointer(j < nphi ? m->ida_phi[j] : *WorkVector(m, j - nphi));
    if (s->size == 1)
      PetscCall(PetscArraycpy(buf + j * n, v, n));
    else
      PetscCallMPI(MPI_Gatherv(v, (int)s->nloc, MPI_DOUBLE, rank ? NULL : buf + j * n, s->xcnt, s->xdsp, MPI_DOUBLE, 0, s->comm));
  }
  if (rank) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
  /* HDF5 prints its own error stack on failure: the PETSc error below says what failed */
  H5E_BEGIN_TRY { f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT); }
  H5E_END_TRY;
  PetscCheck(f >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create the checkpoint file '%s'", tmp);
  PetscCall(Write1(f, "ssbsim_checkpoint", H5T_NATIVE_INT, 1, &version));
  PetscCall(Write1(f, "case_text", H5T_NATIVE_CHAR, strlen(s->c->text), s->c->text));
  PetscCall(Write1(f, "case_path", H5T_NATIVE_CHAR, strlen(s->c->path), s->c->path));
  if (final_status) PetscCall(Write1(f, "final_status", H5T_NATIVE_CHAR, strlen(final_status), final_status));
  {
    const char *ls = s->bd ? "bordered" : "petsc"; /* the restart uses it again (SsbCheckpointReadLinearSolver) */
    PetscCall(Write1(f, "linear_solver", H5T_NATIVE_CHAR, strlen(ls), ls));
  }
  PetscCall(Write1(f, "n", H5T_NATIVE_LONG, 1, &(long){(long)s->n}));
  {
    /* every step's resolved profile file, one per line ("" for other steps) */
    size_t len = 1;
    char  *pp;
    for (int i = 0; i < s->c->experiment.nsteps; i++) len += (s->c->experiment.steps[i].profile_file ? strlen(s->c->experiment.steps[i].profile_file) : 0) + 1;
    PetscCall(PetscCalloc1(len, &pp));
    for (int i = 0; i < s->c->experiment.nsteps; i++) {
      if (s->c->experiment.steps[i].profile_file) strcat(pp, s->c->experiment.steps[i].profile_file);
      strcat(pp, "\n"); /* pp has room: len counts every path and newline */
    }
    PetscCall(Write1(f, "profile_files", H5T_NATIVE_CHAR, strlen(pp), pp));
    PetscCall(PetscFree(pp));
  }
  {
    int    di[NDI] = {rs->cyc, rs->si, rs->stepno, (int)s->mode, s->prof_k, (int)s->natural, (int)s->pivoting, s->nroots};
    double dd[NDD] = {rs->t, rs->t_start, rs->t_next_row, rs->t_next_prof, rs->t_next_chk, s->li0[0], s->li0[1], s->I_set, s->V_set, s->P_set, s->R_set, s->t_now, rs->q_first, rs->q_cycle, rs->q_start};
    long   dl[NDL] = {s->nres, s->njac, s->nsetup, s->nlin, s->stats.steps, s->stats.newton_iters, s->stats.newton_fails, s->stats.err_fails};
    PetscCall(Write1(f, "driver_int", H5T_NATIVE_INT, NDI, di));
    PetscCall(Write1(f, "driver_real", H5T_NATIVE_DOUBLE, NDD, dd));
    PetscCall(Write1(f, "driver_long", H5T_NATIVE_LONG, NDL, dl));
  }
  PetscCall(Write1(f, "y", H5T_NATIVE_DOUBLE, n, s->yf));
  PetscCall(Write1(f, "yp", H5T_NATIVE_DOUBLE, n, s->ypf));
  PetscCall(MatSeqAIJGetArrayRead(s->J, (const PetscScalar **)&a));
  PetscCall(Write1(f, "jacobian", H5T_NATIVE_DOUBLE, (hsize_t)s->jnnz, a));
  PetscCall(MatSeqAIJRestoreArrayRead(s->J, (const PetscScalar **)&a));
  {
#define SSB_GET(fld) m->ida_##fld,
    double reals[NREAL] = {SSB_IDA_REALS(SSB_GET)};
    int    ints[NINT]   = {SSB_IDA_INTS(SSB_GET)};
    long   longs[NLONG] = {SSB_IDA_LONGS(SSB_GET)};
#undef SSB_GET
    double coef[5 * MXORDP1];
    for (int j = 0; j < MXORDP1; j++) {
      coef[j]               = m->ida_psi[j];
      coef[MXORDP1 + j]     = m->ida_alpha[j];
      coef[2 * MXORDP1 + j] = m->ida_beta[j];
      coef[3 * MXORDP1 + j] = m->ida_sigma[j];
      coef[4 * MXORDP1 + j] = m->ida_gamma[j];
    }
    PetscCall(Write1(f, "ida_real", H5T_NATIVE_DOUBLE, NREAL, reals));
    PetscCall(Write1(f, "ida_int", H5T_NATIVE_INT, NINT, ints));
    PetscCall(Write1(f, "ida_long", H5T_NATIVE_LONG, NLONG, longs));
    PetscCall(Write1(f, "ida_coefficients", H5T_NATIVE_DOUBLE, 5 * MXORDP1, coef));
  }
  PetscCall(Write1(f, "ida_vectors", H5T_NATIVE_DOUBLE, (nphi + NWORK) * n, buf));
  PetscCall(PetscFree(buf));
  {
    double *rd;
    int    *ri;
    PetscCall(PetscMalloc2(3 * nr, &rd, 3 * nr, &ri));
    for (int i = 0; i < nr; i++) {
      rd[i]          = m->ida_glo[i];
      rd[nr + i]     = m->ida_ghi[i];
      rd[2 * nr + i] = m->ida_grout[i];
      ri[i]          = m->ida_iroots[i];
      ri[nr + i]     = m->ida_rootdir[i];
      ri[2 * nr + i] = m->ida_gactive[i];
    }
    PetscCall(Write1(f, "ida_roots_real", H5T_NATIVE_DOUBLE, 3 * nr, rd));
    PetscCall(Write1(f, "ida_roots_int", H5T_NATIVE_INT, 3 * nr, ri));
    PetscCall(PetscFree2(rd, ri));
  }
  PetscCheck(H5Fclose(f) >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot close the checkpoint file '%s'", tmp);
  PetscCheck(!rename(tmp, path), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename the checkpoint '%s' to '%s'", tmp, path);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimWriteCheckpoint(SsbSim s, const char *path, const SsbRunState *rs, const char *final_status)
{
  PetscFunctionBeginUser;
  PetscCall(SsbSimGatherFull(s)); /* the file holds the whole state */
  PetscCall(PetscLogEventBegin(SSB_EVENT_Checkpoint, 0, 0, 0, 0));
  PetscCall(WriteCheckpointCore(s, path, rs, final_status));
  PetscCall(PetscLogEventEnd(SSB_EVENT_Checkpoint, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---------------- read ---------------- */

static PetscErrorCode OpenCheckpoint(const char *path, hid_t *f)
{
  struct stat st;
  FILE       *fp;
  PetscFunctionBeginUser;
  /* a regular file: HDF5 would block for ever opening a FIFO without a writer */
  PetscCheck(!stat(path, &st), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open the checkpoint file '%s'", path);
  PetscCheck(S_ISREG(st.st_mode), PETSC_COMM_SELF, SSB_ERR_INPUT, "'%s' is not an ssbsim checkpoint (not a regular file)", path);
  fp = fopen(path, "rb");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open the checkpoint file '%s'", path);
  fclose(fp);
  H5E_BEGIN_TRY { *f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : H5I_INVALID_HID; }
  H5E_END_TRY;
  PetscCheck(*f >= 0, PETSC_COMM_SELF, SSB_ERR_INPUT, "'%s' is not an ssbsim checkpoint (not an HDF5 file)", path);
  if (Length(*f, "ssbsim_checkpoint") != 1) {
    H5Fclose(*f);
    SETERRQ(PETSC_COMM_SELF, SSB_ERR_INPUT, "'%s' is not an ssbsim checkpoint (an HDF5 file without the checkpoint marker)", path);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbCheckpointReadCase(const char *path, char **case_path, char **case_text, char **profile_files, char **final_status)
{
  hid_t f;
  int   version;
  PetscFunctionBeginUser;
  PetscCall(OpenCheckpoint(path, &f));
  PetscCall(Read1(f, path, "ssbsim_checkpoint", H5T_NATIVE_INT, 1, &version));
  PetscCheck(version == SSB_CHECKPOINT_VERSION, PETSC_COMM_SELF, SSB_ERR_INPUT, "%s: checkpoint format %d, this ssbsim reads format %d", path, version, SSB_CHECKPOINT_VERSION);
  PetscCall(ReadString(f, path, "case_path", case_path));
  PetscCall(ReadString(f, path, "case_text", case_text));
  PetscCall(ReadString(f, path, "profile_files", profile_files));
  *final_status = NULL;
  if (Length(f, "final_status") >= 0) PetscCall(ReadString(f, path, "final_status", final_status));
  H5Fclose(f);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbCheckpointReadLinearSolver(const char *path, char *kind, size_t len)
{
  hid_t f;
  char *ls = NULL;
  PetscFunctionBeginUser;
  kind[0] = 0;
  PetscCall(OpenCheckpoint(path, &f));
  if (Length(f, "linear_solver") >= 0) PetscCall(ReadString(f, path, "linear_solver", &ls));
  H5Fclose(f);
  if (ls) PetscCall(PetscStrncpy(kind, ls, len));
  PetscCall(PetscFree(ls));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Load the checkpoint into s->chk; SsbSimRun resumes from it and SsbSimApplyCheckpoint puts IDA's
   and the linear solver's state in place when the run reaches the interrupted step. */
PetscErrorCode SsbSimLoadCheckpoint(SsbSim s, const char *path)
{
  hid_t          f;
  long           n;
  SsbCheckpoint *k;
  const int      maxord = ((IDAMem)s->ida)->ida_maxord;
  PetscFunctionBeginUser;
  PetscCall(OpenCheckpoint(path, &f));
  PetscCall(Read1(f, path, "n", H5T_NATIVE_LONG, 1, &n));
  PetscCheck(n == (long)s->n, PETSC_COMM_SELF, SSB_ERR_INPUT, "%s: %ld unknowns, the case gives %ld", path, n, (long)s->n);
  PetscCall(PetscNew(&k));
  PetscCall(Read1(f, path, "driver_int", H5T_NATIVE_INT, NDI, k->di));
  PetscCall(Read1(f, path, "driver_real", H5T_NATIVE_DOUBLE, NDD, k->dd));
  PetscCall(Read1(f, path, "driver_long", H5T_NATIVE_LONG, NDL, k->dl));
  PetscCall(Read1(f, path, "ida_real", H5T_NATIVE_DOUBLE, NREAL, k->reals));
  PetscCall(Read1(f, path, "ida_int", H5T_NATIVE_INT, NINT, k->ints));
  PetscCall(Read1(f, path, "ida_long", H5T_NATIVE_LONG, NLONG, k->longs));
  PetscCall(Read1(f, path, "ida_coefficients", H5T_NATIVE_DOUBLE, 5 * MXORDP1, k->coef));
  {
    /* the driver's position and IDA's order and counters index arrays: a damaged file must not
       take them out of range (the values the run itself can reach; doubles are the solver's) */
#define SSB_INDEX(fld) II_##fld,
    enum { SSB_IDA_INTS(SSB_INDEX) NII };
#undef SSB_INDEX
    const int *di = k->di, *ii = k->ints;
    const int  ok = di[DI_CYC] >= 0 && di[DI_CYC] < s->c->experiment.cycles && di[DI_SI] >= 0 && di[DI_SI] < s->c->experiment.nsteps && di[DI_STEPNO] >= 0 && di[DI_NROOTS] >= 0 && di[DI_NROOTS] <= 3 + 6 * s->ncells && ii[II_maxord] == maxord && ii[II_nrtfn] == di[DI_NROOTS] && ii[II_kk] >= 0 && ii[II_kk] <= maxord && ii[II_kused] >= 0 && ii[II_kused] <= maxord && ii[II_knew] >= 0 && ii[II_knew] <= maxord && ii[II_ns] >= 0 && ii[II_ns] <= maxord + 2 && (ii[II_phase] == 0 || ii[II_phase] == 1);
    /* the next row, profile and checkpoint times are advanced by their interval until they pass t:
       they must lie within a few intervals of t, and t be small enough for the interval to count */
    const double t = k->dd[DD_T], next[3] = {k->dd[DD_T_NEXT_ROW], k->dd[DD_T_NEXT_PROF], k->dd[DD_T_NEXT_CHK]};
    const double iv[3] = {s->c->output.interval, s->c->output.profiles_interval, s->c->output.checkpoint_interval};
    int          ok_t  = isfinite(t) && t >= 0 && isfinite(k->dd[DD_T_START]) && k->dd[DD_T_START] <= t;
    for (int j = 0; j < 3; j++)
      if (iv[j] > 0) ok_t = ok_t && isfinite(next[j]) && next[j] >= t - 2 * iv[j] && next[j] <= t + 2 * iv[j] && t + iv[j] > t;
    if (!ok || !ok_t) {
      const int cyc = di[DI_CYC], si = di[DI_SI], nr = di[DI_NROOTS], kk = ii[II_kk];
      H5Fclose(f);
      PetscCall(PetscFree(k));
      SETERRQ(PETSC_COMM_SELF, SSB_ERR_INPUT, "%s: the driver's position (cycle %d, step %d, %d root functions) or the integrator's order (%d of at most %d) or its time (%g s) is out of range for this case", path, cyc, si, nr, kk, maxord, t);
    }
  }
  k->nr = k->di[DI_NROOTS];
  PetscCall(PetscMalloc5(s->n, &k->y, s->n, &k->yp, s->jnnz, &k->jac, (size_t)(maxord + 1 + NWORK) * s->n, &k->vec, 3 * k->nr + 1, &k->rd));
  PetscCall(PetscMalloc1(3 * k->nr + 1, &k->ri));
  PetscCall(Read1(f, path, "y", H5T_NATIVE_DOUBLE, s->n, k->y));
  PetscCall(Read1(f, path, "yp", H5T_NATIVE_DOUBLE, s->n, k->yp));
  PetscCall(Read1(f, path, "jacobian", H5T_NATIVE_DOUBLE, s->jnnz, k->jac));
  PetscCall(Read1(f, path, "ida_vectors", H5T_NATIVE_DOUBLE, (maxord + 1 + NWORK) * s->n, k->vec));
  PetscCall(Read1(f, path, "ida_roots_real", H5T_NATIVE_DOUBLE, 3 * k->nr, k->rd));
  PetscCall(Read1(f, path, "ida_roots_int", H5T_NATIVE_INT, 3 * k->nr, k->ri));
  H5Fclose(f);
  /* the driver's position and bookkeeping */
  k->rs = (SsbRunState){k->di[DI_CYC], k->di[DI_SI], k->di[DI_STEPNO], k->dd[DD_T], k->dd[DD_T_START], k->dd[DD_T_NEXT_ROW], k->dd[DD_T_NEXT_PROF], k->dd[DD_T_NEXT_CHK], k->dd[DD_Q_FIRST], k->dd[DD_Q_CYCLE], k->dd[DD_Q_START]};
  /* every rank has read the whole file: the replicated state, and this rank's part of y, y' */
  PetscCall(PetscArraycpy(s->yf, k->y, s->n));
  PetscCall(PetscArraycpy(s->ypf, k->yp, s->n));
  PetscCall(SsbSimScatterState(s));
  s->li0[0]             = k->dd[DD_LI0];
  s->li0[1]             = k->dd[DD_LI1];
  s->nres               = k->dl[DL_NRES];
  s->njac               = k->dl[DL_NJAC];
  s->nsetup             = k->dl[DL_NSETUP];
  s->nlin               = k->dl[DL_NLIN];
  s->stats.steps        = k->dl[DL_STEPS];
  s->stats.newton_iters = k->dl[DL_NEWTON];
  s->stats.newton_fails = k->dl[DL_NFAIL];
  s->stats.err_fails    = k->dl[DL_EFAIL];
  PetscCall(SsbSimFreeCheckpoint(s));
  s->chk = k;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbSimFreeCheckpoint(SsbSim s)
{
  SsbCheckpoint *k = s->chk;
  PetscFunctionBeginUser;
  if (!k) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree5(k->y, k->yp, k->jac, k->vec, k->rd));
  PetscCall(PetscFree(k->ri));
  PetscCall(PetscFree(s->chk));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* At the interrupted step, after the driver has set the step's control, roots and stop time as the
   original run did: IDA's memory, the control details and the factorisation, exactly as they were. */
PetscErrorCode SsbSimApplyCheckpoint(SsbSim s)
{
  SsbCheckpoint *k    = s->chk;
  IDAMem         m    = (IDAMem)s->ida;
  const int      nphi = m->ida_maxord + 1, nr = k->nr;
  const size_t   n = (size_t)s->n;
  PetscFunctionBeginUser;
  PetscCheck(k->ints[NINT - 2] == m->ida_maxord && k->ints[NINT - 1] == nr && m->ida_nrtfn == nr, PETSC_COMM_SELF, SSB_ERR_INPUT, "the checkpoint's integrator (order %d, %d root functions) does not match this case's (order %d, %d root functions)", k->ints[NINT - 2], k->ints[NINT - 1], m->ida_maxord, m->ida_nrtfn);
  /* IDAReInit (by the driver) reset IDA to (t, y, y'); the first-call setup then initialises the
     linear and Newton solvers; everything that determines the next steps is overwritten after it */
  SsbCallSUN(IDAInitialSetup(m));
  m->ida_SetupDone = SUNTRUE;
  {
    int i = 0;
#define SSB_SET(fld) m->ida_##fld = k->reals[i++];
    SSB_IDA_REALS(SSB_SET)
#undef SSB_SET
    i = 0;
#define SSB_SET(fld) m->ida_##fld = k->ints[i++];
    SSB_IDA_INTS(SSB_SET)
#undef SSB_SET
    i = 0;
#define SSB_SET(fld) m->ida_##fld = k->longs[i++];
    SSB_IDA_LONGS(SSB_SET)
#undef SSB_SET
  }
  for (int j = 0; j < MXORDP1; j++) {
    m->ida_psi[j]   = k->coef[j];
    m->ida_alpha[j] = k->coef[MXORDP1 + j];
    m->ida_beta[j]  = k->coef[2 * MXORDP1 + j];
    m->ida_sigma[j] = k->coef[3 * MXORDP1 + j];
    m->ida_gamma[j] = k->coef[4 * MXORDP1 + j];
  }
  /* this rank's part of each of IDA's vectors (the checkpoint may come from another number of ranks) */
  const size_t l0 = (size_t)s->loc0, nl = (size_t)s->nloc;
  if (nl) {
    for (int j = 0; j < nphi; j++) PetscCall(PetscArraycpy(N_VGetArrayPointer(m->ida_phi[j]), k->vec + j * n + l0, nl));
    for (int j = 0; j < NWORK; j++) PetscCall(PetscArraycpy(N_VGetArrayPointer(*WorkVector(m, j)), k->vec + (nphi + j) * n + l0, nl));
  }
  for (int i = 0; i < nr; i++) {
    m->ida_glo[i]     = k->rd[i];
    m->ida_ghi[i]     = k->rd[nr + i];
    m->ida_grout[i]   = k->rd[2 * nr + i];
    m->ida_iroots[i]  = k->ri[i];
    m->ida_rootdir[i] = k->ri[nr + i];
    m->ida_gactive[i] = k->ri[2 * nr + i];
  }
  PetscCall(PetscArraycpy(s->yf, k->y, n));
  PetscCall(PetscArraycpy(s->ypf, k->yp, n));
  PetscCall(SsbSimScatterState(s));
  /* the control as it was (a profile's setpoint is recomputed from t in every residual) */
  s->I_set  = k->dd[DD_I_SET];
  s->V_set  = k->dd[DD_V_SET];
  s->P_set  = k->dd[DD_P_SET];
  s->R_set  = k->dd[DD_R_SET];
  s->t_now  = k->dd[DD_T_NOW];
  s->prof_k = k->di[DI_PROF_K];
  PetscCall(SsbSimRestoreFactorization(s, k->jac, k->di[DI_NATURAL] ? PETSC_TRUE : PETSC_FALSE, k->di[DI_PIVOTING] ? PETSC_TRUE : PETSC_FALSE));
  PetscCall(SsbSimFreeCheckpoint(s));
  PetscFunctionReturn(PETSC_SUCCESS);
}
