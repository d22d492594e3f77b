#!/usr/bin/env python3
"""End-to-end numerical oracle for nnc-compiled models.

One *case* is a `.nn` source and a PyTorch reference function. For a case
this module

  1. writes the source to a temporary directory and compiles it with
     `nnc m.nn -o m.o` (which also writes the header m.h);
  2. generates a small C driver that includes m.h, allocates every buffer
     64-byte aligned (aligned_alloc(64, round_up(n, 64))), and either prints
     the compiled model's own tables (`drv info`: parameter names, byte
     offsets, shapes; inputs; outputs; sizes) or reads parameters and inputs
     from binary files, calls <m>_infer, checks its return code and writes
     the outputs to a file (`drv run`); compiles and links it with m.o;
  3. learns the parameter layout from `drv info`, so Python never guesses
     offsets, and fills every parameter with seeded random values drawn with
     a torch.Generator (conv/dense weights scaled by 1/sqrt(fan_in), biases
     and norm shifts in [-0.5, 0.5], norm scales in [0.5, 1.5],
     running_mean in [-0.5, 0.5], running_var in [0.5, 2.0] - never 0 or 1);
  4. runs the driver on random inputs and compares every output with the
     reference computed by PyTorch in float64 (`.double()` on the same
     float32 inputs and parameters).

Tolerance (per output tensor, f32 outputs):

    pass  iff  max|nnc - ref| <= 1e-4 * max(1, max|ref|)

i32 outputs (argmax) must be exactly equal; cases that use argmax build
their inputs so that no two candidates tie (or nearly tie).

The driver also checks the ABI of the entry point on every run: for every
pointer argument that the model requires (params only if param_bytes > 0,
scratch only if infer_scratch_bytes > 0, every input and output), passing
NULL must return NNC_ERR_NULL_ARGUMENT (1) and passing a pointer that is
4 or 32 bytes past a 64-byte boundary must return NNC_ERR_ALIGNMENT (2),
and none of these failing calls may write an output. Each real call must
return NNC_OK (0), must not write past the end of an output or of the
scratch buffer (guard bytes), and two calls with differently pre-filled
scratch buffers must produce bit-identical outputs.

Targets (--target): `host` (the default) compiles with plain `nnc` (the
host's CPU unless --cpu is given) and runs the driver natively; `aarch64`
compiles with `nnc --target=aarch64-linux-gnu --cpu=cortex-a72`, links the
driver with `aarch64-linux-gnu-gcc -O1 -static` (dynamically if the
toolchain cannot link statically) and runs every `drv` command, the ABI
checks included, under `qemu-aarch64 -L /usr/aarch64-linux-gnu -cpu
cortex-a72`. Seeds, values, references and tolerance do not depend on the
target. NNC_E2E_AARCH64_CC and NNC_E2E_AARCH64_SYSROOT override the cross
compiler and QEMU's -L.

Usage as a library (see test_ops.py):

    case = Case("relu", source, lambda p, x: torch.relu(x))
    result = run_case(case, nnc="/path/to/nnc")      # or target=make_target("aarch64")
    print(result.message)

Usage as a command line tool, for one case:

    oracle.py --nnc NNC --source model.nn --ref refs.py:function [--seed N]
              [--keep DIR] [--info] [--target host|aarch64] [--cpu CPU]

where `function(p, *inputs)` takes the parameter dict (name -> float64
tensor) and the inputs in declaration order and returns the output tensor
or a tuple of them in declaration order. `--info` only prints the compiled
model's parameter table.
"""

import argparse
import concurrent.futures
import dataclasses
import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from typing import Callable, Dict, Optional

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

try:
    import numpy as np
    import torch
except Exception as error:  # noqa: BLE001 - a missing oracle is a failure
    print(f"FAIL: cannot import torch/numpy with {sys.executable}: {error!r}",
          file=sys.stderr)
    sys.exit(1)

torch.set_num_threads(1)

RTOL = 1e-4  # max|nnc - ref| <= RTOL * max(1, max|ref|), per output tensor

# gcc first: it starts about twice as fast as clang-19 here, and the driver is
# compiled once per case. NNC_E2E_CC overrides.
CC = os.environ.get("NNC_E2E_CC") or shutil.which("gcc") or shutil.which("clang-19") \
    or shutil.which("clang") or "cc"
CFLAGS = ["-std=c11", "-O0", "-Wall", "-Wextra", "-Werror"]


