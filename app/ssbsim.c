/* ssbsim.c -- the command line (interface.md):

     ssbsim run CASE.yaml [-o results.h5] [--set key=value]... [PETSc options]
     ssbsim restart CHECKPOINT.h5 [-o results.h5] [PETSc options]
     ssbsim check CASE.yaml [--set key=value]...
     ssbsim sweep CASE.yaml --vary key=v1,v2,... [--vary ...] [-o DIR] [--set key=value]... [PETSc options]
     ssbsim import-bpx FILE.json [-o CASE.yaml]
     ssbsim --version | --help

   Exit status: 0 success; 1 invalid input (nothing is solved); 2 the solver failed (results up to the
   failure are written and flagged); 3 an I/O error; 4 interrupted by SIGTERM or SIGINT after writing
   a checkpoint (continue with ssbsim restart). */
#define _DEFAULT_SOURCE /* realpath, isatty, fileno: POSIX.1-2008 and BSD */
#include <ssbsim/ssb_sim.h>
#include <ssbsim/ssb_bpx.h>
#include <ssbsim/ssb_energy.h>
#include <ssbsim/ssb_version.h>
#include "sweep.h"
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <limits.h>
#include <malloc.h>
#include <omp.h>

static const char usage[] = "usage: ssbsim run CASE.yaml [-o results.h5] [--set key=value]... [PETSc options]\n"
                            "       ssbsim restart CHECKPOINT.h5 [-o results.h5] [PETSc options]\n"
                            "       ssbsim check CASE.yaml [--set key=value]...\n"
                            "       ssbsim sweep CASE.yaml --vary key=v1,v2,... [--vary ...] [-o DIR] [--set key=value]... [PETSc options]\n"
                            "       ssbsim import-bpx FILE.json [-o CASE.yaml]\n"
                            "       ssbsim --version | --help\n"
                            "\n"
                            "  run      solve the case; write the HDF5 results file and the CSV summary\n"
                            "  restart  continue a run from its checkpoint (output.checkpoint_interval, or written on SIGTERM/SIGINT);\n"
                            "           the rows from the checkpoint time on go to -o (default <checkpoint stem>.restart.h5)\n"
                            "  check    validate the case and print derived quantities without solving\n"
                            "  sweep    run every point of the grid of --vary values (the Cartesian product, the last --vary\n"
                            "           fastest), points spread over the MPI ranks; DIR/point_<p>.h5 and .csv per point and\n"
                            "           DIR/summary.csv (default DIR: sweep_<case name>). Values are separated by commas, may\n"
                            "           carry units (--vary cell.separator.thickness=\"10 um,30 um\"); a comma inside [...], {...},\n"
                            "           quotes or written \\, belongs to the value. Exit 0: every point completed or terminated,\n"
                            "           2: a point failed, 1: invalid sweep (nothing run)\n"
                            "  import-bpx  write a case and its material file from a BPX (Battery Parameter eXchange) JSON\n"
                            "           set (docs/bpx.md); default FILE.yaml and FILE_materials.yaml in the current directory\n"
                            "  --set    override any case-file key, e.g. --set cell.positive.thickness=\"80 um\"\n"
                            "  -o       results file (default: output.file of the case, else results.h5); import-bpx: the case file;\n"
                            "           sweep: the output directory\n"
                            "PETSc options reach the linear solver, e.g. -ksp_type gmres -pc_type ilu, -log_view.\n"
                            "-ssb_linear_solver sparselu|petsc|bordered: ssbsim's sparse LU (default for a single cell), PETSc's\n"
                            "           LU of the whole matrix or block elimination of the cells (default for a stack, and the only\n"
                            "           one on several ranks: mpiexec -n P ssbsim run STACK.yaml).\n"
                            "Exit status: 0 success, 1 invalid input, 2 solver failure, 3 I/O error, 4 interrupted (checkpoint written).\n";

/* Insert the case's solver.petsc_options, but never over an option given on the command line. */
PetscErrorCode SsbAppInsertCaseOptions(const char *opts)
{
  char *copy, *tok, *save = NULL;
  char  name[256] = "";
  PetscFunctionBeginUser;
  if (!opts) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscStrallocpy(opts, &copy));
  for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
    if (tok[0] == '-' && !(tok[1] >= '0' && tok[1] <= '9') && tok[1] != '.') {
      PetscBool has;
      if (name[0]) {
        PetscCall(PetscOptionsHasName(NULL, NULL, name, &has));
        if (!has) PetscCall(PetscOptionsSetValue(NULL, name, NULL));
      }
      PetscCall(PetscStrncpy(name, tok, sizeof(name)));
    } else if (name[0]) {
      PetscBool has;
      PetscCall(PetscOptionsHasName(NULL, NULL, name, &has));
      if (!has) PetscCall(PetscOptionsSetValue(NULL, name, tok));
      name[0] = 0;
    }
  }
  if (name[0]) {
    PetscBool has;
    PetscCall(PetscOptionsHasName(NULL, NULL, name, &has));
    if (!has) PetscCall(PetscOptionsSetValue(NULL, name, NULL));
  }
  PetscCall(PetscFree(copy));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Progress on a terminal: one line, rewritten at most five times a second, with the step, the
   simulated time, the stack voltage and the hottest temperature; quiet when stderr is not a
   terminal (batch jobs, CI, pipes). */
