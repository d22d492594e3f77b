/*===- json.c - a bounded reader for the JSON of safetensors headers ------===*
 *
 * The pieces of JSON (RFC 8259) that safetensors_header.c assembles into the
 * header grammar: whitespace, punctuation, strings (unescaped, \uXXXX and
 * surrogate pairs turned into UTF-8), non-negative integers with overflow
 * checks, and skipping any value with nesting limited to
 * NNCRT_JSON_MAX_DEPTH. The input is untrusted and fuzzed: every read is
 * checked against the end of the buffer, which need not be NUL-terminated.
 * Errors are NNC_ERR_FORMAT with "header JSON at byte N: ...".
 *===----------------------------------------------------------------------===*/
#include "json.h"

#include <string.h>

#define NNCRT_STRINGIFY(x) #x
#define NNCRT_TO_STRING(x) NNCRT_STRINGIFY(x)

int nncrt_json_fail(nncrt_json *ps, const char *what) {
  return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT, "header JSON at byte %llu: %s",
                    (unsigned long long)(ps->p - ps->begin), what);
}

int nncrt_json_expected(nncrt_json *ps, const char *what) {
  return nncrt_fail(ps->error, ps->error_size, NNC_ERR_FORMAT,
                    "header JSON at byte %llu: expected %s",
                    (unsigned long long)(ps->p - ps->begin), what);
}

