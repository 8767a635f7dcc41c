/* yaml_tree.c -- a YAML document as a tree of scalars, sequences and mappings that remembers where
   every node and key stands (file, 1-based line and column), built from libyaml's event parser, and
   a small block-style emitter for the resolved case text stored in results files.

   One document per file. Mapping keys must be scalars and unique; aliases are refused (a case file
   has no use for them, and expanding them invites exponential blow-up). */
#define _POSIX_C_SOURCE 200809L
#include "case_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

PetscErrorCode SsbYamlNodeCreate(SsbYamlKind kind, const char *value, const char *file, int line, int col, SsbYamlNode **node)
{
  SsbYamlNode *n;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&n));
  n->kind = kind;
  n->file = file;
  n->line = line;
  n->col  = col;
  if (kind == SSB_YAML_SCALAR) PetscCall(PetscStrallocpy(value ? value : "", &n->value));
  *node = n;
  PetscFunctionReturn(0);
}

PetscErrorCode SsbYamlNodeDestroy(SsbYamlNode **node)
{
  SsbYamlNode *n;

  PetscFunctionBeginUser;
  if (!node || !*node) PetscFunctionReturn(0);
  n = *node;
  for (int i = 0; i < n->n; i++) {
    PetscCall(PetscFree(n->entries[i].key));
    PetscCall(SsbYamlNodeDestroy(&n->entries[i].value));
  }
  PetscCall(PetscFree(n->entries));
  PetscCall(PetscFree(n->value));
  PetscCall(PetscFree(n));
  *node = NULL;
  PetscFunctionReturn(0);
}

