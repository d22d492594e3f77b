#!/usr/bin/env python3
"""End-to-end numerics of training the shipped example models.

For examples/{mlp,lenet5,resnet20,unet_small,linear_svm}.nn, compiled by nnc
with their train section, <m>_train_step is run through the training driver
of train_driver.py and replayed in PyTorch in float64 on the hand-written modules of
test/oracle/check_models.py (train() mode: batch norm normalizes with the
batch statistics and updates its running statistics with momentum 0.1 and
the unbiased variance), with the loss each train section defines:

    mlp, lenet5   softmax_cross_entropy             = F.cross_entropy
    resnet20      softmax_cross_entropy + 1e-4 * l2 = F.cross_entropy + 1e-4 * 1/2 sum w^2
    unet_small    mse                               = F.mse_loss
    linear_svm    hinge(margin 1) + 5e-4 * l2       = F.multi_margin_loss + 5e-4 * 1/2 sum w^2

(l2 = l2_penalty(): 1/2 * sum of w^2 over all trainable parameters.)
Parameters start from oracle.py's seeded random values; every step gets its
own seeded random batch (the same in both).

Cases (the comparisons and tolerances are those of train_oracle.py):

  <model>_grad      the optimizer line rewritten to `sgd(lr=1.0)`, one step:
                    g_nnc = params_before - params_after for every trainable
                    parameter against torch.autograd and against central
                    finite differences of the float64 loss, with
                    max|g_nnc - g_ref| <= 1e-4 * S + 2^-24 * max|p|
                    (S: the tensor's gradient scale, floored at 1e-2 of the
                    model's; PyTorch's own float32 gradients of these
                    models are within 5e-6 of S);
                    the loss (1e-4 * max(1, |loss|)) and the updated running
                    statistics (1e-4 * max(1, max|ref|)).
  <model>_<opt>     the optimizer line rewritten to <opt> (below), 20 steps
                    (5 for resnet20 and unet_small, whose adam uses eps =
                    1e-6: see optimizers()) with NULL hparams (the
                    compiled defaults): every step's loss and the final
                    parameters and running statistics against torch.optim in
                    float64 within max(1e-3 of the displacement, 10 times
                    PyTorch float32's own deviation on the same steps) (see
                    train_oracle.py for the justification).
  <model>_shipped   the example as shipped (its own optimizer), 20 steps;
                    <m>_default_hparams must hold the train section's values.
  <model>_<opt>_schedule  runtime hyperparameters: a modified nnc_hparams
                    passed from step 5 on (lr halved; for adam also
                    weight_decay 0.01 from step 10; for rmsprop momentum and
                    alpha changed at step 8), torch.optim's param_group
                    changed at the same steps.

Every case also runs <m>_infer on the trained parameters and compares it
with the module's eval-mode forward on those float32 parameters (1e-4 *
max(1, max|ref|)), and the driver's ABI checks (NULL/misaligned pointers,
guard bytes, read-only inputs, <m>_init_opt_state zeroing, bit-identical
repetition).

    test_training.py --nnc build/bin/nnc [-j 1] [--keep DIR] [-v] [--list] [name-regex...]
"""

import os
import re
import sys
import threading

sys.dont_write_bytecode = True  # keep the source tree clean (lit runs from it)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "oracle"))

import oracle  # noqa: E402
import train_oracle  # noqa: E402
from train_oracle import Optimizer, TrainCase, labels  # noqa: E402

import torch.nn.functional as F  # noqa: E402
from torch.nn.utils import stateless  # noqa: E402

import check_models  # noqa: E402  (test/oracle/check_models.py: the PyTorch modules)

EXAMPLES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "examples"))

# --------------------------------------------------------------------------
# The models: fillers of inputs and targets, the loss on the module's output.
# --------------------------------------------------------------------------

MODELS = {
    "mlp": {"fillers": {"x": oracle.uniform_in(0.0, 1.0), "label": labels(10)},
            "head": lambda y, t, p: F.cross_entropy(y, t["label"]), "lr_scale": 1.0},
    "lenet5": {"fillers": {"image": oracle.randn(1.0), "label": labels(10)},
               "head": lambda y, t, p: F.cross_entropy(y, t["label"]), "lr_scale": 1.0},
    "resnet20": {"fillers": {"image": oracle.randn(1.0), "label": labels(10)},
                 "head": lambda y, t, p: F.cross_entropy(y, t["label"]) + 1e-4 * p.l2_penalty(),
                 "lr_scale": 0.2, "steps": 5, "adam_eps": 1e-6},
    "unet_small": {"fillers": {"image": oracle.randn(1.0), "truth": oracle.randn(1.0)},
                   "head": lambda y, t, p: F.mse_loss(y, t["truth"]),
                   "lr_scale": 0.2, "steps": 5, "adam_eps": 1e-6},
    "linear_svm": {"fillers": {"x": oracle.randn(1.0), "label": labels(10)},
                   "head": lambda y, t, p: F.multi_margin_loss(y, t["label"], p=1, margin=1.0)
                   + 5e-4 * p.l2_penalty(), "lr_scale": 0.05},
}

