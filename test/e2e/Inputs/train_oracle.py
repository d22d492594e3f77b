#!/usr/bin/env python3
"""The PyTorch oracle of nnc's training step, shared by test_training.py
and test_grad_ops.py.

A TrainCase is a `.nn` model with a train section, a float64 PyTorch
definition of the same loss and (for trajectories) the matching
torch.optim optimizer. run_train_case

  1. compiles the model with nnc and the training driver of train_driver.py
     (train_driver.build_train), which reads the compiled model's own tables
     (parameter offsets, inputs, targets, optimizer-state and scratch sizes,
     <m>_default_hparams);
  2. fills every parameter with oracle.default_param's seeded values (or
     the case's overrides), draws K batches (inputs and targets, a different
     batch per step, seeded by the case name);
  3. runs K calls of <m>_train_step through the driver (which also checks the
     ABI: NULL/misaligned pointers, guard bytes, read-only inputs, zeroing by
     <m>_init_opt_state and bit-identical repetition from fresh buffers) and
     <m>_infer on the trained parameters;
  4. replays the same K steps in PyTorch in float64 (same float32 starting
     values, batches and hyperparameters rounded to float32, as nnc holds
     them) and compares.

Gradient cases (kind "grad", one step, the model compiled with
`optimizer = sgd(lr=1.0)`, hparams NULL): plain SGD with lr 1 makes nnc's
gradient observable as g_nnc = p_before - p_after (computed in float64 from
the two float32 buffers). Compared, per trainable tensor:

    autograd:  max|g_nnc - g_ref| <= rtol_grad * S + 2^-24 * max|p_after|   (rtol_grad = 1e-4)
    S = max(max|g_ref| of the tensor, 1e-2 * G), G = max|g_ref| over all tensors

where g_ref is torch.autograd's gradient of the float64 loss and the last
term is the float32 rounding of p_after = p_before - g (half an ulp). The
floor 1e-2 * G keeps a tensor whose exact gradient is (nearly) zero, such as
a bias followed by a normalization (its gradient is a sum that cancels
exactly), from being compared against rounding noise: nnc's float32 sum of
terms whose magnitudes add up to about G leaves ~1e-7..1e-6 * G.

    finite differences: for a few elements of every trainable tensor (its
    largest |g_ref| and random ones), g_fd = (L(w + h) - L(w - h)) / 2h of
    the same float64 PyTorch loss with h = 1e-6 * max(1, |w|), must satisfy
    the same bound against g_nnc (fd_count elements per tensor, default
    3: the largest and random ones). This is independent of autograd's rules
    (max-pool routing, dropout scaling, norm backward): central differences
    in float64 are accurate to ~1e-8 relative here (truncation h^2 * L''',
    rounding 1e-16 * |L| / h), far below the tolerance.

Also after the one step: the returned loss, |loss_nnc - loss_ref| <= 1e-4 *
max(1, |loss_ref|), and each batch-norm running statistic updated with
PyTorch's convention (running = (1 - momentum) * running + momentum *
batch, unbiased variance) within oracle.py's 1e-4 * max(1, max|ref|).

Trajectory cases (kind "trajectory", K steps of the compiled optimizer,
hparams NULL unless the case has a schedule): every step's loss and, per
parameter tensor (running statistics included), the final value, against
torch.optim in float64:

    loss k:  |loss_nnc - loss_ref| <= max(rtol_traj * |loss_ref|, 10 * |loss_32 - loss_ref|)
                                      + 1e-6
    params:  max|p_nnc - p_ref| <= max(rtol_traj * D, 10 * E32) + K * 2^-24 * max|p_ref|
             D   = max(max|p_ref - p_0| of the tensor, 1e-2 * the largest such
                   displacement among the trainable tensors (buffers: among
                   the buffers))
             E32 = max|p_32 - p_ref|, where p_32, loss_32 come from the same K
                   steps run by PyTorch in float32

i.e. relative to how far the parameters moved (not to their size, which
would hide a wrong update), plus half an ulp of float32 rounding per step.
rtol_traj = 1e-3: float32 gradients are within ~1e-6..1e-5 of float64 here
(PyTorch's own float32 gradients of these models: <= 5e-6 of the gradient
scale), and a first-order method with these learning rates mostly carries
such errors along unamplified; a wrong update rule (momentum, dampening,
nesterov, coupled vs decoupled weight decay, bias correction, eps inside or
outside the square root) changes the displacement by 1e-2..1 everywhere.
Some trajectories are more sensitive to float32 rounding than that: measured
with PyTorch's own float32 run, up to 7e-3 of D for unet_small and 4e-3 for
resnet20 with sgd momentum (the small, cancelling gradients of early batch
norm shifts under batch-1 statistics), and 1.6e-3 for mlp with rmsprop and
momentum (a nearly dead ReLU unit whose first nonzero gradient RMSprop
normalizes into a full step). That sensitivity is a property of float32
arithmetic on that trajectory, not of an implementation, so the bound is
the larger of 1e-3 * D and ten times PyTorch float32's deviation: a correct
float32 implementation rounds differently from PyTorch but by the same
order. These bounds still catch a wrong rule: replaying the reference with
one hyperparameter changed (dampening 0, nesterov off, adam for adamw,
weight decay 0, rmsprop momentum 0 or alpha 0.99, adam beta2 0.99 and sgd
momentum 0.8 on unet_small, adam eps 1e-6 on lenet5) fails each case.

Hyperparameters: torch.optim is built from the train section's values
(rounded to float32); <m>_default_hparams must hold the same values
(checked separately). A step where the driver passes an nnc_hparams struct
sets torch.optim's param_group to the same values; a NULL step restores the
train section's values.

Both kinds finally run <m>_infer on nnc's trained parameters (running
statistics included) with the last batch's inputs and compare it with the
case's eval-mode PyTorch forward on the same float32 parameters, with
oracle.py's tolerance 1e-4 * max(1, max|ref|).
"""

