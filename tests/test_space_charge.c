/* test_space_charge.c -- the space-charge layer building block (physics/space_charge.c,
   docs/space-charge.md, issue 4).

   Electrolyte numbers: eps_r of LLZO 60 and LATP 15 (de Klerk & Wagemaker, ACS Appl. Energy Mater. 1
   (2018) 5609, as quoted in the literature README E.5); T = 298.15 K. The mobile Li+ concentration
   c_b is our choice, not taken from that paper: 1e3 and 1e4 mol/m^3, the range the issue names for
   the mobile (defect) Li+ of an SCL description. The numeric tests use LLZO with c_b = 1e3 mol/m^3.

   a. small psi: C(0) = eps/lambda_D sqrt(1 - theta_b) to 1e-12 relative;
   b. compact sigma, c(0) against the plain formulas, and C against central differences of sigma;
   c. inverse: dphi(sigma(dphi)) = dphi to 1e-12 for |psi| in [1e-8, 200], both signs;
   d. resolved solver: psi = 1e-3 against the Debye-Hueckel profile with its O(psi^2) correction,
      and sigma, C at psi = -5, 5, 40 against the compact first integral, on 3 nested graded meshes
      (errors and observed orders printed; order >= 1.8, finest error <= 1e-4);
   e. Mott-Schottky width at psi = 40 (compact and resolved);
   f. coating split: series relation and the SCL share shrinking with the coating capacitance;
   g. charge neutrality of the resolved solver;
   h. Debye lengths and layer widths for LLZO/LATP at 0.5 V and 1 V (printed);
   i. kernels of the coupled compact mode: SsbSclPsiFromS inverts s(psi) to 1e-12 (and returns
      s' = C lambda_D/eps to 1e-12) for |psi| in [1e-8, 200]; the tabulated excess resistance
      J(psi) equals the quadrature reference to 1e-8 (of |J| + 0.1) and the quadrature reference equals the
      integral of (c_b/c - 1)/kappa over the resolved profile (480 graded cells, trapezoid) to 1e-4. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ssbsim/ssb_space_charge.h>

#define REL(a, b) (fabs((double)(a) - (double)(b)) / fabs((double)(b)))
#define VT        (SSB_GAS_CONSTANT * 298.15 / SSB_FARADAY)

static SsbSclParams Llzo(double theta)
{
  SsbSclParams p = {60, 298.15, 1e3, 0};
  if (theta > 0) p.c_max = p.c_b / theta;
  return p;
}

static const double thetas[] = {0, 0.3, 0.9};

static void test_small_psi(void **state)
{
  (void)state;
  for (int k = 0; k < 3; k++) {
    SsbSclParams p      = Llzo(thetas[k]);
    double       eps    = 60 * SSB_VACUUM_PERMITTIVITY;
    double       lam    = sqrt(eps * SSB_GAS_CONSTANT * 298.15 / (SSB_FARADAY * SSB_FARADAY * 1e3));
    double       C0     = eps / lam * sqrt(1 - thetas[k]);
    double       psis[] = {0, 1e-13, -1e-13, 1e-15, -1e-300};
    assert_true(REL(SsbSclDebyeLength(&p), lam) < 1e-14);
    assert_true(REL(SsbSclCapacitance0(&p), C0) < 1e-14);
    for (int i = 0; i < 5; i++) {
      SsbSclState st;
      assert_int_equal(SsbSclCompactEval(&p, psis[i] * VT, &st), 0);
      assert_true(isfinite(st.C) && isfinite(st.sigma));
      assert_true(REL(st.C, C0) < 1e-12);
    }
  }
}

/* g = G/c_b and s' = C/(eps/lambda_D) computed with mpmath (50 digits) from the plain formulas:
   g = psi + ln(1 - theta + theta e^{-psi})/theta (theta = 0: psi + e^{-psi} - 1), s' = |1 - c/c_b|/sqrt(2 g).
   The psi values straddle the branch points of the implementation (|psi| = 0.5, |theta a| = 0.1, 0.5). */
