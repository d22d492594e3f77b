/*===- status.c - status strings and error messages -----------------------===*
 *
 * nnc_status_string and the helpers that format the messages written into
 * the callers' `error` buffers: the message itself, tensor names made safe to
 * print, and shapes written as "[6,1,5,5]".
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *nnc_status_string(int status) {
  switch (status) {
  case NNC_OK:
    return "ok";
  case NNC_ERR_NULL_ARGUMENT:
    return "null argument";
  case NNC_ERR_ALIGNMENT:
    return "buffer not 64-byte aligned";
  case NNC_ERR_IO:
    return "i/o error";
  case NNC_ERR_FORMAT:
    return "malformed safetensors file or model table";
  case NNC_ERR_MISSING_TENSOR:
    return "missing tensor";
  case NNC_ERR_SHAPE:
    return "shape mismatch";
  case NNC_ERR_DTYPE:
    return "dtype mismatch";
  case NNC_ERR_OUT_OF_MEMORY:
    return "out of memory";
  default:
    return "unknown status";
  }
}

int nncrt_fail(char *error, size_t error_size, int status, const char *fmt, ...) {
  if (error && error_size > 0) {
    va_list args;
    va_start(args, fmt);
    /* vsnprintf truncates and NUL-terminates; a negative result (encoding
     * error) leaves an unspecified buffer, so terminate it ourselves. */
    if (vsnprintf(error, error_size, fmt, args) < 0)
      error[0] = '\0';
    va_end(args);
  }
  return status;
}

void nncrt_clear_error(char *error, size_t error_size) {
  if (error && error_size > 0)
    error[0] = '\0';
}

void nncrt_printable_name(const char *name, size_t len, char *out, size_t out_size) {
  size_t i, room;
  if (out_size == 0)
    return;
  room = out_size - 1;
  if (len > room && room >= 3)
    room -= 3; /* keep space for "..." */
  for (i = 0; i < len && i < room; ++i) {
    unsigned char c = (unsigned char)name[i];
    out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
  }
  if (i < len && i + 3 < out_size) {
    memcpy(out + i, "...", 3);
    i += 3;
  }
  out[i] = '\0';
}

void nncrt_format_shape(const int64_t *dims, uint64_t rank, uint64_t stored, char *out,
                        size_t out_size) {
  size_t used = 0;
  uint64_t i, shown = rank < stored ? rank : stored;
  if (out_size == 0)
    return;
  out[0] = '\0';
#define NNCRT_APPEND(...)                                                                  \
  do {                                                                                     \
    if (used < out_size) {                                                                 \
      int n = snprintf(out + used, out_size - used, __VA_ARGS__);                          \
      used += n > 0 ? (size_t)n : 0;                                                       \
    }                                                                                      \
  } while (0)
  NNCRT_APPEND("[");
  for (i = 0; i < shown; ++i)
    NNCRT_APPEND(i ? ",%lld" : "%lld", (long long)dims[i]);
  if (rank > shown)
    NNCRT_APPEND(shown ? ",..." : "...");
  NNCRT_APPEND("]");
#undef NNCRT_APPEND
}
