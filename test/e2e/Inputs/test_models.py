#!/usr/bin/env python3
"""End-to-end numerical tests of the shipped example models.

Every examples/*.nn is compiled as shipped, random parameters (seeded, see
oracle.py) are written into the compiled model's parameter buffer and loaded
by name into the hand-written PyTorch module of test/oracle/check_models.py,
and the outputs of <model>_infer on random inputs are compared with the
module's forward pass in float64 (eval mode: batch norm uses the running
statistics), with the tolerance of oracle.py:

    max|nnc - ref| <= 1e-4 * max(1, max|ref|)

The parameter names of the compiled model must be exactly the module's
state_dict keys (without BatchNorm's num_batches_tracked). Prints one line
per model and `N passed, N failed` last; exits 1 on any failure.

    test_models.py --nnc build/bin/nnc [-j 2] [--target host|aarch64] [--cpu CPU]
                   [--subset aarch64] [name-regex...]
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean (lit runs from it)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "oracle"))

import oracle  # noqa: E402
from oracle import Case  # noqa: E402

import check_models  # noqa: E402  (test/oracle/check_models.py: the PyTorch modules)

EXAMPLES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "examples"))

# Each shipped example and the input filler of each of its inputs.
MODELS = {
    "mlp": {"x": oracle.uniform_in(0.0, 1.0)},          # pixel intensities
    "lenet5": {"image": oracle.randn(1.0)},
    "resnet20": {"image": oracle.randn(1.0)},
    "unet_small": {"image": oracle.randn(1.0)},
    "linear_svm": {"x": oracle.randn(1.0)},
}


def reference(name):
    """ref(p, *inputs): the PyTorch module of `name` with weights p, float64."""
    def ref(p, *inputs):
        module = check_models.MODELS[name]().double().eval()
        state = module.state_dict()
        expected = [k for k in state if not k.endswith("num_batches_tracked")]
        if sorted(expected) != sorted(p):
            missing = sorted(set(expected) - set(p))
            extra = sorted(set(p) - set(expected))
            raise oracle.OracleError(f"parameter names differ from the PyTorch module: "
                                     f"missing in nnc {missing[:6]}, extra in nnc {extra[:6]}")
        for key in expected:
            if tuple(state[key].shape) != tuple(p[key].shape):
                raise oracle.OracleError(f"{key}: nnc shape {list(p[key].shape)}, PyTorch "
                                         f"{list(state[key].shape)}")
        module.load_state_dict({k: p[k] for k in expected}, strict=False)
        return module(*inputs)
    return ref


def cases(examples=EXAMPLES):
    result = []
    for name, inputs in MODELS.items():
        with open(os.path.join(examples, name + ".nn"), encoding="utf-8") as f:
            source = f.read()
        result.append(Case(name, source, reference(name), inputs))
    return result

# --subset NAME: aarch64 (test/e2e/aarch64.test) runs every example.
SUBSETS = {"aarch64": list(MODELS)}


if __name__ == "__main__":
    sys.exit(oracle.suite_main(cases, __doc__.split("\n\n")[0], SUBSETS))