static const struct {
  double theta, psi, g, ds;
} gref[] = {
  {0, 1e-6, 4.9999983333337499999e-13, 9.9999966666674999999e-1},
  {0, -1e-6, 5.0000016666670833334e-13, 1.0000003333334166667},
  {0, 0.01, 4.9833749168053573906e-5, 9.966749852044565838e-1},
  {0, -0.01, 5.0167084168057542165e-5, 1.0033416815007903581},
  {0, 0.4999, 1.0649131581135907648e-1, 8.5245575673507606349e-1},
  {0, 0.5001, 1.0657000967921437291e-1, 8.5240371621221111415e-1},
  {0, -0.4999, 1.4865640681638970753e-1, 1.1894356207937741854},
  {0, -0.5001, 1.4878615107107930691e-1, 1.1895213815154245574},
  {0, 0.105, 5.3245225862656129531e-3, 9.6590183209985557839e-1},
  {0, -0.105, 5.7106103557052322588e-3, 1.0359361368833735252},
  {0, 0.7, 1.965853037914095147e-1, 8.028517677504982514e-1},
  {0, -0.7, 3.1375270747047652162e-1, 1.2797445484670232589},
  {0, 1.5, 7.2313016014842982893e-1, 6.4598885567455961289e-1},
  {0, -1.5, 1.9816890703380648226, 1.7488687972468531305},
  {0, -13, 4.4239939200892050333e+5, 4.7033253788725284278e+2},
  {0, -14, 1.2025892841647767777e+6, 7.7544093402649258117e+2},
  {0, -30, 1.0686474581493462147e+13, 2.3115443518947956958e+6},
  {0, 60, 5.9e+1, 9.2057461789832336643e-2},
  {0, -60, 1.1420073898156842837e+26, 7.5564786435736198793e+12},
  {0, 200, 1.99e+2, 5.0125470711708551085e-2},
  {0, -200, 7.2259737681257492582e+86, 1.9007858596019896289e+43},
  {1e-6, 1e-6, 4.9999933333387499937e-13, 9.9999916666745833234e-1},
  {1e-6, -1e-6, 4.9999966666620833338e-13, 9.9999983333245833295e-1},
  {1e-6, 0.01, 4.9833699665149035934e-5, 9.966744934754683605e-1},
  {1e-6, -0.01, 5.0167033665128670693e-5, 1.0033411731045264818},
  {1e-6, 0.4999, 1.0649123842614238295e-1, 8.5245554937429860811e-1},
  {1e-6, 0.5001, 1.0656993224626741718e-1, 8.5240350892968099521e-1},
  {1e-6, -0.4999, 1.4865619650377422929e-1, 1.1894345013237170465},
  {1e-6, -0.5001, 1.4878594054455185282e-1, 1.1895202616937576703},
  {1e-6, 0.105, 5.3245176186648840265e-3, 9.6590141305155561878e-1},
  {1e-6, -0.105, 5.7106042272860619131e-3, 1.0359355421225492896},
  {1e-6, 0.7, 1.9658517707818880911e-1, 8.0285162781345972546e-1},
  {1e-6, -0.7, 3.1375219362354784554e-1, 1.2797430193273826934},
  {1e-6, 1.5, 7.231298583848995061e-1, 6.4598884632102479425e-1},
  {1e-6, -1.5, 1.9816830092727420593, 1.748863633870304667},
  {1e-6, -13, 3.6630398411307794218e+5, 3.5834519461637549138e+2},
  {1e-6, -14, 7.896259717876280004e+5, 4.344701648868655804e+2},
  {1e-6, -30, 1.618445953561185763e+7, 1.7576622554669210332e+2},
  {1e-6, 60, 5.8999999499999666666e+1, 9.2057462179906589807e-2},
  {1e-6, -60, 4.6184429442035725896e+7, 1.0404872828298279011e+2},
  {1e-6, 200, 1.9899999949999966667e+2, 5.0125470774680290058e-2},
  {1e-6, -200, 1.861842894420357259e+8, 5.1821866602769265094e+1},
  {0.3, 1e-6, 3.4999995333332575e-13, 8.3665991497937257426e-1},
  {0.3, -1e-6, 3.5000004666665908333e-13, 8.3666013808871298332e-1},
  {0.3, 0.01, 3.4953257854656516736e-5, 8.3554121696462269312e-1},
  {0.3, -0.01, 3.5046590478661267822e-5, 8.3777228228200003382e-1},
  {0.3, 0.4999, 8.1270490511967605519e-2, 7.7446730789222575086e-1},
  {0.3, 0.5001, 8.1332948852077079111e-2, 7.7444054802528258573e-1},
  {0.3, -0.4999, 9.2712371223636506118e-2, 8.8257468602478923642e-1},
  {0.3, -0.5001, 9.2788396447617939547e-2, 8.8258850146756640024e-1},
  {0.3, 0.105, 3.8038509632167804078e-3, 8.2460183902098094984e-1},
  {0.3, -0.105, 3.9118054991250356193e-3, 8.4799584043542650176e-1},
  {0.3, 0.7, 1.5425052261105859964e-1, 7.473093325630603676e-1},
  {0.3, -0.7, 1.8510980210137076664e-1, 8.942951390646819145e-1},
  {0.3, 1.5, 6.1550683742686672072e-1, 6.3907821364117706826e-1},
  {0.3, -1.5, 8.8385516074361422031e-1, 8.9659008673789192432e-1},
  {0.3, -13, 2.632010823254035201e+1, 3.2159899276675653366e-1},
  {0.3, -14, 2.8653430453019532216e+1, 3.0822813012935211242e-1},
  {0.3, -30, 6.5986757318914274506e+1, 2.0311097640901350857e-1},
  {0.3, 60, 5.8811083520204225404e+1, 9.2205199484212373491e-2},
  {0.3, -60, 1.3598675731891354669e+2, 1.4148600320611412244e-1},
  {0.3, 200, 1.988110835202042254e+2, 5.0149280448106440025e-2},
  {0.3, -200, 4.6265342398558021336e+2, 7.6706805584303757023e-2},
  {0.9, 1e-6, 5.000001333333525e-14, 3.1622785034425195471e-1},
  {0.9, -1e-6, 4.9999986666668583333e-14, 3.162276816894434124e-1},
  {0.9, 0.01, 5.0133524945653199002e-6, 3.1707201267431623533e-1},
  {0.9, -0.01, 4.9866858385657910094e-6, 3.1538546940496582847e-1},
  {0.9, 0.4999, 1.4276934797890104549e-2, 3.6043298807424256941e-1},
  {0.9, 0.5001, 1.4289118819914729982e-2, 3.6045130292062799425e-1},
  {0.9, -0.4999, 1.0949294753307072229e-2, 2.7673657123050151623e-1},
  {0.9, -0.5001, 1.095748645858144493e-2, 2.7672190225291386302e-1},
  {0.9, 0.105, 5.6691715252137801411e-4, 3.2518669529055248094e-1},
  {0.9, -0.105, 5.3604852051434132876e-4, 3.0748352077618039342e-1},
  {0.9, 0.7, 2.9510716701248063872e-2, 3.788714061184264722e-1},
  {0.9, -0.7, 2.0385776990697832525e-2, 2.6253051093850814583e-1},
  {0.9, 1.5, 1.6527478510482617274e-1, 4.4918720710976824642e-1},
  {0.9, -1.5, 7.6810426356414975739e-2, 2.1490416770579209112e-1},
  {0.9, -13, 1.3273774838776156089, 6.8193688077357953494e-2},
  {0.9, -14, 1.4384884185936103678, 6.5507180394157788024e-2},
  {0.9, -30, 3.2162660937135378846, 4.3809319430157950872e-2},
  {0.9, 60, 5.7441572118895504796e+1, 9.3297894596100350149e-2},
  {0.9, -60, 6.5495994270468596653, 3.0699770087710423813e-2},
  {0.9, 200, 1.974415721188955048e+2, 5.032290479124478097e-2},
  {0.9, -200, 2.2105154982602415221e+1, 1.6710741097100404532e-2},
};

