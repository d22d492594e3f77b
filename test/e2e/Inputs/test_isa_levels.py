#!/usr/bin/env python3
"""End-to-end numerics of the example models at each x86-64 ISA level and
optimization level.

Every examples/*.nn (the cases of test_models.py) is compiled with
`nnc --cpu=LEVEL` for LEVEL in x86-64-v2, x86-64-v3, x86-64-v4 and znver4,
run on this machine through the C driver of oracle.py (with all of its ABI,
guard-byte and repeatability checks) and compared with the PyTorch module in
float64 with the tolerance of oracle.py:

    max|nnc - ref| <= 1e-4 * max(1, max|ref|)

Then, per model, the outputs of every pair of levels that ran must agree
within the same tolerance (the first level of the pair as the reference,
argmax exactly), so a level whose vector code reassociates differently
cannot drift from the others unnoticed.

A level runs only if /proc/cpuinfo lists the features its code may use
(REQUIRED below): x86-64-v4 and znver4 need AVX-512 (avx512f and more); a
level that cannot run is reported on the `levels` line and skipped. The
first line says which ran:

    levels run: x86-64-v2 x86-64-v3 x86-64-v4 znver4
    levels skipped: -

With --opt-levels, each listed optimization level (e.g. 0,3) is one more
variant, compiled for the host CPU with `nnc -ON`, checked against PyTorch
and against every other variant the same way: -O0 (no LLVM optimization,
no loop outlining) must compute what -O3 computes.

Prints one line per (model, level) run, one per model for the agreement,
(`PASS mlp: x86-64-v2 = x86-64-v3 = ...`) and `N passed, N failed` last;
exits 1 on any failure.

    test_isa_levels.py --nnc build/bin/nnc [-j 2] [-v] [--levels L,L...]
                       [--opt-levels N,N...] [name-regex...]
"""

import argparse
import concurrent.futures
import dataclasses
import itertools
import os
import platform
import sys

sys.dont_write_bytecode = True  # keep the source tree clean (lit runs from it)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import oracle  # noqa: E402
import test_models  # noqa: E402

import torch  # noqa: E402

# The /proc/cpuinfo flags that code compiled for each level may need (a
# level runs only if all are present). x86-64-v3 also implies LZCNT (`abm`),
# which some hypervisors hide from cpuinfo although the CPU executes it; it is
# not required here.
V2 = {"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"}
V3 = V2 | {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe"}
V4 = V3 | {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}
ZNVER4 = V4 | {"avx512ifma", "avx512vbmi", "avx512_vbmi2", "avx512_vnni", "avx512_bitalg",
               "avx512_vpopcntdq", "avx512_bf16", "gfni", "vaes", "vpclmulqdq", "adx",
               "sha_ni", "clwb", "clzero"}
REQUIRED = {"x86-64-v2": V2, "x86-64-v3": V3, "x86-64-v4": V4, "znver4": ZNVER4}
LEVELS = list(REQUIRED)


def cpu_flags():
    """The feature flags of the first CPU in /proc/cpuinfo (empty if none)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def runnable(levels):
    """(levels that can run here, {skipped level: reason})."""
    machine = platform.machine()
    if machine not in ("x86_64", "AMD64"):
        return [], {level: f"host is {machine}" for level in levels}
    flags = cpu_flags()
    run, skipped = [], {}
    for level in levels:
        missing = sorted(REQUIRED[level] - flags)
        if missing:
            skipped[level] = "no " + " ".join(missing) + " in /proc/cpuinfo"
        else:
            run.append(level)
    return run, skipped


def max_difference(a, b):
    if not a.numel():
        return 0.0
    return float((a.to(torch.float64) - b.to(torch.float64)).abs().max())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nnc", required=True, help="path of the nnc binary")
    parser.add_argument("-j", "--jobs", type=int, default=None)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--levels", default=",".join(LEVELS),
                        help=f"comma-separated CPUs (default {','.join(LEVELS)})")
    parser.add_argument("--opt-levels", default="",
                        help="comma-separated nnc -O levels compiled for the host CPU")
    parser.add_argument("only", nargs="*", help="regexes selecting models by name")
    args = parser.parse_args()
    levels = [level for level in args.levels.split(",") if level]
    unknown = [level for level in levels if level not in REQUIRED]
    if unknown:
        raise SystemExit(f"unknown levels {unknown}; known: {LEVELS}")
    opt_levels = [level for level in args.opt_levels.split(",") if level]
    if any(level not in "0123" or len(level) != 1 for level in opt_levels):
        raise SystemExit(f"--opt-levels takes 0, 1, 2 and 3, not {args.opt_levels!r}")
    cases = oracle.select(test_models.cases(), args.only)
    run, skipped = runnable(levels)
    print("levels run: " + (" ".join(run) or "-"))
    print("levels skipped: " + ("; ".join(f"{level} ({why})" for level, why in skipped.items())
                                or "-"))
    sys.stdout.flush()
    targets = {level: oracle.make_target("host", level) for level in run}
    for level in opt_levels:
        host = oracle.make_target("host")
        targets[f"-O{level}"] = dataclasses.replace(host, nnc_flags=host.nnc_flags + (f"-O{level}",))
    run = list(targets)

    jobs = args.jobs or os.cpu_count() or 2
    passed = failed = 0
    results = {}  # (model, level) -> Result
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {(case.name, level): pool.submit(oracle.run_case, case, args.nnc, None,
                                                   targets[level])
                   for case in cases for level in run}
        for (name, level), future in futures.items():
            result = results[name, level] = future.result()
            label = f"{name}@{level}"
            if result.ok:
                passed += 1
                print(f"PASS {label}" + (f" ({result.message})" if args.verbose else ""))
            else:
                failed += 1
                print(f"FAIL {label}")
                for line in result.message.splitlines():
                    print(f"  {line}")
            sys.stdout.flush()

    # Every pair of levels agrees, per model.
    for case in cases:
        ran = [level for level in run if results[case.name, level].ok]
        if len(ran) < 2:
            continue
        problems, worst = [], 0.0
        for a, b in itertools.combinations(ran, 2):
            ra, rb = results[case.name, a], results[case.name, b]
            for info, got_a, got_b in zip(ra.output_info, ra.outputs, rb.outputs):
                message = oracle.compare(f"{case.name}: {b} vs {a}", info, got_b, got_a)
                if message:
                    problems.append(message)
                worst = max(worst, max_difference(got_a, got_b))
        label = f"{case.name}: " + " = ".join(ran)
        if problems:
            failed += 1
            print(f"FAIL {label}")
            for line in problems:
                print(f"  {line}")
        else:
            passed += 1
            print(f"PASS {label}" + (f" (max|difference| {worst:.3g})" if args.verbose else ""))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
