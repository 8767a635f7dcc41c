/* sweep.c -- ssbsim sweep: design sweeps over a grid of case-file values (sweep.h, docs/user-guide.md
   "Design sweeps").

     ssbsim sweep CASE.yaml --vary key=v1,v2,... [--vary ...] [-o DIR] [--set key=value]... [PETSc options]

   1. Every --vary argument is split into its key and values. Values are separated by commas; a comma
      inside [...] or {...} (YAML lists and mappings), inside '...' or "..." (YAML strings), or
      written \, belongs to the value. Values are trimmed and passed to the case reader exactly as a
      --set value would be, so they may carry units ("30 um").
   2. Before anything runs, every point's case is read (the command line's --set list followed by the
      point's key=value pairs): rank 0 reads all of them, so the reader's messages appear once;
      the first point that does not read makes the sweep invalid (exit 1, nothing run).
   3. Point p runs on rank p % size alone (PETSC_COMM_SELF), with the command line's PETSc options
      plus its own case's solver.petsc_options (removed again after the point), writing DIR/point_<p>.h5 and
      DIR/point_<p>.csv, and prints one line when it ends.
   4. One fixed-size record per point is reduced to rank 0 (each slot is filled by its owner and zero
      elsewhere), which writes DIR/summary.csv and the closing line. */
#define _POSIX_C_SOURCE 200809L
#include "sweep.h"
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define SWEEP_STATUS_LEN  256
#define SWEEP_MAX_POINTS  1000000
#define SWEEP_MAX_PATH    4096
#define SWEEP_SUMMARY_CSV "summary.csv"

typedef struct {
  char  *arg;    /* the --vary argument */
  char  *key;    /* the case-file path, e.g. cell.separator.thickness */
  int    n;      /* number of values */
  char **values; /* as passed to the reader (trimmed, \, unescaped) */
} Vary;

/* The numbers of a point's record; R_STATE: 0 not run here, then one of the states below. */
enum { R_STATE,
       R_CAPACITY, /* A*h/m^2 */
       R_ENERGY,   /* Wh/m^2 */
       R_VMEAN,    /* V */
       R_TMAX,     /* K */
       R_CELL_KG,
       R_CELL_L,
       R_STACK_KG,
       R_STACK_L,
       R_WALL,
       R_N };
enum { S_COMPLETED = 1,
       S_TERMINATED,
       S_FAILED,
       S_INVALID };

/* Messages of the sweep itself go to stderr once, from rank 0 (every rank parses the same arguments). */
static int sweep_rank;

