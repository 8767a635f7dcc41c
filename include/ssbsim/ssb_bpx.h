/* ssb_bpx.h -- import of a Battery Parameter eXchange (BPX) parameter set (JSON) as an ssbsim case.

   BPX (Faraday Institution, https://bpxstandard.com) describes a liquid-electrolyte Li-ion cell for
   DFN-type models. SsbBpxImport maps what ssbsim can represent (docs/bpx.md has the table): two
   intercalation materials, the liquid as a `binary` electrolyte, the porous separator as an
   equivalent dense layer, the cell area, voltage limits and a default 1C discharge. Solid-state
   extras come from the set's "User-defined": {"ssbsim": {...}} block (docs/bpx.md). */
#pragma once
#include <ssbsim/ssb.h>

/* Read the BPX file json_path and write the case file case_out and the material file materials_out
   (the case includes it: by its file name when both are in the same directory, else by its absolute
   path). Material names start with `prefix` (NULL: the JSON file's base name, made an identifier).
   Nothing is written unless the whole set maps. Errors (malformed JSON, a missing or unmappable BPX
   key, an expression that cannot be translated to libmatheval syntax) print "FILE: error: KEY: ..."
   naming the BPX key and return SSB_ERR_INPUT; unknown BPX keys and keys that are read but not mapped
   are reported as warnings. */
PetscErrorCode SsbBpxImport(const char *json_path, const char *case_out, const char *materials_out, const char *prefix);

/* Translate a BPX (PyBaMM-style Python) expression in x to libmatheval syntax: `**` -> `^` (with
   Python's precedence and right associativity kept by parentheses), `np.`/`numpy.`/`math.` prefixes
   dropped, arcsin -> asin etc., log10/log2 -> log()/log(10), pi and e as numbers; the result is
   checked with SsbFuncCheckExpression. On failure returns SSB_ERR_INPUT with the reason in msg. */
PetscErrorCode SsbBpxTranslateExpression(const char *in, char *out, size_t outlen, char *msg, size_t msglen);
