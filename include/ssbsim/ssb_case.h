/* ssb_case.h -- the Case: everything a run needs, read from a YAML case file, in SI units.

   io/ reads and validates the case file (SsbCaseRead) into these plain structs; afterwards the Case is
   immutable. The YAML keys (interface.md, docs/case-files.md) map to members as the comments say.
   Units: every member is SI (m, s, A, V, K, mol, J, S/m ...); the unit in the comment is the SI unit.
   "unset" means NaN for doubles (test with isnan), -1 for ints, NULL for pointers.

   Material files: a top-level `materials:` mapping of name -> material. Every material has `kind:`
   (intercalation | lithium_metal | electrolyte | conductor) and `source:` (citation string, required). */
#pragma once
#include <ssbsim/ssb_func.h>

#define SSB_NAME_LEN 64

typedef enum { SSB_MATERIAL_INTERCALATION = 0,
               SSB_MATERIAL_LITHIUM_METAL,
               SSB_MATERIAL_ELECTROLYTE,
               SSB_MATERIAL_CONDUCTOR } SsbMaterialKind;
typedef enum { SSB_TRANSPORT_SINGLE_ION = 0,
               SSB_TRANSPORT_BINARY,
               SSB_TRANSPORT_DISSOCIATION } SsbTransport;

/* Thermal data of any material (optional; NaN if not given). Keys: density, heat_capacity,
   thermal_conductivity. */
typedef struct {
  double density;              /* kg/m^3 */
  double heat_capacity;        /* J/(kg K) */
  double thermal_conductivity; /* W/(m K) */
} SsbThermalProps;

/* kind: intercalation. Keys:
     max_concentration (mol/m^3, required)
     ocp: number | table | expression in x and T (V vs Li/Li+, required); x = c/c_max
     entropic_coefficient: function of x (V/K), optional (-> entropic, NONE if absent)
     diffusivity: function of x (and T) (m^2/s, required); diffusivity_activation_energy (J/mol, 0)
     rate_constant k (SI: for i0 = F k c_e^a (c_max-c)^a c^(1-a)) XOR exchange_current_density
       (A/m^2, i0 at x = exchange_current_stoichiometry (default 0.5) and the electrolyte
       concentration); transfer_coefficient a (default 0.5); kinetics_activation_energy (J/mol, 0)
     electronic_conductivity (S/m, optional default for electrodes of this material)
     stoichiometry_charged, stoichiometry_discharged: x at 100 % and 0 % state of charge (required)
     specific_capacity (A*h/kg, optional), plus thermal props.
   Tables: {x: [...], y: [...], interpolation: linear|pchip}; expressions: a string containing x. */
typedef struct {
  double  c_max;
  SsbFunc ocp, entropic, diffusivity;
  double  diffusivity_Ea;
  double  electron_diffusivity;     /* m^2/s, NaN if absent: the Li diffusivity becomes the ambipolar 2 D D_e/(D + D_e) */
  double  rate_constant;            /* NaN if exchange current given */
  double  exchange_current_density; /* NaN if rate constant given */
  double  exchange_current_stoichiometry;
  double  transfer_coefficient;
  double  kinetics_Ea;
  double  electronic_conductivity; /* NaN if absent */
  double  x_charged, x_discharged;
  double  specific_capacity; /* A*h/kg = 3600 C/kg; stored in C/kg (SI) */
} SsbIntercalation;

/* kind: lithium_metal. Keys: exchange_current_density (A/m^2) XOR rate_constant k (i0 = F k c_e^a),
   transfer_coefficient (0.5), kinetics_activation_energy (0), density (kg/m^3, required),
   molar_mass (kg/mol, required), ocp (V vs Li/Li+, a constant, default 0: a two-phase alloy such
   as In | InLi at its plateau), thermal props. */
