/* Runs LeNet-5 compiled twice, code generation on one thread (--name=serial)
 * and split over threads (--name=split): inference, then three training
 * steps from the same parameters, and compares the bytes of the results.
 * Both objects come from the same optimized LLVM IR, so they must agree
 * bit for bit. */
#define _ISOC11_SOURCE
#include "serial.h"
#include "split.h"
#include "test_buffers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  float *params[2] = {buffer(SERIAL_PARAM_BYTES), buffer(SPLIT_PARAM_BYTES)};
  fill(params[0], SERIAL_PARAM_BYTES / 4, 1);
  memcpy(params[1], params[0], SERIAL_PARAM_BYTES);
  float *image = buffer(SERIAL_INPUT_IMAGE_BYTES);
  fill(image, SERIAL_INPUT_IMAGE_ELEMENTS, 2);
  float *logits[2] = {buffer(SERIAL_OUTPUT_LOGITS_BYTES), buffer(SPLIT_OUTPUT_LOGITS_BYTES)};
  void *scratch = buffer(SERIAL_TRAIN_SCRATCH_BYTES > SERIAL_INFER_SCRATCH_BYTES
                             ? SERIAL_TRAIN_SCRATCH_BYTES
                             : SERIAL_INFER_SCRATCH_BYTES);
  int status = serial_infer(params[0], image, logits[0], scratch) |
               split_infer(params[1], image, logits[1], scratch);
  printf("infer: %s\n", status == 0 && memcmp(logits[0], logits[1], SERIAL_OUTPUT_LOGITS_BYTES) == 0
                            ? "identical"
                            : "DIFFERENT");

  void *state[2] = {buffer(SERIAL_OPT_STATE_BYTES), buffer(SPLIT_OPT_STATE_BYTES)};
  status = serial_init_opt_state(state[0]) | split_init_opt_state(state[1]);
  int32_t *label = buffer(SERIAL_TARGET_LABEL_BYTES); /* inputs are 64-byte aligned */
  *label = 3;
  float loss[2] = {0, 0};
  int same = 1;
  for (int step = 0; step < 3; ++step) {
    status |= serial_train_step(params[0], state[0], image, label, NULL, &loss[0], scratch);
    status |= split_train_step(params[1], state[1], image, label, NULL, &loss[1], scratch);
    same &= memcmp(&loss[0], &loss[1], sizeof loss[0]) == 0;
  }
  same &= memcmp(params[0], params[1], SERIAL_PARAM_BYTES) == 0;
  printf("train_step: %s (status %d, loss %g)\n", status == 0 && same ? "identical" : "DIFFERENT",
         status, (double)loss[0]);
  return 0;
}
