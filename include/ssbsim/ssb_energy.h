/* ssb_energy.h -- energy density of a cell and of a stack (docs/energy-density.md).

   From the Case: the mass and thickness of every layer per unit cell area (Li metal: thickness x
   density; composite: thickness x (eps_active rho_active + eps_electrolyte rho_electrolyte +
   eps_conductive rho_conductive); dense: thickness x rho; separator: thickness x rho of its
   electrolyte; collectors, bipolar plates, end plates: thickness x rho of their conductor), plus the
   packaging (SsbEnergyInputs: not in the case file yet). A density that is not given makes that
   layer (or phase) count as zero mass and marks the report incomplete: its Wh/kg are then upper
   bounds, and the printed report names what was excluded.

   Energies (all per unit cell area, J/m^2):
     theoretical  from the charged state (every intercalation electrode at stoichiometry_charged),
                  the integral of the open-circuit voltage U+(x+(q)) - U-(x-(q)) over the charge q
                  passed up to the theoretical capacity (the smaller intercalation electrode's
                  window, as SsbSimGetInfo); each electrode's x moves from its charged toward its
                  discharged stoichiometry at the rate 1/(its window capacity); Li metal has U = 0.
     nominal      the material's specific_capacity x active mass (the smaller electrode's) times
                  the theoretical mean OCV; NaN if a specific_capacity or density is missing.
     delivered    given: the integral of V I dt of a run (SsbEnergyDelivered).

   Packagings (area A = cell.area):
     layers       the electrochemical layers of the base cell only (negative, separator, positive).
     mono cell    CC- + layers + CC+ + one package (pouch mass_per_area and thickness, tabs). End
                  plates are stack hardware: not in a mono cell.
     stack        end plate + CC- + N cells + (N - 1) bipolar plates + CC+ + end plate + one package.
                  The cells' energies are summed over the stack's common charge (the smallest cell
                  capacity: a series string). Also given without the end plates.
   "Bipolar against mono-cell packaging": the stack against N mono cells (the same Wh/kg and Wh/L as
   one mono cell). */
#pragma once
#include <ssbsim/ssb_case.h>

/* Default density of the conductive phase of a composite electrode when none is given: 1830 kg/m^3,
   the conducting additive of the positive coating in BattMo's NMC/graphite parameter set
   (BattMoTeam/BattMo @ 3eddc4f30e38e6b7083b80c2820711913b5e1ffc,
   ParameterData/BatteryCellParameters/LithiumIonBatteryCell/lithium_ion_battery_nmc_graphite.json:
   ConductingAdditive density 1.83 g/cm^3 positive, 1.95 g/cm^3 negative) [read]. */
#define SSB_CONDUCTIVE_DENSITY_DEFAULT 1830.0

/* Inputs of the energy-density report that the case file does not hold (yet). Proposed case keys
   (docs/energy-density.md): packaging.{mass_per_area, thickness, tab_mass, tab_volume,
   footprint_ratio} and cell.negative/positive.conductive_density. */
typedef struct {
  double pack_mass_per_area;    /* kg/m^2 of cell area: pouch foil, both walls, seals (default 0) */
  double pack_thickness;        /* m: both walls together, added to the thickness (default 0) */
  double tab_mass;              /* kg: all tabs of one package (default 0) */
  double tab_volume;            /* m^3: all tabs of one package, outside the pouch (default 0) */
  double footprint_ratio;       /* package footprint / cell area, >= 1: seal margins (default 1) */
  double conductive_density[2]; /* kg/m^3 of the conductive phase, negative [0] and positive [1];
                                   NaN: SSB_CONDUCTIVE_DENSITY_DEFAULT. 0 models a void phase. */
} SsbEnergyInputs;

/* Defaults: no packaging, footprint ratio 1, conductive density NaN (the default). */
void SsbEnergyInputsDefault(SsbEnergyInputs *in);
/* The packaging block in SI (for the case reader to call): mass_per_area kg/m^2, thickness m,
   tab_mass kg, tab_volume m^3, footprint_ratio >= 1 (NaN: 1). Errors (PETSC_ERR_ARG_OUTOFRANGE) for
   negative values or a footprint ratio below 1. */
