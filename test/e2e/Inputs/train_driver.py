#!/usr/bin/env python3
"""The C driver of <m>_train_step and its build and run helpers, used by
train_oracle.py (test_training.py, test_grad_ops.py).

make_train_driver(header) writes a C program for the compiled model's
training step from its header; build_train compiles the model with nnc and
links the driver (on the host or for aarch64, as oracle.build does for
inference); run_train feeds it parameters, K batches and hyperparameters
and returns the trained parameters, the losses and the final outputs. The
driver also checks the ABI: NULL and misaligned pointers, guard bytes,
read-only inputs, zeroing by <m>_init_opt_state and bit-identical
repetition from fresh buffers.
"""

import dataclasses
import math
import os
import re
import sys
from typing import Dict

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import numpy as np  # noqa: E402 - oracle.py reports a missing numpy/torch
import torch  # noqa: E402

from oracle import (HOST, PROTOTYPE_RE, OracleError, check_tables,  # noqa: E402
                    header_abi_version, parse_info, read_template, run)

TRAIN_DRIVER = read_template("train_driver.c.in")

TRAIN_PROTOTYPE_RE = re.compile(r"int32_t\s+(\w+)_train_step\s*\(([^)]*)\)\s*;")


def make_train_driver(header_text):
    """The C source of the training driver for the model declared in
    `header_text` (which must declare <m>_train_step and <m>_infer).

    `drv info` prints the tables of the infer driver plus the lines
    `train OPT_STATE_BYTES TRAIN_SCRATCH_BYTES TARGET_COUNT NNC_ABI_VERSION
    MACROS_AGREE`, one `target` line per target and `hparams` with the 8
    fields of <m>_default_hparams.

    `drv train K params.bin data.bin hparams.bin out_params.bin losses.bin
    outputs.bin CHECK` zeroes a fresh optimizer state with
    <m>_init_opt_state (which must zero exactly OPT_STATE_BYTES bytes) and
    runs K steps: step k reads record k of data.bin (the inputs, then the
    targets, raw) and record k of hparams.bin (9 floats: a flag, 0 = pass
    NULL, then lr, momentum, dampening, alpha, beta1, beta2, eps,
    weight_decay; the struct is passed at an address that is not 64-byte
    aligned, as is the loss). Every step must return NNC_OK, must not write
    past the parameter, optimizer-state or scratch buffers nor modify its
    inputs/targets. It writes the parameter buffer after the last step, the
    K losses and the outputs of <m>_infer on the trained parameters and the
    last record's inputs. With CHECK=1 it also checks that NULL and
    misaligned required pointers are rejected (NNC_ERR_NULL_ARGUMENT,
    NNC_ERR_ALIGNMENT) without changing parameters, state or loss, and that
    a second run of the K steps from fresh buffers with other fill bytes
    gives bit-identical parameters, losses and optimizer state."""
    match = TRAIN_PROTOTYPE_RE.search(header_text)
    if not match:
        raise OracleError("m.h declares no `int32_t <name>_train_step(...)` prototype")
    name, params = match.group(1), match.group(2)
    nargs = len([a for a in params.split(",") if a.strip()])
    nio = nargs - 5  # params, opt_state, io..., hparams, loss, scratch
    infer = PROTOTYPE_RE.search(header_text)
    if not infer or infer.group(1) != name:
        raise OracleError("m.h declares no matching `int32_t <name>_infer(...)` prototype")
    ninfer = len([a for a in infer.group(2).split(",") if a.strip()])
    train_args = ", ".join([f"(a)[{i}]" for i in range(2 + nio)] +
                           ["(hp)", "(loss)", f"(a)[{nio + 2}]"])
    infer_args = ", ".join(f"(a)[{i}]" for i in range(ninfer))
    return (TRAIN_DRIVER.replace("@NAME@", name).replace("@UPPER@", name.upper())
            .replace("@NIO@", str(nio)).replace("@NINFER@", str(ninfer))
            .replace("@TRAINARGS@", train_args).replace("@INFERARGS@", infer_args))


HPARAM_FIELDS = ("lr", "momentum", "dampening", "alpha", "beta1", "beta2", "eps",
                 "weight_decay")


def parse_train_info(text):
    """parse_info plus the training lines of the training driver."""
    info = parse_info(text)
    info["targets"] = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "train":
            info["opt_state_bytes"] = int(words[1])
            info["train_scratch_bytes"] = int(words[2])
            info["target_count"] = int(words[3])
            info["header_abi_version"] = int(words[4])
            info["size_macros_agree"] = words[5] == "1"
        elif words[0] == "target":
            rank = int(words[4])
            info["targets"].append({
                "name": words[1], "dtype": int(words[2]), "numel": int(words[3]),
                "shape": tuple(int(w) for w in words[5:5 + rank])})
        elif words[0] == "hparams":
            info["default_hparams"] = dict(zip(HPARAM_FIELDS, (float(w) for w in words[1:9])))
    return info


