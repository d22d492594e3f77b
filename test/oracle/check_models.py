#!/usr/bin/env python3
"""PyTorch oracle for the shipped example models.

For every model in examples/ this script builds the equivalent PyTorch module
by hand (from the published architectures the examples describe, not from
nnc's output) and checks what nnc reports against it:

  1. parameters: the names, shapes and order of the `nn.param` ops of
     `nnc model.nn --emit=nn` equal the PyTorch state_dict (minus the
     `num_batches_tracked` counters, which nnc does not keep); the params
     with `trainable = false` are exactly the BatchNorm running_mean /
     running_var buffers and everything else is an nn.Parameter.
  2. `Trainable params: N` of `nnc model.nn --summary` equals
     sum(p.numel() for p in model.parameters()); `Non-trainable params`
     equals the number of BatchNorm buffer elements.
  3. the result types of `func.func @infer` equal the shapes of the PyTorch
     model's outputs on a zeros input of the shape the .nn file declares.
  4. every named row of the summary is a PyTorch submodule with the same
     output shape and trainable parameter count; the FLOPs column of conv,
     conv_transpose and dense rows equals 2 * MACs counted from shapes that
     forward hooks record in PyTorch:
        conv            2 * out.numel() * in_channels/groups * prod(kernel)
        conv_transpose  2 * in.numel() * out_channels/groups * prod(kernel)
        dense           2 * batch * in_features * out_features
  5. initializers: dense/conv weights and biases with the default init are
     `init = "uniform", init_args = array<f64: -b, b>` with
     b == 1/sqrt(fan_in), fan_in from torch.nn.init._calculate_fan_in_and_fan_out
     of the PyTorch weight; params with a constant init (BatchNorm) hold
     the value PyTorch initializes them to.

Tolerances: every integer quantity (names, shapes, counts, FLOPs) must match
exactly. The only floating-point comparison is the init bound: nnc prints it
as a decimal f64, and it must equal the double 1/sqrt(fan_in) to within
1e-12 relative error (both sides are computed in double precision, so only
printing/parsing rounding, ~1e-17, is expected). The two ends of the range
must be exact negatives of each other. As a sanity check of the oracle
itself, PyTorch's freshly initialized float32 values must lie within
[-b, b] up to float32 rounding of the bound (1e-6 relative). Constant inits
(0 and 1) are compared exactly.

Exits 1 on any mismatch (printing each difference) and when torch cannot be
imported: a missing oracle is a failure, never a skip.
"""

import argparse
import math
import os
import re
import subprocess
import sys

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as error:  # noqa: BLE001 - any import failure is fatal
    print(f"FAIL: cannot import torch with {sys.executable}: {error!r}\n"
          "The PyTorch oracle needs torch; run this script with the Python "
          "that has it (the lit suite uses %python).", file=sys.stderr)
    sys.exit(1)

INIT_BOUND_RTOL = 1e-12  # nnc's printed f64 bound vs. 1/sqrt(fan_in) in double
TORCH_VALUE_RTOL = 1e-6  # float32 rounding of the bound PyTorch samples within

# --------------------------------------------------------------------------
# The PyTorch models. Field names (and their definition order) give the
# state_dict keys, which must equal nnc's parameter names (and order).
# --------------------------------------------------------------------------


class MLP(nn.Module):
    """examples/mlp.nn: 784 -> 100 -> ReLU -> 10."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 100)
        self.fc2 = nn.Linear(100, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class LeNet5(nn.Module):
    """examples/lenet5.nn: LeCun et al. 1998 on 1x32x32."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class LinearSVM(nn.Module):
    """examples/linear_svm.nn: one affine map 3072 -> 10."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3072, 10)

    def forward(self, x):
        return self.fc(x)


class NearestNeighbor(nn.Module):
    """examples/nearest_neighbor.nn: 1-NN over six memorized points, two per
    class; returns the nearest point's index and its class (argmin of
    torch.cdist). No parameters."""

    def __init__(self):
        super().__init__()
        # A plain constant, not a parameter or buffer: nnc embeds it in code.
        self.points = torch.tensor(
            [[0.0, 0.0], [0.2, 0.1], [5.0, 5.0], [5.2, 4.9], [0.0, 6.0], [0.1, 6.2]])

    def forward(self, x):
        nearest = torch.cdist(x, self.points).argmin(dim=1)
        return nearest, nearest // 2


class BasicBlock(nn.Module):
    """The `basic` block of examples/resnet20.nn (He et al. 2016, option B
    shortcuts: a 1x1 conv + BN where the shape changes)."""

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class ResNet20(nn.Module):
    """examples/resnet20.nn: CIFAR ResNet-20, 3 stages x 3 blocks."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        in_planes = 16
        for stage, planes in enumerate([16, 32, 64]):
            blocks = []
            for i in range(3):
                stride = 2 if stage > 0 and i == 0 else 1
                blocks.append(BasicBlock(in_planes, planes, stride))
                in_planes = planes
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


