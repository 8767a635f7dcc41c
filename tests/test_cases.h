/* test_cases.h -- cases built in code for verification tests that must not depend on the YAML reader:
   a Li | single-ion SSE | composite cell with simple, exactly known material laws. */
#pragma once
#include <ssbsim/ssb_case.h>
#include <string.h>

typedef struct {
  SsbCase     c;
  SsbMaterial mat[6]; /* 0 Li metal, 1 electrolyte, 2 positive active, 3 negative active, 4 binary polymer, 5 dissociation SSE */
  SsbStep     steps[4];
} SsbTestCase;

/* A cell with constant D_s, a linear OCP U = 4.2 - 1.0 x (expression), i0 from a rate constant, T =
   298.15 K. The experiment is a single "Discharge at 1C until 3.0 V" unless the caller changes it. */
static inline void SsbTestCaseDefault(SsbTestCase *tc)
{
  memset(tc, 0, sizeof(*tc));
  SsbMaterial *li = &tc->mat[0], *el = &tc->mat[1], *am = &tc->mat[2];
  strcpy(li->name, "li");
  li->kind                        = SSB_MATERIAL_LITHIUM_METAL;
  li->li.exchange_current_density = 10.0;
  li->li.rate_constant            = NAN;
  li->li.transfer_coefficient     = 0.5;
  li->li.molar_mass               = 6.941e-3;
  li->thermal.density             = 534;
  strcpy(el->name, "sse");
  el->kind             = SSB_MATERIAL_ELECTROLYTE;
  el->el.transport     = SSB_TRANSPORT_SINGLE_ION;
  el->el.conductivity  = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 0.1};
  el->el.concentration = 1.0e4;
  strcpy(am->name, "am");
  am->kind                               = SSB_MATERIAL_INTERCALATION;
  am->ins.c_max                          = 5.0e4;
  am->ins.ocp                            = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "4.2 - 1.0*x"};
  am->ins.diffusivity                    = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 1e-14};
  am->ins.rate_constant                  = NAN;
  am->ins.exchange_current_density       = 5.0;
  am->ins.exchange_current_stoichiometry = 0.5;
  am->ins.transfer_coefficient           = 0.5;
  am->ins.x_charged                      = 0.1;
  am->ins.x_discharged                   = 0.9;
  am->ins.electronic_conductivity        = 10;

  SsbMaterial *an = &tc->mat[3];
  *an             = *am;
  strcpy(an->name, "anode");
  an->ins.c_max        = 3.0e4;
  an->ins.ocp          = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "0.1 + 0.4*(1 - x)"};
  an->ins.x_charged    = 0.85; /* a negative electrode is lithiated when the cell is charged */
  an->ins.x_discharged = 0.05;

  /* a binary (concentrated-solution) polymer electrolyte with concentration-dependent properties
     (t+(c) is DUALFOIL's PEO-LiCF3SO3 fit; the rest are smooth test functions); variable x is c */
  SsbMaterial *bi = &tc->mat[4];
  strcpy(bi->name, "polymer");
  bi->kind                    = SSB_MATERIAL_ELECTROLYTE;
  bi->el.transport            = SSB_TRANSPORT_BINARY;
  bi->el.conductivity         = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "1e-2*(1 + x/1000)"};
  bi->el.diffusivity          = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "7.5e-12*(1 + 0.2*x/1000)"};
  bi->el.transference_number  = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "0.0107907 + 1.48837e-4*x"};
  bi->el.thermodynamic_factor = (SsbFunc){.kind = SSB_FUNC_EXPRESSION, .expr = "1 + 0.1*x/1000"};
  bi->el.concentration        = 1000;
  /* the Li3PO4 dissociation electrolyte of Danilov et al. 2011, Table II, k_r as re-solved */
  SsbMaterial *di = &tc->mat[5];
  strcpy(di->name, "li3po4");
  di->kind                           = SSB_MATERIAL_ELECTROLYTE;
  di->el.transport                   = SSB_TRANSPORT_DISSOCIATION;
  di->el.total_concentration         = 6.01e4;
  di->el.dissociation_fraction       = 0.18;
  di->el.recombination_rate_constant = 0.9e-6;
  di->el.cation_diffusivity          = 0.9e-15;
  di->el.anion_diffusivity           = 5.1e-15;
  di->el.concentration               = 0.18 * 6.01e4;

  SsbCase *c                          = &tc->c;
  c->path                             = "test";
  c->nmaterials                       = 6;
  c->materials                        = tc->mat;
  c->cell.area                        = 1e-4;
  c->cell.initial_soc                 = 1.0;
  c->cell.neg.kind                    = SSB_ELECTRODE_LITHIUM_METAL;
  c->cell.neg.material                = li;
  c->cell.neg.thickness               = 40e-6;
  c->cell.sep.electrolyte             = el;
  c->cell.sep.thickness               = 30e-6;
  c->cell.pos.kind                    = SSB_ELECTRODE_COMPOSITE;
  c->cell.pos.material                = am;
  c->cell.pos.electrolyte             = el;
  c->cell.pos.thickness               = 60e-6;
  c->cell.pos.eps_active              = 0.6;
  c->cell.pos.eps_electrolyte         = 0.35;
  c->cell.pos.eps_conductive          = 0.05;
  c->cell.pos.particle_radius         = 3e-6;
  c->cell.pos.electronic_conductivity = 10;
  c->cell.pos.bruggeman               = 1.5;
  c->cell.pos.initial_stoichiometry   = NAN;
  c->stack.cells                      = 1;
  c->thermal.initial_temperature      = 298.15;
  c->mesh                             = (SsbMeshSpec){10, 10, 20, 15, 0, 0, 0};
  c->solver                           = (SsbSolverSpec){1e-6, 1e-9, NULL, 100000};
  static double pp[1]                 = {0.5};
  c->output                           = (SsbOutputSpec){"test.h5", "", 10, 60, 1, pp, NAN, NULL, 0};
  tc->steps[0]                        = (SsbStep){.text = "Discharge at 1C until 3.0 V", .kind = SSB_STEP_CURRENT, .current = {1.0, SSB_CURRENT_CRATE}, .duration = NAN, .until_voltage = 3.0, .until_current = {0, SSB_CURRENT_NONE}};
  c->experiment.steps                 = tc->steps;
  c->experiment.nsteps                = 1;
  c->experiment.cycles                = 1;
  c->experiment.limits                = (SsbLimits){NAN, NAN, NAN, NAN, NAN, NAN};
}

/* The space-charge tests' electrolyte and coating: the SSE (mat[1]) gets a relative permittivity of
   30, and *coat becomes a single-ion coating electrolyte (1e-4 S/m, 1e4 mol/m^3 Li+, eps_r 10). */
static inline void SsbTestSpaceCharge(SsbTestCase *tc, SsbMaterial *coat)
{
  tc->mat[1].el.relative_permittivity = 30;
  memset(coat, 0, sizeof(*coat));
  strcpy(coat->name, "coat");
  coat->kind                     = SSB_MATERIAL_ELECTROLYTE;
  coat->el.transport             = SSB_TRANSPORT_SINGLE_ION;
  coat->el.conductivity          = (SsbFunc){.kind = SSB_FUNC_CONSTANT, .value = 1e-4};
  coat->el.concentration         = 1e4;
  coat->el.relative_permittivity = 10;
}
