/* test_energy.c -- the energy-density report (physics/energy_density.c, docs/energy-density.md).

   1. test_hand: a hand-computed case, built in memory (no case file), every figure checked to 1e-9
      relative. Cell area 10 cm^2 = 1e-3 m^2; 3 cells.
        negative   Li metal 50 um, 534 kg/m^3 (initial_soc 1: 50 um at full charge too)
                     mass 50e-6 * 534                                   = 0.0267  kg/m^2
        separator  electrolyte "sse" 2000 kg/m^3, 20 um: 20e-6 * 2000   = 0.04    kg/m^2
        positive   composite 100 um: active 0.6 x 5000 + electrolyte (sse) 0.3 x 2000 + conductive
                   0.1 x 2000 (SsbEnergyInputs.conductive_density) = 3800 kg/m^3
                     mass 100e-6 * 3800                                 = 0.38    kg/m^2
        layers     0.4467 kg/m^2, 170 um
        CC-        copper 10 um x 8960 = 0.0896 kg/m^2;  CC+ aluminium 15 um x 2700 = 0.0405 kg/m^2
        bipolar    aluminium 20 um x 2700 = 0.054 kg/m^2;  end plates steel 100 um x 8000 = 0.8 kg/m^2 each
        package    0.1 kg/m^2, 100 um, tabs 0.5 g and 0.1 cm^3, footprint 1.2 x the cell area
      Capacity: the positive window, c_max 50000 mol/m^3, x 0.2 (charged) -> 0.9 (discharged):
        Q = 0.6 * 100e-6 * 50000 * F * 0.7 = 2.1 F = 202619.197452 C/m^2 (5.62831 mAh/cm^2)
      OCV: U+ = 4.5 - x (linear), Li U = 0; x runs linearly 0.2 -> 0.9 with q, so the mean OCV is
        U(0.55) = 3.95 V and E = 3.95 Q = 800345.829936 J/m^2 = 222.318286 Wh/m^2 (0.222318 Wh per cell)
      Layers only: 222.318286/0.4467 = 497.690 Wh/kg; 222.318286/(170e-6 * 1000) = 1307.755 Wh/L
      Mono cell: mass (0.4467 + 0.0896 + 0.0405 + 0.1) * 1e-3 + 5e-4 = 1.1768e-3 kg
                 volume (170 + 10 + 15 + 100) um * 1e-3 m^2 * 1.2 + 1e-7 = 4.54e-7 m^3
                 -> 0.222318286/1.1768e-3 = 188.918 Wh/kg; 0.222318286/0.454e-3 = 489.688 Wh/L
      Stack: mass (3 * 0.4467 + 2 * 0.054 + 0.0896 + 0.0405 + 0.1 + 2 * 0.8) * 1e-3 + 5e-4 = 3.7782e-3 kg
             volume (3 * 170 + 2 * 20 + 10 + 15 + 100 + 2 * 100 = 875 um) * 1e-3 * 1.2 + 1e-7 = 1.15e-6 m^3
             -> 3 * 0.222318286/3.7782e-3 = 176.527 Wh/kg; /1.15e-3 L = 579.960 Wh/L
             without end plates: 2.1782e-3 kg, (675 um) 9.1e-7 m^3 -> 306.195 Wh/kg, 732.917 Wh/L
      Nominal: specific_capacity 150 mAh/g x active mass 0.6 * 100e-6 * 5000 = 0.3 kg/m^2
               -> 162000 C/m^2 (4.5 mAh/cm^2) x 3.95 V = 639900 J/m^2
      Delivered: I = 10 A/m^2 for 3600 s with V falling linearly 4.0 -> 3.6 V: E = 10 * 3.8 * 3600
               = 136800 J/m^2 (the trapezoidal rule is exact here).
   2. test_variation: cell 2 of the 3 with a 50 um positive: the stack's common charge is Q/2; cells
      1 and 3 run x 0.2 -> 0.55 (mean U(0.375) = 4.125 V), cell 2 its full window (3.95 V):
      E_stack = Q/2 (4.125 + 3.95 + 4.125) = 6.1 Q.
   3. test_missing: a separator electrolyte without density: excluded, flagged, and said so in the
      text; the default conductive density (1830 kg/m^3) when none is given; packaging inputs checked.
   4. test_seed_review: literature README D (the seed review, Adv. Mater. 2022,
      doi 10.1002/adma.202209074), see the comment there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <ssbsim/ssb_energy.h>

#define REL(a, b) (fabs((double)(a) - (double)(b)) / fabs((double)(b)))

static SsbMaterial Conductor(const char *name, double rho)
{
  SsbMaterial m = {0};
  snprintf(m.name, sizeof m.name, "%s", name);
  m.kind                    = SSB_MATERIAL_CONDUCTOR;
  m.thermal.density         = rho;
  m.electronic_conductivity = 1e7;
  return m;
}

/* The hand-computed case: materials and the case, in a struct so that pointers stay valid. */
typedef struct {
  SsbMaterial li, sse, cat, cu, al, steel;
  SsbCase     c;
  SsbCell     cells[3];
} Hand;

