/*===- oracle_test.c - libnncrt against PyTorch and the written spec ------===*
 *
 * With Inputs/runtime_oracle.py run by the interpreter that has torch:
 *  - a state_dict written by PyTorch (with the I64 num_batches_tracked that
 *    the model does not have) loads, value for value;
 *  - the file nnc_save_safetensors writes passes a Python reader of the
 *    format and loads into the PyTorch module with load_state_dict;
 *  - nnc_init_params equals a Python implementation of its specification in
 *    nnc_runtime.h: uniform and constant bit for bit, normal (where Python
 *    uses libm's log/cos/sin) within one float ulp.
 *===----------------------------------------------------------------------===*/
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pack(const nnc_model_info *m, const void *params, unsigned char *out) {
  uint32_t k;
  size_t used = 0;
  for (k = 0; k < m->param_count; ++k) {
    memcpy(out + used, (const unsigned char *)params + m->params[k].offset,
           m->params[k].numel * 4);
    used += m->params[k].numel * 4;
  }
}

static void test_torch_file(void) {
  char file[512], expected[512], saved[512], packed_path[512], error[256];
  unsigned char *params = (unsigned char *)nt_alloc(832, 0xEE), packed[432], *want;
  size_t size;

  nt_path(file, sizeof file, "torch.safetensors");
  nt_path(expected, sizeof expected, "torch_expected.bin");
  if (!CHECK(nt_oracle("write-torch '%s' '%s'", file, expected) == 0,
             "the oracle wrote a PyTorch state_dict"))
    return;
  CHECK_ERROR(nnc_load_safetensors(&net_model, file, params, error, sizeof error), error,
              NNC_OK, "", "load of the PyTorch file");
  pack(&net_model, params, packed);
  want = nt_read_file(expected, &size);
  CHECK(want && size == sizeof packed && memcmp(want, packed, size) == 0,
        "values loaded from the PyTorch file equal PyTorch's tensors");
  {
    float running_mean[4];
    memcpy(running_mean, packed + 192, sizeof running_mean);
    CHECK(running_mean[0] != 0 || running_mean[1] != 0 || running_mean[2] != 0 ||
              running_mean[3] != 0,
          "bn1.running_mean moved away from 0 (PyTorch ran a training forward pass)");
  }
  free(want);

  /* nnc's own file, read back by Python and PyTorch. */
  nt_path(saved, sizeof saved, "nnc_saved.safetensors");
  nt_path(packed_path, sizeof packed_path, "nnc_saved.bin");
  CHECK_ERROR(nnc_save_safetensors(&net_model, saved, params, error, sizeof error), error,
              NNC_OK, "", "save of the loaded parameters");
  nt_write_file(packed_path, packed, sizeof packed);
  CHECK(nt_oracle("check '%s' '%s'", saved, packed_path) == 0,
        "the saved file passes the Python reader and load_state_dict");
  nt_free(params);
}

static void test_rng_reference(void) {
  nnc_param_info p[5] = {
      {"u", 0, 1000, 1, 1, {1000}, NNC_INIT_UNIFORM, {-0.3f, 0.7f}},
      {"n", 4032, 1001, 1, 1, {1001}, NNC_INIT_NORMAL, {0.5f, 3.0f}},
      {"tight", 8064, 100, 1, 1, {100}, NNC_INIT_UNIFORM, {1.0f, 0.0f}},
      {"n01", 8512, 20000, 1, 1, {20000}, NNC_INIT_NORMAL, {0.0f, 1.0f}},
      {"c", 88512, 10, 1, 1, {10}, NNC_INIT_CONSTANT, {2.5f, 0.0f}},
  };
  nnc_model_info m = {NNC_ABI_VERSION, "ref", 88576, 0, 5, 0, 0, p, NULL, NULL, 0, 0, 0, NULL};
  char out[512], specs[1024];
  unsigned char *params, *mine, *theirs;
  size_t size, used = 0, offset = 0;
  uint32_t k;
  uint64_t i, normal = 0, exact = 0, within_ulp = 0;
  int uniform_exact = 1;

  p[2].init_args[1] = nextafterf(1.0f, 2.0f);
  for (k = 0; k < 5; ++k)
    used += (size_t)snprintf(specs + used, sizeof specs - used, " %s:%a:%a:%llu",
                             p[k].init_kind == NNC_INIT_UNIFORM  ? "uniform"
                             : p[k].init_kind == NNC_INIT_NORMAL ? "normal"
                                                                 : "constant",
                             (double)p[k].init_args[0], (double)p[k].init_args[1],
                             (unsigned long long)p[k].numel);
  nt_path(out, sizeof out, "rng_reference.bin");
  if (!CHECK(nt_oracle("rng 123456789 '%s'%s", out, specs) == 0,
             "the oracle computed the reference values"))
    return;
  params = (unsigned char *)nt_alloc(88576, 0);
  CHECK(nnc_init_params(&m, params, 123456789) == NNC_OK, "init of the reference model");
  mine = (unsigned char *)malloc(88576);
  pack(&m, params, mine);
  theirs = nt_read_file(out, &size);
  if (CHECK(theirs && size == 4 * (1000 + 1001 + 100 + 20000 + 10), "reference size")) {
    for (k = 0; k < 5; ++k) {
      for (i = 0; i < p[k].numel; ++i) {
        int32_t a, b;
        memcpy(&a, mine + offset + 4 * i, 4);
        memcpy(&b, theirs + offset + 4 * i, 4);
        if (p[k].init_kind != NNC_INIT_NORMAL) {
          uniform_exact &= a == b;
        } else {
          ++normal;
          exact += a == b;
          /* Same sign here, so adjacent floats have adjacent bit patterns. */
          within_ulp += (a > b ? a - b : b - a) <= 1;
        }
      }
      offset += 4 * p[k].numel;
    }
    printf("   normal: %llu of %llu values bit-identical to Python's libm-based version\n",
           (unsigned long long)exact, (unsigned long long)normal);
    CHECK(uniform_exact, "uniform and constant values equal the Python reference bit for bit");
    CHECK(within_ulp == normal, "normal values within 1 ulp of the Python reference: %llu/%llu",
          (unsigned long long)within_ulp, (unsigned long long)normal);
    CHECK(exact * 1000 >= normal * 999,
          "normal values bit-identical to the Python reference: %llu/%llu",
          (unsigned long long)exact, (unsigned long long)normal);
  }
  free(theirs);
  free(mine);
  nt_free(params);
}

void test_oracle(void) {
  if (!nt_opts.python || !nt_opts.oracle) {
    printf("== oracle: skipped (no --python/--oracle given)\n");
    return;
  }
  nt_section("oracle: PyTorch state_dict in, nnc file out");
  test_torch_file();
  nt_section("oracle: initializer against its specification");
  test_rng_reference();
}
