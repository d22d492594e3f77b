/* Runs the nearest_neighbor example on three query points (the same ones
 * nearest_neighbor_oracle.py uses) and prints the nearest point and label. */
#include "nearest.h"

#include <stdio.h>
#include <stdlib.h>

int main(void) {
  static const float queries[6] = {0.1f, 0.0f, 4.8f, 5.1f, 0.2f, 5.5f};
  float *x = aligned_alloc(64, 64);
  int32_t *point = aligned_alloc(64, 64), *label = aligned_alloc(64, 64);
  void *scratch = aligned_alloc(64, (NEAREST_INFER_SCRATCH_BYTES + 63) / 64 * 64 + 64);
  for (int i = 0; i < 6; ++i)
    x[i] = queries[i];
  if (nearest_infer(NULL, x, point, label, scratch) != NNC_OK)
    return 1;
  for (int i = 0; i < 3; ++i)
    printf("point %d label %d\n", (int)point[i], (int)label[i]);
  return 0;
}
