/* test_results.c -- the HDF5 results file and CSV summary (io/results.c, docs/results.md).

   Writes a file with 2 cells (split over the ranks in blocks: run with 1 rank both cells are on rank
   0, with 2 ranks each rank owns one), rows, profiles, steps and attributes, then reopens it on rank 0
   with the serial HDF5 API and checks shapes, values, units, attributes and the CSV. A copy of the
   file taken while it is still open (what a killed run leaves) must hold the rows written so far.
   Usage: test_results [BASE] writes BASE.h5 and BASE.csv (default "results_test"). */
#include <ssbsim/ssb_results.h>
#include <ssbsim/ssb_version.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define NCELLS 2
#define NROWS  4
#define NPROF  3
#define NX     5
#define NZ     4
#define NR     6

static char        h5_path[PETSC_MAX_PATH_LEN], csv_path[PETSC_MAX_PATH_LEN];
static PetscMPIInt rank, size;

static double CellVoltage(int k, int g) { return 3.0 + 0.1 * g + 0.01 * k; }
static double CellTemperature(int k, int g) { return 298.15 + g + 0.5 * k; }
static double CellSoc(int k, int g) { return 1.0 - 0.1 * k - 0.01 * g; }
static double ProfileValue(int p, int q, int i) { return 100.0 * p + 10.0 * q + i; }

/* This rank's block of the NCELLS cells. */
static void Block(int *start, int *n)
{
  int base = NCELLS / size, extra = NCELLS % size;
  *n     = base + (rank < extra ? 1 : 0);
  *start = rank * base + (rank < extra ? rank : extra);
}

#define AssertClose(a, b, tol) AssertCloseAt((a), (b), (tol), #a, __FILE__, __LINE__)
static void AssertCloseAt(double a, double b, double tol, const char *what, const char *file, int line)
{
  if (!(fabs(a - b) <= tol)) fail_msg("%s:%d: %s = %.17g, expected %.17g (tolerance %g)", file, line, what, a, b, tol);
}

/* ---- serial readers (rank 0 only) ---- */

static hsize_t ReadDims(hid_t file, const char *path, int *ndims, hsize_t dims[2])
{
  hid_t d = H5Dopen2(file, path, H5P_DEFAULT), s;
  if (d < 0) fail_msg("dataset %s missing", path);
  s       = H5Dget_space(d);
  *ndims  = H5Sget_simple_extent_ndims(s);
  dims[0] = dims[1] = 0;
  H5Sget_simple_extent_dims(s, dims, NULL);
  H5Sclose(s);
  H5Dclose(d);
  return dims[0];
}

static void ReadDoubles(hid_t file, const char *path, double *buf)
{
  hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
  assert_true(d >= 0);
  assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
  H5Dclose(d);
}

/* A string attribute (variable- or fixed-length) of the object at path, into buf. */
static void ReadStringAttr(hid_t file, const char *path, const char *name, char *buf, size_t len)
{
  hid_t attr = H5Aopen_by_name(file, path, name, H5P_DEFAULT, H5P_DEFAULT), type, mtype;
  if (attr < 0) fail_msg("attribute %s of %s missing", name, path);
  type = H5Aget_type(attr);
  assert_int_equal(H5Tget_class(type), H5T_STRING);
  if (H5Tis_variable_str(type) > 0) {
    char *s = NULL;
    mtype   = H5Tcopy(H5T_C_S1);
    H5Tset_size(mtype, H5T_VARIABLE);
    H5Tset_cset(mtype, H5Tget_cset(type));
    assert_true(H5Aread(attr, mtype, &s) >= 0);
    snprintf(buf, len, "%s", s ? s : "");
    H5free_memory(s);
  } else {
    size_t n = H5Tget_size(type);
    char  *s = calloc(n + 1, 1);
    assert_true(H5Aread(attr, type, s) >= 0);
    snprintf(buf, len, "%s", s);
    free(s);
    mtype = H5Tcopy(type);
  }
  H5Tclose(mtype);
  H5Tclose(type);
  H5Aclose(attr);
}

