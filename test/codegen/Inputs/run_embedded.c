/* Runs the model compiled with --name=model and --weights on the float32
 * input in argv[1], with the embedded parameters, and prints every output
 * value. Sizes come from the model's own table. */
#define _POSIX_C_SOURCE 200809L
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

static void *buffer(size_t bytes) {
  void *p = NULL;
  return posix_memalign(&p, 64, (bytes + 63) / 64 * 64 + 64) ? NULL : p;
}

int main(int argc, char **argv) {
  const nnc_model_info *info = &model_model_info;
  float *input = buffer(info->inputs[0].numel * 4);
  float *output = buffer(info->outputs[0].numel * 4);
  void *scratch = buffer(info->infer_scratch_bytes);
  FILE *file = argc > 1 ? fopen(argv[1], "rb") : NULL;
  if (!input || !output || !scratch || !file ||
      fread(input, 4, info->inputs[0].numel, file) != info->inputs[0].numel)
    return 1;
  fclose(file);
  if (model_infer(model_embedded_params, input, output, scratch) != NNC_OK)
    return 2;
  for (uint64_t i = 0; i < info->outputs[0].numel; ++i)
    printf("%.9g\n", output[i]);
  return 0;
}