import concurrent.futures
import dataclasses
import math
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from typing import Callable, Dict, Optional

sys.dont_write_bytecode = True

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oracle  # noqa: E402
import train_driver  # noqa: E402
from oracle import OracleError, Result  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

RTOL_GRAD = 1e-4
RTOL_TRAJ = 1e-3
GRAD_FLOOR = 1e-2     # S >= GRAD_FLOOR * (largest gradient of the model)
TRAJ_FLOOR = 1e-2     # D >= TRAJ_FLOOR * (largest displacement of the model)
SENSITIVITY = 10      # trajectory tolerance >= 10 * PyTorch float32's own deviation
LOSS_RTOL = 1e-4      # one-step loss: 1e-4 * max(1, |loss|)
FD_STEP = 1e-6        # relative central-difference step
FD_COUNT = 3          # elements checked by finite differences per tensor
ULP32 = 2.0 ** -24    # half an ulp of float32, relative

# --------------------------------------------------------------------------
# Optimizers: the DSL spelling, nnc_hparams and torch.optim.
# --------------------------------------------------------------------------

DEFAULTS = {
    "sgd": {"lr": 0.01, "momentum": 0.0, "dampening": 0.0, "nesterov": False,
            "weight_decay": 0.0},
    "rmsprop": {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "weight_decay": 0.0},
    "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "adamw": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
}

# The nnc_hparams fields each optimizer reads (runtime/nnc_types.h).
USED = {
    "sgd": ("lr", "momentum", "dampening", "weight_decay"),
    "rmsprop": ("lr", "alpha", "eps", "momentum", "weight_decay"),
    "adam": ("lr", "beta1", "beta2", "eps", "weight_decay"),
    "adamw": ("lr", "beta1", "beta2", "eps", "weight_decay"),
}


def f32(value):
    """value rounded to float32, as a Python float."""
    return float(np.float32(value))


