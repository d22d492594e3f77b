/*===- nnc_runtime.h - libnncrt, the runtime of nnc-generated models ------===*
 *
 * The public API of libnncrt: drawing initial parameter values and reading
 * and writing parameters as safetensors files, the format of PyTorch/Hugging
 * Face state dicts. Every function works on a parameter buffer described by a
 * model's nnc_model_info (see nnc_types.h); the caller owns that buffer, which
 * must be NNC_ALIGNMENT-byte aligned and model->param_bytes long.
 *
 * Conventions of every function here:
 *  - the return value is an nnc_status (NNC_OK on success);
 *  - a NULL required pointer gives NNC_ERR_NULL_ARGUMENT, a misaligned
 *    parameter buffer NNC_ERR_ALIGNMENT;
 *  - the model table is checked before use (ABI version, names present,
 *    rank <= NNC_MAX_RANK, numel equal to the product of the shape, offsets
 *    NNC_ALIGNMENT-aligned and inside param_bytes, known init kinds, and for
 *    the safetensors functions unique names); a bad table gives
 *    NNC_ERR_FORMAT with a message starting "model table: ";
 *  - functions taking `error`/`error_size` write a NUL-terminated, lowercase
 *    message there (truncated to fit; nothing when error is NULL or
 *    error_size is 0); the message is "" on success and names the tensor when
 *    there is one, e.g. "conv1.weight: file has [6,1,5,5], model expects
 *    [6,1,3,3]";
 *  - safetensors data is little-endian F32; on a big-endian host the
 *    safetensors functions return NNC_ERR_FORMAT with a message saying so.
 *
 * Plain C99 and libc only. libnncrt keeps no global state: calls on
 * different parameter buffers may run concurrently.
 *===----------------------------------------------------------------------===*/
#ifndef NNC_RUNTIME_H
#define NNC_RUNTIME_H

#include "nnc_types.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest JSON header nnc_load_safetensors accepts (the limit of the
 * reference safetensors implementation). */
#define NNC_SAFETENSORS_MAX_HEADER 100000000u

/* Returns a short lowercase description of an nnc_status value, such as
 * "shape mismatch"; "unknown status" for values outside the enum. The string
 * is static and must not be freed. */
const char *nnc_status_string(int status);

/* Fills every parameter of `model` in `params` with its initial values and
 * zeroes every other byte of the buffer (the padding between parameters and
 * after the last one).
 *
 * The values depend only on (seed, parameter index in model->params, element
 * index, init_kind, init_args) -- not on the platform, the compiler or the
 * other parameters -- and are computed as follows (u64 arithmetic wraps):
 *
 *   mix(z):  z = (z ^ z>>30) * 0xBF58476D1CE4E5B9;
 *            z = (z ^ z>>27) * 0x94D049BB133111EB;  return z ^ z>>31
 *   G      = 0x9E3779B97F4A7C15
 *   key_p  = mix(mix(seed) + G * (p + 1))         for the parameter at index p
 *   draw_j = mix(key_p + G * (j + 1))             j = 0, 1, 2, ... (a
 *            splitmix64 stream seeded with key_p)
 *   unit(x) = (x >> 11) * 2^-53, a double in [0, 1)
 *
 *   NNC_INIT_UNIFORM (a, b): element i = (float)(a + (b - a) * unit(draw_i)),
 *     computed in double and rounded to nearest; a result that rounds up to b
 *     (when b > a) is replaced by the largest float below b, so values lie
 *     in [a, b).
 *   NNC_INIT_NORMAL (mean a, std b): Box-Muller on pairs: for k = 0, 1, ...
 *     u1 = unit(draw_2k) + 2^-53 (in (0, 1]), u2 = unit(draw_2k+1),
 *     r = sqrt(-2 ln u1), element 2k = (float)(a + b * (r * cos(2 pi u2)))
 *     and element 2k+1 = (float)(a + b * (r * sin(2 pi u2))) (dropped when
 *     numel is odd), all in double without fused multiply-adds. ln, cos
 *     and sin are evaluated by libnncrt's own series (double +, -, *, / and
 *     sqrt only, within a few ulp of the exact values), never libm's, so
 *     the bits are the same on every IEEE-754 platform.
 *   NNC_INIT_CONSTANT (a): every element is a.
 *
 * Returns NNC_OK, NNC_ERR_NULL_ARGUMENT, NNC_ERR_ALIGNMENT or NNC_ERR_FORMAT
 * (bad model table). On error nothing is written. */
int nnc_init_params(const nnc_model_info *model, void *params, uint64_t seed);

