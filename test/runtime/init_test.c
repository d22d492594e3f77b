/*===- init_test.c - nnc_init_params: determinism and statistics ----------===*
 *
 * Same seed gives the same bytes, another seed other values, a parameter's
 * values do not depend on the other parameters, padding is zeroed, a golden
 * hash pins the exact bits (the same on x86-64 and under qemu-aarch64), and
 * the distributions match their formulas within 5 standard errors of the
 * estimates (deterministic for the fixed seed, so never flaky).
 *===----------------------------------------------------------------------===*/
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Lays out parameters back to back at 64-byte aligned offsets, as nnc does. */
static uint64_t layout(nnc_param_info *params, uint32_t count) {
  uint64_t offset = 0;
  uint32_t i;
  for (i = 0; i < count; ++i) {
    params[i].offset = offset;
    offset += (params[i].numel * 4 + NNC_ALIGNMENT - 1) / NNC_ALIGNMENT * NNC_ALIGNMENT;
  }
  return offset;
}

static const float *param_data(const nnc_model_info *m, const void *params, uint32_t k) {
  return (const float *)((const unsigned char *)params + m->params[k].offset);
}

static void test_determinism(void) {
  unsigned char *a = (unsigned char *)nt_alloc(832, 0xAB);
  unsigned char *b = (unsigned char *)nt_alloc(832, 0xCD);
  nnc_param_info variant[9];
  nnc_model_info variant_model = net_model;
  uint32_t k, i, differing = 0, random_elements = 0;

  CHECK(nnc_init_params(&net_model, a, 42) == NNC_OK, "init seed 42");
  CHECK(nnc_init_params(&net_model, b, 42) == NNC_OK, "init seed 42 again");
  CHECK(memcmp(a, b, 832) == 0, "same seed, same bytes");

  /* Padding (bytes outside every parameter) is zeroed even over 0xAB. */
  {
    unsigned char inside[832];
    int padding_zero = 1;
    memset(inside, 0, sizeof inside);
    for (k = 0; k < 9; ++k)
      memset(inside + net_params[k].offset, 1, net_params[k].numel * 4);
    for (i = 0; i < 832; ++i)
      if (!inside[i] && a[i] != 0)
        padding_zero = 0;
    CHECK(padding_zero, "padding bytes are zero after init");
  }

  CHECK(nnc_init_params(&net_model, b, 43) == NNC_OK, "init seed 43");
  for (k = 0; k < 9; ++k) {
    const float *x = param_data(&net_model, a, k), *y = param_data(&net_model, b, k);
    if (net_params[k].init_kind == NNC_INIT_CONSTANT) {
      CHECK(memcmp(x, y, net_params[k].numel * 4) == 0, "%s: constant under any seed",
            net_params[k].name);
      continue;
    }
    for (i = 0; i < net_params[k].numel; ++i, ++random_elements)
      differing += memcmp(&x[i], &y[i], 4) != 0;
  }
  CHECK(differing == random_elements, "seed 43 changes all %u random elements (%u changed)",
        random_elements, differing);

  /* Parameter 0 with another shape and kind: the others keep their bits. */
  memcpy(variant, net_params, sizeof variant);
  variant[0].numel = 16;
  variant[0].shape[2] = variant[0].shape[3] = 2;
  variant[0].init_kind = NNC_INIT_NORMAL;
  variant_model.params = variant;
  CHECK(nnc_init_params(&variant_model, b, 42) == NNC_OK, "init of the variant");
  CHECK(memcmp(a + 192, b + 192, 832 - 192) == 0,
        "parameters 1..8 do not depend on parameter 0");

  /* The exact bits: the same on every platform (aarch64.sh runs this). */
  CHECK(nt_hash(a, 832) == UINT64_C(0xcdd0354c0b682e34), "golden hash of net_model seed 42: got 0x%016llx",
        (unsigned long long)nt_hash(a, 832));
  {
    const float *bias = param_data(&net_model, a, 7);
    printf("   conv1.weight[0..2] = %.9g %.9g %.9g, fc.weight[0..1] = %.9g %.9g\n",
           param_data(&net_model, a, 0)[0], param_data(&net_model, a, 0)[1],
           param_data(&net_model, a, 0)[2], param_data(&net_model, a, 6)[0],
           param_data(&net_model, a, 6)[1]);
    CHECK(bias[0] >= -0.25f && bias[0] < 0.25f, "fc.bias[0] in range");
  }
  nt_free(a);
  nt_free(b);
}

