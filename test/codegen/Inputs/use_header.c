/* Compiled as C99 and as C++ by header.test: uses every declaration of a
 * generated header. */
#include "mlp.h"

int use_header(const void *params, const float *x, float *logits, void *scratch);

int use_header(const void *params, const float *x, float *logits, void *scratch) {
  static const int64_t shape[] = MLP_INPUT_X_SHAPE;
  const nnc_model_info *info = &mlp_model_info;
  if (info->abi_version != NNC_ABI_VERSION || shape[1] != 784 ||
      info->param_bytes != MLP_PARAM_BYTES || MLP_PARAM_COUNT != info->param_count)
    return -1;
  return (int)mlp_infer(params, x, logits, scratch);
}
