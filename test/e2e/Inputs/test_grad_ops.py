#!/usr/bin/env python3
"""Gradient checks of every differentiable nn op and attribute variant.

Each case is a tiny model (batch 2-6, a few channels, odd sizes) of the form

    y = x |> pre: conv2d(C, kernel=1) |> OP(...)        (or pre: dense / conv1d)
    output y
    train { target t: f32[..]; loss = mse(y, t); optimizer = sgd(lr=1.0) }

(or softmax_cross_entropy / hinge / sums with l2_penalty), so that the
trainable `pre` layer BEFORE the op observes the op's input gradient (its
weight gradient is sum over positions of dL/d(op input) times x) and the
op's own parameters (if any) observe its parameter gradients. nnc's
<m>_train_step runs one step of plain SGD with lr 1 from seeded random
parameters (oracle.py's default_param) on a seeded random batch, so
g_nnc = params_before - params_after (see train_oracle.py).

Two comparisons per case, both with the tolerance

    max|g_nnc - g_ref| <= 1e-4 * S + 2^-24 * max|p_after|   per trainable tensor
    S = max(max|g_ref| of the tensor, 1e-2 * max|g_ref| over all tensors)

  1. autograd: g_ref = torch.autograd's gradient of the same loss written
     with torch.nn.functional in float64 (all elements of every trainable
     tensor); the loss itself within 1e-4 * max(1, |loss|) and batch-norm
     running statistics (PyTorch's momentum convention, unbiased variance)
     within 1e-4 * max(1, max|ref|).
  2. finite differences: g_ref = (L(w + h) - L(w - h)) / 2h, h = 1e-6 *
     max(1, |w|), of the float64 PyTorch loss (nnc cannot evaluate its loss
     in float64, and central differences of its float32 loss would carry
     ~1e-7 * |L| / h of rounding noise), for 3 elements of every trainable
     tensor (its largest autograd gradient and two random ones). This checks
     nnc's gradients against a reference that does not use autograd's
     backward rules; float64 central differences are accurate to ~1e-8
     relative here.

Dropout: nnc draws the mask from (seed, step, index) (the nn.dropout_mask
lowering in passes/LowerNNToLinalgGradient.cpp): with z = (step << 32) +
seed * 0x9E3779B97F4A7C15 + i (mod 2^64, i the row-major element index,
seed = the dropout call's number in the training graph, step = the number of
steps taken before), h = splitmix64_finalizer(z) >> 32, the element is kept
iff h >= ceil(p * 2^32) and then divided by (1 - p). dropout_mask() below
rebuilds it in numpy for the PyTorch reference.

Each case also runs <m>_infer on the updated parameters and compares it with
the eval-mode reference (batch norm with the running statistics, dropout the
identity) within 1e-4 * max(1, max|ref|), and the driver's ABI checks.

    test_grad_ops.py --nnc build/bin/nnc [-j 1] [--keep DIR] [-v] [--list] [name-regex...]
"""

import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep the source tree clean (lit runs from it)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import train_oracle  # noqa: E402
from oracle import OracleError  # noqa: E402
from train_oracle import Optimizer, TrainCase, labels  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# --------------------------------------------------------------------------
# Building the cases.
# --------------------------------------------------------------------------


class Loss:
    """The train section's loss: targets (name, dtype, shape or "y" for the
    output's shape or "n" for [batch]), the DSL expression and the float64
    PyTorch definition ref(y, targets, p)."""

    def __init__(self, targets, dsl, ref, fillers=None):
        self.targets, self.dsl, self.ref, self.fillers = targets, dsl, ref, fillers or {}


MSE = Loss([("t", "f32", "y")], "mse(y, t)", lambda y, t, p: F.mse_loss(y, t["t"]))


def CE(classes):
    return Loss([("label", "i32", "n")], "softmax_cross_entropy(y, label)",
                lambda y, t, p: F.cross_entropy(y, t["label"]), {"label": labels(classes)})


def HINGE(classes, margin=None):
    dsl = "hinge(y, label)" if margin is None else f"hinge(y, label, margin={margin})"
    m = 1.0 if margin is None else margin
    return Loss([("label", "i32", "n")], dsl,
                lambda y, t, p: F.multi_margin_loss(y, t["label"], p=1, margin=m),
                {"label": labels(classes)})


INFER_RESULT_RE = re.compile(r"func\.func @infer\(.*\) -> \(?tensor<([0-9x]*)xf32>")


