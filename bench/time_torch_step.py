#!/usr/bin/python3
"""Times one step of a model in PyTorch: the peer row of bench/run.sh for the
workloads the peers harness does not measure (the ResNet-20 training step).

    time_torch_step.py MODEL.nn --mode infer|train --workload NAME --flop F [--note TEXT]
                       [--quick]

The step is memory_torch.py's: the module of test/oracle/check_models.py for
the file's `model NAME`, its input shapes, and for `train` the file's loss
and optimizer (forward, loss, backward, optimizer.step(), gradients set to
None first, as a PyTorch training loop does), float32, CPU, one thread. The
policy is the peers' (shared/peers/python/bench_torch.py): warm-up of >= 0.2 s
and 3 steps, then 15 samples (5 with --quick) of >= 30 ms each. Prints
  RESULT|NAME|PyTorch|eager ...|1|F|median s|min s|max s|TEXT
"""

import argparse
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import memory_torch  # noqa: E402

WARMUP_S = 0.2
MIN_SAMPLE_S = 0.03


def sample(step, samples):
    """(median, min, max) seconds per call of step() under the peers' policy."""
    calls, start = 0, time.perf_counter()
    now = start
    while calls < 3 or now - start < WARMUP_S:
        step()
        calls += 1
        now = time.perf_counter()
    iterations = max(1, round(MIN_SAMPLE_S / ((now - start) / calls)))
    seconds = []
    for _ in range(samples):
        begin = time.perf_counter()
        for _ in range(iterations):
            step()
        seconds.append((time.perf_counter() - begin) / iterations)
    return statistics.median(seconds), min(seconds), max(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="the .nn file")
    parser.add_argument("--mode", choices=("infer", "train"), required=True)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--flop", type=float, required=True)
    parser.add_argument("--note", default="")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    _, _, optimizer, step = memory_torch.build_step(args.model, args.mode)
    timed = step
    if optimizer is not None:
        def timed():
            optimizer.zero_grad(set_to_none=True)
            step()
    median, least, most = sample(timed, 5 if args.quick else 15)
    variant = "eager fwd+bwd+step" if args.mode == "train" else "eager no_grad"
    print(f"RESULT|{args.workload}|PyTorch|{variant}|1|{args.flop:.6g}|{median:.6e}|"
          f"{least:.6e}|{most:.6e}|{args.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
