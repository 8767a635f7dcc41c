/* case_internal.h -- private interface of the case reader (io/): the YAML node tree with source
   locations, unit conversion, experiment step parsing, --set overrides and "did you mean".

   Not installed; the library's case reader and its unit tests include it. Input errors are printed
   with SsbInputError at the offending node and propagate as SSB_ERR_INPUT without a PETSc traceback
   (SsbInCall). Functions that take a msg buffer do not print: they fill msg and return
   SSB_ERR_INPUT, and the caller reports the message at the right node. */
#pragma once
#include <ssbsim/ssb_case.h>
#include <stdint.h>
#include <stdio.h>

/* Propagate an input error without a PETSc traceback; any other error goes through PetscCall. */
#define SsbInCall(call)                                                 \
  do {                                                                  \
    PetscErrorCode ssb_in_err_ = (call);                                \
    if (ssb_in_err_ == SSB_ERR_INPUT) PetscFunctionReturn(ssb_in_err_); \
    PetscCall(ssb_in_err_);                                             \
  } while (0)

/* Report an input error at a node (file, line, col of the node) and return SSB_ERR_INPUT. */
#define SsbNodeError(node, ...) PetscFunctionReturn(SsbInputError((node)->file, (node)->line, (node)->col, __VA_ARGS__))

/* While context is set (non-empty), every input error message ends with " (context)"; NULL or ""
   clears it. The stack reader uses it to name the cell and the variation entries of an error. */
void SsbInputErrorContext(const char *context);

/* "file:line:col: warning: message" on rank 0. */
PetscErrorCode SsbInputWarning(const char *file, int line, int col, const char *fmt, ...) PETSC_ATTRIBUTE_FORMAT(4, 5);

/* ---- YAML tree ---------------------------------------------------------------------------------- */
typedef enum { SSB_YAML_SCALAR = 0,
               SSB_YAML_SEQUENCE,
               SSB_YAML_MAPPING } SsbYamlKind;

typedef struct SsbYamlNode SsbYamlNode;

/* One entry of a mapping (key != NULL) or sequence (key == NULL). line/col locate the key. */
typedef struct {
  char        *key;
  const char  *file;
  int          line, col;
  SsbYamlNode *value;
} SsbYamlEntry;

struct SsbYamlNode {
  SsbYamlKind   kind;
  char         *value;     /* SCALAR: text, owned */
  PetscBool     quoted;    /* SCALAR: written quoted or as a block scalar (never null) */
  const char   *file;      /* not owned: points into the reader's file list */
  int           line, col; /* 1-based; 0 if the node came from the command line */
  int           n, cap;
  SsbYamlEntry *entries; /* SEQUENCE, MAPPING */
};

/* Parse a YAML file (one document) into a tree; label is the name used in messages and stored in
   the nodes (must outlive the tree). An empty document gives *root = NULL. Syntax errors are
   reported as label:line:col. */
/* Open an input file for reading; NULL (and msg filled) for a directory, a device or a socket.
   Never blocks on a FIFO: one without a writer reads as empty. */
FILE *SsbOpenInputFile(const char *path, char *msg, size_t len);
/* Largest case or material file read (bytes). */
#define SSB_INPUT_TEXT_MAX (64 << 20)
/* Read a whole text file (PetscFree the text); on failure fills msg and returns SSB_ERR_INPUT
   without printing. line and col (may be NULL) receive the position of a NUL byte, else 0: the
   message then leaves the position to the caller. */