static double ReadNumberAttr(hid_t file, const char *path, const char *name)
{
  double v    = NAN;
  hid_t  attr = H5Aopen_by_name(file, path, name, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0) fail_msg("attribute %s of %s missing", name, path);
  assert_true(H5Aread(attr, H5T_NATIVE_DOUBLE, &v) >= 0);
  H5Aclose(attr);
  return v;
}

static void CheckUnits(hid_t file, const char *path, const char *units)
{
  char buf[256];
  ReadStringAttr(file, path, "units", buf, sizeof buf);
  if (strcmp(buf, units)) fail_msg("%s: units '%s', expected '%s'", path, buf, units);
  ReadStringAttr(file, path, "description", buf, sizeof buf);
  if (!buf[0]) fail_msg("%s: empty description", path);
}

static void CopyFile(const char *from, const char *to)
{
  FILE  *in = fopen(from, "rb"), *out = fopen(to, "wb");
  char   buf[65536];
  size_t n;
  assert_non_null(in);
  assert_non_null(out);
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) assert_int_equal(fwrite(buf, 1, n, out), n);
  fclose(in);
  assert_int_equal(fclose(out), 0);
}

/* ---- the writer ---- */

static SsbResultsRow Row(int k, int start, int n, double *v, double *T, double *soc)
{
  SsbResultsRow row = {0};
  for (int i = 0; i < n; i++) {
    v[i]   = CellVoltage(k, start + i);
    T[i]   = CellTemperature(k, start + i);
    soc[i] = CellSoc(k, start + i);
  }
  row.time             = 10.0 * k;
  row.current_density  = 20.0;
  row.current          = 0.2;
  row.voltage          = CellVoltage(k, 0) + CellVoltage(k, 1);
  row.capacity         = 20.0 * 10.0 * k / 3600.0;
  row.temperature_max  = 299.15 + 0.5 * k;
  row.heat_rate        = 0.25 * k;
  row.step             = k / 2;
  row.cell_voltage     = v;
  row.cell_temperature = T;
  row.cell_soc         = soc;
  return row;
}

#define BIG_TEXT 100000 /* beyond the 64 KiB limit of compact attribute storage */