static void test_reference_values(void **state)
{
  double worst_g = 0, worst_c = 0;
  (void)state;
  for (size_t i = 0; i < sizeof(gref) / sizeof(gref[0]); i++) {
    SsbSclParams p = Llzo(gref[i].theta);
    SsbSclState  st;
    assert_int_equal(SsbSclCompactEval(&p, gref[i].psi * VT, &st), 0);
    worst_g = PetscMax(worst_g, REL(st.G / p.c_b, gref[i].g));
    worst_c = PetscMax(worst_c, REL(st.C / (p.eps_r * SSB_VACUUM_PERMITTIVITY / SsbSclDebyeLength(&p)), gref[i].ds));
    if (REL(st.G / p.c_b, gref[i].g) > 1e-13 || REL(st.C / (p.eps_r * SSB_VACUUM_PERMITTIVITY / SsbSclDebyeLength(&p)), gref[i].ds) > 1e-13) print_message("theta %g psi %g: g %.16e (ref %.16e) C/C0 %.16e (ref %.16e)\n", gref[i].theta, gref[i].psi, st.G / p.c_b, gref[i].g, st.C / (p.eps_r * SSB_VACUUM_PERMITTIVITY / SsbSclDebyeLength(&p)), gref[i].ds);
  }
  print_message("    G and C against 50-digit references: worst relative errors %.2e, %.2e\n", worst_g, worst_c);
  assert_true(worst_g < 1e-13 && worst_c < 1e-13);
}

