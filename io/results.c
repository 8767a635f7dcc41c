/* results.c -- the HDF5 results file and CSV summary of a run (interface.md "Results", docs/results.md).

   The file is opened with the MPI-IO driver on the caller's communicator; every function is
   collective. Time series live in 1D datasets /stack/<name> [T] and 2D datasets /cells/<name> [T, N],
   chunked with an unlimited first dimension: each append extends every dataset by one row
   (collective metadata operation), writes it (stack values from rank 0, per-cell values from each
   rank's hyperslab of cells, collective transfer) and flushes the file, so a run that dies keeps the
   rows written so far. Profiles [P, n] (rank 0 data), the /steps table and attributes work the same
   way. Strings in datasets are fixed-length (SSB_RESULTS_STRLEN bytes, NUL-terminated) because
   parallel HDF5 cannot write variable-length data collectively; string attributes are
   variable-length UTF-8 (metadata, written identically by every rank: values are broadcast from
   rank 0 first). Files use the HDF5 1.8 object format so that large attributes (the case text) go to
   dense storage; HDF5 >= 1.8 reads them. Units: SI as in the dataset `units` attributes. */
#include <ssbsim/ssb_results.h>
#include <ssbsim/ssb_version.h>
#include <hdf5.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SSB_RESULTS_STRLEN 256 /* bytes of a fixed-length string in /steps, including the NUL */

#define SSB_SIGN_CONVENTION \
  "discharge current positive; cell voltage = phi_s(positive collector) - phi_s(negative collector); j > 0 is Li leaving the solid (anodic)"

enum { SSB_STACK_TIME = 0,
       SSB_STACK_CURRENT_DENSITY,
       SSB_STACK_CURRENT,
       SSB_STACK_VOLTAGE,
       SSB_STACK_CAPACITY,
       SSB_STACK_TEMPERATURE_MAX,
       SSB_STACK_HEAT_RATE,
       SSB_STACK_HEAT_PLATES,
       SSB_STACK_STEP,
       SSB_NSTACK };
enum { SSB_CELLS_VOLTAGE = 0,
       SSB_CELLS_TEMPERATURE,
       SSB_CELLS_SOC,
       SSB_CELLS_HEAT_OHMIC,
       SSB_CELLS_HEAT_REACTION,
       SSB_CELLS_HEAT_REVERSIBLE,
       SSB_CELLS_HEAT_CONTACT,
       SSB_NCELLS_DS };
enum { SSB_STEPS_TABLE = 0,
       SSB_STEPS_INDEX,
       SSB_STEPS_CYCLE,
       SSB_STEPS_TEXT,
       SSB_STEPS_START,
       SSB_STEPS_END,
       SSB_STEPS_REASON,
       SSB_NSTEPS_DS };

typedef struct {
  const char *name, *units, *description;
} SsbDatasetInfo;

static const SsbDatasetInfo ssb_stack_info[SSB_NSTACK] = {
  {"/stack/time", "s", "output time"},
  {"/stack/current_density", "A/m^2", "stack current per electrode area, positive on discharge"},
  {"/stack/current", "A", "stack current (current density times electrode area), positive on discharge"},
  {"/stack/voltage", "V", "stack terminal voltage"},
  {"/stack/capacity", "A*h/m^2", "charge passed since the start per electrode area, positive when discharged"},
  {"/stack/temperature_max", "K", "temperature of the hottest point in the stack"},
  {"/stack/heat_rate", "W/m^2", "total heat generation rate of the stack per electrode area (the cells' heat of every kind and the plates')"},
  {"/stack/heat_plates", "W/m^2", "Joule heat of the bipolar plates, end collectors and their contacts, I^2 R, per electrode area"},
  {"/stack/step", "1", "index of the experiment step (0-based, counting through cycles)"},
};

static const SsbDatasetInfo ssb_cells_info[SSB_NCELLS_DS] = {
  {"/cells/voltage", "V", "voltage of each cell [time, cell]"},
  {"/cells/temperature", "K", "mean temperature of each cell [time, cell]"},
  {"/cells/soc", "1", "state of charge of each cell [time, cell]"},
  {"/cells/heat_ohmic", "W/m^2", "Joule heat of each cell: ionic and electronic currents in electrolyte, solid phases and dense films, and the electronic leakage [time, cell]"},
  {"/cells/heat_reaction", "W/m^2", "irreversible reaction heat of each cell: reaction current times overpotential (incl. film) at every interface [time, cell]"},
  {"/cells/heat_reversible", "W/m^2", "reversible (entropic) heat of each cell, i_n T dU/dT summed over its interfaces [time, cell]"},
  {"/cells/heat_contact", "W/m^2", "Joule heat of each cell's series (contact) resistance, I^2 R [time, cell]"},
};

/* One row of /steps/table in memory. */
typedef struct {
  int    index, cycle;
  char   text[SSB_RESULTS_STRLEN];
  double start_time, end_time; /* s */
  char   reason[SSB_RESULTS_STRLEN];
} SsbStepRecord;

typedef struct {
  hid_t   dset;
  hsize_t n;    /* points per profile */
  char   *path; /* for messages */
} SsbProfile;

struct SsbResults_ {
  MPI_Comm    comm; /* duplicate of the caller's communicator */
  PetscMPIInt rank, size;
  char       *path, *csv_path;
  FILE       *csv; /* rank 0 only */
  hid_t       file, dxpl, str_type, step_type;
  int         ncells, cell_start, ncells_local;
  double     *nan_cells; /* [4 ncells_local] NaN: a row without the heat by kind */
  hsize_t     nrows, nprofile_times, nsteps;
  hid_t       stack[SSB_NSTACK], cells[SSB_NCELLS_DS], steps[SSB_NSTEPS_DS];
  hid_t       profile_time; /* /profiles/time, H5I_INVALID_HID until the first profile */
  int         nprofiles, profiles_cap;
  SsbProfile *profiles;
  /* further per-cell records /cells/<name> (SsbResultsDefineCellRecord): compound datasets of
     nfields doubles; staged values [ncells_local][nfields] each */
  int     nseries;
  hid_t   series[SSB_RESULTS_MAX_SERIES], series_mtype[SSB_RESULTS_MAX_SERIES];
  int     series_nfields[SSB_RESULTS_MAX_SERIES];
  char   *series_name[SSB_RESULTS_MAX_SERIES];
  double *series_buf[SSB_RESULTS_MAX_SERIES];
  /* rows appended but not yet written (SsbResultsSync): bn of at most bcap; each dataset's rows
     contiguous: bstack[i][j], bstep[j], bcells[i][j][ncells_local], bseries[k][j][ncells_local][nfields] */
  int     bn, bcap;
  double *bstack[SSB_STACK_STEP], *bcells[SSB_NCELLS_DS], *bseries[SSB_RESULTS_MAX_SERIES];
  int    *bstep;
  double  t_sync;  /* MPI_Wtime of the last write to the file */
  int     csv_bad; /* rank 0: a CSV row could not be written (reported at the next sync) */
};

