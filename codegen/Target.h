//===- Target.h - target selection for code generation ----------*- C++ -*-===//
//
// Resolves `--target`, `--cpu` and `--mattr` into an LLVM TargetMachine.
// Unknown triples and CPU names are user errors with the valid choices listed.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_TARGET_H
#define NNC_CODEGEN_TARGET_H

#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace nnc::codegen {

struct TargetOptions {
  std::string triple;   // empty: the host
  std::string cpu;      // empty: the host CPU on the host, a baseline otherwise
  std::string features; // `--mattr`, e.g. "+avx2,-avx512f"
  llvm::CodeGenOptLevel optLevel = llvm::CodeGenOptLevel::Default;
};

/// Registers the X86 and AArch64 backends (idempotent).
void initializeTargets();

/// Creates the target machine for `options`, or an error naming the bad
/// triple or CPU and listing the supported ones.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &options);

/// The SIMD register file of a target, as the kernel generator sees it.
struct SimdRegisters {
  int64_t vectorBits;
  int64_t count;
};

/// The registers kernels are blocked for on `machine`'s CPU: the widest
/// vector LLVM keeps unsplit there (256 bits on AVX-512 CPUs tuned to prefer
/// them, such as x86-64-v4) and the register count (32 with AVX-512 or on
/// AArch64, 16 otherwise).
SimdRegisters simdRegistersOf(const llvm::TargetMachine &machine);

/// Prints the targets this build supports (`nnc --print-targets`).
void printTargets(llvm::raw_ostream &os);

} // namespace nnc::codegen

#endif // NNC_CODEGEN_TARGET_H
