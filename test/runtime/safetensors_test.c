/*===- safetensors_test.c - safetensors round trip and every error path ---===*
 *
 * Save -> load is bit-exact; the header nnc writes is pinned byte for byte;
 * headers with escapes, extra tensors and any JSON spacing load; every error
 * of the loader gives its exact status and message, through both the file and
 * the buffer entry points, and leaves the parameter buffer unchanged.
 *===----------------------------------------------------------------------===*/
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdir, getpid, setrlimit, ... */
#endif
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The F32 data of net_model packed in table order: 432 bytes. */
#define NET_DATA 432

/* Packs `params` of net_model in table order (the data section nnc writes). */
static void pack(const void *params, unsigned char *out) {
  uint32_t k;
  size_t used = 0;
  for (k = 0; k < 9; ++k) {
    memcpy(out + used, (const unsigned char *)params + net_params[k].offset,
           net_params[k].numel * 4);
    used += net_params[k].numel * 4;
  }
}

/* Bytes of a safetensors file: length prefix, header text, data. */
static unsigned char *build(const char *header, uint64_t header_length, const void *data,
                            size_t data_size, size_t *size) {
  size_t text = strlen(header);
  unsigned char *out = (unsigned char *)malloc(8 + text + data_size + 1);
  int i;
  for (i = 0; i < 8; ++i)
    out[i] = (unsigned char)(header_length >> (8 * i));
  memcpy(out + 8, header, text);
  if (data_size)
    memcpy(out + 8 + text, data, data_size);
  *size = 8 + text + data_size;
  return out;
}

/* Loads `bytes` through both entry points and checks status, message and
 * that params are unchanged on failure (or equal `want` on success). */
static void expect_load(const unsigned char *bytes, size_t size, int want_status,
                        const char *want_message, const char *what) {
  char path[512], error[512], label[600];
  unsigned char *params = (unsigned char *)nt_alloc(832, 0x3C);
  unsigned char *before = (unsigned char *)malloc(832);
  int status, via;
  memcpy(before, params, 832);
  nt_path(path, sizeof path, "case.safetensors");
  CHECK(nt_write_file(path, bytes, size), "%s: write test file", what);
  for (via = 0; via < 2; ++via) {
    memset(error, '#', sizeof error);
    snprintf(label, sizeof label, "%s (%s)", what, via ? "buffer" : "file");
    status = via ? nnc_load_safetensors_buffer(&net_model, bytes, size, params, error,
                                               sizeof error)
                 : nnc_load_safetensors(&net_model, path, params, error, sizeof error);
    CHECK_ERROR(status, error, want_status, want_message, label);
    if (want_status != NNC_OK) {
      CHECK(memcmp(before, params, 832) == 0, "%s: params unchanged after the failure", label);
    } else {
      unsigned char want[832];
      uint32_t k;
      int same = 1;
      memcpy(want, before, sizeof want);
      fill_pattern(&net_model, want);
      for (k = 0; k < 9; ++k)
        same &= memcmp(want + net_params[k].offset, params + net_params[k].offset,
                       net_params[k].numel * 4) == 0;
      CHECK(same, "%s: loaded values are those of the file", label);
      memcpy(params, before, 832);
    }
  }
  nt_free(params);
  free(before);
}

/* A header for net_model's packed data without the tensor `drop` (may be
 * NULL) and with `entry` ("\"name\":{...}") replacing the entry of the same
 * raw name, or appended when no name matches (may be NULL). */
