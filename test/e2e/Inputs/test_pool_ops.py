#!/usr/bin/env python3
"""End-to-end numerical tests of pooling and upsampling.

Max and average pooling (1-D and 2-D, stride, padding, dilation,
ceil_mode, count_include_pad), global average pooling and nearest
upsampling: each case a tiny model compiled by nnc and compared with
PyTorch in float64 as test_ops.py's cases are (oracle.py's tolerance,
max|nnc - ref| <= 1e-4 * max(1, max|ref|)).

    test_pool_ops.py --nnc build/bin/nnc [-j 2] [--keep DIR] [-v]
                     [--target host|aarch64] [--cpu CPU] [--subset aarch64] [name-regex...]
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean (lit runs from it)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oracle  # noqa: E402
from oracle import Case, randn  # noqa: E402

import torch.nn.functional as F  # noqa: E402

CASES = []


def case(name, lines, ref, inputs=None, params=None, nnc_flags=()):
    CASES.append(Case(name, oracle.model_source(*lines), ref, inputs, params, tuple(nnc_flags)))


# --------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------

NEGATIVE = randn(1.0, -6.0)  # all values < 0: padding must act as -inf, not 0

case("max_pool2d_k2", ["input x: f32[2, 3, 7, 9]", "output y = x |> max_pool2d(2)"],
     lambda p, x: F.max_pool2d(x, 2))
case("max_pool2d_k3_s2", ["input x: f32[2, 3, 7, 9]", "output y = x |> max_pool2d(3, stride=2)"],
     lambda p, x: F.max_pool2d(x, 3, 2))
case("max_pool2d_pad_negative",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> max_pool2d(3, stride=2, pad=1)"],
     lambda p, x: F.max_pool2d(x, 3, 2, 1), inputs={"x": NEGATIVE})
case("max_pool2d_rect",
     ["input x: f32[2, 3, 7, 9]",
      "output y = x |> max_pool2d([2, 3], stride=[1, 2], pad=[1, 1])"],
     lambda p, x: F.max_pool2d(x, (2, 3), (1, 2), (1, 1)), inputs={"x": NEGATIVE})
case("max_pool2d_dilation",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> max_pool2d(2, stride=1, dilation=2)"],
     lambda p, x: F.max_pool2d(x, 2, 1, 0, 2))
case("max_pool2d_dilation_rect",
     ["input x: f32[2, 2, 9, 11]",
      "output y = x |> max_pool2d([3, 2], stride=[1, 2], pad=[1, 0], dilation=[2, 3])"],
     lambda p, x: F.max_pool2d(x, (3, 2), (1, 2), (1, 0), (2, 3)), inputs={"x": NEGATIVE})
case("max_pool2d_ceil",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> max_pool2d(2, ceil_mode=true)"],
     lambda p, x: F.max_pool2d(x, 2, ceil_mode=True))
case("max_pool2d_ceil_pad",  # 8x10, k3 s2 p1: ceil adds a window that starts inside
     ["input x: f32[2, 3, 8, 10]",
      "output y = x |> max_pool2d(3, stride=2, pad=1, ceil_mode=true)"],
     lambda p, x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), inputs={"x": NEGATIVE})
case("max_pool2d_ceil_drop_last",  # 5x7, k2 s2 p1: the ceil window would start in padding
     ["input x: f32[2, 2, 5, 7]",
      "output y = x |> max_pool2d(2, stride=2, pad=1, ceil_mode=true)"],
     lambda p, x: F.max_pool2d(x, 2, 2, 1, ceil_mode=True), inputs={"x": NEGATIVE})
case("max_pool1d_k3", ["input x: f32[2, 3, 11]", "output y = x |> max_pool1d(3)"],
     lambda p, x: F.max_pool1d(x, 3))
case("max_pool1d_stride_pad",
     ["input x: f32[2, 3, 11]", "output y = x |> max_pool1d(4, stride=3, pad=2)"],
     lambda p, x: F.max_pool1d(x, 4, 3, 2), inputs={"x": NEGATIVE})
case("max_pool1d_dilation_ceil",
     ["input x: f32[2, 3, 12]",
      "output y = x |> max_pool1d(3, stride=2, pad=1, dilation=2, ceil_mode=true)"],
     lambda p, x: F.max_pool1d(x, 3, 2, 1, 2, ceil_mode=True), inputs={"x": NEGATIVE})
case("max_pool1d_ceil_drop_last",
     ["input x: f32[2, 3, 5]", "output y = x |> max_pool1d(2, stride=2, pad=1, ceil_mode=true)"],
     lambda p, x: F.max_pool1d(x, 2, 2, 1, ceil_mode=True), inputs={"x": NEGATIVE})

case("avg_pool2d_k2", ["input x: f32[2, 3, 7, 9]", "output y = x |> avg_pool2d(2)"],
     lambda p, x: F.avg_pool2d(x, 2))
case("avg_pool2d_k3_s1", ["input x: f32[2, 3, 7, 9]", "output y = x |> avg_pool2d(3, stride=1)"],
     lambda p, x: F.avg_pool2d(x, 3, 1))
case("avg_pool2d_pad_include",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> avg_pool2d(3, stride=2, pad=1)"],
     lambda p, x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=True), inputs={"x": randn(1, 3)})
case("avg_pool2d_pad_exclude",
     ["input x: f32[2, 3, 7, 9]",
      "output y = x |> avg_pool2d(3, stride=2, pad=1, count_include_pad=false)"],
     lambda p, x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), inputs={"x": randn(1, 3)})
case("avg_pool2d_rect",
     ["input x: f32[2, 3, 7, 9]",
      "output y = x |> avg_pool2d([3, 2], stride=[2, 1], pad=[1, 0])"],
     lambda p, x: F.avg_pool2d(x, (3, 2), (2, 1), (1, 0)), inputs={"x": randn(1, 3)})
case("avg_pool2d_ceil",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> avg_pool2d(2, ceil_mode=true)"],
     lambda p, x: F.avg_pool2d(x, 2, ceil_mode=True), inputs={"x": randn(1, 3)})
case("avg_pool2d_ceil_pad_include",
     ["input x: f32[2, 3, 8, 10]",
      "output y = x |> avg_pool2d(3, stride=2, pad=1, ceil_mode=true)"],
     lambda p, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=True),
     inputs={"x": randn(1, 3)})
case("avg_pool2d_ceil_pad_exclude",
     ["input x: f32[2, 3, 8, 10]",
      "output y = x |> avg_pool2d(3, stride=2, pad=1, ceil_mode=true, count_include_pad=false)"],
     lambda p, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
     inputs={"x": randn(1, 3)})
case("avg_pool1d_k2", ["input x: f32[2, 3, 11]", "output y = x |> avg_pool1d(2)"],
     lambda p, x: F.avg_pool1d(x, 2))
case("avg_pool1d_pad_include",
     ["input x: f32[2, 3, 11]", "output y = x |> avg_pool1d(3, stride=2, pad=1)"],
     lambda p, x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=True), inputs={"x": randn(1, 3)})
case("avg_pool1d_pad_exclude",
     ["input x: f32[2, 3, 11]",
      "output y = x |> avg_pool1d(3, stride=2, pad=1, count_include_pad=false)"],
     lambda p, x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=False), inputs={"x": randn(1, 3)})
case("avg_pool1d_ceil_pad_include",
     ["input x: f32[2, 3, 10]",
      "output y = x |> avg_pool1d(4, stride=3, pad=2, ceil_mode=true)"],
     lambda p, x: F.avg_pool1d(x, 4, 3, 2, ceil_mode=True, count_include_pad=True),
     inputs={"x": randn(1, 3)})
case("avg_pool1d_ceil_pad_exclude",
     ["input x: f32[2, 3, 10]",
      "output y = x |> avg_pool1d(4, stride=3, pad=2, ceil_mode=true, count_include_pad=false)"],
     lambda p, x: F.avg_pool1d(x, 4, 3, 2, ceil_mode=True, count_include_pad=False),
     inputs={"x": randn(1, 3)})

case("global_avg_pool_2d", ["input x: f32[2, 3, 7, 9]", "output y = x |> global_avg_pool"],
     lambda p, x: x.mean(dim=(2, 3), keepdim=True), inputs={"x": randn(1, 2)})
case("global_avg_pool_1d", ["input x: f32[2, 5, 11]", "output y = x |> global_avg_pool"],
     lambda p, x: x.mean(dim=2, keepdim=True), inputs={"x": randn(1, 2)})
case("global_avg_pool_flatten",
     ["input x: f32[2, 4, 7, 9]", "output y = x |> global_avg_pool |> flatten"],
     lambda p, x: x.mean(dim=(2, 3)), inputs={"x": randn(1, 2)})

case("upsample_2", ["input x: f32[2, 3, 5, 7]", "output y = x |> upsample"],
     lambda p, x: x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3))
case("upsample_2_3", ["input x: f32[2, 3, 5, 7]", "output y = x |> upsample(scale=[2, 3])"],
     lambda p, x: x.repeat_interleave(2, dim=2).repeat_interleave(3, dim=3))
case("upsample_1_2", ["input x: f32[2, 2, 3, 5]", "output y = x |> upsample(scale=[1, 2])"],
     lambda p, x: x.repeat_interleave(2, dim=3))
case("upsample_1d_3", ["input x: f32[2, 3, 5]", "output y = x |> upsample(scale=3)"],
     lambda p, x: x.repeat_interleave(3, dim=2))
case("upsample_interpolate", ["input x: f32[2, 3, 5, 7]", "output y = x |> upsample(scale=[3, 2])"],
     lambda p, x: F.interpolate(x, scale_factor=(3, 2), mode="nearest"))

# --------------------------------------------------------------------------
# Subsets (--subset NAME)
# --------------------------------------------------------------------------

# aarch64 (test/e2e/aarch64.test, run under QEMU): ceil_mode, padding and
# dilation, global average pooling, upsampling.
AARCH64 = [
    "max_pool2d_k3_s2", "max_pool2d_pad_negative", "max_pool2d_dilation_rect",
    "max_pool2d_ceil_pad", "max_pool2d_ceil_drop_last", "max_pool1d_dilation_ceil",
    "avg_pool2d_pad_exclude", "avg_pool2d_ceil_pad_include", "avg_pool2d_ceil_pad_exclude",
    "avg_pool1d_ceil_pad_exclude", "global_avg_pool_2d", "global_avg_pool_1d",
    "upsample_2_3", "upsample_1d_3",
]

SUBSETS = {"aarch64": AARCH64}


if __name__ == "__main__":
    sys.exit(oracle.suite_main(CASES, __doc__.split("\n\n")[0], SUBSETS))