typedef struct {
  double exchange_current_density, rate_constant, transfer_coefficient, kinetics_Ea;
  double molar_mass; /* kg/mol; the density is in SsbMaterial.thermal.density */
  double ocp;        /* V vs Li/Li+ (0 for Li metal) */
} SsbLithiumMetal;

/* kind: electrolyte. Keys: transport (single_ion | binary | dissociation; only single_ion is solved
   yet), conductivity: function of c (S/m, required), conductivity_activation_energy (J/mol, 0),
   concentration (mol/m^3, mobile Li+, required), electronic_conductivity (S/m, 0), plus for binary:
   diffusivity(c), transference_number(c) (functions, required), thermodynamic_factor(c) (default
   constant 1), diffusivity_activation_energy. single_ion may give the binary functions (read, not
   used); dissociation may not (its D and t+ follow from the ion diffusivities). */
/* transport: dissociation (Danilov, Niessen, Notten, JES 158 (2011) A215; Raijmakers et al.,
   Electrochim. Acta 330 (2020) 135147): Li0 <-> Li+ + n-, generation k_d (a0 - a), recombination
   k_r a^2, k_d = k_r a0 delta^2/(1 - delta); mobile Li+ (cation) and n- (anion), n- blocked at both
   faces. Keys: total_concentration (a0, mol/m^3), dissociation_fraction (delta, 0..1),
   recombination_rate_constant (k_r, m^3/(mol s)), cation_diffusivity and anion_diffusivity (m^2/s),
   diffusivity_activation_energy (J/mol). `concentration` is then optional (default delta a0).
   `conductivity` is optional for dissociation electrolytes (it follows from D+, D- and a; kind
   SSB_FUNC_NONE if absent). The five dissociation keys are required for dissociation and are an
   error for the other transports. */
typedef struct {
  SsbTransport transport;
  SsbFunc      conductivity;
  double       conductivity_Ea;
  double       concentration;
  double       electronic_conductivity;
  SsbFunc      diffusivity, transference_number, thermodynamic_factor;
  double       diffusivity_Ea;
  double       total_concentration, dissociation_fraction, recombination_rate_constant; /* NaN unless dissociation */
  double       cation_diffusivity, anion_diffusivity;                                   /* NaN unless dissociation */
  double       relative_permittivity;                                                   /* 1, eps_r (space-charge layers, coatings); NaN if absent */
  double       site_concentration;                                                      /* mol/m^3, Li sites (lattice saturation of a space-charge layer); NaN: none */
} SsbElectrolyte;

typedef struct {
  char             name[SSB_NAME_LEN];
  SsbMaterialKind  kind;
  char            *source; /* citation, owned */
  const char      *file;   /* file the definition came from (owned by the SsbCase file list) */
  int              line;   /* line of the definition */
  SsbThermalProps  thermal;
  SsbIntercalation ins;                     /* kind == INTERCALATION */
  SsbLithiumMetal  li;                      /* kind == LITHIUM_METAL */
  SsbElectrolyte   el;                      /* kind == ELECTROLYTE */
  double           electronic_conductivity; /* kind == CONDUCTOR (collectors, bipolar and end plates), S/m */
} SsbMaterial;

typedef enum { SSB_ELECTRODE_LITHIUM_METAL = 0,
               SSB_ELECTRODE_COMPOSITE,
               SSB_ELECTRODE_DENSE } SsbElectrodeKind;

/* cell.negative / cell.positive. Keys: kind, material, electrolyte (composite; default the
   separator's), thickness (m; Li metal: inventory thickness, 0 = anode-free; dense: the film),
   volume_fractions {active, electrolyte, conductive} (sum to 1 within 1e-6), particle_radius (m),
   electronic_conductivity (S/m, bulk solid phase; default the material's), bruggeman_exponent
   (default 1.5), initial_stoichiometry (0..1, optional: overrides cell.initial_soc),
   conductive_density (composite, kg/m^3, energy-density report only).
   Dense electrodes take only kind, material, thickness, electronic_conductivity,
   initial_stoichiometry. State of charge on either side: at cell SOC 1 the electrode's material is
   at its stoichiometry_charged, at SOC 0 at its stoichiometry_discharged (for an anode material
   such as graphite stoichiometry_charged is the LITHIATED end, e.g. 0.9). */