static void net_header(char *out, size_t out_size, const char *drop, const char *entry) {
  uint32_t k, d;
  uint64_t offset = 0;
  size_t used = 1;
  int replaced = 0;
  snprintf(out, out_size, "{");
  for (k = 0; k < 9; ++k) {
    const nnc_param_info *p = &net_params[k];
    uint64_t end = offset + p->numel * 4;
    char name_key[64];
    snprintf(name_key, sizeof name_key, "\"%s\":", p->name);
    if (drop && strcmp(drop, p->name) == 0) {
      offset = end;
      continue;
    }
    if (used > 1)
      used += (size_t)snprintf(out + used, out_size - used, ",");
    if (entry && strncmp(entry, name_key, strlen(name_key)) == 0) {
      used += (size_t)snprintf(out + used, out_size - used, "%s", entry);
      replaced = 1;
    } else {
      used += (size_t)snprintf(out + used, out_size - used,
                               "\"%s\":{\"dtype\":\"F32\",\"shape\":[", p->name);
      for (d = 0; d < p->rank; ++d)
        used += (size_t)snprintf(out + used, out_size - used, d ? ",%lld" : "%lld",
                                 (long long)p->shape[d]);
      used += (size_t)snprintf(out + used, out_size - used, "],\"data_offsets\":[%llu,%llu]}",
                               (unsigned long long)offset, (unsigned long long)end);
    }
    offset = end;
  }
  if (entry && !replaced)
    used += (size_t)snprintf(out + used, out_size - used, "%s%s", used > 1 ? "," : "", entry);
  snprintf(out + used, out_size - used, "}");
}

/* A file of net_model's packed pattern data with the given header text. */
static void expect_header(const char *header, int want_status, const char *want_message,
                          const char *what) {
  unsigned char *params = (unsigned char *)nt_alloc(832, 0);
  unsigned char data[NET_DATA];
  unsigned char *bytes;
  size_t size;
  fill_pattern(&net_model, params);
  pack(params, data);
  bytes = build(header, strlen(header), data, sizeof data, &size);
  expect_load(bytes, size, want_status, want_message, what);
  free(bytes);
  nt_free(params);
}

static const char *const net_header_text =
    "{\"__metadata__\":{\"format\":\"pt\"},"
    "\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[4,1,3,3],\"data_offsets\":[0,144]},"
    "\"conv1.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[144,160]},"
    "\"bn1.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[160,176]},"
    "\"bn1.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[176,192]},"
    "\"bn1.running_mean\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[192,208]},"
    "\"bn1.running_var\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[208,224]},"
    "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[3,16],\"data_offsets\":[224,416]},"
    "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[416,428]},"
    "\"scale\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[428,432]}}";

static void test_round_trip(void) {
  char path[512], error[256];
  unsigned char *src = (unsigned char *)nt_alloc(832, 0);
  unsigned char *dst = (unsigned char *)nt_alloc(832, 0x5A);
  unsigned char *bytes;
  size_t size, text = strlen(net_header_text), padded = (text + 7) / 8 * 8, i;
  uint32_t k;
  int same = 1, padding_kept = 1;

  nt_path(path, sizeof path, "round_trip.safetensors");
  CHECK(nnc_init_params(&net_model, src, 7) == NNC_OK, "init for the round trip");
  CHECK_ERROR(nnc_save_safetensors(&net_model, path, src, error, sizeof error), error, NNC_OK,
              "", "save");
  bytes = nt_read_file(path, &size);
  CHECK(bytes && size == 8 + padded + 432, "saved file is %llu bytes, want %llu",
        (unsigned long long)size, (unsigned long long)(8 + padded + 432));
  if (bytes && size == 8 + padded + 432) {
    uint64_t n = 0;
    for (i = 8; i-- > 0;)
      n = n << 8 | bytes[i];
    CHECK(n == padded && n % 8 == 0, "header length %llu, multiple of 8",
          (unsigned long long)n);
    CHECK(memcmp(bytes + 8, net_header_text, text) == 0, "header text is exactly as pinned");
    for (i = 8 + text; i < 8 + padded; ++i)
      if (bytes[i] != ' ')
        same = 0;
    CHECK(same, "header padded with spaces");
  }
  free(bytes);

  CHECK_ERROR(nnc_load_safetensors(&net_model, path, dst, error, sizeof error), error, NNC_OK,
              "", "load of the saved file");
  same = 1;
  for (k = 0; k < 9; ++k)
    same &= memcmp(src + net_params[k].offset, dst + net_params[k].offset,
                   net_params[k].numel * 4) == 0;
  CHECK(same, "round trip is bit-exact");
  for (i = 0; i < 832; ++i) {
    int inside = 0;
    for (k = 0; k < 9; ++k)
      inside |= i >= net_params[k].offset && i < net_params[k].offset + net_params[k].numel * 4;
    if (!inside && dst[i] != 0x5A)
      padding_kept = 0;
  }
  CHECK(padding_kept, "load leaves padding bytes alone");

  /* Saving again over the existing file replaces it. */
  CHECK(nnc_init_params(&net_model, src, 8) == NNC_OK, "init seed 8");
  CHECK_ERROR(nnc_save_safetensors(&net_model, path, src, error, sizeof error), error, NNC_OK,
              "", "save over an existing file");
  CHECK(nnc_load_safetensors(&net_model, path, dst, error, sizeof error) == NNC_OK &&
            memcmp(src + 512, dst + 512, 192) == 0,
        "the second save replaced the file");

  /* Special values survive: NaN payloads, infinities, -0, subnormals. */
  {
    static const uint32_t special[4] = {0x7fc00001u, 0xff800000u, 0x80000000u, 0x00000001u};
    memcpy(src, special, sizeof special);
    nnc_save_safetensors(&net_model, path, src, error, sizeof error);
    CHECK(nnc_load_safetensors(&net_model, path, dst, error, sizeof error) == NNC_OK &&
              memcmp(dst, special, sizeof special) == 0,
          "NaN payload, -inf, -0 and a subnormal round-trip bit-exactly");
  }
  nt_free(src);
  nt_free(dst);
}

