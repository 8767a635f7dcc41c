/* ssb.h -- common definitions of ssbsim: physical constants (CODATA 2018, SI), error macros.

   Every public function returns PetscErrorCode and every call is checked with PetscCall. Calls into
   SUNDIALS go through SsbCallSUN, which names the failing call. Input errors (bad case files) are
   reported with SsbInputError, which prints "file:line:column: error: message" and returns
   SSB_ERR_INPUT without a PETSc traceback; the program exits with status 1 for them. */
#pragma once
#include <petscsys.h>

#if PETSC_VERSION_LT(3, 19, 0)
#  define PETSC_SUCCESS 0 /* named in PETSc >= 3.19; Debian 12 ships 3.18 */
#endif

#define SSB_FARADAY             96485.33212      /* C/mol */
#define SSB_GAS_CONSTANT        8.314462618      /* J/(mol K) */
#define SSB_BOLTZMANN           1.380649e-23     /* J/K */
#define SSB_ELEMENTARY_CHARGE   1.602176634e-19  /* C */
#define SSB_VACUUM_PERMITTIVITY 8.8541878128e-12 /* F/m */
#define SSB_T_REF               298.15           /* K, reference temperature of Arrhenius laws unless given */

/* Error codes beyond PETSc's: an input error is PETSC_ERR_USER_INPUT. */
#define SSB_ERR_INPUT PETSC_ERR_USER_INPUT

/* Exit statuses of the ssbsim program (interface.md). */
enum { SSB_EXIT_OK          = 0,
       SSB_EXIT_INPUT       = 1,
       SSB_EXIT_SOLVER      = 2,
       SSB_EXIT_IO          = 3,
       SSB_EXIT_INTERRUPTED = 4 }; /* SIGTERM/SIGINT: checkpoint written (ssbsim restart continues) */

#define SsbCallSUN(call)                                                                                                          \
  do {                                                                                                                            \
    int ssb_sun_flag_ = (call);                                                                                                   \
    PetscCheck(ssb_sun_flag_ >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "SUNDIALS call %s failed with flag %d", #call, ssb_sun_flag_); \
  } while (0)

/* Print "file:line:col: error: message" to stderr (rank 0 of PETSC_COMM_WORLD only) and return
   SSB_ERR_INPUT. line/col are 1-based; pass 0 when unknown. */
PetscErrorCode SsbInputError(const char *file, int line, int col, const char *fmt, ...) PETSC_ATTRIBUTE_FORMAT(4, 5);

/* Arrhenius factor exp(-Ea/R (1/T - 1/Tref)); Ea in J/mol, T and Tref in K. */
static inline double SsbArrhenius(double Ea, double T, double Tref) { return Ea == 0.0 ? 1.0 : exp(-Ea / SSB_GAS_CONSTANT * (1.0 / T - 1.0 / Tref)); }
