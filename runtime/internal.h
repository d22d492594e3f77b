/*===- internal.h - private helpers shared by libnncrt's files ------------===*
 *
 * Error reporting, the checks every entry point makes (arguments, model table,
 * host byte order) and the safetensors header parser shared by the file and
 * buffer loaders. Nothing here is installed or part of the ABI.
 *===----------------------------------------------------------------------===*/
#ifndef NNC_RUNTIME_INTERNAL_H
#define NNC_RUNTIME_INTERNAL_H

#include "nnc_runtime.h"

#if defined(__GNUC__) || defined(__clang__)
#define NNCRT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define NNCRT_PRINTF(fmt, args)
#endif

/* Writes the printf-formatted message into error[0..error_size) (truncated,
 * always NUL-terminated; nothing if error is NULL or error_size is 0) and
 * returns status. */
int nncrt_fail(char *error, size_t error_size, int status, const char *fmt, ...)
    NNCRT_PRINTF(4, 5);

/* Sets error to "" when there is room for it. */
void nncrt_clear_error(char *error, size_t error_size);

/* The checks of every entry point, in this order: model and params non-NULL
 * (NNC_ERR_NULL_ARGUMENT), params NNC_ALIGNMENT-aligned (NNC_ERR_ALIGNMENT),
 * then the model table (NNC_ERR_FORMAT, "model table: ..."). */
int nncrt_check_call(const nnc_model_info *model, const void *params, char *error,
                     size_t error_size);

/* A parameter name of the model table with its length and table index. */
typedef struct nncrt_name {
  const char *name;
  size_t len;
  uint32_t index;
} nncrt_name;

/* Allocates (malloc) model->param_count names sorted bytewise, checking that
 * they are unique ("model table: duplicate parameter name 'x'",
 * NNC_ERR_FORMAT) and NNC_ERR_OUT_OF_MEMORY; *names is NULL unless NNC_OK.
 * The table must have passed nncrt_check_call. */
int nncrt_sorted_names(const nnc_model_info *model, nncrt_name **names, char *error,
                       size_t error_size);

/* The table index of the parameter named s[0..len) (any bytes), or -1. */
int64_t nncrt_find_name(const nncrt_name *names, uint32_t count, const char *s, size_t len);

/* NNC_OK on a little-endian host, else NNC_ERR_FORMAT with a message. */
int nncrt_check_little_endian(char *error, size_t error_size);

/* Copies `name` (length len, any bytes) into out[0..out_size) for a message:
 * control bytes become '?', and a name longer than the room ends in "...". */
void nncrt_printable_name(const char *name, size_t len, char *out, size_t out_size);

/* Formats a shape as "[6,1,5,5]" ("[]" for rank 0) into out. When rank
 * exceeds `stored`, the stored dims are followed by ",...". */
void nncrt_format_shape(const int64_t *dims, uint64_t rank, uint64_t stored, char *out,
                        size_t out_size);

/* Where one parameter's data lies in the data section of a safetensors file
 * (byte offsets relative to the start of that section). */
typedef struct nncrt_span {
  uint64_t begin;
  uint64_t end;
} nncrt_span;

/* Reads the header length from the first 8 bytes of a safetensors file of
 * `file_size` bytes (`prefix` holds min(8, file_size) bytes) and checks it
 * against the limit and the file size. NNC_ERR_FORMAT on failure. */
int nncrt_safetensors_header_length(const unsigned char *prefix, uint64_t file_size,
                                    uint64_t *header_length, char *error, size_t error_size);

/* Parses and validates the JSON header (header_length bytes, not
 * NUL-terminated) of a safetensors file whose data section is data_size
 * bytes, against the (already checked) model table. On NNC_OK, spans[i] gives
 * where parameter i's F32 data lies; spans has model->param_count entries.
 * Reads nothing outside header[0..header_length). */
int nncrt_parse_safetensors_header(const nnc_model_info *model, const unsigned char *header,
                                   uint64_t header_length, uint64_t data_size, nncrt_span *spans,
                                   char *error, size_t error_size);

#endif /* NNC_RUNTIME_INTERNAL_H */