static void test_compact_fd(void **state)
{
  (void)state;
  const double psis[] = {1e-3, 0.5, 2, 10, 40, -1e-3, -0.5, -2, -10, -40};
  double       worst  = 0;
  for (int k = 0; k < 3; k++) {
    SsbSclParams p  = Llzo(thetas[k]);
    double       th = thetas[k], eps = 60 * SSB_VACUUM_PERMITTIVITY;
    for (int i = 0; i < 10; i++) {
      double      psi = psis[i], h = 1e-4 * VT;
      SsbSclState st, sp, sm;
      assert_int_equal(SsbSclCompactEval(&p, psi * VT, &st), 0);
      assert_int_equal(SsbSclCompactEval(&p, psi * VT + h, &sp), 0);
      assert_int_equal(SsbSclCompactEval(&p, psi * VT - h, &sm), 0);
      double Cfd = -(sp.sigma - sm.sigma) / (2 * h);
      worst      = PetscMax(worst, REL(st.C, Cfd));
      if (REL(st.C, Cfd) >= 1e-7) print_message("theta %g psi %g C %.15e Cfd %.15e\n", th, psi, st.C, Cfd);
      assert_true(REL(st.C, Cfd) < 1e-7);
      assert_true(st.C > 0 && st.sigma * psi < 0);
      /* The plain formulas where they do not cancel (|psi| >= 0.5, no overflow). */
      if (fabs(psi) >= 0.5) {
        double G  = th > 0 ? 1e3 * psi + 1e3 / th * log(1 - th + th * exp(-psi)) : 1e3 * (psi + exp(-psi) - 1);
        double sg = -(psi > 0 ? 1 : -1) * sqrt(2 * eps * SSB_GAS_CONSTANT * 298.15 * G);
        double c0 = 1e3 * exp(-psi) / (1 - th + th * exp(-psi));
        assert_true(REL(st.sigma, sg) < 1e-12);
        assert_true(REL(st.c0, c0) < 1e-13);
        assert_true(REL(st.width, fabs(sg) / (SSB_FARADAY * 1e3)) < 1e-12);
      }
    }
  }
  print_message("    compact C vs central differences of sigma: worst relative difference %.2e\n", worst);
}

static void test_inverse(void **state)
{
  const double ths[] = {0, 0.01, 0.5, 0.9};
  double       worst = 0;
  (void)state;
  for (int k = 0; k < 4; k++) {
    SsbSclParams p = Llzo(ths[k]);
    for (int sgn = -1; sgn <= 1; sgn += 2)
      for (double lg = -8; lg <= log10(200) + 1e-9; lg += 0.125) {
        double      psi = sgn * (lg + 0.125 > log10(200) + 1e-9 ? 200 : pow(10, lg)), dphi;
        SsbSclState st;
        assert_int_equal(SsbSclCompactEval(&p, psi * VT, &st), 0);
        assert_int_equal(SsbSclCompactFromCharge(&p, st.sigma, &dphi), 0);
        worst = PetscMax(worst, REL(dphi, psi * VT));
        assert_true(REL(dphi, psi * VT) < 1e-12);
      }
  }
  print_message("    inverse dphi(sigma(dphi)): worst relative error %.2e\n", worst);
}

/* Nested graded meshes: N cells with growth q, then 2N with sqrt q, 4N with q^(1/4). */
static SsbSclMeshOptions MeshQ(double lam, int level, double q0)
{
  SsbSclMeshOptions o = {40 * lam, pow(q0, 1.0 / (1 << level)), 60 * (1 << level), 0, 0};
  return o;
}
static SsbSclMeshOptions Mesh(double lam, int level)
{
  SsbSclMeshOptions o = MeshQ(lam, level, 1.1);
  return o;
}