typedef struct {
  SsbElectrodeKind   kind;
  const SsbMaterial *material;    /* points into SsbCase.materials */
  const SsbMaterial *electrolyte; /* composite: SSE inside the electrode */
  double             thickness;
  double             eps_active, eps_electrolyte, eps_conductive;
  double             particle_radius;
  double             electronic_conductivity;
  double             bruggeman;
  double             initial_stoichiometry; /* NaN: from initial_soc */
  double             conductive_density;    /* composite: kg/m^3 of the conductive phase, for the energy-density report only (NaN: the default, SSB_CONDUCTIVE_DENSITY_DEFAULT; 0: pores) */
} SsbElectrode;

/* cell.separator. Keys: electrolyte, thickness. */
typedef struct {
  const SsbMaterial *electrolyte;
  double             thickness;
} SsbSeparator;

/* cell.interfaces.negative / cell.interfaces.positive: the electrode/SSE interface of that side (the
   planar face of a Li-metal or dense electrode; the particle surfaces of a composite, per unit
   particle area). Keys: double_layer_capacitance (F/m^2, >= 0, default 0), film_resistance (ohm m^2,
   >= 0, default 0; adds j F R_film to the overpotential), space_charge (none | compact | resolved,
   default none; docs/space-charge.md; resolved only at a planar face (lithium_metal, dense) and
   without a double_layer_capacitance), space_charge_step (V, function of the electrode's surface stoichiometry x: the
   equilibrium potential step of coating + layer, electrode side minus bulk electrolyte, = the Li
   chemical-potential mismatch dmu/e; required with compact and resolved; a number for Li metal), coating
   {material, thickness} (an electrolyte material with relative_permittivity; used with compact or
   resolved, an input error without it). Compact and resolved need the adjacent electrolyte's relative_permittivity and
   a single_ion electrolyte. */
typedef enum { SSB_SPACE_CHARGE_NONE = 0,
               SSB_SPACE_CHARGE_COMPACT,
               SSB_SPACE_CHARGE_RESOLVED } SsbSpaceCharge;
typedef struct {
  double             double_layer_capacitance; /* F/m^2 */
  double             film_resistance;          /* ohm m^2 */
  SsbSpaceCharge     space_charge;
  const SsbFunc     *scl_step;          /* V, of x; owned by the case (SsbCase.funcs); NULL unless compact or resolved */
  const SsbMaterial *coating;           /* coating.material (electrolyte), NULL: none */
  double             coating_thickness; /* m, coating.thickness (0: none) */
} SsbInterfaceSpec;

/* cell. Keys: area, negative, separator, positive, interfaces, initial_soc, series_resistance
   (ohm m^2, >= 0, default 0: area-specific resistance in series with the cell, e.g. contacts and
   leads), geometric_capacitance (F/m^2, >= 0, default 0: the dielectric capacitance of the
   separator between the two electrode faces, in parallel with the cell). */
typedef struct {
  double           area; /* m^2, cell.area */
  SsbElectrode     neg, pos;
  SsbSeparator     sep;
  double           initial_soc;           /* cell.initial_soc, 0..1 (default 1) */
  SsbInterfaceSpec ifc_neg, ifc_pos;      /* cell.interfaces.negative / .positive (defaults: 0, 0, none) */
  double           series_resistance;     /* ohm m^2, cell.series_resistance (default 0) */
  double           geometric_capacitance; /* F/m^2, cell.geometric_capacitance (default 0) */
} SsbCell;