static void test_results_write_read(void **state)
{
  SsbResults r = NULL;
  SsbCase    c;
  char      *text, killed[PETSC_MAX_PATH_LEN + 16];
  int        start, n, ids[4];
  double     v[NCELLS], T[NCELLS], soc[NCELLS], x[NX], z[NZ], rr[NR];

  (void)state;
  Block(&start, &n);
  memset(&c, 0, sizeof c);
  text = malloc(BIG_TEXT + 1);
  for (int i = 0; i < BIG_TEXT; i++) text[i] = (i % 80 == 79) ? '\n' : (char)('a' + i % 26);
  text[BIG_TEXT] = '\0';
  c.text         = text;
  c.title        = "results test, two cells";
  for (int i = 0; i < NX; i++) x[i] = 1e-6 * i;
  for (int i = 0; i < NZ; i++) z[i] = 1e-5 * i;
  for (int i = 0; i < NR; i++) rr[i] = 1e-7 * i;

  assert_int_equal(SsbResultsCreate(PETSC_COMM_WORLD, h5_path, csv_path, &c, NCELLS, start, n, &r), 0);
  assert_int_equal(SsbResultsWriteGrid(r, "/profiles/cell_1/x", "m", "through-thickness position in cell 1", NX, x), 0);
  assert_int_equal(SsbResultsWriteGrid(r, "/profiles/cell_1/r", "m", "radial position in the particle", NR, rr), 0);
  assert_int_equal(SsbResultsWriteGrid(r, "/thermal/z", "m", "position across the stack", NZ, z), 0);
  assert_int_equal(SsbResultsDefineProfile(r, "/profiles/cell_1/phi_e", "V", "electrolyte potential", NX, "/profiles/cell_1/x", &ids[0]), 0);
  assert_int_equal(SsbResultsDefineProfile(r, "/profiles/cell_1/c_e", "mol/m^3", "Li+ concentration", NX, "/profiles/cell_1/x", &ids[1]), 0);
  assert_int_equal(SsbResultsDefineProfile(r, "/profiles/cell_1/c_s_r_0.5", "mol/m^3", "c_s(r) at the middle of the positive electrode", NR, "/profiles/cell_1/r", &ids[2]), 0);
  assert_int_equal(SsbResultsDefineProfile(r, "/thermal/temperature", "K", "temperature across the stack", NZ, "/thermal/z", &ids[3]), 0);
  for (int i = 0; i < 4; i++) assert_int_equal(ids[i], i);

  for (int k = 0; k < NROWS; k++) {
    SsbResultsRow row = Row(k, start, n, v, T, soc);
    assert_int_equal(SsbResultsAppendRow(r, &row), 0);
    if (k == 1) {
      /* a copy of the file as a run killed after a sync would leave it (rows are buffered and
         written at least once a second and at every sync; a checkpoint syncs first) */
      assert_int_equal(SsbResultsSync(r), 0);
      assert_int_equal(PetscSNPrintf(killed, sizeof killed, "%s.killed", h5_path), 0);
      assert_int_equal(MPI_Barrier(PETSC_COMM_WORLD), MPI_SUCCESS);
      if (rank == 0) CopyFile(h5_path, killed);
      assert_int_equal(MPI_Barrier(PETSC_COMM_WORLD), MPI_SUCCESS);
    }
  }
  for (int p = 0; p < NPROF; p++) {
    double        a[NX], b[NX], cs[NR], th[NZ];
    const double *vals[4] = {a, b, cs, th};
    for (int i = 0; i < NX; i++) a[i] = ProfileValue(p, 0, i), b[i] = ProfileValue(p, 1, i);
    for (int i = 0; i < NR; i++) cs[i] = ProfileValue(p, 2, i);
    for (int i = 0; i < NZ; i++) th[i] = ProfileValue(p, 3, i);
    assert_int_equal(SsbResultsAppendProfiles(r, 15.0 * p, rank == 0 ? vals : NULL), 0);
  }
  assert_int_equal(SsbResultsAppendStep(r, 0, 0, "Discharge at 1C until 3.0 V", 0.0, 20.0, "voltage 3.0 V reached"), 0);
  assert_int_equal(SsbResultsAppendStep(r, 1, 0, "Rest for 30 minutes", 20.0, 30.0, "duration reached"), 0);
  assert_int_equal(SsbResultsSetAttributeNumber(r, "/stack/voltage", "test_number", 42.5), 0);
  assert_int_equal(SsbResultsSetAttributeString(r, "/", "note", "hello"), 0);
  assert_int_equal(SsbResultsSetStatus(r, "terminated: test"), 0);
  assert_int_equal(SsbResultsSetStatus(r, "completed"), 0);
  assert_int_equal(SsbResultsDestroy(&r), 0);
  assert_null(r);
  free(text);
  assert_int_equal(MPI_Barrier(PETSC_COMM_WORLD), MPI_SUCCESS);
  if (rank != 0) return;

  /* the killed copy: the two rows written before the copy, status still "running" */
  {
    hid_t   f;
    int     nd;
    hsize_t dims[2];
    double  t[2], cv[2 * NCELLS];
    char    buf[64];
    f = H5Fopen(killed, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) fail_msg("cannot open the copy %s of a still-open results file", killed);
    assert_int_equal(ReadDims(f, "/stack/time", &nd, dims), 2);
    assert_int_equal(ReadDims(f, "/cells/voltage", &nd, dims), 2);
    ReadDoubles(f, "/stack/time", t);
    ReadDoubles(f, "/cells/voltage", cv);
    AssertClose(t[1], 10.0, 0.0);
    for (int g = 0; g < NCELLS; g++) AssertClose(cv[NCELLS + g], CellVoltage(1, g), 0.0);
    ReadStringAttr(f, "/", "status", buf, sizeof buf);
    assert_string_equal(buf, "running");
    H5Fclose(f);
    remove(killed);
  }

  {
    static const char *stack_names[] = {"time", "current_density", "current", "voltage", "capacity", "temperature_max", "heat_rate", "step"};
    static const char *stack_units[] = {"s", "A/m^2", "A", "V", "A*h/m^2", "K", "W/m^2", "1"};
    hid_t              f             = H5Fopen(h5_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    int                nd;
    hsize_t            dims[2];
    char               path[128], buf[256], *big;
    double             col[NROWS], cells[NROWS * NCELLS], prof[NPROF * NR], pt[NPROF];

    assert_true(f >= 0);
    for (int i = 0; i < 8; i++) {
      assert_int_equal(PetscSNPrintf(path, sizeof path, "/stack/%s", stack_names[i]), 0);
      assert_int_equal(ReadDims(f, path, &nd, dims), NROWS);
      assert_int_equal(nd, 1);
      CheckUnits(f, path, stack_units[i]);
    }
    ReadDoubles(f, "/stack/time", col);
    for (int k = 0; k < NROWS; k++) AssertClose(col[k], 10.0 * k, 0.0);
    ReadDoubles(f, "/stack/voltage", col);
    for (int k = 0; k < NROWS; k++) AssertClose(col[k], CellVoltage(k, 0) + CellVoltage(k, 1), 0.0);
    ReadDoubles(f, "/stack/step", col);
    for (int k = 0; k < NROWS; k++) AssertClose(col[k], k / 2, 0.0);
    ReadDoubles(f, "/stack/heat_rate", col);
    for (int k = 0; k < NROWS; k++) AssertClose(col[k], 0.25 * k, 0.0);

    {
      static const char *cell_names[] = {"voltage", "temperature", "soc"};
      static const char *cell_units[] = {"V", "K", "1"};
      for (int i = 0; i < 3; i++) {
        assert_int_equal(PetscSNPrintf(path, sizeof path, "/cells/%s", cell_names[i]), 0);
        assert_int_equal(ReadDims(f, path, &nd, dims), NROWS);
        assert_int_equal(nd, 2);
        assert_int_equal(dims[1], NCELLS);
        CheckUnits(f, path, cell_units[i]);
        ReadDoubles(f, path, cells);
        for (int k = 0; k < NROWS; k++)
          for (int g = 0; g < NCELLS; g++) {
            double expect = i == 0 ? CellVoltage(k, g) : i == 1 ? CellTemperature(k, g)
                                                                : CellSoc(k, g);
            if (cells[k * NCELLS + g] != expect) fail_msg("%s[%d, %d] = %g, expected %g (written by the rank owning cell %d)", path, k, g, cells[k * NCELLS + g], expect, g);
          }
      }
    }

    /* profiles */
    assert_int_equal(ReadDims(f, "/profiles/time", &nd, dims), NPROF);
    CheckUnits(f, "/profiles/time", "s");
    ReadDoubles(f, "/profiles/time", pt);
    for (int p = 0; p < NPROF; p++) AssertClose(pt[p], 15.0 * p, 0.0);
    assert_int_equal(ReadDims(f, "/profiles/cell_1/x", &nd, dims), NX);
    CheckUnits(f, "/profiles/cell_1/x", "m");
    assert_int_equal(ReadDims(f, "/profiles/cell_1/c_s_r_0.5", &nd, dims), NPROF);
    assert_int_equal(dims[1], NR);
    CheckUnits(f, "/profiles/cell_1/c_s_r_0.5", "mol/m^3");
    ReadStringAttr(f, "/profiles/cell_1/c_s_r_0.5", "grid", buf, sizeof buf);
    assert_string_equal(buf, "/profiles/cell_1/r");
    ReadDoubles(f, "/profiles/cell_1/c_s_r_0.5", prof);
    for (int p = 0; p < NPROF; p++)
      for (int i = 0; i < NR; i++) AssertClose(prof[p * NR + i], ProfileValue(p, 2, i), 0.0);
    assert_int_equal(ReadDims(f, "/thermal/temperature", &nd, dims), NPROF);
    assert_int_equal(dims[1], NZ);
    ReadDoubles(f, "/thermal/temperature", prof);
    for (int p = 0; p < NPROF; p++)
      for (int i = 0; i < NZ; i++) AssertClose(prof[p * NZ + i], ProfileValue(p, 3, i), 0.0);
    CheckUnits(f, "/thermal/temperature", "K");
    CheckUnits(f, "/thermal/z", "m");

    /* steps */
    assert_int_equal(ReadDims(f, "/steps/table", &nd, dims), 2);
    assert_int_equal(ReadDims(f, "/steps/reason", &nd, dims), 2);
    ReadDoubles(f, "/steps/end_time", col);
    AssertClose(col[0], 20.0, 0.0);
    AssertClose(col[1], 30.0, 0.0);
    CheckUnits(f, "/steps/start_time", "s");
    {
      char  reasons[2][256];
      hid_t d = H5Dopen2(f, "/steps/reason", H5P_DEFAULT), t = H5Tcopy(H5T_C_S1);
      H5Tset_size(t, 256);
      H5Tset_cset(t, H5T_CSET_UTF8);
      assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, reasons) >= 0);
      assert_string_equal(reasons[0], "voltage 3.0 V reached");
      assert_string_equal(reasons[1], "duration reached");
      H5Tclose(t);
      H5Dclose(d);
    }
    {
      typedef struct {
        int  index, cycle;
        char text[64];
      } Rec;
      Rec   rec[2];
      hid_t d = H5Dopen2(f, "/steps/table", H5P_DEFAULT), t = H5Tcreate(H5T_COMPOUND, sizeof(Rec)), s = H5Tcopy(H5T_C_S1);
      H5Tset_size(s, 64);
      H5Tset_cset(s, H5T_CSET_UTF8);
      H5Tinsert(t, "index", HOFFSET(Rec, index), H5T_NATIVE_INT);
      H5Tinsert(t, "cycle", HOFFSET(Rec, cycle), H5T_NATIVE_INT);
      H5Tinsert(t, "text", HOFFSET(Rec, text), s);
      assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rec) >= 0);
      assert_int_equal(rec[1].index, 1);
      assert_string_equal(rec[1].text, "Rest for 30 minutes");
      H5Tclose(s);
      H5Tclose(t);
      H5Dclose(d);
    }

    /* attributes */
    ReadStringAttr(f, "/", "status", buf, sizeof buf);
    assert_string_equal(buf, "completed");
    ReadStringAttr(f, "/", "version", buf, sizeof buf);
    assert_string_equal(buf, SSB_VERSION);
    ReadStringAttr(f, "/", "title", buf, sizeof buf);
    assert_string_equal(buf, "results test, two cells");
    ReadStringAttr(f, "/", "note", buf, sizeof buf);
    assert_string_equal(buf, "hello");
    ReadStringAttr(f, "/", "sign_convention", buf, sizeof buf);
    assert_non_null(strstr(buf, "discharge current positive"));
    ReadStringAttr(f, "/", "created", buf, sizeof buf);
    assert_int_equal(strlen(buf), 20); /* 2024-01-02T03:04:05Z */
    assert_int_equal(buf[19], 'Z');
    assert_int_equal((int)ReadNumberAttr(f, "/", "mpi_ranks"), size);
    assert_true(ReadNumberAttr(f, "/", "threads") >= 1);
    AssertClose(ReadNumberAttr(f, "/stack/voltage", "test_number"), 42.5, 0.0);
    big = malloc(BIG_TEXT + 16);
    ReadStringAttr(f, "/", "case", big, BIG_TEXT + 16);
    assert_int_equal(strlen(big), BIG_TEXT);
    for (int i = 0; i < BIG_TEXT; i++)
      if (big[i] != ((i % 80 == 79) ? '\n' : (char)('a' + i % 26))) fail_msg("case attribute differs at byte %d", i);
    free(big);
    assert_true(H5Fclose(f) >= 0);
  }

  /* CSV */
  {
    FILE *fp = fopen(csv_path, "r");
    char  line[512], expect[512];
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "time [s],current [A/m^2],voltage [V],capacity [A*h/m^2],temperature max [K],step\n");
    for (int k = 0; k < NROWS; k++) {
      double        dv[NCELLS], dT[NCELLS], ds[NCELLS];
      SsbResultsRow row = Row(k, 0, NCELLS, dv, dT, ds);
      assert_non_null(fgets(line, sizeof line, fp));
      snprintf(expect, sizeof expect, "%.10g,%.10g,%.10g,%.10g,%.10g,%d\n", row.time, row.current_density, row.voltage, row.capacity, row.temperature_max, row.step);
      assert_string_equal(line, expect);
    }
    assert_null(fgets(line, sizeof line, fp));
    fclose(fp);
  }
}