PetscErrorCode SsbYamlNodeAppend(SsbYamlNode *node, const char *key, const char *file, int line, int col, SsbYamlNode *value)
{
  SsbYamlEntry *e;

  PetscFunctionBeginUser;
  if (node->n == node->cap) {
    int           cap = node->cap ? 2 * node->cap : 8;
    SsbYamlEntry *ne;
    PetscCall(PetscCalloc1(cap, &ne));
    if (node->n) PetscCall(PetscArraycpy(ne, node->entries, node->n));
    PetscCall(PetscFree(node->entries));
    node->entries = ne;
    node->cap     = cap;
  }
  e = &node->entries[node->n++];
  PetscCall(PetscMemzero(e, sizeof(*e)));
  e->value = value;
  e->file  = file;
  e->line  = line;
  e->col   = col;
  if (key) PetscCall(PetscStrallocpy(key, &e->key));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbYamlNodeCopy(const SsbYamlNode *src, SsbYamlNode **dst)
{
  SsbYamlNode *n;

  PetscFunctionBeginUser;
  *dst = NULL;
  if (!src) PetscFunctionReturn(0);
  PetscCall(SsbYamlNodeCreate(src->kind, src->value, src->file, src->line, src->col, &n));
  n->quoted = src->quoted;
  for (int i = 0; i < src->n; i++) {
    SsbYamlNode   *c    = NULL;
    PetscErrorCode ierr = SsbYamlNodeCopy(src->entries[i].value, &c);
    if (!ierr) ierr = SsbYamlNodeAppend(n, src->entries[i].key, src->entries[i].file, src->entries[i].line, src->entries[i].col, c);
    if (ierr) {
      PetscCall(SsbYamlNodeDestroy(&c));
      PetscCall(SsbYamlNodeDestroy(&n));
      PetscCall(ierr);
    }
  }
  *dst = n;
  PetscFunctionReturn(0);
}

SsbYamlEntry *SsbYamlMapFind(const SsbYamlNode *map, const char *key)
{
  if (!map || map->kind != SSB_YAML_MAPPING) return NULL;
  for (int i = 0; i < map->n; i++)
    if (map->entries[i].key && !strcmp(map->entries[i].key, key)) return &map->entries[i];
  return NULL;
}

PetscErrorCode SsbYamlMapRemove(SsbYamlNode *map, const char *key)
{
  PetscFunctionBeginUser;
  for (int i = 0; map && i < map->n; i++) {
    if (map->entries[i].key && !strcmp(map->entries[i].key, key)) {
      PetscCall(PetscFree(map->entries[i].key));
      PetscCall(SsbYamlNodeDestroy(&map->entries[i].value));
      for (int j = i + 1; j < map->n; j++) map->entries[j - 1] = map->entries[j];
      map->n--;
      break;
    }
  }
  PetscFunctionReturn(0);
}

PetscBool SsbYamlIsNull(const SsbYamlNode *node)
{
  if (!node) return PETSC_TRUE;
  if (node->kind != SSB_YAML_SCALAR || node->quoted) return PETSC_FALSE;
  return (!node->value[0] || !strcmp(node->value, "~") || !strcmp(node->value, "null") || !strcmp(node->value, "Null") || !strcmp(node->value, "NULL")) ? PETSC_TRUE : PETSC_FALSE;
}

/* ---- parser ----------------------------------------------------------------------------------------- */

#define SSB_YAML_MAX_DEPTH 64

typedef struct {
  const char  *label;
  const char  *text; /* for locating reader errors by offset */
  size_t       len;
  SsbYamlNode *root;
  SsbYamlNode *stack[SSB_YAML_MAX_DEPTH];
  int          depth;
  char        *key; /* pending mapping key */
  int          key_line, key_col;
  char        *msg; /* if set, errors are written here instead of printed */
  size_t       msglen;
} ParseState;

static PetscErrorCode PsError(ParseState *ps, int line, int col, const char *fmt, ...) PETSC_ATTRIBUTE_FORMAT(4, 5);
static PetscErrorCode PsError(ParseState *ps, int line, int col, const char *fmt, ...)
{
  char    text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (ps->msg) {
    snprintf(ps->msg, ps->msglen, "line %d, column %d: %s", line, col, text);
    return SSB_ERR_INPUT;
  }
  return SsbInputError(ps->label, line, col, "%s", text);
}

/* Attach a freshly created node to the open container (or make it the root). The node is owned by
   the tree before anything can fail, so error paths only free the root. */
static PetscErrorCode Attach(ParseState *ps, SsbYamlNode *node, PetscBool *is_key)
{
  SsbYamlNode *top;

  PetscFunctionBeginUser;
  *is_key = PETSC_FALSE;
  if (ps->depth == 0) {
    ps->root = node;
    PetscFunctionReturn(0);
  }
  top = ps->stack[ps->depth - 1];
  if (top->kind == SSB_YAML_SEQUENCE) {
    PetscCall(SsbYamlNodeAppend(top, NULL, node->file, node->line, node->col, node));
  } else if (!ps->key) {
    if (node->kind != SSB_YAML_SCALAR) {
      PetscErrorCode ierr = PsError(ps, node->line, node->col, "mapping keys must be plain words, not %s", node->kind == SSB_YAML_MAPPING ? "mappings" : "sequences");
      PetscCall(SsbYamlNodeDestroy(&node));
      PetscFunctionReturn(ierr);
    }
    if (SsbYamlMapFind(top, node->value)) {
      SsbYamlEntry  *prev = SsbYamlMapFind(top, node->value);
      PetscErrorCode ierr = PsError(ps, node->line, node->col, "duplicate key '%s' (first given at line %d)", node->value, prev->line);
      PetscCall(SsbYamlNodeDestroy(&node));
      PetscFunctionReturn(ierr);
    }
    ps->key      = node->value;
    node->value  = NULL;
    ps->key_line = node->line;
    ps->key_col  = node->col;
    PetscCall(SsbYamlNodeDestroy(&node));
    *is_key = PETSC_TRUE;
  } else {
    PetscCall(SsbYamlNodeAppend(top, ps->key, ps->label, ps->key_line, ps->key_col, node));
    PetscCall(PetscFree(ps->key));
  }
  PetscFunctionReturn(0);
}

static void OffsetToLineCol(const ParseState *ps, size_t offset, int *line, int *col)
{
  *line = 1;
  *col  = 1;
  for (size_t i = 0; i < offset && i < ps->len; i++) {
    if (ps->text[i] == '\n') {
      (*line)++;
      *col = 1;
    } else
      (*col)++;
  }
}

static PetscErrorCode ParseError(ParseState *ps, yaml_parser_t *parser)
{
  int line = (int)parser->problem_mark.line + 1, col = (int)parser->problem_mark.column + 1;

  PetscFunctionBeginUser;
  if (parser->error == YAML_READER_ERROR) {
    OffsetToLineCol(ps, parser->problem_offset, &line, &col);
    PetscFunctionReturn(PsError(ps, line, col, "YAML syntax error: %s", parser->problem ? parser->problem : "cannot read the input"));
  }
  if (parser->error == YAML_MEMORY_ERROR) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_MEM, "libyaml: out of memory");
  if (parser->context)
    PetscFunctionReturn(PsError(ps, line, col, "YAML syntax error: %s (%s at line %d, column %d)", parser->problem ? parser->problem : "invalid YAML", parser->context, (int)parser->context_mark.line + 1, (int)parser->context_mark.column + 1));
  PetscFunctionReturn(PsError(ps, line, col, "YAML syntax error: %s", parser->problem ? parser->problem : "invalid YAML"));
}