class DoubleConv(nn.Module):
    """The `double_conv` block of examples/unet_small.nn."""

    def __init__(self, in_channels, filters):
        super().__init__()
        self.conv_a = nn.Conv2d(in_channels, filters, 3, padding=1, bias=False)
        self.bn_a = nn.BatchNorm2d(filters)
        self.conv_b = nn.Conv2d(filters, filters, 3, padding=1, bias=False)
        self.bn_b = nn.BatchNorm2d(filters)

    def forward(self, x):
        x = F.relu(self.bn_a(self.conv_a(x)))
        return F.relu(self.bn_b(self.conv_b(x)))


class UNetSmall(nn.Module):
    """examples/unet_small.nn: two-level U-Net on 1x64x64, 2 classes."""

    def __init__(self):
        super().__init__()
        self.enc1 = DoubleConv(1, 16)
        self.enc2 = DoubleConv(16, 32)
        self.mid = DoubleConv(32, 64)
        self.up2 = nn.ConvTranspose2d(64, 32, kernel_size=2, stride=2)
        self.dec2 = DoubleConv(32 + 32, 32)
        self.up1 = nn.Conv2d(32, 16, kernel_size=1)
        self.dec1 = DoubleConv(16 + 16, 16)
        self.head = nn.Conv2d(16, 2, kernel_size=1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        bottom = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([self.up2(bottom), e2], dim=1))
        u1 = self.up1(F.interpolate(d2, scale_factor=2, mode="nearest"))
        d1 = self.dec1(torch.cat([u1, e1], dim=1))
        return self.head(d1)


MODELS = {
    "lenet5": LeNet5,
    "linear_svm": LinearSVM,
    "mlp": MLP,
    "nearest_neighbor": NearestNeighbor,
    "resnet20": ResNet20,
    "unet_small": UNetSmall,
}

CONV_TYPES = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
CONV_TRANSPOSE_TYPES = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
BN_TYPES = (nn.modules.batchnorm._BatchNorm,)
BN_BUFFERS = ("running_mean", "running_var")

# --------------------------------------------------------------------------
# Reading nnc's output.
# --------------------------------------------------------------------------

PARAM_RE = re.compile(r"^\s*nn\.param @(?P<name>[\w.]+) : tensor<(?P<type>[^>]*)>\s*"
                      r"\{(?P<attrs>.*)\}\s*$")
INIT_RE = re.compile(r'\binit = "(?P<init>\w+)"')
INIT_ARGS_RE = re.compile(r"\binit_args = array<f64(?::(?P<args>[^>]*))?>")
TRAINABLE_RE = re.compile(r"\btrainable = (?P<flag>true|false)\b")
INFER_RE = re.compile(r"^\s*func\.func @infer\((?P<args>.*)\) -> (?P<results>.*) \{\s*$")
TENSOR_RE = re.compile(r"tensor<(?P<type>[^>]*)>")
ROW_RE = re.compile(r"^(?P<name>\S+) \((?P<kind>\w+)\)\s+(?P<dtype>f32|i32)\[(?P<shape>[\d,]*)\]"
                    r"\s+(?P<params>[\d,]+)\s+(?P<flops>[\d,]+)\s+(?P<rf>\S+)\s*$")
INPUT_RE = re.compile(r"^\s*input\s+(?P<name>\w+)\s*:\s*(?P<dtype>\w+)\s*\[(?P<shape>[^\]]*)\]",
                      re.MULTILINE)


def tensor_shape(spelling):
    """'16x3x3x3xf32' -> ((16, 3, 3, 3), 'f32'); 'f32' -> ((), 'f32')."""
    *dims, dtype = spelling.split("x")
    return tuple(int(d) for d in dims), dtype


def number(text):
    return int(text.replace(",", ""))


def run_nnc(nnc, path, flag):
    proc = subprocess.run([nnc, path, flag], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"`{nnc} {path} {flag}` exited with {proc.returncode}:\n"
                           f"{proc.stderr.strip()}")
    return proc.stdout