BIG = ("resnet20", "unet_small")
# Trajectory tolerance of the big models, relative to how far each parameter
# moved. Their batch norms see batch 1, so the gradients of the weights before
# them nearly cancel, and five steps amplify float32 rounding: nnc's sums
# (blocked per vector lane) end 1e-3..1e-1 of the displacement away from
# float64. PyTorch's own float32 run is a poor yardstick here: with the
# reference BLAS it deviated by as much, with OpenBLAS it deviates 100x less,
# so the 10x-PyTorch-float32 floor alone made the verdict depend on which
# libblas.so.3 is installed. The one-step gradient check (rtol 1e-4) and the
# small models' trajectories (rtol 1e-3) test the arithmetic tightly; these
# check that optimizer state carries across steps (an error there is O(1)).
# Adam is the worst case: it scales each element's step to about lr, so an
# element whose gradient is near zero moves by an amount its rounding decides
# (seen: 0.152 of the displacement, 1 element of 18,432 in unet_small).
BIG_RTOL_TRAJ = 0.25

_local = threading.local()


def module(name):
    """This thread's float64 instance of the PyTorch module (functional_call
    swaps its tensors, so threads must not share one)."""
    cache = getattr(_local, "modules", None)
    if cache is None:
        cache = _local.modules = {}
    if name not in cache:
        cache[name] = check_models.MODELS[name]().double()
    return cache[name]


def check_names(name, p):
    state = module(name).state_dict()
    expected = sorted(k for k in state if not k.endswith("num_batches_tracked"))
    if expected != sorted(p):
        raise oracle.OracleError(f"parameter names differ from the PyTorch module: "
                                 f"{sorted(set(expected) ^ set(p))[:6]}")


def model_loss(name):
    head = MODELS[name]["head"]

    def loss(p, x, t):
        check_names(name, p)
        m = module(name).train()
        y = stateless.functional_call(m, dict(p), tuple(x))
        return head(y, t, p)
    return loss


def model_forward(name):
    def forward(p, *x):
        check_names(name, p)
        m = module(name).eval()
        return stateless.functional_call(m, dict(p), tuple(x))
    return forward

# --------------------------------------------------------------------------
# Optimizers (learning rates multiplied by the model's lr_scale).
# --------------------------------------------------------------------------


def optimizers(scale, adam_eps=1e-8):
    """The trajectory optimizers; learning rates times `scale`. `adam_eps`:
    resnet20 and unet_small have gradient elements of ~1e-8 (weights whose
    paths nearly cancel through batch-1 batch norm); with eps = 1e-8, Adam's
    first step lr * g / (|g| + eps) of such an element is decided by float32
    rounding of g (in nnc or PyTorch alike: the sign of a 1.5e-8 gradient),
    and the next steps spread that perturbation through the cancellation in
    m = beta1 * m + (1 - beta1) * g. eps = 1e-6 keeps those steps small, so
    the comparison measures the implementation, not the coin flip."""
    return {
        "sgd": Optimizer("sgd", {"lr": 0.05 * scale}),
        "sgd_momentum": Optimizer("sgd", {"lr": 0.05 * scale, "momentum": 0.9}),
        "sgd_nesterov": Optimizer("sgd", {"lr": 0.05 * scale, "momentum": 0.9,
                                          "nesterov": True}),
        "sgd_dampening": Optimizer("sgd", {"lr": 0.05 * scale, "momentum": 0.9,
                                           "dampening": 0.3}),
        "sgd_weight_decay": Optimizer("sgd", {"lr": 0.05 * scale, "weight_decay": 0.05}),
        "sgd_momentum_weight_decay": Optimizer("sgd", {"lr": 0.05 * scale, "momentum": 0.9,
                                                       "weight_decay": 0.01}),
        "rmsprop": Optimizer("rmsprop", {"lr": 0.001 * scale}),
        "rmsprop_momentum": Optimizer("rmsprop", {"lr": 0.001 * scale, "alpha": 0.9,
                                                  "momentum": 0.5, "weight_decay": 0.01}),
        "adam": Optimizer("adam", {"lr": 0.001 * scale} if adam_eps == 1e-8 else
                          {"lr": 0.001 * scale, "eps": adam_eps}),
        "adam_weight_decay": Optimizer("adam", {"lr": 0.002 * scale, "beta1": 0.8,
                                                "beta2": 0.99, "eps": 1e-6,
                                                "weight_decay": 0.01}),
        "adamw": Optimizer("adamw", {"lr": 0.002 * scale, "weight_decay": 0.1}),
    }


