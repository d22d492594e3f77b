/* Runs the model of threads.nn compiled twice, with --profile (--name p)
 * and without (--name q), for the same training steps and inferences, and
 * checks that profiling changes no result bit, that every layer of p_profile
 * counted each call of its entry point, and that the layers' times add up to
 * most of the entry points' measured wall time and never more
 * (test/e2e/profile.test). Then prints the profile and resets it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_support.h"
#include "nnc_runtime.h"
#include "p.h"
#include "q.h"

enum { STEPS = 2, INFERENCES = 3 };

/* The results of one run: losses, parameters, optimizer state, logits. */
struct run {
  float loss[STEPS];
  float *params, *opt, *logits;
  uint64_t train_ns, infer_ns;
};

typedef int32_t (*train_fn)(void *, void *, const float *, const int32_t *,
                            const nnc_hparams *, float *, void *);
typedef int32_t (*infer_fn)(const void *, const float *, float *, void *);

static int run_model(train_fn train, infer_fn infer, const float *initial, const float *image,
                     const int32_t *label, struct run *out) {
  void *train_scratch = buffer(P_TRAIN_SCRATCH_BYTES);
  void *infer_scratch = buffer(P_INFER_SCRATCH_BYTES);
  out->params = buffer(P_PARAM_BYTES);
  out->opt = buffer(P_OPT_STATE_BYTES);
  out->logits = buffer(P_OUTPUT_LOGITS_BYTES);
  memcpy(out->params, initial, P_PARAM_BYTES);
  int status = p_init_opt_state(out->opt);
  uint64_t start = nnc_profile_clock();
  for (int s = 0; s < STEPS && !status; ++s)
    status = train(out->params, out->opt, image, label, NULL, &out->loss[s], train_scratch);
  uint64_t middle = nnc_profile_clock();
  for (int i = 0; i < INFERENCES && !status; ++i)
    status = infer(out->params, image, out->logits, infer_scratch);
  uint64_t end = nnc_profile_clock();
  out->train_ns = middle - start;
  out->infer_ns = end - middle;
  free(train_scratch);
  free(infer_scratch);
  if (status)
    printf("run failed: %s\n", nnc_status_string(status));
  return status;
}

/* The layers of `entry` ("infer/" or "train_step/"): count, calls, time. */
static int check_entry(const char *entry, uint64_t expected_calls, uint64_t wall_ns) {
  uint64_t total = 0;
  uint32_t layers = 0;
  int ok = 1;
  for (uint32_t i = 0; i < p_profile.layer_count; ++i) {
    if (strncmp(p_profile.layer_names[i], entry, strlen(entry)) != 0)
      continue;
    ++layers;
    total += p_profile.nanoseconds[i];
    if (p_profile.calls[i] != expected_calls) {
      printf("%s: %llu calls, expected %llu\n", p_profile.layer_names[i],
             (unsigned long long)p_profile.calls[i], (unsigned long long)expected_calls);
      ok = 0;
    }
  }
  /* The layers cover the body; the wall time adds only the entry checks. */
  int covered = total <= wall_ns && total >= wall_ns / 2;
  printf("%s %u layers, calls %s, time %s (%.0f%% of wall)\n", entry, layers,
         ok ? "ok" : "WRONG", covered ? "ok" : "WRONG", 100.0 * total / wall_ns);
  return ok && covered && layers > 0;
}

int main(void) {
  float *image = buffer(P_INPUT_IMAGE_BYTES);
  int32_t *label = buffer(P_TARGET_LABEL_BYTES);
  float *initial = buffer(P_PARAM_BYTES);
  for (int i = 0; i < (int)P_INPUT_IMAGE_ELEMENTS; ++i)
    image[i] = next_uniform(-1.0f, 1.0f);
  for (int i = 0; i < (int)P_TARGET_LABEL_ELEMENTS; ++i)
    label[i] = i % 10;
  for (uint32_t i = 0; i < p_model_info.param_count; ++i) {
    const nnc_param_info *param = &p_model_info.params[i];
    for (uint64_t j = 0; j < param->numel; ++j)
      initial[param->offset / 4 + j] = param->init_kind == NNC_INIT_CONSTANT
                                           ? param->init_args[0]
                                           : next_uniform(-0.3f, 0.3f);
  }

  struct run plain, profiled;
  if (run_model(q_train_step, q_infer, initial, image, label, &plain) ||
      run_model(p_train_step, p_infer, initial, image, label, &profiled))
    return 1;
  int same = !memcmp(plain.loss, profiled.loss, sizeof plain.loss) &&
             !memcmp(plain.params, profiled.params, P_PARAM_BYTES) &&
             !memcmp(plain.opt, profiled.opt, P_OPT_STATE_BYTES) &&
             !memcmp(plain.logits, profiled.logits, P_OUTPUT_LOGITS_BYTES);
  printf("results: %s\n", same ? "bit-identical" : "DIFFERENT");
  int ok = same;
  ok &= check_entry("infer/", INFERENCES, profiled.infer_ns);
  ok &= check_entry("train_step/", STEPS, profiled.train_ns);

  nnc_profile_print(&p_profile, stdout);
  nnc_profile_reset(&p_profile);
  int zero = 1;
  for (uint32_t i = 0; i < p_profile.layer_count; ++i)
    zero &= p_profile.nanoseconds[i] == 0 && p_profile.calls[i] == 0;
  printf("reset: %s\n", zero ? "ok" : "WRONG");
  ok &= zero;

  struct run *runs[] = {&plain, &profiled};
  for (int r = 0; r < 2; ++r) {
    free(runs[r]->params);
    free(runs[r]->opt);
    free(runs[r]->logits);
  }
  free(image);
  free(label);
  free(initial);
  return !ok;
}