static void test_results_errors(void **state)
{
  SsbResults     r = NULL;
  PetscErrorCode ierr;
  const char    *text;
  char          *specific = NULL;
  char           path[PETSC_MAX_PATH_LEN + 32];
  int            start, n, id;
  double         v[NCELLS], T[NCELLS], soc[NCELLS];

  (void)state;
  Block(&start, &n);
  assert_int_equal(SsbResultsDestroy(NULL), 0);
  assert_int_equal(SsbResultsDestroy(&r), 0);

  assert_int_equal(PetscPushErrorHandler(PetscReturnErrorHandler, NULL), 0);
  ierr = SsbResultsCreate(PETSC_COMM_WORLD, "/nonexistent-dir/results.h5", NULL, NULL, NCELLS, start, n, &r);
  assert_int_equal(ierr, PETSC_ERR_FILE_OPEN);
  assert_int_equal(PetscErrorMessage(ierr, &text, &specific), 0);
  if (!specific || !strstr(specific, "/nonexistent-dir/results.h5")) fail_msg("error message does not name the file: %s", specific ? specific : "(none)");
  if (rank == 0) print_message("expected error: %s\n", specific);
  assert_int_equal(SsbResultsDestroy(&r), 0);

  ierr = SsbResultsCreate(PETSC_COMM_WORLD, h5_path, "/nonexistent-dir/results.csv", NULL, NCELLS, start, n, &r);
  assert_int_equal(ierr, PETSC_ERR_FILE_OPEN);
  assert_int_equal(SsbResultsDestroy(&r), 0);

  ierr = SsbResultsCreate(PETSC_COMM_WORLD, h5_path, NULL, NULL, NCELLS + 1, start, n, &r);
  assert_int_equal(ierr, PETSC_ERR_ARG_SIZ);
  assert_null(r);

  /* a profile defined after profiles were appended */
  assert_int_equal(PetscSNPrintf(path, sizeof path, "%s.errors.h5", h5_path), 0);
  assert_int_equal(SsbResultsCreate(PETSC_COMM_WORLD, path, "", NULL, NCELLS, start, n, &r), 0);
  {
    SsbResultsRow row = Row(0, start, n, v, T, soc);
    assert_int_equal(SsbResultsAppendRow(r, &row), 0);
  }
  assert_int_equal(SsbResultsAppendProfiles(r, 0.0, NULL), 0);
  ierr = SsbResultsDefineProfile(r, "/profiles/late", "1", "too late", 3, NULL, &id);
  assert_int_equal(ierr, PETSC_ERR_ORDER);
  ierr = SsbResultsSetAttributeString(r, "/no/such/object", "a", "b");
  assert_int_equal(ierr, PETSC_ERR_FILE_WRITE);
  assert_int_equal(PetscPopErrorHandler(), 0);
  assert_int_equal(SsbResultsDestroy(&r), 0);
  assert_int_equal(MPI_Barrier(PETSC_COMM_WORLD), MPI_SUCCESS);
  if (rank == 0) remove(path);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_results_write_read),
    cmocka_unit_test(test_results_errors),
  };
  const char *base = "results_test";
  int         failed;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  for (int i = 1; i < argc; i++)
    if (argv[i][0] != '-') {
      base = argv[i];
      break;
    }
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscSNPrintf(h5_path, sizeof h5_path, "%s.h5", base));
  PetscCall(PetscSNPrintf(csv_path, sizeof csv_path, "%s.csv", base));
  failed = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return failed ? 1 : 0;
}