def parse_optimizer(source):
    """The Optimizer of a train section's `optimizer = kind(k=v, ...)` line
    (keyword arguments only, as in the examples)."""
    match = re.search(r"(?m)^\s*optimizer\s*=\s*(\w+)\s*(?:\((.*)\))?\s*$", source)
    if not match:
        raise ValueError("no optimizer line")
    args = {}
    for item in filter(None, (a.strip() for a in (match.group(2) or "").split(","))):
        key, _, value = item.partition("=")
        value = value.strip()
        args[key.strip()] = value == "true" if value in ("true", "false") else float(value)
    return Optimizer(match.group(1), args)

# --------------------------------------------------------------------------
# Runtime hyperparameter schedules: fn(step, defaults) -> None or nnc_hparams.
# --------------------------------------------------------------------------


def halve_lr_after(first):
    def schedule(step, h):
        if step < first:
            return None
        return {**h, "lr": h["lr"] * 0.5}
    return schedule


def adam_schedule(step, h):
    if step < 5:
        return None
    h = {**h, "lr": h["lr"] * 0.5}
    if step >= 10:
        h["weight_decay"] = 0.01
    return h


def rmsprop_schedule(step, h):
    if step < 8:
        return None
    return {**h, "momentum": 0.9, "alpha": 0.95}


# --------------------------------------------------------------------------
# The cases.
# --------------------------------------------------------------------------

SMALL_OPTIMIZERS = list(optimizers(1.0))
BIG_OPTIMIZERS = ["sgd_momentum", "adam"]


def cases(examples=EXAMPLES):
    result = []
    for name, spec in MODELS.items():
        with open(os.path.join(examples, name + ".nn"), encoding="utf-8") as f:
            source = f.read()
        common = dict(source=source, loss=model_loss(name), forward=model_forward(name),
                      fillers=spec["fillers"])
        big = name in BIG
        # Finite differences: one element (the largest gradient) per tensor
        # of the big models (two float64 forwards each), three for the others.
        result.append(TrainCase(f"{name}_grad", kind="grad",
                                fd_count=1 if big else train_oracle.FD_COUNT, **common))
        steps = spec.get("steps", 20)
        table = optimizers(spec["lr_scale"], spec.get("adam_eps", 1e-8))
        for opt in (BIG_OPTIMIZERS if big else SMALL_OPTIMIZERS):
            extra = {"rtol_traj": BIG_RTOL_TRAJ} if big else {}
            result.append(TrainCase(f"{name}_{opt}", kind="trajectory", steps=steps,
                                    optimizer=table[opt], **extra, **common))
        if not big:
            result.append(TrainCase(f"{name}_shipped", kind="trajectory", steps=steps,
                                    optimizer=parse_optimizer(source), **common))
    # Runtime hyperparameters (nnc_hparams passed to <m>_train_step).
    mlp = MODELS["mlp"]
    with open(os.path.join(examples, "mlp.nn"), encoding="utf-8") as f:
        mlp_source = f.read()
    common = dict(source=mlp_source, loss=model_loss("mlp"), forward=model_forward("mlp"),
                  fillers=mlp["fillers"], kind="trajectory", steps=20)
    table = optimizers(1.0)
    result.append(TrainCase("mlp_sgd_momentum_schedule", optimizer=table["sgd_momentum"],
                            schedule=halve_lr_after(5), **common))
    result.append(TrainCase("mlp_adam_schedule", optimizer=table["adam"],
                            schedule=adam_schedule, **common))
    result.append(TrainCase("mlp_rmsprop_momentum_schedule", optimizer=table["rmsprop_momentum"],
                            schedule=rmsprop_schedule, **common))
    return result


if __name__ == "__main__":
    sys.exit(train_oracle.main(cases, __doc__.split("\n\n")[0]))