/* Experiment steps (strings, interface.md):
     Discharge|Charge at <current> [for <duration>] [until <voltage>]
     Rest for <duration>
     Hold at <voltage> until <current>   |  Hold at <voltage> for <duration>  (both allowed: "until ... " and "for ...")
   <current>: 1C, C/2, 0.5C, 2 A, 500 mA, 10 A/m^2, 1 mA/cm^2. Charge makes the current negative. */
/* experiment.limits: guards of every step; crossing one ends the experiment with status
   "terminated: <reason>". Keys: cell_voltage_max, cell_voltage_min (V), temperature_max (K),
   time_max (s, total experiment time), step_time_max (s, default: none), capacity_fraction_min
   (the discharge capacity of a cycle below this fraction of the first cycle's ends the experiment
   after that cycle). NaN = no limit. A step's own limits ({step: ..., limits: {...}}) replace the
   experiment's for that step: cell_voltage_max, cell_voltage_min, temperature_max, and time_max
   (stored in step_time_max). */
typedef struct {
  double cell_voltage_max, cell_voltage_min, temperature_max, time_max, step_time_max;
  double capacity_fraction_min;
} SsbLimits;

typedef enum { SSB_STEP_CURRENT = 0,
               SSB_STEP_POWER,
               SSB_STEP_RESISTANCE,
               SSB_STEP_PROFILE,
               SSB_STEP_REST,
               SSB_STEP_VOLTAGE } SsbStepKind;
typedef enum { SSB_CURRENT_NONE = 0,
               SSB_CURRENT_CRATE,
               SSB_CURRENT_AMPERE,
               SSB_CURRENT_DENSITY } SsbCurrentUnit;

typedef struct {
  double         value; /* C-rate (1/h count, e.g. 0.5 for C/2), A, or A/m^2 depending on unit; signed: + discharge */
  SsbCurrentUnit unit;
} SsbCurrentSpec;

typedef struct {
  char          *text;      /* the step string, owned */
  int            line, col; /* where it stands in the case file */
  SsbStepKind    kind;
  SsbCurrentSpec current;    /* CURRENT: signed, + discharge */
  double         voltage;    /* VOLTAGE: hold voltage (V, stack) */
  double         power;      /* POWER: W, or W/m^2 when per_area; signed: + discharge ("Discharge at 5 W") */
  double         resistance; /* RESISTANCE: the load, ohm, or ohm*m^2 when per_area ("Discharge at 2 ohm") */
  int            per_area;   /* POWER, RESISTANCE, PROFILE: the value is per unit electrode area */
  /* PROFILE ("Run profile drive.csv [until <voltage>]"): a current or power against time from a CSV
     file (path relative to the case file; header "time [s],current [A]" or "...,power [W]", any
     units of those kinds, per area too), interpolated linearly; the step lasts to the last time */
  char          *profile_file; /* owned */
  int            profile_n, profile_power;
  double        *profile_t, *profile_v; /* owned (PetscMalloc2): s from the first row; A, A/m^2, W or W/m^2, + discharge */
  double         duration;              /* s, NaN if none */
  double         until_voltage;         /* V, NaN if none (CURRENT) */
  SsbCurrentSpec until_current;         /* VOLTAGE: |current| below which the hold ends; unit NONE if none */
  int            has_limits;            /* the step has its own guards: */
  SsbLimits      limits;                /* NaN entries: the experiment's apply */
} SsbStep;

typedef struct {
  int       nsteps;
  SsbStep  *steps;  /* owned */
  int       cycles; /* experiment.cycles, default 1 */
  SsbLimits limits;
} SsbExperiment;

/* thermal: model (isothermal | lumped | stack), initial_temperature (K, default 298.15),
   boundaries: {bottom: B, top: B} with B = {type: convective, h (W/(m^2 K)), ambient (K)} |
   {type: fixed, temperature (K)} | {type: adiabatic} (default both adiabatic), lateral: {h
   (W/(m^2 K)), perimeter_per_area (1/m: the stack's side perimeter over its cross-section area),
   ambient (K)} (optional; default no lateral loss), arrhenius (true | false, default true: false
   keeps every rate property at its initial-temperature value, the "constant properties" run of
   Pals & Newman). "bottom" is the end of the stack at cell 1's negative side. */