# --------------------------------------------------------------------------
# Targets: how to compile the model, build the driver and run it.
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a case runs.

    name:      `host` or `aarch64` (see TARGETS).
    nnc_flags: extra nnc options (--target=, --cpu=).
    cc, cflags, ldflags: the driver's compiler and flags (links with m.o).
    runner:    prefix of the command that runs the driver (an emulator).
    cpu:       the CPU the code is compiled for (None: nnc's default).
    """
    name: str
    nnc_flags: tuple = ()
    cc: str = CC
    cflags: tuple = tuple(CFLAGS)
    ldflags: tuple = ("-lm",)
    runner: tuple = ()
    cpu: Optional[str] = None

    def describe(self):
        parts = [f"target {self.name}: nnc {' '.join(self.nnc_flags) or '(host defaults)'}",
                 f"{os.path.basename(self.cc)} {' '.join(self.cflags + self.ldflags)}"]
        if self.runner:
            parts.append("run " + " ".join(self.runner))
        return "; ".join(parts)


HOST = Target("host")

# AArch64 through user-mode QEMU. The driver is linked statically, so that
# QEMU needs no target sysroot at run time; if the cross toolchain cannot link
# statically, it links dynamically and QEMU finds the loader and libc under
# AARCH64_SYSROOT (-L, passed in both cases).
AARCH64_CC = os.environ.get("NNC_E2E_AARCH64_CC") or "aarch64-linux-gnu-gcc"
AARCH64_SYSROOT = os.environ.get("NNC_E2E_AARCH64_SYSROOT") or "/usr/aarch64-linux-gnu"
AARCH64_CPU = "cortex-a72"


def _links_statically(cc):
    """Whether `cc -static` links a C program (probed once per compiler)."""
    if cc in _links_statically.cache:
        return _links_statically.cache[cc]
    ok = False
    workdir = tempfile.mkdtemp(prefix="nnc-e2e-static-")
    try:
        with open(os.path.join(workdir, "t.c"), "w", encoding="utf-8") as f:
            f.write("#include <stdio.h>\nint main(void) { puts(\"\"); return 0; }\n")
        ok = subprocess.run([cc, "-O1", "-static", "t.c", "-o", "t", "-lm"], cwd=workdir,
                            capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _links_statically.cache[cc] = ok
    return ok


_links_statically.cache = {}


def make_target(name="host", cpu=None):
    """The Target `name` (host or aarch64), compiled for `cpu` (default: the
    host's CPU for host, cortex-a72 for aarch64; QEMU emulates the same CPU)."""
    if name == "host":
        return Target("host", (f"--cpu={cpu}",) if cpu else (), cpu=cpu)
    if name == "aarch64":
        cpu = cpu or AARCH64_CPU
        static = ("-static",) if _links_statically(AARCH64_CC) else ()
        return Target("aarch64", ("--target=aarch64-linux-gnu", f"--cpu={cpu}"), AARCH64_CC,
                      ("-std=c11", "-O1", "-Wall", "-Wextra", "-Werror"), static + ("-lm",),
                      ("qemu-aarch64", "-L", AARCH64_SYSROOT, "-cpu", cpu), cpu)
    raise ValueError(f"unknown target {name!r} (host, aarch64)")


TARGETS = ("host", "aarch64")

# --------------------------------------------------------------------------
# The C driver.
# --------------------------------------------------------------------------


def read_template(name):
    """The text of Inputs/`name`: C source with @NAME@-style holes."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name),
              encoding="utf-8") as f:
        return f.read()


DRIVER = read_template("infer_driver.c.in")

PROTOTYPE_RE = re.compile(r"int32_t\s+(\w+)_infer\s*\(([^)]*)\)\s*;")


def make_driver(header_text):
    """The driver's C source for the model declared in `header_text`."""
    match = PROTOTYPE_RE.search(header_text)
    if not match:
        raise OracleError("m.h declares no `int32_t <name>_infer(...)` prototype")
    name, params = match.group(1), match.group(2)
    nargs = len([a for a in params.split(",") if a.strip()])
    call_args = ", ".join(f"(a)[{i}]" for i in range(nargs))
    driver = (DRIVER.replace("@NAME@", name).replace("@NARGS@", str(nargs))
              .replace("@CALLARGS@", call_args))
    return driver

# --------------------------------------------------------------------------
# Cases and values.
# --------------------------------------------------------------------------


class OracleError(Exception):
    pass


@dataclasses.dataclass
class Case:
    """One end-to-end case.

    name:    unique, used for the seed and the temp directory.
    source:  the .nn text.
    ref:     ref(p, *inputs) -> tensor or tuple of tensors, in float64;
             p maps every parameter name to its float64 value.
    inputs:  optional {input name: fn(generator, shape) -> float32 tensor};
             default standard normal.
    params:  optional {parameter name: fn(generator, shape) -> float32
             tensor} overriding the default fill (see default_param).
    nnc_flags: extra nnc options of this case (e.g. --fold-batch-norm).
    """
    name: str
    source: str
    ref: Callable
    inputs: Optional[Dict[str, Callable]] = None
    params: Optional[Dict[str, Callable]] = None
    nnc_flags: tuple = ()


@dataclasses.dataclass
class Result:
    name: str
    ok: bool
    message: str
    # When the case ran: the output tables of the model and nnc's outputs
    # (used to compare targets or CPUs with each other).
    outputs: Optional[list] = None
    output_info: Optional[list] = None


def model_source(*lines):
    """The source of a model `m` made of the given statements."""
    body = "\n".join("  " + line for line in lines)
    return f"model m {{\n{body}\n}}\n"


def seed_of(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def uniform(generator, shape, low, high):
    return torch.rand(shape, generator=generator, dtype=torch.float32) * (high - low) + low


def randn(scale=1.0, shift=0.0):
    """Input filler: normal(shift, scale)."""
    return lambda g, shape: torch.randn(shape, generator=g, dtype=torch.float32) * scale + shift


def uniform_in(low, high):
    """Input filler: uniform(low, high)."""
    return lambda g, shape: uniform(g, shape, low, high)


def distinct(step=0.25):
    """Input filler: a random permutation of evenly spaced values, so no two
    elements are equal or closer than `step` (for argmax and max ties)."""
    def fill(g, shape):
        n = math.prod(shape)
        values = (torch.arange(n, dtype=torch.float32) - n / 2) * step
        return values[torch.randperm(n, generator=g)].reshape(shape)
    return fill


def default_param(generator, name, shape):
    """The default value of a parameter, by its PyTorch name and shape."""
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "running_var":
        return uniform(generator, shape, 0.5, 2.0)
    if leaf == "running_mean":
        return uniform(generator, shape, -0.5, 0.5)
    if leaf == "bias":
        return uniform(generator, shape, -0.5, 0.5)
    if leaf == "weight" and len(shape) >= 2:
        # dense [out, in], conv [F, C/g, k..], conv_transpose [C, F/g, k..]:
        # variance 1/fan_in keeps activations O(1) through deep models.
        fan_in = math.prod(shape[1:])
        bound = math.sqrt(3.0 / fan_in)
        return uniform(generator, shape, -bound, bound)
    # Rank-1 weights: norm scales. (A layer_norm over several dims has a
    # rank >= 2 weight and gets the matrix fill above: random and non-zero,
    # which is all the comparison needs.)
    return uniform(generator, shape, 0.5, 1.5)

# --------------------------------------------------------------------------
# Running one case.
# --------------------------------------------------------------------------


def run(cmd, cwd, what, timeout=600):
    env = dict(os.environ, LLVM_DISABLE_SYMBOLIZATION="1")
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        # Crash dumps: keep the program's own messages and the pass names of
        # the stack dump, not the frame list.
        lines = [line for line in (proc.stdout + proc.stderr).strip().splitlines()
                 if not re.match(r"\s*#?\d+\s+(0x|\S+\s+0x)|PLEASE submit|Stack dump", line)]
        if len(lines) > 20:
            lines = lines[:20] + [f"... ({len(lines) - 20} more lines)"]
        detail = "\n".join(lines)
        if proc.returncode < 0:
            detail += f"\n(killed by signal {-proc.returncode})"
        raise OracleError(f"{what} failed (exit {proc.returncode}):\n{detail}")
    return proc.stdout


def parse_info(text):
    info = {"params": [], "inputs": [], "outputs": []}
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "model":
            info["name"] = words[1]
            info["abi_version"] = int(words[2])
            info["param_bytes"] = int(words[3])
            info["scratch_bytes"] = int(words[4])
            info["counts"] = tuple(int(w) for w in words[5:8])
        elif words[0] == "param":
            rank = int(words[5])
            info["params"].append({
                "name": words[1], "offset": int(words[2]), "numel": int(words[3]),
                "trainable": words[4] == "1",
                "shape": tuple(int(w) for w in words[6:6 + rank])})
        elif words[0] in ("input", "output"):
            rank = int(words[4])
            info[words[0] + "s"].append({
                "name": words[1], "dtype": int(words[2]), "numel": int(words[3]),
                "shape": tuple(int(w) for w in words[5:5 + rank])})
    return info


def check_tables(info, abi_version=1):
    """Sanity of the model's own tables (offsets, sizes)."""
    problems = []
    if info.get("abi_version") != abi_version:
        problems.append(f"abi_version {info.get('abi_version')}, want {abi_version}")
    counts = (len(info["params"]), len(info["inputs"]), len(info["outputs"]))
    if counts != info["counts"]:
        problems.append(f"counts {info['counts']} but tables list {counts}")
    spans = []
    for p in info["params"]:
        if p["numel"] != math.prod(p["shape"]):
            problems.append(f"param {p['name']}: numel {p['numel']} != prod{p['shape']}")
        if p["offset"] % 64:
            problems.append(f"param {p['name']}: offset {p['offset']} not 64-aligned")
        end = p["offset"] + 4 * p["numel"]
        if end > info["param_bytes"]:
            problems.append(f"param {p['name']}: ends at {end} > param_bytes "
                            f"{info['param_bytes']}")
        spans.append((p["offset"], end, p["name"]))
    spans.sort()
    for (a0, a1, an), (b0, _, bn) in zip(spans, spans[1:]):
        if b0 < a1:
            problems.append(f"params {an} and {bn} overlap")
    for t in info["inputs"] + info["outputs"]:
        if t["numel"] != math.prod(t["shape"]):
            problems.append(f"tensor {t['name']}: numel {t['numel']} != prod{t['shape']}")
    if problems:
        raise OracleError("model tables: " + "; ".join(problems))


def build(case, nnc, workdir, target=HOST):
    """Compiles the case and its driver in `workdir` for `target`; returns
    the model info."""
    with open(os.path.join(workdir, "m.nn"), "w", encoding="utf-8") as f:
        f.write(case.source)
    flags = [*target.nnc_flags, *case.nnc_flags]
    run([nnc, *flags, "m.nn", "--no-train", "-o", "m.o"], workdir,
        " ".join(["nnc", *flags, "m.nn --no-train -o m.o"]))
    with open(os.path.join(workdir, "m.h"), encoding="utf-8") as f:
        header = f.read()
    with open(os.path.join(workdir, "driver.c"), "w", encoding="utf-8") as f:
        f.write(make_driver(header))
    run([target.cc, *target.cflags, "driver.c", "m.o", "-o", "drv", *target.ldflags],
        workdir, f"{os.path.basename(target.cc)} driver.c m.o")
    info = parse_info(run([*target.runner, "./drv", "info"], workdir, "drv info"))
    check_tables(info, header_abi_version(header))
    return info


def header_abi_version(header_text):
    """The NNC_ABI_VERSION the generated header embeds (1 if it has none)."""
    match = re.search(r"#define\s+NNC_ABI_VERSION\s+(\d+)", header_text)
    return int(match.group(1)) if match else 1


def make_values(case, info):
    """The float32 parameter dict and input list of a case."""
    generator = torch.Generator().manual_seed(seed_of(case.name))
    overrides = case.params or {}
    params = {}
    for p in info["params"]:
        fill = overrides.get(p["name"])
        value = fill(generator, p["shape"]) if fill else \
            default_param(generator, p["name"], p["shape"])
        params[p["name"]] = value.to(torch.float32).reshape(p["shape"]).contiguous()
    inputs = []
    fillers = case.inputs or {}
    for t in info["inputs"]:
        fill = fillers.get(t["name"], randn())
        value = fill(generator, t["shape"])
        dtype = torch.float32 if t["dtype"] == 0 else torch.int32
        inputs.append(value.to(dtype).reshape(t["shape"]).contiguous())
    return params, inputs


def compare(case_name, out_info, got, want):
    """None if `got` (nnc) matches `want` (reference), else a message."""
    name = out_info["name"]
    if tuple(want.shape) != out_info["shape"]:
        return (f"{case_name}: output {name}: nnc shape {list(out_info['shape'])}, reference "
                f"shape {list(want.shape)}")
    if out_info["dtype"] == 1:
        want = want.to(torch.int64)
        got = got.to(torch.int64)
        wrong = (got != want).nonzero()
        if wrong.numel() == 0:
            return None
        index = tuple(int(i) for i in wrong[0])
        return (f"{case_name}: output {name} (i32): {wrong.shape[0]} of {want.numel()} "
                f"elements differ; first at {list(index)}: nnc {int(got[index])}, "
                f"ref {int(want[index])}")
    want = want.to(torch.float64)
    got = got.to(torch.float64)
    scale = max(1.0, float(want.abs().max())) if want.numel() else 1.0
    tolerance = RTOL * scale
    diff = (got - want).abs()
    diff[torch.isnan(got) != torch.isnan(want)] = math.inf
    diff[torch.isnan(got) & torch.isnan(want)] = 0
    worst = float(diff.max()) if diff.numel() else 0.0
    if worst <= tolerance:
        return None
    flat = int(diff.reshape(-1).argmax())
    index = tuple(int(i) for i in np.unravel_index(flat, tuple(want.shape)))
    bad = int((diff > tolerance).sum())
    return (f"{case_name}: output {name} {list(want.shape)}: max|nnc - ref| = {worst:.6g} > "
            f"tolerance {tolerance:.3g} (1e-4 * max(1, max|ref| = {scale:.6g})); "
            f"{bad} of {want.numel()} elements off; worst at {list(index)}: "
            f"nnc {float(got[index])!r}, ref {float(want[index])!r}")


def run_case(case, nnc, keep=None, target=HOST):
    """Builds, runs and checks one case on `target`. Never raises: returns a
    Result."""
    workdir = keep or tempfile.mkdtemp(prefix=f"nnc-e2e-{case.name}-")
    os.makedirs(workdir, exist_ok=True)
    try:
        info = build(case, nnc, workdir, target)
        params, inputs = make_values(case, info)
        blob = bytearray(info["param_bytes"])
        for p in info["params"]:
            data = params[p["name"]].numpy().tobytes()
            blob[p["offset"]:p["offset"] + len(data)] = data
        with open(os.path.join(workdir, "params.bin"), "wb") as f:
            f.write(bytes(blob))
        with open(os.path.join(workdir, "inputs.bin"), "wb") as f:
            for value in inputs:
                f.write(value.numpy().tobytes())
        stdout = run([*target.runner, "./drv", "run", "params.bin", "inputs.bin",
                      "outputs.bin"], workdir, "drv run")
        abi = re.search(r"abi-checks (\d+)", stdout)
        with open(os.path.join(workdir, "outputs.bin"), "rb") as f:
            raw = f.read()
        got, at = [], 0
        for t in info["outputs"]:
            dtype = np.float32 if t["dtype"] == 0 else np.int32
            n = t["numel"]
            got.append(torch.from_numpy(
                np.frombuffer(raw, dtype=dtype, count=n, offset=at).copy()).reshape(t["shape"]))
            at += 4 * n
        # The reference, in float64.
        p64 = {k: v.double() for k, v in params.items()}
        x64 = [v.double() if v.dtype == torch.float32 else v for v in inputs]
        with torch.no_grad():
            want = case.ref(p64, *x64)
        if isinstance(want, torch.Tensor):
            want = (want,)
        want = list(want)
        if len(want) != len(info["outputs"]):
            raise OracleError(f"reference returns {len(want)} outputs, model has "
                              f"{len(info['outputs'])}")
        problems = [m for m in (compare(case.name, t, g, w)
                                for t, g, w in zip(info["outputs"], got, want)) if m]
        if problems:
            return Result(case.name, False, "\n".join(problems))
        detail = f"{len(info['outputs'])} output(s), {len(info['params'])} params"
        if abi:
            detail += f", {abi.group(1)} ABI checks"
        return Result(case.name, True, detail, got, info["outputs"])
    except OracleError as error:
        return Result(case.name, False, f"{case.name}: {error}")
    except Exception as error:  # noqa: BLE001 - report, never crash the suite
        return Result(case.name, False, f"{case.name}: {type(error).__name__}: {error}")
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def select(cases, only=None, subset=None, subsets=None):
    """The cases named by `subset` (a key of `subsets`: a list of exact case
    names, every one of which must exist) and matching one of the regexes
    `only`, in their original order."""
    if subset is not None:
        if subset not in (subsets or {}):
            raise SystemExit(f"unknown subset {subset!r}; known: {sorted(subsets or {})}")
        wanted = subsets[subset]
        missing = sorted(set(wanted) - {c.name for c in cases})
        if missing:
            raise SystemExit(f"subset {subset!r} names unknown cases: {missing}")
        cases = [c for c in cases if c.name in set(wanted)]
    if only:
        cases = [c for c in cases if any(re.search(o, c.name) for o in only)]
    return cases


def check_tools(target):
    """Exits with a message if a tool of `target` is missing."""
    for tool in (target.cc, *target.runner[:1]):
        if not shutil.which(tool):
            raise SystemExit(f"FAIL: {tool} (needed for target {target.name}) is not on PATH")


def run_cases(cases, nnc, jobs=None, keep=None, only=None, verbose=False, target=HOST):
    """Runs cases in parallel on `target`, prints one line per case and the
    summary line `N passed, N failed`; returns the number of failures."""
    cases = select(cases, only)
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SystemExit(f"duplicate case names: {sorted(duplicates)}")
    jobs = jobs or os.cpu_count() or 2
    if target != HOST:
        print(target.describe())
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_case, c, nnc,
                               os.path.join(keep, c.name) if keep else None, target)
                   for c in cases]
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


def suite_main(cases, description, subsets=None):
    """The command line of test_ops.py / test_models.py. `subsets` maps a
    subset name (--subset) to a list of case names."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--nnc", required=True, help="path of the nnc binary")
    parser.add_argument("-j", "--jobs", type=int, default=None)
    parser.add_argument("--keep", help="keep each case's files under this directory")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--target", choices=TARGETS, default="host",
                        help="host (default), or aarch64: nnc --target=aarch64-linux-gnu, "
                             "the driver cross-linked statically with aarch64-linux-gnu-gcc "
                             "and run by qemu-aarch64")
    parser.add_argument("--cpu", help="nnc --cpu (default: the host's CPU; cortex-a72 for "
                                      "aarch64, where QEMU emulates the same CPU)")
    parser.add_argument("--subset", help="run only the named subset of cases: "
                                         + ", ".join(sorted(subsets or {})))
    parser.add_argument("only", nargs="*", help="regexes selecting cases by name")
    args = parser.parse_args()
    cases = select(cases() if callable(cases) else cases, None, args.subset, subsets)
    target = make_target(args.target, args.cpu)
    check_tools(target)
    failed = run_cases(cases, args.nnc, args.jobs, args.keep, args.only, args.verbose, target)
    return 1 if failed else 0

# --------------------------------------------------------------------------
# Command line: one case.
# --------------------------------------------------------------------------


def load_function(spec):
    path, _, function = spec.rpartition(":")
    if not path:
        raise SystemExit("--ref must be file.py:function")
    module_spec = importlib.util.spec_from_file_location("oracle_ref", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return getattr(module, function)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nnc", required=True, help="path of the nnc binary")
    parser.add_argument("--source", required=True, help="the .nn model")
    parser.add_argument("--ref", help="file.py:function, the PyTorch reference")
    parser.add_argument("--name", help="case name (default: the file's stem); sets the seed")
    parser.add_argument("--keep", help="build in this directory and keep it")
    parser.add_argument("--info", action="store_true",
                        help="only print the compiled model's tables")
    parser.add_argument("--target", choices=TARGETS, default="host",
                        help="host (default) or aarch64 (run by qemu-aarch64)")
    parser.add_argument("--cpu", help="nnc --cpu (default: see make_target)")
    args = parser.parse_args()
    target = make_target(args.target, args.cpu)
    check_tools(target)
    with open(args.source, encoding="utf-8") as f:
        source = f.read()
    name = args.name or os.path.splitext(os.path.basename(args.source))[0]
    if args.info:
        workdir = args.keep or tempfile.mkdtemp(prefix="nnc-e2e-info-")
        os.makedirs(workdir, exist_ok=True)
        try:
            info = build(Case(name, source, None), args.nnc, workdir, target)
        except OracleError as error:
            print(f"FAIL {name}: {error}")
            return 1
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
        print(f"model {info['name']}: param_bytes {info['param_bytes']}, "
              f"infer_scratch_bytes {info['scratch_bytes']}")
        for p in info["params"]:
            print(f"  param {p['name']:40} offset {p['offset']:>10} shape {list(p['shape'])}"
                  f"{'' if p['trainable'] else ' (buffer)'}")
        for kind in ("inputs", "outputs"):
            for t in info[kind]:
                print(f"  {kind[:-1]:6} {t['name']:40} {'f32' if t['dtype'] == 0 else 'i32'}"
                      f"{list(t['shape'])}")
        return 0
    if not args.ref:
        parser.error("--ref is required unless --info is given")
    result = run_case(Case(name, source, load_function(args.ref)), args.nnc, args.keep,
                      target)
    print(("PASS " if result.ok else "FAIL ") + result.message)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