/* Rows are buffered; the buffered rows are written and the file (HDF5 and CSV) flushed when a second
   of wall time has passed since the last flush (checked at every row, profile, step and attribute),
   when the buffer is full, before a checkpoint and when the file is closed. Profiles, steps and
   attributes are written at once, flushed with the rows. Until 22 Nov 2026 every row was written
   dataset by dataset and the file flushed (an fsync) at every row, profile and step: 1.06 s of the
   quick start's 1.13 s (the solve: 20 ms). A run killed outright (SIGKILL) loses at most the last
   second's rows; SIGTERM and SIGINT end the run cleanly (checkpoint, rows written). */
#define SSB_RESULTS_SYNC_SECONDS 1.0

/* HDF5's own message for the innermost error on the default stack. */
typedef struct {
  char  *buf;
  size_t len;
  int    found;
} SsbH5ErrorBuf;

static herr_t SsbH5ErrorWalk(unsigned n, const H5E_error2_t *err, void *ctx)
{
  SsbH5ErrorBuf *e          = (SsbH5ErrorBuf *)ctx;
  char           minor[128] = "";

  if (e->found) return 0;
  e->found = 1;
  if (H5Eget_msg(err->min_num, NULL, minor, sizeof minor) < 0) minor[0] = '\0';
  snprintf(e->buf, e->len, "%s in %s(): %s", err->desc ? err->desc : "(no description)", err->func_name ? err->func_name : "?", minor);
  return 0;
}

static const char *SsbH5ErrorText(char *buf, size_t len)
{
  SsbH5ErrorBuf e = {buf, len, 0};

  snprintf(buf, len, "no HDF5 error message");
  (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, SsbH5ErrorWalk, &e);
  return buf;
}

/* Check an HDF5 result (negative = failure); the message names the file, the operation and the
   object, and HDF5's own reason. Always at least one argument after fmt. */
#define SSB_H5_CHECK(r, ok, code, fmt, ...)                                                                                                                  \
  do {                                                                                                                                                       \
    if (!(ok)) {                                                                                                                                             \
      char ssb_h5_msg_[512];                                                                                                                                 \
      SETERRQ(PETSC_COMM_SELF, code, "Results file %s: " fmt " failed (HDF5: %s)", (r)->path, __VA_ARGS__, SsbH5ErrorText(ssb_h5_msg_, sizeof ssb_h5_msg_)); \
    }                                                                                                                                                        \
  } while (0)

/* Same string on every rank: rank 0's value is broadcast. *out is PetscMalloc'ed. */
static PetscErrorCode SsbBcastString(MPI_Comm comm, PetscMPIInt rank, const char *in, char **out)
{
  unsigned long long len = 0;

  PetscFunctionBegin;
  if (rank == 0) len = in ? (unsigned long long)strlen(in) : 0;
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, 0, comm));
  PetscCall(PetscMalloc1((size_t)len + 1, out));
  if (rank == 0 && len) PetscCall(PetscMemcpy(*out, in, (size_t)len));
  (*out)[len] = '\0';
  if (len) {
    /* MPI counts are int: broadcast in pieces so a huge case text is not a problem */
    unsigned long long off = 0;
    while (off < len) {
      unsigned long long piece = len - off > (1ULL << 30) ? (1ULL << 30) : len - off;
      PetscCallMPI(MPI_Bcast(*out + off, (int)piece, MPI_CHAR, 0, comm));
      off += piece;
    }
  }
  PetscFunctionReturn(0);
}

/* Open the object at path (NULL or "/" = the root group). */
static PetscErrorCode SsbResultsOpenObject(SsbResults r, const char *path, hid_t *obj)
{
  PetscFunctionBegin;
  *obj = H5Oopen(r->file, (path && path[0]) ? path : "/", H5P_DEFAULT);
  SSB_H5_CHECK(r, *obj >= 0, PETSC_ERR_FILE_WRITE, "opening object %s", (path && path[0]) ? path : "/");
  PetscFunctionReturn(0);
}

/* Remove an attribute of that name if it exists, so that it can be written anew with any type. */
static PetscErrorCode SsbResultsDeleteAttribute(SsbResults r, hid_t obj, const char *name)
{
  htri_t exists;

  PetscFunctionBegin;
  exists = H5Aexists(obj, name);
  SSB_H5_CHECK(r, exists >= 0, PETSC_ERR_FILE_WRITE, "checking attribute %s", name);
  if (exists) SSB_H5_CHECK(r, H5Adelete(obj, name) >= 0, PETSC_ERR_FILE_WRITE, "deleting attribute %s", name);
  PetscFunctionReturn(0);
}

/* String attribute (variable-length UTF-8) on an open object; value as given (identical on all ranks). */
static PetscErrorCode SsbResultsWriteStringAttr(SsbResults r, hid_t obj, const char *name, const char *value)
{
  hid_t       type, space, attr;
  const char *v = value ? value : "";

  PetscFunctionBegin;
  PetscCall(SsbResultsDeleteAttribute(r, obj, name));
  type = H5Tcopy(H5T_C_S1);
  SSB_H5_CHECK(r, type >= 0, PETSC_ERR_FILE_WRITE, "creating string type for attribute %s", name);
  SSB_H5_CHECK(r, H5Tset_size(type, H5T_VARIABLE) >= 0 && H5Tset_cset(type, H5T_CSET_UTF8) >= 0, PETSC_ERR_FILE_WRITE, "creating string type for attribute %s", name);
  space = H5Screate(H5S_SCALAR);
  SSB_H5_CHECK(r, space >= 0, PETSC_ERR_FILE_WRITE, "creating dataspace for attribute %s", name);
  attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  SSB_H5_CHECK(r, attr >= 0, PETSC_ERR_FILE_WRITE, "creating attribute %s", name);
  SSB_H5_CHECK(r, H5Awrite(attr, type, &v) >= 0, PETSC_ERR_FILE_WRITE, "writing attribute %s", name);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  PetscFunctionReturn(0);
}

