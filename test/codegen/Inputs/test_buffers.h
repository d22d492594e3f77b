/* Buffers for the C test drivers of compiled models: zeroed, 64-byte
 * aligned (as the ABI requires) with a cache line of slack, and filled
 * with reproducible values in [-0.5, 0.5). */
#ifndef NNC_TEST_BUFFERS_H
#define NNC_TEST_BUFFERS_H

#include <stdlib.h>
#include <string.h>

static void *buffer(size_t bytes) {
  size_t rounded = (bytes + 63) / 64 * 64 + 64;
  void *p = aligned_alloc(64, rounded);
  memset(p, 0, rounded);
  return p;
}

static void fill(float *values, size_t count, unsigned seed) {
  for (size_t i = 0; i < count; ++i) {
    seed = seed * 1103515245u + 12345u;
    values[i] = (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
  }
}

#endif