@dataclasses.dataclass
class Optimizer:
    """An optimizer as written in the train section: kind and the
    hyperparameters given (the rest take the defaults of docs/language.md
    10.3)."""
    kind: str
    args: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        unknown = set(self.args) - set(DEFAULTS[self.kind])
        if unknown:
            raise ValueError(f"{self.kind} has no hyperparameters {sorted(unknown)}")

    @property
    def values(self):
        return {**DEFAULTS[self.kind], **self.args}

    def dsl(self):
        def spell(v):
            return ("true" if v else "false") if isinstance(v, bool) else repr(v)
        return f"{self.kind}({', '.join(f'{k}={spell(v)}' for k, v in self.args.items())})"

    def torch(self, params, overrides=None):
        """torch.optim for `params` with the float32-rounded values."""
        v = {k: (f32(x) if not isinstance(x, bool) else x) for k, x in self.values.items()}
        v.update(overrides or {})
        if self.kind == "sgd":
            return torch.optim.SGD(params, lr=v["lr"], momentum=v["momentum"],
                                   dampening=v["dampening"], weight_decay=v["weight_decay"],
                                   nesterov=v["nesterov"])
        if self.kind == "rmsprop":
            return torch.optim.RMSprop(params, lr=v["lr"], alpha=v["alpha"], eps=v["eps"],
                                       weight_decay=v["weight_decay"], momentum=v["momentum"])
        cls = torch.optim.AdamW if self.kind == "adamw" else torch.optim.Adam
        return cls(params, lr=v["lr"], betas=(v["beta1"], v["beta2"]), eps=v["eps"],
                   weight_decay=v["weight_decay"])

    def check_defaults(self, defaults):
        """Messages for the fields of <m>_default_hparams (printed by the
        driver) that differ from this optimizer's float32 values."""
        problems = []
        for field in USED[self.kind]:
            want = f32(self.values[field])
            got = defaults.get(field)
            if got is None or f32(got) != want:
                problems.append(f"{field} = {got!r}, want {want!r}")
        return problems


def set_optimizer(source, opt):
    """`source` with its `optimizer = ...` line replaced by `opt`."""
    text, count = re.subn(r"(?m)^(\s*)optimizer\s*=.*$",
                          lambda m: f"{m.group(1)}optimizer = {opt.dsl()}", source)
    if count != 1:
        raise OracleError(f"the model has {count} `optimizer =` lines, want 1")
    return text


def torch_hparams(kind, h):
    """The param_group fields of torch.optim for nnc_hparams dict `h`."""
    if kind == "sgd":
        return {"lr": h["lr"], "momentum": h["momentum"], "dampening": h["dampening"],
                "weight_decay": h["weight_decay"]}
    if kind == "rmsprop":
        return {"lr": h["lr"], "alpha": h["alpha"], "eps": h["eps"],
                "momentum": h["momentum"], "weight_decay": h["weight_decay"]}
    return {"lr": h["lr"], "betas": (h["beta1"], h["beta2"]), "eps": h["eps"],
            "weight_decay": h["weight_decay"]}

# --------------------------------------------------------------------------
# Cases.
# --------------------------------------------------------------------------


class Params(dict):
    """name -> float64 tensor (trainable ones require grad), plus the list of
    trainable names (for l2_penalty)."""

    def __init__(self, values, trainable):
        super().__init__(values)
        self.trainable = list(trainable)

    def l2_penalty(self):
        """nnc's l2_penalty(): 1/2 * sum of w^2 over every trainable parameter."""
        return 0.5 * sum((self[n] ** 2).sum() for n in self.trainable)