static void test_resolved_convergence(void **state)
{
  (void)state;
  /* psi = 1e-3: the Debye-Hueckel profile psi e^{-k xi} (k = sqrt(1 - theta)) plus its O(psi^2)
     correction psi^2 (2 theta - 1)/6 (e^{-2 k xi} - e^{-k xi}) (the DH profile alone is off by up to
     psi/6 = 1.7e-4 of psi, above the tolerance); the rest is O(psi^3). Error: max over nodes / psi. */
  for (int k = 0; k < 2; k++) {
    double       th = k ? 0.5 : 0, psi = 1e-3, kk = sqrt(1 - th), B = (2 * th - 1) / 6, err[4];
    SsbSclParams p   = Llzo(th);
    double       lam = SsbSclDebyeLength(&p);
    print_message("    psi = 1e-3, theta_b = %g: profile error vs Debye-Hueckel (+ O(psi^2))\n", th);
    for (int l = 0; l < 4; l++) {
      SsbSclMeshOptions o = Mesh(lam, l);
      SsbSclProfile     pr;
      assert_int_equal(SsbSclResolvedSolve(&p, psi * VT, &o, &pr), 0);
      err[l] = 0;
      for (int i = 0; i < pr.n; i++) {
        double xi = pr.x[i] / lam, ref = psi * exp(-kk * xi) + psi * psi * B * (exp(-2 * kk * xi) - exp(-kk * xi));
        err[l] = PetscMax(err[l], fabs(pr.phi[i] / VT - ref) / psi);
      }
      print_message("      %4d cells (h0 = %.3e lambda_D): max error %.3e%s", pr.n - 1, pr.x[1] / lam, err[l], l ? "" : "\n");
      if (l) print_message("  order %.3f\n", log2(err[l - 1] / err[l]));
      if (l) assert_true(log2(err[l - 1] / err[l]) >= 1.8);
      assert_int_equal(SsbSclProfileDestroy(&pr), 0);
    }
    assert_true(err[3] <= 1e-4);
  }
  /* Large psi: sigma (from the field) and C (derivative) against the compact first integral. */
  {
    const double psis[] = {40, 5, -5, -5};
    const double ths[]  = {0, 0, 0, 0.5};
    for (int k = 0; k < 4; k++) {
      SsbSclParams p   = Llzo(ths[k]);
      double       lam = SsbSclDebyeLength(&p), es[4], ec[4];
      SsbSclState  st;
      assert_int_equal(SsbSclCompactEval(&p, psis[k] * VT, &st), 0);
      print_message("    psi = %g, theta_b = %g: sigma and C vs the compact first integral\n", psis[k], ths[k]);
      for (int l = 0; l < 4; l++) {
        /* accumulation layers are thinner: a stronger grading puts a finer first cell at x = 0 */
        SsbSclMeshOptions o = MeshQ(lam, l, psis[k] < 0 ? 1.15 : 1.1);
        SsbSclProfile     pr;
        assert_int_equal(SsbSclResolvedSolve(&p, psis[k] * VT, &o, &pr), 0);
        es[l] = REL(pr.sigma_field, st.sigma);
        ec[l] = REL(pr.C, st.C);
        print_message("      %4d cells: sigma error %.3e", pr.n - 1, es[l]);
        if (l) print_message(" (order %.3f)", log2(es[l - 1] / es[l]));
        print_message("  C error %.3e", ec[l]);
        if (l) print_message(" (order %.3f)", log2(ec[l - 1] / ec[l]));
        print_message("  Newton its %d\n", pr.newton_its);
        if (l) assert_true(log2(es[l - 1] / es[l]) >= 1.8);
        if (l) assert_true(log2(ec[l - 1] / ec[l]) >= 1.8);
        assert_true(REL(pr.c[0], st.c0) < 1e-12);
        assert_int_equal(SsbSclProfileDestroy(&pr), 0);
      }
      assert_true(es[3] <= 1e-4 && ec[3] <= 1e-4);
    }
  }
}

static void test_mott_schottky(void **state)
{
  SsbSclParams      p   = Llzo(0);
  double            lam = SsbSclDebyeLength(&p), dphi = 40 * VT, wms = SsbSclMottSchottkyWidth(&p, dphi);
  SsbSclState       st;
  SsbSclMeshOptions o = Mesh(lam, 3);
  SsbSclProfile     pr;
  (void)state;
  assert_int_equal(SsbSclCompactEval(&p, dphi, &st), 0);
  assert_true(REL(st.width, wms) < 1e-4);
  assert_int_equal(SsbSclResolvedSolve(&p, dphi, &o, &pr), 0);
  assert_true(REL(fabs(pr.sigma_field) / (SSB_FARADAY * p.c_b), wms) < 1e-4);
  print_message("    psi = 40: Mott-Schottky width %.6e m, compact %.6e m (rel %.1e), resolved %.6e m (rel %.1e)\n", wms, st.width, REL(st.width, wms), fabs(pr.sigma_field) / (SSB_FARADAY * p.c_b), REL(fabs(pr.sigma_field) / (SSB_FARADAY * p.c_b), wms));
  assert_int_equal(SsbSclProfileDestroy(&pr), 0);
}