def parse_params(ir):
    params = []
    for line in ir.splitlines():
        if "nn.param @" not in line:
            continue
        match = PARAM_RE.match(line)
        if not match:
            raise RuntimeError(f"cannot parse nn.param line: {line.strip()}")
        shape, dtype = tensor_shape(match["type"])
        attrs = match["attrs"]
        init = INIT_RE.search(attrs)
        init_args = INIT_ARGS_RE.search(attrs)
        trainable = TRAINABLE_RE.search(attrs)
        if not (init and init_args and trainable):
            raise RuntimeError(f"nn.param line lacks init/init_args/trainable: {line.strip()}")
        args = init_args["args"]
        params.append({
            "name": match["name"], "shape": shape, "dtype": dtype, "init": init["init"],
            "init_args": [float(a) for a in args.split(",")] if args and args.strip() else [],
            "trainable": trainable["flag"] == "true",
        })
    return params


def parse_infer(ir):
    for line in ir.splitlines():
        match = INFER_RE.match(line)
        if match:
            return ([tensor_shape(t) for t in TENSOR_RE.findall(match["args"])],
                    [tensor_shape(t) for t in TENSOR_RE.findall(match["results"])])
    raise RuntimeError("no `func.func @infer` in the --emit=nn output")


def parse_summary(text):
    rows, totals = [], {}
    for line in text.splitlines():
        match = ROW_RE.match(line)
        if match:
            rows.append({
                "name": match["name"], "kind": match["kind"],
                "shape": tuple(number(d) for d in match["shape"].split(",") if d),
                "params": number(match["params"]), "flops": number(match["flops"]),
            })
            continue
        for key in ("Total params", "Trainable params", "Non-trainable params"):
            if line.startswith(key + ":"):
                totals[key] = number(line.split(":", 1)[1].split()[0])
    for key in ("Trainable params", "Non-trainable params"):
        if key not in totals:
            raise RuntimeError(f"no `{key}:` line in the --summary output")
    return rows, totals


def declared_inputs(source):
    inputs = []
    for match in INPUT_RE.finditer(source):
        dims = [d.strip() for d in match["shape"].split(",") if d.strip()]
        inputs.append((match["name"], tuple(int(d) for d in dims), match["dtype"]))
    return inputs

# --------------------------------------------------------------------------
# The checks.
# --------------------------------------------------------------------------


def owner(model, name):
    """The module that owns state_dict entry `name`, and the entry's leaf name."""
    module_name, _, leaf = name.rpartition(".")
    return model.get_submodule(module_name), leaf


def expected_init(model, name, tensor):
    """What nnc should print for state_dict entry `name`: ('uniform', b) or
    ('constant', value); None if the oracle has no rule for it."""
    module, leaf = owner(model, name)
    if isinstance(module, (nn.Linear,) + CONV_TYPES + CONV_TRANSPOSE_TYPES) and \
            leaf in ("weight", "bias"):
        # PyTorch's reset_parameters: kaiming_uniform_(a=sqrt(5)) on the weight,
        # i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias the same bound.
        fan_in, _ = nn.init._calculate_fan_in_and_fan_out(module.weight)
        return "uniform", 1.0 / math.sqrt(fan_in)
    if isinstance(module, BN_TYPES):
        values = torch.unique(tensor)
        if values.numel() == 1:
            return "constant", float(values.item())
    return None


def check_inits(model, state, nnc_params, errors):
    by_name = {p["name"]: p for p in nnc_params}
    for name, tensor in state.items():
        param = by_name.get(name)
        if param is None:
            continue  # reported by the name check
        expected = expected_init(model, name, tensor)
        if expected is None:
            errors.append(f"init: the oracle has no expected initializer for {name}")
            continue
        kind, value = expected
        got = f'init = "{param["init"]}", init_args = {param["init_args"]}'
        if kind == "uniform":
            if param["init"] != "uniform" or len(param["init_args"]) != 2:
                errors.append(f"init: {name}: expected uniform(-{value!r}, {value!r}) "
                              f"(1/sqrt(fan_in)), nnc has {got}")
                continue
            low, high = param["init_args"]
            if low != -high or abs(high - value) > INIT_BOUND_RTOL * value:
                errors.append(f"init: {name}: expected uniform(-{value!r}, {value!r}) "
                              f"(1/sqrt(fan_in)), nnc has {got}")
            # Oracle self-check: PyTorch really sampled within that bound.
            largest = float(tensor.abs().max())
            if largest > value * (1 + TORCH_VALUE_RTOL):
                errors.append(f"oracle: PyTorch's {name} has |value| {largest!r} beyond "
                              f"the expected bound {value!r}")
        else:
            if param["init"] != "constant" or param["init_args"] != [value]:
                errors.append(f"init: {name}: expected constant {value!r} (PyTorch's "
                              f"initial value), nnc has {got}")