static void test_accepted_headers(void) {
  char header[4096];
  /* Escaped names (\u002e is '.'), an extra I64 tensor, unknown dtypes,
   * non-ASCII names, whitespace everywhere, metadata anywhere. */
  expect_header(net_header_text, NNC_OK, "", "pinned header");
  net_header(header, sizeof header, "conv1.weight",
             "\"conv1\\u002eweight\" : { \"data_offsets\" : [ 0 , 144 ] , \"shape\" : "
             "[4,1,3,3], \"dtype\":\"F\\u0033\\u0032\" , \"extra\": [1, {\"a\": null}, true]}");
  expect_header(header, NNC_OK, "", "escaped name and dtype, fields in any order");
  net_header(header, sizeof header, NULL,
             "\"bn1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],"
             "\"data_offsets\":[0,8]},\"caf\\u00e9 \\ud83d\\ude00\":{\"dtype\":\"F4\","
             "\"shape\":[3],\"data_offsets\":[4,6]},\"__metadata__\":{\"k\":\"v\\n\\\"q\\\"\"}");
  expect_header(header, NNC_OK, "", "extra I64, unknown dtype, non-ASCII name, metadata last");
  expect_header(" \t\r\n{\"__metadata__\":{},\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[4,1,3,"
                "3],\"data_offsets\":[0,144]},\"conv1.bias\":{\"dtype\":\"F32\",\"shape\":[4],"
                "\"data_offsets\":[144,160]},\"bn1.weight\":{\"dtype\":\"F32\",\"shape\":[4],"
                "\"data_offsets\":[160,176]},\"bn1.bias\":{\"dtype\":\"F32\",\"shape\":[4],"
                "\"data_offsets\":[176,192]},\"bn1.running_mean\":{\"dtype\":\"F32\",\"shape\":"
                "[4],\"data_offsets\":[192,208]},\"bn1.running_var\":{\"dtype\":\"F32\","
                "\"shape\":[4],\"data_offsets\":[208,224]},\"fc.weight\":{\"dtype\":\"F32\","
                "\"shape\":[3,16],\"data_offsets\":[224,416]},\"fc.bias\":{\"dtype\":\"F32\","
                "\"shape\":[3],\"data_offsets\":[416,428]},\"scale\":{\"dtype\":\"F32\","
                "\"shape\":[],\"data_offsets\":[428,432]}} \n ",
                NNC_OK, "", "leading and trailing whitespace");
}