@dataclasses.dataclass
class TrainCase:
    """One training case.

    name:     unique; seeds the values.
    source:   the .nn text, with a train section.
    loss:     loss(p, inputs, targets) -> float64 scalar, the train section's
              loss in training mode (batch statistics, dropout masks of step
              `p.step`); p is a Params; running statistics in p must be
              updated in place (F.batch_norm(training=True) does).
    forward:  forward(p, *inputs) -> output tensor or tuple, eval mode (for
              the <m>_infer check); None skips that check.
    kind:     "grad" (one step, sgd lr=1: gradients) or "trajectory".
    steps:    K.
    optimizer: the compiled optimizer (trajectory cases); grad cases use
              sgd(lr=1.0).
    schedule: optional fn(step, defaults) -> None (NULL) or nnc_hparams dict,
              for the runtime hyperparameter ABI; torch gets the same values.
    fillers:  {input or target name: fn(generator, shape) -> tensor}
              (default: standard normal f32; i32 targets need one).
    params:   {parameter name: fn(generator, shape)} overriding
              oracle.default_param.
    rtol_grad, rtol_traj: see the module docstring.
    fd:       do the finite-difference check (grad cases).
    fd_count: elements per trainable tensor checked by finite differences.
    """
    name: str
    source: str
    loss: Callable
    forward: Optional[Callable] = None
    kind: str = "grad"
    steps: int = 1
    optimizer: Optional[Optimizer] = None
    schedule: Optional[Callable] = None
    fillers: Optional[Dict[str, Callable]] = None
    params: Optional[Dict[str, Callable]] = None
    rtol_grad: float = RTOL_GRAD
    rtol_traj: float = RTOL_TRAJ
    fd: bool = True
    fd_count: int = FD_COUNT

    def compiled_source(self, nnc):
        """The source compiled: `source` (or source(nnc) if it is callable,
        for cases that ask nnc for shapes first) with the optimizer line
        set to compiled_optimizer()."""
        text = self.source(nnc) if callable(self.source) else self.source
        return set_optimizer(text, self.compiled_optimizer())

    def compiled_optimizer(self):
        return Optimizer("sgd", {"lr": 1.0}) if self.kind == "grad" else self.optimizer


def labels(classes):
    """Filler of an i32 target: uniform class labels in [0, classes)."""
    return lambda g, shape: torch.randint(0, classes, shape, generator=g, dtype=torch.int32)


def make_initial(case, info):
    generator = torch.Generator().manual_seed(oracle.seed_of(case.name))
    overrides = case.params or {}
    params = {}
    for p in info["params"]:
        fill = overrides.get(p["name"])
        value = fill(generator, p["shape"]) if fill else \
            oracle.default_param(generator, p["name"], p["shape"])
        params[p["name"]] = value.to(torch.float32).reshape(p["shape"]).contiguous()
    return params, generator


def make_batches(case, info, generator):
    fillers = case.fillers or {}
    batches = []
    for _ in range(case.steps):
        batch = []
        for t in info["inputs"] + info["targets"]:
            fill = fillers.get(t["name"])
            if fill is None:
                if t["dtype"] != 0:
                    raise OracleError(f"i32 tensor {t['name']} needs a filler (labels(K))")
                fill = oracle.randn()
            dtype = torch.float32 if t["dtype"] == 0 else torch.int32
            batch.append(fill(generator, t["shape"]).to(dtype).reshape(t["shape"]).contiguous())
        batches.append(batch)
    return batches


def to64(params, info, requires_grad, dtype=torch.float64):
    """Params of `dtype` (float64 for the reference) from float32 values."""
    trainable = [p["name"] for p in info["params"] if p["trainable"]]
    values = {}
    for name, value in params.items():
        v = value.to(dtype).clone()
        if requires_grad and name in trainable:
            v.requires_grad_(True)
        values[name] = v
    return Params(values, trainable)


def split(info, batch, dtype=torch.float64):
    """The inputs (list) and targets (dict) of a batch; f32 values as
    `dtype`, i32 labels as int64 (what torch's losses take)."""
    n = len(info["inputs"])
    x = [v.to(dtype) if v.dtype == torch.float32 else v for v in batch[:n]]
    t = {}
    for spec, v in zip(info["targets"], batch[n:]):
        t[spec["name"]] = v.to(dtype) if v.dtype == torch.float32 else v.long()
    return x, t

# --------------------------------------------------------------------------
# Comparisons.
# --------------------------------------------------------------------------


def worst(got, want):
    diff = (got - want).abs()
    diff[torch.isnan(got) | torch.isnan(want)] = math.inf
    flat = int(diff.reshape(-1).argmax()) if diff.numel() else 0
    index = tuple(int(i) for i in np.unravel_index(flat, tuple(want.shape))) if want.dim() \
        else ()
    return (float(diff.max()) if diff.numel() else 0.0), index, int(diff.numel())


def describe(index, got, want):
    return f"worst at {list(index)}: nnc {float(got[index])!r}, ref {float(want[index])!r}"


