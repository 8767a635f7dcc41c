/* test_case_errors.c -- the error corpus: every case file in the directory argv[1] is malformed in
   one way. Its header comments say what SsbCaseRead must print:

     # expect: <POSIX extended regex the message must match>
     # file: <name of the file the message must point at>   (optional; default: the case file)
     # set: <path=value>                                      (optional, repeatable: --set arguments)

   For each file the reader must return SSB_ERR_INPUT, print a message matching the regex, and name
   the file with a line number ("name:LINE:"). PETSc errors other than input errors fail the test. */
#define _POSIX_C_SOURCE 200809L
#include "case_test_util.h"
#include <ssbsim/ssb_case.h>
#include <dirent.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define MAX_SETS 8

typedef struct {
  char  path[4096];
  char  name[256];
  char  expect[1024];
  char  file[256];
  int   nset;
  char *sets[MAX_SETS];
} CorpusCase;

static void Trim(char *s)
{
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = '\0';
}

/* Read the header comments; returns 0 if the file has an "# expect:" line. */
static int ReadHeader(CorpusCase *cc)
{
  FILE *fp = fopen(cc->path, "r");
  char  line[2048];
  if (!fp) return -1;
  snprintf(cc->file, sizeof cc->file, "%s", cc->name);
  while (fgets(line, sizeof line, fp) && line[0] == '#') {
    Trim(line);
    if (!strncmp(line, "# expect: ", 10))
      snprintf(cc->expect, sizeof cc->expect, "%.*s", (int)sizeof cc->expect - 1, line + 10);
    else if (!strncmp(line, "# file: ", 8))
      snprintf(cc->file, sizeof cc->file, "%.*s", (int)sizeof cc->file - 1, line + 8);
    else if (!strncmp(line, "# set: ", 7) && cc->nset < MAX_SETS)
      cc->sets[cc->nset++] = strdup(line + 7);
  }
  fclose(fp);
  return cc->expect[0] ? 0 : -1;
}

static void test_corpus_file(void **state)
{
  CorpusCase      *cc = (CorpusCase *)*state;
  SsbCase         *c  = NULL;
  SsbStderrCapture cap;
  PetscErrorCode   ierr;
  char            *out, pattern[600];
  regex_t          re;
  int              rc;

  SsbCaptureBegin(&cap);
  ierr = SsbCaseRead(cc->path, cc->nset, (const char *const *)cc->sets, &c);
  out  = SsbCaptureEnd(&cap);
  if (ierr != SSB_ERR_INPUT) fail_msg("%s: SsbCaseRead returned %d, expected SSB_ERR_INPUT (%d)", cc->name, (int)ierr, (int)SSB_ERR_INPUT);
  assert_null(c);
  if (!out[0]) fail_msg("%s: no message", cc->name);
  if (strstr(out, "PETSC ERROR")) fail_msg("%s: PETSc traceback printed", cc->name);
  rc = regcomp(&re, cc->expect, REG_EXTENDED | REG_NOSUB);
  if (rc) fail_msg("%s: bad regex '%s'", cc->name, cc->expect);
  rc = regexec(&re, out, 0, NULL, 0);
  regfree(&re);
  if (rc) fail_msg("%s: message\n  %s  does not match '%s'", cc->name, out, cc->expect);
  /* the file and a line number: "name:LINE:" */
  {
    char   esc[512];
    size_t k = 0;
    for (const char *p = cc->file; *p && k + 3 < sizeof esc; p++) {
      if (strchr(".[]()*+?{}|^$\\", *p)) esc[k++] = '\\';
      esc[k++] = *p;
    }
    esc[k] = '\0';
    snprintf(pattern, sizeof pattern, "(^|/)%s:[1-9][0-9]*:", esc);
  }
  assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB | REG_NEWLINE), 0);
  rc = regexec(&re, out, 0, NULL, 0);
  regfree(&re);
  if (rc) fail_msg("%s: message\n  %s  does not name %s with a line number", cc->name, out, cc->file);
  free(out);
}

static int CompareNames(const void *a, const void *b) { return strcmp(((const CorpusCase *)a)->name, ((const CorpusCase *)b)->name); }

int main(int argc, char **argv)
{
  const char        *dir = argc > 1 ? argv[1] : ".";
  DIR               *d;
  struct dirent     *ent;
  CorpusCase        *cases = NULL;
  struct CMUnitTest *tests;
  int                n = 0, cap = 0, rc;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  d = opendir(dir);
  if (!d) {
    fprintf(stderr, "cannot open the corpus directory %s\n", dir);
    return 1;
  }
  while ((ent = readdir(d))) {
    size_t len = strlen(ent->d_name);
    if (len < 6 || strcmp(ent->d_name + len - 5, ".yaml")) continue;
    if (n == cap) {
      cap   = cap ? 2 * cap : 64;
      cases = realloc(cases, (size_t)cap * sizeof(*cases));
    }
    memset(&cases[n], 0, sizeof(cases[n]));
    snprintf(cases[n].name, sizeof cases[n].name, "%s", ent->d_name);
    snprintf(cases[n].path, sizeof cases[n].path, "%s/%s", dir, ent->d_name);
    if (ReadHeader(&cases[n])) {
      fprintf(stderr, "%s: no '# expect: <regex>' header\n", cases[n].path);
      closedir(d);
      return 1;
    }
    n++;
  }
  closedir(d);
  if (n < 24) {
    fprintf(stderr, "the corpus in %s has %d files; at least 24 expected\n", dir, n);
    return 1;
  }
  qsort(cases, (size_t)n, sizeof(*cases), CompareNames);
  tests = calloc((size_t)n, sizeof(*tests));
  for (int i = 0; i < n; i++) {
    tests[i].name          = cases[i].name;
    tests[i].test_func     = test_corpus_file;
    tests[i].initial_state = &cases[i];
  }
  rc = _cmocka_run_group_tests("case_errors", tests, (size_t)n, NULL, NULL);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < cases[i].nset; k++) free(cases[i].sets[k]);
  free(tests);
  free(cases);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscFinalize());
  return rc;
}