typedef struct {
  SsbSim         sim;
  const SsbCase *c;
  double         last_wall;
  int            shown;
} Progress;

static void ProgressMonitor(void *ctx, double t, int step, const double *y, const double *yp)
{
  Progress *p    = (Progress *)ctx;
  double    wall = MPI_Wtime();
  if (wall - p->last_wall < 0.2) return;
  p->last_wall          = wall;
  int            nsteps = p->c->experiment.nsteps, cyc = nsteps ? step / nsteps : 0;
  const SsbStep *st   = nsteps ? &p->c->experiment.steps[step % nsteps] : NULL;
  double         Tmax = 0;
  for (int k = 0; k < p->c->stack.cells; k++) Tmax = PetscMax(Tmax, SsbSimCellTemperature(p->sim, y, k));
  fprintf(stderr, "\r  step %d/%d", step % (nsteps ? nsteps : 1) + 1, nsteps);
  if (p->c->experiment.cycles > 1) fprintf(stderr, " of cycle %d/%d", cyc + 1, p->c->experiment.cycles);
  fprintf(stderr, "  t = %.1f s  V = %.4f V  T max = %.2f K", t, SsbSimStackVoltage(p->sim, y), Tmax);
  const double frac = SsbSimStepFraction(p->sim, t, y);
  if (!isnan(frac)) fprintf(stderr, "  %3.0f %%", 100 * frac);
  if (st) fprintf(stderr, "  %.40s", st->text);
  fprintf(stderr, "   ");
  fflush(stderr);
  p->shown = 1;
}

/* The interfaces' space-charge layers (compact or resolved) in the results (docs/results.md): one compound
   record per side that has the layer, /cells/interface_<side> [T, N] with 5 fields, staged by the
   output monitor and written with the row. The monitor also draws the progress line (progress may
   be NULL). */
#define IFC_NFIELDS 5
typedef struct {
  SsbSim       sim;
  SsbResults   res;
  Progress    *progress;
  int          ncells, c0, c1, nid, id[2]; /* this rank writes the results of cells [c0, c1) */
  double      *buf;                        /* [c1 - c0][IFC_NFIELDS] */
  SsbCellDiag *d;
} IfcSeries;

static void IfcMonitor(void *ctx, double t, int step, const double *y, const double *yp)
{
  IfcSeries *s = (IfcSeries *)ctx;
  if (s->progress) ProgressMonitor(s->progress, t, step, y, yp);
  if (!s->nid || SsbSimDiagnostics(s->sim, y, yp, s->d)) return;
  for (int side = 0; side < 2; side++) {
    if (s->id[side] < 0) continue;
    for (int k = s->c0; k < s->c1; k++) {
      const SsbCellDiag *d = &s->d[k];
      double            *b = s->buf + IFC_NFIELDS * (k - s->c0);
      b[0]                 = d->scl_dphi[side];
      b[1]                 = d->scl_dcoat[side];
      b[2]                 = d->scl_sigma[side];
      b[3]                 = d->scl_C[side];
      b[4]                 = d->scl_R[side];
    }
    if (SsbResultsStageCellRecord(s->res, s->id[side], s->buf)) return;
  }
}

