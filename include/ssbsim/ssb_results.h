/* ssb_results.h -- the HDF5 results file and CSV summary of a run (interface.md, "Results").

   Collective: every rank of comm calls every function with the same arguments, except the per-cell
   arrays, which each rank gives for its own contiguous block of cells [cell_start, cell_start +
   ncells_local). The file is opened with the MPI-IO driver; datasets are chunked and extensible, and
   each append extends them and flushes, so a run that fails or is killed keeps every row written
   so far. Every dataset carries a `units` attribute (and a `description`). The CSV summary (rank 0)
   has the header `time [s],current [A/m^2],voltage [V],capacity [A*h/m^2],temperature max [K],step`.

   File attributes written at creation: case (the resolved case text), version, sign_convention,
   mpi_ranks, threads, title, created (ISO time); `status` is "running" until SsbResultsSetStatus. */
#pragma once
#include <ssbsim/ssb_case.h>

typedef struct SsbResults_ *SsbResults;

/* One output time of the stack and cell time series. */
typedef struct {
  double        time;             /* s */
  double        current_density;  /* A/m^2, + discharge */
  double        current;          /* A */
  double        voltage;          /* V, stack terminal voltage */
  double        capacity;         /* A*h/m^2 since start, + discharged */
  double        temperature_max;  /* K */
  double        heat_rate;        /* W/m^2 */
  int           step;             /* experiment step index (0-based, counting through cycles) */
  const double *cell_voltage;     /* [ncells_local] V */
  const double *cell_temperature; /* [ncells_local] K */
  const double *cell_soc;         /* [ncells_local] 1 */
  const double *cell_heat;        /* [4 ncells_local] W/m^2: ohmic, reaction, reversible, contact heat of each cell (4 blocks) */
  double        heat_plates;      /* W/m^2, the plates' and collectors' Joule heat */
} SsbResultsRow;

/* path: HDF5 file (created, truncated); csv: CSV summary path or NULL/"" for none.
   ncells: total cells; cell_start/ncells_local: this rank's block. */
PetscErrorCode SsbResultsCreate(MPI_Comm comm, const char *path, const char *csv, const SsbCase *c, int ncells, int cell_start, int ncells_local, SsbResults *r);
/* Append one row to /stack/... and /cells/... (and the CSV). Rows are buffered and written, with
   the file flushed, at least once a second of wall time, when the buffer (up to 512 rows, 4 MiB per
   rank) is full, when the status is set (SsbResultsSetStatus), before a checkpoint and when the file
   is closed. Collective. */
PetscErrorCode SsbResultsAppendRow(SsbResults r, const SsbResultsRow *row);
/* Write the buffered rows now and flush the HDF5 file and the CSV (before a checkpoint, say).
   Collective. */
PetscErrorCode SsbResultsSync(SsbResults r);

/* Further per-cell records /cells/<name> [T, N] (name may contain '/': groups are created): a
   compound of nfields doubles named fields[] (h5py: d["field"] is a [T, N] array), defined before
   the first row; `units` lists the fields' units in order ("V, C/m^2, ..."). SsbResultsStageCellRecord
   gives this rank's values [ncells_local][nfields] for the next SsbResultsAppendRow, which writes
   them (NaN in a row for which none were staged). One compound dataset costs one extension and one
   write per row, whatever its number of fields (the per-row flush makes every further dataset
   expensive). The interfaces' space-charge layers use them (docs/results.md). */
#define SSB_RESULTS_MAX_SERIES 16
PetscErrorCode SsbResultsDefineCellRecord(SsbResults r, const char *name, int nfields, const char *const *fields, const char *units, const char *description, int *id);
PetscErrorCode SsbResultsStageCellRecord(SsbResults r, int id, const double *values);

/* Profiles: datasets [P, n] appended together at profile times; /profiles/time [P] holds the times.
   A fixed grid (1D dataset, e.g. "/profiles/cell_1/x") is written once with SsbResultsWriteGrid.
   DefineProfile creates an extensible 2D dataset at `path` (any group, e.g. "/profiles/cell_1/phi_e"
   or "/thermal/temperature"; parent groups are created) with attributes units, description and
   grid (the path of its grid dataset, may be NULL); ids are 0, 1, 2 ... in definition order.
   All profiles must be defined before the first SsbResultsAppendProfiles. Profiles are written by
   rank 0 in this version (the caller gathers them). */
PetscErrorCode SsbResultsWriteGrid(SsbResults r, const char *path, const char *units, const char *description, int n, const double *values);
PetscErrorCode SsbResultsDefineProfile(SsbResults r, const char *path, const char *units, const char *description, int n, const char *grid, int *id);
/* values[id] points to n_id numbers for every defined profile. */
PetscErrorCode SsbResultsAppendProfiles(SsbResults r, double time, const double *const *values);

/* /steps: one row per executed step: index, cycle, text, start and end time (s), termination reason
   (e.g. "voltage 3.0 V reached", "duration reached", "current C/20 reached", "limit cell_voltage_min").
   Stored as a compound dataset /steps/table plus 1D datasets /steps/start_time, /steps/end_time
   (s), /steps/reason (strings) for easy reading. */
PetscErrorCode SsbResultsAppendStep(SsbResults r, int index, int cycle, const char *text, double t_start, double t_end, const char *reason);
/* A string or number attribute on the file root (path NULL or "/") or on an existing object. */
PetscErrorCode SsbResultsSetAttributeString(SsbResults r, const char *path, const char *name, const char *value);
PetscErrorCode SsbResultsSetAttributeNumber(SsbResults r, const char *path, const char *name, double value);
/* status: "completed", "terminated: <reason>", "failed: <reason>". */
PetscErrorCode SsbResultsSetStatus(SsbResults r, const char *status);
/* Close the file (flushes) and free; accepts NULL. */
PetscErrorCode SsbResultsDestroy(SsbResults *r);
