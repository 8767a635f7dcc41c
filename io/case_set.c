/* case_set.c -- command-line overrides "--set path=value" applied to the case tree.

   path: keys joined by dots, each optionally followed by list indices: cell.positive.thickness,
   experiment.steps[0], output.particle_positions[2]. Missing mapping keys are created (the schema
   check then rejects keys that do not exist); an index may address an existing item or append
   one past the end. value: the text after the first '='; a value starting with '[', '{' or a quote
   is read as YAML flow (lists, mappings, quoted strings), anything else is taken literally, so
   "Discharge at 2C until 3 V" and "80 um" need no quoting. Nodes created here carry the location
   label "--set <arg>" and line 0, so later errors about them name the argument. */
#include "case_internal.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSB_SET_MAX_PARTS 32

typedef struct {
  char name[256]; /* key, or "" for an index */
  int  index;     /* >= 0 for an index */
} PathPart;

static PetscErrorCode SetSyntax(const char *file, const char *arg, const char *why)
{
  PetscFunctionBeginUser;
  PetscFunctionReturn(SsbInputError(file, 0, 0, "--set '%s': %s (expected --set key.subkey[index]=value)", arg, why));
}

static PetscErrorCode ParsePath(const char *arg, const char *path, size_t plen, const char *file, PathPart *parts, int *nparts)
{
  size_t i = 0;
  int    n = 0;

  PetscFunctionBeginUser;
  while (i < plen) {
    if (n == SSB_SET_MAX_PARTS) PetscFunctionReturn(SetSyntax(file, arg, "the path is too deep"));
    if (path[i] == '[') {
      char  *end;
      long   idx;
      char   num[32];
      size_t k = 0;
      if (n == 0) PetscFunctionReturn(SetSyntax(file, arg, "the path starts with an index"));
      i++;
      while (i < plen && path[i] != ']' && k + 1 < sizeof num) num[k++] = path[i++];
      num[k] = '\0';
      if (i >= plen || path[i] != ']') PetscFunctionReturn(SetSyntax(file, arg, "missing ']'"));
      idx = strtol(num, &end, 10);
      if (!k || *end || idx < 0 || idx > 1000000) PetscFunctionReturn(SetSyntax(file, arg, "a list index must be a non-negative integer"));
      i++;
      parts[n].name[0] = '\0';
      parts[n].index   = (int)idx;
      n++;
      if (i < plen && path[i] == '.') {
        i++;
        if (i >= plen) PetscFunctionReturn(SetSyntax(file, arg, "the path ends with '.'"));
      } else if (i < plen && path[i] != '[')
        PetscFunctionReturn(SetSyntax(file, arg, "expected '.' or '[' after ']'"));
    } else {
      size_t k = 0;
      while (i < plen && path[i] != '.' && path[i] != '[') {
        if (isspace((unsigned char)path[i])) PetscFunctionReturn(SetSyntax(file, arg, "the path contains a blank"));
        if (k + 1 >= sizeof parts[n].name) PetscFunctionReturn(SetSyntax(file, arg, "a key is too long"));
        parts[n].name[k++] = path[i++];
      }
      parts[n].name[k] = '\0';
      parts[n].index   = -1;
      if (!k) PetscFunctionReturn(SetSyntax(file, arg, "empty key in the path"));
      n++;
      if (i < plen && path[i] == '.') {
        i++;
        if (i >= plen) PetscFunctionReturn(SetSyntax(file, arg, "the path ends with '.'"));
      }
    }
  }
  if (!n) PetscFunctionReturn(SetSyntax(file, arg, "empty path"));
  *nparts = n;
  PetscFunctionReturn(0);
}

/* Build the value node from the text after '='. */
static PetscErrorCode MakeValue(const char *arg, const char *value, const char *label, const char *file, SsbYamlNode **node)
{
  const char *v = value;
  size_t      n;
  char       *trimmed;

  PetscFunctionBeginUser;
  while (isspace((unsigned char)*v)) v++;
  n = strlen(v);
  while (n && isspace((unsigned char)v[n - 1])) n--;
  PetscCall(PetscMalloc1(n + 1, &trimmed));
  memcpy(trimmed, v, n);
  trimmed[n] = '\0';
  if (n && strchr("[{\"'", trimmed[0])) {
    char           msg[512];
    PetscErrorCode ierr = SsbYamlParseStringQuiet(trimmed, label, node, msg, sizeof msg);
    PetscCall(PetscFree(trimmed));
    if (ierr == SSB_ERR_INPUT) PetscFunctionReturn(SsbInputError(file, 0, 0, "--set '%s': the value is not valid YAML (%s)", arg, msg));
    PetscCall(ierr);
    if (!*node) PetscCall(SsbYamlNodeCreate(SSB_YAML_SCALAR, "", label, 0, 0, node));
    /* the parsed nodes are located in the argument, not in a file */
    PetscFunctionReturn(0);
  }
  PetscCall(SsbYamlNodeCreate(SSB_YAML_SCALAR, trimmed, label, 0, 0, node));
  (*node)->quoted = n ? PETSC_FALSE : PETSC_TRUE; /* "key=" sets the empty string, not null */
  PetscCall(PetscFree(trimmed));
  PetscFunctionReturn(0);
}

