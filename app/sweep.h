/* sweep.h -- `ssbsim sweep` (app/sweep.c) and the helpers of app/ssbsim.c that the sweep shares. */
#pragma once
#include <ssbsim/ssb_sim.h>
#include <ssbsim/ssb_energy.h>

/* ssbsim sweep CASE.yaml --vary key=v1,v2,... [--vary ...] [-o DIR] [--set key=value]...
   The grid is the Cartesian product of the --vary lists, point p in row-major order (the last
   --vary varies fastest). Point p runs on rank p % size of PETSC_COMM_WORLD, alone (PETSC_COMM_SELF),
   with the case read with the --set list followed by its own key=value pairs; it writes
   DIR/point_<p>.h5 (and .csv). Rank 0 gathers one record per point and writes DIR/summary.csv.
   outdir NULL: sweep_<case base name>. Collective on PETSC_COMM_WORLD; returns the exit status
   (every rank the same): 0 every point completed or terminated, 1 invalid sweep arguments or a
   point whose case does not read (nothing is run), 2 a point failed or could not be set up,
   3 the output directory or the summary could not be written. */
int SsbSweep(const char *casefile, int nset, const char *const *sets, int nvary, const char *const *varies, const char *outdir);

/* app/ssbsim.c: the case's solver.petsc_options into the current options database, never over an
   option already there (the command line's). */
PetscErrorCode SsbAppInsertCaseOptions(const char *opts);
/* app/ssbsim.c: the attributes a results file gets before the run (self-discharge, energy-density
   report) ... */
PetscErrorCode SsbAppWriteRunAttributes(const SsbCase *c, SsbSim sim, SsbResults res);
/* ... and after it: the delivered energy E (J/m^2) and the delivered energy densities of the mono
   cell and the stack, also written as attributes when res is not NULL. */
PetscErrorCode SsbAppDeliveredEnergy(const SsbCase *c, SsbSim sim, SsbResults res, double *E, SsbEnergyFigures *fc, SsbEnergyFigures *fs);
/* app/ssbsim.c: the records of the compact space-charge layers (/cells/interface_<side>) of a run's
   results file: *ctx NULL when the case has none; SsbAppInterfaceMonitor (an SsbSimMonitor) stages
   them at every row. */
PetscErrorCode SsbAppInterfaceRecords(const SsbCase *c, SsbSim sim, SsbResults res, void **ctx);
void           SsbAppInterfaceMonitor(void *ctx, double t, int step, const double *y, const double *yp);
PetscErrorCode SsbAppInterfaceRecordsFree(void **ctx);
