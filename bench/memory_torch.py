#!/usr/bin/env python3
"""PyTorch's peak working memory for the models of bench/memory.sh, and the
table comparing it with nnc's scratch arena. See bench/README.md.

    memory_torch.py --nnc NNC.tsv [--json FILE] [--rss-check]
    memory_torch.py --measure MODEL.nn --mode infer|train [--method profiler|rss]

NNC.tsv (written by memory.sh) has one row per model, batch and mode:
`file batch mode arena naive params opt_state`, tab-separated, where `file` is
the .nn variant nnc was given. For each row a fresh Python process
(`--measure`) builds the same model as a torch module -- the module of
test/oracle/check_models.py named by the file's `model NAME`, whose
state_dict keys are nnc's parameter names -- with the input shapes, targets,
loss and optimizer the file declares, float32, CPU, one thread, and measures
one step after one warm-up step:

  infer  eval mode under torch.no_grad(): the forward;
  train  train mode: forward, the train section's loss, backward and
         optimizer.step() of the optimizer it names (torch.optim's
         per-parameter loop, the default on CPU), the gradients set to None
         beforehand (nnc's arena holds the gradients too); a
         `c * l2_penalty()` term becomes the optimizer's weight_decay=c, the
         same update as PyTorch users write it.

Peak working memory (method "profiler"): torch.profiler.profile(
profile_memory=True) records every allocation and free of PyTorch's CPU
allocator (tensors, autograd's saved tensors, oneDNN buffers through
ideep's allocator) as a `[memory]` event of signed size; the peak of their
running sum over the step is the most memory the step held at once beyond
what existed before it (parameters, buffers, optimizer state, inputs and
targets), which is what nnc's scratch arena holds. It does include the
step's outputs (nnc's are caller-owned) and no memory the libraries take
outside PyTorch's allocator (BLAS or OpenMP buffers, allocated once).

--rss-check measures every row a second way, at the operating-system level,
in a process started with MALLOC_MMAP_THRESHOLD_=65536 (glibc then maps
every block above 64 KiB fresh and unmaps it on free, so freed tensors leave
the resident set): the resident set's high-water mark over the step (VmHWM,
reset through /proc/self/clear_refs right before it) minus the resident set
before it.
"""

import argparse
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "test", "oracle"))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "Inputs"))

METHODS = {
    "profiler": "torch.profiler profile_memory=True: peak of live CPU-allocator bytes",
    "rss": "VmHWM - VmRSS over the step, MALLOC_MMAP_THRESHOLD_=65536",
}
RSS_ENV = {"MALLOC_MMAP_THRESHOLD_": "65536"}

# --------------------------------------------------------------------------
# The .nn file's declarations (only what the torch side needs).
# --------------------------------------------------------------------------

MODEL_RE = re.compile(r"^\s*model\s+(\w+)", re.MULTILINE)
OUTPUT_RE = re.compile(r"^\s*output\s+(\w+)\s*=", re.MULTILINE)
TARGET_RE = re.compile(r"^\s*target\s+(\w+)\s*:\s*(f32|i32)\s*\[([^\]]*)\]", re.MULTILINE)
LOSS_RE = re.compile(r"^\s*loss\s*=\s*(.*?)\s*$", re.MULTILINE)
OPTIMIZER_RE = re.compile(r"^\s*optimizer\s*=\s*(\w+)\s*\((.*)\)\s*$", re.MULTILINE)
NUMBER = r"[0-9.]+(?:[eE][-+]?[0-9]+)?"
TERM_RE = re.compile(rf"^(?:({NUMBER})\s*\*\s*)?(\w+)\s*\(([^()]*)\)(?:\s*\*\s*({NUMBER}))?$")


def fail(message):
    print(f"memory_torch.py: {message}", file=sys.stderr)
    sys.exit(1)


def parse_optimizer(source):
    """train_oracle.Optimizer of the file's `optimizer = kind(k=v, ...)`."""
    import train_oracle
    match = OPTIMIZER_RE.search(source)
    if not match:
        fail("no `optimizer = kind(...)` line in the train section")
    args = {}
    for item in filter(None, (a.strip() for a in match[2].split(","))):
        key, _, value = (s.strip() for s in item.partition("="))
        args[key] = value == "true" if value in ("true", "false") else float(value)
    if match[1] not in train_oracle.DEFAULTS:
        fail(f"optimizer {match[1]} is not one of {sorted(train_oracle.DEFAULTS)}")
    return train_oracle.Optimizer(match[1], args)


def parse_loss(source):
    """The terms (scale, function, args) of the file's `loss = ...`, a sum of
    `[c *] function(args)`."""
    match = LOSS_RE.search(source)
    if not match:
        fail("no `loss = ...` line in the train section")
    terms = []
    for text in match[1].split("+"):
        term = TERM_RE.match(text.strip())
        if not term:
            fail(f"loss term `{text.strip()}` is not `[c *] function(args)`")
        scale = float(term[1] or 1.0) * float(term[4] or 1.0)
        terms.append((scale, term[2], [a.strip() for a in term[3].split(",") if a.strip()]))
    return terms