static PetscErrorCode ParseEvents(ParseState *ps, yaml_parser_t *parser)
{
  int ndocs = 0;

  PetscFunctionBeginUser;
  for (;;) {
    yaml_event_t ev;
    SsbYamlNode *node = NULL;
    PetscBool    is_key;
    int          line, col;

    if (!yaml_parser_parse(parser, &ev)) SsbInCall(ParseError(ps, parser));
    line = (int)ev.start_mark.line + 1;
    col  = (int)ev.start_mark.column + 1;
    switch (ev.type) {
    case YAML_STREAM_END_EVENT:
      yaml_event_delete(&ev);
      PetscFunctionReturn(0);
    case YAML_DOCUMENT_START_EVENT:
      if (++ndocs > 1) {
        yaml_event_delete(&ev);
        PetscFunctionReturn(PsError(ps, line, col, "only one YAML document is allowed in a file"));
      }
      break;
    case YAML_ALIAS_EVENT:
      yaml_event_delete(&ev);
      PetscFunctionReturn(PsError(ps, line, col, "YAML aliases (*name) are not supported"));
    case YAML_SCALAR_EVENT: {
      PetscErrorCode ierr = SsbYamlNodeCreate(SSB_YAML_SCALAR, (const char *)ev.data.scalar.value, ps->label, line, col, &node);
      if (ierr) {
        yaml_event_delete(&ev);
        PetscCall(ierr);
      }
      node->quoted = (ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) ? PETSC_FALSE : PETSC_TRUE;
      yaml_event_delete(&ev);
      SsbInCall(Attach(ps, node, &is_key));
      continue;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
      SsbYamlKind    kind = ev.type == YAML_SEQUENCE_START_EVENT ? SSB_YAML_SEQUENCE : SSB_YAML_MAPPING;
      PetscErrorCode ierr;
      yaml_event_delete(&ev);
      if (ps->depth == SSB_YAML_MAX_DEPTH) PetscFunctionReturn(PsError(ps, line, col, "YAML nesting deeper than %d levels", SSB_YAML_MAX_DEPTH));
      PetscCall(SsbYamlNodeCreate(kind, NULL, ps->label, line, col, &node));
      ierr = Attach(ps, node, &is_key);
      SsbInCall(ierr);
      ps->stack[ps->depth++] = node;
      continue;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      if (ps->depth > 0) ps->depth--;
      break;
    default:
      break;
    }
    yaml_event_delete(&ev);
  }
}

static PetscErrorCode ParseString(const char *text, const char *label, SsbYamlNode **root, char *msg, size_t msglen)
{
  yaml_parser_t  parser;
  ParseState     ps;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  *root = NULL;
  PetscCall(PetscMemzero(&ps, sizeof(ps)));
  ps.label  = label;
  ps.msg    = msg;
  ps.msglen = msglen;
  ps.text   = text;
  ps.len    = strlen(text);
  PetscCheck(yaml_parser_initialize(&parser), PETSC_COMM_SELF, PETSC_ERR_LIB, "yaml_parser_initialize failed");
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, ps.len);
  ierr = ParseEvents(&ps, &parser);
  yaml_parser_delete(&parser);
  PetscCall(PetscFree(ps.key));
  if (ierr) {
    PetscCall(SsbYamlNodeDestroy(&ps.root));
    SsbInCall(ierr);
  }
  *root = ps.root;
  PetscFunctionReturn(0);
}

