/* Runs five training steps of the MLP example (compiled with --name=m) on
 * deterministic synthetic batches and prints each loss and a checksum of
 * the parameters, for comparing targets (train-aarch64.test). */
#include "m.h"
#include "nnc_runtime.h"

#include <stdio.h>
#include <stdlib.h>

static void *buffer(size_t bytes) {
  return aligned_alloc(NNC_ALIGNMENT, (bytes + NNC_ALIGNMENT - 1) / NNC_ALIGNMENT * NNC_ALIGNMENT);
}

int main(void) {
  float *params = buffer(M_PARAM_BYTES);
  void *state = buffer(M_OPT_STATE_BYTES);
  void *scratch = buffer(M_TRAIN_SCRATCH_BYTES);
  float *x = buffer(M_INPUT_X_BYTES);
  int32_t *label = buffer(M_TARGET_LABEL_BYTES);
  if (!params || !state || !scratch || !x || !label ||
      nnc_init_params(&m_model_info, params, 1) != NNC_OK || m_init_opt_state(state) != NNC_OK)
    return 1;
  uint32_t seed = 12345;
  for (int step = 0; step < 5; ++step) {
    for (unsigned i = 0; i < M_INPUT_X_ELEMENTS; ++i) {
      seed = seed * 1664525u + 1013904223u;
      x[i] = (float)(seed >> 8) / 16777216.0f;
    }
    for (unsigned i = 0; i < M_TARGET_LABEL_ELEMENTS; ++i)
      label[i] = (int32_t)((seed = seed * 1664525u + 1013904223u) >> 28) % 10;
    float loss = 0;
    if (m_train_step(params, state, x, label, NULL, &loss, scratch) != NNC_OK)
      return 1;
    double sum = 0, sumAbs = 0;
    for (uint32_t p = 0; p < m_model_info.param_count; ++p) {
      const float *values = params + m_model_info.params[p].offset / 4;
      for (uint64_t i = 0; i < m_model_info.params[p].numel; ++i) {
        sum += values[i];
        sumAbs += values[i] < 0 ? -values[i] : values[i];
      }
    }
    printf("step %d loss %.9g params %.9g %.9g\n", step, loss, sum, sumAbs);
  }
  return 0;
}
