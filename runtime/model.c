/*===- model.c - checks of the model table and the call --------------------===*
 *
 * Every entry point of libnncrt starts with nncrt_check_call: the model table
 * comes from generated code (or a hand-written one) and the parameter buffer
 * from the application, and both are checked before a byte is touched so a
 * wrong table gives a message instead of a write past the buffer. Also the
 * host checks that safetensors I/O needs.
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

/* The runtime stores float as IEEE-754 binary32; reject anything else at
 * compile time (C99 has no static_assert). */
typedef char nncrt_float_is_binary32[(sizeof(float) == 4 && FLT_MANT_DIG == 24 &&
                                      FLT_RADIX == 2) ? 1 : -1];

static int check_param(const nnc_model_info *model, uint32_t index, char *error,
                       size_t error_size) {
  const nnc_param_info *p = &model->params[index];
  char name[96], shape[160];
  uint64_t product = 1, bytes;
  uint32_t d;
  int overflow = 0;

  if (!p->name)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "model table: parameter %u has no name", (unsigned)index);
  nncrt_printable_name(p->name, strlen(p->name), name, sizeof name);
  if (p->rank > NNC_MAX_RANK)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "model table: %s: rank %u exceeds NNC_MAX_RANK (%d)", name,
                      (unsigned)p->rank, NNC_MAX_RANK);
  for (d = 0; d < p->rank; ++d) {
    if (p->shape[d] < 0)
      return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                        "model table: %s: negative dimension %lld", name,
                        (long long)p->shape[d]);
    if (p->shape[d] != 0 && product > UINT64_MAX / (uint64_t)p->shape[d])
      overflow = 1;
    product *= (uint64_t)p->shape[d];
  }
  nncrt_format_shape(p->shape, p->rank, NNC_MAX_RANK, shape, sizeof shape);
  if (overflow || product != p->numel)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "model table: %s: numel %llu does not match shape %s", name,
                      (unsigned long long)p->numel, shape);
  if (p->offset % NNC_ALIGNMENT != 0)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "model table: %s: offset %llu is not %d-byte aligned", name,
                      (unsigned long long)p->offset, NNC_ALIGNMENT);
  bytes = p->numel * sizeof(float);
  if (p->numel > UINT64_MAX / sizeof(float) || p->offset > model->param_bytes ||
      bytes > model->param_bytes - p->offset)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "model table: %s: %llu bytes at offset %llu exceed param_bytes %llu",
                      name, (unsigned long long)bytes, (unsigned long long)p->offset,
                      (unsigned long long)model->param_bytes);
  if (p->init_kind > NNC_INIT_CONSTANT)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "model table: %s: unknown init_kind %u", name, (unsigned)p->init_kind);
  return NNC_OK;
}

int nncrt_check_call(const nnc_model_info *model, const void *params, char *error,
                     size_t error_size) {
  uint32_t i;
  if (!model)
    return nncrt_fail(error, error_size, NNC_ERR_NULL_ARGUMENT, "model is NULL");
  if (!params)
    return nncrt_fail(error, error_size, NNC_ERR_NULL_ARGUMENT, "params is NULL");
  if ((uintptr_t)params % NNC_ALIGNMENT != 0)
    return nncrt_fail(error, error_size, NNC_ERR_ALIGNMENT,
                      "params is not %d-byte aligned", NNC_ALIGNMENT);
  if (model->abi_version != NNC_ABI_VERSION)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "model table: ABI version %u, libnncrt implements %d",
                      (unsigned)model->abi_version, NNC_ABI_VERSION);
  /* A buffer the size of the address space cannot exist: a corrupt table. */
  if (model->param_bytes > (uint64_t)SIZE_MAX)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "model table: param_bytes %llu exceed the address space",
                      (unsigned long long)model->param_bytes);
  if (model->param_count > 0 && !model->params)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "model table: %u parameters but no table", (unsigned)model->param_count);
  for (i = 0; i < model->param_count; ++i) {
    int status = check_param(model, i, error, error_size);
    if (status != NNC_OK)
      return status;
  }
  return NNC_OK;
}

int nncrt_check_little_endian(char *error, size_t error_size) {
  const uint32_t probe = 1;
  unsigned char first;
  memcpy(&first, &probe, 1);
  if (first != 1)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "big-endian host: libnncrt reads and writes little-endian "
                      "safetensors only");
  return NNC_OK;
}

static int compare_bytes(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if (c != 0)
    return c;
  return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int compare_names(const void *a, const void *b) {
  const nncrt_name *x = (const nncrt_name *)a, *y = (const nncrt_name *)b;
  return compare_bytes(x->name, x->len, y->name, y->len);
}

int nncrt_sorted_names(const nnc_model_info *model, nncrt_name **names, char *error,
                       size_t error_size) {
  nncrt_name *list;
  uint32_t i;
  *names = NULL;
  list = (nncrt_name *)malloc((model->param_count ? model->param_count : 1) * sizeof *list);
  if (!list)
    return nncrt_fail(error, error_size, NNC_ERR_OUT_OF_MEMORY, "out of memory");
  for (i = 0; i < model->param_count; ++i) {
    list[i].name = model->params[i].name;
    list[i].len = strlen(list[i].name);
    list[i].index = i;
  }
  qsort(list, model->param_count, sizeof *list, compare_names);
  for (i = 1; i < model->param_count; ++i) {
    if (compare_names(&list[i - 1], &list[i]) == 0) {
      char name[96];
      nncrt_printable_name(list[i].name, list[i].len, name, sizeof name);
      free(list);
      return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                        "model table: duplicate parameter name '%s'", name);
    }
  }
  *names = list;
  return NNC_OK;
}

int64_t nncrt_find_name(const nncrt_name *names, uint32_t count, const char *s, size_t len) {
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = compare_bytes(s, len, names[mid].name, names[mid].len);
    if (c == 0)
      return (int64_t)names[mid].index;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return -1;
}
