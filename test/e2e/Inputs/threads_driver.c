/* Runs the model of threads.nn (compiled with --name m) on 1, 2 and 3
 * threads of libnncrt's pool and checks that the outputs, the losses, the
 * updated parameters and the optimizer state are bit-identical to those of
 * the single-threaded entry points (test/e2e/threads.test). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "m.h"
#include "driver_support.h"
#include "nnc_runtime.h"

static void init_params(float *params) {
  for (uint32_t i = 0; i < m_model_info.param_count; ++i) {
    const nnc_param_info *p = &m_model_info.params[i];
    float *values = params + p->offset / 4;
    for (uint64_t j = 0; j < p->numel; ++j)
      values[j] = p->init_kind == NNC_INIT_CONSTANT ? p->init_args[0]
                                                    : next_uniform(-0.3f, 0.3f);
  }
}

enum { STEPS = 3 };

int main(void) {
  float *image = buffer(M_INPUT_IMAGE_BYTES);
  int32_t *label = buffer(M_TARGET_LABEL_BYTES);
  for (int i = 0; i < (int)M_INPUT_IMAGE_ELEMENTS; ++i)
    image[i] = next_uniform(-1.0f, 1.0f);
  for (int i = 0; i < (int)M_TARGET_LABEL_ELEMENTS; ++i)
    label[i] = i % 10;
  float *initial = buffer(M_PARAM_BYTES);
  init_params(initial);

  /* The reference: the single-threaded entry points. */
  float *params = buffer(M_PARAM_BYTES), *opt = buffer(M_OPT_STATE_BYTES);
  float *logits = buffer(M_OUTPUT_LOGITS_BYTES);
  float losses[STEPS];
  memcpy(params, initial, M_PARAM_BYTES);
  void *train_scratch = buffer(M_TRAIN_SCRATCH_BYTES);
  void *infer_scratch = buffer(M_INFER_SCRATCH_BYTES);
  int status = m_init_opt_state(opt);
  for (int s = 0; s < STEPS && !status; ++s)
    status = m_train_step(params, opt, image, label, NULL, &losses[s], train_scratch);
  if (!status)
    status = m_infer(params, image, logits, infer_scratch);
  if (status) {
    printf("reference run failed: %s\n", nnc_status_string(status));
    return 1;
  }

  int failures = 0;
  for (int threads = 0; threads <= 3; ++threads) {
    /* threads 0: the parallel entry points with a NULL nnc_parallel. */
    nnc_thread_pool *pool = threads ? nnc_thread_pool_create(threads) : NULL;
    const nnc_parallel *parallel = nnc_thread_pool_parallel(pool);
    if (threads && !pool) {
      printf("cannot start %d threads\n", threads);
      return 1;
    }
    float *p = buffer(M_PARAM_BYTES), *o = buffer(M_OPT_STATE_BYTES);
    float *out = buffer(M_OUTPUT_LOGITS_BYTES);
    float loss[STEPS];
    memcpy(p, initial, M_PARAM_BYTES);
    memset(train_scratch, 0xA5, M_TRAIN_SCRATCH_BYTES);
    memset(infer_scratch, 0xA5, M_INFER_SCRATCH_BYTES);
    status = m_init_opt_state(o);
    for (int s = 0; s < STEPS && !status; ++s)
      status = m_train_step_parallel(p, o, image, label, NULL, &loss[s], train_scratch, parallel);
    if (!status)
      status = m_infer_parallel(p, image, out, infer_scratch, parallel);
    int same = !status && !memcmp(loss, losses, sizeof loss) &&
               !memcmp(p, params, M_PARAM_BYTES) && !memcmp(o, opt, M_OPT_STATE_BYTES) &&
               !memcmp(out, logits, M_OUTPUT_LOGITS_BYTES);
    printf("threads %d: %s\n", threads,
           status ? nnc_status_string(status) : same ? "bit-identical" : "DIFFERENT");
    failures += !same;
    free(p);
    free(o);
    free(out);
    nnc_thread_pool_destroy(pool);
  }
  printf("loss %g -> %g\n", losses[0], losses[STEPS - 1]);
  free(image);
  free(label);
  free(initial);
  free(params);
  free(opt);
  free(logits);
  free(train_scratch);
  free(infer_scratch);
  return failures != 0;
}