def build_train(source, nnc, workdir, target=HOST):
    """Compiles `source` (a model with a train section) and its training
    driver in `workdir`; returns the model info (parse_train_info)."""
    with open(os.path.join(workdir, "m.nn"), "w", encoding="utf-8") as f:
        f.write(source)
    run([nnc, *target.nnc_flags, "m.nn", "-o", "m.o"], workdir,
        " ".join(["nnc", *target.nnc_flags, "m.nn -o m.o"]))
    with open(os.path.join(workdir, "m.h"), encoding="utf-8") as f:
        header = f.read()
    with open(os.path.join(workdir, "train_driver.c"), "w", encoding="utf-8") as f:
        f.write(make_train_driver(header))
    run([target.cc, *target.cflags, "train_driver.c", "m.o", "-o", "train_drv",
         *target.ldflags], workdir, f"{os.path.basename(target.cc)} train_driver.c m.o")
    info = parse_train_info(run([*target.runner, "./train_drv", "info"], workdir,
                                "train_drv info"))
    if "opt_state_bytes" not in info:
        raise OracleError("train_drv info printed no `train` line")
    check_tables(info, abi_version=info["header_abi_version"])
    problems = []
    if not info["size_macros_agree"]:
        problems.append("<M>_OPT_STATE_BYTES / <M>_TRAIN_SCRATCH_BYTES differ from model_info")
    if info["target_count"] != len(info["targets"]):
        problems.append(f"target_count {info['target_count']} but {len(info['targets'])} listed")
    for t in info["targets"]:
        if t["numel"] != math.prod(t["shape"]):
            problems.append(f"target {t['name']}: numel {t['numel']} != prod{t['shape']}")
    if problems:
        raise OracleError("training tables: " + "; ".join(problems))
    return info


@dataclasses.dataclass
class TrainRun:
    params: Dict[str, "torch.Tensor"]   # float32, after the last step
    losses: list                        # K floats
    outputs: list                       # <m>_infer on the trained params, last inputs
    checks: int                         # ABI / repeatability checks done


def run_train(workdir, info, params, batches, hparams=None, check=True, target=HOST):
    """Runs the training driver built by build_train in `workdir`.

    params:  {name: float32 tensor} for every parameter of the model;
    batches: K lists of tensors, the inputs then the targets of each step
             (float32 or int32, the declared shapes);
    hparams: None (NULL at every step) or K entries, each None (NULL) or a
             {field: value} dict of all 8 nnc_hparams fields.
    """
    k_steps = len(batches)
    blob = bytearray(info["param_bytes"])
    for p in info["params"]:
        data = params[p["name"]].to(torch.float32).contiguous().numpy().tobytes()
        blob[p["offset"]:p["offset"] + len(data)] = data
    tensors = info["inputs"] + info["targets"]
    with open(os.path.join(workdir, "params.bin"), "wb") as f:
        f.write(bytes(blob))
    with open(os.path.join(workdir, "data.bin"), "wb") as f:
        for batch in batches:
            if len(batch) != len(tensors):
                raise OracleError(f"a batch has {len(batch)} tensors, the model takes "
                                  f"{len(tensors)} inputs and targets")
            for t, value in zip(tensors, batch):
                dtype = torch.float32 if t["dtype"] == 0 else torch.int32
                if tuple(value.shape) != t["shape"] or value.dtype != dtype:
                    raise OracleError(f"{t['name']}: value {value.dtype}{list(value.shape)}, "
                                      f"declared {dtype}{list(t['shape'])}")
                f.write(value.contiguous().numpy().tobytes())
    records = np.zeros((k_steps, 9), dtype=np.float32)
    for k, h in enumerate(hparams or [None] * k_steps):
        if h is not None:
            records[k, 0] = 1.0
            records[k, 1:] = [h[field] for field in HPARAM_FIELDS]
    with open(os.path.join(workdir, "hparams.bin"), "wb") as f:
        f.write(records.tobytes())
    stdout = run([*target.runner, "./train_drv", "train", str(k_steps), "params.bin", "data.bin",
                  "hparams.bin", "out_params.bin", "losses.bin", "outputs.bin",
                  "1" if check else "0"], workdir, "train_drv train")
    with open(os.path.join(workdir, "out_params.bin"), "rb") as f:
        raw = f.read()
    after = {}
    for p in info["params"]:
        after[p["name"]] = torch.from_numpy(np.frombuffer(
            raw, dtype=np.float32, count=p["numel"], offset=p["offset"]).copy()).reshape(
                p["shape"])
    losses = np.fromfile(os.path.join(workdir, "losses.bin"), dtype=np.float32).tolist()
    with open(os.path.join(workdir, "outputs.bin"), "rb") as f:
        raw = f.read()
    outputs, at = [], 0
    for t in info["outputs"]:
        dtype = np.float32 if t["dtype"] == 0 else np.int32
        outputs.append(torch.from_numpy(np.frombuffer(
            raw, dtype=dtype, count=t["numel"], offset=at).copy()).reshape(t["shape"]))
        at += 4 * t["numel"]
    checks = re.search(r"train-checks (\d+)", stdout)
    return TrainRun(after, losses, outputs, int(checks.group(1)) if checks else 0)