/* Numeric scalar attribute of the given memory type (stored as the matching standard type). */
static PetscErrorCode SsbResultsWriteNumberAttr(SsbResults r, hid_t obj, const char *name, hid_t file_type, hid_t mem_type, const void *value)
{
  hid_t space, attr;

  PetscFunctionBegin;
  PetscCall(SsbResultsDeleteAttribute(r, obj, name));
  space = H5Screate(H5S_SCALAR);
  SSB_H5_CHECK(r, space >= 0, PETSC_ERR_FILE_WRITE, "creating dataspace for attribute %s", name);
  attr = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
  SSB_H5_CHECK(r, attr >= 0, PETSC_ERR_FILE_WRITE, "creating attribute %s", name);
  SSB_H5_CHECK(r, H5Awrite(attr, mem_type, value) >= 0, PETSC_ERR_FILE_WRITE, "writing attribute %s", name);
  H5Aclose(attr);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

/* units and description attributes of a dataset. */
static PetscErrorCode SsbResultsDescribe(SsbResults r, hid_t dset, const char *units, const char *description)
{
  PetscFunctionBegin;
  PetscCall(SsbResultsWriteStringAttr(r, dset, "units", units ? units : "1"));
  PetscCall(SsbResultsWriteStringAttr(r, dset, "description", description ? description : ""));
  PetscFunctionReturn(0);
}

/* An extensible dataset: rank 1 [0] or rank 2 [0, ncols], unlimited first dimension, chunked. Parent
   groups are created. Doubles are filled with NaN so that a missing write is visible. */
static PetscErrorCode SsbResultsCreateExtensible(SsbResults r, const char *path, hid_t type, int rank2, hsize_t ncols, hid_t *dset)
{
  hsize_t dims[2] = {0, ncols}, maxdims[2] = {H5S_UNLIMITED, ncols}, chunk[2];
  hid_t   space, dcpl, lcpl;
  double  nan = (double)NAN;

  PetscFunctionBegin;
  if (rank2) {
    PetscCheck(ncols >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Results file %s: dataset %s needs at least one column", r->path, path);
    /* about 64 KiB of doubles per chunk, but whole rows, at most 1024 of them */
    chunk[1] = ncols > 65536 ? 65536 : ncols;
    chunk[0] = 8192 / chunk[1];
    if (chunk[0] < 1) chunk[0] = 1;
    if (chunk[0] > 1024) chunk[0] = 1024;
  } else
    chunk[0] = 1024;
  space = H5Screate_simple(rank2 ? 2 : 1, dims, maxdims);
  SSB_H5_CHECK(r, space >= 0, PETSC_ERR_FILE_WRITE, "creating dataspace for %s", path);
  dcpl = H5Pcreate(H5P_DATASET_CREATE);
  SSB_H5_CHECK(r, dcpl >= 0 && H5Pset_chunk(dcpl, rank2 ? 2 : 1, chunk) >= 0, PETSC_ERR_FILE_WRITE, "setting chunks of %s", path);
  if (H5Tequal(type, H5T_NATIVE_DOUBLE) > 0) SSB_H5_CHECK(r, H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan) >= 0, PETSC_ERR_FILE_WRITE, "setting the fill value of %s", path);
  lcpl = H5Pcreate(H5P_LINK_CREATE);
  SSB_H5_CHECK(r, lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0, PETSC_ERR_FILE_WRITE, "creating the groups of %s", path);
  *dset = H5Dcreate2(r->file, path, type, space, lcpl, dcpl, H5P_DEFAULT);
  SSB_H5_CHECK(r, *dset >= 0, PETSC_ERR_FILE_WRITE, "creating dataset %s", path);
  H5Pclose(lcpl);
  H5Pclose(dcpl);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

/* Extend dset to row0 + nrows rows (collective) and write rows [row0, row0 + nrows), columns
   [col0, col0 + ncols) of a 2D dataset (a 1D dataset: width 1, ncols 1 or 0); buf holds the rows
   contiguously. ncols = 0 selects nothing on this rank. */
static PetscErrorCode SsbResultsWriteRows(SsbResults r, hid_t dset, hsize_t width, hsize_t row0, hsize_t nrows, hsize_t col0, hsize_t ncols, hid_t mem_type, const void *buf, const char *name)
{
  hsize_t     size[2] = {row0 + nrows, width}, start[2] = {row0, col0}, count[2] = {nrows, ncols}, mcount = ncols ? nrows * ncols : 1;
  hid_t       fspace, mspace;
  const void *b     = buf;
  double      dummy = 0;

  PetscFunctionBegin;
  SSB_H5_CHECK(r, H5Dset_extent(dset, size) >= 0, PETSC_ERR_FILE_WRITE, "extending dataset %s", name);
  fspace = H5Dget_space(dset);
  SSB_H5_CHECK(r, fspace >= 0, PETSC_ERR_FILE_WRITE, "getting the dataspace of %s", name);
  mspace = H5Screate_simple(1, &mcount, NULL);
  SSB_H5_CHECK(r, mspace >= 0, PETSC_ERR_FILE_WRITE, "creating a memory dataspace for %s", name);
  if (ncols) {
    SSB_H5_CHECK(r, H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0, PETSC_ERR_FILE_WRITE, "selecting rows of %s", name);
  } else {
    SSB_H5_CHECK(r, H5Sselect_none(fspace) >= 0 && H5Sselect_none(mspace) >= 0, PETSC_ERR_FILE_WRITE, "selecting nothing in %s", name);
    b = &dummy;
  }
  SSB_H5_CHECK(r, H5Dwrite(dset, mem_type, mspace, fspace, r->dxpl, b) >= 0, PETSC_ERR_FILE_WRITE, "writing dataset %s", name);
  H5Sclose(mspace);
  H5Sclose(fspace);
  PetscFunctionReturn(0);
}

static PetscErrorCode SsbResultsFlush(SsbResults r)
{
  PetscFunctionBegin;
  SSB_H5_CHECK(r, H5Fflush(r->file, H5F_SCOPE_GLOBAL) >= 0, PETSC_ERR_FILE_WRITE, "flushing %s", "the file");
  PetscFunctionReturn(0);
}

/* A rank-0-only CSV failure becomes an error on every rank, so that no rank waits in a collective
   HDF5 call for the others. */
static PetscErrorCode SsbResultsCsvStatus(SsbResults r, int ok, const char *what)
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, r->comm));
  PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "CSV summary %s: %s failed", r->csv_path, what);
  PetscFunctionReturn(0);
}

