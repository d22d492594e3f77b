"""weights.test helper. `write DIR`: a seeded PyTorch LeNet-5 (the oracle's
module) saved as safetensors, plus broken variants and an input image.
`compare DIR LOGITS`: checks nnc's logits against PyTorch in float64."""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "oracle"))
from check_models import LeNet5  # noqa: E402


def save(tensors, path):
    """Writes a safetensors file (the safetensors package is not available)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def model():
    torch.manual_seed(5)
    net = LeNet5()
    for p in net.parameters():  # larger than the default init: a sharper test
        torch.nn.init.normal_(p, 0.0, 0.3)
    return net


def write(out):
    state = model().state_dict()
    save(state, f"{out}/lenet5.safetensors")
    wrong = dict(state)
    wrong["fc3.weight"] = torch.zeros(10, 85)
    save(wrong, f"{out}/wrong_shape.safetensors")
    save({k: v for k, v in state.items() if k != "fc1.bias"}, f"{out}/no_fc1.safetensors")
    with open(f"{out}/lenet5.safetensors", "rb") as f:
        data = f.read()
    with open(f"{out}/truncated.safetensors", "wb") as f:
        f.write(data[: len(data) // 2])
    torch.manual_seed(6)
    torch.rand(1, 1, 32, 32).numpy().tofile(f"{out}/image.bin")


def compare(out, logits_path):
    import numpy
    image = torch.from_numpy(numpy.fromfile(f"{out}/image.bin", dtype=numpy.float32))
    net = model().double()
    with torch.no_grad():
        ref = net(image.double().reshape(1, 1, 32, 32)).flatten()
    got = torch.tensor([float(v) for v in open(logits_path).read().split()], dtype=torch.float64)
    error = (got - ref).abs().max().item()
    bound = 1e-4 * max(1.0, ref.abs().max().item())
    if got.shape != ref.shape or error > bound:
        print(f"logits differ: max abs error {error} > {bound}\nnnc   {got}\ntorch {ref}")
        sys.exit(1)
    print("logits match PyTorch")


if __name__ == "__main__":
    write(sys.argv[2]) if sys.argv[1] == "write" else compare(sys.argv[2], sys.argv[3])