def fold_l2_penalty(terms, optimizer):
    """Moves `c * l2_penalty()` into the optimizer as weight_decay=c, what a
    PyTorch user writes and the same update (docs/language.md 10.2) -- for
    sgd, rmsprop and adam without a weight_decay of their own (adamw's is
    decoupled). Returns the remaining terms."""
    rest = []
    for scale, function, args in terms:
        if (function == "l2_penalty" and not args and optimizer.kind != "adamw"
                and not optimizer.args.get("weight_decay")):
            optimizer.args["weight_decay"] = scale
        else:
            rest.append((scale, function, args))
    return rest


def loss_function(terms, outputs, targets, model):
    """loss(results, target_tensors): the sum of the terms, each one of
    softmax_cross_entropy|cross_entropy|mse(output, target) and l2_penalty()
    (docs/language.md 10.1-10.2)."""
    import torch.nn.functional as F
    parts = []
    for scale, function, args in terms:
        spelling = f"{function}({', '.join(args)})"
        if function == "l2_penalty" and not args:
            parts.append((scale, lambda r, t: 0.5 * sum((p * p).sum() for p in model.parameters())))
            continue
        if function not in ("softmax_cross_entropy", "cross_entropy", "mse") or len(args) != 2:
            fail(f"loss term `{spelling}` is not supported here")
        if args[0] not in outputs or args[1] not in targets:
            fail(f"loss term `{spelling}`: want (output, target), outputs {outputs}, "
                 f"targets {list(targets)}")
        out, tgt = outputs.index(args[0]), args[1]
        torch_loss = F.mse_loss if function == "mse" else F.cross_entropy
        parts.append((scale, lambda r, t, f=torch_loss, o=out, g=tgt: f(r[o], t[g])))
    if not parts:
        fail("the loss has no term left to differentiate")

    def loss(results, target_tensors):
        total = None
        for scale, part in parts:
            value = part(results, target_tensors)
            value = value if scale == 1.0 else scale * value
            total = value if total is None else total + value
        return total
    return loss

# --------------------------------------------------------------------------
# One measurement (a fresh process per row).
# --------------------------------------------------------------------------


def tensor_bytes(tensors):
    return sum(t.numel() * t.element_size() for t in tensors)


def state_tensors(optimizer):
    import torch
    return [v for s in optimizer.state.values() for v in s.values() if isinstance(v, torch.Tensor)]


def profiler_peak(step):
    """The peak of live CPU-allocator bytes during step(), from the memory
    events of torch.profiler, relative to the start."""
    import torch
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    cpu = torch._C._autograd.DeviceType.CPU
    events = [e for e in prof.profiler.kineto_results.events()
              if e.name() == "[memory]" and e.device_type() == cpu]
    if not events:
        fail("the profiler recorded no memory events")
    live = peak = 0
    for event in sorted(events, key=lambda e: e.start_us()):  # stable: keeps record order
        live += event.nbytes()
        peak = max(peak, live)
    return peak


def status_bytes(field):
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    fail(f"no {field} in /proc/self/status")


def rss_peak(step):
    """The resident set's high-water mark during step() minus the resident
    set before it (needs RSS_ENV set when the process started)."""
    if any(os.environ.get(k) != v for k, v in RSS_ENV.items()):
        fail("--method rss needs " + " ".join(f"{k}={v}" for k, v in RSS_ENV.items()))
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")  # resets VmHWM to the current VmRSS
    before = status_bytes("VmRSS")
    step()
    return status_bytes("VmHWM") - before


def build_step(path, mode):
    """(model name, module, optimizer or None, step) for one step of the model
    in `path` as described above: step() runs the forward (infer) or the
    forward, loss, backward and optimizer step (train). Also used by
    time_torch_step.py."""
    import torch
    import check_models
    torch.set_num_threads(1)
    torch.manual_seed(0)
    with open(path, encoding="utf-8") as f:
        source = f.read()
    name = MODEL_RE.search(source)
    if not name or name[1] not in check_models.MODELS:
        fail(f"{path}: no PyTorch module for model {name[1] if name else '?'} in check_models.py")
    model = check_models.MODELS[name[1]]().float()
    inputs = []
    for _, shape, dtype in check_models.declared_inputs(source):
        if dtype != "f32":
            fail(f"{path}: only f32 inputs are supported, not {dtype}")
        inputs.append(torch.randn(shape))

    def results():
        out = model(*inputs)
        return out if isinstance(out, tuple) else (out,)

    model.eval()
    with torch.no_grad():
        shapes = [r.shape for r in results()]
    optimizer = None
    if mode == "infer":
        def step():
            with torch.no_grad():
                results()
    else:
        outputs = OUTPUT_RE.findall(source)
        targets = {}
        for target, dtype, dims in TARGET_RE.findall(source):
            shape = tuple(int(d) for d in dims.split(",") if d.strip())
            if dtype == "i32":  # class labels of the cross-entropy's logits [N, K]
                classes = shapes[0][-1] if shapes else 1
                targets[target] = torch.randint(0, classes, shape, dtype=torch.int64)
            else:
                targets[target] = torch.randn(shape)
        spec = parse_optimizer(source)
        loss = loss_function(fold_l2_penalty(parse_loss(source), spec), outputs, targets, model)
        optimizer = spec.torch(model.parameters())
        model.train()

        def step():
            loss(results(), targets).backward()
            optimizer.step()

    return name[1], model, optimizer, step


