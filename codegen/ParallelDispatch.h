//===- ParallelDispatch.h - running outlined loops on threads ---*- C++ -*-===//
//
// The LLVM half of nnc-outline-parallel-loops: defines the dispatch
// functions the lowering declared, which run a loop's task on the threads of
// the nnc_parallel (runtime/nnc_types.h) the caller passed to a `_parallel`
// entry point, read from a thread-local variable.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_PARALLELDISPATCH_H
#define NNC_CODEGEN_PARALLELDISPATCH_H

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/IR/Module.h"

namespace nnc::codegen {

/// Creates the thread-local `const nnc_parallel *` (null: run on the calling
/// thread) and defines every dispatch of `loops` (the module attribute
/// `nnc.parallel_loops`: {dispatch, task, count} records; may be null):
/// with a null nnc_parallel it calls task(0, count, args...), otherwise
/// parallel_for(context, count, trampoline, &args), the trampoline calling
/// task(begin, end, args...). Returns the thread-local variable.
llvm::GlobalVariable *defineParallelDispatch(llvm::Module &module, mlir::ArrayAttr loops);

/// Adds `int32_t <name>(args of entry..., const nnc_parallel *parallel)`:
/// sets the thread-local variable to `parallel` for the duration of a call
/// to `entry` (restoring it after) and returns its result.
void emitParallelEntry(llvm::Module &module, llvm::Function *entry, llvm::StringRef name,
                       llvm::GlobalVariable *parallel);

} // namespace nnc::codegen

#endif // NNC_CODEGEN_PARALLELDISPATCH_H