static void test_coating(void **state)
{
  (void)state;
  for (int k = 0; k < 2; k++) {
    SsbSclParams p    = Llzo(k ? 0.3 : 0);
    const double Ls[] = {0, 0.5e-9, 2e-9, 10e-9, 50e-9}; /* increasing thickness: decreasing eps_c/L_c */
    double       prev = INFINITY;
    for (int s = -1; s <= 1; s += 2) {
      prev = INFINITY;
      for (int i = 0; i < 5; i++) {
        SsbSclCoating coat = {Ls[i], 20, 1e-6};
        SsbSclSplit   sp, spp;
        double        tot = s * 0.5, h = 1e-6;
        assert_int_equal(SsbSclCoatingSplit(&p, &coat, tot, &sp), 0);
        /* Series relation: the coating drop -sigma/C_coat plus the SCL drop is the total. */
        if (i == 0)
          assert_true(sp.dphi_scl == tot && sp.dphi_coat == 0 && sp.R_coat == 0);
        else {
          assert_true(REL(-sp.sigma / sp.C_coat + sp.dphi_scl, tot) < 1e-13);
          assert_true(REL(sp.C_coat, 20 * SSB_VACUUM_PERMITTIVITY / Ls[i]) < 1e-15);
          assert_true(REL(sp.R_coat, Ls[i] / 1e-6) < 1e-15);
        }
        assert_true(sp.dphi_scl * tot > 0 && sp.dphi_coat * tot >= 0);
        assert_true(REL(1 / sp.C_total, 1 / sp.C_coat + 1 / sp.C_scl) < 1e-13);
        /* The combined capacitance is -dsigma/d(dphi_total). */
        assert_int_equal(SsbSclCoatingSplit(&p, &coat, tot + h, &spp), 0);
        assert_int_equal(SsbSclCoatingSplit(&p, &coat, tot - h, &sp), 0);
        {
          SsbSclSplit s0;
          assert_int_equal(SsbSclCoatingSplit(&p, &coat, tot, &s0), 0);
          assert_true(REL(s0.C_total, -(spp.sigma - sp.sigma) / (2 * h)) < 1e-6);
          assert_true(fabs(s0.dphi_scl) < fabs(prev));
          if (s > 0 && k == 0) print_message("    coating %4.1f nm (eps_r 20): SCL drop %.4f V, coating drop %.4f V, C_total %.4e F/m^2\n", Ls[i] * 1e9, s0.dphi_scl, s0.dphi_coat, s0.C_total);
          prev = s0.dphi_scl;
        }
      }
    }
  }
}

static void test_neutrality(void **state)
{
  const double psis[] = {1e-3, 3, 40, -3, -8, 100};
  double       worst  = 0;
  (void)state;
  for (int k = 0; k < 2; k++) {
    SsbSclParams p = Llzo(k ? 0.2 : 0);
    for (int i = 0; i < 6; i++) {
      SsbSclMeshOptions o = Mesh(SsbSclDebyeLength(&p), 1);
      SsbSclProfile     pr;
      o.length = 200 * SsbSclDebyeLength(&p); /* room for the psi = 100 depletion layer */
      o.ncells = 240;
      assert_int_equal(SsbSclResolvedSolve(&p, psis[i] * VT, &o, &pr), 0);
      worst = PetscMax(worst, REL(pr.sigma_int, pr.sigma_field));
      assert_true(REL(pr.sigma_int, pr.sigma_field) < 1e-10);
      assert_int_equal(SsbSclProfileDestroy(&pr), 0);
    }
  }
  print_message("    resolved: |sigma_int - sigma_field|/|sigma| worst %.2e\n", worst);
  /* The mesh from a first cell width: 0.01 lambda_D, growth 1.05 over 40 lambda_D. */
  {
    SsbSclParams      p   = Llzo(0);
    double            lam = SsbSclDebyeLength(&p);
    SsbSclMeshOptions o   = {40 * lam, 1.05, 0, 0.01 * lam, 0};
    SsbSclProfile     pr;
    SsbSclState       st;
    assert_int_equal(SsbSclResolvedSolve(&p, 0.3, &o, &pr), 0);
    assert_int_equal(SsbSclCompactEval(&p, 0.3, &st), 0);
    assert_true(pr.x[1] <= 0.01 * lam && pr.x[1] > 0.009 * lam);
    assert_true(REL(pr.x[pr.n - 1], 40 * lam) < 1e-14);
    print_message("    mesh from first = 0.01 lambda_D, growth 1.05: %d cells, sigma error %.2e, C error %.2e\n", pr.n - 1, REL(pr.sigma_field, st.sigma), REL(pr.C, st.C));
    assert_true(REL(pr.sigma_field, st.sigma) < 1e-3 && REL(pr.C, st.C) < 1e-3); /* a coarser mesh than the convergence study */
    assert_int_equal(SsbSclProfileDestroy(&pr), 0);
  }
  /* A strong accumulation layer without saturation (psi = -20: c(0) = e^20 c_b) is resolved when the
     first cell is a fraction of the local Debye length lambda_D sqrt(c_b/c(0)). */
  {
    SsbSclParams      p = Llzo(0);
    SsbSclState       st;
    SsbSclProfile     pr;
    double            lam = SsbSclDebyeLength(&p);
    SsbSclMeshOptions o;
    assert_int_equal(SsbSclCompactEval(&p, -20 * VT, &st), 0);
    o = (SsbSclMeshOptions){40 * lam, 1.05, 0, 0.02 * lam * sqrt(p.c_b / st.c0), 0};
    assert_int_equal(SsbSclResolvedSolve(&p, -20 * VT, &o, &pr), 0);
    print_message("    psi = -20 (no saturation), first cell %.3g local Debye lengths, %d cells: sigma error %.2e, C error %.2e\n", pr.first_cell_ratio, pr.n - 1, REL(pr.sigma_field, st.sigma), REL(pr.C, st.C));
    assert_true(fabs(pr.first_cell_ratio - 0.02) < 1e-3);
    assert_true(REL(pr.sigma_field, st.sigma) < 1e-3 && REL(pr.C, st.C) < 1e-3);
    assert_true(REL(pr.sigma_int, pr.sigma_field) < 1e-10);
    assert_int_equal(SsbSclProfileDestroy(&pr), 0);
  }
  /* phi(L) = 0 instead of phi'(L) = 0 makes no difference 40 Debye lengths out. */
  {
    SsbSclParams      p = Llzo(0);
    SsbSclMeshOptions o = Mesh(SsbSclDebyeLength(&p), 1);
    SsbSclProfile     a, b;
    assert_int_equal(SsbSclResolvedSolve(&p, 0.2, &o, &a), 0);
    o.far_dirichlet = 1;
    assert_int_equal(SsbSclResolvedSolve(&p, 0.2, &o, &b), 0);
    assert_true(REL(a.sigma_field, b.sigma_field) < 1e-10);
    assert_int_equal(SsbSclProfileDestroy(&a), 0);
    assert_int_equal(SsbSclProfileDestroy(&b), 0);
  }
}