static void HandSetUp(Hand *h)
{
  memset(h, 0, sizeof(*h));
  snprintf(h->li.name, sizeof h->li.name, "li");
  h->li.kind            = SSB_MATERIAL_LITHIUM_METAL;
  h->li.thermal.density = 534;
  h->li.li.molar_mass   = 6.941e-3;
  snprintf(h->sse.name, sizeof h->sse.name, "sse");
  h->sse.kind            = SSB_MATERIAL_ELECTROLYTE;
  h->sse.thermal.density = 2000;
  snprintf(h->cat.name, sizeof h->cat.name, "cat");
  h->cat.kind                  = SSB_MATERIAL_INTERCALATION;
  h->cat.thermal.density       = 5000;
  h->cat.ins.c_max             = 50000;
  h->cat.ins.x_charged         = 0.2;
  h->cat.ins.x_discharged      = 0.9;
  h->cat.ins.ocp.kind          = SSB_FUNC_EXPRESSION;
  h->cat.ins.ocp.expr          = (char *)"4.5 - x";
  h->cat.ins.specific_capacity = 150 * 3.6 * 1000; /* 150 mAh/g in C/kg */
  h->cu                        = Conductor("cu", 8960);
  h->al                        = Conductor("al", 2700);
  h->steel                     = Conductor("steel", 8000);

  SsbCell *cell             = &h->c.cell;
  cell->area                = 1e-3;
  cell->initial_soc         = 1;
  cell->neg.kind            = SSB_ELECTRODE_LITHIUM_METAL;
  cell->neg.material        = &h->li;
  cell->neg.thickness       = 50e-6;
  cell->neg.eps_active      = 1;
  cell->sep.electrolyte     = &h->sse;
  cell->sep.thickness       = 20e-6;
  cell->pos.kind            = SSB_ELECTRODE_COMPOSITE;
  cell->pos.material        = &h->cat;
  cell->pos.electrolyte     = &h->sse;
  cell->pos.thickness       = 100e-6;
  cell->pos.eps_active      = 0.6;
  cell->pos.eps_electrolyte = 0.3;
  cell->pos.eps_conductive  = 0.1;
  for (int k = 0; k < 3; k++) h->cells[k] = *cell;
  h->c.stack.cells                 = 3;
  h->c.stack.cell                  = h->cells;
  h->c.stack.collector_negative    = (SsbPlateSpec){&h->cu, 10e-6, 0};
  h->c.stack.collector_positive    = (SsbPlateSpec){&h->al, 15e-6, 0};
  h->c.stack.bipolar_plate         = (SsbPlateSpec){&h->al, 20e-6, 0};
  h->c.stack.end_plate             = (SsbPlateSpec){&h->steel, 100e-6, 0};
  h->c.thermal.initial_temperature = 298.15;
}

static void HandInputs(SsbEnergyInputs *in)
{
  SsbEnergyInputsDefault(in);
  assert_int_equal(SsbEnergyInputsSetPackaging(in, 0.1, 100e-6, 5e-4, 1e-7, 1.2), 0);
  in->conductive_density[1] = 2000;
}

