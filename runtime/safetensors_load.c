/*===- safetensors_load.c - read parameters from a safetensors file -------===*
 *
 * nnc_load_safetensors and nnc_load_safetensors_buffer. Both validate the
 * whole file first (length prefix, JSON header, every entry's offsets against
 * the data section, every parameter's dtype and shape) and only then copy the
 * F32 data into the parameter buffer, so a bad file leaves it unchanged. The
 * file loader reads only the header into memory and then each parameter's
 * bytes straight into place.
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The common checks of both loaders. */
static int check_load(const nnc_model_info *model, const void *params, char *error,
                      size_t error_size) {
  int status = nncrt_check_call(model, params, error, error_size);
  if (status != NNC_OK)
    return status;
  return nncrt_check_little_endian(error, error_size);
}

static nncrt_span *alloc_spans(const nnc_model_info *model) {
  return (nncrt_span *)malloc((model->param_count ? model->param_count : 1) *
                              sizeof(nncrt_span));
}

int nnc_load_safetensors_buffer(const nnc_model_info *model, const void *data, size_t size,
                                void *params, char *error, size_t error_size) {
  const unsigned char *bytes = (const unsigned char *)data;
  uint64_t header_length;
  nncrt_span *spans;
  uint32_t i;
  int status;

  if (!data && size > 0)
    return nncrt_fail(error, error_size, NNC_ERR_NULL_ARGUMENT, "data is NULL");
  if ((status = check_load(model, params, error, error_size)) != NNC_OK)
    return status;
  status = nncrt_safetensors_header_length(bytes, size, &header_length, error, error_size);
  if (status != NNC_OK)
    return status;
  if (!(spans = alloc_spans(model)))
    return nncrt_fail(error, error_size, NNC_ERR_OUT_OF_MEMORY, "out of memory");
  status = nncrt_parse_safetensors_header(model, bytes + 8, header_length,
                                          size - 8 - header_length, spans, error, error_size);
  if (status == NNC_OK) {
    const unsigned char *section = bytes + 8 + header_length;
    for (i = 0; i < model->param_count; ++i)
      memcpy((unsigned char *)params + model->params[i].offset, section + spans[i].begin,
             (size_t)(spans[i].end - spans[i].begin));
    nncrt_clear_error(error, error_size);
  }
  free(spans);
  return status;
}

/* Fails with the reason of the last stdio error on `path`. */
static int io_error(char *error, size_t error_size, const char *what, const char *path,
                    int saved_errno) {
  return nncrt_fail(error, error_size, NNC_ERR_IO, "cannot %s '%s': %s", what, path,
                    saved_errno ? strerror(saved_errno) : "unexpected end of file");
}

/* Determines the size of an open file with fseek/ftell (C99 has nothing
 * else); leaves the position at the start. */
static int file_size(FILE *f, uint64_t *size) {
  long end;
  if (fseek(f, 0, SEEK_END) != 0)
    return -1;
  end = ftell(f);
  if (end < 0 || fseek(f, 0, SEEK_SET) != 0)
    return -1;
  *size = (uint64_t)end;
  return 0;
}

/* Reads exactly n bytes at `offset`; 0 on success, else errno (or 0 for a
 * short read) through *err and -1. */
static int read_at(FILE *f, uint64_t offset, void *out, size_t n, int *err) {
  *err = 0;
  if (offset > (uint64_t)LONG_MAX) {
    *err = ERANGE;
    return -1;
  }
  errno = 0;
  if (fseek(f, (long)offset, SEEK_SET) != 0) {
    *err = errno;
    return -1;
  }
  if (n > 0 && fread(out, 1, n, f) != n) {
    *err = ferror(f) ? errno : 0;
    return -1;
  }
  return 0;
}

int nnc_load_safetensors(const nnc_model_info *model, const char *path, void *params,
                         char *error, size_t error_size) {
  FILE *f;
  unsigned char prefix[8];
  unsigned char *header = NULL;
  nncrt_span *spans = NULL;
  uint64_t size, header_length, data_start;
  uint32_t i;
  int status, err;

  if (!path)
    return nncrt_fail(error, error_size, NNC_ERR_NULL_ARGUMENT, "path is NULL");
  if ((status = check_load(model, params, error, error_size)) != NNC_OK)
    return status;
  errno = 0;
  f = fopen(path, "rb");
  if (!f)
    return io_error(error, error_size, "open", path, errno);
  errno = 0;
  if (file_size(f, &size) != 0) {
    status = io_error(error, error_size, "determine the size of", path, errno);
    goto done;
  }
  if (read_at(f, 0, prefix, size < 8 ? (size_t)size : 8, &err) != 0) {
    status = io_error(error, error_size, "read", path, err);
    goto done;
  }
  status = nncrt_safetensors_header_length(prefix, size, &header_length, error, error_size);
  if (status != NNC_OK)
    goto done;
  header = (unsigned char *)malloc(header_length ? (size_t)header_length : 1);
  spans = alloc_spans(model);
  if (!header || !spans) {
    status = nncrt_fail(error, error_size, NNC_ERR_OUT_OF_MEMORY, "out of memory");
    goto done;
  }
  if (read_at(f, 8, header, (size_t)header_length, &err) != 0) {
    status = io_error(error, error_size, "read", path, err);
    goto done;
  }
  data_start = 8 + header_length;
  status = nncrt_parse_safetensors_header(model, header, header_length, size - data_start,
                                          spans, error, error_size);
  if (status != NNC_OK)
    goto done;
  /* Validated: from here on only an I/O failure can stop the copy. */
  for (i = 0; i < model->param_count; ++i) {
    size_t n = (size_t)(spans[i].end - spans[i].begin);
    if (read_at(f, data_start + spans[i].begin,
                (unsigned char *)params + model->params[i].offset, n, &err) != 0) {
      status = io_error(error, error_size, "read", path, err);
      goto done;
    }
  }
  nncrt_clear_error(error, error_size);
done:
  free(spans);
  free(header);
  fclose(f);
  return status;
}