/* Checks |got - want| <= tolerance with a readable message. */
static void check_close(double got, double want, double tolerance, const char *what) {
  CHECK(fabs(got - want) <= tolerance, "%s = %.6f, want %.6f +- %.6f", what, got, want,
        tolerance);
}

static void test_statistics(void) {
  enum { U = 0, N, C, N0, UEQ, UTIGHT, COUNT };
  nnc_param_info p[COUNT] = {
      {"uniform", 0, 200000, 1, 1, {200000}, NNC_INIT_UNIFORM, {-0.5f, 1.5f}},
      {"normal", 0, 200001, 2, 1, {3, 66667}, NNC_INIT_NORMAL, {0.25f, 2.0f}},
      {"constant", 0, 1000, 3, 1, {10, 10, 10}, NNC_INIT_CONSTANT, {-3.25f, 99.0f}},
      {"normal_std0", 0, 1000, 1, 1, {1000}, NNC_INIT_NORMAL, {-1.0f, 0.0f}},
      {"uniform_a_eq_b", 0, 1000, 1, 1, {1000}, NNC_INIT_UNIFORM, {2.0f, 2.0f}},
      {"uniform_one_ulp", 0, 1000, 1, 1, {1000}, NNC_INIT_UNIFORM, {1.0f, 0.0f}},
  };
  nnc_model_info m = {NNC_ABI_VERSION, "stats", 0, 0, COUNT, 0, 0, p, NULL, NULL, 0, 0, 0, NULL};
  void *buf;
  const float *x;
  double a, b, n, sum, sum2, mean, var, sd;
  uint64_t i, count;
  int in_range;

  p[UTIGHT].init_args[1] = nextafterf(1.0f, 2.0f);
  m.param_bytes = layout(p, COUNT);
  buf = nt_alloc((size_t)m.param_bytes, 0x77);
  CHECK(nnc_init_params(&m, buf, 2024) == NNC_OK, "init of the statistics model");
  CHECK(nt_hash(buf, (size_t)m.param_bytes) == UINT64_C(0xf5844c0a2ffec8bc),
        "golden hash of the statistics model seed 2024: got 0x%016llx",
        (unsigned long long)nt_hash(buf, (size_t)m.param_bytes));

  /* Uniform(a, b): range [a, b), mean (a+b)/2, variance (b-a)^2/12, flat
   * histogram, no lag-1 correlation. */
  x = param_data(&m, buf, U);
  a = p[U].init_args[0];
  b = p[U].init_args[1];
  n = (double)p[U].numel;
  in_range = 1;
  sum = sum2 = 0;
  {
    double lo = b, hi = a, chi2 = 0, lag = 0;
    unsigned bins[20] = {0};
    for (i = 0; i < p[U].numel; ++i) {
      if (!(x[i] >= a && x[i] < b))
        in_range = 0;
      lo = x[i] < lo ? x[i] : lo;
      hi = x[i] > hi ? x[i] : hi;
      sum += x[i];
      sum2 += (double)x[i] * x[i];
      bins[(int)((x[i] - a) / (b - a) * 20)]++;
    }
    mean = sum / n;
    var = sum2 / n - mean * mean;
    for (i = 0; i + 1 < p[U].numel; ++i)
      lag += (x[i] - mean) * (x[i + 1] - mean);
    lag /= (n - 1) * var;
    for (i = 0; i < 20; ++i)
      chi2 += (bins[i] - n / 20) * (bins[i] - n / 20) / (n / 20);
    CHECK(in_range, "uniform: every value in [a, b)");
    CHECK(lo - a < 1e-4 && b - hi < 1e-4, "uniform: min %.6f and max %.6f reach the bounds", lo,
          hi);
    check_close(mean, (a + b) / 2, 5 * (b - a) / sqrt(12 * n), "uniform mean");
    check_close(var, (b - a) * (b - a) / 12,
                5 * sqrt(pow(b - a, 4) * (1.0 / 80 - 1.0 / 144) / n), "uniform variance");
    /* chi-square with 19 degrees of freedom: P(> 50) < 1e-4. */
    CHECK(chi2 < 50, "uniform histogram chi2 = %.2f (20 bins)", chi2);
    check_close(lag, 0, 5 / sqrt(n), "uniform lag-1 correlation");
  }

  /* Normal(mean, std): moments, the share within 1, 2, 3 sigma, and the two
   * values of a Box-Muller pair uncorrelated. */
  x = param_data(&m, buf, N);
  a = p[N].init_args[0];
  b = p[N].init_args[1];
  n = (double)p[N].numel;
  sum = sum2 = 0;
  for (i = 0; i < p[N].numel; ++i) {
    sum += x[i];
    sum2 += (double)x[i] * x[i];
  }
  mean = sum / n;
  sd = sqrt(sum2 / n - mean * mean);
  check_close(mean, a, 5 * b / sqrt(n), "normal mean");
  check_close(sd, b, 5 * b / sqrt(2 * n), "normal std");
  {
    double within[3] = {0, 0, 0}, m3 = 0, m4 = 0, pair = 0;
    static const double expect[3] = {0.682689492137, 0.954499736104, 0.997300203937};
    int s;
    for (i = 0; i < p[N].numel; ++i) {
      double z = (x[i] - mean) / sd;
      for (s = 0; s < 3; ++s)
        within[s] += fabs(x[i] - a) < (s + 1) * b;
      m3 += z * z * z;
      m4 += z * z * z * z;
    }
    for (i = 0; i + 1 < p[N].numel; i += 2)
      pair += (x[i] - mean) * (x[i + 1] - mean) / (sd * sd);
    for (s = 0; s < 3; ++s) {
      char what[64];
      snprintf(what, sizeof what, "normal share within %d sigma", s + 1);
      check_close(within[s] / n, expect[s], 5 * sqrt(expect[s] * (1 - expect[s]) / n), what);
    }
    check_close(m3 / n, 0, 5 * sqrt(6 / n), "normal skewness");
    check_close(m4 / n, 3, 5 * sqrt(24 / n), "normal kurtosis");
    check_close(pair / floor(n / 2), 0, 5 / sqrt(n / 2), "normal Box-Muller pair correlation");
  }

  /* Constants are exact; so are normal with std 0 and uniform with a == b. */
  for (count = 0, x = param_data(&m, buf, C), i = 0; i < 1000; ++i)
    count += x[i] == -3.25f;
  CHECK(count == 1000, "constant: %llu of 1000 values are exactly -3.25",
        (unsigned long long)count);
  for (count = 0, x = param_data(&m, buf, N0), i = 0; i < 1000; ++i)
    count += x[i] == -1.0f;
  CHECK(count == 1000, "normal std 0: %llu of 1000 values are exactly the mean",
        (unsigned long long)count);
  for (count = 0, x = param_data(&m, buf, UEQ), i = 0; i < 1000; ++i)
    count += x[i] == 2.0f;
  CHECK(count == 1000, "uniform a == b: %llu of 1000 values are exactly a",
        (unsigned long long)count);
  /* uniform(1, 1 + 2^-23): half the draws round up to b and must be moved
   * below it, i.e. onto a. */
  for (count = 0, x = param_data(&m, buf, UTIGHT), i = 0; i < 1000; ++i)
    count += x[i] == 1.0f;
  CHECK(count == 1000, "uniform one ulp wide: %llu of 1000 values are a (never b)",
        (unsigned long long)count);
  nt_free(buf);
}