static PetscErrorCode IfcSeriesSetUp(const SsbCase *c, SsbSim sim, SsbResults res, Progress *progress, IfcSeries *s)
{
  static const char *const fields[IFC_NFIELDS] = {"space_charge_drop", "coating_drop", "space_charge_charge", "capacitance", "resistance"};
  PetscFunctionBeginUser;
  s->sim      = sim;
  s->res      = res;
  s->progress = progress;
  s->ncells   = c->stack.cells;
  s->nid      = 0;
  PetscCall(SsbSimGetCellRange(sim, &s->c0, &s->c1));
  for (int side = 0; side < 2; side++) {
    const SsbInterfaceSpec *is = side ? &c->cell.ifc_pos : &c->cell.ifc_neg;
    s->id[side]                = -1;
    if (!res || is->space_charge == SSB_SPACE_CHARGE_NONE) continue;
    char name[32], desc[768];
    snprintf(name, sizeof name, "interface_%s", side ? "positive" : "negative");
    snprintf(desc, sizeof desc,
             "%s space-charge layer of the %s interface of each cell [time, cell], per area of interface (a composite: the mean over its particle surfaces); fields: "
             "space_charge_drop (layer drop, electrolyte at the reaction plane minus bulk), coating_drop, space_charge_charge (the layer's; the electrode holds the opposite), "
             "capacitance (coating and layer in series%s), resistance (coating plus the layer's excess resistance, in the faradaic path%s)",
             is->space_charge == SSB_SPACE_CHARGE_COMPACT ? "compact" : "resolved (Poisson-Nernst-Planck)", side ? "positive" : "negative",
             is->space_charge == SSB_SPACE_CHARGE_RESOLVED ? "; the layer's: the equilibrium capacitance at the present potential profile" : "",
             is->space_charge == SSB_SPACE_CHARGE_RESOLVED ? "; the layer's: the dc resistance of the present concentration profile less the bulk's" : "");
    PetscCall(SsbResultsDefineCellRecord(res, name, IFC_NFIELDS, fields, "V, V, C/m^2, F/m^2, ohm*m^2", desc, &s->id[side]));
    s->nid++;
  }
  PetscCall(PetscMalloc2(IFC_NFIELDS * s->ncells, &s->buf, s->ncells, &s->d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode SsbAppInterfaceRecords(const SsbCase *c, SsbSim sim, SsbResults res, void **ctx)
{
  IfcSeries *s;
  PetscFunctionBeginUser;
  *ctx = NULL;
  PetscCall(PetscCalloc1(1, &s));
  PetscCall(IfcSeriesSetUp(c, sim, res, NULL, s));
  if (!s->nid) {
    PetscCall(PetscFree2(s->buf, s->d));
    PetscCall(PetscFree(s));
  } else
    *ctx = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

void SsbAppInterfaceMonitor(void *ctx, double t, int step, const double *y, const double *yp) { IfcMonitor(ctx, t, step, y, yp); }

PetscErrorCode SsbAppInterfaceRecordsFree(void **ctx)
{
  IfcSeries *s = (IfcSeries *)*ctx;
  PetscFunctionBeginUser;
  if (s) {
    PetscCall(PetscFree2(s->buf, s->d));
    PetscCall(PetscFree(s));
  }
  *ctx = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The energy-density inputs of a case: its packaging block (defaults: none) and the composite
   electrodes' conductive_density (NaN: the default). */
static PetscErrorCode CaseEnergyInputs(const SsbCase *c, SsbEnergyInputs *in)
{
  PetscFunctionBeginUser;
  SsbEnergyInputsDefault(in);
  in->conductive_density[0] = c->cell.neg.conductive_density;
  in->conductive_density[1] = c->cell.pos.conductive_density;
  if (c->packaging.given) PetscCall(SsbEnergyInputsSetPackaging(in, c->packaging.mass_per_area, c->packaging.thickness, c->packaging.tab_mass, c->packaging.tab_volume, c->packaging.footprint_ratio));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* bytes in use from malloc (glibc: every arena, and the mmapped chunks) */
static double HeapInUse(void)
{
  struct mallinfo2 mi = mallinfo2();
  return (double)mi.uordblks + (double)mi.hblkhd;
}

/* The simulation's memory after its set-up, on the rank that holds the most (SsbSimCreate allocates
   the Jacobian, the LU work space and IDA's vectors: a run adds about 1 % to it, and its output
   buffers up to 4 MiB per rank; benchmarks/stack_scaling/README.md), to size a job before running it. */
static PetscErrorCode PrintMemory(SsbSim sim, double bytes)
{
  MPI_Comm    comm = PETSC_COMM_WORLD;
  PetscMPIInt size;
  int         c0, c1;
  double      mine[2], most[2];
  PetscFunctionBeginUser;
  PetscCall(SsbSimGetCellRange(sim, &c0, &c1));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  mine[0] = bytes;
  mine[1] = c1 - c0;
  PetscCallMPI(MPI_Allreduce(mine, most, 2, MPI_DOUBLE, MPI_MAX, comm));
  PetscCall(PetscPrintf(comm, "memory               %.4g MB after set-up on the fullest of %d rank(s) (%.0f cells there, %.3g kB per cell); a run needs about 1 %% more, plus up to 4 MiB of output buffers per rank\n", most[0] / 1e6, size, most[1], most[1] > 0 ? most[0] / most[1] / 1e3 : 0.0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PrintCheck(const SsbCase *c, SsbSim sim)
{
  long   n;
  double i1c, cap, ocv;
  PetscFunctionBeginUser;
  PetscCall(SsbSimGetInfo(sim, &n, &i1c, &cap, &ocv));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "case                 %s%s%s\n", c->path, c->title ? ": " : "", c->title ? c->title : ""));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "cells                %d\n", c->stack.cells));
  for (int p = 0; p < c->stack.nrealized; p++) {
    /* the random per-cell values drawn (stack.variation), as a range and the first cells */
    const double *v  = c->stack.realized + (size_t)p * c->stack.cells;
    double        lo = v[0], hi = v[0], mean = 0;
    for (int k = 0; k < c->stack.cells; k++) {
      lo = PetscMin(lo, v[k]);
      hi = PetscMax(hi, v[k]);
      mean += v[k] / c->stack.cells;
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "variation            %s: mean %.6g, min %.6g, max %.6g (SI); cells 1-%d:", c->stack.realized_names[p], mean, lo, hi, PetscMin(c->stack.cells, 5)));
    for (int k = 0; k < PetscMin(c->stack.cells, 5); k++) PetscCall(PetscPrintf(PETSC_COMM_WORLD, " %.6g", v[k]));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "area                 %g cm^2\n", c->cell.area * 1e4));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "capacity             %.6g mAh/cm^2 = %.6g Ah (theoretical, positive electrode between its charged and discharged stoichiometry)\n", cap / 3.6 / 1e4, cap * c->cell.area / 3600.0));
  {
    const SsbCellModel *m;
    PetscCall(SsbSimGetCellModel(sim, &m));
    double cs[2];
    for (int e = 0; e < 2; e++) cs[e] = m->side[e].kind == SSB_ELECTRODE_LITHIUM_METAL ? m->side[e].h0 / m->side[e].Vm_li * SSB_FARADAY : m->side[e].capacity;
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "electrodes           negative %.6g mAh/cm^2%s, positive %.6g mAh/cm^2%s, N/P = %.3g\n", cs[0] / 3.6 / 1e4, m->side[0].kind == SSB_ELECTRODE_LITHIUM_METAL ? " (Li inventory)" : "", cs[1] / 3.6 / 1e4, m->side[1].kind == SSB_ELECTRODE_LITHIUM_METAL ? " (Li inventory)" : "", cs[0] / cs[1]));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "1C current           %.6g mA/cm^2 = %.6g A\n", i1c / 10.0, i1c * c->cell.area));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "initial OCV          %.6g V\n", ocv));
  {
    /* electronic leakage through the separator: the open-circuit self-discharge at the initial OCV */
    double se = c->cell.sep.electrolyte->el.electronic_conductivity;
    if (!isnan(se) && se > 0) {
      double ileak = se * ocv / c->cell.sep.thickness, month = 30 * 86400.0;
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "self-discharge       %.4g A/m^2 leakage at the initial OCV (R_leak = %.4g ohm cm^2): %.4g mAh/cm^2 = %.3g %% of the capacity per 30 days\n", ileak, c->cell.sep.thickness / se * 1e4, ileak * month / 3.6 / 1e4, 100 * ileak * month / cap));
    } else
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "self-discharge       none (the separator's electrolyte has no electronic conductivity)\n"));
  }
  {
    /* compact space-charge layers at the initial state (cell 1; docs/space-charge.md) */
    const SsbCellModel *m;
    long                ny;
    double             *y, *yp;
    SsbCellDiag        *d;
    PetscCall(SsbSimGetCellModel(sim, &m));
    PetscCall(SsbSimGetState(sim, &ny, &y, &yp));
    PetscCall(PetscMalloc1(c->stack.cells, &d));
    PetscCall(SsbSimDiagnostics(sim, y, yp, d));
    for (int e = 0; e < 2; e++) {
      const SsbSide *sd = &m->side[e];
      if (!sd->scl && !sd->pnp) continue;
      if (sd->pnp)
        PetscCall(PetscPrintf(PETSC_COMM_WORLD, "space charge         %s interface: resolved layer on %d cells over %.4g nm (%.4g Debye lengths), first cell %.3g nm; Li+ diffusivity %.4g m^2/s (Nernst-Einstein), fastest relaxation %.3g s\n", e ? "positive" : "negative", sd->pnp_n, 1e9 * sd->pnp_L,
                              sd->pnp_L / sd->scl_lam, 1e9 * sd->pnp_h[0], sd->pnp_D, sd->pnp_h[0] * sd->pnp_h[0] / sd->pnp_D));
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "space charge         %s interface: Debye length %.4g nm; initial layer drop %.4g V + coating %.4g V, charge %.4g C/m^2, capacitance %.4g F/m^2, resistance %.4g ohm cm^2 (coating %.4g), relaxation time %.3g s\n", e ? "positive" : "negative",
                            1e9 * sd->scl_lam, d[0].scl_dphi[e], d[0].scl_dcoat[e], d[0].scl_sigma[e], d[0].scl_C[e], 1e4 * d[0].scl_R[e], 1e4 * sd->R_coat, sd->scl_Rrelax * d[0].scl_C[e]));
    }
    PetscCall(PetscFree(d));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "temperature          %.2f K (%.2f degC)\n", c->thermal.initial_temperature, c->thermal.initial_temperature - 273.15));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "unknowns             %ld\n", n));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "experiment           %d step(s) x %d cycle(s)\n", c->experiment.nsteps, c->experiment.cycles));
  for (int i = 0; i < c->experiment.nsteps; i++) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %2d  %s\n", i + 1, c->experiment.steps[i].text));
  {
    /* energy density (docs/energy-density.md) */
    SsbEnergyInputs in;
    SsbEnergyReport er;
    char           *text;
    PetscCall(CaseEnergyInputs(c, &in));
    PetscCall(SsbEnergyReportCompute(c, &in, &er));
    PetscCall(SsbEnergyReportText(&er, NULL, &text));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s", text));
    PetscCall(PetscFree(text));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Energy-density attributes of the results file: the theoretical (and nominal) Wh/kg and Wh/L of
   the mono cell and the stack, and the report text with every input. The delivered figures are
   written after the run (energy_density_delivered_*). */
static PetscErrorCode WriteEnergyAttributes(const SsbCase *c, SsbResults res)
{
  SsbEnergyInputs in;
  SsbEnergyReport er;
  char           *text;
  PetscFunctionBeginUser;
  PetscCall(CaseEnergyInputs(c, &in));
  PetscCall(SsbEnergyReportCompute(c, &in, &er));
  PetscCall(SsbEnergyReportText(&er, NULL, &text));
  PetscCall(SsbResultsSetAttributeString(res, NULL, "energy_density_report", text));
  PetscCall(PetscFree(text));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_theoretical_Wh_per_m2", er.energy / 3600.0));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "mean_ocv_theoretical_V", er.mean_ocv));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_theoretical_cell_Wh_per_kg", er.cell_theoretical.wh_kg));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_theoretical_cell_Wh_per_L", er.cell_theoretical.wh_l));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_theoretical_stack_Wh_per_kg", er.stack_theoretical.wh_kg));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_theoretical_stack_Wh_per_L", er.stack_theoretical.wh_l));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_nominal_cell_Wh_per_kg", er.cell_nominal.wh_kg));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_nominal_cell_Wh_per_L", er.cell_nominal.wh_l));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_nominal_stack_Wh_per_kg", er.stack_nominal.wh_kg));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_nominal_stack_Wh_per_L", er.stack_nominal.wh_l));
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_mass_incomplete", er.incomplete ? 1.0 : 0.0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The attributes of a results file written before the run: the self-discharge per 30 days and the
   energy-density report (run and sweep). */