static void SweepError(const char *fmt, ...) PETSC_ATTRIBUTE_FORMAT(1, 2);
static void SweepError(const char *fmt, ...)
{
  va_list ap;
  if (sweep_rank) return;
  va_start(ap, fmt);
  fputs("ssbsim: sweep: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  fflush(stderr);
  va_end(ap);
}

static char *StrDup(const char *s, size_t n)
{
  char *d = (char *)malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

/* s[0..n) without leading and trailing blanks, as a new string. */
static char *Trimmed(const char *s, size_t n)
{
  while (n && (*s == ' ' || *s == '\t')) s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  return StrDup(s, n);
}

static void VaryFree(Vary *v)
{
  for (int i = 0; i < v->n; i++) free(v->values[i]);
  free(v->values);
  free(v->key);
  memset(v, 0, sizeof *v);
}

/* Split one --vary argument; prints the error and returns 1 when it is malformed. */
static int VaryParse(const char *arg, Vary *v)
{
  const char *eq = strchr(arg, '=');
  char       *buf;
  size_t      len, m = 0;
  int         depth = 0, quote = 0, cap = 0;
  memset(v, 0, sizeof *v);
  v->arg = (char *)arg;
  if (!eq) {
    SweepError("--vary %s: no '=' (the form is --vary key=v1,v2,...)", arg);
    return 1;
  }
  v->key = Trimmed(arg, (size_t)(eq - arg));
  if (!v->key || !v->key[0]) {
    SweepError("--vary %s: empty key", arg);
    return 1;
  }
  len = strlen(eq + 1);
  buf = (char *)malloc(len + 1);
  if (!buf) return 1;
  for (const char *s = eq + 1;; s++) {
    int end = !*s || (*s == ',' && !depth && !quote);
    if (end) {
      if (v->n == cap) {
        char **nv;
        cap = cap ? 2 * cap : 8;
        nv  = (char **)realloc(v->values, (size_t)cap * sizeof(char *));
        if (!nv) {
          free(buf);
          return 1;
        }
        v->values = nv;
      }
      v->values[v->n] = Trimmed(buf, m);
      if (!v->values[v->n]) {
        free(buf);
        return 1;
      }
      if (!v->values[v->n++][0]) {
        SweepError("--vary %s: value %d is empty", arg, v->n);
        free(buf);
        return 1;
      }
      m = 0;
      if (!*s) break;
      continue;
    }
    if (*s == '\\' && s[1] == ',') {
      buf[m++] = ',';
      s++;
      continue;
    }
    if (quote) {
      if (*s == quote) quote = 0;
    } else if (*s == '"' || *s == '\'')
      quote = *s;
    else if (*s == '[' || *s == '{')
      depth++;
    else if ((*s == ']' || *s == '}') && depth > 0)
      depth--;
    buf[m++] = *s;
  }
  free(buf);
  if (quote || depth) {
    SweepError("--vary %s: unbalanced %s", arg, quote ? "quote" : "bracket");
    return 1;
  }
  return 0;
}

/* The value index of every --vary at point p (row-major: the last --vary varies fastest). */
static void PointIndices(int nvary, const Vary *v, long p, int *idx)
{
  for (int j = nvary - 1; j >= 0; j--) {
    idx[j] = (int)(p % v[j].n);
    p /= v[j].n;
  }
}

/* The --set list of point p: the command line's, then "key=value" for every --vary (allocated in
   own[], freed by the caller). Returns 0, or 1 out of memory. */
static int PointSets(int nset, const char *const *sets, int nvary, const Vary *v, long p, const char **all, char **own)
{
  int idx[64];
  PointIndices(nvary, v, p, idx);
  for (int i = 0; i < nset; i++) all[i] = sets[i];
  for (int j = 0; j < nvary; j++) {
    size_t n = strlen(v[j].key) + strlen(v[j].values[idx[j]]) + 2;
    own[j]   = (char *)malloc(n);
    if (!own[j]) return 1;
    snprintf(own[j], n, "%s=%s", v[j].key, v[j].values[idx[j]]);
    all[nset + j] = own[j];
  }
  return 0;
}

static void PointLabel(int nvary, const Vary *v, long p, char *label, size_t len)
{
  int    idx[64];
  size_t k = 0;
  PointIndices(nvary, v, p, idx);
  label[0] = 0;
  for (int j = 0; j < nvary && k < len; j++) {
    int w = snprintf(label + k, len - k, "%s%s=%s", j ? ", " : "", v[j].key, v[j].values[idx[j]]);
    if (w < 0) break;
    k += (size_t)w;
  }
}

/* mkdir -p; 0 on success. */
static int MakeDirs(const char *path)
{
  char        buf[SWEEP_MAX_PATH];
  struct stat st;
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return -1;
  for (char *q = buf + 1; *q; q++) {
    if (*q != '/') continue;
    *q = 0;
    if (mkdir(buf, 0777) && errno != EEXIST) return -1;
    *q = '/';
  }
  if (mkdir(buf, 0777) && errno != EEXIST) return -1;
  return stat(buf, &st) || !S_ISDIR(st.st_mode) ? -1 : 0;
}

/* The hottest cell over the output rows (SsbSimCellTemperature). */
typedef struct {
  SsbSim sim;
  int    ncells;
  double tmax;
  void  *ifc; /* the space-charge records (SsbAppInterfaceRecords), NULL: none */
} TmaxMonitorCtx;

static void TmaxMonitor(void *ctx, double t, int step, const double *y, const double *yp)
{
  TmaxMonitorCtx *m = (TmaxMonitorCtx *)ctx;
  for (int k = 0; k < m->ncells; k++) {
    double T = SsbSimCellTemperature(m->sim, y, k);
    if (!(T <= m->tmax)) m->tmax = T;
  }
  if (m->ifc) SsbAppInterfaceMonitor(m->ifc, t, step, y, yp);
}

/* The option names of a case's solver.petsc_options that SsbAppInsertCaseOptions will add (those not
   set yet: not on the command line), tokenised as it does; cleared again after the point, so that
   every point sees the command line's options and its own case's only. */
static PetscErrorCode CaseOptionsAdded(const char *opts, int *n, char ***names)
{
  char *copy, *tok, *save = NULL;
  *n     = 0;
  *names = NULL;
  if (!opts || !opts[0]) return PETSC_SUCCESS;
  copy   = StrDup(opts, strlen(opts));
  *names = (char **)calloc(strlen(opts) / 2 + 1, sizeof(char *));
  if (!copy || !*names) {
    free(copy);
    return PETSC_ERR_MEM;
  }
  for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
    PetscBool has;
    if (tok[0] != '-' || (tok[1] >= '0' && tok[1] <= '9') || tok[1] == '.') continue;
    PetscCall(PetscOptionsHasName(NULL, NULL, tok, &has));
    if (!has) (*names)[(*n)++] = StrDup(tok, strlen(tok));
  }
  free(copy);
  return PETSC_SUCCESS;
}

/* Run one point on PETSC_COMM_SELF; fills its record r[R_N] and status text. Never stops the sweep:
   every error becomes a "failed: ..." or "invalid: ..." status. */
static void RunPoint(const SsbCase *c, const char *dir, long p, double *r, char *status)
{
  char           h5[SWEEP_MAX_PATH], csv[SWEEP_MAX_PATH] = "";
  double         t0     = MPI_Wtime();
  char         **added  = NULL;
  int            nadded = 0;
  SsbSim         sim    = NULL;
  SsbResults     res    = NULL;
  const char    *st     = NULL;
  PetscErrorCode ierr;

  for (int i = 0; i < R_N; i++) r[i] = NAN;
  r[R_STATE] = S_FAILED;
  snprintf(h5, sizeof h5, "%s/point_%ld.h5", dir, p);
  if (c->output.csv && c->output.csv[0]) snprintf(csv, sizeof csv, "%s/point_%ld.csv", dir, p);

  /* the command line's options, then the point's solver.petsc_options (never over the former) */
  ierr = CaseOptionsAdded(c->solver.petsc_options, &nadded, &added);
  if (!ierr) ierr = SsbAppInsertCaseOptions(c->solver.petsc_options);
  if (ierr) {
    snprintf(status, SWEEP_STATUS_LEN, "failed: the PETSc options could not be set");
    goto done;
  }
  ierr = SsbSimCreate(PETSC_COMM_SELF, c, &sim);
  if (ierr) {
    r[R_STATE] = S_INVALID;
    snprintf(status, SWEEP_STATUS_LEN, "invalid: the case could not be set up");
    goto done;
  }
  ierr = SsbResultsCreate(PETSC_COMM_SELF, h5, csv, c, c->stack.cells, 0, c->stack.cells, &res);
  if (!ierr) ierr = SsbAppWriteRunAttributes(c, sim, res);
  if (ierr) {
    snprintf(status, SWEEP_STATUS_LEN, "failed: cannot create the results file '%.200s'", h5);
    goto done;
  }
  {
    TmaxMonitorCtx   tm = {sim, c->stack.cells, NAN, NULL};
    SsbEnergyFigures fc, fs;
    double           E, Q;
    ierr = SsbAppInterfaceRecords(c, sim, res, &tm.ifc);
    if (!ierr) ierr = SsbSimSetMonitor(sim, TmaxMonitor, &tm);
    if (!ierr) ierr = SsbSimRun(sim, res, &st);
    if (!ierr) ierr = SsbSimSetMonitor(sim, NULL, NULL);
    if (!ierr) ierr = SsbAppInterfaceRecordsFree(&tm.ifc);
    if (ierr) {
      snprintf(status, SWEEP_STATUS_LEN, "failed: internal error");
      SsbResultsSetStatus(res, status);
      goto done;
    }
    snprintf(status, SWEEP_STATUS_LEN, "%s", st);
    r[R_STATE] = !strcmp(st, "completed") ? S_COMPLETED : (!strncmp(st, "terminated", 10) ? S_TERMINATED : S_FAILED);
    /* the delivered charge and energy (also of a failed run: up to the failure) */
    ierr = SsbAppDeliveredEnergy(c, sim, res, &E, &fc, &fs);
    if (!ierr) ierr = SsbSimGetBalance(sim, &Q, NULL, NULL);
    if (ierr) {
      r[R_STATE] = S_FAILED;
      snprintf(status, SWEEP_STATUS_LEN, "failed: internal error after the run");
      goto done;
    }
    r[R_CAPACITY] = Q / 3600.0;
    r[R_ENERGY]   = E / 3600.0;
    r[R_VMEAN]    = Q != 0 ? E / Q : NAN;
    r[R_TMAX]     = tm.tmax;
    r[R_CELL_KG]  = fc.wh_kg;
    r[R_CELL_L]   = fc.wh_l;
    r[R_STACK_KG] = fs.wh_kg;
    r[R_STACK_L]  = fs.wh_l;
  }
done:
  if (res) SsbResultsDestroy(&res);
  if (sim) SsbSimDestroy(&sim);
  /* the next point starts from the command line's options again */
  for (int i = 0; i < nadded; i++) {
    PetscOptionsClearValue(NULL, added[i]);
    free(added[i]);
  }
  free(added);
  r[R_WALL] = MPI_Wtime() - t0;
}

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void CsvField(FILE *f, const char *s)
{
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static const char *const summary_columns[] = {"delivered capacity [A*h/m^2]", "energy delivered [Wh/m^2]", "mean voltage [V]", "max temperature [K]", "energy density delivered cell [Wh/kg]", "energy density delivered cell [Wh/L]", "energy density delivered stack [Wh/kg]", "energy density delivered stack [Wh/L]", "wall time [s]"};

static int WriteSummary(const char *path, int nvary, const Vary *v, long npoints, const double *rec, const char *status)
{
  FILE *f = fopen(path, "w");
  int   idx[64];
  if (!f) return -1;
  fputs("point", f);
  for (int j = 0; j < nvary; j++) {
    fputc(',', f);
    CsvField(f, v[j].key);
  }
  fputs(",status", f);
  for (size_t k = 0; k < sizeof summary_columns / sizeof summary_columns[0]; k++) fprintf(f, ",%s", summary_columns[k]);
  fputc('\n', f);
  for (long p = 0; p < npoints; p++) {
    const double *r = rec + p * R_N;
    fprintf(f, "%ld", p);
    PointIndices(nvary, v, p, idx);
    for (int j = 0; j < nvary; j++) {
      fputc(',', f);
      CsvField(f, v[j].values[idx[j]]);
    }
    fputc(',', f);
    CsvField(f, status + p * SWEEP_STATUS_LEN);
    for (int k = R_CAPACITY; k < R_WALL; k++) fprintf(f, ",%.17g", r[k]);
    fprintf(f, ",%.4f", r[R_WALL]);
    fputc('\n', f);
  }
  return fclose(f) ? -1 : 0;
}

/* The output directory's default: sweep_<case file name without .yaml/.yml> in the current directory. */
static void DefaultDir(const char *casefile, char *dir, size_t len)
{
  const char *slash = strrchr(casefile, '/');
  size_t      n;
  snprintf(dir, len, "sweep_%s", slash ? slash + 1 : casefile);
  n = strlen(dir);
  if (n > 5 && !strcmp(dir + n - 5, ".yaml"))
    dir[n - 5] = 0;
  else if (n > 4 && !strcmp(dir + n - 4, ".yml"))
    dir[n - 4] = 0;
}

int SsbSweep(const char *casefile, int nset, const char *const *sets, int nvary, const char *const *varies, const char *outdir)
{
  PetscMPIInt    rank, size;
  Vary          *v       = NULL;
  SsbCase      **cases   = NULL;
  const char   **allsets = NULL;
  char         **own     = NULL;
  char          *status  = NULL, dir[SWEEP_MAX_PATH], summary[SWEEP_MAX_PATH + 32], label[1024];
  double        *rec     = NULL;
  long           npoints = 1, firstbad = LONG_MAX, mybad = LONG_MAX;
  int            exitcode = SSB_EXIT_OK, ok = 1, err = 0, ncounts[5] = {0, 0, 0, 0, 0};
  PetscErrorCode ierr;

  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  sweep_rank = rank;

  /* 1. the grid: the same on every rank */
  if (nvary > 64) {
    SweepError("at most 64 --vary arguments");
    return SSB_EXIT_INPUT;
  }
  v = (Vary *)calloc((size_t)nvary + 1, sizeof(Vary));
  if (!v) return SSB_EXIT_IO;
  for (int j = 0; j < nvary && exitcode == SSB_EXIT_OK; j++) {
    if (VaryParse(varies[j], &v[j])) {
      exitcode = SSB_EXIT_INPUT;
      break;
    }
    for (int i = 0; i < j; i++)
      if (!strcmp(v[i].key, v[j].key)) {
        SweepError("--vary %s: the key %s is varied twice", varies[j], v[j].key);
        exitcode = SSB_EXIT_INPUT;
      }
    npoints *= v[j].n;
    if (npoints > SWEEP_MAX_POINTS) {
      SweepError("more than %d points", SWEEP_MAX_POINTS);
      exitcode = SSB_EXIT_INPUT;
    }
  }
  if (exitcode != SSB_EXIT_OK) goto finish;
  if (outdir && outdir[0])
    snprintf(dir, sizeof dir, "%s", outdir);
  else
    DefaultDir(casefile, dir, sizeof dir);

  /* 2. every point's case must read before anything runs; rank 0 reads them all (and prints the
     reader's messages), every rank keeps the cases of its own points */
  cases   = (SsbCase **)calloc((size_t)npoints, sizeof(SsbCase *));
  allsets = (const char **)calloc((size_t)(nset + nvary + 1), sizeof(char *));
  own     = (char **)calloc((size_t)nvary + 1, sizeof(char *));
  rec     = (double *)calloc((size_t)npoints * R_N, sizeof(double));
  status  = (char *)calloc((size_t)npoints, SWEEP_STATUS_LEN);
  if (!cases || !allsets || !own || !rec || !status) {
    SweepError("out of memory for %ld points", npoints);
    exitcode = SSB_EXIT_IO;
    goto finish;
  }
  for (long p = 0; p < npoints; p++) {
    int mine = p % size == rank;
    if (rank && !mine) continue;
    ok = !PointSets(nset, sets, nvary, v, p, allsets, own);
    if (ok) {
      PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
      ierr = SsbCaseRead(casefile, nset + nvary, allsets, &cases[p]);
      PetscPopErrorHandler();
      ok = !ierr;
    }
    for (int j = 0; j < nvary; j++) {
      free(own[j]);
      own[j] = NULL;
    }
    if (!ok) {
      mybad = p;
      break;
    }
    if (!mine) SsbCaseDestroy(&cases[p]);
  }
  MPI_Allreduce(&mybad, &firstbad, 1, MPI_LONG, MPI_MIN, PETSC_COMM_WORLD);
  if (firstbad != LONG_MAX) {
    PointLabel(nvary, v, firstbad, label, sizeof label);
    SweepError("point %ld (%s) is invalid%s; nothing was run", firstbad, label, mybad == firstbad ? "" : " (its case did not read on another rank)");
    exitcode = SSB_EXIT_INPUT;
    goto finish;
  }

  /* the output directory */
  ok  = rank || !MakeDirs(dir);
  err = errno;
  MPI_Bcast(&ok, 1, MPI_INT, 0, PETSC_COMM_WORLD);
  if (!ok) {
    SweepError("cannot create the output directory '%s': %s", dir, strerror(err));
    exitcode = SSB_EXIT_IO;
    goto finish;
  }
  if (!rank) {
    printf("ssbsim sweep: %s, %ld point%s on %d rank%s, results in %s/\n", casefile, npoints, npoints == 1 ? "" : "s", size, size == 1 ? "" : "s", dir);
    fflush(stdout);
  }

  /* 3. this rank's points */
  for (long p = rank; p < npoints; p += size) {
    double *r  = rec + p * R_N;
    char   *st = status + p * SWEEP_STATUS_LEN;
    RunPoint(cases[p], dir, p, r, st);
    SsbCaseDestroy(&cases[p]);
    PointLabel(nvary, v, p, label, sizeof label);
    printf("point %ld [%s]: %s; %.6g A*h/m^2, %.6g Wh/m^2, mean %.5g V, T max %.2f K, %.4g Wh/kg, %.4g Wh/L (cell), %.2f s on rank %d\n", p, label, st, r[R_CAPACITY], r[R_ENERGY], r[R_VMEAN], r[R_TMAX], r[R_CELL_KG], r[R_CELL_L], r[R_WALL], rank);
    fflush(stdout);
  }

  /* 4. gather the records (each slot is nonzero only on its owner) and write the summary */
  if (size > 1) {
    MPI_Reduce(rank ? rec : MPI_IN_PLACE, rec, (int)(npoints * R_N), MPI_DOUBLE, MPI_SUM, 0, PETSC_COMM_WORLD);
    MPI_Reduce(rank ? status : MPI_IN_PLACE, status, (int)(npoints * SWEEP_STATUS_LEN), MPI_UNSIGNED_CHAR, MPI_MAX, 0, PETSC_COMM_WORLD);
  }
  if (!rank) {
    snprintf(summary, sizeof summary, "%s/%s", dir, SWEEP_SUMMARY_CSV);
    for (long p = 0; p < npoints; p++) {
      int s = (int)rec[p * R_N + R_STATE];
      ncounts[s >= 1 && s <= 4 ? s : 0]++;
    }
    exitcode = ncounts[S_FAILED] + ncounts[S_INVALID] + ncounts[0] ? SSB_EXIT_SOLVER : SSB_EXIT_OK;
    if (WriteSummary(summary, nvary, v, npoints, rec, status)) {
      SweepError("cannot write the summary '%s': %s", summary, strerror(errno));
      exitcode = SSB_EXIT_IO;
    }
    printf("sweep: %ld point%s: %d completed, %d terminated, %d failed, %d invalid; summary %s\n", npoints, npoints == 1 ? "" : "s", ncounts[S_COMPLETED], ncounts[S_TERMINATED], ncounts[S_FAILED] + ncounts[0], ncounts[S_INVALID], summary);
    fflush(stdout);
  }
  MPI_Bcast(&exitcode, 1, MPI_INT, 0, PETSC_COMM_WORLD);

finish:
  if (cases)
    for (long p = 0; p < npoints; p++) SsbCaseDestroy(&cases[p]);
  for (int j = 0; j < nvary; j++) VaryFree(&v[j]);
  free(v);
  free(cases);
  free(allsets);
  free(own);
  free(rec);
  free(status);
  return exitcode;
}
