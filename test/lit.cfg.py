# lit configuration of the nnc test suite.
import os

import lit.formats

config.name = "nnc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".nn", ".test", ".py"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "oracle"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nnc_obj_root, "test")

# Tools first from this build, then LLVM's (FileCheck, not, count).
config.environment["PATH"] = os.pathsep.join(
    [config.nnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
# Longer names first: lit substitutes in order and %nnc is a prefix of these.
config.substitutions.append(("%nnc_obj_root", config.nnc_obj_root))
config.substitutions.append(("%nnc_src_root", config.nnc_src_root))
config.substitutions.append(("%nnc-opt", os.path.join(config.nnc_tools_dir, "nnc-opt")))
config.substitutions.append(("%nnc", os.path.join(config.nnc_tools_dir, "nnc")))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%cc", "clang-19"))
config.substitutions.append(("%cxx", "clang++-19"))
config.substitutions.append(("%examples", os.path.join(config.nnc_src_root, "examples")))
config.substitutions.append(("%oracle", os.path.join(config.nnc_src_root, "test", "oracle")))

if config.nnc_sanitized:
    config.available_features.add("asan")
    # LeakSanitizer is noisy about MLIR's intentional global singletons.
    config.environment["ASAN_OPTIONS"] = "detect_leaks=0"
if config.nnc_fuzz:
    config.available_features.add("fuzzer")

# aarch64.test: cross-compiled drivers run under user-mode QEMU.
import shutil
if all(shutil.which(tool, path=config.environment["PATH"])
       for tool in ("aarch64-linux-gnu-gcc", "qemu-aarch64")):
    config.available_features.add("aarch64")
