/*===- fuzz_safetensors.c - libFuzzer target for the safetensors loader ---===*
 *
 * Loads arbitrary bytes as a safetensors file (nnc_load_safetensors_buffer,
 * no file system) against a small model with parameters of rank 0, 1, 2 and
 * 4, and checks the loader's contract besides memory safety: the status is
 * a known one with a non-empty message; on failure the parameter buffer is
 * unchanged; on success the bytes outside the parameters are unchanged.
 * Build: clang-19 -fsanitize=fuzzer,address runtime/fuzz_safetensors.c
 * runtime/{status,model,json,safetensors_header,safetensors_load}.c
 *===----------------------------------------------------------------------===*/
#include "nnc_runtime.h"

#include <stdlib.h>
#include <string.h>

static const nnc_param_info fuzz_params[] = {
    {"conv.weight", 0, 24, 4, 1, {2, 1, 3, 4}, NNC_INIT_UNIFORM, {-1.0f, 1.0f}},
    {"conv.bias", 128, 2, 1, 1, {2}, NNC_INIT_CONSTANT, {0.0f, 0.0f}},
    {"bn.running_var", 192, 2, 1, 0, {2}, NNC_INIT_CONSTANT, {1.0f, 0.0f}},
    {"fc.weight", 256, 6, 2, 1, {3, 2}, NNC_INIT_NORMAL, {0.0f, 0.1f}},
    {"scale", 320, 1, 0, 1, {0}, NNC_INIT_CONSTANT, {1.0f, 0.0f}},
};

static const nnc_model_info fuzz_model = {
    NNC_ABI_VERSION, "fuzz", 384, 0, sizeof fuzz_params / sizeof fuzz_params[0], 0, 0,
    fuzz_params, NULL, NULL, 0, 0, 0, NULL};

/* 64-byte aligned storage without C11: over-allocate and round up. */
static unsigned char storage[384 + 64];

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  unsigned char *params = storage + (64 - (size_t)((uintptr_t)storage % 64)) % 64;
  unsigned char before[384];
  char error[256];
  int status;
  size_t i;

  memset(params, 0xA5, 384);
  memcpy(before, params, sizeof before);
  memset(error, 'x', sizeof error);
  status = nnc_load_safetensors_buffer(&fuzz_model, data, size, params, error, sizeof error);
  if (memchr(error, '\0', sizeof error) == NULL)
    abort(); /* message not terminated */
  if (status == NNC_OK) {
    if (error[0] != '\0')
      abort();
    /* Padding between parameters must not be written. */
    for (i = 0; i < sizeof fuzz_params / sizeof fuzz_params[0]; ++i)
      memcpy(before + fuzz_params[i].offset, params + fuzz_params[i].offset,
             fuzz_params[i].numel * 4);
    if (memcmp(before, params, sizeof before) != 0)
      abort();
  } else {
    if (status < NNC_ERR_NULL_ARGUMENT || status > NNC_ERR_OUT_OF_MEMORY || error[0] == '\0')
      abort();
    if (memcmp(before, params, sizeof before) != 0)
      abort(); /* a failed load wrote into params */
  }
  return 0;
}