static void test_physical(void **state)
{
  const char  *names[] = {"LLZO", "LATP"};
  const double epsr[]  = {60, 15};
  (void)state;
  print_message("    (c_b is our choice; eps_r from de Klerk & Wagemaker 2018; T = 298.15 K)\n");
  for (int m = 0; m < 2; m++)
    for (int j = 0; j < 2; j++) {
      SsbSclParams p   = {epsr[m], 298.15, j ? 1e4 : 1e3, 0};
      double       lam = SsbSclDebyeLength(&p);
      print_message("    %s eps_r %2g c_b %5g mol/m^3: lambda_D %.3f nm", names[m], epsr[m], p.c_b, lam * 1e9);
      for (int v = 0; v < 2; v++) {
        double      dphi = v ? 1.0 : 0.5;
        SsbSclState st;
        assert_int_equal(SsbSclCompactEval(&p, dphi, &st), 0);
        print_message(" | %.1f V: depletion width %.3f nm (MS %.3f nm), C %.3g F/m^2", dphi, st.width * 1e9, SsbSclMottSchottkyWidth(&p, dphi) * 1e9, st.C);
        /* "of the order of a nanometre" (de Klerk & Wagemaker): 0.1 to 10 nm */
        assert_true(st.width > 1e-10 && st.width < 1e-8);
      }
      print_message("\n");
    }
}

static void test_errors(void **state)
{
  SsbSclParams p = Llzo(0);
  SsbSclState  st;
  double       d;
  (void)state;
  assert_int_equal(PetscPushErrorHandler(PetscReturnErrorHandler, NULL), 0);
  p.c_max = 0.5e3; /* below c_b */
  assert_int_not_equal(SsbSclCompactEval(&p, 0.1, &st), 0);
  p = Llzo(0);
  assert_int_not_equal(SsbSclCompactEval(&p, 800 * VT, &st), 0);
  assert_int_not_equal(SsbSclCompactFromCharge(&p, 1e300, &d), 0);
  assert_int_equal(PetscPopErrorHandler(), 0);
  p.c_max = INFINITY;
  assert_int_equal(SsbSclCompactEval(&p, 0.1, &st), 0);
}

