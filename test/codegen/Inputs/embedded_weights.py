"""weights.test helper, for any example model with a PyTorch module in
test/oracle/check_models.py.

`write NAME DIR`: the seeded PyTorch model's state_dict (BatchNorm running
statistics moved off their defaults) as DIR/NAME.safetensors, broken variants
of it, and a random input DIR/NAME.input.bin.
`compare NAME DIR OUTPUT`: checks the output nnc printed against PyTorch in
float64: max abs error <= 1e-4 * max(1, max |ref|)."""
import json
import os
import struct
import sys

import numpy
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "oracle"))
from check_models import MODELS  # noqa: E402


def save(tensors, path):
    """Writes a safetensors file (the safetensors package is not available)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        if t.dtype == torch.int64:  # num_batches_tracked: kept, as PyTorch saves it
            data, dtype = t.contiguous().numpy().tobytes(), "I64"
        else:
            data, dtype = t.detach().to(torch.float32).contiguous().numpy().tobytes(), "F32"
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def model(name):
    torch.manual_seed(5)
    net = MODELS[name]()
    generator = torch.Generator().manual_seed(7)
    for key, tensor in net.state_dict().items():
        if key.endswith("running_var"):
            tensor.copy_(torch.rand(tensor.shape, generator=generator) + 0.5)
        elif key.endswith("running_mean"):
            tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.1)
    return net.eval()


def input_shape(name):
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples",
                           f"{name}.nn"), encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if words[:1] == ["input"]:
                dims = line[line.index("[") + 1:line.index("]")]
                return [int(d) for d in dims.split(",")]
    raise SystemExit(f"no input in {name}.nn")


def write(name, out):
    state = model(name).state_dict()
    save(state, f"{out}/{name}.safetensors")
    first = next(k for k in state if state[k].dtype != torch.int64)
    wrong = dict(state)
    wrong[first] = torch.zeros(list(state[first].shape[:-1]) + [state[first].shape[-1] + 1])
    save(wrong, f"{out}/{name}.wrong_shape.safetensors")
    save({k: v for k, v in state.items() if k != first}, f"{out}/{name}.missing.safetensors")
    with open(f"{out}/{name}.safetensors", "rb") as f:
        data = f.read()
    with open(f"{out}/{name}.truncated.safetensors", "wb") as f:
        f.write(data[: len(data) // 2])
    torch.manual_seed(6)
    torch.rand(input_shape(name)).numpy().tofile(f"{out}/{name}.input.bin")
    print(first)


def compare(name, out, output_path):
    shape = input_shape(name)
    x = torch.from_numpy(numpy.fromfile(f"{out}/{name}.input.bin", dtype=numpy.float32))
    with torch.no_grad():
        ref = model(name).double()(x.double().reshape(shape)).flatten()
    got = torch.tensor([float(v) for v in open(output_path).read().split()],
                       dtype=torch.float64)
    if got.shape != ref.shape:
        sys.exit(f"{name}: nnc printed {got.numel()} values, PyTorch has {ref.numel()}")
    error = (got - ref).abs().max().item()
    bound = 1e-4 * max(1.0, ref.abs().max().item())
    if error > bound:
        sys.exit(f"{name}: max abs error {error} > {bound}")
    print(f"{name}: output matches PyTorch ({ref.numel()} values, max abs error {error:.2e})")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    else:
        compare(sys.argv[2], sys.argv[3], sys.argv[4])