static void ZeroLines(SsbYamlNode *n)
{
  if (!n) return;
  n->line = n->col = 0;
  for (int i = 0; i < n->n; i++) {
    n->entries[i].line = n->entries[i].col = 0;
    ZeroLines(n->entries[i].value);
  }
}

PetscErrorCode SsbYamlApplySet(SsbYamlNode *root, const char *arg, const char *label, const char *file)
{
  const char    *eq = strchr(arg, '=');
  PathPart      *parts;
  int            nparts = 0;
  SsbYamlNode   *cur = root, *value = NULL;
  char           where[1024] = "";
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  if (!eq) PetscFunctionReturn(SetSyntax(file, arg, "no '='"));
  PetscCall(PetscCalloc1(SSB_SET_MAX_PARTS, &parts));
  ierr = ParsePath(arg, arg, (size_t)(eq - arg), file, parts, &nparts);
  if (ierr) {
    PetscCall(PetscFree(parts));
    SsbInCall(ierr);
  }
  ierr = MakeValue(arg, eq + 1, label, file, &value);
  if (ierr) {
    PetscCall(PetscFree(parts));
    SsbInCall(ierr);
  }
  ZeroLines(value);
  ierr = 0;
  for (int p = 0; p < nparts; p++) {
    PetscBool     last = p == nparts - 1 ? PETSC_TRUE : PETSC_FALSE;
    SsbYamlEntry *e    = NULL;
    if (parts[p].index < 0) {
      if (cur->kind != SSB_YAML_MAPPING) {
        ierr = SsbInputError(cur->file, cur->line, cur->col, "--set '%s': %s is not a mapping, so it has no key '%s'", arg, where[0] ? where : "the case", parts[p].name);
        break;
      }
      e = SsbYamlMapFind(cur, parts[p].name);
      if (!e) {
        SsbYamlNode *child = NULL;
        if (!last) PetscCall(SsbYamlNodeCreate(parts[p + 1].index >= 0 ? SSB_YAML_SEQUENCE : SSB_YAML_MAPPING, NULL, label, 0, 0, &child));
        PetscCall(SsbYamlNodeAppend(cur, parts[p].name, label, 0, 0, child));
        e = &cur->entries[cur->n - 1];
      }
      if (where[0]) strncat(where, ".", sizeof where - strlen(where) - 1);
      strncat(where, parts[p].name, sizeof where - strlen(where) - 1);
    } else {
      char idx[32];
      if (cur->kind != SSB_YAML_SEQUENCE) {
        ierr = SsbInputError(cur->file, cur->line, cur->col, "--set '%s': %s is not a list, so it cannot be indexed with [%d]", arg, where, parts[p].index);
        break;
      }
      if (parts[p].index > cur->n) {
        ierr = SsbInputError(cur->file, cur->line, cur->col, "--set '%s': index %d is out of range: %s has %d item%s (an index equal to the count appends)", arg, parts[p].index, where, cur->n, cur->n == 1 ? "" : "s");
        break;
      }
      if (parts[p].index == cur->n) {
        SsbYamlNode *child = NULL;
        if (!last) PetscCall(SsbYamlNodeCreate(parts[p + 1].index >= 0 ? SSB_YAML_SEQUENCE : SSB_YAML_MAPPING, NULL, label, 0, 0, &child));
        PetscCall(SsbYamlNodeAppend(cur, NULL, label, 0, 0, child));
      }
      e = &cur->entries[parts[p].index];
      snprintf(idx, sizeof idx, "[%d]", parts[p].index);
      strncat(where, idx, sizeof where - strlen(where) - 1);
    }
    if (last) {
      PetscCall(SsbYamlNodeDestroy(&e->value));
      e->value = value;
      value    = NULL;
    } else {
      if (!e->value || SsbYamlIsNull(e->value)) { /* "key:" with nothing: becomes a container */
        PetscCall(SsbYamlNodeDestroy(&e->value));
        PetscCall(SsbYamlNodeCreate(parts[p + 1].index >= 0 ? SSB_YAML_SEQUENCE : SSB_YAML_MAPPING, NULL, label, 0, 0, &e->value));
      }
      cur = e->value;
    }
  }
  PetscCall(SsbYamlNodeDestroy(&value));
  PetscCall(PetscFree(parts));
  SsbInCall(ierr);
  PetscFunctionReturn(0);
}
