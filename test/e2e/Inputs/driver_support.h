/* Helpers shared by the C test drivers of test/e2e (threads_driver.c,
 * profile_driver.c): a deterministic uniform generator and zeroed,
 * NNC_ALIGNMENT-aligned buffers that end the program when memory runs out. */
#ifndef NNC_TEST_DRIVER_SUPPORT_H
#define NNC_TEST_DRIVER_SUPPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t driver_random_state = 0x9E3779B97F4A7C15u;

/* The next value of a 64-bit LCG, uniform in [low, high). */
static inline float next_uniform(float low, float high) {
  driver_random_state = driver_random_state * 6364136223846793005u + 1442695040888963407u;
  return low + (high - low) * (float)(driver_random_state >> 40) / (float)(1u << 24);
}

/* `bytes` zeroed bytes, 64-byte aligned, with room to round up. */
static inline void *buffer(uint64_t bytes) {
  void *p = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
  if (!p) {
    puts("out of memory");
    exit(1);
  }
  memset(p, 0, bytes);
  return p;
}

#endif /* NNC_TEST_DRIVER_SUPPORT_H */
