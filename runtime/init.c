/*===- init.c - deterministic initial parameter values --------------------===*
 *
 * nnc_init_params: uniform, normal (Box-Muller) and constant initializers
 * driven by a counter-based splitmix64 generator keyed by (seed, parameter
 * index), exactly as specified in nnc_runtime.h. The normal initializer needs
 * ln, cos and sin; libm's differ in the last bit between libraries and
 * between code paths of one library (FMA or not), so they are computed here
 * with series using only IEEE-754 double +, -, *, / (correctly rounded
 * everywhere), with no contraction into FMAs, which makes every value
 * reproducible bit for bit on any IEEE-754 platform with FLT_EVAL_METHOD 0.
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <math.h>
#include <string.h>

/* A fused multiply-add rounds once instead of twice: allowing it would make
 * the values depend on the target. Build with -ffp-contract=off as well
 * (GCC ignores this pragma). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define NNCRT_GAMMA UINT64_C(0x9E3779B97F4A7C15)

/* The splitmix64 output function (Steele, Lea, Flood 2014). */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* The j-th draw of parameter stream `key`. */
static uint64_t draw(uint64_t key, uint64_t j) { return mix64(key + NNCRT_GAMMA * (j + 1)); }

/* The top 53 bits as a double in [0, 1); exact. */
static double unit(uint64_t x) { return (double)(x >> 11) * 0x1p-53; }

/* ln(x) for a finite x > 0 (here x in [2^-53, 1]). x = m 2^e with m in
 * [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...) with
 * s = (m-1)/(m+1), |s| <= 0.1716, so 12 terms reach below 2^-60 relative. */
static double det_log(double x) {
  static const double ln2_hi = 6.93147180369123816490e-01; /* 0x3fe62e42fee00000 */
  static const double ln2_lo = 1.90821492927058770002e-10; /* 0x3dea39ef35793c76 */
  int e;
  double m = frexp(x, &e), s, s2, poly;
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  s = (m - 1.0) / (m + 1.0);
  s2 = s * s;
  poly = 1.0 / 23.0;
  poly = poly * s2 + 1.0 / 21.0;
  poly = poly * s2 + 1.0 / 19.0;
  poly = poly * s2 + 1.0 / 17.0;
  poly = poly * s2 + 1.0 / 15.0;
  poly = poly * s2 + 1.0 / 13.0;
  poly = poly * s2 + 1.0 / 11.0;
  poly = poly * s2 + 1.0 / 9.0;
  poly = poly * s2 + 1.0 / 7.0;
  poly = poly * s2 + 1.0 / 5.0;
  poly = poly * s2 + 1.0 / 3.0;
  poly = poly * s2 + 1.0;
  return (double)e * ln2_hi + ((double)e * ln2_lo + 2.0 * s * poly);
}

/* sin and cos of x in [0, pi/4] by Taylor series; the first omitted terms,
 * x^21/21! and x^20/20!, are below 2^-64. */
static double taylor_sin(double x) {
  double x2 = x * x, p = 1.0 / 121645100408832000.0; /* 1/19! */
  p = p * -x2 + 1.0 / 355687428096000.0;              /* 1/17! */
  p = p * -x2 + 1.0 / 1307674368000.0;                /* 1/15! */
  p = p * -x2 + 1.0 / 6227020800.0;                   /* 1/13! */
  p = p * -x2 + 1.0 / 39916800.0;                     /* 1/11! */
  p = p * -x2 + 1.0 / 362880.0;                       /* 1/9! */
  p = p * -x2 + 1.0 / 5040.0;                         /* 1/7! */
  p = p * -x2 + 1.0 / 120.0;                          /* 1/5! */
  p = p * -x2 + 1.0 / 6.0;                            /* 1/3! */
  p = p * -x2 + 1.0;
  return x * p;
}