PetscErrorCode SsbAppWriteRunAttributes(const SsbCase *c, SsbSim sim, SsbResults res)
{
  double se = c->cell.sep.electrolyte->el.electronic_conductivity, ocv, cap;
  PetscFunctionBeginUser;
  PetscCall(SsbSimGetInfo(sim, NULL, NULL, &cap, &ocv));
  /* fraction of the capacity lost per 30 days at open circuit through the separator's electronic leakage */
  PetscCall(SsbResultsSetAttributeNumber(res, NULL, "self_discharge_per_30_days", isnan(se) ? 0.0 : se * ocv / c->cell.sep.thickness * 30 * 86400.0 / cap));
  PetscCall(WriteEnergyAttributes(c, res));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* After the run: the delivered energy (the integral of I V_stack dt, J/m^2) and energy densities of
   the mono cell and the stack, returned and written as attributes (res may be NULL). */
PetscErrorCode SsbAppDeliveredEnergy(const SsbCase *c, SsbSim sim, SsbResults res, double *E, SsbEnergyFigures *fc, SsbEnergyFigures *fs)
{
  SsbEnergyInputs in;
  SsbEnergyReport er;
  PetscFunctionBeginUser;
  PetscCall(CaseEnergyInputs(c, &in));
  PetscCall(SsbEnergyReportCompute(c, &in, &er));
  PetscCall(SsbSimGetEnergy(sim, E));
  SsbEnergyDeliveredFigures(&er, *E, fc, fs);
  if (res) {
    PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_delivered_Wh_per_m2", *E / 3600.0));
    PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_delivered_cell_Wh_per_kg", fc->wh_kg));
    PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_delivered_cell_Wh_per_L", fc->wh_l));
    PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_delivered_stack_Wh_per_kg", fs->wh_kg));
    PetscCall(SsbResultsSetAttributeNumber(res, NULL, "energy_density_delivered_stack_Wh_per_L", fs->wh_l));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ssbsim import-bpx FILE.json [-o CASE.yaml]: the case (default: the JSON's base name + .yaml in the
   current directory) and its materials beside it (CASE_materials.yaml); the written case is read back
   with SsbCaseRead, so an import that the reader would reject is an error too. Returns the exit status. */
static int ImportBpx(const char *json, const char *out)
{
  char           casef[PETSC_MAX_PATH_LEN], matf[PETSC_MAX_PATH_LEN];
  const char    *slash = strrchr(json, '/');
  size_t         len;
  SsbCase       *c = NULL;
  PetscErrorCode ierr;
  if (out)
    snprintf(casef, sizeof casef, "%s", out);
  else {
    snprintf(casef, sizeof casef, "%s", slash ? slash + 1 : json);
    len = strlen(casef);
    if (len > 5 && !strcmp(casef + len - 5, ".json")) casef[len - 5] = 0;
    strncat(casef, ".yaml", sizeof casef - strlen(casef) - 1);
  }
  snprintf(matf, sizeof matf, "%s", casef);
  len = strlen(matf);
  if (len > 5 && !strcmp(matf + len - 5, ".yaml"))
    matf[len - 5] = 0;
  else if (len > 4 && !strcmp(matf + len - 4, ".yml"))
    matf[len - 4] = 0;
  strncat(matf, "_materials.yaml", sizeof matf - strlen(matf) - 1);
  PetscCallAbort(PETSC_COMM_WORLD, PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = SsbBpxImport(json, casef, matf, NULL);
  if (!ierr) ierr = SsbCaseRead(casef, 0, NULL, &c);
  PetscCallAbort(PETSC_COMM_WORLD, PetscPopErrorHandler());
  if (ierr) {
    fprintf(stderr, "ssbsim: import-bpx: %s could not be imported%s\n", json, ierr == SSB_ERR_INPUT ? "" : " (internal error)");
    SsbCaseDestroy(&c);
    return ierr == SSB_ERR_INPUT ? SSB_EXIT_INPUT : SSB_EXIT_IO;
  }
  SsbCaseDestroy(&c);
  printf("ssbsim: imported %s: case %s, materials %s (check it: ssbsim check %s)\n", json, casef, matf, casef);
  return SSB_EXIT_OK;
}

int main(int argc, char **argv)
{
  const char    *cmd = NULL, *casefile = NULL, *out = NULL, *chkfile = NULL;
  char           chkbuf[PETSC_MAX_PATH_LEN], outbuf[PETSC_MAX_PATH_LEN];
  const char   **sets, **varies;
  int            nset = 0, nvary = 0, exitcode = SSB_EXIT_OK;
  SsbCase       *c   = NULL;
  SsbSim         sim = NULL;
  SsbResults     res = NULL;
  PetscErrorCode ierr;
  double         heap0;

  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--version")) {
      printf("ssbsim %s\n", SSB_VERSION);
      return 0;
    }
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage, stdout);
      return 0;
    }
  }
  ierr = PetscInitialize(&argc, &argv, NULL, NULL);
  if (ierr) return SSB_EXIT_IO;
  /* default signal behaviour: `ssbsim check case.yaml | head` ends quietly on SIGPIPE */
  PetscCall(PetscPopSignalHandler());
  sets   = (const char **)calloc((size_t)argc, sizeof(char *));
  varies = (const char **)calloc((size_t)argc, sizeof(char *));
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--set") && i + 1 < argc)
      sets[nset++] = argv[++i];
    else if (!strncmp(argv[i], "--set=", 6))
      sets[nset++] = argv[i] + 6;
    else if (!strcmp(argv[i], "--vary") && i + 1 < argc)
      varies[nvary++] = argv[++i];
    else if (!strncmp(argv[i], "--vary=", 7))
      varies[nvary++] = argv[i] + 7;
    else if (!strcmp(argv[i], "-o")) {
      if (i + 1 == argc || !argv[i + 1][0]) {
        fprintf(stderr, "ssbsim: -o needs a file name (a directory for sweep)\n%s", usage);
        exitcode = SSB_EXIT_INPUT;
        goto finish;
      }
      out = argv[++i];
    } else if (argv[i][0] != '-' && !cmd)
      cmd = argv[i];
    else if (argv[i][0] != '-' && !casefile)
      casefile = argv[i];
    else if (argv[i][0] == '-' && argv[i][1] == '-') {
      fprintf(stderr, "ssbsim: unknown option '%s'\n%s", argv[i], usage);
      exitcode = SSB_EXIT_INPUT;
      goto finish;
    } else if (argv[i][0] == '-' && i + 1 < argc && argv[i + 1][0] != '-')
      i++; /* a PETSc option and its value */
  }
  if (cmd && casefile && !strcmp(cmd, "import-bpx")) {
    exitcode = ImportBpx(casefile, out);
    goto finish;
  }
  if (nvary && (!cmd || strcmp(cmd, "sweep"))) {
    fprintf(stderr, "ssbsim: --vary belongs to the sweep command\n%s", usage);
    exitcode = SSB_EXIT_INPUT;
    goto finish;
  }
  if (cmd && casefile && !strcmp(cmd, "sweep")) {
    exitcode = SsbSweep(casefile, nset, sets, nvary, varies, out);
    goto finish;
  }
  if (!cmd || !casefile || (strcmp(cmd, "run") && strcmp(cmd, "check") && strcmp(cmd, "restart"))) {
    fputs(usage, stderr);
    exitcode = SSB_EXIT_INPUT;
    goto finish;
  }
  if (!strcmp(cmd, "restart")) {
    /* the case as the checkpointed run resolved it; checkpoints continue to go to the same file */
    char        *case_path = NULL, *case_text = NULL, *profiles = NULL, *final = NULL;
    const char **paths  = NULL;
    int          npaths = 0;
    if (nset) {
      fprintf(stderr, "ssbsim: restart continues the checkpointed case unchanged: --set is not allowed\n");
      exitcode = SSB_EXIT_INPUT;
      goto finish;
    }
    chkfile = casefile;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = SsbCheckpointReadCase(chkfile, &case_path, &case_text, &profiles, &final);
    if (!ierr) { /* one line per step: the profile file the original run read */
      int nl = 0;
      for (const char *p = profiles; *p; p++) nl += *p == '\n';
      PetscCall(PetscMalloc1(nl + 1, &paths));
      for (char *p = profiles, *e; (e = strchr(p, '\n')); p = e + 1) {
        *e              = 0;
        paths[npaths++] = p;
      }
      ierr = SsbCaseReadText(case_path, case_text, npaths, paths, &c);
    }
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      fprintf(stderr, "ssbsim: restart: '%s' cannot be used: %s\n", chkfile, ierr == PETSC_ERR_FILE_OPEN ? "no such file or not readable" : ierr == SSB_ERR_INPUT ? "not an ssbsim checkpoint (or its case is invalid)"
                                                                                                                                                                  : "unreadable checkpoint");
      PetscCall(PetscFree(case_path));
      PetscCall(PetscFree(case_text));
      PetscCall(PetscFree(profiles));
      PetscCall(PetscFree(paths));
      PetscCall(PetscFree(final));
      exitcode = ierr == SSB_ERR_INPUT ? SSB_EXIT_INPUT : SSB_EXIT_IO;
      goto finish;
    }
    PetscCall(PetscFree(case_path));
    PetscCall(PetscFree(case_text));
    PetscCall(PetscFree(profiles));
    PetscCall(PetscFree(paths));
    {
      /* the linear solver of the checkpointed run, unless the command line chooses one: the
         restart then repeats the same factorisations and continues exactly, on any number of ranks
         (the block elimination is partition-independent; PETSc's LU runs on one rank only) */
      const char *opts[] = {"-ssb_linear_solver", "-ksp_type", "-pc_type", "-pc_factor_mat_solver_type", "-pc_factor_mat_ordering_type"};
      PetscBool   has, user = PETSC_FALSE;
      char        kind[32];
      PetscMPIInt size;
      for (int i = 0; i < 5; i++) {
        PetscCall(PetscOptionsHasName(NULL, NULL, opts[i], &has));
        user = (PetscBool)(user || has);
      }
      PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
      PetscCall(SsbCheckpointReadLinearSolver(chkfile, kind, sizeof kind));
      if (!user && (!strcmp(kind, "bordered") || (!strcmp(kind, "petsc") && size == 1))) PetscCall(PetscOptionsSetValue(NULL, "-ssb_linear_solver", kind));
    }
    if (final) { /* output.checkpoint_at_end: the run had finished */
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ssbsim: restart: the run checkpointed in '%s' had finished (%s): nothing to continue\n", chkfile, final));
      PetscCall(PetscFree(final));
      goto finish;
    }
    if (!out) { /* CHECKPOINT.h5 -> CHECKPOINT.restart.h5 (a .chk.h5 name loses its .chk) */
      size_t len;
      PetscCall(PetscStrncpy(outbuf, chkfile, sizeof(outbuf)));
      len = strlen(outbuf);
      if (len > 3 && !strcmp(outbuf + len - 3, ".h5")) outbuf[len -= 3] = 0;
      if (len > 4 && !strcmp(outbuf + len - 4, ".chk")) outbuf[len - 4] = 0;
      PetscCall(PetscStrlcat(outbuf, ".restart.h5", sizeof(outbuf)));
      out = outbuf;
    }
  } else {
    /* Input errors print their own file:line:column messages: no PETSc traceback for them. */
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = SsbCaseRead(casefile, nset, sets, &c);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      exitcode = SSB_EXIT_INPUT;
      goto finish;
    }
  }
  PetscCall(SsbAppInsertCaseOptions(c->solver.petsc_options));
  heap0 = HeapInUse();
  ierr  = SsbSimCreate(PETSC_COMM_WORLD, c, &sim);
  if (ierr) {
    fprintf(stderr, "%s: error: the case could not be set up (see the message above)\n", casefile);
    exitcode = SSB_EXIT_INPUT;
    goto finish;
  }
  if (!strcmp(cmd, "check")) {
    PetscCall(PrintCheck(c, sim));
    PetscCall(PrintMemory(sim, HeapInUse() - heap0));
    goto finish;
  }
  {
    const char *file = out ? out : c->output.file;
    const char *status;
    if (!chkfile) { /* output.checkpoint, else <results stem>.chk.h5 */
      if (c->output.checkpoint)
        PetscCall(PetscStrncpy(chkbuf, c->output.checkpoint, sizeof(chkbuf)));
      else {
        size_t len;
        PetscCall(PetscStrncpy(chkbuf, file, sizeof(chkbuf)));
        len = strlen(chkbuf);
        if (len > 3 && !strcmp(chkbuf + len - 3, ".h5")) chkbuf[len - 3] = 0;
        PetscCall(PetscStrlcat(chkbuf, ".chk.h5", sizeof(chkbuf)));
      }
      chkfile = chkbuf;
    }
    char csv[PETSC_MAX_PATH_LEN] = "";
    /* the CSV summary goes beside the results file: -o run.h5 gives run.csv */
    if (c->output.csv && c->output.csv[0]) {
      if (out) {
        size_t len = strlen(out);
        PetscCall(PetscStrncpy(csv, out, sizeof(csv)));
        if (len > 3 && !strcmp(out + len - 3, ".h5")) csv[len - 3] = 0;
        PetscCall(PetscStrlcat(csv, ".csv", sizeof(csv)));
      } else
        PetscCall(PetscStrncpy(csv, c->output.csv, sizeof(csv)));
    }
    /* never write an output over an input: the case file, an included file, a profile read by a
       'Run profile' step or (restart) the checkpoint being continued from */
    {
      const char *outs[3]  = {file, csv[0] ? csv : NULL, chkfile};
      const char *kinds[3] = {"results", "CSV summary", "checkpoint"};
      const int   restart  = !strcmp(cmd, "restart");
      for (int o = 0; o < 3; o++) {
        char b[PATH_MAX];
        if (!outs[o] || !realpath(outs[o], b)) continue;
        for (int i = 0; i < c->nfiles + c->experiment.nsteps + 1; i++) {
          const SsbStep *st = i >= c->nfiles && i < c->nfiles + c->experiment.nsteps ? &c->experiment.steps[i - c->nfiles] : NULL;
          const char    *in = i < c->nfiles ? c->files[i] : st ? (st->kind == SSB_STEP_PROFILE ? st->profile_file : NULL)
                                                               : (restart && o < 2 ? chkfile : NULL);
          char           a[PATH_MAX];
          if (!in || !realpath(in, a) || strcmp(a, b)) continue;
          if (st)
            fprintf(stderr, "%s: error: the %s would overwrite the profile '%s' of step %d; choose another %s\n", casefile, kinds[o], in, i - c->nfiles + 1, o == 2 ? "output.checkpoint" : "-o name");
          else
            fprintf(stderr, "%s: error: the %s would overwrite %s '%s'; choose another %s\n", casefile, kinds[o], i == 0 ? "the case file" : i < c->nfiles ? "the included file"
                                                                                                                                                           : "the checkpoint",
                    in, o == 2 ? "output.checkpoint" : "-o name");
          exitcode = SSB_EXIT_INPUT;
          goto finish;
        }
      }
    }
    int c0, c1;
    PetscCall(SsbSimGetCellRange(sim, &c0, &c1));
    ierr = SsbResultsCreate(PETSC_COMM_WORLD, file, csv, c, c->stack.cells, c0, c1 - c0, &res);
    if (!ierr) PetscCall(SsbAppWriteRunAttributes(c, sim, res));
    /* a continued run says where it came from: its rows begin at the checkpoint's time */
    if (!ierr && !strcmp(cmd, "restart")) PetscCall(SsbResultsSetAttributeString(res, NULL, "restarted_from", chkfile));
    if (ierr) {
      fprintf(stderr, "ssbsim: error: cannot create the results file '%s'\n", file);
      exitcode = SSB_EXIT_IO;
      goto finish;
    }
    char      energy_line[256];
    Progress  prog = {sim, c, 0, 0};
    IfcSeries ifcs = {0};
    if (!strcmp(cmd, "restart")) {
      PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
      ierr = SsbSimLoadCheckpoint(sim, chkfile);
      PetscCall(PetscPopErrorHandler());
      if (ierr) {
        fprintf(stderr, "ssbsim: restart: '%s' does not fit its own case (damaged checkpoint?)\n", chkfile);
        exitcode = ierr == SSB_ERR_INPUT ? SSB_EXIT_INPUT : SSB_EXIT_IO;
        goto finish;
      }
    }
    /* a batch system's SIGTERM (or ^C) ends the run with a checkpoint, not in the middle of a write */
    PetscCall(SsbSimSetCheckpoint(sim, chkfile, c->output.checkpoint_interval, c->output.checkpoint_at_end ? PETSC_TRUE : PETSC_FALSE));
    PetscCall(SsbSimInstallSignalHandlers());
    PetscCall(IfcSeriesSetUp(c, sim, res, isatty(fileno(stderr)) && !getenv("CI") ? &prog : NULL, &ifcs));
    if (ifcs.progress || ifcs.nid) PetscCall(SsbSimSetMonitor(sim, IfcMonitor, &ifcs));
    ierr = SsbSimRun(sim, res, &status);
    PetscCall(SsbSimSetMonitor(sim, NULL, NULL));
    PetscCall(PetscFree2(ifcs.buf, ifcs.d));
    if (prog.shown) fprintf(stderr, "\n");
    if (ierr) {
      fprintf(stderr, "ssbsim: error: the run stopped on an internal error; results so far are in '%s'\n", file);
      if (res) SsbResultsSetStatus(res, "failed: internal error");
      exitcode = SSB_EXIT_SOLVER;
      goto finish;
    }
    {
      /* delivered energy and energy densities of the run (the integral of I V_stack dt) */
      energy_line[0] = 0;
      SsbEnergyFigures fc, fs;
      double           E;
      PetscCall(SsbAppDeliveredEnergy(c, sim, res, &E, &fc, &fs));
      /* E is the net energy of the whole run: with charging steps (or a hold, or a profile that
         charges) it is discharge minus charge, and an energy density of it means nothing */
      int charges = E <= 0;
      for (int i = 0; i < c->experiment.nsteps; i++) {
        const SsbStep *st = &c->experiment.steps[i];
        charges |= (st->kind == SSB_STEP_CURRENT && st->current.value < 0) || (st->kind == SSB_STEP_POWER && st->power < 0) || st->kind == SSB_STEP_VOLTAGE;
        for (int j = 0; st->kind == SSB_STEP_PROFILE && j < st->profile_n; j++) charges |= st->profile_v[j] < 0;
      }
      if (charges)
        snprintf(energy_line, sizeof(energy_line), "  net energy delivered %.6g Wh/m^2 (discharge minus charge over the run; per cycle: scripts/cycle_summary.py)\n", E / 3600.0);
      else
        snprintf(energy_line, sizeof(energy_line), "  energy delivered %.6g Wh/m^2 (%.4g Wh/kg, %.4g Wh/L of the %s)\n", E / 3600.0, c->stack.cells > 1 ? fs.wh_kg : fc.wh_kg, c->stack.cells > 1 ? fs.wh_l : fc.wh_l, c->stack.cells > 1 ? "stack" : "cell");
    }
    SsbSimStats st;
    long        n;
    PetscCall(SsbSimGetStats(sim, &st));
    PetscCall(SsbSimGetInfo(sim, &n, NULL, NULL, NULL));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %s\n", casefile, status));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %ld unknowns, %ld steps, %ld residuals, %ld Jacobians, %ld factorisations, %ld Newton iterations, %.3f s\n", n, st.steps, st.res_evals, st.jac_evals, st.lin_setups, st.newton_iters, st.wall));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  results: %s%s%s\n", file, csv[0] ? ", " : "", csv));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s", energy_line));
    if (!strncmp(status, "failed", 6)) exitcode = SSB_EXIT_SOLVER;
    if (!strncmp(status, "interrupted", 11)) {
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  continue with: ssbsim restart %s\n", chkfile));
      exitcode = SSB_EXIT_INTERRUPTED;
    }
  }

finish:
  if (res) PetscCall(SsbResultsDestroy(&res));
  PetscCall(SsbSimDestroy(&sim));
  PetscCall(SsbCaseDestroy(&c));
  free(sets);
  free(varies);
  PetscCall(PetscFinalize());
  return exitcode;
}