PetscErrorCode SsbYamlParseString(const char *text, const char *label, SsbYamlNode **root)
{
  PetscFunctionBeginUser;
  SsbInCall(ParseString(text, label, root, NULL, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode SsbYamlParseStringQuiet(const char *text, const char *label, SsbYamlNode **root, char *msg, size_t len)
{
  PetscFunctionBeginUser;
  SsbInCall(ParseString(text, label, root, msg, len));
  PetscFunctionReturn(0);
}

FILE *SsbOpenInputFile(const char *path, char *msg, size_t msglen)
{
  struct stat st;
  int         fd, flags;
  FILE       *fp;

  /* O_NONBLOCK: opening a FIFO without a writer would block for ever; cleared again below, so a
     pipe that has a writer (bash's <(...)) is read to its end and one without reads as empty */
  errno = 0;
  fd    = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) {
    snprintf(msg, msglen, "%s", errno ? strerror(errno) : "cannot open the file");
    return NULL;
  }
  if (fstat(fd, &st)) {
    snprintf(msg, msglen, "%s", strerror(errno));
    close(fd);
    return NULL;
  }
  if (S_ISDIR(st.st_mode) || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
    snprintf(msg, msglen, S_ISDIR(st.st_mode) ? "it is a directory" : "it is a device or a socket, not a regular file");
    close(fd);
    return NULL;
  }
  flags = fcntl(fd, F_GETFL);
  if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1 || !(fp = fdopen(fd, "rb"))) {
    snprintf(msg, msglen, "%s", strerror(errno));
    close(fd);
    return NULL;
  }
  return fp;
}

PetscErrorCode SsbYamlReadText(const char *path, char **text, char *msg, size_t msglen, int *line, int *col)
{
  FILE  *fp;
  char  *buf = NULL;
  size_t len = 0, cap = 0;

  PetscFunctionBeginUser;
  *text = NULL;
  if (line) *line = 0;
  if (col) *col = 0;
  fp = SsbOpenInputFile(path, msg, msglen);
  if (!fp) PetscFunctionReturn(SSB_ERR_INPUT);
  for (;;) {
    size_t got;
    if (len >= SSB_INPUT_TEXT_MAX) {
      snprintf(msg, msglen, "the file is larger than %d MiB; it is not a case or material file", SSB_INPUT_TEXT_MAX >> 20);
      free(buf);
      fclose(fp);
      PetscFunctionReturn(SSB_ERR_INPUT);
    }
    if (len + 4096 + 1 > cap) {
      char *nb;
      cap = 2 * cap + 8192;
      nb  = (char *)realloc(buf, cap);
      if (!nb) {
        free(buf);
        fclose(fp);
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory reading %s", path);
      }
      buf = nb;
    }
    errno = 0;
    got   = fread(buf + len, 1, cap - len - 1, fp);
    len += got;
    if (got == 0) break;
  }
  if (ferror(fp)) {
    snprintf(msg, msglen, "cannot read the file: %s", errno ? strerror(errno) : "read error");
    free(buf);
    fclose(fp);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  fclose(fp);
  buf[len] = '\0';
  if (strlen(buf) != len) {
    int l = 1, c = 1;
    for (size_t i = 0; buf[i]; i++) {
      if (buf[i] == '\n') {
        l++;
        c = 1;
      } else
        c++;
    }
    if (line && col) {
      *line = l;
      *col  = c;
      snprintf(msg, msglen, "the file contains a NUL byte; it is not a YAML text file");
    } else
      snprintf(msg, msglen, "the file contains a NUL byte (line %d, column %d); it is not a YAML text file", l, c);
    free(buf);
    PetscFunctionReturn(SSB_ERR_INPUT);
  }
  PetscCall(PetscStrallocpy(buf, text));
  free(buf);
  PetscFunctionReturn(0);
}

PetscErrorCode SsbYamlParseFile(const char *path, const char *label, SsbYamlNode **root)
{
  char          *text;
  char           msg[512];
  int            line, col;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  *root = NULL;
  if (SsbYamlReadText(path, &text, msg, sizeof msg, &line, &col)) PetscFunctionReturn(SsbInputError(label, line, col, "cannot read the case file: %s", msg));
  ierr = SsbYamlParseString(text, label, root);
  PetscCall(PetscFree(text));
  SsbInCall(ierr);
  PetscFunctionReturn(0);
}

/* ---- emitter ----------------------------------------------------------------------------------------- */

typedef struct {
  char  *s;
  size_t len, cap;
} StrBuf;

static PetscErrorCode Put(StrBuf *b, const char *s, size_t n)
{
  PetscFunctionBeginUser;
  if (b->len + n + 1 > b->cap) {
    size_t cap = 2 * b->cap + n + 256;
    char  *ns;
    PetscCall(PetscMalloc1(cap, &ns));
    if (b->len) PetscCall(PetscArraycpy(ns, b->s, b->len));
    PetscCall(PetscFree(b->s));
    b->s   = ns;
    b->cap = cap;
  }
  PetscCall(PetscArraycpy(b->s + b->len, s, n));
  b->len += n;
  b->s[b->len] = '\0';
  PetscFunctionReturn(0);
}

static PetscErrorCode Puts(StrBuf *b, const char *s)
{
  PetscFunctionBeginUser;
  PetscCall(Put(b, s, strlen(s)));
  PetscFunctionReturn(0);
}

static PetscErrorCode Indent(StrBuf *b, int n)
{
  PetscFunctionBeginUser;
  for (int i = 0; i < n; i++) PetscCall(Put(b, " ", 1));
  PetscFunctionReturn(0);
}

/* Whether a string can be written as a plain scalar in block and flow context and read back as the
   same string. */
static PetscBool PlainIsSafe(const char *s)
{
  size_t n = strlen(s);
  if (!n || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':') return PETSC_FALSE;
  if (strchr("?:,[]{}#&*!|>'\"%@`", s[0])) return PETSC_FALSE;
  if (s[0] == '-' && (n == 1 || s[1] == ' ')) return PETSC_FALSE;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || strchr(",[]{}", c)) return PETSC_FALSE;
    if (c == ':' && s[i + 1] == ' ') return PETSC_FALSE;
    if (c == '#' && s[i - 1 + (i == 0)] == ' ') return PETSC_FALSE;
  }
  if (!strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL")) return PETSC_FALSE;
  return PETSC_TRUE;
}

static PetscErrorCode PutScalar(StrBuf *b, const char *s, PetscBool quoted)
{
  PetscFunctionBeginUser;
  if (!quoted && PlainIsSafe(s)) {
    PetscCall(Puts(b, s));
    PetscFunctionReturn(0);
  }
  PetscCall(Put(b, "\"", 1));
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    char          esc[8];
    if (c == '"')
      PetscCall(Puts(b, "\\\""));
    else if (c == '\\')
      PetscCall(Puts(b, "\\\\"));
    else if (c == '\n')
      PetscCall(Puts(b, "\\n"));
    else if (c == '\t')
      PetscCall(Puts(b, "\\t"));
    else if (c < 0x20 || c == 0x7f) {
      snprintf(esc, sizeof esc, "\\x%02x", c);
      PetscCall(Puts(b, esc));
    } else
      PetscCall(Put(b, p, 1));
  }
  PetscCall(Put(b, "\"", 1));
  PetscFunctionReturn(0);
}