def brief(names, limit=8):
    """At most `limit` names, then how many more."""
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def check_params(model, state, nnc_params, errors):
    torch_names = list(state)
    nnc_names = [p["name"] for p in nnc_params]
    if nnc_names != torch_names:
        missing = [n for n in torch_names if n not in nnc_names]
        extra = [n for n in nnc_names if n not in torch_names]
        if missing:
            errors.append(f"params: in PyTorch but not nnc: {brief(missing)}")
        if extra:
            errors.append(f"params: in nnc but not PyTorch: {brief(extra)}")
        if not missing and not extra:
            first = next(i for i, (a, b) in enumerate(zip(nnc_names, torch_names)) if a != b)
            errors.append(f"params: order differs at index {first}: nnc has "
                          f"{nnc_names[first]}, PyTorch has {torch_names[first]}")
        if len(nnc_names) != len(set(nnc_names)):
            errors.append("params: nnc declares a name twice")
    parameters = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    for param in nnc_params:
        name = param["name"]
        if name not in state:
            continue
        torch_shape = tuple(state[name].shape)
        if param["shape"] != torch_shape:
            errors.append(f"params: {name}: nnc shape {param['shape']}, PyTorch {torch_shape}")
        if param["dtype"] != "f32" or state[name].dtype != torch.float32:
            errors.append(f"params: {name}: nnc type {param['dtype']}, PyTorch "
                          f"{state[name].dtype} (want f32)")
        module, leaf = owner(model, name)
        is_bn_buffer = isinstance(module, BN_TYPES) and leaf in BN_BUFFERS and name in buffers
        if param["trainable"] and name not in parameters:
            errors.append(f"params: {name} is trainable in nnc but a PyTorch buffer, "
                          f"not an nn.Parameter")
        if not param["trainable"] and not is_bn_buffer:
            errors.append(f"params: {name} has trainable = false in nnc but is not a "
                          f"BatchNorm running_mean/running_var")


def record_layers(model, inputs):
    """Runs the model on zeros, recording each leaf module's input and
    output shapes with forward hooks. Returns (outputs, {name: record})."""
    records, handles = {}, []

    def hook(name):
        def record(module, args, output):
            if name in records:
                records[name]["calls"] += 1
                return
            records[name] = {"module": module, "in": tuple(args[0].shape),
                             "out": tuple(output.shape), "calls": 1}
        return record

    for name, module in model.named_modules():
        if name and not list(module.children()):
            handles.append(module.register_forward_hook(hook(name)))
    model.eval()
    with torch.no_grad():
        outputs = model(*[torch.zeros(shape) for shape in inputs])
    for handle in handles:
        handle.remove()
    if not isinstance(outputs, (tuple, list)):
        outputs = (outputs,)
    dtypes = ["f32" if o.is_floating_point() else "i32" for o in outputs]
    return [tuple(o.shape) for o in outputs], dtypes, records