PetscErrorCode SsbYamlReadText(const char *path, char **text, char *msg, size_t len, int *line, int *col);
PetscErrorCode SsbYamlParseFile(const char *path, const char *label, SsbYamlNode **root);
/* Parse a string (one document); nodes get file = label and the string's line/col. */
PetscErrorCode SsbYamlParseString(const char *text, const char *label, SsbYamlNode **root);
/* Same, but errors are written to msg ("line L, column C: ...") instead of printed. */
PetscErrorCode SsbYamlParseStringQuiet(const char *text, const char *label, SsbYamlNode **root, char *msg, size_t len);
PetscErrorCode SsbYamlNodeCreate(SsbYamlKind kind, const char *value, const char *file, int line, int col, SsbYamlNode **node);
PetscErrorCode SsbYamlNodeDestroy(SsbYamlNode **node);
PetscErrorCode SsbYamlNodeCopy(const SsbYamlNode *src, SsbYamlNode **dst);
/* Append an entry (key may be NULL for sequences); takes ownership of value. */
PetscErrorCode SsbYamlNodeAppend(SsbYamlNode *node, const char *key, const char *file, int line, int col, SsbYamlNode *value);
/* Entry of a mapping by key, or NULL. */
SsbYamlEntry *SsbYamlMapFind(const SsbYamlNode *map, const char *key);
/* Remove (and destroy) a mapping entry if present. */
PetscErrorCode SsbYamlMapRemove(SsbYamlNode *map, const char *key);
/* True for a plain scalar that YAML reads as null: empty, "~", "null". */
PetscBool SsbYamlIsNull(const SsbYamlNode *node);
/* Emit the tree as block YAML into a newly allocated string (PetscFree it). */
PetscErrorCode SsbYamlEmit(const SsbYamlNode *root, char **text);

/* ---- --set overrides ------------------------------------------------------------------------------ */
/* Apply "path=value" to root (a mapping). label is the location string for created nodes (e.g.
   "--set cell.area=1"), must outlive the tree. Bad syntax is reported at (file, 0, 0). */
PetscErrorCode SsbYamlApplySet(SsbYamlNode *root, const char *arg, const char *label, const char *file);

/* ---- units ---------------------------------------------------------------------------------------- */
/* Convert "number [unit]" to the SI unit si_unit ("m", "S/m", "1" for dimensionless ...). A bare
   number is SI. dimension names the quantity for messages ("a length"); may be NULL. Offsets
   (degC) are applied. On error fills msg and returns SSB_ERR_INPUT. */
PetscErrorCode SsbUnitsConvert(const char *text, const char *si_unit, const char *dimension, double *value, char *msg, size_t len);
/* Linear factor from unit to si_unit (error if not convertible or the unit has an offset). */
PetscErrorCode SsbUnitsFactor(const char *unit, const char *si_unit, const char *dimension, double *factor, char *msg, size_t len);
/* 1 if text is "number unit" with a unit udunits understands (a quantity, not an expression). */
PetscBool SsbUnitsIsQuantity(const char *text);
/* A number a case may give: finite, and 0 or normal (a subnormal, below 2.2e-308 in magnitude,
   turns into 0 or infinity in the model's arithmetic). */
PetscBool SsbNumberInRange(double v);
/* Parse a whole string as a number in range (surrounding blanks allowed). */
PetscBool SsbParseNumber(const char *text, double *value);

/* ---- experiment steps ------------------------------------------------------------------------------ */
/* Parse one step string into step (text/line/col are not touched). */
PetscErrorCode SsbStepParse(const char *text, SsbStep *step, char *msg, size_t len);

/* ---- did you mean ------------------------------------------------------------------------------------ */
int SsbLevenshtein(const char *a, const char *b);
/* Closest of the n valid words (NULL-terminated if n < 0) to word, or NULL if none is close. */
const char *SsbDidYouMean(const char *word, const char *const *valid, int n);

/* ---- portable seeded random numbers (stack.variation) ------------------------------------------------- */
/* xoshiro256** (Blackman and Vigna) seeded through splitmix64: integer streams are identical on every
   platform; uniforms are exact (53-bit); normals use Box-Muller (both values of a pair, in turn). */
typedef struct {
  uint64_t s[4];
  int      have_spare;
  double   spare;
} SsbRng;
void     SsbRngSeed(SsbRng *g, uint64_t seed);
uint64_t SsbRngNext(SsbRng *g);
/* Uniform on [0, 1), 53 bits. */
double SsbRngUniform(SsbRng *g);
/* Standard normal. */
double SsbRngNormal(SsbRng *g);
/* A factor with mean 1 and coefficient of variation cv: normal 1 + cv z; lognormal exp(mu + s z)
   with s^2 = ln(1 + cv^2), mu = -s^2/2; uniform on [1 - sqrt(3) cv, 1 + sqrt(3) cv]. */
double SsbRngFactor(SsbRng *g, SsbDistribution dist, double cv);
