/*===- json.h - a bounded reader for the JSON of safetensors headers ------===*
 *
 * Private to libnncrt. Each function first skips whitespace where a token
 * may follow it, reads nothing outside [begin, end), and returns NNC_OK or
 * NNC_ERR_FORMAT with the message "header JSON at byte N: ..." written into
 * the reader's error buffer.
 *===----------------------------------------------------------------------===*/
#ifndef NNC_RUNTIME_JSON_H
#define NNC_RUNTIME_JSON_H

#include "internal.h"

/* Nesting of arrays and objects allowed anywhere (a safetensors entry needs
 * 3; the rest is room for "__metadata__" and unknown keys). */
#define NNCRT_JSON_MAX_DEPTH 64

typedef struct nncrt_json {
  const unsigned char *begin, *p, *end; /* the text, the read position */
  char *error;                          /* message buffer of the caller */
  size_t error_size;
} nncrt_json;

/* Fails at the read position: "header JSON at byte N: <what>". */
int nncrt_json_fail(nncrt_json *ps, const char *what);
/* Fails at the read position: "header JSON at byte N: expected <what>". */
int nncrt_json_expected(nncrt_json *ps, const char *what);
void nncrt_json_skip_ws(nncrt_json *ps);
/* Skips whitespace and consumes c if it comes next; returns whether it did. */
int nncrt_json_accept(nncrt_json *ps, unsigned char c);
/* Reads a string, decoding it into out[0..room); *len receives the full
 * decoded length, which may exceed room (out may be NULL when room is 0).
 * Raw control characters, bad escapes and lone surrogates are errors. */
int nncrt_json_string(nncrt_json *ps, char *out, size_t room, size_t *len);
/* Reads an integer in [0, INT64_MAX]: no sign, fraction, exponent or
 * leading zero. */
int nncrt_json_uint(nncrt_json *ps, uint64_t *value);
/* Skips any value; `depth` is the nesting of the enclosing containers. */
int nncrt_json_skip_value(nncrt_json *ps, int depth);

#endif /* NNC_RUNTIME_JSON_H */
