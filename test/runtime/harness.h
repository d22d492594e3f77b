/*===- harness.h - the small test harness of libnncrt's C test ------------===*
 *
 * Counters and CHECK macros (a failed check prints its location and what
 * differed, and the run goes on), the test's options, temporary files,
 * aligned buffers and the Python oracle. POSIX is fine here: only the
 * runtime itself is restricted to C99 + libc.
 *===----------------------------------------------------------------------===*/
#ifndef NNCRT_TEST_HARNESS_H
#define NNCRT_TEST_HARNESS_H

#include "nnc_runtime.h"

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define NT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define NT_PRINTF(fmt, args)
#endif

typedef struct nt_options {
  const char *python; /* interpreter with torch; NULL skips the oracle tests */
  const char *oracle; /* test/runtime/Inputs/runtime_oracle.py */
  const char *tmp;    /* scratch directory (created if missing) */
} nt_options;

extern nt_options nt_opts;
extern int nt_passed, nt_failed;

/* Records one check; on failure prints "FAIL file:line: message". */
int nt_check(int ok, const char *file, int line, const char *fmt, ...) NT_PRINTF(4, 5);
#define CHECK(cond, ...) nt_check((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

/* Checks a status and the exact error message in one go. */
#define CHECK_ERROR(status, error, want_status, want_message, what)                          \
  nt_check_error((status), (error), (want_status), (want_message), (what), __FILE__, __LINE__)
void nt_check_error(int status, const char *error, int want_status, const char *want_message,
                    const char *what, const char *file, int line);

/* Prints a section heading. */
void nt_section(const char *name);

/* out = "<tmp>/<name>". */
void nt_path(char *out, size_t out_size, const char *name);
/* Whole-file helpers; nt_read_file returns malloc'd bytes or NULL. */
unsigned char *nt_read_file(const char *path, size_t *size);
int nt_write_file(const char *path, const void *data, size_t size);
int nt_file_exists(const char *path);
/* Runs "<python> <oracle> <args>" through the shell; returns its exit status
 * (-1 when it could not run). */
int nt_oracle(const char *args_fmt, ...) NT_PRINTF(1, 2);

/* NNC_ALIGNMENT-aligned buffer of `bytes` bytes filled with `fill`. */
void *nt_alloc(size_t bytes, unsigned char fill);
void nt_free(void *p);

/* FNV-1a 64 of a byte range. */
uint64_t nt_hash(const void *data, size_t size);

/* The suites. */
void test_init(void);
void test_safetensors(void);
void test_save_failures(void);
void test_oracle(void);

/* The hand-written model tables (test_model.c). */
extern const nnc_model_info net_model;     /* the Net of Inputs/runtime_oracle.py */
extern const nnc_param_info net_params[9];
/* Writes value k + i/64 into element i of parameter k: every byte known. */
void fill_pattern(const nnc_model_info *model, void *params);

#endif /* NNCRT_TEST_HARNESS_H */