def compare_grads(case, info, before, after, grads, fd, problems, notes):
    """before/after: float32 tensors; grads: name -> float64 autograd
    gradient; fd: name -> [(index, g_fd)]."""
    trainable = [p for p in info["params"] if p["trainable"]]
    largest = max((float(grads[p["name"]].abs().max()) for p in trainable
                   if grads[p["name"]].numel()), default=0.0)
    for p in trainable:
        name = p["name"]
        g_nnc = before[name].double() - after[name].double()
        g_ref = grads[name]
        scale = max(float(g_ref.abs().max()) if g_ref.numel() else 0.0, GRAD_FLOOR * largest)
        tol = case.rtol_grad * scale + ULP32 * float(after[name].double().abs().max())
        err, index, _ = worst(g_nnc, g_ref)
        notes.append(f"{name} {err / max(scale, 1e-300):.2g}")
        if not err <= tol:
            bad = int(((g_nnc - g_ref).abs() > tol).sum())
            problems.append(
                f"gradient of {name} {list(p['shape'])}: max|g_nnc - g_autograd| = {err:.4g} > "
                f"tol {tol:.3g} (scale {scale:.4g}, {err / max(scale, 1e-300):.3g} relative); "
                f"{bad} of {g_ref.numel()} elements off; {describe(index, g_nnc, g_ref)}")
        for index, g_fd in fd.get(name, []):
            got = float(g_nnc[index])
            if not abs(got - g_fd) <= tol:
                problems.append(
                    f"gradient of {name}{list(index)}: nnc {got!r}, central difference of "
                    f"the float64 loss {g_fd!r}: |diff| {abs(got - g_fd):.4g} > tol {tol:.3g}"
                    f" (autograd {float(g_ref[index])!r})")


def compare_buffers(info, after, ref, problems, rtol=oracle.RTOL):
    for p in info["params"]:
        if p["trainable"]:
            continue
        name = p["name"]
        want = ref[name].detach().double()
        got = after[name].double()
        scale = max(1.0, float(want.abs().max()))
        err, index, _ = worst(got, want)
        if not err <= rtol * scale:
            problems.append(f"buffer {name} after the step: max|nnc - ref| = {err:.4g} > "
                            f"{rtol:g} * {scale:.4g}; {describe(index, got, want)}")


def compare_trajectory(case, info, initial, after, ref, ref32, problems, notes):
    """after: nnc's float32 parameters after K steps; ref / ref32: PyTorch's
    in float64 / float32."""
    k = case.steps
    moved = {p["name"]: float((ref[p["name"]].detach() - initial[p["name"]].double())
                              .abs().max()) for p in info["params"]}
    largest = {kind: max((moved[p["name"]] for p in info["params"] if p["trainable"] == kind),
                         default=0.0) for kind in (True, False)}
    for p in info["params"]:
        name = p["name"]
        want = ref[name].detach().double()
        got = after[name].double()
        f32dev = float((ref32[name].detach().double() - want).abs().max())
        scale = max(moved[name], TRAJ_FLOOR * largest[p["trainable"]])
        tol = max(case.rtol_traj * scale, SENSITIVITY * f32dev) + \
            k * ULP32 * float(want.abs().max())
        err, index, _ = worst(got, want)
        notes.append(f"{name} {err / max(scale, 1e-300):.2g}")
        if not err <= tol:
            bad = int(((got - want).abs() > tol).sum())
            kind = "parameter" if p["trainable"] else "buffer"
            problems.append(
                f"{kind} {name} {list(p['shape'])} after {k} steps: max|nnc - ref| = {err:.4g}"
                f" > tol {tol:.3g} (moved {scale:.4g}: {err / max(scale, 1e-300):.3g} of it; "
                f"PyTorch float32 is off by {f32dev:.3g}); {bad} of {want.numel()} elements off;"
                f" {describe(index, got, want)}")


def compare_losses(case, losses, ref, ref32, problems):
    for k, (got, want, want32) in enumerate(zip(losses, ref, ref32)):
        tol = max(case.rtol_traj * abs(want), SENSITIVITY * abs(want32 - want)) + 1e-6
        if not abs(got - want) <= tol:
            problems.append(f"loss of step {k}: nnc {got!r}, ref {want!r} (|diff| "
                            f"{abs(got - want):.3g} > tol {tol:.3g}; PyTorch float32 "
                            f"{want32!r})")
            break


