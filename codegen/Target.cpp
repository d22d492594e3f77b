//===- Target.cpp - target selection for code generation ------------------===//
//
// Only the X86 and AArch64 backends are registered: they are the targets
// nnc generates and tests code for.
//
//===----------------------------------------------------------------------===//

#include "codegen/Target.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace nnc::codegen;

extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86Target();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86AsmPrinter();
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64Target();
void LLVMInitializeAArch64TargetMC();
void LLVMInitializeAArch64AsmPrinter();
}

void nnc::codegen::initializeTargets() {
  static bool initialized = [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
    return true;
  }();
  (void)initialized;
}

void nnc::codegen::printTargets(llvm::raw_ostream &os) {
  initializeTargets();
  os << "Registered targets (--target=<triple>):\n"
     << "  x86_64-linux-gnu   x86-64 (SSE2 baseline; --cpu=x86-64-v2/-v3/-v4, znver4, ...)\n"
     << "  aarch64-linux-gnu  AArch64 (NEON; --cpu=cortex-a72, neoverse-n1, ...)\n"
     << "Host: " << llvm::sys::getDefaultTargetTriple() << ", CPU "
     << llvm::sys::getHostCPUName() << "\n";
}

/// Lists the CPU names the target knows, for error messages.
static std::string validCPUs(const llvm::Target &target, const llvm::Triple &triple) {
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target.createMCSubtargetInfo(triple.str(), "", ""));
  std::string names;
  if (!info)
    return names;
  for (const llvm::SubtargetSubTypeKV &cpu : info->getAllProcessorDescriptions())
    names += (names.empty() ? "" : ", ") + std::string(cpu.Key);
  return names;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
nnc::codegen::createTargetMachine(const TargetOptions &options) {
  initializeTargets();
  std::string hostTriple = llvm::sys::getDefaultTargetTriple();
  llvm::Triple triple(llvm::Triple::normalize(options.triple.empty() ? hostTriple
                                                                     : options.triple));
  // A bare architecture ("aarch64", "arm64", "x86_64") means Linux.
  if (triple.getOS() == llvm::Triple::UnknownOS) {
    triple.setVendor(llvm::Triple::UnknownVendor);
    triple.setOS(llvm::Triple::Linux);
    triple.setEnvironment(llvm::Triple::GNU);
  }
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple.str(), error);
  bool supported = target && triple.isOSLinux() &&
                   (triple.getArch() == llvm::Triple::x86_64 ||
                    triple.getArch() == llvm::Triple::aarch64);
  if (!supported)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "unknown or unsupported target '" + options.triple +
            "' (supported: x86_64-linux-gnu, aarch64-linux-gnu, also spelled x86_64, "
            "aarch64, arm64-linux-gnu; see --print-targets)");
  bool isHost = llvm::Triple(hostTriple).getArch() == triple.getArch();
  std::string cpu = options.cpu;
  std::string features = options.features;
  if (cpu.empty()) {
    cpu = isHost ? std::string(llvm::sys::getHostCPUName())
                 : (triple.getArch() == llvm::Triple::x86_64 ? "x86-64" : "generic");
  }
  // LLVM tunes most AVX-512 CPUs (Skylake-X to Sapphire Rapids, x86-64-v4)
  // to prefer 256-bit vectors, a guard for auto-vectorized code against the
  // clock drop of 512-bit instructions. Register-blocked kernels gain more:
  // zmm registers double the FMAs per instruction (measured on Sapphire
  // Rapids: a 3x3 64->64 56x56 convolution 3.3 ms with ymm, 1.6 ms with
  // zmm). `--mattr=+prefer-256-bit` restores the preference.
  if (triple.getArch() == llvm::Triple::x86_64 &&
      llvm::StringRef(features).find("prefer-256-bit") == llvm::StringRef::npos)
    features += features.empty() ? "-prefer-256-bit" : ",-prefer-256-bit";
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target->createMCSubtargetInfo(triple.str(), "", ""));
  if (cpu != "generic" && info && !info->isCPUStringValid(cpu))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "unknown CPU '" + cpu + "' for target " + triple.str() +
                                       " (valid: " + validCPUs(*target, triple) + ")");
  llvm::TargetOptions targetOptions;
  // Fuse multiply-adds into FMA instructions, as C compilers do by default;
  // the result is at least as accurate as separate rounding.
  targetOptions.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple.str(), cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      options.optLevel));
  if (!machine)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot create a target machine for " + triple.str());
  return std::move(machine);
}

nnc::codegen::SimdRegisters nnc::codegen::simdRegistersOf(const llvm::TargetMachine &machine) {
  if (machine.getTargetTriple().isAArch64())
    return {128, 32};
  const llvm::MCSubtargetInfo &cpu = *machine.getMCSubtargetInfo();
  if (cpu.checkFeatures("+avx512f"))
    return {cpu.checkFeatures("+prefer-256-bit") ? 256 : 512, 32};
  if (cpu.checkFeatures("+avx"))
    return {256, 16};
  return {128, 16};
}