/* Short all-scalar containers are written in flow style ({a: 1, b: 2}, [0, 0.5, 1]) when that fits
   on the line; step strings and long lists stay in block style. */
static PetscBool UseFlow(const SsbYamlNode *n, int indent)
{
  size_t width = (size_t)indent + 4;
  if (n->kind == SSB_YAML_SCALAR || n->n == 0) return PETSC_TRUE;
  for (int i = 0; i < n->n; i++) {
    const SsbYamlNode *v = n->entries[i].value;
    if (v->kind != SSB_YAML_SCALAR) return PETSC_FALSE;
    if (n->kind == SSB_YAML_SEQUENCE) {
      double d;
      if (!SsbParseNumber(v->value, &d) && strlen(v->value) > 12) return PETSC_FALSE;
    } else
      width += strlen(n->entries[i].key) + 2;
    width += strlen(v->value) + 4;
  }
  if (n->kind == SSB_YAML_MAPPING && (n->n > 6 || width > 96)) return PETSC_FALSE;
  return PETSC_TRUE;
}

static PetscErrorCode EmitFlow(StrBuf *b, const SsbYamlNode *n, int indent)
{
  size_t linestart = b->len;

  PetscFunctionBeginUser;
  if (n->kind == SSB_YAML_SCALAR) {
    PetscCall(PutScalar(b, n->value, n->quoted));
    PetscFunctionReturn(0);
  }
  PetscCall(Puts(b, n->kind == SSB_YAML_SEQUENCE ? "[" : "{"));
  for (int i = 0; i < n->n; i++) {
    if (i) {
      PetscCall(Puts(b, ","));
      if (b->len - linestart > 90) { /* wrap long tables */
        PetscCall(Puts(b, "\n"));
        linestart = b->len;
        PetscCall(Indent(b, indent + 2));
      } else
        PetscCall(Puts(b, " "));
    }
    if (n->kind == SSB_YAML_MAPPING) {
      PetscCall(PutScalar(b, n->entries[i].key, PETSC_FALSE));
      PetscCall(Puts(b, ": "));
    }
    PetscCall(PutScalar(b, n->entries[i].value->value, n->entries[i].value->quoted));
  }
  PetscCall(Puts(b, n->kind == SSB_YAML_SEQUENCE ? "]" : "}"));
  PetscFunctionReturn(0);
}

