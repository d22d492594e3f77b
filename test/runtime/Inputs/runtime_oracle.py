"""Independent truth for libnncrt's test (test/runtime/runtime_test.c).

Run by the C test with /usr/bin/python3 (PyTorch 1.13; the `safetensors`
package is not needed: files are built and parsed with struct + json, as the
format specifies). Subcommands:

  write-torch OUT.safetensors OUT.bin
      Builds the test's Net in PyTorch, runs one training-mode forward pass so
      the BatchNorm running statistics and the I64 num_batches_tracked move,
      writes its state_dict as a safetensors file (tensors in name order, an
      "__metadata__" entry, json.dumps spacing, header padded with spaces) and
      the float parameters packed in the model table's order as OUT.bin.
  check FILE.safetensors PACKED.bin
      Validates a file written by nnc_save_safetensors against the format
      (header length, JSON, F32 entries in table order, contiguous offsets
      covering the data section exactly, header padded to 8 bytes), loads it
      into Net with load_state_dict (strict) and compares every value
      with PACKED.bin (the C side's parameters in table order).
  rng SEED OUT.bin KIND:A:B:N ...
      The initializer of nnc_runtime.h, written from its specification with
      Python's math functions: parameter p (0-based, in argument order) of
      KIND uniform/normal/constant with args A, B (float.hex) and N elements;
      float32 values of every parameter, concatenated.

Exit status 0 on success; on failure, 1 with the reason on stderr.
"""
import json
import math
import struct
import sys

import torch

# The model table of the C test (name, shape), in table order.
TABLE = [
    ("conv1.weight", [4, 1, 3, 3]),
    ("conv1.bias", [4]),
    ("bn1.weight", [4]),
    ("bn1.bias", [4]),
    ("bn1.running_mean", [4]),
    ("bn1.running_var", [4]),
    ("fc.weight", [3, 16]),
    ("fc.bias", [3]),
    ("scale", []),
]


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3)
        self.bn1 = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(16, 3)
        self.scale = torch.nn.Parameter(torch.tensor(1.5))

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        h = torch.nn.functional.adaptive_avg_pool2d(h, 2).flatten(1)
        return self.fc(h) * self.scale


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def write_torch(out_path, packed_path):
    torch.manual_seed(0)
    net = Net()
    net.train()
    net(torch.randn(2, 1, 6, 6))  # moves running_mean/var, num_batches_tracked = 1
    state = net.state_dict()
    assert state["bn1.num_batches_tracked"].dtype == torch.int64
    header = {"__metadata__": {"format": "pt"}}
    data = b""
    for name in sorted(state):
        tensor = state[name].contiguous()
        raw = tensor.numpy().tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(out_path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    with open(packed_path, "wb") as f:
        for name, _ in TABLE:
            f.write(state[name].contiguous().numpy().astype("<f4").tobytes())


def check(path, packed_path):
    blob = open(path, "rb").read()
    packed = open(packed_path, "rb").read()
    if len(blob) < 8:
        fail("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", blob[:8])
    if n % 8 != 0:
        fail(f"header length {n} is not a multiple of 8")
    if 8 + n > len(blob):
        fail("header past the end of the file")
    header = json.loads(blob[8:8 + n].decode("utf-8"), object_pairs_hook=list)
    data = blob[8 + n:]
    if header[0] != ("__metadata__", [("format", "pt")]):
        fail(f"unexpected first entry {header[0]}")
    entries = header[1:]
    if [k for k, _ in entries] != [name for name, _ in TABLE]:
        fail(f"tensor order {[k for k, _ in entries]}")
    offset = 0
    state = {}
    for (name, fields), (_, shape) in zip(entries, TABLE):
        fields = dict(fields)
        if fields["dtype"] != "F32" or fields["shape"] != shape:
            fail(f"{name}: {fields}")
        begin, end = fields["data_offsets"]
        numel = math.prod(shape)
        if begin != offset or end != begin + 4 * numel:
            fail(f"{name}: data_offsets {fields['data_offsets']}, expected from {offset}")
        offset = end
        state[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32) \
            .reshape(shape)
    if offset != len(data):
        fail(f"data section has {len(data)} bytes, tensors cover {offset}")
    if data != packed:
        fail("data section differs from the C side's parameters")
    net = Net()
    # Strict: BatchNorm fills in num_batches_tracked itself when the dict has
    # no version metadata (any dict read from a safetensors file).
    net.load_state_dict(state)
    loaded = net.state_dict()
    for name, _ in TABLE:
        if not torch.equal(loaded[name], state[name]):
            fail(f"{name}: value differs after load_state_dict")


MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f32_below(x):
    """The largest float32 below the float32 x."""
    (bits,) = struct.unpack("<I", struct.pack("<f", x))
    if x > 0:
        bits -= 1
    elif x == 0:
        bits = 0x80000001
    else:
        bits += 1
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def rng(seed, out_path, specs):
    out = b""
    base = mix(seed & MASK)
    for p, spec in enumerate(specs):
        kind, a, b, n = spec.split(":")
        a, b, n = float.fromhex(a), float.fromhex(b), int(n)
        key = mix((base + GAMMA * (p + 1)) & MASK)

        def unit(j):
            return (mix((key + GAMMA * (j + 1)) & MASK) >> 11) * 2.0 ** -53

        values = []
        if kind == "uniform":
            for i in range(n):
                v = f32(a + (b - a) * unit(i))
                if b > a and v >= b:
                    v = f32_below(b)
                values.append(v)
        elif kind == "normal":
            for k in range((n + 1) // 2):
                u1 = unit(2 * k) + 2.0 ** -53
                u2 = unit(2 * k + 1)
                r = math.sqrt(-2.0 * math.log(u1))
                values.append(a + b * (r * math.cos(2 * math.pi * u2)))
                values.append(a + b * (r * math.sin(2 * math.pi * u2)))
            values = values[:n]
        elif kind == "constant":
            values = [a] * n
        else:
            fail(f"unknown kind {kind}")
        out += struct.pack(f"<{n}f", *values)
    with open(out_path, "wb") as f:
        f.write(out)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "write-torch":
        write_torch(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "rng":
        rng(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main()