static void test_tensor_errors(void) {
  char header[4096];
  net_header(header, sizeof header, "fc.bias", NULL);
  expect_header(header, NNC_ERR_MISSING_TENSOR, "fc.bias: not found in the file",
                "missing tensor");
  net_header(header, sizeof header, NULL,
             "\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[4,1,6,1],\"data_offsets\":[0,96]}");
  expect_header(header, NNC_ERR_SHAPE,
                "conv1.weight: file has [4,1,6,1], model expects [4,1,3,3]", "wrong shape");
  net_header(header, sizeof header, NULL,
             "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[48],\"data_offsets\":[224,416]}");
  expect_header(header, NNC_ERR_SHAPE, "fc.weight: file has [48], model expects [3,16]",
                "wrong rank");
  net_header(header, sizeof header, NULL,
             "\"scale\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1,1],"
             "\"data_offsets\":[428,432]}");
  expect_header(header, NNC_ERR_SHAPE,
                "scale: file has [1,1,1,1,1,1,1,1,...], model expects []", "rank above 8");
  net_header(header, sizeof header, NULL,
             "\"fc.bias\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[416,422]}");
  expect_header(header, NNC_ERR_DTYPE, "fc.bias: file has dtype F16, model expects F32",
                "F16 tensor");
  net_header(header, sizeof header, NULL,
             "\"conv1.bias\":{\"dtype\":\"I32\",\"shape\":[4],\"data_offsets\":[144,160]}");
  expect_header(header, NNC_ERR_DTYPE, "conv1.bias: file has dtype I32, model expects F32",
                "I32 tensor");
  net_header(header, sizeof header, NULL,
             "\"conv1.bias\":{\"dtype\":\"float32\",\"shape\":[4],\"data_offsets\":[144,160]}");
  expect_header(header, NNC_ERR_DTYPE, "conv1.bias: file has dtype float32, model expects F32",
                "unknown dtype");
  /* Format errors come first, even after a missing tensor in table order. */
  net_header(header, sizeof header, "conv1.weight",
             "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[416,432]}");
  expect_header(header, NNC_ERR_FORMAT,
                "fc.bias: data_offsets [416,432] hold 16 bytes, but F32 [3] needs 12",
                "size disagrees with shape");
  net_header(header, sizeof header, NULL,
             "\"conv1.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[160,144]}");
  expect_header(header, NNC_ERR_FORMAT, "conv1.bias: data_offsets [160,144] are reversed",
                "reversed offsets");
  net_header(header, sizeof header, NULL,
             "\"x\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[400,440]}");
  expect_header(header, NNC_ERR_FORMAT,
                "x: data_offsets [400,440] exceed the data section of 432 bytes (file "
                "truncated?)",
                "extra tensor past the end");
  net_header(header, sizeof header, NULL,
             "\"x\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,8]}");
  expect_header(header, NNC_ERR_FORMAT,
                "x: data_offsets [0,8] hold 8 bytes, but I64 [3] needs 24",
                "extra tensor of inconsistent size");
  net_header(header, sizeof header, NULL,
             "\"fc\\u002ebias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}");
  expect_header(header, NNC_ERR_FORMAT, "fc.bias: appears twice in the header",
                "a parameter twice");
  net_header(header, sizeof header, NULL, "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[3]}");
  expect_header(header, NNC_ERR_FORMAT, "fc.bias: missing \"data_offsets\"",
                "entry without data_offsets");
  net_header(header, sizeof header, NULL,
             "\"fc.bias\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[3],"
             "\"data_offsets\":[416,428]}");
  expect_header(header, NNC_ERR_FORMAT, "fc.bias: \"dtype\" given twice", "dtype twice");
  net_header(header, sizeof header, NULL,
             "\"conv1.bias\":{\"dtype\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\",\"shape\":[4],"
             "\"data_offsets\":[144,160]}");
  expect_header(header, NNC_ERR_DTYPE,
                "conv1.bias: file has dtype ABCDEFGHIJKLMNOP..., model expects F32",
                "long dtype name, cut in the message");
  /* Names longer than every parameter name are cut in messages; control
   * characters are shown as '?'. */
  net_header(header, sizeof header, NULL,
             "\"0123456789abcdefghij\":{\"shape\":[],\"data_offsets\":[0,0]}");
  expect_header(header, NNC_ERR_FORMAT, "0123456789abcdef...: missing \"dtype\"",
                "long extra name, cut in the message");
  net_header(header, sizeof header, NULL,
             "\"a\\nb\\u0001\":{\"dtype\":\"F32\",\"shape\":[]}");
  expect_header(header, NNC_ERR_FORMAT, "a?b?: missing \"data_offsets\"",
                "control characters in a name");
  net_header(header, sizeof header, NULL,
             "\"x\":{\"dtype\":\"U8\",\"shape\":[99999999999,99999999999],"
             "\"data_offsets\":[0,0]}");
  expect_header(header, NNC_ERR_FORMAT, "x: U8 [99999999999,99999999999] has too many elements",
                "element count overflows");
  net_header(header, sizeof header, NULL,
             "\"x\":{\"dtype\":\"U8\",\"shape\":[99999999999,99999999999,0],"
             "\"data_offsets\":[0,0]}");
  expect_header(header, NNC_OK, "", "a zero dimension after an overflowing product");
}

