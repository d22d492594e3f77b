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
    std::vector<llvm::SmallVector<llvm::BasicBlock *>> nests;
    {
      llvm::DominatorTree dominators(*function);
      llvm::LoopInfo loops(dominators);
      for (llvm::Loop *loop : loops)
        nests.emplace_back(loop->getBlocks().begin(), loop->getBlocks().end());
    }
    for (auto &blocks : nests) {
      llvm::DominatorTree dominators(*function);
      llvm::CodeExtractorAnalysisCache cache(*function);
      llvm::CodeExtractor extractor(blocks, &dominators);
      if (!extractor.isEligible())
        continue;
      if (llvm::Function *outlined = extractor.extractCodeRegion(cache))
        outlined->addFnAttr(llvm::Attribute::NoInline);
    }
  }
}