static double taylor_cos(double x) {
  double x2 = x * x, p = 1.0 / 6402373705728000.0; /* 1/18! */
  p = p * -x2 + 1.0 / 20922789888000.0;             /* 1/16! */
  p = p * -x2 + 1.0 / 87178291200.0;                /* 1/14! */
  p = p * -x2 + 1.0 / 479001600.0;                  /* 1/12! */
  p = p * -x2 + 1.0 / 3628800.0;                    /* 1/10! */
  p = p * -x2 + 1.0 / 40320.0;                      /* 1/8! */
  p = p * -x2 + 1.0 / 720.0;                        /* 1/6! */
  p = p * -x2 + 1.0 / 24.0;                         /* 1/4! */
  p = p * -x2 + 1.0 / 2.0;                          /* 1/2! */
  p = p * -x2 + 1.0;
  return p;
}

/* cos and sin of 2 pi u for u in [0, 1). The reduction works on u, where it
 * is exact: t = 4u = q + f with the quadrant q and f in [0, 1); an eighth of
 * a turn or more is reflected (f -> 1 - f, exact) so the series argument
 * f pi/2 stays in [0, pi/4]. */
static void det_cos_sin_turn(double u, double *c, double *s) {
  static const double half_pi = 1.57079632679489661923;
  double t = u * 4.0, f, cq, sq;
  int q = (int)t;
  f = t - (double)q;
  if (f <= 0.5) {
    double x = f * half_pi;
    cq = taylor_cos(x);
    sq = taylor_sin(x);
  } else {
    double x = (1.0 - f) * half_pi;
    cq = taylor_sin(x);
    sq = taylor_cos(x);
  }
  switch (q & 3) {
  case 0:
    *c = cq;
    *s = sq;
    break;
  case 1:
    *c = -sq;
    *s = cq;
    break;
  case 2:
    *c = -cq;
    *s = -sq;
    break;
  default:
    *c = sq;
    *s = -cq;
    break;
  }
}

static void fill_uniform(float *out, uint64_t n, uint64_t key, float a, float b) {
  double lo = a, width = (double)b - (double)a;
  uint64_t i;
  for (i = 0; i < n; ++i) {
    float v = (float)(lo + width * unit(draw(key, i)));
    if (b > a && v >= b)
      v = nextafterf(b, a);
    out[i] = v;
  }
}

static void fill_normal(float *out, uint64_t n, uint64_t key, float mean, float std) {
  double m = mean, sd = std;
  uint64_t k;
  for (k = 0; 2 * k < n; ++k) {
    double u1 = unit(draw(key, 2 * k)) + 0x1p-53;
    double u2 = unit(draw(key, 2 * k + 1));
    double r = sqrt(-2.0 * det_log(u1)), c, s;
    det_cos_sin_turn(u2, &c, &s);
    out[2 * k] = (float)(m + sd * (r * c));
    if (2 * k + 1 < n)
      out[2 * k + 1] = (float)(m + sd * (r * s));
  }
}

int nnc_init_params(const nnc_model_info *model, void *params, uint64_t seed) {
  uint64_t base;
  uint32_t p;
  int status = nncrt_check_call(model, params, NULL, 0);
  if (status != NNC_OK)
    return status;
  memset(params, 0, (size_t)model->param_bytes);
  base = mix64(seed);
  for (p = 0; p < model->param_count; ++p) {
    const nnc_param_info *info = &model->params[p];
    float *out = (float *)((unsigned char *)params + info->offset);
    uint64_t key = mix64(base + NNCRT_GAMMA * ((uint64_t)p + 1));
    uint64_t i;
    switch (info->init_kind) {
    case NNC_INIT_UNIFORM:
      fill_uniform(out, info->numel, key, info->init_args[0], info->init_args[1]);
      break;
    case NNC_INIT_NORMAL:
      fill_normal(out, info->numel, key, info->init_args[0], info->init_args[1]);
      break;
    default: /* NNC_INIT_CONSTANT; nncrt_check_call rejected other kinds */
      for (i = 0; i < info->numel; ++i)
        out[i] = info->init_args[0];
      break;
    }
  }
  return NNC_OK;
}
