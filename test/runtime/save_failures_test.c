/*===- save_failures_test.c - nnc_save_safetensors when writing fails -----===*
 *
 * Every way a save can fail that a test can provoke deterministically (also
 * as root, where permissions do not stop writes): the directory does not
 * exist, the temporary path is taken by a directory, the target is a
 * directory (the rename fails), the file size limit stops the write
 * (RLIMIT_FSIZE), and, when not root, a read-only directory. Each must give
 * its exact message, remove the temporary file and leave the existing file
 * byte for byte as it was.
 *===----------------------------------------------------------------------===*/
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdir, getpid, setrlimit, ... */
#endif
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char old_content[] = "the previous file, which a failed save must not touch";

/* Checks that `path` still holds old_content. */
static void check_untouched(const char *path, const char *what) {
  size_t size;
  unsigned char *bytes = nt_read_file(path, &size);
  CHECK(bytes && size == sizeof old_content && memcmp(bytes, old_content, size) == 0,
        "%s: the existing file is unchanged", what);
  free(bytes);
}

static void tmp_path(char *out, size_t size, const char *path) {
  snprintf(out, size, "%s.tmp.%lu", path, (unsigned long)getpid());
}

void test_save_failures(void) {
  char path[600], tmp[700], want[1600], error[1600], dir[512];
  unsigned char *params = (unsigned char *)nt_alloc(832, 0);

  nt_section("save: failures leave existing files alone");
  nnc_init_params(&net_model, params, 1);

  /* The directory does not exist. */
  nt_path(path, sizeof path, "no-such-dir/out.safetensors");
  tmp_path(tmp, sizeof tmp, path);
  snprintf(want, sizeof want, "cannot create '%s': No such file or directory", tmp);
  CHECK_ERROR(nnc_save_safetensors(&net_model, path, params, error, sizeof error), error,
              NNC_ERR_IO, want, "save into a missing directory");
  CHECK(!nt_file_exists(path) && !nt_file_exists(tmp), "nothing created");

  /* The temporary path is a directory: the file cannot be created. */
  nt_path(path, sizeof path, "blocked.safetensors");
  tmp_path(tmp, sizeof tmp, path);
  nt_write_file(path, old_content, sizeof old_content);
  rmdir(tmp);
  mkdir(tmp, 0755);
  snprintf(want, sizeof want, "cannot create '%s': Is a directory", tmp);
  CHECK_ERROR(nnc_save_safetensors(&net_model, path, params, error, sizeof error), error,
              NNC_ERR_IO, want, "save with the temporary path taken");
  check_untouched(path, "temporary path taken");
  rmdir(tmp);

  /* The target is a directory: writing works, the rename fails. */
  nt_path(dir, sizeof dir, "target-is-a-dir.safetensors");
  tmp_path(tmp, sizeof tmp, dir);
  mkdir(dir, 0755);
  snprintf(want, sizeof want, "cannot rename '%s' to '%s': Is a directory", tmp, dir);
  CHECK_ERROR(nnc_save_safetensors(&net_model, dir, params, error, sizeof error), error,
              NNC_ERR_IO, want, "save over a directory");
  CHECK(!nt_file_exists(tmp), "temporary file removed after the failed rename");
  {
    struct stat st;
    CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), "the directory is still there");
  }
  rmdir(dir);

  /* The write itself fails: a 100-byte file size limit (EFBIG). */
  nt_path(path, sizeof path, "too-large.safetensors");
  tmp_path(tmp, sizeof tmp, path);
  nt_write_file(path, old_content, sizeof old_content);
  {
    struct rlimit saved, limited;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &saved);
    limited = saved;
    limited.rlim_cur = 100;
    if (CHECK(setrlimit(RLIMIT_FSIZE, &limited) == 0, "set RLIMIT_FSIZE")) {
      int status = nnc_save_safetensors(&net_model, path, params, error, sizeof error);
      setrlimit(RLIMIT_FSIZE, &saved);
      snprintf(want, sizeof want, "cannot write '%s': File too large", tmp);
      CHECK_ERROR(status, error, NNC_ERR_IO, want, "save past the file size limit");
      CHECK(!nt_file_exists(tmp), "temporary file removed after the failed write");
      check_untouched(path, "file size limit");
    }
    signal(SIGXFSZ, old_handler);
  }

  /* A read-only directory (root may write anyway: only checked otherwise). */
  if (geteuid() != 0) {
    nt_path(dir, sizeof dir, "read-only");
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/out.safetensors", dir);
    tmp_path(tmp, sizeof tmp, path);
    nt_write_file(path, old_content, sizeof old_content);
    chmod(dir, 0555);
    snprintf(want, sizeof want, "cannot create '%s': Permission denied", tmp);
    CHECK_ERROR(nnc_save_safetensors(&net_model, path, params, error, sizeof error), error,
                NNC_ERR_IO, want, "save into a read-only directory");
    check_untouched(path, "read-only directory");
    chmod(dir, 0755);
  } else {
    printf("   (running as root: the read-only directory case is covered by the others)\n");
  }

  /* Argument and table errors write nothing. */
  nt_path(path, sizeof path, "blocked.safetensors");
  {
    nnc_param_info dup[9];
    nnc_model_info dup_model = net_model;
    memcpy(dup, net_params, sizeof dup);
    dup[8].name = "conv1.weight";
    dup_model.params = dup;
    CHECK_ERROR(nnc_save_safetensors(&dup_model, path, params, error, sizeof error), error,
                NNC_ERR_FORMAT, "model table: duplicate parameter name 'conv1.weight'",
                "save with duplicate names");
  }
  CHECK_ERROR(nnc_save_safetensors(&net_model, path, params + 1, error, sizeof error), error,
              NNC_ERR_ALIGNMENT, "params is not 64-byte aligned", "save of misaligned params");
  CHECK_ERROR(nnc_save_safetensors(&net_model, NULL, params, error, sizeof error), error,
              NNC_ERR_NULL_ARGUMENT, "path is NULL", "save to a NULL path");
  check_untouched(path, "argument errors");
  nt_free(params);
}