static void test_hand(void **state)
{
  Hand            h;
  SsbEnergyInputs in;
  SsbEnergyReport r;
  char           *text;
  const double    F = SSB_FARADAY, Q = 2.1 * F, E = 3.95 * Q, Ewh = E / 3600 * 1e-3;
  HandSetUp(&h);
  HandInputs(&in);
  assert_int_equal(SsbEnergyReportCompute(&h.c, &in, &r), 0);
  assert_int_equal(SsbEnergyReportText(&r, "  ", &text), 0);
  fputs(text, stdout);
  assert_non_null(strstr(text, "conductive 0.1 x 2000 kg/m^3"));
  assert_null(strstr(text, "packaging not included"));
  PetscFree(text);
  assert_false(r.incomplete);
  assert_true(REL(r.capacity, 202619.197452) < 1e-9);
  assert_true(REL(r.energy, E) < 1e-9);
  assert_true(REL(r.mean_ocv, 3.95) < 1e-9);
  assert_true(REL(r.layer[SSB_ENERGY_NEGATIVE].mass, 0.0267) < 1e-12);
  assert_true(REL(r.layer[SSB_ENERGY_SEPARATOR].mass, 0.04) < 1e-12);
  assert_true(REL(r.layer[SSB_ENERGY_POSITIVE].mass, 0.38) < 1e-12);
  assert_true(REL(r.layers_mass, 0.4467) < 1e-12);
  assert_true(REL(r.layers_thickness, 170e-6) < 1e-12);
  assert_true(REL(r.cell_mass, 1.1768e-3) < 1e-12);
  assert_true(REL(r.cell_volume, 4.54e-7) < 1e-12);
  assert_true(REL(r.stack_mass, 3.7782e-3) < 1e-12);
  assert_true(REL(r.stack_volume, 1.15e-6) < 1e-12);
  assert_true(REL(r.stack_mass_noend, 2.1782e-3) < 1e-12);
  assert_true(REL(r.stack_volume_noend, 9.1e-7) < 1e-12);
  assert_true(REL(r.layers_theoretical.wh_kg, 222.318286 / 0.4467) < 1e-8);
  assert_true(REL(r.layers_theoretical.wh_l, 222.318286 / 0.17) < 1e-8);
  assert_true(REL(r.cell_theoretical.wh_kg, Ewh / 1.1768e-3) < 1e-9);
  assert_true(REL(r.cell_theoretical.wh_kg, 188.918) < 1e-5);
  assert_true(REL(r.cell_theoretical.wh_l, 489.688) < 1e-5);
  assert_true(REL(r.stack_theoretical.wh_kg, 176.527) < 1e-5);
  assert_true(REL(r.stack_theoretical.wh_l, 579.960) < 1e-5);
  assert_true(REL(r.stack_noend_theoretical.wh_kg, 306.195) < 1e-5);
  assert_true(REL(r.stack_noend_theoretical.wh_l, 732.917) < 1e-5);
  assert_true(REL(r.capacity_nominal, 162000) < 1e-12);
  assert_true(REL(r.energy_nominal, 639900) < 1e-9);
  assert_true(REL(r.cell_nominal.wh_kg, 639900 / 3600.0 * 1e-3 / 1.1768e-3) < 1e-9);
  {
    double           t[3] = {0, 1800, 3600}, V[3] = {4.0, 3.8, 3.6}, cur[3] = {10, 10, 10}, Ed;
    SsbEnergyFigures cf, sf;
    Ed = SsbEnergyDelivered(3, t, V, cur);
    assert_true(REL(Ed, 136800) < 1e-12);
    /* as a stack series: 3 cells in series, V x 3 */
    for (int i = 0; i < 3; i++) V[i] *= 3;
    Ed = SsbEnergyDelivered(3, t, V, cur);
    SsbEnergyDeliveredFigures(&r, Ed, &cf, &sf);
    assert_true(REL(sf.wh_kg, 3 * 136800 / 3600.0 * 1e-3 / 3.7782e-3) < 1e-12);
    assert_true(REL(sf.wh_l, 3 * 136800 / 3600.0 * 1e-3 / 1.15e-3) < 1e-12);
    assert_true(REL(cf.wh_kg, 136800 / 3600.0 * 1e-3 / 1.1768e-3) < 1e-12);
    assert_true(REL(cf.wh_l, 136800 / 3600.0 * 1e-3 / 0.454e-3) < 1e-12);
  }
}

static void test_variation(void **state)
{
  Hand            h;
  SsbEnergyInputs in;
  SsbEnergyReport r;
  const double    Q = 2.1 * SSB_FARADAY;
  HandSetUp(&h);
  HandInputs(&in);
  h.cells[1].pos.thickness = 50e-6;
  h.c.stack.nvariations    = 1;
  assert_int_equal(SsbEnergyReportCompute(&h.c, &in, &r), 0);
  assert_true(REL(r.stack_capacity, Q / 2) < 1e-12);
  assert_true(REL(r.stack_energy, 6.1 * Q) < 1e-9);
  /* cell 2's positive: 0.19 kg/m^2 less and 50 um thinner than the base cell's */
  assert_true(REL(r.stack_mass, 3.7782e-3 - 0.19e-3) < 1e-12);
  assert_true(REL(r.stack_volume, 1.15e-6 - 50e-6 * 1e-3 * 1.2) < 1e-12);
  /* the base cell (mono cell) is unchanged */
  assert_true(REL(r.cell_mass, 1.1768e-3) < 1e-12);
}

