//===- OutlineLoopNests.h - one function per loop nest ----------*- C++ -*-===//
//
// Keeps LLVM's loop passes linear in model size: several of them (loop
// rotation, induction-variable simplification) do work proportional to the
// whole function for every loop, so the single function holding a large
// training step (thousands of loop nests) takes quadratic time. Each
// top-level loop nest of a large function becomes its own non-inlined
// function, called in place.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_OUTLINELOOPNESTS_H
#define NNC_CODEGEN_OUTLINELOOPNESTS_H

#include "llvm/IR/Module.h"

namespace nnc::codegen {

/// Outlines every top-level loop of each function of `module` with more than
/// `minBlocks` basic blocks. Legal on any module; a loop the extractor
/// cannot take (e.g. several entries) stays in place.
void outlineLoopNests(llvm::Module &module, unsigned minBlocks = 200);

} // namespace nnc::codegen

#endif // NNC_CODEGEN_OUTLINELOOPNESTS_H
