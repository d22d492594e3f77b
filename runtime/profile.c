/*===- profile.c - the clock and printer of `nnc --profile` builds --------===*
 *
 * A model compiled with --profile reads nnc_profile_clock around each layer
 * and accumulates into its exported nnc_profile (see nnc_types.h).
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 199309L /* clock_gettime */

#include "nnc_runtime.h"

#include <string.h>
#include <time.h>

uint64_t nnc_profile_clock(void) {
#if defined(CLOCK_MONOTONIC)
  struct timespec now;
  if (clock_gettime(CLOCK_MONOTONIC, &now) == 0)
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
#endif
  return (uint64_t)((double)clock() * (1e9 / CLOCKS_PER_SEC));
}

/* The length of the entry-point prefix of a layer name ("infer/..."). */
static size_t entry_length(const char *name) {
  const char *slash = strchr(name, '/');
  return slash ? (size_t)(slash - name) : strlen(name);
}

/* The nanoseconds of every layer of the entry point `name` belongs to. */
static uint64_t entry_total(const nnc_profile *profile, const char *name) {
  size_t length = entry_length(name);
  uint64_t total = 0;
  uint32_t i;
  for (i = 0; i < profile->layer_count; ++i) {
    const char *other = profile->layer_names[i];
    if (entry_length(other) == length && strncmp(other, name, length) == 0)
      total += profile->nanoseconds[i];
  }
  return total;
}

void nnc_profile_print(const nnc_profile *profile, FILE *out) {
  uint32_t i;
  if (!profile || !out)
    return;
  fprintf(out, "%-56s %8s %12s %12s %7s\n", "layer", "calls", "total ms", "per call ms",
          "share");
  for (i = 0; i < profile->layer_count; ++i) {
    const char *name = profile->layer_names[i];
    uint64_t calls = profile->calls[i], ns = profile->nanoseconds[i];
    uint64_t total = entry_total(profile, name);
    fprintf(out, "%-56s %8llu %12.4f %12.4f %6.1f%%\n", name, (unsigned long long)calls,
            ns / 1e6, calls ? ns / 1e6 / calls : 0.0, total ? 100.0 * ns / total : 0.0);
  }
  for (i = 0; i < profile->layer_count; ++i) {
    const char *name = profile->layer_names[i];
    size_t length = entry_length(name);
    uint32_t j;
    int first = 1;
    for (j = 0; j < i; ++j)
      if (entry_length(profile->layer_names[j]) == length &&
          strncmp(profile->layer_names[j], name, length) == 0)
        first = 0;
    if (first)
      fprintf(out, "%.*s total: %.4f ms\n", (int)length, name,
              entry_total(profile, name) / 1e6);
  }
}

void nnc_profile_reset(const nnc_profile *profile) {
  if (!profile)
    return;
  memset(profile->nanoseconds, 0, profile->layer_count * sizeof(uint64_t));
  memset(profile->calls, 0, profile->layer_count * sizeof(uint64_t));
}