static void test_missing(void **state)
{
  Hand            h;
  SsbEnergyInputs in;
  SsbEnergyReport r;
  char           *text;
  HandSetUp(&h);
  SsbEnergyInputsDefault(&in); /* no packaging, default conductive density */
  h.sse.thermal.density = NAN;
  assert_int_equal(SsbEnergyReportCompute(&h.c, &in, &r), 0);
  assert_int_equal(SsbEnergyReportText(&r, NULL, &text), 0);
  fputs(text, stdout);
  assert_true(r.incomplete);
  assert_true(r.layer[SSB_ENERGY_SEPARATOR].missing);
  assert_true(r.layer[SSB_ENERGY_SEPARATOR].mass == 0);
  /* positive: 0.6 x 5000 + 0.1 x 1830 (default); the electrolyte phase excluded */
  assert_true(REL(r.layer[SSB_ENERGY_POSITIVE].mass, 100e-6 * (3000 + 183)) < 1e-12);
  assert_non_null(strstr(text, "sse has no density: excluded"));
  assert_non_null(strstr(text, "upper bound"));
  assert_non_null(strstr(text, "(default)"));
  assert_non_null(strstr(text, "packaging not included"));
  PetscFree(text);
  PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
  assert_int_not_equal(SsbEnergyInputsSetPackaging(&in, -1, 0, 0, 0, 1), 0);
  assert_int_not_equal(SsbEnergyInputsSetPackaging(&in, 0, 0, 0, 0, 0.5), 0);
  PetscPopErrorHandler();
}

/* Literature README D, the seed review (Adv. Mater. 2022, doi 10.1002/adma.202209074): NMC811
   200 mAh/g; composite NMC811:Li3InCl6 85:15 wt at 3.4 g/cm^3; 26 mg/cm^2 -> 77 um and about
   4.4 mAh/cm^2; Li 0.534 g/cm^3 (3860 mAh/g); at 4 mAh/cm^2 with a 30 um electrolyte and 40 um Li:
   400 Wh/kg and 980 Wh/L published. The review states neither its collectors, its packaging nor
   its voltage. This test's own inputs:
     - NMC811 from cases/materials/nmc811.yaml (density 5036 kg/m^3, Chen 2020 OCP, window
       0.2661-0.9084, specific_capacity 200 mAh/g); Li3InCl6 density 2694 kg/m^3 [derived]: 2 formula
       units (348.36 g/mol) per 429.4 A^3, the monoclinic cell of cases/materials/li3incl6.yaml
       (recalled, unverified); the 30 um electrolyte layer is Li3InCl6.
     - composite: eps_active = 0.85 * 3400/5036 = 0.5739, eps_electrolyte = 0.15 * 3400/2694 =
       0.1893, the remaining 0.2368 is pore (the conductive phase with conductive_density 0), so
       the composite is 3400 kg/m^3 at 85:15 wt.
     - 4 mAh/cm^2 at 200 mAh/g: 4/(200 * 0.85 * 3.4) cm = 69.20 um of composite (23.53 mg/cm^2).
     - collectors: 12 um aluminium on the positive; none on the negative (the Li foil is its own
       collector); no packaging, no tabs.
   Then the NOMINAL energy (4.0 mAh/cm^2 x the mean OCV of the window, 3.878 V) gives 419 Wh/kg,
   1026 Wh/L, and a DELIVERED energy at a mean discharge voltage of 3.70 V gives 400.0 Wh/kg and
   979 Wh/L: the published pair within 0.2 %. The test accepts 1 %. The sensitivity to the unstated
   inputs is printed (each row changes one input from the reproduction). */
typedef struct {
  SsbMaterial li, lic, nmc, al, cu;
  SsbCase     c;
} Seed;

static const char nmc_ocp[] = "-0.8090*x + 4.4875 - 0.0428*tanh(18.5138*(x - 0.5542)) - 17.7326*tanh(15.7890*(x - 0.3117)) + 17.5842*tanh(15.9308*(x - 0.3120))";