static void test_init_errors(void) {
  unsigned char *buf = (unsigned char *)nt_alloc(832 + 64, 0x11);
  unsigned char before[832 + 64];
  nnc_param_info bad[9];
  nnc_model_info bad_model = net_model;

  memcpy(before, buf, sizeof before);
  CHECK(nnc_init_params(NULL, buf, 1) == NNC_ERR_NULL_ARGUMENT, "init: NULL model");
  CHECK(nnc_init_params(&net_model, NULL, 1) == NNC_ERR_NULL_ARGUMENT, "init: NULL params");
  CHECK(nnc_init_params(&net_model, buf + 4, 1) == NNC_ERR_ALIGNMENT, "init: misaligned params");
  memcpy(bad, net_params, sizeof bad);
  bad[3].init_kind = 7;
  bad_model.params = bad;
  CHECK(nnc_init_params(&bad_model, buf, 1) == NNC_ERR_FORMAT, "init: unknown init_kind");
  bad_model.params = net_params;
  bad_model.abi_version = NNC_ABI_VERSION + 1;
  CHECK(nnc_init_params(&bad_model, buf, 1) == NNC_ERR_FORMAT, "init: ABI version 2");
  CHECK(memcmp(before, buf, sizeof before) == 0, "failed inits wrote nothing");
  nt_free(buf);
}

void test_init(void) {
  nt_section("init: determinism, independence, golden bits");
  test_determinism();
  nt_section("init: statistics");
  test_statistics();
  nt_section("init: errors");
  test_init_errors();
}