def measure(path, mode, method):
    """One JSON record: PyTorch's peak working bytes of one step of the
    model in `path` and the bytes of its parameters and optimizer state."""
    import torch
    name, model, optimizer, step = build_step(path, mode)
    step()  # warm-up: oneDNN primitives, the optimizer state
    model.zero_grad(set_to_none=True)
    peak = (profiler_peak if method == "profiler" else rss_peak)(step)
    return {
        "model": name,
        "mode": mode,
        "method": method,
        "torch_peak_bytes": peak,
        "torch_param_bytes": tensor_bytes(model.state_dict().values()),
        "torch_opt_state_bytes": tensor_bytes(state_tensors(optimizer)) if optimizer else 0,
        "torch_version": torch.__version__,
    }

# --------------------------------------------------------------------------
# The table.
# --------------------------------------------------------------------------


def run_measure(path, mode, method):
    env = dict(os.environ, **(RSS_ENV if method == "rss" else {}))
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--measure", path,
                           "--mode", mode, "--method", method],
                          env=env, stdout=subprocess.PIPE, check=False, text=True)
    if done.returncode != 0:
        fail(f"measuring {path} ({mode}, {method}) failed")
    return json.loads(done.stdout)


def ratio(a, b):
    return f"{a / b:.3f}" if b else "n/a"


def table(nnc_rows, rss_check):
    records = []
    for row in nnc_rows:
        path, batch, mode, arena, naive, params, opt = row
        print(f"{os.path.basename(path)} {mode}", file=sys.stderr)
        torch_record = run_measure(path, mode, "profiler")
        record = {
            "model": torch_record["model"], "batch": int(batch), "mode": mode,
            "nnc_arena_bytes": int(arena), "nnc_naive_bytes": int(naive),
            "nnc_param_bytes": int(params), "nnc_opt_state_bytes": int(opt),
            **{k: v for k, v in torch_record.items() if k not in ("model", "mode")},
        }
        if rss_check:
            record["torch_rss_peak_bytes"] = run_measure(path, mode, "rss")["torch_peak_bytes"]
        records.append(record)

    version = records[0]["torch_version"] if records else "?"
    print(f"PyTorch {version}, float32, CPU, 1 thread; peak working bytes = "
          f"{METHODS['profiler']} during one step (after one warm-up step), "
          "beyond the parameters, buffers, optimizer state and inputs that exist before it.")
    if rss_check:
        print(f"RSS check: {METHODS['rss']}.")
    print()
    header = ["model", "batch", "mode", "nnc arena B", "nnc naive B", "arena/naive",
              "PyTorch peak working B (profiler)"]
    header += ["PyTorch peak working B (RSS check)"] if rss_check else []
    header += ["nnc arena / PyTorch peak", "nnc params+opt state B", "PyTorch params+opt state B"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in records:
        cells = [r["model"], str(r["batch"]), r["mode"], f"{r['nnc_arena_bytes']:,}",
                 f"{r['nnc_naive_bytes']:,}", ratio(r["nnc_arena_bytes"], r["nnc_naive_bytes"]),
                 f"{r['torch_peak_bytes']:,}"]
        cells += [f"{r['torch_rss_peak_bytes']:,}"] if rss_check else []
        cells += [ratio(r["nnc_arena_bytes"], r["torch_peak_bytes"]),
                  f"{r['nnc_param_bytes'] + r['nnc_opt_state_bytes']:,}",
                  f"{r['torch_param_bytes'] + r['torch_opt_state_bytes']:,}"]
        print("| " + " | ".join(cells) + " |")
    return records


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nnc", help="nnc's figures (memory.sh's nnc.tsv)")
    parser.add_argument("--json", help="also write the records to this file")
    parser.add_argument("--rss-check", action="store_true",
                        help="also measure each row by the resident set")
    parser.add_argument("--measure", metavar="MODEL.nn", help="measure one model (internal)")
    parser.add_argument("--mode", choices=("infer", "train"), default="infer")
    parser.add_argument("--method", choices=sorted(METHODS), default="profiler")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.mode, args.method)))
        return 0
    if not args.nnc:
        parser.error("--nnc or --measure is required")
    with open(args.nnc, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    if any(len(row) != 7 for row in rows):
        fail(f"{args.nnc}: want 7 tab-separated fields per row")
    records = table(rows, args.rss_check)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(records, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