static void SeedSetUp(Seed *s, double rho_lic, double L_pos)
{
  memset(s, 0, sizeof(*s));
  snprintf(s->li.name, sizeof s->li.name, "li_metal");
  s->li.kind            = SSB_MATERIAL_LITHIUM_METAL;
  s->li.thermal.density = 534;
  s->li.li.molar_mass   = 6.941e-3;
  snprintf(s->lic.name, sizeof s->lic.name, "li3incl6");
  s->lic.kind            = SSB_MATERIAL_ELECTROLYTE;
  s->lic.thermal.density = rho_lic;
  snprintf(s->nmc.name, sizeof s->nmc.name, "nmc811");
  s->nmc.kind                      = SSB_MATERIAL_INTERCALATION;
  s->nmc.thermal.density           = 5036;
  s->nmc.ins.c_max                 = 51765;
  s->nmc.ins.x_charged             = 0.2661;
  s->nmc.ins.x_discharged          = 0.9084;
  s->nmc.ins.ocp.kind              = SSB_FUNC_EXPRESSION;
  s->nmc.ins.ocp.expr              = (char *)nmc_ocp;
  s->nmc.ins.specific_capacity     = 200 * 3.6 * 1000;
  s->al                            = Conductor("aluminium", 2700);
  s->cu                            = Conductor("copper", 8960);
  SsbCell *cell                    = &s->c.cell;
  cell->area                       = 1e-4;
  cell->initial_soc                = 1;
  cell->neg.kind                   = SSB_ELECTRODE_LITHIUM_METAL;
  cell->neg.material               = &s->li;
  cell->neg.thickness              = 40e-6;
  cell->neg.eps_active             = 1;
  cell->sep.electrolyte            = &s->lic;
  cell->sep.thickness              = 30e-6;
  cell->pos.kind                   = SSB_ELECTRODE_COMPOSITE;
  cell->pos.material               = &s->nmc;
  cell->pos.electrolyte            = &s->lic;
  cell->pos.thickness              = L_pos;
  cell->pos.eps_active             = 0.85 * 3400 / 5036.0;
  cell->pos.eps_electrolyte        = 0.15 * 3400 / rho_lic;
  cell->pos.eps_conductive         = 1 - cell->pos.eps_active - cell->pos.eps_electrolyte; /* pores */
  s->c.stack.cells                 = 1;
  s->c.stack.cell                  = cell;
  s->c.stack.collector_positive    = (SsbPlateSpec){&s->al, 12e-6, 0};
  s->c.thermal.initial_temperature = 298.15;
}

/* Nominal and delivered (at V_mean, over the nominal capacity) Wh/kg and Wh/L of the mono cell. */
static void SeedFigures(Seed *s, const SsbEnergyInputs *in, double V_mean, SsbEnergyReport *r, SsbEnergyFigures *nom, SsbEnergyFigures *del)
{
  assert_int_equal(SsbEnergyReportCompute(&s->c, in, r), 0);
  *nom = r->cell_nominal;
  SsbEnergyDeliveredFigures(r, r->capacity_nominal * V_mean, del, NULL);
}