static void test_json_errors(void) {
  static const struct {
    const char *header, *message, *what;
  } cases[] = {
      {"", "header JSON at byte 0: expected '{'", "empty header"},
      {"[]", "header JSON at byte 0: expected '{'", "array at top level"},
      {"{\"conv1.weight\" {", "header JSON at byte 16: expected ':'", "missing colon"},
      {"{\"abc", "header JSON at byte 5: unterminated string", "unterminated string"},
      {"{\"a\\", "header JSON at byte 4: unterminated string", "unterminated escape"},
      {"{\"a\\x\":{}}", "header JSON at byte 4: invalid escape in string", "bad escape"},
      {"{\"\\u12G4\":{}}", "header JSON at byte 4: invalid \\u escape", "bad hex digit"},
      {"{\"\\u12", "header JSON at byte 4: invalid \\u escape", "cut \\u escape"},
      {"{\"\\ud800x\":{}}", "header JSON at byte 8: lone surrogate in \\u escape",
       "lone high surrogate"},
      {"{\"\\udc00\":{}}", "header JSON at byte 8: lone surrogate in \\u escape",
       "lone low surrogate"},
      {"{\"a\tb\":{}}", "header JSON at byte 3: control character in string",
       "raw tab in a string"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}",
       "header JSON at byte 29: expected a non-negative integer", "negative dimension"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0.5,4]}}",
       "header JSON at byte 49: expected a non-negative integer", "fractional offset"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}",
       "header JSON at byte 29: number with a leading zero", "leading zero"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[9223372036854775808],\"data_offsets\":[0,4]}}",
       "header JSON at byte 47: integer too large", "dimension above INT64_MAX"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}",
       "header JSON at byte 51: expected ']' (data_offsets has 2 entries)", "three offsets"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}",
       "header JSON at byte 53: expected ',' or '}'", "unclosed object"},
      {"{\"x\":[]}", "header JSON at byte 5: expected '{' (a tensor entry)",
       "tensor entry not an object"},
      {"{\"x\":{\"dtype\":1}}", "header JSON at byte 14: expected '\"'", "dtype not a string"},
      {"{\"__metadata__\":{\"a\":tru}}", "header JSON at byte 21: expected a value",
       "bad literal"},
      {"{\"__metadata__\":{\"a\":1.}}", "header JSON at byte 23: expected a digit",
       "bad number"},
      {"{} x", "header JSON at byte 3: unexpected bytes after the header object",
       "trailing bytes"},
      {"{},", "header JSON at byte 2: unexpected bytes after the header object",
       "trailing comma"},
      {"{\"__metadata__\":{},}", "header JSON at byte 19: expected '\"'",
       "comma before the closing brace"},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; ++i)
    expect_header(cases[i].header, NNC_ERR_FORMAT, cases[i].message, cases[i].what);

  /* Nesting: 63 levels inside "__metadata__" parse; 64 do not. */
  {
    char deep[400];
    size_t used;
    int levels, ok;
    for (ok = 1; ok >= 0; --ok) {
      levels = ok ? 63 : 64;
      used = (size_t)sprintf(deep, "{\"__metadata__\":");
      for (i = 0; i < (size_t)levels; ++i)
        deep[used++] = '[';
      for (i = 0; i < (size_t)levels; ++i)
        deep[used++] = ']';
      deep[used++] = '}';
      deep[used] = '\0';
      if (ok) {
        expect_header(deep, NNC_ERR_MISSING_TENSOR, "conv1.weight: not found in the file",
                      "63 levels of nesting");
      } else {
        expect_header(deep, NNC_ERR_FORMAT, "header JSON at byte 79: nesting deeper than 64",
                      "64 levels of nesting");
      }
    }
  }
}

