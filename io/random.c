/* random.c -- the portable seeded generator of stack.variation (case_internal.h).

   splitmix64 (Steele, Lea, Flood, OOPSLA 2014) expands the 64-bit seed into the 256-bit state of
   xoshiro256** (Blackman and Vigna, ACM TOMS 47 (2021) 36). Both use only 64-bit unsigned integer
   arithmetic, so the integer stream, and the 53-bit uniforms made from it, are the same on every
   platform, compiler and MPI rank. Normal deviates use the Box-Muller transform; they go through the
   C library's log, sqrt, cos and sin (and exp for lognormal factors), so they are bitwise identical
   wherever the math library is (every rank of a run), and equal to a few units in the last place
   across math libraries. */
#include "case_internal.h"
#include <math.h>

static uint64_t SplitMix64(uint64_t *x)
{
  uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
  z          = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z          = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void SsbRngSeed(SsbRng *g, uint64_t seed)
{
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) g->s[i] = SplitMix64(&x);
  g->have_spare = 0;
  g->spare      = 0.0;
}

uint64_t SsbRngNext(SsbRng *g)
{
  uint64_t *s      = g->s;
  uint64_t  result = Rotl(s[1] * 5, 7) * 9;
  uint64_t  t      = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = Rotl(s[3], 45);
  return result;
}

double SsbRngUniform(SsbRng *g) { return (double)(SsbRngNext(g) >> 11) * 0x1.0p-53; }

double SsbRngNormal(SsbRng *g)
{
  const double two_pi = 6.283185307179586476925286766559;
  double       u1, u2, r;
  if (g->have_spare) {
    g->have_spare = 0;
    return g->spare;
  }
  u1            = 1.0 - SsbRngUniform(g); /* (0, 1]: log(u1) is finite */
  u2            = SsbRngUniform(g);
  r             = sqrt(-2.0 * log(u1));
  g->spare      = r * sin(two_pi * u2);
  g->have_spare = 1;
  return r * cos(two_pi * u2);
}

double SsbRngFactor(SsbRng *g, SsbDistribution dist, double cv)
{
  switch (dist) {
  case SSB_DIST_NORMAL:
    return 1.0 + cv * SsbRngNormal(g);
  case SSB_DIST_LOGNORMAL: {
    double s2 = log1p(cv * cv), z = SsbRngNormal(g);
    return exp(-0.5 * s2 + sqrt(s2) * z);
  }
  case SSB_DIST_UNIFORM: {
    double u = SsbRngUniform(g);
    return 1.0 + sqrt(3.0) * cv * (2.0 * u - 1.0);
  }
  default:
    return 1.0;
  }
}