static void test_seed_review(void **state)
{
  const double     rho_lic = 2 * (3 * 6.941 + 114.818 + 6 * 35.453) / (6.02214076e23 * 429.4e-24) * 1000; /* kg/m^3 */
  const double     L4      = 4.0 / (200 * 0.85 * 3.4) * 1e-2;                                             /* m */
  Seed             s;
  SsbEnergyInputs  in;
  SsbEnergyReport  r;
  SsbEnergyFigures nom, del;
  char            *text;
  print_message("Li3InCl6 density %.1f kg/m^3 [derived]; composite for 4 mAh/cm^2: %.3f um\n", rho_lic, L4 * 1e6);
  /* the stated inputs themselves: 26 mg/cm^2 at 3.4 g/cm^3 -> 76.5 um (review: 77 um); at 77 um the
     composite holds 0.85 * 200 * 3.4 * 77e-4 = 4.45 mAh/cm^2 (review: about 4.4) */
  SsbEnergyInputsDefault(&in);
  in.conductive_density[1] = 0; /* the third phase is pore */
  SeedSetUp(&s, rho_lic, 77e-6);
  assert_int_equal(SsbEnergyReportCompute(&s.c, &in, &r), 0);
  assert_true(REL(r.layer[SSB_ENERGY_POSITIVE].mass / 77e-6, 3400) < 1e-9);
  assert_true(fabs(0.26 / 3400 * 1e6 - 77) < 0.6);                          /* 26 mg/cm^2 -> 76.5 um */
  assert_true(fabs(r.capacity_nominal / 3.6 / 1e4 - 4.4) < 0.06);           /* 4.45 mAh/cm^2 */
  assert_true(REL(r.layer[SSB_ENERGY_NEGATIVE].mass / 40e-6, 534) < 1e-12); /* Li 0.534 g/cm^3 */
  print_message("77 um composite: %.4g mg/cm^2, nominal %.4g mAh/cm^2, window %.4g mAh/cm^2\n", r.layer[SSB_ENERGY_POSITIVE].mass * 1e2, r.capacity_nominal / 3.6 / 1e4, r.capacity / 3.6 / 1e4);

  /* the design point: 4 mAh/cm^2 */
  SeedSetUp(&s, rho_lic, L4);
  SeedFigures(&s, &in, 3.70, &r, &nom, &del);
  assert_int_equal(SsbEnergyReportText(&r, "  ", &text), 0);
  fputs(text, stdout);
  PetscFree(text);
  assert_true(REL(r.capacity_nominal / 3.6 / 1e4, 4.0) < 1e-9);
  assert_true(fabs(r.mean_ocv - 3.878) < 0.001);
  print_message("seed review D at 4 mAh/cm^2 (published 400 Wh/kg, 980 Wh/L):\n");
  print_message("  nominal (4.0 mAh/cm^2 x mean OCV %.4f V)   %6.1f Wh/kg %7.1f Wh/L\n", r.mean_ocv, nom.wh_kg, nom.wh_l);
  print_message("  delivered at 3.70 V                        %6.1f Wh/kg %7.1f Wh/L  (%+.2f %%, %+.2f %%)\n", del.wh_kg, del.wh_l, 100 * (del.wh_kg / 400 - 1), 100 * (del.wh_l / 980 - 1));
  assert_true(REL(del.wh_kg, 400) < 0.01);
  assert_true(REL(del.wh_l, 980) < 0.01);
  assert_true(fabs(nom.wh_kg - 419) < 2 && fabs(nom.wh_l - 1026) < 3);

  /* sensitivity: one input changed at a time (delivered at 3.70 V unless said) */
  print_message("  sensitivity (delivered at 3.70 V unless said):\n");
  for (int k = 0; k < 8; k++) {
    const char     *what = "";
    double          V    = 3.70;
    SsbEnergyInputs in2  = in;
    SeedSetUp(&s, rho_lic, L4);
    switch (k) {
    case 0:
      what                         = "no positive collector";
      s.c.stack.collector_positive = (SsbPlateSpec){0};
      break;
    case 1:
      what                         = "+ 10 um Cu negative collector";
      s.c.stack.collector_negative = (SsbPlateSpec){&s.cu, 10e-6, 0};
      break;
    case 2:
      what                                   = "half collectors (double-sided: 6 um Al, 5 um Cu)";
      s.c.stack.collector_positive.thickness = 6e-6;
      s.c.stack.collector_negative           = (SsbPlateSpec){&s.cu, 5e-6, 0};
      break;
    case 3:
      what = "mean voltage 3.60 V";
      V    = 3.60;
      break;
    case 4:
      what = "mean voltage 3.80 V";
      V    = 3.80;
      break;
    case 5:
      what                         = "Li6PS5Cl (1865) for Li3InCl6, composite 3400 kept";
      s.lic.thermal.density        = 1865; /* separator and composite (85:15 wt at 3400 kg/m^3 kept) */
      s.c.cell.pos.eps_electrolyte = 0.15 * 3400 / 1865.0;
      s.c.cell.pos.eps_conductive  = 1 - s.c.cell.pos.eps_active - s.c.cell.pos.eps_electrolyte;
      break;
    case 6:
      what = "pouch 10 g/m^2, 20 um (per cell area)";
      assert_int_equal(SsbEnergyInputsSetPackaging(&in2, 0.01, 20e-6, 0, 0, 1), 0);
      break;
    case 7:
      what                   = "Li 20 um instead of 40 um";
      s.c.cell.neg.thickness = 20e-6;
      break;
    }
    SeedFigures(&s, &in2, V, &r, &nom, &del);
    print_message("    %-48s %6.1f Wh/kg %7.1f Wh/L\n", what, del.wh_kg, del.wh_l);
  }
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hand),
    cmocka_unit_test(test_variation),
    cmocka_unit_test(test_missing),
    cmocka_unit_test(test_seed_review),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
