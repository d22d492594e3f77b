#!/usr/bin/python3
"""PyTorch reference for examples/train_fashion: the same LeNet-5, the same
input normalisation, batch size, shuffling (the C program's splitmix64
Fisher-Yates, bit for bit) and optimizer, trained on Fashion-MNIST; prints the
test accuracy in the C program's format.

  torch_reference.py [--optimizer sgd|adam] [--lr X] [--momentum M]
                     [--epochs N] [--limit N] [--seed S] [--init FILE.safetensors]
  torch_reference.py --eval FILE.safetensors

--eval only loads parameters (e.g. those train_fashion saved, with strict
load_state_dict) and prints their test accuracy.

Without --init the parameters come from PyTorch's default initialisation
(torch.manual_seed(seed)), the distributions nnc's `default` initializer draws
from; with --init they are read from a safetensors file, e.g. the one
`train_fashion --epochs 0` writes, so both programs start from the same point
and see the batches in the same order."""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.2860, 0.3530
BATCH = 64
MASK = (1 << 64) - 1


def read_idx(path, magic, dims):
    with gzip.open(path, "rb") as f:
        data = f.read()
    got, count = struct.unpack(">II", data[:8])
    assert got == magic, f"{path}: bad magic {got:#x}"
    shape = (count,) + tuple(struct.unpack(">" + "I" * len(dims), data[8:8 + 4 * len(dims)]))
    assert shape[1:] == dims, f"{path}: dims {shape[1:]}"
    return np.frombuffer(data, np.uint8, offset=8 + 4 * len(dims)).reshape(shape)


def load(data_dir, split):
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"), 0x803, (28, 28))
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"), 0x801, ())
    x = (images.astype(np.float32) / np.float32(255) - np.float32(MEAN)) / np.float32(STD)
    return torch.from_numpy(x[:, None]), torch.from_numpy(labels.astype(np.int64))


class SplitMix64:
    """The C program's shuffling generator."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def shuffle(self, order):
        for i in range(len(order) - 1, 0, -1):
            j = self.next() % (i + 1)
            order[i], order[j] = order[j], order[i]


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data, "<f4", (end - begin) // 4, 8 + n + begin)
        out[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return out


def accuracy(model, x, y):
    with torch.no_grad():
        return 100.0 * (model(x).argmax(1) == y).sum().item() / len(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--optimizer", default="adam", choices=["sgd", "adam"])
    p.add_argument("--lr", type=float, default=0.003)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--init", help="initial parameters (safetensors)")
    p.add_argument("--eval", help="only evaluate these parameters (safetensors)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    if args.eval:
        model = LeNet5()
        model.load_state_dict(read_safetensors(args.eval), strict=True)
        print(f"test accuracy: {accuracy(model, *load(args.data, 't10k')):.2f}%")
        return

    train_x, train_y = load(args.data, "train")
    test_x, test_y = load(args.data, "t10k")
    if args.limit:
        train_x, train_y = train_x[:args.limit], train_y[:args.limit]
    model = LeNet5()
    if args.init:
        model.load_state_dict(read_safetensors(args.init))
    if args.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    rng = SplitMix64(args.seed)
    order = list(range(len(train_x)))
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(order)
        index = torch.tensor(order)
        total = 0.0
        steps = len(order) // BATCH
        for step in range(steps):
            batch = index[step * BATCH:(step + 1) * BATCH]
            loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        print(f"epoch {epoch}: mean loss {total / steps:.4f}, {time.time() - start:.1f} s")
    print(f"test accuracy: {accuracy(model, test_x, test_y):.2f}%")


if __name__ == "__main__":
    main()
