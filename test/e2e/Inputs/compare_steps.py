#!/usr/bin/env python3
"""Compares two outputs of train_steps.c: the same lines, with every number
equal within a relative 1e-5 (float32 steps on two targets differ only in
rounding: FMA contraction and vector reduction order). Prints `same` or the
first difference and exits 1."""
import sys

a, b = (open(path).read().split("\n") for path in sys.argv[1:3])
if len(a) != len(b):
    sys.exit(f"different line counts: {len(a)} vs {len(b)}")
for line_a, line_b in zip(a, b):
    for x, y in zip(line_a.split(), line_b.split()):
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            if x != y:
                sys.exit(f"differ: {line_a!r} vs {line_b!r}")
            continue
        if abs(fx - fy) > 1e-5 * max(1.0, abs(fx), abs(fy)):
            sys.exit(f"differ: {line_a!r} vs {line_b!r}")
print("same")
