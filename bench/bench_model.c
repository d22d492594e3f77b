/* bench_model: times one nnc-compiled model and prints one RESULT line in
 * the format of the peers harness (/work/shared/peers), so bench/report.py
 * reads nnc's and the peers' measurements alike:
 *
 *   RESULT|<workload>|nnc|<variant>|1|<flop per call>|<median s>|<min s>|<max s>|<note>
 *
 * bench/run.sh compiles each workload with `nnc --name=model -o model.o` and
 * builds this file against that object and its header, so one driver serves
 * every model: the sizes come from the header's model table
 * (model_model_info). Supported models have one f32 input and one output,
 * and for --train one target (i32 class labels, drawn in range of the
 * output's last dimension, or f32 values).
 *
 *   bench_model --workload NAME --flop F [--train] [--variant V] [--note N]
 *               [--samples N] [--min-sample-s S] [--warmup-s S] [--warmup-calls N]
 *               [--max-s S]
 *
 * Measurement (the peers' policy, peers/src/common.h): warm up for at least
 * --warmup-s seconds and --warmup-calls calls, choose the calls per sample so
 * one sample lasts at least --min-sample-s, take --samples samples and report
 * the median, minimum and maximum time per call. Slow models are bounded by
 * --max-s (default 1): the warm-up stops after one call once it took that
 * long, and the samples are cut to what fits in that time, but never below
 * 5. --warmup-calls 0 --warmup-s 0 --samples 1 makes exactly one call
 * (bench/run.sh --smoke).
 * The parameters come from nnc_init_params (seed 1) and the inputs from a
 * fixed-seed generator; a training call is a whole step (forward, loss,
 * backward, optimizer update with the train section's hyperparameters), so
 * the parameters change from call to call as in PyTorch's timing loop. The
 * output (or loss) must be finite at the end, else no RESULT is printed. */
#define _POSIX_C_SOURCE 200809L
#include "model.h"
#include "nnc_runtime.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef MODEL_OPT_STATE_BYTES
#define HAVE_TRAIN 1
#else
#define HAVE_TRAIN 0
#endif

typedef struct options {
  const char *workload, *variant, *note;
  double flop;
  int train;
  int samples;
  double min_sample_s, warmup_s, max_s;
  long warmup_calls;
  int threads; /* > 1: the _parallel entry points on libnncrt's pool */
} options;

/* The threads of --threads (NULL: the single-threaded entry points). */
static const nnc_parallel *parallel;

/* The buffers of one model instance, all NNC_ALIGNMENT-aligned. */
typedef struct buffers {
  void *params, *scratch, *opt_state, *target;
  float *input, *output, loss;
} buffers;

static void fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "bench_model: ");
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
  exit(1);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Allocates `bytes` (rounded up to the alignment, at least one block). */
static void *aligned_buffer(size_t bytes) {
  void *p = NULL;
  size_t rounded = (bytes + NNC_ALIGNMENT - 1) / NNC_ALIGNMENT * NNC_ALIGNMENT;
  if (posix_memalign(&p, NNC_ALIGNMENT, rounded ? rounded : NNC_ALIGNMENT) != 0)
    fail("out of memory (%zu bytes)", bytes);
  return p;
}

/* splitmix64: a fixed-seed stream, the same on every run and platform. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Fills a tensor: f32 uniform in [-1, 1), i32 uniform in [0, classes). */
static void fill_tensor(void *data, const nnc_tensor_info *t, uint32_t classes, uint64_t seed) {
  for (uint64_t i = 0; i < t->numel; ++i) {
    uint64_t r = next_random(&seed);
    if (t->dtype == 0)
      ((float *)data)[i] = (float)((double)(r >> 11) * 0x1p-52 - 1.0);
    else
      ((int32_t *)data)[i] = (int32_t)(r % classes);
  }
}

static uint64_t tensor_bytes(const nnc_tensor_info *t) { return t->numel * 4; }

static buffers make_buffers(const nnc_model_info *m, int train) {
  if (m->input_count != 1 || m->output_count != 1 || m->inputs[0].dtype != 0)
    fail("%s: the driver needs one f32 input and one output, the model has %u inputs and "
         "%u outputs", m->name, m->input_count, m->output_count);
  if (train && (!HAVE_TRAIN || m->target_count != 1))
    fail("%s: --train needs a model compiled with a train section with one target", m->name);
  buffers b = {0};
  b.params = aligned_buffer(m->param_bytes);
  b.scratch = aligned_buffer(train ? m->train_scratch_bytes : m->infer_scratch_bytes);
  b.input = aligned_buffer(tensor_bytes(&m->inputs[0]));
  b.output = aligned_buffer(tensor_bytes(&m->outputs[0]));
  int status = nnc_init_params(m, b.params, 1);
  if (status != NNC_OK)
    fail("nnc_init_params: %s", nnc_status_string(status));
  fill_tensor(b.input, &m->inputs[0], 0, 2);
  if (train) {
    const nnc_tensor_info *out = &m->outputs[0];
    uint32_t classes = (uint32_t)out->shape[out->rank - 1];
    b.target = aligned_buffer(tensor_bytes(&m->targets[0]));
    fill_tensor(b.target, &m->targets[0], classes, 3);
    b.opt_state = aligned_buffer(m->opt_state_bytes);
  }
  return b;
}

