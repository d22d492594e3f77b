//===- ObjectEmitter.h - LLVM dialect to native code ------------*- C++ -*-===//
//
// Translates a lowered module to LLVM IR, adds the ABI, optimizes it for the
// target machine and writes LLVM IR, assembly or an object file.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_OBJECTEMITTER_H
#define NNC_CODEGEN_OBJECTEMITTER_H

#include "codegen/ABI.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

namespace nnc::codegen {

enum class OutputKind { LLVMIR, Assembly, Object };

/// Emits `lowered` (LLVM dialect, ABI metadata already taken by
/// finishModel) as `kind` to `os`. `optLevel` is 0..3. An object of a large
/// model is generated in `partitions` parts on as many threads (see
/// ParallelCodegen.h); 1 keeps code generation on this thread. Errors are
/// reported as diagnostics on the module.
mlir::LogicalResult emitCode(mlir::ModuleOp lowered, const ModelABI &model,
                             llvm::TargetMachine &machine, OutputKind kind, unsigned optLevel,
                             unsigned partitions, llvm::raw_pwrite_stream &os);

} // namespace nnc::codegen

#endif // NNC_CODEGEN_OBJECTEMITTER_H
