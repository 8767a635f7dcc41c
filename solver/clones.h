/* clones.h -- SSB_CLONES: a function also compiled for AVX2 and picked at load time by the CPU
   (GCC's target_clones; x86-64 only, not under AddressSanitizer, off with SSB_NO_TARGET_CLONES).
   AVX2 without FMA: the same arithmetic as the default build, one lane per double. */
#pragma once
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(SSB_NO_TARGET_CLONES)
#  define SSB_CLONES __attribute__((target_clones("avx2", "default")))
#else
#  define SSB_CLONES
#endif
