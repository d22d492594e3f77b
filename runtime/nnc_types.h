/*===- nnc_types.h - types shared by generated models and libnncrt --------===*
 *
 * The single definition of the nnc ABI types. Every generated model header
 * embeds this text verbatim (nnc reads it at build time), and the runtime
 * header includes it, so the two cannot disagree. Plain C99.
 *
 * Memory: the caller owns every buffer. All buffers passed to a model
 * (parameters, inputs, outputs, scratch) must be NNC_ALIGNMENT-byte aligned;
 * entry points return NNC_ERR_ALIGNMENT otherwise.
 *===----------------------------------------------------------------------===*/
#ifndef NNC_TYPES_H
#define NNC_TYPES_H

#include <stddef.h>
#include <stdint.h>

#define NNC_ABI_VERSION 2
#define NNC_ALIGNMENT 64
#define NNC_MAX_RANK 8

/* Status codes returned by generated entry points and by libnncrt. */
typedef enum nnc_status {
  NNC_OK = 0,
  NNC_ERR_NULL_ARGUMENT = 1, /* a required pointer is NULL */
  NNC_ERR_ALIGNMENT = 2,     /* a buffer is not NNC_ALIGNMENT-byte aligned */
  NNC_ERR_IO = 3,            /* a file could not be opened, read or written */
  NNC_ERR_FORMAT = 4,        /* a safetensors file is malformed or truncated */
  NNC_ERR_MISSING_TENSOR = 5,/* a parameter is absent from the file */
  NNC_ERR_SHAPE = 6,         /* a tensor's shape differs from the parameter's */
  NNC_ERR_DTYPE = 7,         /* a tensor is not F32 */
  NNC_ERR_OUT_OF_MEMORY = 8
} nnc_status;

/* How init_params draws a parameter: uniform(a, b), normal(mean a, std b),
 * or the constant a. */
typedef enum nnc_init_kind {
  NNC_INIT_UNIFORM = 0,
  NNC_INIT_NORMAL = 1,
  NNC_INIT_CONSTANT = 2
} nnc_init_kind;

/* One entry of a model's parameter table. */
typedef struct nnc_param_info {
  const char *name;      /* PyTorch state_dict name, e.g. "conv1.weight" */
  uint64_t offset;       /* byte offset in the parameter buffer (64-aligned) */
  uint64_t numel;        /* number of f32 elements */
  uint32_t rank;
  uint32_t trainable;    /* 0 for buffers such as running statistics */
  int64_t shape[NNC_MAX_RANK];
  uint32_t init_kind;    /* nnc_init_kind */
  float init_args[2];
} nnc_param_info;

/* One input or output of a model. */
typedef struct nnc_tensor_info {
  const char *name;
  uint32_t dtype;        /* 0 = f32, 1 = i32 */
  uint32_t rank;
  int64_t shape[NNC_MAX_RANK];
  uint64_t numel;
} nnc_tensor_info;

/* The optimizer hyperparameters a training step reads, in this order. A
 * model's <m>_default_hparams holds the values of its train section; pass a
 * modified copy to <m>_train_step to change them between steps (e.g. a
 * learning-rate schedule) without recompiling. Fields an optimizer does not
 * use are ignored: sgd reads lr, momentum, dampening, weight_decay; rmsprop
 * lr, alpha, eps, momentum, weight_decay; adam lr, beta1, beta2, eps,
 * weight_decay. Whether momentum buffers exist is fixed at compile time (a
 * nonzero momentum in the train section). */
typedef struct nnc_hparams {
  float lr;
  float momentum;
  float dampening;
  float alpha;        /* rmsprop smoothing constant */
  float beta1;
  float beta2;
  float eps;
  float weight_decay;
} nnc_hparams;

/* How a model runs its parallel loops on several threads, for
 * <m>_infer_parallel and <m>_train_step_parallel. `parallel_for` must call
 * body(arg, begin, end) on disjoint ranges that together cover [0, count),
 * on any threads, and return once every call has returned. Each index's
 * work is the same however the range is split, so the results are
 * bit-identical for any split and thread count. libnncrt's thread pool
 * (nnc_thread_pool_parallel in nnc_runtime.h) is one implementation; an
 * application may pass its own (e.g. over its existing pool). */
typedef struct nnc_parallel {
  void (*parallel_for)(void *context, int64_t count,
                       void (*body)(void *arg, int64_t begin, int64_t end), void *arg);
  void *context;
} nnc_parallel;

/* The per-layer timers of a model compiled with `nnc --profile`, exported
 * as <m>_profile. Layer i is named layer_names[i], "<entry>/<layer>" (e.g.
 * "infer/conv1", "train_step/conv1 (backward)"); each call of the entry
 * point adds the wall time its layer took, in nanoseconds, on the calling
 * thread, and counts the call. Print with nnc_profile_print (libnncrt).
 * The counters are plain memory: profile one call at a time. */
typedef struct nnc_profile {
  uint32_t layer_count;
  const char *const *layer_names;
  uint64_t *nanoseconds;
  uint64_t *calls;
} nnc_profile;

/* Everything an application or the runtime needs to know about a model. */
typedef struct nnc_model_info {
  uint32_t abi_version;        /* NNC_ABI_VERSION */
  const char *name;
  uint64_t param_bytes;        /* size of the parameter buffer */
  uint64_t infer_scratch_bytes;
  uint32_t param_count;
  uint32_t input_count;
  uint32_t output_count;
  const nnc_param_info *params;
  const nnc_tensor_info *inputs;
  const nnc_tensor_info *outputs;
  /* Training (all zero / NULL when the model has no train section). */
  uint64_t opt_state_bytes;    /* size of the optimizer-state buffer */
  uint64_t train_scratch_bytes;
  uint32_t target_count;       /* train_step takes the inputs, then these */
  const nnc_tensor_info *targets;
} nnc_model_info;

#endif /* NNC_TYPES_H */
