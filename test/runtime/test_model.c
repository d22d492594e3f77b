/*===- test_model.c - hand-written model tables for the runtime test ------===*
 *
 * net_model mirrors the Net of Inputs/runtime_oracle.py the way nnc would
 * emit it: PyTorch state_dict names, 64-byte aligned offsets, parameters of
 * rank 4, 2, 1 and 0, and BatchNorm running statistics as non-trainable
 * constants.
 *===----------------------------------------------------------------------===*/
#include "harness.h"

#include <string.h>

const nnc_param_info net_params[9] = {
    /* name, offset, numel, rank, trainable, shape, init_kind, init_args */
    {"conv1.weight", 0, 36, 4, 1, {4, 1, 3, 3}, NNC_INIT_UNIFORM, {-1.0f / 3, 1.0f / 3}},
    {"conv1.bias", 192, 4, 1, 1, {4}, NNC_INIT_UNIFORM, {-1.0f / 3, 1.0f / 3}},
    {"bn1.weight", 256, 4, 1, 1, {4}, NNC_INIT_CONSTANT, {1.0f, 0.0f}},
    {"bn1.bias", 320, 4, 1, 1, {4}, NNC_INIT_CONSTANT, {0.0f, 0.0f}},
    {"bn1.running_mean", 384, 4, 1, 0, {4}, NNC_INIT_CONSTANT, {0.0f, 0.0f}},
    {"bn1.running_var", 448, 4, 1, 0, {4}, NNC_INIT_CONSTANT, {1.0f, 0.0f}},
    {"fc.weight", 512, 48, 2, 1, {3, 16}, NNC_INIT_NORMAL, {0.0f, 0.02f}},
    {"fc.bias", 704, 3, 1, 1, {3}, NNC_INIT_UNIFORM, {-0.25f, 0.25f}},
    {"scale", 768, 1, 0, 1, {0}, NNC_INIT_CONSTANT, {1.5f, 0.0f}},
};

const nnc_model_info net_model = {
    NNC_ABI_VERSION, "net", 832, 0, 9, 0, 0, net_params, NULL, NULL, 0, 0, 0, NULL,
};

void fill_pattern(const nnc_model_info *model, void *params) {
  uint32_t k;
  uint64_t i;
  for (k = 0; k < model->param_count; ++k) {
    float *out = (float *)((unsigned char *)params + model->params[k].offset);
    for (i = 0; i < model->params[k].numel; ++i) {
      float v = (float)k + (float)i / 64.0f;
      memcpy(&out[i], &v, sizeof v);
    }
  }
}
