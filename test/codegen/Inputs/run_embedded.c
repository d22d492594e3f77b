/* Runs LeNet-5 with the parameters nnc embedded (--weights) on the float32
 * image in argv[1] and prints the 10 logits. */
#include "lenet5.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  float *image = aligned_alloc(64, LENET5_INPUT_IMAGE_BYTES);
  float *logits = aligned_alloc(64, 64);
  void *scratch = aligned_alloc(64, (LENET5_INFER_SCRATCH_BYTES + 63) / 64 * 64);
  FILE *file = argc > 1 ? fopen(argv[1], "rb") : NULL;
  if (!file || fread(image, 4, LENET5_INPUT_IMAGE_ELEMENTS, file) != LENET5_INPUT_IMAGE_ELEMENTS)
    return 1;
  fclose(file);
  int status = lenet5_infer(lenet5_embedded_params, image, logits, scratch);
  if (status != NNC_OK)
    return 2;
  for (int i = 0; i < 10; ++i)
    printf("%.9g\n", logits[i]);
  return 0;
}
