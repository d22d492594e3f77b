/*===- safetensors_header.c - parse and validate a safetensors header -----===*
 *
 * A safetensors file is an 8-byte little-endian header length N, N bytes of
 * JSON mapping tensor names to {"dtype", "shape", "data_offsets": [begin,
 * end]} (offsets relative to the data section that follows) plus an optional
 * "__metadata__" object, then the data. This file checks the length and
 * parses the JSON in one pass, recording for each parameter of the model
 * where its F32 data lies, and validating every other entry just enough to
 * reject truncated files. The JSON tokens come from json.c, which bounds
 * every read of the untrusted (and fuzzed) input; names are compared after
 * unescaping.
 *===----------------------------------------------------------------------===*/
#include "internal.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

/* Longest dtype name kept for messages ("F8_E4M3" and the like fit). */
#define NNCRT_DTYPE_ROOM 16
/* Room for tensor names in messages. */
#define NNCRT_NAME_ROOM 128

/* What the header says about one parameter of the model. */
typedef struct entry {
  int found;
  char dtype[NNCRT_DTYPE_ROOM];
  size_t dtype_len;
  uint64_t rank;
  int64_t dims[NNC_MAX_RANK];
} entry;

/* Bytes per element of the safetensors dtypes that have whole bytes; 0 for
 * names this runtime does not know (their entries are only range-checked). */
static uint64_t dtype_size(const char *dtype, size_t len) {
  static const struct {
    const char *name;
    unsigned size;
  } known[] = {{"F64", 8}, {"F32", 4},     {"F16", 2},     {"BF16", 2},     {"I64", 8},
               {"I32", 4}, {"I16", 2},     {"I8", 1},      {"U64", 8},      {"U32", 4},
               {"U16", 2}, {"U8", 1},      {"BOOL", 1},    {"F8_E4M3", 1},  {"F8_E5M2", 1},
               {"C64", 8}, {"F8_E8M0", 1}};
  size_t i;
  for (i = 0; i < sizeof known / sizeof known[0]; ++i)
    if (strlen(known[i].name) == len && memcmp(known[i].name, dtype, len) == 0)
      return known[i].size;
  return 0;
}

/* The state of one parse: the model, its sorted names and what was found. */
typedef struct context {
  nncrt_json ps;
  const nnc_model_info *model;
  const nncrt_name *names;
  entry *entries;
  nncrt_span *spans;
  uint64_t data_size;
  char *key;      /* decoded top-level key: the tensor name */
  size_t key_room;
} context;

/* Parses one tensor entry, the value of the top-level key ctx->key (of
 * decoded length key_len), and records it if the model has that name. */