static PetscErrorCode EmitBlock(StrBuf *b, const SsbYamlNode *n, int indent, PetscBool first_indented);

/* Write the value that follows "key:" or "-". */
static PetscErrorCode EmitValue(StrBuf *b, const SsbYamlNode *v, int indent, PetscBool in_sequence)
{
  PetscFunctionBeginUser;
  if (UseFlow(v, indent)) {
    PetscCall(Puts(b, " "));
    PetscCall(EmitFlow(b, v, indent));
    PetscCall(Puts(b, "\n"));
  } else if (in_sequence && v->kind == SSB_YAML_MAPPING) {
    PetscCall(Puts(b, " "));
    PetscCall(EmitBlock(b, v, indent + 2, PETSC_TRUE));
  } else {
    PetscCall(Puts(b, "\n"));
    PetscCall(EmitBlock(b, v, indent + 2, PETSC_FALSE));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode EmitBlock(StrBuf *b, const SsbYamlNode *n, int indent, PetscBool first_indented)
{
  PetscFunctionBeginUser;
  for (int i = 0; i < n->n; i++) {
    if (i || !first_indented) PetscCall(Indent(b, indent));
    if (n->kind == SSB_YAML_MAPPING) {
      PetscCall(PutScalar(b, n->entries[i].key, PETSC_FALSE));
      PetscCall(Puts(b, ":"));
      PetscCall(EmitValue(b, n->entries[i].value, indent, PETSC_FALSE));
    } else {
      PetscCall(Puts(b, "-"));
      PetscCall(EmitValue(b, n->entries[i].value, indent, PETSC_TRUE));
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SsbYamlEmit(const SsbYamlNode *root, char **text)
{
  StrBuf b = {NULL, 0, 0};

  PetscFunctionBeginUser;
  if (!root)
    PetscCall(Puts(&b, "{}\n"));
  else if (root->kind == SSB_YAML_SCALAR || root->n == 0) {
    PetscCall(EmitFlow(&b, root, 0));
    PetscCall(Puts(&b, "\n"));
  } else
    PetscCall(EmitBlock(&b, root, 0, PETSC_FALSE));
  *text = b.s;
  PetscFunctionReturn(0);
}