/* One call of the timed entry point. */
static void run_once(buffers *b, int train) {
  int status;
#if HAVE_TRAIN
  if (train)
    status = parallel ? model_train_step_parallel(b->params, b->opt_state, b->input, b->target,
                                                  NULL, &b->loss, b->scratch, parallel)
                      : model_train_step(b->params, b->opt_state, b->input, b->target, NULL,
                                         &b->loss, b->scratch);
  else
#endif
    status = parallel ? model_infer_parallel(b->params, b->input, b->output, b->scratch, parallel)
                      : model_infer(b->params, b->input, b->output, b->scratch);
  (void)train;
  if (status != NNC_OK)
    fail("%s: %s", train ? "train_step" : "infer", nnc_status_string(status));
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Times run_once by the peers' policy; returns median, min, max seconds per call. */
static void measure(buffers *b, const options *o, double result[3]) {
  long calls = 0;
  double t0 = now_s(), t = t0;
  while ((calls < o->warmup_calls || t - t0 < o->warmup_s) &&
         !(calls > 0 && t - t0 >= o->max_s)) {
    run_once(b, o->train);
    ++calls;
    t = now_s();
  }
  long iters = 1;
  int n = o->samples;
  if (calls > 0) {
    double per_call = (t - t0) / (double)calls;
    iters = (long)(o->min_sample_s / per_call + 0.5);
    iters = iters < 1 ? 1 : iters;
    double fit = o->max_s / (per_call * (double)iters);
    int floor_n = n < 5 ? n : 5;
    if (fit < n)
      n = fit > floor_n ? (int)fit : floor_n;
  }
  double *v = malloc(sizeof(double) * (size_t)n);
  if (!v)
    fail("out of memory");
  for (int s = 0; s < n; ++s) {
    double a = now_s();
    for (long i = 0; i < iters; ++i)
      run_once(b, o->train);
    v[s] = (now_s() - a) / (double)iters;
  }
  qsort(v, (size_t)n, sizeof(double), compare_doubles);
  result[0] = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  result[1] = v[0];
  result[2] = v[n - 1];
  free(v);
}

/* A fast wrong answer must not reach the table: the last output or loss must
 * be finite. */
static void check_finite(const nnc_model_info *m, const buffers *b, const options *o) {
  if (o->train) {
    if (!isfinite(b->loss))
      fail("%s: the loss after the last step is %g", o->workload, (double)b->loss);
    fprintf(stderr, "ok: %s: loss after the last step %.4f\n", o->workload, (double)b->loss);
    return;
  }
  for (uint64_t i = 0; i < m->outputs[0].numel; ++i)
    if (m->outputs[0].dtype == 0 && !isfinite(b->output[i]))
      fail("%s: output element %llu is %g", o->workload, (unsigned long long)i,
           (double)b->output[i]);
  fprintf(stderr, "ok: %s: %llu finite outputs\n", o->workload,
          (unsigned long long)m->outputs[0].numel);
}

static double parse_number(const char *flag, const char *text, double lo) {
  char *end = NULL;
  double v = strtod(text, &end);
  if (end == text || *end || !(v >= lo))
    fail("%s: expected a number >= %g, got '%s'", flag, lo, text);
  return v;
}

static options parse_options(int argc, char **argv) {
  options o = {NULL, "nnc -O2, host CPU", "", 0.0, 0, 15, 0.03, 0.2, 1.0, 3, 1};
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (strcmp(a, "--train") == 0) {
      o.train = 1;
      continue;
    }
    if (i + 1 >= argc)
      fail("%s: unknown option or missing value", a);
    const char *v = argv[++i];
    if (strcmp(a, "--workload") == 0)
      o.workload = v;
    else if (strcmp(a, "--variant") == 0)
      o.variant = v;
    else if (strcmp(a, "--note") == 0)
      o.note = v;
    else if (strcmp(a, "--flop") == 0)
      o.flop = parse_number(a, v, 0);
    else if (strcmp(a, "--samples") == 0)
      o.samples = (int)parse_number(a, v, 1);
    else if (strcmp(a, "--min-sample-s") == 0)
      o.min_sample_s = parse_number(a, v, 0);
    else if (strcmp(a, "--warmup-s") == 0)
      o.warmup_s = parse_number(a, v, 0);
    else if (strcmp(a, "--max-s") == 0)
      o.max_s = parse_number(a, v, 0);
    else if (strcmp(a, "--warmup-calls") == 0)
      o.warmup_calls = (long)parse_number(a, v, 0);
    else if (strcmp(a, "--threads") == 0)
      o.threads = (int)parse_number(a, v, 1);
    else
      fail("unknown option %s", a);
  }
  if (!o.workload)
    fail("usage: bench_model --workload NAME --flop F [--train] [--variant V] [--note N] "
         "[--samples N] [--min-sample-s S] [--warmup-s S] [--warmup-calls N] [--max-s S] "
         "[--threads N]");
  return o;
}

int main(int argc, char **argv) {
  options o = parse_options(argc, argv);
  const nnc_model_info *m = &model_model_info;
  buffers b = make_buffers(m, o.train);
  nnc_thread_pool *pool = NULL;
  if (o.threads > 1) {
    pool = nnc_thread_pool_create(o.threads);
    if (!pool)
      fail("cannot start %d threads", o.threads);
    parallel = nnc_thread_pool_parallel(pool);
  }
#if HAVE_TRAIN
  if (o.train && model_init_opt_state(b.opt_state) != NNC_OK)
    fail("init_opt_state failed");
#endif
  double t[3];
  measure(&b, &o, t);
  check_finite(m, &b, &o);
  printf("RESULT|%s|nnc|%s|%d|%.6g|%.6e|%.6e|%.6e|%s\n", o.workload, o.variant, o.threads,
         o.flop, t[0], t[1], t[2], o.note);
  nnc_thread_pool_destroy(pool);
  return 0;
}