def output_shape(nnc, inputs, body):
    """The shape of `y`, from nnc's own shape inference (--emit=nn of the
    model without its train section)."""
    text = "model m {\n" + "\n".join(f"  input {i}" for i in inputs) + "\n" + \
        "\n".join(f"  {line}" for line in body) + "\n  output y\n}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".nn", delete=False) as f:
        f.write(text)
    try:
        proc = subprocess.run([nnc, f.name, "--emit=nn"], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if proc.returncode != 0:
        raise OracleError(f"nnc --emit=nn of the model body failed:\n{proc.stderr.strip()}")
    match = INFER_RESULT_RE.search(proc.stdout)
    if not match:
        raise OracleError("cannot find @infer's f32 result type in --emit=nn")
    return [int(d) for d in match.group(1).split("x") if d]


class Source:
    """The .nn text of a case, made when the case runs (the target's shape
    comes from nnc's shape inference of y)."""

    def __init__(self, inputs, body, loss):
        self.inputs, self.body, self.loss = inputs, body, loss

    def __call__(self, nnc):
        shape = output_shape(nnc, self.inputs, self.body)
        lines = [f"input {i}" for i in self.inputs] + list(self.body) + ["output y", "train {"]
        for name, dtype, spec in self.loss.targets:
            dims = shape if spec == "y" else [shape[0]] if spec == "n" else spec
            lines.append(f"  target {name}: {dtype}[{', '.join(str(d) for d in dims)}]")
        lines += [f"  loss = {self.loss.dsl}", "  optimizer = sgd(lr=1.0)", "}"]
        return "model m {\n" + "\n".join(f"  {line}" for line in lines) + "\n}\n"


CASES = []


def case(name, inputs, body, fwd, loss=MSE, fillers=None, params=None, steps=1,
         optimizer=None, fd=True):
    """inputs: ["x: f32[2, 3, 7, 9]", ...]; body: DSL lines binding y;
    fwd(p, *x, train) -> y in float64 (train: batch statistics, dropout)."""
    def loss_fn(p, x, t):
        return loss.ref(fwd(p, *x, train=True), t, p)

    def forward(p, *x):
        return fwd(p, *x, train=False)

    all_fillers = dict(loss.fillers)
    all_fillers.update(fillers or {})
    kind = "grad" if optimizer is None else "trajectory"
    CASES.append(TrainCase(name, Source(inputs, body, loss), loss_fn, forward, kind=kind,
                           steps=steps, optimizer=optimizer, fillers=all_fillers,
                           params=params, fd=fd))


def const(value):
    return lambda g, shape: torch.full(shape, float(value))


def pad_input(x, pads):
    flat = []
    for lo, hi in reversed(pads):
        flat += [lo, hi]
    return F.pad(x, flat)


# The trainable layer before the op, in DSL and PyTorch.
def pre1d(c):
    return f"pre: conv1d({c}, kernel=1)"


def pre2d(c):
    return f"pre: conv2d({c}, kernel=1)"


def pre_dense(n):
    return f"pre: dense({n})"


def P1(p, x):
    return F.conv1d(x, p["pre.weight"], p["pre.bias"])


def P2(p, x):
    return F.conv2d(x, p["pre.weight"], p["pre.bias"])


def PD(p, x):
    return F.linear(x, p["pre.weight"], p["pre.bias"])


X1 = "x: f32[2, 3, 11]"
X2 = "x: f32[2, 3, 7, 9]"
XD = "x: f32[4, 5]"

# --------------------------------------------------------------------------
# dense, matmul
# --------------------------------------------------------------------------

case("dense_bias", [XD], [f"y = x |> {pre_dense(6)} |> fc: dense(4)"],
     lambda p, x, train: F.linear(PD(p, x), p["fc.weight"], p["fc.bias"]))
case("dense_no_bias", [XD], [f"y = x |> {pre_dense(6)} |> fc: dense(3, bias=false)"],
     lambda p, x, train: F.linear(PD(p, x), p["fc.weight"]))
case("dense_relu_chain", [XD], [f"y = x |> {pre_dense(7)} |> relu |> fc: dense(4)"],
     lambda p, x, train: F.linear(F.relu(PD(p, x)), p["fc.weight"], p["fc.bias"]))
case("dense_wide", ["x: f32[3, 67]"], [f"y = x |> {pre_dense(33)} |> fc: dense(17)"],
     lambda p, x, train: F.linear(PD(p, x), p["fc.weight"], p["fc.bias"]))
# 260 rows (>= 256): both forward dense layers transpose their weights for
# the outer-product kernel (nnc-dense-microkernel's transpose-min-rows);
# 37 outputs leave a vector tail, 260 rows a short row block.
case("dense_many_rows", ["x: f32[260, 19]"], [f"y = x |> {pre_dense(37)} |> fc: dense(21)"],
     lambda p, x, train: F.linear(PD(p, x), p["fc.weight"], p["fc.bias"]))

MM_BODY = ["a = x |> pa: dense(4)", "b = z |> pb: dense(2)"]


def pa(p, x):
    return F.linear(x, p["pa.weight"], p["pa.bias"])


def pb(p, z):
    return F.linear(z, p["pb.weight"], p["pb.bias"])


case("matmul_2d", ["x: f32[3, 5]", "z: f32[4, 6]"], MM_BODY + ["y = matmul(a, b)"],
     lambda p, x, z, train: pa(p, x) @ pb(p, z))
case("matmul_2d_pipe", ["x: f32[3, 5]", "z: f32[4, 6]"], MM_BODY + ["y = a |> matmul(b)"],
     lambda p, x, z, train: pa(p, x) @ pb(p, z))
case("matmul_3d", ["x: f32[6, 5]", "z: f32[8, 6]"],
     ["a = x |> pa: dense(4) |> reshape([2, 3, 4])",
      "b = z |> pb: dense(5) |> reshape([2, 4, 5])", "y = matmul(a, b)"],
     lambda p, x, z, train: torch.matmul(pa(p, x).reshape(2, 3, 4), pb(p, z).reshape(2, 4, 5)))
case("matmul_4d", ["x: f32[12, 5]", "z: f32[16, 3]"],
     ["a = x |> pa: dense(4) |> reshape([2, 2, 3, 4])",
      "b = z |> pb: dense(5) |> reshape([2, 2, 4, 5])", "y = matmul(a, b)"],
     lambda p, x, z, train: torch.matmul(pa(p, x).reshape(2, 2, 3, 4),
                                         pb(p, z).reshape(2, 2, 4, 5)))
case("matmul_same_operand", ["x: f32[4, 5]"], ["a = x |> pa: dense(4)", "y = matmul(a, a)"],
     lambda p, x, train: pa(p, x) @ pa(p, x))

# --------------------------------------------------------------------------
# conv1d, conv2d
# --------------------------------------------------------------------------


def conv(dim, stride=1, padding=0, dilation=1, groups=1, bias=True, pads=None, pre=None):
    fn = F.conv1d if dim == 1 else F.conv2d
    pre = pre or (P1 if dim == 1 else P2)

    def fwd(p, x, train):
        h = pre(p, x)
        if pads is not None:
            h = pad_input(h, pads)
        return fn(h, p["c.weight"], p["c.bias"] if bias else None, stride, padding, dilation,
                  groups)
    return fwd


case("conv1d_basic", [X1], [f"y = x |> {pre1d(4)} |> c: conv1d(5, kernel=3)"], conv(1))
case("conv1d_stride_pad_dilation", [X1],
     [f"y = x |> {pre1d(4)} |> c: conv1d(5, kernel=3, stride=2, pad=2, dilation=2)"],
     conv(1, stride=2, padding=2, dilation=2))
case("conv1d_groups_no_bias", [X1],
     [f"y = x |> {pre1d(4)} |> c: conv1d(6, kernel=3, groups=2, bias=false)"],
     conv(1, groups=2, bias=False))
case("conv1d_depthwise", [X1], [f"y = x |> {pre1d(4)} |> c: conv1d(8, kernel=5, pad=2, groups=4)"],
     conv(1, padding=2, groups=4))
case("conv1d_same_even_kernel", [X1],  # total pad 3: 1 low, 2 high
     [f"y = x |> {pre1d(4)} |> c: conv1d(3, kernel=4, pad=\"same\")"], conv(1, pads=[(1, 2)]))
case("conv1d_stride_over_kernel", [X1],  # stride 3 > kernel 2: unused input positions
     [f"y = x |> {pre1d(4)} |> c: conv1d(3, kernel=2, stride=3)"], conv(1, stride=3))

case("conv2d_basic", [X2], [f"y = x |> {pre2d(4)} |> c: conv2d(5, kernel=3)"], conv(2))
case("conv2d_stride2_pad1", [X2],
     [f"y = x |> {pre2d(4)} |> c: conv2d(5, kernel=3, stride=2, pad=1)"],
     conv(2, stride=2, padding=1))
case("conv2d_rect_kernel_stride_pad", [X2],
     [f"y = x |> {pre2d(4)} |> c: conv2d(5, kernel=[3, 2], stride=[2, 1], pad=[1, 0])"],
     conv(2, stride=(2, 1), padding=(1, 0)))
case("conv2d_stride3_kernel2_groups", [X2],  # phases: one without taps, odd sizes
     [f"y = x |> {pre2d(4)} |> c: conv2d(4, kernel=[3, 2], stride=[2, 3], pad=[2, 1], groups=2)"],
     conv(2, stride=(2, 3), padding=(2, 1), groups=2))
case("conv2d_pad_list", [X2], [f"y = x |> {pre2d(3)} |> c: conv2d(3, kernel=3, pad=[2, 1])"],
     conv(2, padding=(2, 1)))
case("conv2d_same_odd_kernel", [X2],
     [f"y = x |> {pre2d(4)} |> c: conv2d(4, kernel=3, pad=\"same\")"], conv(2, padding=1))
case("conv2d_same_even_kernel", [X2],  # asymmetric: H (1, 2), W (0, 1)
     [f"y = x |> {pre2d(4)} |> c: conv2d(4, kernel=[4, 2], pad=\"same\")"],
     conv(2, pads=[(1, 2), (0, 1)]))
case("conv2d_same_dilated", [X2],  # H: 3*(2-1) = 3 -> (1, 2); W: (1, 1)
     [f"y = x |> {pre2d(3)} |> c: conv2d(3, kernel=[2, 3], dilation=[3, 1], pad=\"same\")"],
     conv(2, dilation=(3, 1), pads=[(1, 2), (1, 1)]))
case("conv2d_dilation", [X2], [f"y = x |> {pre2d(4)} |> c: conv2d(4, kernel=3, dilation=[2, 3])"],
     conv(2, dilation=(2, 3)))
case("conv2d_groups", [X2], [f"y = x |> {pre2d(4)} |> c: conv2d(6, kernel=3, pad=1, groups=2)"],
     conv(2, padding=1, groups=2))
case("conv2d_depthwise", [X2], [f"y = x |> {pre2d(4)} |> c: conv2d(4, kernel=3, pad=1, groups=4)"],
     conv(2, padding=1, groups=4))
case("conv2d_depthwise_multiplier_stride", [X2],
     [f"y = x |> {pre2d(3)} |> c: conv2d(6, kernel=3, stride=2, groups=3, bias=false)"],
     conv(2, stride=2, groups=3, bias=False))
case("conv2d_stride_over_kernel", [X2],
     [f"y = x |> {pre2d(3)} |> c: conv2d(4, kernel=2, stride=3)"], conv(2, stride=3))
case("conv2d_everything", ["x: f32[2, 4, 11, 13]"],
     [f"y = x |> {pre2d(4)} |> c: conv2d(6, kernel=[3, 5], stride=[2, 3], pad=[1, 2], "
      "dilation=[2, 1], groups=2, bias=false)"],
     conv(2, stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2, bias=False))

# Weight-gradient kernel blocks (nnc-conv-weight-grad-microkernel, 16 lanes):
# 11 filters = a block of 8 + 3 for 3-wide kernels; output rows of 36 = two
# full vectors + a 4-lane tail, and of 19 with stride 2 (16 + a 3-lane tail).
case("conv2d_wide_rows", ["x: f32[2, 3, 4, 40]"],
     [f"y = x |> {pre2d(3)} |> c: conv2d(11, kernel=[2, 5], dilation=[1, 1])"], conv(2))
case("conv2d_wide_rows_stride2", ["x: f32[2, 3, 5, 37]"],
     [f"y = x |> {pre2d(3)} |> c: conv2d(11, kernel=3, stride=2, pad=1)"],
     conv(2, stride=2, padding=1))

# --------------------------------------------------------------------------
# conv_transpose1d, conv_transpose2d
# --------------------------------------------------------------------------


def convt(dim, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=True):
    fn = F.conv_transpose1d if dim == 1 else F.conv_transpose2d
    pre = P1 if dim == 1 else P2
    return lambda p, x, train: fn(pre(p, x), p["t.weight"], p["t.bias"] if bias else None,
                                  stride, padding, output_padding, groups, dilation)


XT1 = "x: f32[2, 3, 7]"
XT2 = "x: f32[2, 3, 5, 7]"
case("conv_transpose1d_basic", [XT1], [f"y = x |> {pre1d(3)} |> t: conv_transpose1d(4, kernel=3)"],
     convt(1))
case("conv_transpose1d_stride_pad_output_pad", [XT1],
     [f"y = x |> {pre1d(3)} |> t: conv_transpose1d(2, kernel=4, stride=3, pad=1, output_pad=2)"],
     convt(1, stride=3, padding=1, output_padding=2))
case("conv_transpose1d_dilation_groups", ["x: f32[2, 3, 9]"],
     [f"y = x |> {pre1d(4)} |> t: conv_transpose1d(6, kernel=3, dilation=2, groups=2)"],
     convt(1, dilation=2, groups=2))
case("conv_transpose1d_no_bias", [XT1],
     [f"y = x |> {pre1d(3)} |> t: conv_transpose1d(3, kernel=2, stride=2, bias=false)"],
     convt(1, stride=2, bias=False))
case("conv_transpose2d_basic", [XT2],
     [f"y = x |> {pre2d(3)} |> t: conv_transpose2d(4, kernel=3)"], convt(2))
case("conv_transpose2d_k2_s2", [XT2],
     [f"y = x |> {pre2d(4)} |> t: conv_transpose2d(3, kernel=2, stride=2)"], convt(2, stride=2))
case("conv_transpose2d_stride2_pad1_output_pad1", [XT2],
     [f"y = x |> {pre2d(3)} |> t: conv_transpose2d(4, kernel=3, stride=2, pad=1, output_pad=1)"],
     convt(2, stride=2, padding=1, output_padding=1))
case("conv_transpose2d_rect", [XT2],
     [f"y = x |> {pre2d(2)} |> t: conv_transpose2d(3, kernel=[2, 3], stride=[2, 3], pad=[0, 1], "
      "output_pad=[1, 2])"],
     convt(2, stride=(2, 3), padding=(0, 1), output_padding=(1, 2)))
case("conv_transpose2d_dilation_output_pad", [XT2],
     [f"y = x |> {pre2d(2)} |> t: conv_transpose2d(3, kernel=3, dilation=[2, 3], "
      "output_pad=[1, 2])"],
     convt(2, dilation=(2, 3), output_padding=(1, 2)))
case("conv_transpose2d_groups", [XT2],
     [f"y = x |> {pre2d(4)} |> t: conv_transpose2d(6, kernel=3, stride=2, groups=2)"],
     convt(2, stride=2, groups=2))
case("conv_transpose2d_depthwise", [XT2],
     [f"y = x |> {pre2d(4)} |> t: conv_transpose2d(4, kernel=3, stride=2, pad=1, groups=4)"],
     convt(2, stride=2, padding=1, groups=4))
case("conv_transpose2d_everything", ["x: f32[2, 3, 5, 6]"],
     [f"y = x |> {pre2d(4)} |> t: conv_transpose2d(6, kernel=[3, 4], stride=[2, 3], pad=[1, 2], "
      "output_pad=[1, 0], dilation=[2, 1], groups=2)"],
     convt(2, stride=(2, 3), padding=(1, 2), output_padding=(1, 0), dilation=(2, 1), groups=2))

# --------------------------------------------------------------------------
# Pooling, upsample
# --------------------------------------------------------------------------

# pre.bias = -6 makes every pooled value negative: padding must act as -inf
# for max pooling (a zero from the padding would win and take the gradient).
NEG = {"pre.bias": const(-6.0)}


def pool(fn, pre, *args, **kwargs):
    return lambda p, x, train: fn(pre(p, x), *args, **kwargs)


case("max_pool2d_k2", [X2], [f"y = x |> {pre2d(3)} |> max_pool2d(2)"],
     pool(F.max_pool2d, P2, 2))
case("max_pool2d_k3_s2_overlap", [X2], [f"y = x |> {pre2d(3)} |> max_pool2d(3, stride=2)"],
     pool(F.max_pool2d, P2, 3, 2))
case("max_pool2d_k3_s1_overlap", [X2], [f"y = x |> {pre2d(2)} |> max_pool2d(3, stride=1)"],
     pool(F.max_pool2d, P2, 3, 1))
case("max_pool2d_pad_negative", [X2], [f"y = x |> {pre2d(3)} |> max_pool2d(3, stride=2, pad=1)"],
     pool(F.max_pool2d, P2, 3, 2, 1), params=NEG)
case("max_pool2d_rect_pad", [X2],
     [f"y = x |> {pre2d(3)} |> max_pool2d([2, 3], stride=[1, 2], pad=[1, 1])"],
     pool(F.max_pool2d, P2, (2, 3), (1, 2), (1, 1)), params=NEG)
case("max_pool2d_dilation", [X2], [f"y = x |> {pre2d(3)} |> max_pool2d(2, stride=1, dilation=2)"],
     pool(F.max_pool2d, P2, 2, 1, 0, 2))
case("max_pool2d_dilation_rect", ["x: f32[2, 2, 9, 11]"],
     [f"y = x |> {pre2d(2)} |> max_pool2d([3, 2], stride=[1, 2], pad=[1, 0], dilation=[2, 3])"],
     pool(F.max_pool2d, P2, (3, 2), (1, 2), (1, 0), (2, 3)), params=NEG)
# Disjoint windows with gaps: extent 3 (kernel 2, dilation 2) at stride 3
# with padding, so offset 1 of each window is not a tap.
case("max_pool2d_disjoint_dilated_pad", ["x: f32[2, 2, 10, 11]"],
     [f"y = x |> {pre2d(2)} |> max_pool2d(2, stride=3, pad=1, dilation=2)"],
     pool(F.max_pool2d, P2, 2, 3, 1, 2), params=NEG)
case("max_pool2d_ceil", [X2], [f"y = x |> {pre2d(3)} |> max_pool2d(2, ceil_mode=true)"],
     pool(F.max_pool2d, P2, 2, ceil_mode=True))
case("max_pool2d_ceil_pad", ["x: f32[2, 3, 8, 10]"],
     [f"y = x |> {pre2d(3)} |> max_pool2d(3, stride=2, pad=1, ceil_mode=true)"],
     pool(F.max_pool2d, P2, 3, 2, 1, ceil_mode=True), params=NEG)
case("max_pool2d_ceil_drop_last", ["x: f32[2, 2, 5, 7]"],
     [f"y = x |> {pre2d(2)} |> max_pool2d(2, stride=2, pad=1, ceil_mode=true)"],
     pool(F.max_pool2d, P2, 2, 2, 1, ceil_mode=True), params=NEG)
# Windows that tile the input (nnc-pool-microkernel's scatter): rows longer
# than one vector plus a tail, stride 3, rectangular windows, and 1-D.
case("max_pool2d_tiled_wide_rows", ["x: f32[2, 3, 4, 40]"],
     [f"y = x |> {pre2d(3)} |> max_pool2d(2)"], pool(F.max_pool2d, P2, 2))
case("max_pool2d_tiled_stride3", ["x: f32[2, 2, 9, 57]"],
     [f"y = x |> {pre2d(2)} |> max_pool2d(3)"], pool(F.max_pool2d, P2, 3))
case("max_pool2d_tiled_rect", ["x: f32[2, 2, 6, 18]"],
     [f"y = x |> {pre2d(2)} |> max_pool2d([3, 2])"], pool(F.max_pool2d, P2, (3, 2)))
case("max_pool1d_tiled", ["x: f32[2, 3, 38]"],
     [f"y = x |> {pre1d(3)} |> max_pool1d(2)"], pool(F.max_pool1d, P1, 2))
# No padding but overlapping, strided and dilated windows on wide rows: the
# argmax kernel with the general gather.
case("max_pool2d_overlap_wide_rows", ["x: f32[2, 2, 7, 45]"],
     [f"y = x |> {pre2d(2)} |> max_pool2d(3, stride=2, dilation=[1, 2])"],
     pool(F.max_pool2d, P2, 3, 2, 0, (1, 2)))
case("max_pool1d_k3", [X1], [f"y = x |> {pre1d(3)} |> max_pool1d(3)"],
     pool(F.max_pool1d, P1, 3))
case("max_pool1d_stride_pad", [X1], [f"y = x |> {pre1d(3)} |> max_pool1d(4, stride=3, pad=2)"],
     pool(F.max_pool1d, P1, 4, 3, 2), params=NEG)
case("max_pool1d_dilation_ceil", ["x: f32[2, 3, 12]"],
     [f"y = x |> {pre1d(3)} |> max_pool1d(3, stride=2, pad=1, dilation=2, ceil_mode=true)"],
     pool(F.max_pool1d, P1, 3, 2, 1, 2, ceil_mode=True), params=NEG)

case("avg_pool2d_k2", [X2], [f"y = x |> {pre2d(3)} |> avg_pool2d(2)"],
     pool(F.avg_pool2d, P2, 2))
case("avg_pool2d_k3_s1_overlap", [X2], [f"y = x |> {pre2d(3)} |> avg_pool2d(3, stride=1)"],
     pool(F.avg_pool2d, P2, 3, 1))
case("avg_pool2d_pad_include", [X2], [f"y = x |> {pre2d(3)} |> avg_pool2d(3, stride=2, pad=1)"],
     pool(F.avg_pool2d, P2, 3, 2, 1, count_include_pad=True))
case("avg_pool2d_pad_exclude", [X2],
     [f"y = x |> {pre2d(3)} |> avg_pool2d(3, stride=2, pad=1, count_include_pad=false)"],
     pool(F.avg_pool2d, P2, 3, 2, 1, count_include_pad=False))
case("avg_pool2d_rect", [X2],
     [f"y = x |> {pre2d(3)} |> avg_pool2d([3, 2], stride=[2, 1], pad=[1, 0])"],
     pool(F.avg_pool2d, P2, (3, 2), (2, 1), (1, 0)))
case("avg_pool2d_disjoint_gaps", ["x: f32[2, 2, 10, 11]"],  # kernel 2 < stride 3
     [f"y = x |> {pre2d(2)} |> avg_pool2d(2, stride=3, pad=1, count_include_pad=false)"],
     pool(F.avg_pool2d, P2, 2, 3, 1, count_include_pad=False))
case("avg_pool2d_ceil", [X2], [f"y = x |> {pre2d(3)} |> avg_pool2d(2, ceil_mode=true)"],
     pool(F.avg_pool2d, P2, 2, ceil_mode=True))
case("avg_pool2d_ceil_pad_include", ["x: f32[2, 3, 8, 10]"],
     [f"y = x |> {pre2d(3)} |> avg_pool2d(3, stride=2, pad=1, ceil_mode=true)"],
     pool(F.avg_pool2d, P2, 3, 2, 1, ceil_mode=True, count_include_pad=True))
case("avg_pool2d_ceil_pad_exclude", ["x: f32[2, 3, 8, 10]"],
     [f"y = x |> {pre2d(3)} |> avg_pool2d(3, stride=2, pad=1, ceil_mode=true, "
      "count_include_pad=false)"],
     pool(F.avg_pool2d, P2, 3, 2, 1, ceil_mode=True, count_include_pad=False))
case("avg_pool1d_pad_exclude", [X1],
     [f"y = x |> {pre1d(3)} |> avg_pool1d(3, stride=2, pad=1, count_include_pad=false)"],
     pool(F.avg_pool1d, P1, 3, 2, 1, count_include_pad=False))
case("avg_pool1d_ceil_pad_include", ["x: f32[2, 3, 10]"],
     [f"y = x |> {pre1d(3)} |> avg_pool1d(4, stride=3, pad=2, ceil_mode=true)"],
     pool(F.avg_pool1d, P1, 4, 3, 2, ceil_mode=True, count_include_pad=True))
case("avg_pool1d_ceil_pad_exclude", ["x: f32[2, 3, 10]"],
     [f"y = x |> {pre1d(3)} |> avg_pool1d(4, stride=3, pad=2, ceil_mode=true, "
      "count_include_pad=false)"],
     pool(F.avg_pool1d, P1, 4, 3, 2, ceil_mode=True, count_include_pad=False))

case("global_avg_pool_2d", [X2], [f"y = x |> {pre2d(4)} |> global_avg_pool"],
     lambda p, x, train: P2(p, x).mean(dim=(2, 3), keepdim=True))
case("global_avg_pool_1d", [X1], [f"y = x |> {pre1d(4)} |> global_avg_pool |> flatten"],
     lambda p, x, train: P1(p, x).mean(dim=2))

case("upsample_2", [XT2], [f"y = x |> {pre2d(3)} |> upsample"],
     lambda p, x, train: F.interpolate(P2(p, x), scale_factor=2, mode="nearest"))
case("upsample_2_3", [XT2], [f"y = x |> {pre2d(3)} |> upsample(scale=[2, 3])"],
     lambda p, x, train: P2(p, x).repeat_interleave(2, dim=2).repeat_interleave(3, dim=3))
case("upsample_1d_3", [XT1], [f"y = x |> {pre1d(3)} |> upsample(scale=3)"],
     lambda p, x, train: P1(p, x).repeat_interleave(3, dim=2))

# --------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------


def bn(p, name, x, train, momentum=0.1, eps=1e-5):
    return F.batch_norm(x, p[name + ".running_mean"], p[name + ".running_var"],
                        p[name + ".weight"], p[name + ".bias"], train, momentum, eps)


case("batch_norm_2d", ["x: f32[6, 5]"], [f"y = x |> {pre_dense(4)} |> bn: batch_norm"],
     lambda p, x, train: bn(p, "bn", PD(p, x), train))
case("batch_norm_4d", [X2], [f"y = x |> {pre2d(4)} |> bn: batch_norm"],
     lambda p, x, train: bn(p, "bn", P2(p, x), train))
case("batch_norm_3d_eps_momentum", ["x: f32[3, 3, 11]"],
     [f"y = x |> {pre1d(4)} |> bn: batch_norm(eps=1e-3, momentum=0.3)"],
     lambda p, x, train: bn(p, "bn", P1(p, x), train, 0.3, 1e-3))
case("batch_norm_momentum_1", [X2], [f"y = x |> {pre2d(3)} |> bn: batch_norm(momentum=1.0)"],
     lambda p, x, train: bn(p, "bn", P2(p, x), train, 1.0))
case("batch_norm_chain", [X2],
     [f"y = x |> {pre2d(4)} |> bn1: batch_norm |> relu |> c: conv2d(3, kernel=3, pad=1) "
      "|> bn2: batch_norm"],
     lambda p, x, train: bn(p, "bn2", F.conv2d(F.relu(bn(p, "bn1", P2(p, x), train)),
                                               p["c.weight"], p["c.bias"], padding=1), train))


def ln(dims, affine=True, eps=1e-5, pre=P1):
    def fwd(p, x, train):
        h = pre(p, x)
        return F.layer_norm(h, h.shape[-dims:], p["ln.weight"] if affine else None,
                            p["ln.bias"] if affine else None, eps)
    return fwd


case("layer_norm_dims1", [X1], [f"y = x |> {pre1d(4)} |> ln: layer_norm"], ln(1))
case("layer_norm_dims2", [X1], [f"y = x |> {pre1d(4)} |> ln: layer_norm(dims=2)"], ln(2))
case("layer_norm_dims1_no_affine", [X1],
     [f"y = x |> {pre1d(4)} |> layer_norm(affine=false)"], ln(1, affine=False))
case("layer_norm_dims2_no_affine", [X1],
     [f"y = x |> {pre1d(4)} |> layer_norm(dims=2, affine=false)"], ln(2, affine=False))
case("layer_norm_2d_input_eps", ["x: f32[3, 5]"],
     [f"y = x |> {pre_dense(6)} |> ln: layer_norm(eps=1e-3)"], ln(1, eps=1e-3, pre=PD))
case("layer_norm_dims3", [X2], [f"y = x |> {pre2d(3)} |> ln: layer_norm(dims=3)"],
     ln(3, pre=P2))


def gn(groups, affine=True, eps=1e-5, pre=P2):
    return lambda p, x, train: F.group_norm(pre(p, x), groups, p["gn.weight"] if affine else None,
                                            p["gn.bias"] if affine else None, eps)


case("group_norm_3_groups", [X2], [f"y = x |> {pre2d(6)} |> gn: group_norm(3)"], gn(3))
case("group_norm_1_group", [X2], [f"y = x |> {pre2d(4)} |> gn: group_norm(1)"], gn(1))
case("group_norm_per_channel_eps", [X2],
     [f"y = x |> {pre2d(4)} |> gn: group_norm(groups=4, eps=1e-3)"], gn(4, eps=1e-3))
case("group_norm_no_affine", [X2], [f"y = x |> {pre2d(6)} |> group_norm(2, affine=false)"],
     gn(2, affine=False))
case("group_norm_1d", [X1], [f"y = x |> {pre1d(4)} |> gn: group_norm(2)"], gn(2, pre=P1))


def inorm(affine, eps=1e-5, pre=P2):
    return lambda p, x, train: F.instance_norm(
        pre(p, x), weight=p["norm.weight"] if affine else None,
        bias=p["norm.bias"] if affine else None, eps=eps)


case("instance_norm_default", [X2], [f"y = x |> {pre2d(3)} |> instance_norm"], inorm(False))
case("instance_norm_affine", [X2], [f"y = x |> {pre2d(3)} |> norm: instance_norm(affine=true)"],
     inorm(True))
case("instance_norm_1d_affine_eps", [X1],
     [f"y = x |> {pre1d(3)} |> norm: instance_norm(eps=1e-3, affine=true)"],
     inorm(True, eps=1e-3, pre=P1))

# --------------------------------------------------------------------------
# Dropout
# --------------------------------------------------------------------------

MASK64 = (1 << 64) - 1


def dropout_mask(seed, step, shape, rate):
    """nnc's dropout mask (1 = kept) for the dropout call number `seed` of the
    training graph at optimizer step `step` (steps taken before)."""
    n = int(np.prod(shape))
    base = ((int(step) << 32) + seed * 0x9E3779B97F4A7C15) & MASK64
    with np.errstate(over="ignore"):
        z = np.uint64(base) + np.arange(n, dtype=np.uint64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    threshold = int(np.ceil(np.ldexp(rate, 32)))
    keep = (z >> np.uint64(32)) >= np.uint64(threshold)
    return torch.from_numpy(keep.reshape(shape).astype(np.float64))


def dropout(x, seed, rate, p, train):
    if not train:
        return x
    return x * dropout_mask(seed, p.step, tuple(x.shape), rate).to(x.dtype) / (1.0 - rate)


case("dropout_default", ["x: f32[4, 6]"],
     [f"y = x |> {pre_dense(8)} |> dropout |> fc: dense(3)"],
     lambda p, x, train: F.linear(dropout(PD(p, x), 0, 0.5, p, train), p["fc.weight"],
                                  p["fc.bias"]))
case("dropout_p02_4d", [X2], [f"y = x |> {pre2d(3)} |> dropout(p=0.2)"],
     lambda p, x, train: dropout(P2(p, x), 0, 0.2, p, train))
case("dropout_two_calls", ["x: f32[4, 6]"],
     [f"y = x |> {pre_dense(8)} |> dropout(p=0.3) |> relu |> fc: dense(5) |> dropout(p=0.6)"],
     lambda p, x, train: dropout(F.linear(F.relu(dropout(PD(p, x), 0, 0.3, p, train)),
                                          p["fc.weight"], p["fc.bias"]), 1, 0.6, p, train))
# Three steps: the mask changes with the step counter.
case("dropout_three_steps", ["x: f32[4, 6]"],
     [f"y = x |> {pre_dense(8)} |> dropout(p=0.4) |> fc: dense(3)"],
     lambda p, x, train: F.linear(dropout(PD(p, x), 0, 0.4, p, train), p["fc.weight"],
                                  p["fc.bias"]),
     steps=3, optimizer=Optimizer("sgd", {"lr": 0.5}))

# --------------------------------------------------------------------------
# Activations, softmax, maxout
# --------------------------------------------------------------------------


def act(fn):
    return lambda p, x, train: fn(P1(p, x))


WIDE_PRE = {"pre.weight": lambda g, shape: torch.randn(shape, generator=g) * 2.0}

case("relu", [X1], [f"y = x |> {pre1d(4)} |> relu"], act(F.relu))
case("leaky_relu_default", [X1], [f"y = x |> {pre1d(4)} |> leaky_relu"],
     act(lambda h: F.leaky_relu(h, 0.01)))
case("leaky_relu_slope", [X1], [f"y = x |> {pre1d(4)} |> leaky_relu(slope=0.2)"],
     act(lambda h: F.leaky_relu(h, 0.2)))
case("elu_default", [X1], [f"y = x |> {pre1d(4)} |> elu"], act(lambda h: F.elu(h, 1.0)),
     params=WIDE_PRE)
case("elu_alpha", [X1], [f"y = x |> {pre1d(4)} |> elu(alpha=0.5)"], act(lambda h: F.elu(h, 0.5)),
     params=WIDE_PRE)
case("sigmoid", [X1], [f"y = x |> {pre1d(4)} |> sigmoid"], act(torch.sigmoid), params=WIDE_PRE)
case("tanh", [X1], [f"y = x |> {pre1d(4)} |> tanh"], act(torch.tanh), params=WIDE_PRE)
case("softmax_last", [X1], [f"y = x |> {pre1d(4)} |> softmax"],
     act(lambda h: F.softmax(h, dim=-1)), params=WIDE_PRE)
case("softmax_axis1_4d", [X2], [f"y = x |> {pre2d(5)} |> softmax(axis=1)"],
     lambda p, x, train: F.softmax(P2(p, x), dim=1), params=WIDE_PRE)
case("softmax_axis_minus2", [X1], [f"y = x |> {pre1d(4)} |> softmax(axis=-2)"],
     act(lambda h: F.softmax(h, dim=-2)), params=WIDE_PRE)
case("log_softmax_last", [X1], [f"y = x |> {pre1d(4)} |> log_softmax"],
     act(lambda h: F.log_softmax(h, dim=-1)), params=WIDE_PRE)
case("log_softmax_axis1", [X1], [f"y = x |> {pre1d(4)} |> log_softmax(axis=1)"],
     act(lambda h: F.log_softmax(h, dim=1)), params=WIDE_PRE)
case("log_softmax_axis_minus2_4d", [X2], [f"y = x |> {pre2d(3)} |> log_softmax(axis=-2)"],
     lambda p, x, train: F.log_softmax(P2(p, x), dim=-2), params=WIDE_PRE)
case("log_softmax_axis0", [X1], [f"y = x |> {pre1d(4)} |> log_softmax(axis=0)"],
     act(lambda h: F.log_softmax(h, dim=0)), params=WIDE_PRE)


def maxout(h, pieces):
    n, c = h.shape[:2]
    return h.reshape(n, c // pieces, pieces, *h.shape[2:]).max(dim=2).values


case("maxout_2d", [XD], [f"y = x |> {pre_dense(12)} |> maxout(4)"],
     lambda p, x, train: maxout(PD(p, x), 4))
case("maxout_4d", [X2], [f"y = x |> {pre2d(6)} |> maxout(pieces=3)"],
     lambda p, x, train: maxout(P2(p, x), 3))
case("maxout_3d_2", [X1], [f"y = x |> {pre1d(6)} |> maxout(2)"],
     lambda p, x, train: maxout(P1(p, x), 2))

# --------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------

AB = ["a = x |> pa: conv2d(3, kernel=1)", "b = x |> pb: conv2d(3, kernel=1)"]


def ab(p, x):
    return (F.conv2d(x, p["pa.weight"], p["pa.bias"]), F.conv2d(x, p["pb.weight"], p["pb.bias"]))


def a_only(p, x):
    return F.conv2d(x, p["pa.weight"], p["pa.bias"])


case("add", [X2], AB + ["y = a + b"], lambda p, x, train: sum(ab(p, x)))
case("sub", [X2], AB + ["y = a - b"], lambda p, x, train: ab(p, x)[0] - ab(p, x)[1])
case("mul", [X2], AB + ["y = a * b"], lambda p, x, train: ab(p, x)[0] * ab(p, x)[1])
case("add_self", [X2], AB[:1] + ["y = a + a"], lambda p, x, train: 2 * a_only(p, x))
case("mul_self", [X2], AB[:1] + ["y = a * a"], lambda p, x, train: a_only(p, x) ** 2)
case("scalar_arith", [X2], AB + ["y = -(a * b - 1.5) / 4 + 2.5 * a - (3 - b)"],
     lambda p, x, train: (lambda a, b: -(a * b - 1.5) / 4 + 2.5 * a - (3 - b))(*ab(p, x)))
case("residual_add", [X2], AB[:1] + ["y = relu(a + (a |> c: conv2d(3, kernel=3, pad=1)))"],
     lambda p, x, train: (lambda a: F.relu(a + F.conv2d(a, p["c.weight"], p["c.bias"],
                                                         padding=1)))(a_only(p, x)))

# --------------------------------------------------------------------------
# concat, reshape, flatten
# --------------------------------------------------------------------------

case("concat_axis1_three", [X2],
     ["a = x |> pa: conv2d(3, kernel=1)", "b = x |> pb: conv2d(1, kernel=1)",
      "c = x |> pc: conv2d(2, kernel=1)", "y = concat(a, b, c)"],
     lambda p, x, train: torch.cat([F.conv2d(x, p[f"p{k}.weight"], p[f"p{k}.bias"])
                                    for k in "abc"], dim=1))
case("concat_axis2", [X2],
     ["a = x |> pa: conv2d(2, kernel=1)", "b = x |> pb: conv2d(2, kernel=[2, 1])",
      "y = concat(a, b, axis=2)"],
     lambda p, x, train: torch.cat([F.conv2d(x, p["pa.weight"], p["pa.bias"]),
                                    F.conv2d(x, p["pb.weight"], p["pb.bias"])], dim=2))
case("concat_axis_last", [X2],
     ["a = x |> pa: conv2d(2, kernel=1)", "b = x |> pb: conv2d(2, kernel=[1, 3])",
      "y = a |> concat(b, axis=-1)"],
     lambda p, x, train: torch.cat([F.conv2d(x, p["pa.weight"], p["pa.bias"]),
                                    F.conv2d(x, p["pb.weight"], p["pb.bias"])], dim=-1))
case("concat_axis_minus2_4d", [X2],
     ["a = x |> pa: conv2d(2, kernel=1)", "b = x |> pb: conv2d(2, kernel=[3, 1])",
      "y = concat(a, b, axis=-2)"],
     lambda p, x, train: torch.cat([F.conv2d(x, p["pa.weight"], p["pa.bias"]),
                                    F.conv2d(x, p["pb.weight"], p["pb.bias"])], dim=-2))
case("concat_axis0", ["x: f32[2, 5]", "z: f32[1, 4]"],
     ["a = x |> pa: dense(3)", "b = z |> pb: dense(3)", "y = concat(a, b, axis=0)"],
     lambda p, x, z, train: torch.cat([pa(p, x), pb(p, z)], dim=0))
case("concat_same_twice", [X2], AB[:1] + ["y = concat(a, a, axis=2)"],
     lambda p, x, train: torch.cat([a_only(p, x)] * 2, dim=2))

case("flatten_dense", [X2], [f"y = x |> {pre2d(2)} |> relu |> flatten |> fc: dense(4)"],
     lambda p, x, train: F.linear(F.relu(P2(p, x)).flatten(1), p["fc.weight"], p["fc.bias"]))
case("flatten_start2", [X2], [f"y = x |> {pre2d(2)} |> flatten(start=2)"],
     lambda p, x, train: P2(p, x).flatten(2))
case("flatten_start_minus2", [X2], [f"y = x |> {pre2d(2)} |> flatten(start=-2)"],
     lambda p, x, train: P2(p, x).flatten(-2))
case("reshape_conv", ["x: f32[2, 10]"],
     [f"y = x |> {pre_dense(63)} |> reshape([2, 1, 7, 9]) |> c: conv2d(2, kernel=3) "
      "|> reshape([2, -1])"],
     lambda p, x, train: F.conv2d(PD(p, x).reshape(2, 1, 7, 9), p["c.weight"],
                                  p["c.bias"]).reshape(2, -1))

# --------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------

LOGITS_BODY = [f"y = x |> {pre_dense(6)} |> relu |> fc: dense(5)"]


def logits(p, x, train):
    return F.linear(F.relu(PD(p, x)), p["fc.weight"], p["fc.bias"])


case("softmax_cross_entropy", ["x: f32[6, 5]"], LOGITS_BODY, logits, loss=CE(5))
case("cross_entropy_alias", ["x: f32[6, 5]"], LOGITS_BODY, logits,
     loss=Loss([("label", "i32", "n")], "cross_entropy(y, label)",
               lambda y, t, p: F.cross_entropy(y, t["label"]), {"label": labels(5)}))
case("hinge_default_margin", ["x: f32[6, 5]"], LOGITS_BODY, logits, loss=HINGE(5))
case("hinge_margin_0_5", ["x: f32[6, 5]"], LOGITS_BODY, logits, loss=HINGE(5, 0.5))
case("hinge_margin_3", ["x: f32[6, 5]"], LOGITS_BODY, logits, loss=HINGE(5, 3.0))
case("mse_plus_l2_penalty", [X2], [f"y = x |> {pre2d(3)} |> c: conv2d(2, kernel=3)"],
     conv(2), loss=Loss([("t", "f32", "y")], "mse(y, t) + 0.01 * l2_penalty()",
                        lambda y, t, p: F.mse_loss(y, t["t"]) + 0.01 * p.l2_penalty()))
# A layer whose result is unused: its parameters get only l2_penalty's gradient.
case("l2_penalty_unused_layer", ["x: f32[6, 5]"],
     LOGITS_BODY + ["unused = x |> side: dense(3)"], logits,
     loss=Loss([("label", "i32", "n")], "softmax_cross_entropy(y, label) + 0.5 * l2_penalty()",
               lambda y, t, p: F.cross_entropy(y, t["label"]) + 0.5 * p.l2_penalty(),
               {"label": labels(5)}))
case("loss_weighted_sum", ["x: f32[6, 5]"], LOGITS_BODY, logits,
     loss=Loss([("label", "i32", "n"), ("t", "f32", "y")],
               "3 * mse(y, t) + 0.5 * hinge(y, label, margin=0.5) + softmax_cross_entropy(y, "
               "label) / 4 + 1.0",
               lambda y, t, p: 3 * F.mse_loss(y, t["t"])
               + 0.5 * F.multi_margin_loss(y, t["label"], p=1, margin=0.5)
               + F.cross_entropy(y, t["label"]) / 4 + 1.0,
               {"label": labels(5)}))


if __name__ == "__main__":
    sys.exit(train_oracle.main(CASES, __doc__.split("\n\n")[0]))
