/* Links three compiled models into one program: two copies of the MLP under
 * different --name prefixes, and LeNet-5. Runs each on the same input and
 * checks the status codes of misaligned and NULL buffers. */
#define _ISOC11_SOURCE
#include "first.h"
#include "lenet5.h"
#include "second.h"
#include "test_buffers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  float *params = buffer(FIRST_PARAM_BYTES);
  fill(params, FIRST_PARAM_BYTES / 4, 1);
  float *x = buffer(FIRST_INPUT_X_BYTES);
  fill(x, FIRST_INPUT_X_ELEMENTS, 2);
  float *a = buffer(FIRST_OUTPUT_LOGITS_BYTES), *b = buffer(SECOND_OUTPUT_LOGITS_BYTES);
  void *scratch = buffer(FIRST_INFER_SCRATCH_BYTES);
  printf("first: status %d\n", (int)first_infer(params, x, a, scratch));
  printf("second: status %d\n", (int)second_infer(params, x, b, scratch));
  printf("same results: %s\n",
         memcmp(a, b, FIRST_OUTPUT_LOGITS_BYTES) == 0 ? "yes" : "no");

  float *lp = buffer(LENET5_PARAM_BYTES), *image = buffer(LENET5_INPUT_IMAGE_BYTES);
  float *logits = buffer(LENET5_OUTPUT_LOGITS_BYTES);
  void *lscratch = buffer(LENET5_INFER_SCRATCH_BYTES);
  printf("lenet5: status %d, %u params\n", (int)lenet5_infer(lp, image, logits, lscratch),
         (unsigned)lenet5_model_info.param_count);
  printf("misaligned: status %d\n", (int)lenet5_infer(lp, image + 1, logits, lscratch));
  printf("null: status %d\n", (int)lenet5_infer(lp, NULL, logits, lscratch));
  return 0;
}
