/*===- harness.c - the small test harness of libnncrt's C test ------------===*/
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdir, getpid, setrlimit, ... */
#endif
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

nt_options nt_opts;
int nt_passed, nt_failed;

int nt_check(int ok, const char *file, int line, const char *fmt, ...) {
  if (ok) {
    ++nt_passed;
    return 1;
  }
  ++nt_failed;
  {
    va_list args;
    va_start(args, fmt);
    printf("FAIL %s:%d: ", file, line);
    vprintf(fmt, args);
    printf("\n");
    va_end(args);
  }
  fflush(stdout);
  return 0;
}

void nt_check_error(int status, const char *error, int want_status, const char *want_message,
                    const char *what, const char *file, int line) {
  nt_check(status == want_status, file, line, "%s: status %d (%s), want %d (%s); message '%s'",
           what, status, nnc_status_string(status), want_status,
           nnc_status_string(want_status), error);
  nt_check(strcmp(error, want_message) == 0, file, line,
           "%s: message\n    got  '%s'\n    want '%s'", what, error, want_message);
}

void nt_section(const char *name) {
  printf("== %s\n", name);
  fflush(stdout);
}

void nt_path(char *out, size_t out_size, const char *name) {
  snprintf(out, out_size, "%s/%s", nt_opts.tmp, name);
}

unsigned char *nt_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *data;
  long n;
  *size = 0;
  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return NULL;
  }
  data = (unsigned char *)malloc((size_t)n + 1);
  if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  if (data)
    *size = (size_t)n;
  return data;
}

int nt_write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  int ok;
  if (!f)
    return 0;
  ok = fwrite(data, 1, size, f) == size;
  return fclose(f) == 0 && ok;
}

int nt_file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int nt_oracle(const char *args_fmt, ...) {
  char args[4096], command[8192];
  va_list ap;
  int status;
  va_start(ap, args_fmt);
  vsnprintf(args, sizeof args, args_fmt, ap);
  va_end(ap);
  snprintf(command, sizeof command, "'%s' '%s' %s", nt_opts.python, nt_opts.oracle, args);
  fflush(stdout);
  status = system(command);
  if (status == -1 || !WIFEXITED(status))
    return -1;
  return WEXITSTATUS(status);
}

void *nt_alloc(size_t bytes, unsigned char fill) {
  void *p = NULL;
  if (posix_memalign(&p, NNC_ALIGNMENT, bytes ? bytes : 1) != 0) {
    printf("out of memory\n");
    exit(2);
  }
  memset(p, fill, bytes);
  return p;
}

void nt_free(void *p) { free(p); }

uint64_t nt_hash(const void *data, size_t size) {
  const unsigned char *p = (const unsigned char *)data;
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  size_t i;
  for (i = 0; i < size; ++i) {
    h ^= p[i];
    h *= UINT64_C(0x100000001b3);
  }
  return h;
}