def compare_infer(case, info, run, batch, problems):
    if case.forward is None:
        return
    p64 = Params({k: v.double() for k, v in run.params.items()},
                 [p["name"] for p in info["params"] if p["trainable"]])
    x, _ = split(info, batch)
    with torch.no_grad():
        want = case.forward(p64, *x)
    if isinstance(want, torch.Tensor):
        want = (want,)
    for spec, got, w in zip(info["outputs"], run.outputs, want):
        message = oracle.compare(case.name, spec, got, w)
        if message:
            problems.append("infer on the trained parameters: " + message)

# --------------------------------------------------------------------------
# The reference steps.
# --------------------------------------------------------------------------


def finite_differences(case, info, initial, batch, grads, generator):
    """{name: [(index, g_fd)]} for case.fd_count elements of every trainable
    tensor: its largest |gradient| and random ones."""
    x, t = split(info, batch)
    result = {}

    def loss_at(name, index, value):
        p = to64(initial, info, False)
        p[name][index] = value
        p.step = 0
        with torch.no_grad():
            return float(case.loss(p, x, t))

    for spec in info["params"]:
        if not spec["trainable"]:
            continue
        name = spec["name"]
        g = grads[name]
        numel = g.numel()
        picks = [int(g.abs().reshape(-1).argmax())]
        picks += [int(i) for i in torch.randint(0, numel, (max(0, case.fd_count - 1),),
                                                generator=generator)]
        entries = []
        for flat in dict.fromkeys(picks):
            index = tuple(int(i) for i in np.unravel_index(flat, tuple(g.shape)))
            w = float(initial[name][index])
            h = FD_STEP * max(1.0, abs(w))
            g_fd = (loss_at(name, index, w + h) - loss_at(name, index, w - h)) / (2 * h)
            entries.append((index, g_fd))
        result[name] = entries
    return result


def reference_grad(case, info, initial, batch):
    p = to64(initial, info, True)
    p.step = 0
    x, t = split(info, batch)
    loss = case.loss(p, x, t)
    trainable = [p[n] for n in p.trainable]
    grads = torch.autograd.grad(loss, trainable, allow_unused=True)
    grads = {n: (g.detach() if g is not None else torch.zeros_like(p[n]))
             for n, g in zip(p.trainable, grads)}
    return float(loss), grads, p


def reference_trajectory(case, info, initial, batches, hparams, dtype=torch.float64):
    """The K steps in torch.optim, in `dtype`: float64 is the reference,
    float32 measures how sensitive the trajectory is to float32 rounding.
    hparams[k]: None (nnc got NULL: torch.optim keeps the train section's
    values it was built with) or the nnc_hparams dict nnc got."""
    p = to64(initial, info, True, dtype)
    leaves = [p[n] for n in p.trainable]
    opt = case.optimizer.torch(leaves)
    built = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    losses = []
    for k, batch in enumerate(batches):
        opt.param_groups[0].update(built if hparams[k] is None else
                                   torch_hparams(case.optimizer.kind, hparams[k]))
        p.step = k
        x, t = split(info, batch, dtype)
        opt.zero_grad(set_to_none=True)
        loss = case.loss(p, x, t)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return losses, p

# --------------------------------------------------------------------------
# Running a case.
# --------------------------------------------------------------------------