static void test_kernels(void **state)
{
  const double psis[] = {1e-8, 1e-3, 0.5, 2, 10, 40, 200};
  (void)state;
  for (int k = 0; k < 3; k++) {
    SsbSclParams p   = Llzo(thetas[k]);
    double       lam = SsbSclDebyeLength(&p), eps = 60 * SSB_VACUUM_PERMITTIVITY, q0 = SSB_FARADAY * p.c_b * lam, worst = 0;
    for (int i = 0; i < 7; i++)
      for (int sg = -1; sg <= 1; sg += 2) {
        double      psi = sg * psis[i], ds;
        SsbSclState st;
        if (thetas[k] == 0 && psi < -100) continue; /* c/c_b = e^{-psi} overflows nothing, but sigma ~ e^{100}: not a layer */
        assert_int_equal(SsbSclCompactEval(&p, psi * VT, &st), 0);
        double got = SsbSclPsiFromS(thetas[k], -st.sigma / q0, &ds);
        worst      = PetscMax(worst, REL(got, psi) * (fabs(psi) > 1e-300));
        assert_true(REL(ds, st.C * lam / eps) <= 1e-7);
      }
    print_message("theta %.1f: PsiFromS worst relative error %.1e (psi), s' to 1e-7\n", thetas[k], worst);
    assert_true(worst <= 1e-12);
  }
  /* the excess resistance: table against the quadrature reference */
  const double kappa = 0.04, pr[] = {-40, -10, -1, -0.01, 0.01, 1, 5, 15, 30, 60};
  for (int k = 0; k < 3; k++) {
    SsbSclParams p = Llzo(thetas[k]);
    SsbSclRTable tab;
    double       worst = 0, worst_d = 0, lk = SsbSclDebyeLength(&p) / kappa;
    assert_int_equal(SsbSclRTableCreate(thetas[k], &tab), 0);
    for (int i = 0; i < 10; i++) {
      double R, dJ, J = SsbSclRTableEval(&tab, pr[i], &dJ);
      assert_int_equal(SsbSclExcessResistance(&p, kappa, pr[i] * VT, &R), 0);
      /* relative to |R| + 0.1 lambda_D/kappa: the cubic Hermite pieces are accurate to ~1e-10 in J, which
         is 1e-8 of J only where |psi| >~ 0.01 */
      worst   = PetscMax(worst, fabs(lk * J - R) / (fabs(R) + 0.1 * lk));
      worst_d = PetscMax(worst_d, REL(dJ, SsbSclResistanceIntegrand(thetas[k], pr[i])));
      assert_true(pr[i] > 0 ? R > 0 : R < 0); /* depletion adds resistance, accumulation removes some */
    }
    print_message("theta %.1f: R_scl table vs quadrature worst %.1e, slope %.1e\n", thetas[k], worst, worst_d);
    assert_true(worst <= 1e-8);
    assert_true(worst_d <= 1e-5);
    assert_int_equal(SsbSclRTableDestroy(&tab), 0);
  }
  {
    /* the shared tables: one per theta, reference counted */
    const SsbSclRTable *a, *b, *c;
    assert_int_equal(SsbSclRTableShared(0.3, &a), 0);
    assert_int_equal(SsbSclRTableShared(0.3, &b), 0);
    assert_int_equal(SsbSclRTableShared(0.0, &c), 0);
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
    assert_int_equal(SsbSclRTableSharedRelease(&a), 0);
    assert_null(a);
    double dJ;
    assert_true(SsbSclRTableEval(b, 1.0, &dJ) > 0); /* still alive after one release */
    assert_int_equal(SsbSclRTableSharedRelease(&b), 0);
    assert_int_equal(SsbSclRTableSharedRelease(&c), 0);
  }
  /* the quadrature reference against the resolved profile: R = int (c_b/c - 1) dx / kappa */
  {
    SsbSclParams      p   = Llzo(0);
    double            lam = SsbSclDebyeLength(&p), pv[2] = {5, -3};
    SsbSclMeshOptions opt = {40 * lam, pow(1.1, 1.0 / 8), 480, 0, 0};
    for (int i = 0; i < 2; i++) {
      SsbSclProfile prof;
      double        R, sum = 0;
      assert_int_equal(SsbSclResolvedSolve(&p, pv[i] * VT, &opt, &prof), 0);
      for (int j = 0; j + 1 < prof.n; j++) sum += 0.5 * (p.c_b / prof.c[j] - 1 + p.c_b / prof.c[j + 1] - 1) * (prof.x[j + 1] - prof.x[j]);
      assert_int_equal(SsbSclExcessResistance(&p, kappa, pv[i] * VT, &R), 0);
      print_message("psi %g: R_scl quadrature %.6e, resolved profile %.6e ohm m^2 (rel %.1e)\n", pv[i], R, sum / kappa, REL(sum / kappa, R));
      assert_true(REL(sum / kappa, R) <= 1e-4);
      assert_int_equal(SsbSclProfileDestroy(&prof), 0);
    }
  }
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_small_psi),
    cmocka_unit_test(test_reference_values),
    cmocka_unit_test(test_compact_fd),
    cmocka_unit_test(test_inverse),
    cmocka_unit_test(test_resolved_convergence),
    cmocka_unit_test(test_mott_schottky),
    cmocka_unit_test(test_coating),
    cmocka_unit_test(test_neutrality),
    cmocka_unit_test(test_physical),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_kernels),
  };
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  PetscCall(PetscFinalize());
  return rc;
}