static int parse_tensor(context *ctx, size_t key_len) {
  nncrt_json *ps = &ctx->ps;
  char name[NNCRT_NAME_ROOM], dtype[NNCRT_DTYPE_ROOM], field[16], shape_text[200];
  size_t dtype_len = 0, field_len, i;
  int have_dtype = 0, have_shape = 0, have_offsets = 0, numel_overflow = 0, status;
  uint64_t rank = 0, numel = 1, begin = 0, end = 0, elem, need;
  int64_t dims[NNC_MAX_RANK];
  int64_t index;

  nncrt_printable_name(ctx->key, key_len < ctx->key_room ? key_len : ctx->key_room, name,
                       sizeof name);
  if (key_len > ctx->key_room) { /* only a prefix was decoded: say so */
    size_t n = strlen(name);
    memcpy(name + (n < sizeof name - 4 ? n : sizeof name - 4), "...", 4);
  }
  if (!nncrt_json_accept(ps, '{'))
    return nncrt_json_expected(ps, "'{' (a tensor entry)");
  if (!nncrt_json_accept(ps, '}')) {
    for (;;) {
      if ((status = nncrt_json_string(ps, field, sizeof field, &field_len)) != NNC_OK)
        return status;
      if (!nncrt_json_accept(ps, ':'))
        return nncrt_json_expected(ps, "':'");
      if (field_len == 5 && memcmp(field, "dtype", 5) == 0) {
        if (have_dtype)
          return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT,
                            "%s: \"dtype\" given twice", name);
        have_dtype = 1;
        if ((status = nncrt_json_string(ps, dtype, sizeof dtype, &dtype_len)) != NNC_OK)
          return status;
      } else if (field_len == 5 && memcmp(field, "shape", 5) == 0) {
        if (have_shape)
          return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT,
                            "%s: \"shape\" given twice", name);
        have_shape = 1;
        if (!nncrt_json_accept(ps, '['))
          return nncrt_json_expected(ps, "'[' (a shape)");
        if (!nncrt_json_accept(ps, ']')) {
          do {
            uint64_t dim;
            if ((status = nncrt_json_uint(ps, &dim)) != NNC_OK)
              return status;
            if (rank < NNC_MAX_RANK)
              dims[rank] = (int64_t)dim;
            ++rank;
            if (dim == 0)
              numel_overflow = 0; /* the product is 0 whatever came before */
            else if (numel > UINT64_MAX / dim)
              numel_overflow = 1;
            numel *= dim;
          } while (nncrt_json_accept(ps, ','));
          if (!nncrt_json_accept(ps, ']'))
            return nncrt_json_expected(ps, "',' or ']'");
        }
      } else if (field_len == 12 && memcmp(field, "data_offsets", 12) == 0) {
        if (have_offsets)
          return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT,
                            "%s: \"data_offsets\" given twice", name);
        have_offsets = 1;
        if (!nncrt_json_accept(ps, '['))
          return nncrt_json_expected(ps, "'[' (data_offsets)");
        if ((status = nncrt_json_uint(ps, &begin)) != NNC_OK)
          return status;
        if (!nncrt_json_accept(ps, ','))
          return nncrt_json_expected(ps, "','");
        if ((status = nncrt_json_uint(ps, &end)) != NNC_OK)
          return status;
        if (!nncrt_json_accept(ps, ']'))
          return nncrt_json_expected(ps, "']' (data_offsets has 2 entries)");
      } else if ((status = nncrt_json_skip_value(ps, 2)) != NNC_OK) {
        return status;
      }
      if (nncrt_json_accept(ps, '}'))
        break;
      if (!nncrt_json_accept(ps, ','))
        return nncrt_json_expected(ps, "',' or '}'");
    }
  }

  if (!have_dtype || !have_shape || !have_offsets)
    return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT, "%s: missing \"%s\"", name,
                      !have_dtype ? "dtype" : !have_shape ? "shape" : "data_offsets");
  if (begin > end)
    return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT,
                      "%s: data_offsets [%llu,%llu] are reversed", name,
                      (unsigned long long)begin, (unsigned long long)end);
  if (end > ctx->data_size)
    return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT,
                      "%s: data_offsets [%llu,%llu] exceed the data section of %llu bytes "
                      "(file truncated?)",
                      name, (unsigned long long)begin, (unsigned long long)end,
                      (unsigned long long)ctx->data_size);
  elem = dtype_len <= sizeof dtype ? dtype_size(dtype, dtype_len) : 0;
  if (elem != 0) {
    char dtype_text[NNCRT_DTYPE_ROOM + 1];
    memcpy(dtype_text, dtype, dtype_len);
    dtype_text[dtype_len] = '\0';
    nncrt_format_shape(dims, rank, NNC_MAX_RANK, shape_text, sizeof shape_text);
    if (numel_overflow || numel > UINT64_MAX / elem)
      return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT,
                        "%s: %s %s has too many elements", name, dtype_text, shape_text);
    need = numel * elem;
    if (end - begin != need)
      return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT,
                        "%s: data_offsets [%llu,%llu] hold %llu bytes, but %s %s needs %llu",
                        name, (unsigned long long)begin, (unsigned long long)end,
                        (unsigned long long)(end - begin), dtype_text, shape_text,
                        (unsigned long long)need);
  }

  if (key_len > ctx->key_room)
    return NNC_OK; /* longer than every parameter name: not needed */
  index = nncrt_find_name(ctx->names, ctx->model->param_count, ctx->key, key_len);
  if (index < 0)
    return NNC_OK;
  if (ctx->entries[index].found)
    return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT,
                      "%s: appears twice in the header", name);
  ctx->entries[index].found = 1;
  ctx->entries[index].dtype_len = dtype_len;
  memcpy(ctx->entries[index].dtype, dtype,
         dtype_len < sizeof dtype ? dtype_len : sizeof dtype);
  ctx->entries[index].rank = rank;
  for (i = 0; i < rank && i < NNC_MAX_RANK; ++i)
    ctx->entries[index].dims[i] = dims[i];
  ctx->spans[index].begin = begin;
  ctx->spans[index].end = end;
  return NNC_OK;
}

static int parse_top(context *ctx) {
  nncrt_json *ps = &ctx->ps;
  int status;
  if (!nncrt_json_accept(ps, '{'))
    return nncrt_json_expected(ps, "'{'");
  if (!nncrt_json_accept(ps, '}')) {
    for (;;) {
      size_t key_len;
      if ((status = nncrt_json_string(ps, ctx->key, ctx->key_room, &key_len)) != NNC_OK)
        return status;
      if (!nncrt_json_accept(ps, ':'))
        return nncrt_json_expected(ps, "':'");
      if (key_len == 12 && memcmp(ctx->key, "__metadata__", 12) == 0)
        status = nncrt_json_skip_value(ps, 1);
      else
        status = parse_tensor(ctx, key_len);
      if (status != NNC_OK)
        return status;
      if (nncrt_json_accept(ps, '}'))
        break;
      if (!nncrt_json_accept(ps, ','))
        return nncrt_json_expected(ps, "',' or '}'");
    }
  }
  nncrt_json_skip_ws(ps);
  if (ps->p != ps->end)
    return nncrt_json_fail(ps, "unexpected bytes after the header object");
  return NNC_OK;
}