PetscErrorCode SsbEnergyInputsSetPackaging(SsbEnergyInputs *in, double mass_per_area, double thickness, double tab_mass, double tab_volume, double footprint_ratio);

enum { SSB_ENERGY_NEGATIVE = 0,
       SSB_ENERGY_SEPARATOR,
       SSB_ENERGY_POSITIVE,
       SSB_ENERGY_CC_NEGATIVE,
       SSB_ENERGY_CC_POSITIVE,
       SSB_ENERGY_BIPOLAR,
       SSB_ENERGY_END_PLATE,
       SSB_ENERGY_PACKAGE,
       SSB_ENERGY_NLAYERS };

/* One layer (of the base cell), per unit cell area. */
typedef struct {
  const char *name;        /* "negative electrode", "separator", ... */
  int         present;     /* 0: not in this design (absent collector, no packaging ...) */
  int         missing;     /* a density was not given: `mass` excludes what is named in `detail` */
  double      thickness;   /* m (Li metal: at full charge; see docs) */
  double      mass;        /* kg/m^2 */
  char        detail[320]; /* the inputs used, e.g. "li_metal 40 um x 534 kg/m^3" */
} SsbEnergyLayer;

typedef struct {
  double wh_kg, wh_l;
} SsbEnergyFigures;

typedef struct {
  SsbEnergyInputs  in;
  double           area; /* m^2 */
  int              ncells;
  double           temperature; /* K: the OCPs are evaluated at the initial temperature */
  SsbEnergyLayer   layer[SSB_ENERGY_NLAYERS];
  double           capacity;                      /* theoretical, base cell, C/m^2 */
  double           energy;                        /* theoretical, base cell, J/m^2 */
  double           mean_ocv;                      /* energy / capacity, V */
  double           capacity_nominal;              /* C/m^2, NaN if not available */
  double           energy_nominal;                /* J/m^2, NaN if not available */
  double           layers_mass, layers_thickness; /* kg/m^2, m: negative + separator + positive */
  double           cell_mass, cell_volume;        /* mono cell, absolute: kg, m^3 */
  double           stack_capacity, stack_energy;  /* C/m^2 (common charge), J/m^2 (sum of the cells) */
  double           stack_mass, stack_volume;      /* kg, m^3 (with end plates and package) */
  double           stack_mass_noend, stack_volume_noend;
  int              incomplete; /* some layer's mass is missing: Wh/kg are upper bounds */
  SsbEnergyFigures layers_theoretical, cell_theoretical, stack_theoretical, stack_noend_theoretical;
  SsbEnergyFigures cell_nominal, stack_nominal; /* NaN if no nominal energy */
} SsbEnergyReport;

/* Compute the report of a case (every cell of c->stack.cell; the base cell c->cell for the layers and
   the mono cell). in may be NULL (defaults). Missing densities are not errors. */
PetscErrorCode SsbEnergyReportCompute(const SsbCase *c, const SsbEnergyInputs *in, SsbEnergyReport *r);
/* The report as text (every input used, what is missing and excluded, the figures), allocated with
   PetscMalloc (free with PetscFree); every line starts with `prefix` (may be NULL). */
PetscErrorCode SsbEnergyReportText(const SsbEnergyReport *r, const char *prefix, char **text);

/* Delivered energy of a time series: the trapezoidal integral of V I dt over n samples (t in s, V in
   V, I in A/m^2 + discharge, or A); J/m^2 (or J). Charge intervals (I < 0) count negative. */
double SsbEnergyDelivered(int n, const double *t, const double *V, const double *cur);
/* Delivered energy densities from the stack's delivered energy per unit cell area (J/m^2): the stack
   figure, and the mono cell's with E_stack/N per cell (may be NULL each). */
void SsbEnergyDeliveredFigures(const SsbEnergyReport *r, double stack_energy_per_area, SsbEnergyFigures *cell, SsbEnergyFigures *stack);
