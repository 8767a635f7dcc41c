/* case_test_util.h -- helpers shared by the case reader tests: capture what a call writes to stderr
   (the input error messages) into a string, so tests can check the messages. POSIX (dup, dup2). */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  int   saved_fd;
  FILE *tmp;
} SsbStderrCapture;

static inline void SsbCaptureBegin(SsbStderrCapture *cap)
{
  fflush(stderr);
  cap->tmp      = tmpfile();
  cap->saved_fd = dup(fileno(stderr));
  if (cap->tmp) dup2(fileno(cap->tmp), fileno(stderr));
}

/* Restores stderr; returns the captured text (free it), echoing it to the real stderr for the log. */
static inline char *SsbCaptureEnd(SsbStderrCapture *cap)
{
  char *text;
  long  n;
  fflush(stderr);
  dup2(cap->saved_fd, fileno(stderr));
  close(cap->saved_fd);
  if (!cap->tmp) return calloc(1, 1);
  n = ftell(cap->tmp);
  if (n < 0) n = 0;
  text = calloc((size_t)n + 1, 1);
  rewind(cap->tmp);
  if (text && n) n = (long)fread(text, 1, (size_t)n, cap->tmp);
  if (text) text[n] = '\0';
  fclose(cap->tmp);
  if (text) fputs(text, stderr);
  return text;
}