/* With the whole header parsed, checks each parameter in table order. */
static int check_entries(const context *ctx) {
  const nnc_model_info *model = ctx->model;
  uint32_t i, d;
  for (i = 0; i < model->param_count; ++i) {
    const nnc_param_info *p = &model->params[i];
    const entry *e = &ctx->entries[i];
    char name[NNCRT_NAME_ROOM], dtype[NNCRT_DTYPE_ROOM + 4];
    int same = 1;
    nncrt_printable_name(p->name, strlen(p->name), name, sizeof name);
    if (!e->found)
      return nncrt_fail(ctx->ps.error, ctx->ps.error_size, NNC_ERR_MISSING_TENSOR,
                        "%s: not found in the file", name);
    if (e->dtype_len != 3 || memcmp(e->dtype, "F32", 3) != 0) {
      nncrt_printable_name(e->dtype, e->dtype_len < NNCRT_DTYPE_ROOM ? e->dtype_len
                                                                        : NNCRT_DTYPE_ROOM,
                           dtype, sizeof dtype);
      if (e->dtype_len > NNCRT_DTYPE_ROOM)
        memcpy(dtype + NNCRT_DTYPE_ROOM, "...", 4);
      return nncrt_fail(ctx->ps.error, ctx->ps.error_size, NNC_ERR_DTYPE,
                        "%s: file has dtype %s, model expects F32", name, dtype);
    }
    if (e->rank != p->rank)
      same = 0;
    for (d = 0; same && d < p->rank; ++d)
      same = e->dims[d] == p->shape[d];
    if (!same) {
      char file_shape[200], model_shape[200];
      nncrt_format_shape(e->dims, e->rank, NNC_MAX_RANK, file_shape, sizeof file_shape);
      nncrt_format_shape(p->shape, p->rank, NNC_MAX_RANK, model_shape, sizeof model_shape);
      return nncrt_fail(ctx->ps.error, ctx->ps.error_size, NNC_ERR_SHAPE,
                        "%s: file has %s, model expects %s", name, file_shape, model_shape);
    }
  }
  return NNC_OK;
}

int nncrt_safetensors_header_length(const unsigned char *prefix, uint64_t file_size,
                                    uint64_t *header_length, char *error, size_t error_size) {
  uint64_t n = 0;
  int i;
  *header_length = 0;
  if (file_size < 8)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "file is %llu bytes, too short for the 8-byte header length",
                      (unsigned long long)file_size);
  for (i = 7; i >= 0; --i)
    n = (n << 8) | prefix[i];
  if (n > NNC_SAFETENSORS_MAX_HEADER)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "header length %llu exceeds the limit of %u bytes", (unsigned long long)n,
                      NNC_SAFETENSORS_MAX_HEADER);
  if (n > file_size - 8)
    return nncrt_fail(error, error_size, NNC_ERR_FORMAT,
                      "header length %llu exceeds the %llu bytes after it (file truncated?)",
                      (unsigned long long)n, (unsigned long long)(file_size - 8));
  *header_length = n;
  return NNC_OK;
}

int nncrt_parse_safetensors_header(const nnc_model_info *model, const unsigned char *header,
                                   uint64_t header_length, uint64_t data_size, nncrt_span *spans,
                                   char *error, size_t error_size) {
  context ctx;
  nncrt_name *names = NULL;
  uint32_t i;
  int status;

  memset(&ctx, 0, sizeof ctx);
  ctx.ps.begin = ctx.ps.p = header;
  ctx.ps.end = header + header_length;
  ctx.ps.error = error;
  ctx.ps.error_size = error_size;
  ctx.model = model;
  ctx.spans = spans;
  ctx.data_size = data_size;
  /* A key longer than every parameter name cannot match one; room for
   * "__metadata__" is needed too. */
  ctx.key_room = 12;
  for (i = 0; i < model->param_count; ++i) {
    size_t n = strlen(model->params[i].name);
    if (n > ctx.key_room)
      ctx.key_room = n;
  }
  status = nncrt_sorted_names(model, &names, error, error_size);
  if (status != NNC_OK)
    return status;
  ctx.names = names;
  ctx.entries = (entry *)calloc(model->param_count ? model->param_count : 1, sizeof(entry));
  ctx.key = (char *)malloc(ctx.key_room);
  if (!ctx.entries || !ctx.key) {
    status = nncrt_fail(error, error_size, NNC_ERR_OUT_OF_MEMORY, "out of memory");
  } else {
    status = parse_top(&ctx);
    if (status == NNC_OK)
      status = check_entries(&ctx);
  }
  free(ctx.key);
  free(ctx.entries);
  free(names);
  return status;
}