static PetscErrorCode SsbResultsCreateSteps(SsbResults r)
{
  static const SsbDatasetInfo info[SSB_NSTEPS_DS] = {
    {"/steps/table", "", "one record per executed experiment step: index, cycle, text, start_time [s], end_time [s], reason"},
    {"/steps/index", "1", "experiment step index (0-based, counting through cycles)"},
    {"/steps/cycle", "1", "cycle number (0-based)"},
    {"/steps/text", "", "the step as written in the case file"},
    {"/steps/start_time", "s", "time the step started"},
    {"/steps/end_time", "s", "time the step ended"},
    {"/steps/reason", "", "why the step ended"},
  };
  hid_t file_type;

  PetscFunctionBegin;
  r->str_type = H5Tcopy(H5T_C_S1);
  SSB_H5_CHECK(r, r->str_type >= 0, PETSC_ERR_FILE_WRITE, "creating the %s string type", "steps");
  SSB_H5_CHECK(r, H5Tset_size(r->str_type, SSB_RESULTS_STRLEN) >= 0 && H5Tset_strpad(r->str_type, H5T_STR_NULLTERM) >= 0 && H5Tset_cset(r->str_type, H5T_CSET_UTF8) >= 0, PETSC_ERR_FILE_WRITE, "creating the %s string type", "steps");
  r->step_type = H5Tcreate(H5T_COMPOUND, sizeof(SsbStepRecord));
  SSB_H5_CHECK(r, r->step_type >= 0, PETSC_ERR_FILE_WRITE, "creating the %s compound type", "steps");
  SSB_H5_CHECK(r,
               H5Tinsert(r->step_type, "index", HOFFSET(SsbStepRecord, index), H5T_NATIVE_INT) >= 0 && H5Tinsert(r->step_type, "cycle", HOFFSET(SsbStepRecord, cycle), H5T_NATIVE_INT) >= 0 &&
                 H5Tinsert(r->step_type, "text", HOFFSET(SsbStepRecord, text), r->str_type) >= 0 && H5Tinsert(r->step_type, "start_time", HOFFSET(SsbStepRecord, start_time), H5T_NATIVE_DOUBLE) >= 0 &&
                 H5Tinsert(r->step_type, "end_time", HOFFSET(SsbStepRecord, end_time), H5T_NATIVE_DOUBLE) >= 0 && H5Tinsert(r->step_type, "reason", HOFFSET(SsbStepRecord, reason), r->str_type) >= 0,
               PETSC_ERR_FILE_WRITE, "creating the %s compound type", "steps");
  file_type = H5Tcopy(r->step_type);
  SSB_H5_CHECK(r, file_type >= 0 && H5Tpack(file_type) >= 0, PETSC_ERR_FILE_WRITE, "creating the %s compound type", "steps");
  PetscCall(SsbResultsCreateExtensible(r, info[SSB_STEPS_TABLE].name, file_type, 0, 1, &r->steps[SSB_STEPS_TABLE]));
  H5Tclose(file_type);
  PetscCall(SsbResultsCreateExtensible(r, info[SSB_STEPS_INDEX].name, H5T_STD_I32LE, 0, 1, &r->steps[SSB_STEPS_INDEX]));
  PetscCall(SsbResultsCreateExtensible(r, info[SSB_STEPS_CYCLE].name, H5T_STD_I32LE, 0, 1, &r->steps[SSB_STEPS_CYCLE]));
  PetscCall(SsbResultsCreateExtensible(r, info[SSB_STEPS_TEXT].name, r->str_type, 0, 1, &r->steps[SSB_STEPS_TEXT]));
  PetscCall(SsbResultsCreateExtensible(r, info[SSB_STEPS_START].name, H5T_IEEE_F64LE, 0, 1, &r->steps[SSB_STEPS_START]));
  PetscCall(SsbResultsCreateExtensible(r, info[SSB_STEPS_END].name, H5T_IEEE_F64LE, 0, 1, &r->steps[SSB_STEPS_END]));
  PetscCall(SsbResultsCreateExtensible(r, info[SSB_STEPS_REASON].name, r->str_type, 0, 1, &r->steps[SSB_STEPS_REASON]));
  for (int i = 0; i < SSB_NSTEPS_DS; i++) PetscCall(SsbResultsDescribe(r, r->steps[i], info[i].units, info[i].description));
  PetscFunctionReturn(0);
}