typedef enum { SSB_THERMAL_ISOTHERMAL = 0,
               SSB_THERMAL_LUMPED,
               SSB_THERMAL_STACK } SsbThermalModel;
typedef enum { SSB_BOUNDARY_ADIABATIC = 0,
               SSB_BOUNDARY_CONVECTIVE,
               SSB_BOUNDARY_FIXED } SsbBoundaryKind;
typedef struct {
  SsbBoundaryKind type;
  double          h;           /* W/(m^2 K), convective */
  double          temperature; /* K: the ambient (convective) or the wall (fixed) */
} SsbBoundarySpec;
typedef struct {
  SsbThermalModel model;
  double          initial_temperature;
  SsbBoundarySpec bottom, top;
  double          lateral_h, lateral_perimeter_per_area, lateral_ambient; /* 0, 0, NaN: none */
  int             constant_properties;                                    /* 1: thermal.arrhenius false, every activation energy taken as 0 (default 0) */
} SsbThermal;

/* mesh: {negative, separator, positive, particle} cell counts (defaults 10, 10, 20, 15); -1 unset.
   A resolved space-charge layer (interfaces.*.space_charge: resolved): space_charge_cells (default
   48), space_charge_length (the layer domain in Debye lengths, default 30), space_charge_growth
   (ratio of neighbouring cells, from the interface outward, default 1.12); 0: the default. */
typedef struct {
  int    negative, separator, positive, particle;
  int    scl_cells;
  double scl_length, scl_growth;
} SsbMeshSpec;

/* solver: rtol (1e-6), atol (1e-9, scaled per variable by the solver), petsc_options (string, may
   be NULL), max_steps (per step of the experiment, default 100000). */
typedef struct {
  double rtol, atol;
  char  *petsc_options;
  long   max_steps;
} SsbSolverSpec;

/* output: file (default results.h5; -o overrides), interval (s, default 10 s; 0 = rows only at the
   steps' starts and ends and at the profile times), profiles_interval (s, default 60 s; profiles
   also at every step's end, 0 = only there), csv (default results.csv, "" = none),
   particle_positions: list of fractions of each composite electrode's thickness where c_s(r) is
   stored (default [0, 0.5, 1]), checkpoint_interval (s, default none: the full solver state is written to
   the checkpoint file at the first output time at or after every multiple), checkpoint (default
   <results stem>.chk.h5; also written on SIGTERM/SIGINT, see docs/user-guide.md),
   checkpoint_at_end (true | false, default false: also at the end of a completed or terminated run). */
typedef struct {
  char   *file, *csv;
  double  interval, profiles_interval;
  int     nparticle_positions;
  double *particle_positions;
  double  checkpoint_interval; /* s, NAN: none (0 in a zero-initialised case also means none) */
  char   *checkpoint;          /* checkpoint file, NULL: <results stem>.chk.h5 */
  int     checkpoint_at_end;   /* also write the checkpoint when the run has finished */
} SsbOutputSpec;

/* A plate or collector of the stack: stack.bipolar_plate, stack.collectors.negative/positive (the
   end collectors CC-, CC+), stack.end_plates. Keys: material (kind conductor), thickness (m),
   contact_resistance (ohm*m^2 per contact, default 0; a bipolar plate has two contacts, one per
   neighbouring cell, each contact_resistance). material NULL: the layer is absent. */
typedef struct {
  const SsbMaterial *material;
  double             thickness, contact_resistance;
} SsbPlateSpec;

typedef enum { SSB_DIST_NONE = 0,
               SSB_DIST_NORMAL,
               SSB_DIST_LOGNORMAL,
               SSB_DIST_UNIFORM } SsbDistribution;