static void test_truncation_and_length(void) {
  char path[512], error[256], message[256], what[64];
  unsigned char *params = (unsigned char *)nt_alloc(832, 0);
  unsigned char *bytes, *copy;
  size_t size, cuts[8], i;
  uint64_t n = 0;

  fill_pattern(&net_model, params);
  nt_path(path, sizeof path, "truncate.safetensors");
  nnc_save_safetensors(&net_model, path, params, error, sizeof error);
  bytes = nt_read_file(path, &size);
  if (!CHECK(bytes != NULL, "read the saved file"))
    return;
  for (i = 8; i-- > 0;)
    n = n << 8 | bytes[i];

  /* Cut inside the length, right after it, inside the header, at the end of
   * the header, inside the first tensor and one byte short. */
  cuts[0] = 0;
  cuts[1] = 5;
  cuts[2] = 8;
  cuts[3] = 8 + (size_t)n / 2;
  cuts[4] = 8 + (size_t)n - 1;
  cuts[5] = 8 + (size_t)n;
  cuts[6] = 8 + (size_t)n + 100;
  cuts[7] = size - 1;
  for (i = 0; i < 8; ++i) {
    size_t cut = cuts[i];
    if (cut < 8)
      sprintf(message, "file is %llu bytes, too short for the 8-byte header length",
              (unsigned long long)cut);
    else if (cut < 8 + n)
      sprintf(message, "header length %llu exceeds the %llu bytes after it (file truncated?)",
              (unsigned long long)n, (unsigned long long)(cut - 8));
    else {
      /* The first entry (in file order = table order) ending past the data. */
      uint64_t data = cut - 8 - n, begin = 0, end = 0;
      uint32_t k;
      for (k = 0; k < 9; ++k, begin = end)
        if ((end = begin + net_params[k].numel * 4) > data)
          break;
      sprintf(message,
              "%s: data_offsets [%llu,%llu] exceed the data section of %llu bytes (file "
              "truncated?)",
              net_params[k].name, (unsigned long long)begin, (unsigned long long)end,
              (unsigned long long)data);
    }
    snprintf(what, sizeof what, "file cut at byte %llu of %llu", (unsigned long long)cut,
             (unsigned long long)size);
    expect_load(bytes, cut, NNC_ERR_FORMAT, message, what);
  }

  /* A corrupted length: absurd, past the end, too short to hold the JSON. */
  copy = (unsigned char *)malloc(size);
  {
    static const uint64_t lengths[4] = {UINT64_C(0xFFFFFFFFFFFFFFFF), UINT64_C(100000001),
                                        0, 4};
    for (i = 0; i < 4; ++i) {
      int k;
      memcpy(copy, bytes, size);
      for (k = 0; k < 8; ++k)
        copy[k] = (unsigned char)(lengths[i] >> (8 * k));
      if (i < 2)
        sprintf(message, "header length %llu exceeds the limit of 100000000 bytes",
                (unsigned long long)lengths[i]);
      else if (i == 2)
        sprintf(message, "header JSON at byte 0: expected '{'");
      else
        sprintf(message, "header JSON at byte 4: unterminated string");
      snprintf(what, sizeof what, "header length set to %llu", (unsigned long long)lengths[i]);
      expect_load(copy, size, NNC_ERR_FORMAT, message, what);
    }
    /* One byte more than the file holds after the prefix. */
    memcpy(copy, bytes, size);
    {
      uint64_t too_long = size - 8 + 1;
      int k;
      for (k = 0; k < 8; ++k)
        copy[k] = (unsigned char)(too_long >> (8 * k));
      sprintf(message, "header length %llu exceeds the %llu bytes after it (file truncated?)",
              (unsigned long long)too_long, (unsigned long long)(size - 8));
      expect_load(copy, size, NNC_ERR_FORMAT, message, "header length one past the end");
    }
    /* The length takes the first data byte into the header: the data
     * section is one byte short, caught at the last tensor before the
     * parser reaches the stray byte. */
    memcpy(copy, bytes, size);
    for (i = 0; i < 8; ++i)
      copy[i] = (unsigned char)((n + 1) >> (8 * i));
    expect_load(copy, size, NNC_ERR_FORMAT,
                "scale: data_offsets [428,432] exceed the data section of 431 bytes (file "
                "truncated?)",
                "header length one too long");
  }
  free(copy);
  free(bytes);
  nt_free(params);
}