def run_train_case(case, nnc, keep=None, target=oracle.HOST):
    """Builds, runs and checks one TrainCase; never raises."""
    workdir = keep or tempfile.mkdtemp(prefix=f"nnc-train-{case.name}-")
    os.makedirs(workdir, exist_ok=True)
    clock = [time.monotonic()]

    def lap():
        now = time.monotonic()
        clock.append(now - clock[0])
        clock[0] = now
    try:
        info = train_driver.build_train(case.compiled_source(nnc), nnc, workdir, target)
        lap()
        problems, notes = [], []
        opt = case.compiled_optimizer()
        problems += [f"<m>_default_hparams: {m}" for m in
                     opt.check_defaults(info.get("default_hparams", {}))]
        initial, generator = make_initial(case, info)
        batches = make_batches(case, info, generator)
        # A schedule modifies the train section's values (the fields the
        # optimizer reads; the others as nnc reports them).
        opt_values = opt.values
        defaults = {k: f32(opt_values[k]) if k in USED[opt.kind] else f32(v)
                    for k, v in info["default_hparams"].items()}
        if case.schedule:
            hparams = [case.schedule(k, dict(defaults)) for k in range(case.steps)]
        else:
            hparams = [None] * case.steps
        run = train_driver.run_train(workdir, info, initial, batches, hparams, check=True,
                               target=target)
        lap()
        if len(run.losses) != case.steps:
            raise OracleError(f"{len(run.losses)} losses for {case.steps} steps")
        if case.kind == "grad":
            loss, grads, p_after = reference_grad(case, info, initial, batches[0])
            fd = finite_differences(case, info, initial, batches[0], grads, generator) \
                if case.fd else {}
            if not abs(run.losses[0] - loss) <= LOSS_RTOL * max(1.0, abs(loss)):
                problems.append(f"loss: nnc {run.losses[0]!r}, ref {loss!r} (|diff| "
                                f"{abs(run.losses[0] - loss):.3g} > {LOSS_RTOL:g} * "
                                f"max(1, |ref|))")
            compare_grads(case, info, initial, run.params, grads, fd, problems, notes)
            compare_buffers(info, run.params, p_after, problems)
        else:
            losses, p_after = reference_trajectory(case, info, initial, batches, hparams)
            losses32, p_after32 = reference_trajectory(case, info, initial, batches, hparams,
                                                       torch.float32)
            compare_losses(case, run.losses, losses, losses32, problems)
            compare_trajectory(case, info, initial, run.params, p_after, p_after32, problems,
                               notes)
        compare_infer(case, info, run, batches[-1], problems)
        lap()
        if problems:
            return Result(case.name, False, "\n".join(f"{case.name}: {m}" for m in problems))
        detail = (f"{case.steps} step(s), {len(info['params'])} params, {run.checks} ABI "
                  f"checks; build {clock[1]:.1f}s, nnc {clock[2]:.1f}s, torch {clock[3]:.1f}s; "
                  f"worst relative error: " + ", ".join(notes[:12]))
        return Result(case.name, True, detail)
    except OracleError as error:
        return Result(case.name, False, f"{case.name}: {error}")
    except Exception as error:  # noqa: BLE001 - report, never crash the suite
        return Result(case.name, False, f"{case.name}: {type(error).__name__}: {error}\n"
                      + traceback.format_exc(limit=3))
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def run_all(cases, nnc, jobs=1, keep=None, only=None, verbose=False):
    """Runs the cases (regex filter `only`), prints PASS/FAIL per case and
    `N passed, N failed`; returns the number of failures."""
    if only:
        cases = [c for c in cases if any(re.search(o, c.name) for o in only)]
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SystemExit(f"duplicate case names: {sorted(duplicates)}")
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_train_case, c, nnc,
                               os.path.join(keep, c.name) if keep else None) for c in cases]
        for future in futures:
            result = future.result()
            if result.ok:
                passed += 1
                print(f"PASS {result.name}" + (f" ({result.message})" if verbose else ""))
            else:
                failed += 1
                print(f"FAIL {result.name}")
                for line in result.message.splitlines():
                    print(f"  {line}")
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return failed


def main(cases, description):
    import argparse
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--nnc", required=True, help="path of the nnc binary")
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--keep", help="keep each case's files under this directory")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--list", action="store_true", help="list the case names")
    parser.add_argument("only", nargs="*", help="regexes selecting cases by name")
    args = parser.parse_args()
    cases = cases() if callable(cases) else cases
    if args.list:
        for c in cases:
            print(c.name)
        return 0
    if not shutil.which(oracle.CC):
        raise SystemExit(f"FAIL: {oracle.CC} is not on PATH")
    return 1 if run_all(cases, args.nnc, args.jobs, args.keep, args.only, args.verbose) else 0
