//===- OutlineLoopNests.cpp - one function per loop nest ------------------===//
//
// See OutlineLoopNests.h. Uses LLVM's CodeExtractor, the machinery of its
// own hot/cold splitting and partial inlining.
//
//===----------------------------------------------------------------------===//

#include "codegen/OutlineLoopNests.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/Transforms/Utils/CodeExtractor.h"

void nnc::codegen::outlineLoopNests(llvm::Module &module, unsigned minBlocks) {
  llvm::SmallVector<llvm::Function *> large;
  for (llvm::Function &function : module)
    if (!function.isDeclaration() && function.size() > minBlocks)
      large.push_back(&function);
  for (llvm::Function *function : large) {
    // Extracting one top-level loop leaves the blocks of the others intact.
    // The extractor keeps the dominator tree up to date and never invalidates
    // its analysis cache, so both are built once per function (as LLVM's
    // hot/cold splitting does): rebuilding them per nest was quadratic.
    llvm::DominatorTree dominators(*function);
    std::vector<llvm::SmallVector<llvm::BasicBlock *>> nests;
    {
      llvm::LoopInfo loops(dominators);
      for (llvm::Loop *loop : loops)
        nests.emplace_back(loop->getBlocks().begin(), loop->getBlocks().end());
    }
    llvm::CodeExtractorAnalysisCache cache(*function);
    for (auto &blocks : nests) {
      llvm::CodeExtractor extractor(blocks, &dominators);
      if (!extractor.isEligible())
        continue;
      if (llvm::Function *outlined = extractor.extractCodeRegion(cache))
        outlined->addFnAttr(llvm::Attribute::NoInline);
    }
  }
}