static void test_argument_errors(void) {
  char path[512], missing[512], error[256];
  unsigned char *params = (unsigned char *)nt_alloc(832 + 64, 0);
  nnc_param_info bad[9];
  nnc_model_info bad_model = net_model;

  nt_path(path, sizeof path, "round_trip.safetensors");
  nt_path(missing, sizeof missing, "no-such-dir/x.safetensors");
  {
    char want[700];
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory", missing);
    CHECK_ERROR(nnc_load_safetensors(&net_model, missing, params, error, sizeof error), error,
                NNC_ERR_IO, want, "nonexistent path");
  }
  {
    char want[700];
    snprintf(want, sizeof want, "cannot read '%s': Is a directory", nt_opts.tmp);
    CHECK_ERROR(nnc_load_safetensors(&net_model, nt_opts.tmp, params, error, sizeof error),
                error, NNC_ERR_IO, want, "load of a directory");
  }
  CHECK_ERROR(nnc_load_safetensors(&net_model, NULL, params, error, sizeof error), error,
              NNC_ERR_NULL_ARGUMENT, "path is NULL", "NULL path");
  CHECK_ERROR(nnc_load_safetensors(NULL, path, params, error, sizeof error), error,
              NNC_ERR_NULL_ARGUMENT, "model is NULL", "NULL model");
  CHECK_ERROR(nnc_load_safetensors(&net_model, path, NULL, error, sizeof error), error,
              NNC_ERR_NULL_ARGUMENT, "params is NULL", "NULL params");
  CHECK_ERROR(nnc_load_safetensors(&net_model, path, params + 32, error, sizeof error), error,
              NNC_ERR_ALIGNMENT, "params is not 64-byte aligned", "misaligned params");
  CHECK_ERROR(nnc_load_safetensors_buffer(&net_model, NULL, 10, params, error, sizeof error),
              error, NNC_ERR_NULL_ARGUMENT, "data is NULL", "NULL data");
  CHECK_ERROR(nnc_load_safetensors_buffer(&net_model, NULL, 0, params, error, sizeof error),
              error, NNC_ERR_FORMAT, "file is 0 bytes, too short for the 8-byte header length",
              "empty buffer");
  /* A tiny error buffer gets a truncated, terminated message; none at all
   * is fine too. */
  {
    char tiny[8];
    CHECK(nnc_load_safetensors(&net_model, NULL, params, tiny, sizeof tiny) ==
                  NNC_ERR_NULL_ARGUMENT &&
              strcmp(tiny, "path is") == 0,
          "message truncated to the buffer: '%s'", tiny);
    CHECK(nnc_load_safetensors(&net_model, NULL, params, NULL, 0) == NNC_ERR_NULL_ARGUMENT,
          "NULL error buffer");
  }

  /* The model table is checked. */
  bad_model.params = bad;
  memcpy(bad, net_params, sizeof bad);
  bad[0].numel = 35;
  CHECK_ERROR(nnc_load_safetensors(&bad_model, path, params, error, sizeof error), error,
              NNC_ERR_FORMAT, "model table: conv1.weight: numel 35 does not match shape [4,1,3,3]",
              "numel disagrees with shape");
  memcpy(bad, net_params, sizeof bad);
  bad[1].offset = 160;
  CHECK_ERROR(nnc_load_safetensors(&bad_model, path, params, error, sizeof error), error,
              NNC_ERR_FORMAT, "model table: conv1.bias: offset 160 is not 64-byte aligned",
              "misaligned offset");
  memcpy(bad, net_params, sizeof bad);
  bad[8].offset = 832;
  CHECK_ERROR(nnc_load_safetensors(&bad_model, path, params, error, sizeof error), error,
              NNC_ERR_FORMAT, "model table: scale: 4 bytes at offset 832 exceed param_bytes 832",
              "parameter past param_bytes");
  memcpy(bad, net_params, sizeof bad);
  bad[6].rank = 9;
  CHECK_ERROR(nnc_load_safetensors(&bad_model, path, params, error, sizeof error), error,
              NNC_ERR_FORMAT, "model table: fc.weight: rank 9 exceeds NNC_MAX_RANK (8)",
              "rank above NNC_MAX_RANK");
  memcpy(bad, net_params, sizeof bad);
  bad[7].name = "bn1.bias";
  CHECK_ERROR(nnc_load_safetensors(&bad_model, path, params, error, sizeof error), error,
              NNC_ERR_FORMAT, "model table: duplicate parameter name 'bn1.bias'",
              "duplicate names");
  memcpy(bad, net_params, sizeof bad);
  bad[2].name = NULL;
  CHECK_ERROR(nnc_load_safetensors(&bad_model, path, params, error, sizeof error), error,
              NNC_ERR_FORMAT, "model table: parameter 2 has no name", "unnamed parameter");
  bad_model.params = net_params;
  bad_model.abi_version = NNC_ABI_VERSION + 1;
  char want_version[96];
  snprintf(want_version, sizeof want_version, "model table: ABI version %d, libnncrt implements %d",
           NNC_ABI_VERSION + 1, NNC_ABI_VERSION);
  CHECK_ERROR(nnc_load_safetensors(&bad_model, path, params, error, sizeof error), error,
              NNC_ERR_FORMAT, want_version, "ABI version mismatch");
  nt_free(params);

  CHECK(strcmp(nnc_status_string(NNC_OK), "ok") == 0 &&
            strcmp(nnc_status_string(NNC_ERR_SHAPE), "shape mismatch") == 0 &&
            strcmp(nnc_status_string(NNC_ERR_MISSING_TENSOR), "missing tensor") == 0 &&
            strcmp(nnc_status_string(-1), "unknown status") == 0 &&
            strcmp(nnc_status_string(9), "unknown status") == 0,
        "nnc_status_string");
}

