/* Uses the model compiled by nnc_add_model with libnncrt from the package. */
#define _POSIX_C_SOURCE 200809L
#include "tiny.h"
#include "nnc_runtime.h"

#include <stdio.h>
#include <stdlib.h>

int main(void) {
  void *params, *scratch, *x, *y;
  if (posix_memalign(&params, 64, TINY_PARAM_BYTES) ||
      posix_memalign(&scratch, 64, TINY_INFER_SCRATCH_BYTES + 64) ||
      posix_memalign(&x, 64, 64) || posix_memalign(&y, 64, 64))
    return 1;
  for (int i = 0; i < 8; ++i)
    ((float *)x)[i] = (float)i / 8.0f;
  printf("init: %s\n", nnc_status_string(nnc_init_params(&tiny_model_info, params, 7)));
  printf("infer: %s\n", nnc_status_string(tiny_infer(params, x, y, scratch)));
  printf("params: %u, outputs: %u\n", (unsigned)tiny_model_info.param_count,
         (unsigned)TINY_OUTPUT_Y_ELEMENTS);
  return 0;
}
