/*===- safetensors_save.c - write parameters as a safetensors file --------===*
 *
 * nnc_save_safetensors: builds the JSON header in memory (names escaped,
 * tensors in table order, data packed back to back, padded with spaces to a
 * multiple of 8 bytes), writes header and data to "<path>.tmp.<pid>", flushes
 * (and fsyncs on POSIX) and renames it over <path>, so readers see either the
 * old file or the complete new one. rename() replaces an existing file
 * atomically on POSIX; on Windows it fails when <path> exists.
 *===----------------------------------------------------------------------===*/
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200112L /* fileno, fsync, getpid */
#endif

#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define NNCRT_HAVE_POSIX 1
#elif defined(_WIN32)
#include <process.h>
#endif

/* A growing text buffer; `failed` sticks after the first allocation failure. */
typedef struct text {
  char *data;
  size_t len, cap;
  int failed;
} text;

static void reserve(text *t, size_t extra) {
  size_t cap;
  char *grown;
  if (t->failed || t->len + extra + 1 <= t->cap)
    return;
  cap = t->cap ? t->cap : 256;
  while (cap < t->len + extra + 1)
    cap *= 2;
  grown = (char *)realloc(t->data, cap);
  if (!grown) {
    t->failed = 1;
    return;
  }
  t->data = grown;
  t->cap = cap;
}

static void append(text *t, const char *s, size_t n) {
  reserve(t, n);
  if (t->failed)
    return;
  memcpy(t->data + t->len, s, n);
  t->len += n;
  t->data[t->len] = '\0';
}

static void appendf(text *t, const char *fmt, ...) NNCRT_PRINTF(2, 3);
static void appendf(text *t, const char *fmt, ...) {
  char small[64];
  va_list args;
  int n;
  va_start(args, fmt);
  n = vsnprintf(small, sizeof small, fmt, args);
  va_end(args);
  if (n < 0 || (size_t)n >= sizeof small)
    t->failed = 1; /* only short numbers are formatted here */
  else
    append(t, small, (size_t)n);
}

/* A JSON string: quotes, backslashes and control bytes escaped; other bytes
 * (UTF-8 included) as they are. */
static void append_json_string(text *t, const char *s) {
  append(t, "\"", 1);
  for (; *s; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      char escaped[2] = {'\\', (char)c};
      append(t, escaped, 2);
    } else if (c < 0x20) {
      appendf(t, "\\u%04x", (unsigned)c);
    } else {
      append(t, s, 1);
    }
  }
  append(t, "\"", 1);
}

/* The header, padded with spaces to a multiple of 8 bytes. */
static int build_header(const nnc_model_info *model, text *t) {
  uint64_t offset = 0;
  uint32_t i, d;
  append(t, "{\"__metadata__\":{\"format\":\"pt\"}", 31);
  for (i = 0; i < model->param_count; ++i) {
    const nnc_param_info *p = &model->params[i];
    uint64_t bytes = p->numel * sizeof(float);
    append(t, ",", 1);
    append_json_string(t, p->name);
    append(t, ":{\"dtype\":\"F32\",\"shape\":[", 25);
    for (d = 0; d < p->rank; ++d)
      appendf(t, d ? ",%lld" : "%lld", (long long)p->shape[d]);
    appendf(t, "],\"data_offsets\":[%llu,", (unsigned long long)offset);
    appendf(t, "%llu]}", (unsigned long long)(offset + bytes));
    offset += bytes;
  }
  append(t, "}", 1);
  while (!t->failed && t->len % 8 != 0)
    append(t, " ", 1);
  return t->failed ? NNC_ERR_OUT_OF_MEMORY : NNC_OK;
}

/* The system's description of errno value err; stdio need not set errno. */
static const char *reason(int err) { return err ? strerror(err) : "unknown error"; }

static unsigned long process_id(void) {
#if defined(NNCRT_HAVE_POSIX)
  return (unsigned long)getpid();
#elif defined(_WIN32)
  return (unsigned long)_getpid();
#else
  return 0;
#endif
}

/* Writes everything to the open temporary file; 0 on success, else errno
 * (0 when the library gave none) through *err and -1. */
static int write_all(FILE *f, const text *header, const nnc_model_info *model,
                     const void *params, int *err) {
  unsigned char prefix[8];
  uint64_t n = header->len;
  uint32_t i;
  int k;
  for (k = 0; k < 8; ++k)
    prefix[k] = (unsigned char)(n >> (8 * k));
  errno = 0;
  if (fwrite(prefix, 1, 8, f) != 8 || fwrite(header->data, 1, header->len, f) != header->len)
    goto failed;
  for (i = 0; i < model->param_count; ++i) {
    const nnc_param_info *p = &model->params[i];
    size_t bytes = (size_t)(p->numel * sizeof(float));
    if (bytes && fwrite((const unsigned char *)params + p->offset, 1, bytes, f) != bytes)
      goto failed;
  }
  if (fflush(f) != 0)
    goto failed;
#if defined(NNCRT_HAVE_POSIX)
  /* Without this a crash of the machine after the rename could leave an
   * empty file at the path: the rename may reach the disk before the data. */
  if (fsync(fileno(f)) != 0)
    goto failed;
#endif
  return 0;
failed:
  *err = errno;
  return -1;
}

int nnc_save_safetensors(const nnc_model_info *model, const char *path, const void *params,
                         char *error, size_t error_size) {
  text header = {NULL, 0, 0, 0};
  nncrt_name *names = NULL;
  char *tmp = NULL;
  FILE *f;
  int status, err = 0;

  if (!path)
    return nncrt_fail(error, error_size, NNC_ERR_NULL_ARGUMENT, "path is NULL");
  if ((status = nncrt_check_call(model, params, error, error_size)) != NNC_OK ||
      (status = nncrt_check_little_endian(error, error_size)) != NNC_OK ||
      (status = nncrt_sorted_names(model, &names, error, error_size)) != NNC_OK)
    return status;
  free(names); /* only the uniqueness check was needed */

  status = build_header(model, &header);
  tmp = (char *)malloc(strlen(path) + 32);
  if (status != NNC_OK || !tmp) {
    status = nncrt_fail(error, error_size, NNC_ERR_OUT_OF_MEMORY, "out of memory");
    goto done;
  }
  sprintf(tmp, "%s.tmp.%lu", path, process_id());

  errno = 0;
  f = fopen(tmp, "wb");
  if (!f) {
    status = nncrt_fail(error, error_size, NNC_ERR_IO, "cannot create '%s': %s", tmp,
                        reason(errno));
    goto done;
  }
  if (write_all(f, &header, model, params, &err) != 0) {
    fclose(f);
    remove(tmp);
    status = nncrt_fail(error, error_size, NNC_ERR_IO, "cannot write '%s': %s", tmp,
                        reason(err));
    goto done;
  }
  errno = 0;
  if (fclose(f) != 0) {
    err = errno;
    remove(tmp);
    status = nncrt_fail(error, error_size, NNC_ERR_IO, "cannot write '%s': %s", tmp,
                        reason(err));
    goto done;
  }
  errno = 0;
  if (rename(tmp, path) != 0) {
    err = errno;
    remove(tmp);
    status = nncrt_fail(error, error_size, NNC_ERR_IO, "cannot rename '%s' to '%s': %s", tmp,
                        path, reason(err));
    goto done;
  }
  nncrt_clear_error(error, error_size);
done:
  free(tmp);
  free(header.data);
  return status;
}