/* stack.variation entries: either {cells: [k, ...] (1-based), set: {key: value, ...}} with keys
   relative to `cell` (positive.thickness, initial_soc, interfaces.positive.film_resistance ...), or
   {parameter: key, distribution: normal | lognormal | uniform, cv: c (coefficient of variation),
   seed: s} drawing an independent factor per cell with mean 1 and that cv (uniform: on
   [1 - sqrt(3) cv, 1 + sqrt(3) cv]) from a portable seeded generator. The key may also name a
   material property, `materials.<name>.<key>` (numbers only): the reader then gives each cell its
   own copy of that material. */
typedef struct {
  int             ncells;
  int            *cells; /* explicit: 1-based cell numbers, owned */
  int             nset;
  char          **set_keys, **set_values; /* explicit: the overrides as text, owned */
  char           *parameter;              /* random: the key, owned */
  SsbDistribution distribution;
  double          cv;
  unsigned long   seed;
} SsbVariationSpec;

/* stack: cells (default 1), bipolar_plate, collectors {negative, positive}, end_plates, variation
   (list). The reader resolves every cell: cell[k] is the `cell` block with cell k's overrides and
   random factors applied (cell[0] == the base `cell` when there is no variation), and records every
   random draw in realized (nrealized parameters x cells, the SI values drawn, by parameter name). */
typedef struct {
  int               cells;
  SsbPlateSpec      bipolar_plate, collector_negative, collector_positive, end_plate;
  int               nvariations;
  SsbVariationSpec *variations; /* owned */
  SsbCell          *cell;       /* [cells], owned; materials they point to are in SsbCase.materials */
  int               nrealized;
  char            **realized_names; /* [nrealized], owned */
  double           *realized;       /* [nrealized * cells], row-major by parameter, owned */
} SsbStackSpec;

typedef struct {
  char         *path;   /* the case file as given on the command line, owned */
  char         *title;  /* owned, may be NULL */
  char         *text;   /* resolved case text (after includes and --set), YAML, owned */
  int           nfiles; /* the case file and every included file; material->file points here */
  char        **files;
  int           nmaterials;
  SsbMaterial  *materials; /* owned */
  int           nfuncs;    /* functions given in the cell (interfaces.*.space_charge_step), owned */
  SsbFunc     **funcs;
  SsbCell       cell;
  SsbStackSpec  stack;
  SsbThermal    thermal;
  SsbExperiment experiment;
  SsbMeshSpec   mesh;
  SsbSolverSpec solver;
  SsbOutputSpec output;
  /* packaging: the pouch or can of one package, for the energy-density report
     (docs/energy-density.md): mass_per_area kg/m^2 of cell area, thickness m (both walls),
     tab_mass kg and tab_volume m^3 per package, footprint_ratio >= 1. Defaults 0 and 1. */
  struct {
    int    given;
    double mass_per_area, thickness, tab_mass, tab_volume, footprint_ratio;
  } packaging;
} SsbCase;

/* Read, include, override, validate. path: the case file; nset/sets: "--set key=value" strings
   (without "--set"). Errors: SSB_ERR_INPUT after printing file:line:column messages.
   The returned Case is fully validated: every required key present, every value in range. */
PetscErrorCode SsbCaseRead(const char *path, int nset, const char *const *sets, SsbCase **c);
/* The resolved case text (SsbCase.text) read as if it were the file `path` (ssbsim restart);
   paths[i] (i < npaths), if not NULL or "", is step i's profile file as resolved by the original read. */
PetscErrorCode SsbCaseReadText(const char *path, const char *text, int npaths, const char *const *paths, SsbCase **c);
PetscErrorCode SsbCaseDestroy(SsbCase **c);
/* Find a material by name; NULL if absent. */
const SsbMaterial *SsbCaseFindMaterial(const SsbCase *c, const char *name);
