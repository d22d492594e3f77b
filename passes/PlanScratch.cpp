//===- PlanScratch.cpp - allocations into the caller's scratch arena ------===//
//
// Implements nnc-plan-scratch (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace nnc {
#define GEN_PASS_DEF_PLANSCRATCH
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct PlanScratchPass : nnc::impl::PlanScratchBase<PlanScratchPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(plan(func)))
        return signalPassFailure();
  }

  LogicalResult plan(func::FuncOp func) {
    if (func.isExternal())
      return success();
    SmallVector<memref::AllocOp> allocs;
    func.walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
    OpBuilder builder(func.getContext());
    int64_t bytes = 0;
    SmallVector<int64_t> offsets;
    for (memref::AllocOp alloc : allocs) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return alloc.emitError() << "cannot place buffer " << type
                                 << " in the scratch arena: it needs a static shape";
      bytes = llvm::alignTo(bytes, nnc::kBufferAlignment);
      offsets.push_back(bytes);
      bytes += type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
    }
    bytes = llvm::alignTo(bytes, nnc::kBufferAlignment);
    auto scratchType = MemRefType::get({bytes}, builder.getI8Type());
    unsigned index = func.getNumArguments();
    func.insertArgument(index, scratchType,
                                   builder.getDictionaryAttr(builder.getNamedAttr(
                                       "nn.name", builder.getStringAttr("scratch"))),
                                   func.getLoc());
    Value scratch = func.getArgument(index);
    for (auto [alloc, offset] : llvm::zip(allocs, offsets)) {
      builder.setInsertionPoint(alloc);
      Value shift = builder.create<arith::ConstantIndexOp>(alloc.getLoc(), offset);
      Value view = builder.create<memref::ViewOp>(alloc.getLoc(), alloc.getType(), scratch,
                                                  shift, ValueRange{});
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      alloc.replaceAllUsesWith(view);
      alloc.erase();
    }
    func->setAttr("nn.scratch_bytes", builder.getI64IntegerAttr(bytes));
    return success();
  }
};

} // namespace