static PetscErrorCode SsbResultsWriteFileAttributes(SsbResults r, const SsbCase *c)
{
  char *text, *title, created[32] = "", *created_all;
  int   nranks = (int)r->size, threads = omp_get_max_threads();
  hid_t root;

  PetscFunctionBegin;
  if (r->rank == 0) {
    time_t     now = time(NULL);
    struct tm *utc = gmtime(&now);
    if (utc) strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", utc);
  }
  PetscCall(SsbBcastString(r->comm, r->rank, c ? c->text : NULL, &text));
  PetscCall(SsbBcastString(r->comm, r->rank, c ? c->title : NULL, &title));
  PetscCall(SsbBcastString(r->comm, r->rank, created, &created_all));
  PetscCallMPI(MPI_Bcast(&threads, 1, MPI_INT, 0, r->comm));
  PetscCall(SsbResultsOpenObject(r, "/", &root));
  PetscCall(SsbResultsWriteStringAttr(r, root, "case", text));
  PetscCall(SsbResultsWriteStringAttr(r, root, "version", SSB_VERSION));
  PetscCall(SsbResultsWriteStringAttr(r, root, "sign_convention", SSB_SIGN_CONVENTION));
  PetscCall(SsbResultsWriteNumberAttr(r, root, "mpi_ranks", H5T_STD_I32LE, H5T_NATIVE_INT, &nranks));
  PetscCall(SsbResultsWriteNumberAttr(r, root, "threads", H5T_STD_I32LE, H5T_NATIVE_INT, &threads));
  PetscCall(SsbResultsWriteStringAttr(r, root, "title", title));
  PetscCall(SsbResultsWriteStringAttr(r, root, "created", created_all));
  PetscCall(SsbResultsWriteStringAttr(r, root, "status", "running"));
  PetscCall(SsbResultsWriteNumberAttr(r, root, "ncells", H5T_STD_I32LE, H5T_NATIVE_INT, &r->ncells));
  H5Oclose(root);
  PetscCall(PetscFree(text));
  PetscCall(PetscFree(title));
  PetscCall(PetscFree(created_all));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsCreate(MPI_Comm comm, const char *path, const char *csv, const SsbCase *c, int ncells, int cell_start, int ncells_local, SsbResults *out)
{
  SsbResults r;
  hid_t      fapl;
  int        sum = ncells_local, bad = 0, ok = 1;

  PetscFunctionBegin;
  PetscCheck(out, comm, PETSC_ERR_ARG_NULL, "SsbResultsCreate: NULL output handle");
  *out = NULL;
  PetscCheck(path && path[0], comm, PETSC_ERR_ARG_NULL, "Results file: no path given");
  PetscCheck(ncells >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "Results file %s: ncells = %d, need at least one cell", path, ncells);
  bad = cell_start < 0 || ncells_local < 0 || cell_start + ncells_local > ncells;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm));
  PetscCheck(!bad, comm, PETSC_ERR_ARG_OUTOFRANGE, "Results file %s: a rank's cell block [cell_start, cell_start + ncells_local) lies outside [0, %d)", path, ncells);
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_INT, MPI_SUM, comm));
  PetscCheck(sum == ncells, comm, PETSC_ERR_ARG_SIZ, "Results file %s: the ranks own %d cells in total, expected ncells = %d", path, sum, ncells);

  PetscCall(PetscNew(&r));
  r->file = r->dxpl = r->str_type = r->step_type = r->profile_time = H5I_INVALID_HID;
  for (int i = 0; i < SSB_NSTACK; i++) r->stack[i] = H5I_INVALID_HID;
  for (int i = 0; i < SSB_NCELLS_DS; i++) r->cells[i] = H5I_INVALID_HID;
  for (int i = 0; i < SSB_NSTEPS_DS; i++) r->steps[i] = H5I_INVALID_HID;
  r->ncells       = ncells;
  r->cell_start   = cell_start;
  r->ncells_local = ncells_local;
  PetscCall(PetscMalloc1(4 * ncells_local + 1, &r->nan_cells));
  for (int i = 0; i < 4 * ncells_local + 1; i++) r->nan_cells[i] = NAN;
  PetscCallMPI(MPI_Comm_dup(comm, &r->comm));
  PetscCallMPI(MPI_Comm_rank(r->comm, &r->rank));
  PetscCallMPI(MPI_Comm_size(r->comm, &r->size));
  PetscCall(PetscStrallocpy(path, &r->path));
  *out = r; /* from here on, SsbResultsDestroy cleans up after an error */

  /* the CSV first: rank 0 alone can fail, and every rank must learn it */
  if (csv && csv[0]) {
    PetscCall(PetscStrallocpy(csv, &r->csv_path));
    if (r->rank == 0) {
      r->csv = fopen(csv, "w");
      ok     = r->csv && fprintf(r->csv, "time [s],current [A/m^2],voltage [V],capacity [A*h/m^2],temperature max [K],step\n") > 0 && fflush(r->csv) == 0;
    }
    PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, r->comm));
    PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot create the CSV summary %s", csv);
  }

  /* HDF5 would print its error stack on every rank; the messages here say what failed instead */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  fapl = H5Pcreate(H5P_FILE_ACCESS);
  SSB_H5_CHECK(r, fapl >= 0, PETSC_ERR_FILE_OPEN, "creating %s", "the file access property list");
  SSB_H5_CHECK(r, H5Pset_fapl_mpio(fapl, r->comm, MPI_INFO_NULL) >= 0, PETSC_ERR_FILE_OPEN, "%s", "selecting the MPI-IO driver");
  SSB_H5_CHECK(r, H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) >= 0, PETSC_ERR_FILE_OPEN, "%s", "selecting the HDF5 1.8 file format");
  r->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (r->file < 0) {
    char msg[512];
    SsbH5ErrorText(msg, sizeof msg); /* before any other HDF5 call clears the error stack */
    H5Pclose(fapl);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot create the results file %s (HDF5: %s)", path, msg);
  }
  H5Pclose(fapl);
  r->dxpl = H5Pcreate(H5P_DATASET_XFER);
  SSB_H5_CHECK(r, r->dxpl >= 0 && H5Pset_dxpl_mpio(r->dxpl, H5FD_MPIO_COLLECTIVE) >= 0, PETSC_ERR_FILE_WRITE, "%s", "setting collective transfers");

  PetscCall(SsbResultsWriteFileAttributes(r, c));
  for (int i = 0; i < SSB_NSTACK; i++) {
    PetscCall(SsbResultsCreateExtensible(r, ssb_stack_info[i].name, i == SSB_STACK_STEP ? H5T_STD_I32LE : H5T_IEEE_F64LE, 0, 1, &r->stack[i]));
    PetscCall(SsbResultsDescribe(r, r->stack[i], ssb_stack_info[i].units, ssb_stack_info[i].description));
  }
  for (int i = 0; i < SSB_NCELLS_DS; i++) {
    PetscCall(SsbResultsCreateExtensible(r, ssb_cells_info[i].name, H5T_IEEE_F64LE, 1, (hsize_t)ncells, &r->cells[i]));
    PetscCall(SsbResultsDescribe(r, r->cells[i], ssb_cells_info[i].units, ssb_cells_info[i].description));
  }
  PetscCall(SsbResultsCreateSteps(r));
  PetscCall(SsbResultsFlush(r));
  r->t_sync = MPI_Wtime();
  PetscFunctionReturn(0);
}

/* The buffers for bcap rows (at most 4 MiB on a rank, between 1 and 512 rows); after the cell
   records are defined, at the first row. */
static PetscErrorCode SsbResultsAllocRows(SsbResults r)
{
  size_t nl = (size_t)r->ncells_local, bytes = sizeof(double) * (SSB_STACK_STEP + SSB_NCELLS_DS * nl) + sizeof(int);
  PetscFunctionBegin;
  for (int k = 0; k < r->nseries; k++) bytes += sizeof(double) * nl * (size_t)r->series_nfields[k];
  r->bcap = (int)PetscMax(1, PetscMin(512, (4u << 20) / bytes));
  for (int i = 0; i < SSB_STACK_STEP; i++) PetscCall(PetscMalloc1(r->bcap, &r->bstack[i]));
  PetscCall(PetscMalloc1(r->bcap, &r->bstep));
  for (int i = 0; i < SSB_NCELLS_DS; i++) PetscCall(PetscMalloc1((size_t)r->bcap * nl + 1, &r->bcells[i]));
  for (int k = 0; k < r->nseries; k++) PetscCall(PetscMalloc1((size_t)r->bcap * nl * (size_t)r->series_nfields[k] + 1, &r->bseries[k]));
  PetscFunctionReturn(0);
}

/* Whether a second of wall time has passed since the last sync (rank 0's clock decides for all,
   so every rank makes the same collective calls). Collective. */
