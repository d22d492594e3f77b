#!/usr/bin/env python3
"""End-to-end numerical tests of every nn op and attribute variant but pooling
(test_pool_ops.py).

Each case is a tiny model (batch 2, a few channels, odd spatial sizes such as
7x9 so that transposed or off-by-one indexing shows) compiled by nnc to an
object file and run through the C driver of oracle.py; its outputs are
compared with PyTorch in float64 with the tolerance stated in oracle.py:

    max|nnc - ref| <= 1e-4 * max(1, max|ref|)   (argmax: exact)

Prints one line per case and `N passed, N failed` last; exits 1 on any
failure.

    test_ops.py --nnc build/bin/nnc [-j 2] [--keep DIR] [-v]
                [--target host|aarch64] [--cpu CPU] [--subset aarch64] [name-regex...]
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean (lit runs from it)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oracle  # noqa: E402
from oracle import Case, distinct, randn, uniform_in  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


CASES = []


def case(name, lines, ref, inputs=None, params=None, nnc_flags=()):
    CASES.append(Case(name, oracle.model_source(*lines), ref, inputs, params, tuple(nnc_flags)))


def pad_input(x, pads):
    """Zero-pads the spatial dims of x; pads = [(lo, hi) per spatial dim]."""
    flat = []
    for lo, hi in reversed(pads):
        flat += [lo, hi]
    return F.pad(x, flat)


# --------------------------------------------------------------------------
# dense, linear, matmul
# --------------------------------------------------------------------------

case("dense_bias", ["input x: f32[2, 5]", "output y = x |> fc: dense(3)"],
     lambda p, x: F.linear(x, p["fc.weight"], p["fc.bias"]))
case("dense_no_bias", ["input x: f32[2, 5]", "output y = x |> fc: dense(7, bias=false)"],
     lambda p, x: F.linear(x, p["fc.weight"]))
# >= 256 rows: the weights are transposed for the outer-product kernel.
case("dense_many_rows_relu", ["input x: f32[300, 70]", "output y = x |> fc: dense(45) |> relu"],
     lambda p, x: F.relu(F.linear(x, p["fc.weight"], p["fc.bias"])))
case("linear_alias", ["input x: f32[3, 4]", "output y = x |> fc: linear(6)"],
     lambda p, x: F.linear(x, p["fc.weight"], p["fc.bias"]))
case("dense_batch1", ["input x: f32[1, 9]", "output y = x |> fc: dense(1)"],
     lambda p, x: F.linear(x, p["fc.weight"], p["fc.bias"]))
case("dense_wide_k", ["input x: f32[2, 301]", "output y = x |> fc: dense(17)"],
     lambda p, x: F.linear(x, p["fc.weight"], p["fc.bias"]))
case("dense_chain",
     ["input x: f32[2, 7]", "output y = x |> fc1: dense(11) |> relu |> fc2: dense(4)"],
     lambda p, x: F.linear(F.relu(F.linear(x, p["fc1.weight"], p["fc1.bias"])),
                           p["fc2.weight"], p["fc2.bias"]))
case("dense_binding_name", ["input x: f32[2, 5]", "h = dense(x, 3)", "output y = h"],
     lambda p, x: F.linear(x, p["h.weight"], p["h.bias"]))
case("matmul_2d", ["input a: f32[3, 5]", "input b: f32[5, 4]", "output y = matmul(a, b)"],
     lambda p, a, b: a @ b)
case("matmul_2d_pipe", ["input a: f32[1, 7]", "input b: f32[7, 9]", "output y = a |> matmul(b)"],
     lambda p, a, b: a @ b)
case("matmul_3d", ["input a: f32[2, 3, 5]", "input b: f32[2, 5, 7]", "output y = matmul(a, b)"],
     lambda p, a, b: torch.bmm(a, b))
case("matmul_4d",
     ["input a: f32[2, 3, 4, 5]", "input b: f32[2, 3, 5, 6]", "output y = matmul(a, b)"],
     lambda p, a, b: torch.matmul(a, b))
case("matmul_same_input", ["input a: f32[5, 5]", "output y = matmul(a, a)"],
     lambda p, a: a @ a)
# Blocked kernel: 13 rows = two 6-row blocks + 1; 150 columns = full panels
# + a panel of full vectors and a shorter one at 16 lanes (8 at AVX2 and NEON).
case("matmul_blocked", ["input a: f32[13, 37]", "input b: f32[37, 150]",
                        "output y = matmul(a, b)"],
     lambda p, a, b: a @ b)

# --------------------------------------------------------------------------
# conv1d, conv2d
# --------------------------------------------------------------------------


def conv1d_ref(name, stride=1, padding=0, dilation=1, groups=1, bias=True, pads=None):
    def ref(p, x):
        if pads is not None:
            x = pad_input(x, pads)
        return F.conv1d(x, p[name + ".weight"], p[name + ".bias"] if bias else None,
                        stride, padding, dilation, groups)
    return ref


def conv2d_ref(name, stride=1, padding=0, dilation=1, groups=1, bias=True, pads=None):
    def ref(p, x):
        if pads is not None:
            x = pad_input(x, pads)
        return F.conv2d(x, p[name + ".weight"], p[name + ".bias"] if bias else None,
                        stride, padding, dilation, groups)
    return ref


case("conv1d_basic", ["input x: f32[2, 3, 11]", "output y = x |> c: conv1d(4, kernel=3)"],
     conv1d_ref("c"))
case("conv1d_stride_pad_dilation",
     ["input x: f32[2, 3, 13]",
      "output y = x |> c: conv1d(5, kernel=3, stride=2, pad=2, dilation=2)"],
     conv1d_ref("c", stride=2, padding=2, dilation=2))
case("conv1d_groups_no_bias",
     ["input x: f32[2, 4, 11]", "output y = x |> c: conv1d(6, kernel=3, groups=2, bias=false)"],
     conv1d_ref("c", groups=2, bias=False))
case("conv1d_depthwise",
     ["input x: f32[2, 4, 9]", "output y = x |> c: conv1d(8, kernel=5, pad=2, groups=4)"],
     conv1d_ref("c", padding=2, groups=4))
case("conv1d_same_even_kernel",  # total pad 3: 1 low, 2 high
     ["input x: f32[2, 3, 10]", "output y = x |> c: conv1d(4, kernel=4, pad=\"same\")"],
     conv1d_ref("c", pads=[(1, 2)]))
case("conv1d_pad_list", ["input x: f32[2, 2, 7]", "output y = x |> c: conv1d(3, kernel=[2], pad=[1])"],
     conv1d_ref("c", padding=1))

case("conv2d_basic", ["input x: f32[2, 3, 7, 9]", "output y = x |> c: conv2d(4, kernel=3)"],
     conv2d_ref("c"))
case("conv2d_stride2_pad1",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> c: conv2d(4, kernel=3, stride=2, pad=1)"],
     conv2d_ref("c", stride=2, padding=1))
case("conv2d_rect_kernel_stride_pad",
     ["input x: f32[2, 3, 7, 9]",
      "output y = x |> c: conv2d(5, kernel=[3, 2], stride=[2, 1], pad=[1, 0])"],
     conv2d_ref("c", stride=(2, 1), padding=(1, 0)))
case("conv2d_pad_list",
     ["input x: f32[2, 2, 7, 9]", "output y = x |> c: conv2d(3, kernel=3, pad=[2, 1])"],
     conv2d_ref("c", padding=(2, 1)))
case("conv2d_valid",
     ["input x: f32[2, 2, 7, 9]", "output y = x |> c: conv2d(3, kernel=3, pad=\"valid\")"],
     conv2d_ref("c"))
case("conv2d_same_odd_kernel",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> c: conv2d(4, kernel=3, pad=\"same\")"],
     conv2d_ref("c", padding=1))
case("conv2d_same_even_kernel",  # asymmetric: H total 3 -> (1, 2), W total 1 -> (0, 1)
     ["input x: f32[2, 3, 7, 9]", "output y = x |> c: conv2d(4, kernel=[4, 2], pad=\"same\")"],
     conv2d_ref("c", pads=[(1, 2), (0, 1)]))
case("conv2d_same_dilated",  # H: 3*(2-1) = 3 -> (1, 2); W: 1*(3-1) = 2 -> (1, 1)
     ["input x: f32[2, 2, 7, 9]",
      "output y = x |> c: conv2d(3, kernel=[2, 3], dilation=[3, 1], pad=\"same\")"],
     conv2d_ref("c", dilation=(3, 1), pads=[(1, 2), (1, 1)]))
case("conv2d_dilation",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> c: conv2d(4, kernel=3, dilation=[2, 3])"],
     conv2d_ref("c", dilation=(2, 3)))
case("conv2d_groups",
     ["input x: f32[2, 4, 7, 9]", "output y = x |> c: conv2d(6, kernel=3, pad=1, groups=2)"],
     conv2d_ref("c", padding=1, groups=2))
case("conv2d_depthwise",
     ["input x: f32[2, 4, 7, 9]", "output y = x |> c: conv2d(4, kernel=3, pad=1, groups=4)"],
     conv2d_ref("c", padding=1, groups=4))
case("conv2d_depthwise_multiplier_stride",
     ["input x: f32[2, 3, 7, 9]",
      "output y = x |> c: conv2d(6, kernel=3, stride=2, groups=3, bias=false)"],
     conv2d_ref("c", stride=2, groups=3, bias=False))
# Strided convolutions (dilation 1) run as one stride-1 convolution per input
# phase: phases with no tap (stride > kernel), phases reading padding only
# (1-row maps), phases of unequal sizes (odd maps) and stride 3.
case("conv2d_1x1_stride2",
     ["input x: f32[2, 5, 8, 7]", "output y = x |> c: conv2d(6, kernel=1, stride=2)"],
     conv2d_ref("c", stride=2))
case("conv2d_stride_above_kernel",
     ["input x: f32[2, 3, 10, 11]", "output y = x |> c: conv2d(4, kernel=2, stride=3, pad=1)"],
     conv2d_ref("c", stride=3, padding=1))
case("conv2d_stride2_tiny_map",
     ["input x: f32[2, 3, 1, 3]", "output y = x |> c: conv2d(4, kernel=3, stride=2, pad=1)"],
     conv2d_ref("c", stride=2, padding=1))
case("conv2d_stride3_one_row",  # phase 2 of the single row lies in the high padding
     ["input x: f32[2, 3, 1, 4]", "output y = x |> c: conv2d(4, kernel=3, stride=3, pad=1)"],
     conv2d_ref("c", stride=3, padding=1))
case("conv2d_stride_wide_pad",
     ["input x: f32[2, 3, 5, 6]",
      "output y = x |> c: conv2d(4, kernel=[3, 5], stride=[2, 3], pad=[2, 4], groups=1)"],
     conv2d_ref("c", stride=(2, 3), padding=(2, 4)))
case("conv1d_stride3_kernel5",
     ["input x: f32[2, 3, 17]", "output y = x |> c: conv1d(4, kernel=5, stride=3, pad=2)"],
     conv1d_ref("c", stride=3, padding=2))
case("conv2d_no_bias",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> c: conv2d(4, kernel=3, bias=false)"],
     conv2d_ref("c", bias=False))
case("conv2d_1x1", ["input x: f32[2, 5, 7, 9]", "output y = x |> c: conv2d(3, kernel=1)"],
     conv2d_ref("c"))
case("conv2d_full_window",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> c: conv2d(4, kernel=[7, 9])"],
     conv2d_ref("c"))
case("conv2d_everything",
     ["input x: f32[2, 4, 11, 13]",
      "output y = x |> c: conv2d(6, kernel=[3, 5], stride=[2, 3], pad=[1, 2], "
      "dilation=[2, 1], groups=2, bias=false)"],
     conv2d_ref("c", stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2, bias=False))
case("conv2d_many_channels",
     ["input x: f32[2, 16, 7, 9]", "output y = x |> c: conv2d(24, kernel=3, pad=1)"],
     conv2d_ref("c", padding=1))

# --------------------------------------------------------------------------
# conv_transpose1d, conv_transpose2d
# --------------------------------------------------------------------------


def ct1d_ref(name, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=True):
    return lambda p, x: F.conv_transpose1d(
        x, p[name + ".weight"], p[name + ".bias"] if bias else None, stride, padding,
        output_padding, groups, dilation)


def ct2d_ref(name, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=True):
    return lambda p, x: F.conv_transpose2d(
        x, p[name + ".weight"], p[name + ".bias"] if bias else None, stride, padding,
        output_padding, groups, dilation)


case("conv_transpose1d_basic",
     ["input x: f32[2, 3, 7]", "output y = x |> t: conv_transpose1d(4, kernel=3)"],
     ct1d_ref("t"))
case("conv_transpose1d_stride_pad_output_pad",
     ["input x: f32[2, 3, 7]",
      "output y = x |> t: conv_transpose1d(2, kernel=4, stride=3, pad=1, output_pad=2)"],
     ct1d_ref("t", stride=3, padding=1, output_padding=2))
case("conv_transpose1d_dilation_groups",
     ["input x: f32[2, 4, 9]",
      "output y = x |> t: conv_transpose1d(6, kernel=3, dilation=2, groups=2)"],
     ct1d_ref("t", dilation=2, groups=2))
case("conv_transpose1d_no_bias",
     ["input x: f32[2, 3, 5]",
      "output y = x |> t: conv_transpose1d(3, kernel=2, stride=2, bias=false)"],
     ct1d_ref("t", stride=2, bias=False))

case("conv_transpose2d_basic",
     ["input x: f32[2, 3, 5, 7]", "output y = x |> t: conv_transpose2d(4, kernel=3)"],
     ct2d_ref("t"))
case("conv_transpose2d_k2_s2",
     ["input x: f32[2, 4, 5, 7]", "output y = x |> t: conv_transpose2d(3, kernel=2, stride=2)"],
     ct2d_ref("t", stride=2))
case("conv_transpose2d_stride2",
     ["input x: f32[2, 3, 5, 7]", "output y = x |> t: conv_transpose2d(2, kernel=3, stride=2)"],
     ct2d_ref("t", stride=2))
case("conv_transpose2d_stride2_pad1_output_pad1",
     ["input x: f32[2, 3, 5, 7]",
      "output y = x |> t: conv_transpose2d(4, kernel=3, stride=2, pad=1, output_pad=1)"],
     ct2d_ref("t", stride=2, padding=1, output_padding=1))
case("conv_transpose2d_rect",
     ["input x: f32[2, 2, 5, 7]",
      "output y = x |> t: conv_transpose2d(3, kernel=[2, 3], stride=[2, 3], pad=[0, 1], "
      "output_pad=[1, 2])"],
     ct2d_ref("t", stride=(2, 3), padding=(0, 1), output_padding=(1, 2)))
case("conv_transpose2d_dilation",
     ["input x: f32[2, 3, 5, 7]",
      "output y = x |> t: conv_transpose2d(2, kernel=3, dilation=2, pad=1)"],
     ct2d_ref("t", dilation=2, padding=1))
case("conv_transpose2d_dilation_output_pad",  # output_pad < dilation, stride 1
     ["input x: f32[2, 2, 5, 7]",
      "output y = x |> t: conv_transpose2d(3, kernel=3, dilation=[2, 3], output_pad=[1, 2])"],
     ct2d_ref("t", dilation=(2, 3), output_padding=(1, 2)))
case("conv_transpose2d_groups",
     ["input x: f32[2, 4, 5, 7]",
      "output y = x |> t: conv_transpose2d(6, kernel=3, stride=2, groups=2)"],
     ct2d_ref("t", stride=2, groups=2))
case("conv_transpose2d_depthwise",
     ["input x: f32[2, 4, 5, 7]",
      "output y = x |> t: conv_transpose2d(4, kernel=3, stride=2, pad=1, groups=4)"],
     ct2d_ref("t", stride=2, padding=1, groups=4))
case("conv_transpose2d_no_bias",
     ["input x: f32[2, 3, 5, 7]",
      "output y = x |> t: conv_transpose2d(4, kernel=[3, 2], stride=[1, 2], bias=false)"],
     ct2d_ref("t", stride=(1, 2), bias=False))
# Dilation 1 and a stride > 1 lower to one convolution per output phase:
# with a kernel below the stride some phases have no tap (bias only), and
# large pads start a phase's input window outside the input.
case("conv_transpose2d_kernel_below_stride",
     ["input x: f32[2, 3, 4, 5]",
      "output y = x |> t: conv_transpose2d(4, kernel=[1, 2], stride=[2, 3], output_pad=1)"],
     ct2d_ref("t", stride=(2, 3), output_padding=1))
case("conv_transpose2d_phases_large_pad",
     ["input x: f32[2, 4, 6, 5]",
      "output y = x |> t: conv_transpose2d(6, kernel=[5, 4], stride=3, pad=[3, 2], "
      "output_pad=[2, 1], groups=2)"],
     ct2d_ref("t", stride=3, padding=(3, 2), output_padding=(2, 1), groups=2))
case("conv_transpose2d_everything",
     ["input x: f32[2, 4, 5, 6]",
      "output y = x |> t: conv_transpose2d(6, kernel=[3, 4], stride=[2, 3], pad=[1, 2], "
      "output_pad=[1, 0], dilation=[2, 1], groups=2)"],
     ct2d_ref("t", stride=(2, 3), padding=(1, 2), output_padding=(1, 0), dilation=(2, 1),
              groups=2))

# --------------------------------------------------------------------------
# Normalization and dropout
# --------------------------------------------------------------------------


def bn_ref(name, eps=1e-5):
    return lambda p, x: F.batch_norm(x, p[name + ".running_mean"], p[name + ".running_var"],
                                     p[name + ".weight"], p[name + ".bias"], False, 0.1, eps)


case("batch_norm_4d", ["input x: f32[2, 3, 7, 9]", "output y = x |> bn: batch_norm"],
     bn_ref("bn"))
case("batch_norm_2d", ["input x: f32[2, 5]", "output y = x |> bn: batch_norm"], bn_ref("bn"))
case("batch_norm_3d_eps", ["input x: f32[2, 4, 11]", "output y = x |> bn: batch_norm(eps=1e-3)"],
     bn_ref("bn", 1e-3))
case("batch_norm_momentum_ignored",
     ["input x: f32[2, 3, 5, 7]", "output y = x |> bn: batch_norm(momentum=0.5)"],
     bn_ref("bn"))


def ln_ref(name, dims, affine=True, eps=1e-5):
    return lambda p, x: F.layer_norm(x, x.shape[-dims:], p[name + ".weight"] if affine else None,
                                     p[name + ".bias"] if affine else None, eps)


LN_INPUT = {"x": randn(2.0, 1.5)}
case("layer_norm_dims1", ["input x: f32[2, 5, 7]", "output y = x |> ln: layer_norm"],
     ln_ref("ln", 1), inputs=LN_INPUT)
case("layer_norm_dims2", ["input x: f32[2, 5, 7]", "output y = x |> ln: layer_norm(dims=2)"],
     ln_ref("ln", 2), inputs=LN_INPUT)
case("layer_norm_dims1_no_affine",
     ["input x: f32[2, 5, 7]", "output y = x |> layer_norm(affine=false)"],
     ln_ref("ln", 1, affine=False), inputs=LN_INPUT)
case("layer_norm_dims2_no_affine",
     ["input x: f32[2, 5, 7]", "output y = x |> layer_norm(dims=2, affine=false)"],
     ln_ref("ln", 2, affine=False), inputs=LN_INPUT)
case("layer_norm_2d_input", ["input x: f32[3, 6]", "output y = x |> ln: layer_norm(eps=1e-3)"],
     ln_ref("ln", 1, eps=1e-3), inputs=LN_INPUT)
case("layer_norm_2d_all_dims", ["input x: f32[3, 6]", "output y = x |> ln: layer_norm(dims=2)"],
     ln_ref("ln", 2), inputs=LN_INPUT)
case("layer_norm_dims3", ["input x: f32[2, 3, 5, 7]", "output y = x |> ln: layer_norm(dims=3)"],
     ln_ref("ln", 3), inputs=LN_INPUT)


def gn_ref(name, groups, affine=True, eps=1e-5):
    return lambda p, x: F.group_norm(x, groups, p[name + ".weight"] if affine else None,
                                     p[name + ".bias"] if affine else None, eps)


case("group_norm_3_groups", ["input x: f32[2, 6, 5, 7]", "output y = x |> gn: group_norm(3)"],
     gn_ref("gn", 3), inputs=LN_INPUT)
case("group_norm_1_group", ["input x: f32[2, 4, 5, 7]", "output y = x |> gn: group_norm(1)"],
     gn_ref("gn", 1), inputs=LN_INPUT)
case("group_norm_per_channel",
     ["input x: f32[2, 4, 5, 7]", "output y = x |> gn: group_norm(groups=4, eps=1e-3)"],
     gn_ref("gn", 4, eps=1e-3), inputs=LN_INPUT)
case("group_norm_no_affine",
     ["input x: f32[2, 6, 5, 7]", "output y = x |> group_norm(2, affine=false)"],
     gn_ref("gn", 2, affine=False), inputs=LN_INPUT)
case("group_norm_1d", ["input x: f32[2, 4, 9]", "output y = x |> gn: group_norm(2)"],
     gn_ref("gn", 2), inputs=LN_INPUT)


def in_ref(name, affine, eps=1e-5):
    return lambda p, x: F.instance_norm(x, weight=p[name + ".weight"] if affine else None,
                                        bias=p[name + ".bias"] if affine else None, eps=eps)


case("instance_norm_default", ["input x: f32[2, 3, 7, 9]", "output y = x |> instance_norm"],
     in_ref("norm", False), inputs=LN_INPUT)
case("instance_norm_affine",
     ["input x: f32[2, 3, 7, 9]", "output y = x |> norm: instance_norm(affine=true)"],
     in_ref("norm", True), inputs=LN_INPUT)
case("instance_norm_1d_affine_eps",
     ["input x: f32[2, 3, 11]", "output y = x |> norm: instance_norm(eps=1e-3, affine=true)"],
     in_ref("norm", True, eps=1e-3), inputs=LN_INPUT)

case("dropout_default", ["input x: f32[2, 3, 7]", "output y = x |> dropout"], lambda p, x: x)
case("dropout_p", ["input x: f32[2, 9]", "output y = x |> dropout(p=0.2) |> relu"],
     lambda p, x: F.relu(x))

# --------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------

WIDE = uniform_in(-200.0, 200.0)  # exp over/underflows in f32 beyond ~88

case("relu", ["input x: f32[2, 3, 7]", "output y = x |> relu"], lambda p, x: F.relu(x))
case("leaky_relu_default", ["input x: f32[2, 3, 7]", "output y = x |> leaky_relu"],
     lambda p, x: F.leaky_relu(x, 0.01))
case("leaky_relu_slope", ["input x: f32[2, 3, 7]", "output y = x |> leaky_relu(slope=0.2)"],
     lambda p, x: F.leaky_relu(x, 0.2))
case("elu_default", ["input x: f32[2, 3, 7]", "output y = x |> elu"],
     lambda p, x: F.elu(x, 1.0), inputs={"x": randn(3.0)})
case("elu_alpha", ["input x: f32[2, 3, 7]", "output y = x |> elu(alpha=0.5)"],
     lambda p, x: F.elu(x, 0.5), inputs={"x": randn(3.0)})
case("elu_large", ["input x: f32[4, 50]", "output y = x |> elu(1.5)"],
     lambda p, x: F.elu(x, 1.5), inputs={"x": WIDE})
case("sigmoid", ["input x: f32[2, 3, 7]", "output y = x |> sigmoid"],
     lambda p, x: torch.sigmoid(x), inputs={"x": randn(3.0)})
case("sigmoid_large", ["input x: f32[4, 50]", "output y = x |> sigmoid"],
     lambda p, x: torch.sigmoid(x), inputs={"x": WIDE})
case("tanh", ["input x: f32[2, 3, 7]", "output y = x |> tanh"],
     lambda p, x: torch.tanh(x), inputs={"x": randn(2.0)})
case("tanh_large", ["input x: f32[4, 50]", "output y = x |> tanh"],
     lambda p, x: torch.tanh(x), inputs={"x": WIDE})
case("tanh_small", ["input x: f32[4, 50]", "output y = x |> tanh"],
     lambda p, x: torch.tanh(x), inputs={"x": randn(1e-3)})

LOGITS = randn(1.0)
LARGE_LOGITS = randn(300.0, 200.0)  # spread ~300 around 200: exp overflows unless stabilized
for fn, name in ((F.softmax, "softmax"), (F.log_softmax, "log_softmax")):
    case(f"{name}_last", ["input x: f32[2, 7]", f"output y = x |> {name}"],
         lambda p, x, fn=fn: fn(x, dim=-1), inputs={"x": LOGITS})
    case(f"{name}_axis1_4d", ["input x: f32[2, 5, 3, 4]", f"output y = x |> {name}(axis=1)"],
         lambda p, x, fn=fn: fn(x, dim=1), inputs={"x": LOGITS})
    case(f"{name}_axis_minus1_3d", ["input x: f32[2, 3, 9]", f"output y = x |> {name}(axis=-1)"],
         lambda p, x, fn=fn: fn(x, dim=-1), inputs={"x": LOGITS})
    case(f"{name}_axis_minus2_3d", ["input x: f32[2, 5, 3]", f"output y = x |> {name}(axis=-2)"],
         lambda p, x, fn=fn: fn(x, dim=-2), inputs={"x": LOGITS})
    case(f"{name}_axis0", ["input x: f32[3, 4]", f"output y = x |> {name}(axis=0)"],
         lambda p, x, fn=fn: fn(x, dim=0), inputs={"x": LOGITS})
    case(f"{name}_large_last", ["input x: f32[3, 10]", f"output y = x |> {name}"],
         lambda p, x, fn=fn: fn(x, dim=-1), inputs={"x": LARGE_LOGITS})
    case(f"{name}_large_axis1", ["input x: f32[2, 6, 5]", f"output y = x |> {name}(axis=1)"],
         lambda p, x, fn=fn: fn(x, dim=1), inputs={"x": LARGE_LOGITS})
    case(f"{name}_very_negative", ["input x: f32[2, 6]", f"output y = x |> {name}"],
         lambda p, x, fn=fn: fn(x, dim=-1), inputs={"x": randn(5.0, -1000.0)})

case("softmax_rank1", ["input x: f32[7]", "output y = x |> softmax"],
     lambda p, x: F.softmax(x, dim=0), inputs={"x": LOGITS})
case("softmax_axis_size1", ["input x: f32[2, 1, 3]", "output y = x |> softmax(axis=1)"],
     lambda p, x: F.softmax(x, dim=1), inputs={"x": LOGITS})
case("log_softmax_spread", ["input x: f32[2, 3]", "output y = x |> log_softmax"],
     lambda p, x: F.log_softmax(x, dim=-1),
     inputs={"x": lambda g, shape: torch.tensor([[1000.0, 0.0, -1000.0], [-5.0, 80.0, 95.0]])})


def maxout_ref(pieces):
    def ref(p, x):
        n, c = x.shape[:2]
        return x.reshape(n, c // pieces, pieces, *x.shape[2:]).max(dim=2).values
    return ref


case("maxout_2_4d", ["input x: f32[2, 6, 5, 7]", "output y = x |> maxout(2)"], maxout_ref(2),
     inputs={"x": distinct(0.01)})
case("maxout_3_4d", ["input x: f32[2, 6, 5, 7]", "output y = x |> maxout(pieces=3)"],
     maxout_ref(3), inputs={"x": distinct(0.01)})
case("maxout_2d", ["input x: f32[2, 12]", "output y = x |> maxout(4)"], maxout_ref(4))
case("maxout_3d", ["input x: f32[2, 6, 5]", "output y = x |> maxout(6)"], maxout_ref(6))

# --------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------

XYZ = ["input x: f32[2, 3, 5]", "input y: f32[2, 3, 5]"]
case("add", XYZ + ["output o = x + y"], lambda p, x, y: x + y)
case("sub", XYZ + ["output o = x - y"], lambda p, x, y: x - y)
case("mul", XYZ + ["output o = x * y"], lambda p, x, y: x * y)
case("add_self", ["input x: f32[2, 7]", "output o = x + x"], lambda p, x: x + x)
case("mul_self", ["input x: f32[2, 7]", "output o = x * x"], lambda p, x: x * x)
case("scalar_mul", ["input x: f32[2, 3, 5]", "output o = x * 0.5"], lambda p, x: x * 0.5)
case("scalar_mul_left", ["input x: f32[2, 3, 5]", "output o = 3 * x"], lambda p, x: 3 * x)
case("scalar_add", ["input x: f32[2, 3, 5]", "output o = x + 1"], lambda p, x: x + 1)
case("scalar_add_left", ["input x: f32[2, 3, 5]", "output o = 2.5 + x"], lambda p, x: 2.5 + x)
case("scalar_sub", ["input x: f32[2, 3, 5]", "output o = x - 1.5"], lambda p, x: x - 1.5)
case("scalar_rsub", ["input x: f32[2, 3, 5]", "output o = 1 - x"], lambda p, x: 1 - x)
case("negate", ["input x: f32[2, 3, 5]", "output o = -x"], lambda p, x: -x)
case("scalar_div", ["input x: f32[2, 3, 5]", "output o = x / 4"], lambda p, x: x / 4)
case("scalar_div_float", ["input x: f32[2, 3, 5]", "output o = x / 0.3"], lambda p, x: x / 0.3)
case("arith_expression",
     XYZ + ["input z: f32[2, 3, 5]", "output o = -(x * y - z) / 2 + 0.25 * x"],
     lambda p, x, y, z: -(x * y - z) / 2 + 0.25 * x)
case("residual_add",
     ["input x: f32[2, 3, 7, 9]", "output o = relu(x + (x |> c: conv2d(3, kernel=3, pad=1)))"],
     lambda p, x: F.relu(x + F.conv2d(x, p["c.weight"], p["c.bias"], padding=1)))

# --------------------------------------------------------------------------
# Shape: concat, flatten, reshape
# --------------------------------------------------------------------------

case("concat_axis1_3",
     ["input a: f32[2, 3, 5]", "input b: f32[2, 1, 5]", "input c: f32[2, 4, 5]",
      "output y = concat(a, b, c)"],
     lambda p, a, b, c: torch.cat([a, b, c], dim=1))
case("concat_axis2_3_4d",
     ["input a: f32[2, 3, 2, 5]", "input b: f32[2, 3, 4, 5]", "input c: f32[2, 3, 1, 5]",
      "output y = concat(a, b, c, axis=2)"],
     lambda p, a, b, c: torch.cat([a, b, c], dim=2))
case("concat_axis_last",
     ["input a: f32[2, 3, 5]", "input b: f32[2, 3, 2]", "input c: f32[2, 3, 7]",
      "output y = a |> concat(b, c, axis=-1)"],
     lambda p, a, b, c: torch.cat([a, b, c], dim=-1))
case("concat_axis_minus2_4d",
     ["input a: f32[2, 3, 2, 5]", "input b: f32[2, 3, 3, 5]",
      "output y = concat(a, b, axis=-2)"],
     lambda p, a, b: torch.cat([a, b], dim=-2))
case("concat_axis0",
     ["input a: f32[2, 3]", "input b: f32[1, 3]", "output y = concat(a, b, axis=0)"],
     lambda p, a, b: torch.cat([a, b], dim=0))
case("concat_same_twice", ["input a: f32[2, 3, 5]", "output y = concat(a, a, axis=2)"],
     lambda p, a: torch.cat([a, a], dim=2))
case("concat_one", ["input a: f32[2, 3, 5]", "output y = concat(a) |> relu"],
     lambda p, a: F.relu(a))
case("concat_computed",
     ["input x: f32[2, 3, 7, 9]",
      "output y = concat(relu(x), x |> c: conv2d(2, kernel=3, pad=1), sigmoid(x))"],
     lambda p, x: torch.cat([F.relu(x), F.conv2d(x, p["c.weight"], p["c.bias"], padding=1),
                             torch.sigmoid(x)], dim=1))

case("flatten_default", ["input x: f32[2, 3, 5, 7]", "output y = x |> flatten"],
     lambda p, x: x.flatten(1))
case("flatten_start2", ["input x: f32[2, 3, 5, 7]", "output y = x |> flatten(start=2)"],
     lambda p, x: x.flatten(2))
case("flatten_start_minus1", ["input x: f32[2, 3, 5]", "output y = x |> flatten(-1)"],
     lambda p, x: x)
case("flatten_conv_dense",
     ["input x: f32[2, 3, 7, 9]",
      "output y = x |> c: conv2d(4, kernel=3, stride=2) |> relu |> flatten |> fc: dense(5)"],
     lambda p, x: F.linear(F.relu(F.conv2d(x, p["c.weight"], p["c.bias"], 2)).flatten(1),
                           p["fc.weight"], p["fc.bias"]))
case("reshape_minus1_middle",
     ["input x: f32[2, 3, 5, 7]", "output y = x |> reshape([2, -1, 7])"],
     lambda p, x: x.reshape(2, -1, 7))
case("reshape_minus1_first",
     ["input x: f32[2, 3, 5, 7]", "output y = x |> reshape([-1, 5])"],
     lambda p, x: x.reshape(-1, 5))
case("reshape_explicit_then_softmax",
     ["input x: f32[2, 15]", "output y = x |> reshape([2, 3, 5]) |> softmax(axis=1)"],
     lambda p, x: F.softmax(x.reshape(2, 3, 5), dim=1))
case("reshape_then_conv",
     ["input x: f32[2, 63]",
      "output y = x |> reshape([2, 1, 7, 9]) |> c: conv2d(2, kernel=3) |> reshape([2, -1])"],
     lambda p, x: F.conv2d(x.reshape(2, 1, 7, 9), p["c.weight"], p["c.bias"]).reshape(2, -1))

# --------------------------------------------------------------------------
# argmax (inputs without ties)
# --------------------------------------------------------------------------

case("argmax_last", ["input x: f32[2, 7]", "output i = argmax(x)"],
     lambda p, x: torch.argmax(x, dim=-1), inputs={"x": distinct()})
case("argmax_axis1_3d", ["input x: f32[2, 5, 3]", "output i = x |> argmax(axis=1)"],
     lambda p, x: torch.argmax(x, dim=1), inputs={"x": distinct()})
case("argmax_axis0", ["input x: f32[4, 3]", "output i = argmax(x, axis=0)"],
     lambda p, x: torch.argmax(x, dim=0), inputs={"x": distinct()})
case("argmax_axis2_4d", ["input x: f32[2, 3, 5, 7]", "output i = argmax(x, axis=-2)"],
     lambda p, x: torch.argmax(x, dim=2), inputs={"x": distinct()})
case("argmax_negative_values", ["input x: f32[3, 9]", "output i = argmax(x - 1000)"],
     lambda p, x: torch.argmax(x, dim=-1), inputs={"x": distinct()})

# --------------------------------------------------------------------------
# Multiple outputs and inputs
# --------------------------------------------------------------------------

case("multi_output",
     ["input x: f32[2, 6]",
      "h = x |> fc: dense(5)",
      "output logits = h",
      "output probs = softmax(h)",
      "output pred = argmax(x)",
      "output act = relu(x) * 2"],
     lambda p, x: (F.linear(x, p["fc.weight"], p["fc.bias"]),
                   F.softmax(F.linear(x, p["fc.weight"], p["fc.bias"]), dim=-1),
                   torch.argmax(x, dim=-1), F.relu(x) * 2),
     inputs={"x": distinct()})
case("multi_output_mixed_dtypes",
     ["input x: f32[2, 6]",
      "output pred = argmax(x, axis=1)",
      "output probs = softmax(x, axis=1)",
      "output first = argmax(x, axis=0)"],
     lambda p, x: (torch.argmax(x, dim=1), F.softmax(x, dim=1), torch.argmax(x, dim=0)),
     inputs={"x": distinct()})
case("multi_output_chain",
     ["input x: f32[2, 3, 7, 9]",
      "output feat = x |> c: conv2d(4, kernel=3) |> relu",
      "output pooled = feat |> max_pool2d(2)",
      "output flat = pooled |> flatten"],
     lambda p, x: (lambda f: (f, F.max_pool2d(f, 2), F.max_pool2d(f, 2).flatten(1)))(
         F.relu(F.conv2d(x, p["c.weight"], p["c.bias"]))))
case("output_same_tensor_twice",
     ["input x: f32[2, 5]", "h = x |> relu", "output a = h", "output b = h"],
     lambda p, x: (F.relu(x), F.relu(x)))
case("output_is_input", ["input x: f32[2, 5]", "output y = x"], lambda p, x: x)
case("output_input_and_result",
     ["input x: f32[2, 5]", "output y = x", "output z = x * 2"], lambda p, x: (x, x * 2))
case("multi_input_dense",
     ["input a: f32[2, 4]", "input b: f32[2, 6]",
      "output y = (a |> fa: dense(3)) + (b |> fb: dense(3, bias=false))"],
     lambda p, a, b: F.linear(a, p["fa.weight"], p["fa.bias"]) + F.linear(b, p["fb.weight"]))
case("unused_input", ["input x: f32[2, 5]", "input y: f32[3]", "output o = x * 2"],
     lambda p, x, y: x * 2)
case("mini_cnn",
     ["input x: f32[2, 3, 9, 11]",
      "h = x |> c1: conv2d(4, kernel=3, pad=1, bias=false) |> bn1: batch_norm |> relu",
      "h = h |> max_pool2d(2) |> c2: conv2d(6, kernel=3) |> bn2: batch_norm |> relu",
      "output y = h |> global_avg_pool |> flatten |> fc: dense(3) |> log_softmax"],
     lambda p, x: F.log_softmax(F.linear(F.relu(F.batch_norm(F.conv2d(F.max_pool2d(F.relu(
         F.batch_norm(F.conv2d(x, p["c1.weight"], padding=1), p["bn1.running_mean"],
                      p["bn1.running_var"], p["bn1.weight"], p["bn1.bias"])), 2),
         p["c2.weight"], p["c2.bias"]), p["bn2.running_mean"], p["bn2.running_var"],
         p["bn2.weight"], p["bn2.bias"])).mean(dim=(2, 3)), p["fc.weight"], p["fc.bias"]),
         dim=-1))

# nnc --fold-batch-norm (nnc-fold-batch-norm) folds these batch norms into
# the layer before them (the layer's output has no other use, each weight is
# used >= 1024 times); the last three must not fold (too few uses; the conv
# output is also returned).
FOLD = ("--fold-batch-norm",)
case("fold_bn_conv2d_stride_relu",
     ["input x: f32[2, 3, 64, 40]",
      "output y = x |> c: conv2d(5, kernel=3, stride=2, pad=1) |> bn: batch_norm(eps=1e-3)"
      " |> relu"],
     lambda p, x: F.relu(bn_ref("bn", 1e-3)(p, conv2d_ref("c", stride=2, padding=1)(p, x))),
     nnc_flags=FOLD)
case("fold_bn_conv1d_groups_no_bias",
     ["input x: f32[2, 4, 600]",
      "output y = x |> c: conv1d(6, kernel=3, groups=2, bias=false) |> bn: batch_norm"],
     lambda p, x: bn_ref("bn")(p, conv1d_ref("c", groups=2, bias=False)(p, x)),
     nnc_flags=FOLD)
case("fold_bn_depthwise",
     ["input x: f32[1, 4, 33, 33]",
      "output y = x |> c: conv2d(4, kernel=3, pad=1, groups=4) |> bn: batch_norm"],
     lambda p, x: bn_ref("bn")(p, conv2d_ref("c", padding=1, groups=4)(p, x)),
     nnc_flags=FOLD)
case("fold_bn_dense_batch1024",
     ["input x: f32[1024, 7]", "output y = x |> fc: dense(5) |> bn: batch_norm |> tanh"],
     lambda p, x: torch.tanh(bn_ref("bn")(p, F.linear(x, p["fc.weight"], p["fc.bias"]))),
     nnc_flags=FOLD)
case("no_fold_bn_conv_few_uses",
     ["input x: f32[1, 3, 12, 12]",
      "output y = x |> c: conv2d(4, kernel=3, pad=1) |> bn: batch_norm"],
     lambda p, x: bn_ref("bn")(p, conv2d_ref("c", padding=1)(p, x)),
     nnc_flags=FOLD)
case("no_fold_bn_dense_batch2",
     ["input x: f32[2, 7]", "output y = x |> fc: dense(5, bias=false) |> bn: batch_norm"],
     lambda p, x: bn_ref("bn")(p, F.linear(x, p["fc.weight"])),
     nnc_flags=FOLD)
case("no_fold_bn_conv_output_used",
     ["input x: f32[2, 3, 6, 6]", "h = x |> c: conv2d(4, kernel=3)",
      "output y = h |> bn: batch_norm", "output z = h"],
     lambda p, x: (bn_ref("bn")(p, conv2d_ref("c")(p, x)), conv2d_ref("c")(p, x)),
     nnc_flags=FOLD)

# --------------------------------------------------------------------------
# Subsets (--subset NAME)
# --------------------------------------------------------------------------

# aarch64 (test/e2e/aarch64.test, run under QEMU): every op family, with the
# cases that combine the most attributes (stride, pad, dilation, groups,
# odd sizes, vector tails, exp overflow), about a third of CASES. Pooling
# has its own subset in test_pool_ops.py.
AARCH64 = [
    # dense, matmul (K = 301: vector remainders)
    "dense_bias", "dense_no_bias", "dense_wide_k", "dense_chain", "matmul_2d", "matmul_3d",
    "matmul_4d", "matmul_blocked",
    # conv1d, conv2d
    "conv1d_stride_pad_dilation", "conv1d_groups_no_bias", "conv1d_depthwise",
    "conv1d_same_even_kernel", "conv2d_stride2_pad1", "conv2d_rect_kernel_stride_pad",
    "conv2d_same_dilated", "conv2d_groups", "conv2d_depthwise_multiplier_stride",
    "conv2d_1x1", "conv2d_everything", "conv2d_many_channels",
    # conv_transpose1d, conv_transpose2d
    "conv_transpose1d_stride_pad_output_pad", "conv_transpose1d_dilation_groups",
    "conv_transpose2d_k2_s2", "conv_transpose2d_dilation_output_pad",
    "conv_transpose2d_depthwise", "conv_transpose2d_everything",
    # normalizations, dropout
    "batch_norm_4d", "batch_norm_2d", "layer_norm_dims2", "layer_norm_dims1_no_affine",
    "group_norm_3_groups", "group_norm_1d", "instance_norm_affine",
    "instance_norm_1d_affine_eps", "dropout_p",
    # activations (exp/tanh over/underflow), softmax, log_softmax, maxout
    "relu", "leaky_relu_slope", "elu_large", "sigmoid_large", "tanh_large", "tanh_small",
    "softmax_axis1_4d", "softmax_large_last", "log_softmax_axis_minus2_3d",
    "log_softmax_large_axis1", "log_softmax_spread", "maxout_3_4d", "maxout_2d",
    # arithmetic, concat, reshape/flatten, argmax, several outputs, a small CNN
    "arith_expression", "residual_add", "scalar_rsub", "scalar_div_float", "negate",
    "concat_axis2_3_4d", "concat_axis_minus2_4d", "flatten_start2", "flatten_conv_dense",
    "reshape_minus1_middle", "reshape_then_conv", "argmax_axis1_3d", "argmax_axis2_4d",
    "multi_output_mixed_dtypes", "mini_cnn", "fold_bn_conv1d_groups_no_bias",
    "fold_bn_depthwise",
]

SUBSETS = {"aarch64": AARCH64}


if __name__ == "__main__":
    sys.exit(oracle.suite_main(CASES, __doc__.split("\n\n")[0], SUBSETS))