void nncrt_json_skip_ws(nncrt_json *ps) {
  while (ps->p < ps->end &&
         (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ++ps->p;
}

/* Skips whitespace and consumes c if it comes next. */
int nncrt_json_accept(nncrt_json *ps, unsigned char c) {
  nncrt_json_skip_ws(ps);
  if (ps->p < ps->end && *ps->p == c) {
    ++ps->p;
    return 1;
  }
  return 0;
}

static int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the 4 hex digits of a \u escape at ps->p. */
static int read_hex4(nncrt_json *ps, unsigned *value) {
  int i;
  *value = 0;
  if (ps->end - ps->p < 4)
    return nncrt_json_fail(ps, "invalid \\u escape");
  for (i = 0; i < 4; ++i) {
    int h = hex_value(ps->p[i]);
    if (h < 0)
      return nncrt_json_fail(ps, "invalid \\u escape");
    *value = *value * 16 + (unsigned)h;
  }
  ps->p += 4;
  return NNC_OK;
}

/* Appends a byte to the decoded string: kept while there is room, always
 * counted (so a name too long for `out` is known not to match). */
static void put(char *out, size_t room, size_t *len, unsigned byte) {
  if (*len < room)
    out[*len] = (char)byte;
  ++*len;
}

static void put_utf8(char *out, size_t room, size_t *len, unsigned cp) {
  if (cp < 0x80) {
    put(out, room, len, cp);
  } else if (cp < 0x800) {
    put(out, room, len, 0xC0 | (cp >> 6));
    put(out, room, len, 0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(out, room, len, 0xE0 | (cp >> 12));
    put(out, room, len, 0x80 | ((cp >> 6) & 0x3F));
    put(out, room, len, 0x80 | (cp & 0x3F));
  } else {
    put(out, room, len, 0xF0 | (cp >> 18));
    put(out, room, len, 0x80 | ((cp >> 12) & 0x3F));
    put(out, room, len, 0x80 | ((cp >> 6) & 0x3F));
    put(out, room, len, 0x80 | (cp & 0x3F));
  }
}

/* Parses a JSON string (after optional whitespace), decoding it into
 * out[0..room); *len receives the full decoded length, which may exceed
 * room. out may be NULL when room is 0. */
int nncrt_json_string(nncrt_json *ps, char *out, size_t room, size_t *len) {
  *len = 0;
  if (!nncrt_json_accept(ps, '"'))
    return nncrt_json_expected(ps, "'\"'");
  for (;;) {
    unsigned c;
    if (ps->p == ps->end)
      return nncrt_json_fail(ps, "unterminated string");
    c = *ps->p;
    if (c == '"') {
      ++ps->p;
      return NNC_OK;
    }
    if (c < 0x20)
      return nncrt_json_fail(ps, "control character in string");
    if (c != '\\') {
      put(out, room, len, c);
      ++ps->p;
      continue;
    }
    if (ps->end - ps->p < 2) {
      ps->p = ps->end;
      return nncrt_json_fail(ps, "unterminated string");
    }
    c = ps->p[1];
    ps->p += 2;
    switch (c) {
    case '"':
    case '\\':
    case '/':
      put(out, room, len, c);
      break;
    case 'b':
      put(out, room, len, '\b');
      break;
    case 'f':
      put(out, room, len, '\f');
      break;
    case 'n':
      put(out, room, len, '\n');
      break;
    case 'r':
      put(out, room, len, '\r');
      break;
    case 't':
      put(out, room, len, '\t');
      break;
    case 'u': {
      unsigned cp, low;
      int status = read_hex4(ps, &cp);
      if (status != NNC_OK)
        return status;
      if (cp >= 0xDC00 && cp <= 0xDFFF)
        return nncrt_json_fail(ps, "lone surrogate in \\u escape");
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
          return nncrt_json_fail(ps, "lone surrogate in \\u escape");
        ps->p += 2;
        status = read_hex4(ps, &low);
        if (status != NNC_OK)
          return status;
        if (low < 0xDC00 || low > 0xDFFF)
          return nncrt_json_fail(ps, "lone surrogate in \\u escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      put_utf8(out, room, len, cp);
      break;
    }
    default:
      ps->p -= 1;
      return nncrt_json_fail(ps, "invalid escape in string");
    }
  }
}

static int is_digit(const nncrt_json *ps) {
  return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/* A non-negative JSON integer no larger than INT64_MAX. */
int nncrt_json_uint(nncrt_json *ps, uint64_t *value) {
  nncrt_json_skip_ws(ps);
  *value = 0;
  if (!is_digit(ps))
    return nncrt_json_expected(ps, "a non-negative integer");
  if (*ps->p == '0' && ps->end - ps->p > 1 && ps->p[1] >= '0' && ps->p[1] <= '9')
    return nncrt_json_fail(ps, "number with a leading zero");
  while (is_digit(ps)) {
    unsigned d = (unsigned)(*ps->p - '0');
    if (*value > ((uint64_t)INT64_MAX - d) / 10)
      return nncrt_json_fail(ps, "integer too large");
    *value = *value * 10 + d;
    ++ps->p;
  }
  if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
    return nncrt_json_expected(ps, "a non-negative integer");
  return NNC_OK;
}

/* Skips a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int skip_number(nncrt_json *ps) {
  if (ps->p < ps->end && *ps->p == '-')
    ++ps->p;
  if (!is_digit(ps))
    return nncrt_json_expected(ps, "a digit");
  if (*ps->p == '0')
    ++ps->p;
  else
    while (is_digit(ps))
      ++ps->p;
  if (ps->p < ps->end && *ps->p == '.') {
    ++ps->p;
    if (!is_digit(ps))
      return nncrt_json_expected(ps, "a digit");
    while (is_digit(ps))
      ++ps->p;
  }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
    ++ps->p;
    if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
      ++ps->p;
    if (!is_digit(ps))
      return nncrt_json_expected(ps, "a digit");
    while (is_digit(ps))
      ++ps->p;
  }
  return NNC_OK;
}

static int skip_literal(nncrt_json *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
    return nncrt_json_expected(ps, "a value");
  ps->p += n;
  return NNC_OK;
}

/* Skips any JSON value; `depth` is the nesting of the enclosing containers. */
int nncrt_json_skip_value(nncrt_json *ps, int depth) {
  int status;
  size_t len;
  nncrt_json_skip_ws(ps);
  if (ps->p == ps->end)
    return nncrt_json_expected(ps, "a value");
  switch (*ps->p) {
  case '{':
  case '[': {
    unsigned char close = *ps->p == '{' ? '}' : ']';
    if (depth + 1 > NNCRT_JSON_MAX_DEPTH)
      return nncrt_json_fail(ps, "nesting deeper than " NNCRT_TO_STRING(NNCRT_JSON_MAX_DEPTH));
    ++ps->p;
    if (nncrt_json_accept(ps, close))
      return NNC_OK;
    for (;;) {
      if (close == '}') {
        if ((status = nncrt_json_string(ps, NULL, 0, &len)) != NNC_OK)
          return status;
        if (!nncrt_json_accept(ps, ':'))
          return nncrt_json_expected(ps, "':'");
      }
      if ((status = nncrt_json_skip_value(ps, depth + 1)) != NNC_OK)
        return status;
      if (nncrt_json_accept(ps, close))
        return NNC_OK;
      if (!nncrt_json_accept(ps, ','))
        return nncrt_json_expected(ps, close == '}' ? "',' or '}'" : "',' or ']'");
    }
  }
  case '"':
    return nncrt_json_string(ps, NULL, 0, &len);
  case 't':
    return skip_literal(ps, "true");
  case 'f':
    return skip_literal(ps, "false");
  case 'n':
    return skip_literal(ps, "null");
  default:
    return skip_number(ps);
  }
}