/* Names that need escaping in JSON survive a save and a load. */
static void test_escaped_names(void) {
  static const nnc_param_info odd[3] = {
      {"quote\"back\\slash", 0, 2, 1, 1, {2}, NNC_INIT_CONSTANT, {1.0f, 0}},
      {"tab\tnewline\n\x01", 64, 1, 0, 1, {0}, NNC_INIT_CONSTANT, {2.0f, 0}},
      {"utf8 \xc3\xa9\xf0\x9f\x98\x80", 128, 3, 1, 1, {3}, NNC_INIT_UNIFORM, {0.0f, 1.0f}},
  };
  nnc_model_info m = {NNC_ABI_VERSION, "odd", 192, 0, 3, 0, 0, odd, NULL, NULL, 0, 0, 0, NULL};
  unsigned char *a = (unsigned char *)nt_alloc(192, 0), *b = (unsigned char *)nt_alloc(192, 0);
  char path[512], error[256];
  nt_path(path, sizeof path, "odd_names.safetensors");
  nnc_init_params(&m, a, 3);
  CHECK_ERROR(nnc_save_safetensors(&m, path, a, error, sizeof error), error, NNC_OK, "",
              "save with names needing escapes");
  CHECK_ERROR(nnc_load_safetensors(&m, path, b, error, sizeof error), error, NNC_OK, "",
              "load with names needing escapes");
  CHECK(memcmp(a, b, 192) == 0, "escaped names round-trip");
  nt_free(a);
  nt_free(b);
}

void test_safetensors(void) {
  nt_section("safetensors: round trip");
  test_round_trip();
  test_escaped_names();
  nt_section("safetensors: accepted headers");
  test_accepted_headers();
  nt_section("safetensors: tensor errors");
  test_tensor_errors();
  nt_section("safetensors: JSON errors");
  test_json_errors();
  nt_section("safetensors: truncation and header length");
  test_truncation_and_length();
  nt_section("safetensors: arguments and model table");
  test_argument_errors();
}