def torch_flops(record):
    """2 * multiply-accumulates of one conv / transposed conv / linear call."""
    module = record["module"]
    if isinstance(module, CONV_TYPES):
        return 2 * math.prod(record["out"]) * (module.in_channels // module.groups) * \
            math.prod(module.kernel_size)
    if isinstance(module, CONV_TRANSPOSE_TYPES):
        return 2 * math.prod(record["in"]) * (module.out_channels // module.groups) * \
            math.prod(module.kernel_size)
    if isinstance(module, nn.Linear):
        batch = math.prod(record["in"]) // module.in_features
        return 2 * batch * module.in_features * module.out_features
    return None


FLOP_KINDS = {"conv": CONV_TYPES, "conv_transpose": CONV_TRANSPOSE_TYPES, "dense": (nn.Linear,)}


def check_layers(model, rows, records, errors):
    seen = set()
    for row in rows:
        name, kind = row["name"], row["kind"]
        seen.add(name)
        record = records.get(name)
        if record is None:
            errors.append(f"summary: row {name} ({kind}) is not a PyTorch module that ran")
            continue
        if record["calls"] != 1:
            errors.append(f"oracle: PyTorch module {name} ran {record['calls']} times")
        module = record["module"]
        if row["shape"] != record["out"]:
            errors.append(f"summary: {name} output shape {row['shape']}, PyTorch "
                          f"{record['out']}")
        own = sum(p.numel() for p in module.parameters(recurse=False))
        if row["params"] != own:
            errors.append(f"summary: {name} has {row['params']} params, PyTorch {own}")
        if kind in FLOP_KINDS:
            if not isinstance(module, FLOP_KINDS[kind]):
                errors.append(f"summary: {name} is a {kind} in nnc but a "
                              f"{type(module).__name__} in PyTorch")
                continue
            flops = torch_flops(record)
            if row["flops"] != flops:
                errors.append(f"flops: {name} ({kind}): nnc {row['flops']}, PyTorch "
                              f"2*MACs = {flops}")
    # Every PyTorch layer with weights must have its own row in the summary.
    for name, record in records.items():
        if name not in seen and (torch_flops(record) is not None or
                                 isinstance(record["module"], BN_TYPES)):
            errors.append(f"summary: no row for PyTorch layer {name} "
                          f"({type(record['module']).__name__})")


def check_model(name, path, nnc):
    errors = []
    with open(path, encoding="utf-8") as file:
        source = file.read()
    torch.manual_seed(0)
    model = MODELS[name]()
    state = {k: v for k, v in model.state_dict().items()
             if not k.endswith("num_batches_tracked")}

    ir = run_nnc(nnc, path, "--emit=nn")
    summary = run_nnc(nnc, path, "--summary")
    nnc_params = parse_params(ir)
    infer_args, infer_results = parse_infer(ir)
    rows, totals = parse_summary(summary)

    # 1. Names, shapes, order, trainability; 5. initializers.
    check_params(model, state, nnc_params, errors)
    check_inits(model, state, nnc_params, errors)

    # 2. Parameter totals.
    trainable = sum(p.numel() for p in model.parameters())
    buffer_count = sum(b.numel() for n, b in model.named_buffers()
                       if not n.endswith("num_batches_tracked"))
    if totals["Trainable params"] != trainable:
        errors.append(f"summary: Trainable params {totals['Trainable params']}, PyTorch "
                      f"{trainable}")
    if totals["Non-trainable params"] != buffer_count:
        errors.append(f"summary: Non-trainable params {totals['Non-trainable params']}, "
                      f"PyTorch BatchNorm buffers {buffer_count}")

    # 3. Output shapes on a zeros input of the declared shape.
    inputs = declared_inputs(source)
    if not inputs:
        errors.append(f"oracle: no `input name: f32[...]` declaration in {path}")
    for (input_name, shape, dtype), arg in zip(inputs, infer_args):
        if (shape, dtype) != arg:
            errors.append(f"infer: input {input_name} is declared {dtype}{list(shape)} "
                          f"but @infer takes {arg}")
    if len(inputs) != len(infer_args):
        errors.append(f"infer: {len(inputs)} declared inputs, @infer takes {len(infer_args)}")
    outputs, dtypes, records = record_layers(model, [shape for _, shape, _ in inputs])
    nnc_outputs = [shape for shape, _ in infer_results]
    if nnc_outputs != outputs:
        errors.append(f"infer: @infer returns {nnc_outputs}, PyTorch returns {outputs}")
    if [dtype for _, dtype in infer_results] != dtypes:
        errors.append(f"infer: @infer result types {infer_results}, PyTorch returns {dtypes}")

    # 4. Per-layer shapes, params and FLOPs.
    check_layers(model, rows, records, errors)

    count = len(list(model.parameters()))
    shown = outputs[0] if len(outputs) == 1 else outputs
    head = f"{name}: {count} params, {trainable} trainable, output {shown}"
    return head, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nnc", required=True, help="path of the nnc binary")
    parser.add_argument("--examples", required=True, help="directory of the .nn examples")
    parser.add_argument("models", nargs="*", help="check only these models")
    args = parser.parse_args()

    shipped = sorted(f[:-3] for f in os.listdir(args.examples) if f.endswith(".nn"))
    names = args.models or shipped
    failed = []
    for name in names:
        if name not in MODELS:
            print(f"{name}: FAIL\n  oracle: no PyTorch model for examples/{name}.nn; add one "
                  f"to {os.path.basename(__file__)}")
            failed.append(name)
            continue
        path = os.path.join(args.examples, name + ".nn")
        if not os.path.exists(path):
            print(f"{name}: FAIL\n  oracle: {path} does not exist")
            failed.append(name)
            continue
        try:
            head, errors = check_model(name, path, args.nnc)
        except Exception as error:  # noqa: BLE001 - report and go on
            head, errors = name, [f"error: {error}"]
        if errors:
            print(f"{head}: FAIL")
            for error in errors:
                print(f"  {error}")
            failed.append(name)
        else:
            print(f"{head}: OK")
        sys.stdout.flush()
    if failed:
        print(f"FAILED: {len(failed)} of {len(names)} models differ from PyTorch: "
              f"{', '.join(failed)}")
        return 1
    print(f"all {len(names)} models match PyTorch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
