/*===- main.c - libnncrt's C test --------------------------------------===*
 *
 * nncrt-test [--python PYTHON --oracle runtime_oracle.py] [--tmp DIR]
 * Runs every suite, prints each failed check, and ends with
 * "N passed, N failed"; the exit status is 1 when a check failed.
 *===----------------------------------------------------------------------===*/
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdir, getpid, setrlimit, ... */
#endif
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  static char default_tmp[64];
  int i;
  snprintf(default_tmp, sizeof default_tmp, "/tmp/nncrt-test.%lu", (unsigned long)getpid());
  nt_opts.tmp = default_tmp;
  for (i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--python") == 0)
      nt_opts.python = argv[i + 1];
    else if (strcmp(argv[i], "--oracle") == 0)
      nt_opts.oracle = argv[i + 1];
    else if (strcmp(argv[i], "--tmp") == 0)
      nt_opts.tmp = argv[i + 1];
    else
      break;
  }
  if (i != argc) {
    fprintf(stderr, "usage: %s [--python PYTHON --oracle runtime_oracle.py] [--tmp DIR]\n",
            argv[0]);
    return 2;
  }
  mkdir(nt_opts.tmp, 0755);

  test_init();
  test_safetensors();
  test_save_failures();
  test_oracle();

  printf("%d passed, %d failed\n", nt_passed, nt_failed);
  return nt_failed ? 1 : 0;
}