static PetscErrorCode SsbResultsSyncDue(SsbResults r, int *due)
{
  PetscFunctionBegin;
  *due = MPI_Wtime() - r->t_sync >= SSB_RESULTS_SYNC_SECONDS;
  if (r->size > 1) PetscCallMPI(MPI_Bcast(due, 1, MPI_INT, 0, r->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsSync(SsbResults r)
{
  hsize_t n0 = r->rank == 0 ? 1 : 0, nl = (hsize_t)r->ncells_local, bn = (hsize_t)r->bn;

  PetscFunctionBegin;
  if (r->bn) {
    for (int i = 0; i < SSB_STACK_STEP; i++) PetscCall(SsbResultsWriteRows(r, r->stack[i], 1, r->nrows, bn, 0, n0, H5T_NATIVE_DOUBLE, r->bstack[i], ssb_stack_info[i].name));
    PetscCall(SsbResultsWriteRows(r, r->stack[SSB_STACK_STEP], 1, r->nrows, bn, 0, n0, H5T_NATIVE_INT, r->bstep, ssb_stack_info[SSB_STACK_STEP].name));
    for (int i = 0; i < SSB_NCELLS_DS; i++) PetscCall(SsbResultsWriteRows(r, r->cells[i], (hsize_t)r->ncells, r->nrows, bn, (hsize_t)r->cell_start, nl, H5T_NATIVE_DOUBLE, r->bcells[i], ssb_cells_info[i].name));
    for (int k = 0; k < r->nseries; k++) PetscCall(SsbResultsWriteRows(r, r->series[k], (hsize_t)r->ncells, r->nrows, bn, (hsize_t)r->cell_start, nl, r->series_mtype[k], r->bseries[k], r->series_name[k]));
    r->nrows += bn;
    r->bn = 0;
  }
  PetscCall(SsbResultsFlush(r));
  if (r->csv_path) {
    int ok = 1;
    if (r->rank == 0) ok = !r->csv_bad && fflush(r->csv) == 0;
    PetscCall(SsbResultsCsvStatus(r, ok, "writing rows"));
  }
  r->t_sync = MPI_Wtime();
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsAppendRow(SsbResults r, const SsbResultsRow *row)
{
  const double  stack[SSB_NSTACK] = {row->time, row->current_density, row->current, row->voltage, row->capacity, row->temperature_max, row->heat_rate, row->heat_plates, 0.0};
  const double *cells[SSB_NCELLS_DS];
  const size_t  nl = (size_t)r->ncells_local;
  int           sync;

  PetscFunctionBegin;
  PetscCheck(r && row, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "SsbResultsAppendRow: NULL argument");
  cells[SSB_CELLS_VOLTAGE]     = row->cell_voltage;
  cells[SSB_CELLS_TEMPERATURE] = row->cell_temperature;
  cells[SSB_CELLS_SOC]         = row->cell_soc;
  for (int q = 0; q < 4; q++) cells[SSB_CELLS_HEAT_OHMIC + q] = (row->cell_heat ? row->cell_heat : r->nan_cells) + q * nl;
  for (int i = 0; i < SSB_NCELLS_DS; i++) PetscCheck(!nl || cells[i], PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Results file %s: row without per-cell values for %s", r->path, ssb_cells_info[i].name);
  if (!r->bcap) PetscCall(SsbResultsAllocRows(r));
  const int j = r->bn;
  for (int i = 0; i < SSB_STACK_STEP; i++) r->bstack[i][j] = stack[i];
  r->bstep[j] = row->step;
  for (int i = 0; i < SSB_NCELLS_DS; i++) PetscCall(PetscArraycpy(r->bcells[i] + (size_t)j * nl, cells[i], nl));
  for (int k = 0; k < r->nseries; k++) {
    const size_t w = nl * (size_t)r->series_nfields[k];
    double      *b = r->series_buf[k];
    PetscCall(PetscArraycpy(r->bseries[k] + (size_t)j * w, b, w));
    for (size_t q = 0; q < w; q++) b[q] = (double)NAN; /* a row without staged values shows NaN */
  }
  r->bn++;
  if (r->csv_path && r->rank == 0 && fprintf(r->csv, "%.10g,%.10g,%.10g,%.10g,%.10g,%d\n", row->time, row->current_density, row->voltage, row->capacity, row->temperature_max, row->step) < 0) r->csv_bad = 1; /* reported by the next sync, on every rank */
  /* written when the buffer is full or a second has passed */
  PetscCall(SsbResultsSyncDue(r, &sync));
  if (sync || r->bn == r->bcap) PetscCall(SsbResultsSync(r));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsDefineCellRecord(SsbResults r, const char *name, int nfields, const char *const *fields, const char *units, const char *description, int *id)
{
  char  path[PETSC_MAX_PATH_LEN];
  hid_t ftype;
  int   k = r->nseries;

  PetscFunctionBegin;
  PetscCheck(r->nrows == 0 && r->bcap == 0, PETSC_COMM_SELF, PETSC_ERR_ORDER, "Results file %s: cell record %s defined after the first row", r->path, name);
  PetscCheck(k < SSB_RESULTS_MAX_SERIES, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Results file %s: more than %d cell records", r->path, SSB_RESULTS_MAX_SERIES);
  PetscCheck(nfields >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Results file %s: cell record %s without fields", r->path, name);
  snprintf(path, sizeof path, "/cells/%s", name);
  r->series_mtype[k] = H5Tcreate(H5T_COMPOUND, sizeof(double) * (size_t)nfields);
  ftype              = H5Tcreate(H5T_COMPOUND, 8 * (size_t)nfields);
  SSB_H5_CHECK(r, r->series_mtype[k] >= 0 && ftype >= 0, PETSC_ERR_FILE_WRITE, "creating the compound type of %s", path);
  for (int f = 0; f < nfields; f++) {
    SSB_H5_CHECK(r, H5Tinsert(r->series_mtype[k], fields[f], sizeof(double) * (size_t)f, H5T_NATIVE_DOUBLE) >= 0, PETSC_ERR_FILE_WRITE, "creating the compound type of %s", path);
    SSB_H5_CHECK(r, H5Tinsert(ftype, fields[f], 8 * (size_t)f, H5T_IEEE_F64LE) >= 0, PETSC_ERR_FILE_WRITE, "creating the compound type of %s", path);
  }
  PetscCall(SsbResultsCreateExtensible(r, path, ftype, 1, (hsize_t)r->ncells, &r->series[k]));
  H5Tclose(ftype);
  PetscCall(SsbResultsDescribe(r, r->series[k], units, description));
  PetscCall(PetscStrallocpy(path, &r->series_name[k]));
  r->series_nfields[k] = nfields;
  PetscCall(PetscMalloc1((size_t)nfields * (size_t)PetscMax(r->ncells_local, 1), &r->series_buf[k]));
  for (int c = 0; c < nfields * r->ncells_local; c++) r->series_buf[k][c] = (double)NAN;
  *id = r->nseries++;
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsStageCellRecord(SsbResults r, int id, const double *values)
{
  PetscFunctionBegin;
  PetscCheck(id >= 0 && id < r->nseries, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Results file %s: no cell record %d", r->path, id);
  PetscCall(PetscArraycpy(r->series_buf[id], values, (size_t)r->ncells_local * r->series_nfields[id]));
  PetscFunctionReturn(0);
}

static PetscErrorCode SsbResultsEnsureProfileTime(SsbResults r)
{
  PetscFunctionBegin;
  if (r->profile_time >= 0) PetscFunctionReturn(0);
  PetscCall(SsbResultsCreateExtensible(r, "/profiles/time", H5T_IEEE_F64LE, 0, 1, &r->profile_time));
  PetscCall(SsbResultsDescribe(r, r->profile_time, "s", "times at which the profiles were stored (first dimension of every profile dataset)"));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsWriteGrid(SsbResults r, const char *path, const char *units, const char *description, int n, const double *values)
{
  hsize_t dims = (hsize_t)n, one = 1;
  hid_t   space, mspace, lcpl, dset;
  double  dummy = 0;

  PetscFunctionBegin;
  PetscCheck(path && path[0], PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Results file %s: grid without a path", r->path);
  PetscCheck(n >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Results file %s: grid %s has %d points", r->path, path, n);
  PetscCheck(r->rank != 0 || values, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Results file %s: grid %s without values", r->path, path);
  space = H5Screate_simple(1, &dims, NULL);
  SSB_H5_CHECK(r, space >= 0, PETSC_ERR_FILE_WRITE, "creating the dataspace of %s", path);
  lcpl = H5Pcreate(H5P_LINK_CREATE);
  SSB_H5_CHECK(r, lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0, PETSC_ERR_FILE_WRITE, "creating the groups of %s", path);
  dset = H5Dcreate2(r->file, path, H5T_IEEE_F64LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  SSB_H5_CHECK(r, dset >= 0, PETSC_ERR_FILE_WRITE, "creating dataset %s", path);
  mspace = H5Screate_simple(1, r->rank == 0 ? &dims : &one, NULL);
  SSB_H5_CHECK(r, mspace >= 0, PETSC_ERR_FILE_WRITE, "creating a memory dataspace for %s", path);
  if (r->rank != 0) SSB_H5_CHECK(r, H5Sselect_none(space) >= 0 && H5Sselect_none(mspace) >= 0, PETSC_ERR_FILE_WRITE, "selecting nothing in %s", path);
  SSB_H5_CHECK(r, H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace, space, r->dxpl, r->rank == 0 ? values : &dummy) >= 0, PETSC_ERR_FILE_WRITE, "writing dataset %s", path);
  PetscCall(SsbResultsDescribe(r, dset, units, description));
  H5Sclose(mspace);
  H5Dclose(dset);
  H5Pclose(lcpl);
  H5Sclose(space);
  PetscCall(SsbResultsFlush(r));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsDefineProfile(SsbResults r, const char *path, const char *units, const char *description, int n, const char *grid, int *id)
{
  SsbProfile *p;

  PetscFunctionBegin;
  PetscCheck(id, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "SsbResultsDefineProfile: NULL id");
  PetscCheck(path && path[0], PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Results file %s: profile without a path", r->path);
  PetscCheck(n >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Results file %s: profile %s has %d points", r->path, path, n);
  PetscCheck(r->nprofile_times == 0, PETSC_COMM_SELF, PETSC_ERR_ORDER, "Results file %s: profile %s defined after profiles were appended; define every profile first", r->path, path);
  if (r->nprofiles == r->profiles_cap) {
    int         cap = r->profiles_cap ? 2 * r->profiles_cap : 16;
    SsbProfile *np;
    PetscCall(PetscMalloc1(cap, &np));
    if (r->nprofiles) PetscCall(PetscArraycpy(np, r->profiles, r->nprofiles));
    PetscCall(PetscFree(r->profiles));
    r->profiles     = np;
    r->profiles_cap = cap;
  }
  PetscCall(SsbResultsEnsureProfileTime(r));
  p       = &r->profiles[r->nprofiles];
  p->n    = (hsize_t)n;
  p->dset = H5I_INVALID_HID;
  PetscCall(PetscStrallocpy(path, &p->path));
  *id = r->nprofiles++; /* counted now so that Destroy frees it even if creation fails */
  PetscCall(SsbResultsCreateExtensible(r, path, H5T_IEEE_F64LE, 1, p->n, &p->dset));
  PetscCall(SsbResultsDescribe(r, p->dset, units, description));
  if (grid && grid[0]) PetscCall(SsbResultsWriteStringAttr(r, p->dset, "grid", grid));
  PetscCall(SsbResultsWriteStringAttr(r, p->dset, "time", "/profiles/time"));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsAppendProfiles(SsbResults r, double time, const double *const *values)
{
  int     due;
  hsize_t n0 = r->rank == 0 ? 1 : 0, row = r->nprofile_times;

  PetscFunctionBegin;
  PetscCheck(r->rank != 0 || !r->nprofiles || values, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Results file %s: profiles appended without values", r->path);
  PetscCall(SsbResultsEnsureProfileTime(r));
  PetscCall(SsbResultsWriteRows(r, r->profile_time, 1, row, 1, 0, n0, H5T_NATIVE_DOUBLE, &time, "/profiles/time"));
  for (int i = 0; i < r->nprofiles; i++) {
    PetscCheck(r->rank != 0 || values[i], PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Results file %s: no values for profile %d", r->path, i);
    PetscCall(SsbResultsWriteRows(r, r->profiles[i].dset, r->profiles[i].n, row, 1, 0, r->rank == 0 ? r->profiles[i].n : 0, H5T_NATIVE_DOUBLE, r->rank == 0 ? values[i] : NULL, r->profiles[i].path));
  }
  r->nprofile_times++;
  PetscCall(SsbResultsSyncDue(r, &due));
  if (due) PetscCall(SsbResultsSync(r));
  PetscFunctionReturn(0);
}

/* Copy into a fixed-length string, cutting at a UTF-8 character boundary. */
static void SsbCopyFixed(char *dst, const char *src)
{
  size_t len = src ? strlen(src) : 0;

  if (len > SSB_RESULTS_STRLEN - 1) {
    len = SSB_RESULTS_STRLEN - 1;
    while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80) len--;
  }
  memset(dst, 0, SSB_RESULTS_STRLEN);
  if (len) memcpy(dst, src, len);
}

PetscErrorCode SsbResultsAppendStep(SsbResults r, int index, int cycle, const char *text, double t_start, double t_end, const char *reason)
{
  int            due;
  SsbStepRecord *rec;
  hsize_t        n0 = r->rank == 0 ? 1 : 0, row = r->nsteps;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(1, &rec));
  rec->index      = index;
  rec->cycle      = cycle;
  rec->start_time = t_start;
  rec->end_time   = t_end;
  SsbCopyFixed(rec->text, text);
  SsbCopyFixed(rec->reason, reason);
  PetscCall(SsbResultsWriteRows(r, r->steps[SSB_STEPS_TABLE], 1, row, 1, 0, n0, r->step_type, rec, "/steps/table"));
  PetscCall(SsbResultsWriteRows(r, r->steps[SSB_STEPS_INDEX], 1, row, 1, 0, n0, H5T_NATIVE_INT, &rec->index, "/steps/index"));
  PetscCall(SsbResultsWriteRows(r, r->steps[SSB_STEPS_CYCLE], 1, row, 1, 0, n0, H5T_NATIVE_INT, &rec->cycle, "/steps/cycle"));
  PetscCall(SsbResultsWriteRows(r, r->steps[SSB_STEPS_TEXT], 1, row, 1, 0, n0, r->str_type, rec->text, "/steps/text"));
  PetscCall(SsbResultsWriteRows(r, r->steps[SSB_STEPS_START], 1, row, 1, 0, n0, H5T_NATIVE_DOUBLE, &rec->start_time, "/steps/start_time"));
  PetscCall(SsbResultsWriteRows(r, r->steps[SSB_STEPS_END], 1, row, 1, 0, n0, H5T_NATIVE_DOUBLE, &rec->end_time, "/steps/end_time"));
  PetscCall(SsbResultsWriteRows(r, r->steps[SSB_STEPS_REASON], 1, row, 1, 0, n0, r->str_type, rec->reason, "/steps/reason"));
  r->nsteps++;
  PetscCall(PetscFree(rec));
  PetscCall(SsbResultsSyncDue(r, &due));
  if (due) PetscCall(SsbResultsSync(r));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsSetAttributeString(SsbResults r, const char *path, const char *name, const char *value)
{
  int   due;
  hid_t obj;
  char *v;

  PetscFunctionBegin;
  PetscCheck(name && name[0], PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Results file %s: attribute without a name", r->path);
  PetscCall(SsbBcastString(r->comm, r->rank, value, &v));
  PetscCall(SsbResultsOpenObject(r, path, &obj));
  PetscCall(SsbResultsWriteStringAttr(r, obj, name, v));
  H5Oclose(obj);
  PetscCall(PetscFree(v));
  PetscCall(SsbResultsSyncDue(r, &due));
  if (due) PetscCall(SsbResultsSync(r));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsSetAttributeNumber(SsbResults r, const char *path, const char *name, double value)
{
  int   due;
  hid_t obj;

  PetscFunctionBegin;
  PetscCheck(name && name[0], PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "Results file %s: attribute without a name", r->path);
  PetscCallMPI(MPI_Bcast(&value, 1, MPI_DOUBLE, 0, r->comm));
  PetscCall(SsbResultsOpenObject(r, path, &obj));
  PetscCall(SsbResultsWriteNumberAttr(r, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value));
  H5Oclose(obj);
  PetscCall(SsbResultsSyncDue(r, &due));
  if (due) PetscCall(SsbResultsSync(r));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbResultsSetStatus(SsbResults r, const char *status)
{
  PetscFunctionBegin;
  PetscCall(SsbResultsSetAttributeString(r, NULL, "status", status));
  PetscCall(SsbResultsSync(r)); /* the end of a run (or its failure): everything on disk now */
  PetscFunctionReturn(0);
}

static void SsbCloseId(hid_t *id, herr_t (*close)(hid_t), int *failed)
{
  if (*id >= 0 && close(*id) < 0) *failed = 1;
  *id = H5I_INVALID_HID;
}

PetscErrorCode SsbResultsDestroy(SsbResults *rp)
{
  SsbResults r;
  int        failed = 0, csv_failed             = 0;
  char       name[PETSC_MAX_PATH_LEN], msg[512] = "";

  PetscFunctionBegin;
  if (!rp || !*rp) PetscFunctionReturn(0);
  r   = *rp;
  *rp = NULL;
  if (r->bn && r->file >= 0 && SsbResultsSync(r)) failed = 1; /* the buffered rows */
  for (int i = 0; i < SSB_STACK_STEP; i++) PetscCall(PetscFree(r->bstack[i]));
  for (int i = 0; i < SSB_NCELLS_DS; i++) PetscCall(PetscFree(r->bcells[i]));
  for (int k = 0; k < r->nseries; k++) PetscCall(PetscFree(r->bseries[k]));
  PetscCall(PetscFree(r->bstep));
  for (int i = 0; i < SSB_NSTACK; i++) SsbCloseId(&r->stack[i], H5Dclose, &failed);
  for (int i = 0; i < SSB_NCELLS_DS; i++) SsbCloseId(&r->cells[i], H5Dclose, &failed);
  for (int i = 0; i < r->nseries; i++) {
    SsbCloseId(&r->series[i], H5Dclose, &failed);
    SsbCloseId(&r->series_mtype[i], H5Tclose, &failed);
    PetscCall(PetscFree(r->series_name[i]));
    PetscCall(PetscFree(r->series_buf[i]));
  }
  for (int i = 0; i < SSB_NSTEPS_DS; i++) SsbCloseId(&r->steps[i], H5Dclose, &failed);
  for (int i = 0; i < r->nprofiles; i++) {
    SsbCloseId(&r->profiles[i].dset, H5Dclose, &failed);
    PetscCall(PetscFree(r->profiles[i].path));
  }
  SsbCloseId(&r->profile_time, H5Dclose, &failed);
  SsbCloseId(&r->str_type, H5Tclose, &failed);
  SsbCloseId(&r->step_type, H5Tclose, &failed);
  SsbCloseId(&r->dxpl, H5Pclose, &failed);
  SsbCloseId(&r->file, H5Fclose, &failed);
  if (r->csv && fclose(r->csv) != 0) csv_failed = 1;
  PetscCallMPI(MPI_Comm_free(&r->comm));
  PetscCall(PetscFree(r->profiles));
  if (failed) SsbH5ErrorText(msg, sizeof msg);
  PetscCall(PetscStrncpy(name, failed ? r->path : (r->csv_path ? r->csv_path : ""), sizeof name));
  PetscCall(PetscFree(r->csv_path));
  PetscCall(PetscFree(r->path));
  PetscCall(PetscFree(r->nan_cells));
  PetscCall(PetscFree(r));
  PetscCheck(!failed, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "Closing the results file %s failed (HDF5: %s)", name, msg);
  PetscCheck(!csv_failed, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "Closing the CSV summary %s failed", name);
  PetscFunctionReturn(0);
}