/* Reads the safetensors file at `path` into `params`: every parameter of
 * `model` is looked up by name and must be F32 with exactly the parameter's
 * shape; tensors of the file that the model does not have (e.g. PyTorch's I64
 * "num_batches_tracked") are validated as entries but otherwise ignored, as is
 * "__metadata__". Padding bytes of `params` are left as they are.
 *
 * The whole file is validated before anything is written into `params`: on
 * any error except an I/O failure while copying the data (the file shrinking
 * or failing to read after validation), `params` is unchanged. Errors:
 *   NNC_ERR_IO              the file cannot be opened, sized or read;
 *   NNC_ERR_FORMAT          truncated file, header length over
 *                           NNC_SAFETENSORS_MAX_HEADER or past the end of the
 *                           file, malformed JSON (the message gives the byte
 *                           offset in the header), an entry without dtype,
 *                           shape or data_offsets, offsets reversed, outside
 *                           the data section or disagreeing with dtype and
 *                           shape, a parameter named twice;
 *   NNC_ERR_MISSING_TENSOR  a parameter is not in the file;
 *   NNC_ERR_DTYPE           a parameter's tensor is not F32;
 *   NNC_ERR_SHAPE           a parameter's tensor has another shape.
 * Format errors are reported first; then parameters are checked in table
 * order and the first problem is reported. The file is read with stdio:
 * files over 2 GiB need a platform whose `long` is 64-bit. */
int nnc_load_safetensors(const nnc_model_info *model, const char *path, void *params,
                         char *error, size_t error_size);

/* nnc_load_safetensors on a file already in memory: `data` holds `size`
 * bytes of a safetensors file (no alignment needed). Same checks, status
 * codes and messages (except that there is no I/O); `params` is unchanged on
 * any error. `data` may be NULL only when size is 0. */
int nnc_load_safetensors_buffer(const nnc_model_info *model, const void *data, size_t size,
                                void *params, char *error, size_t error_size);

/* Writes every parameter of `model` from `params` to a safetensors file at
 * `path`: F32 tensors with the table's names and shapes, in table order, data
 * packed back to back, header {"__metadata__":{"format":"pt"}, ...} padded
 * with spaces so the data starts at a multiple of 8 bytes. Non-trainable
 * buffers (running statistics) are written too; PyTorch's load_state_dict
 * accepts the result even with strict=True (BatchNorm fills in its
 * num_batches_tracked when the dict carries no version metadata).
 *
 * The write is atomic: the file is written as "<path>.tmp.<pid>", flushed
 * (and fsync'ed on POSIX), then renamed over `path`. On any failure the
 * temporary file is removed and an existing file at `path` is untouched.
 * Returns NNC_OK, NNC_ERR_NULL_ARGUMENT, NNC_ERR_ALIGNMENT, NNC_ERR_FORMAT
 * (bad model table, big-endian host), NNC_ERR_OUT_OF_MEMORY or NNC_ERR_IO
 * ("cannot create/write/rename ..." with the system's reason). */
int nnc_save_safetensors(const nnc_model_info *model, const char *path, const void *params,
                         char *error, size_t error_size);

/* A fixed pool of threads for the parallel loops of nnc models. The thread
 * that calls a model takes part; nnc_thread_pool_create(threads) starts
 * threads - 1 more (threads 1 starts none and runs everything on the caller).
 * A range is split into `threads` contiguous chunks, so a loop uses at most
 * that many. One pool serves one model call at a time: concurrent callers
 * each need their own. Returns NULL if threads < 1 or a thread cannot be
 * started. */
typedef struct nnc_thread_pool nnc_thread_pool;
nnc_thread_pool *nnc_thread_pool_create(int threads);
/* Stops and joins the pool's threads; NULL is ignored. */
void nnc_thread_pool_destroy(nnc_thread_pool *pool);
/* The nnc_parallel that runs loops on `pool`, for <m>_infer_parallel and
 * <m>_train_step_parallel; valid until the pool is destroyed. */
const nnc_parallel *nnc_thread_pool_parallel(const nnc_thread_pool *pool);

/* Profiling (models compiled with `nnc --profile`, which call
 * nnc_profile_clock, a monotonic clock in nanoseconds). nnc_profile_print
 * writes one line per layer of `profile` to `out`: calls, total and
 * per-call milliseconds and its share of its entry point's time, then each
 * entry point's total. nnc_profile_reset zeroes the counters. */
uint64_t nnc_profile_clock(void);
void nnc_profile_print(const nnc_profile *profile, FILE *out);
void nnc_profile_reset(const nnc_profile *profile);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NNC_RUNTIME_H */
