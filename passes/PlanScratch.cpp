//===- PlanScratch.cpp - allocations into the caller's scratch arena ------===//
//
// Implements nnc-plan-scratch (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/ArenaPlanner.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/DenseSet.h"

#include <limits>

namespace nnc {
#define GEN_PASS_DEF_PLANSCRATCH
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct PlanScratchPass : nnc::impl::PlanScratchBase<PlanScratchPass> {
  using PlanScratchBase::PlanScratchBase;

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
    // Program points: the position of each op of the function body; a use
    // nested in a loop counts at the loop, which repeats it.
    Block &body = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    for (auto [index, op] : llvm::enumerate(body))
      position[&op] = index;
    std::vector<nnc::BufferLifetime> lifetimes;
    SmallVector<Operation *> lastUsers;
    for (memref::AllocOp alloc : allocs) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return alloc.emitError() << "cannot place buffer " << type
                                 << " in the scratch arena: it needs a static shape";
      nnc::BufferLifetime lifetime;
      lifetime.bytes = type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
      // The buffer is live from its first use (not the allocation, which
      // bufferization may place early) to its last. Follow every value that
      // may alias it (views, casts, reshapes).
      int64_t allocated = position.lookup(body.findAncestorOpInBlock(*alloc));
      lifetime.firstUse = std::numeric_limits<int64_t>::max();
      lifetime.lastUse = allocated;
      SmallVector<Value> worklist{alloc.getResult()};
      DenseSet<Value> seen;
      while (!worklist.empty()) {
        Value value = worklist.pop_back_val();
        if (!seen.insert(value).second)
          continue;
        for (Operation *user : value.getUsers()) {
          if (isa<memref::DeallocOp>(user))
            continue;
          int64_t at = position.lookup(body.findAncestorOpInBlock(*user));
          lifetime.firstUse = std::min(lifetime.firstUse, at);
          lifetime.lastUse = std::max(lifetime.lastUse, at);
          for (Value result : user->getResults())
            if (isa<BaseMemRefType>(result.getType()))
              worklist.push_back(result);
        }
      }
      if (lifetime.firstUse > lifetime.lastUse) // never used
        lifetime.firstUse = lifetime.lastUse = allocated;
      lifetimes.push_back(lifetime);
      lastUsers.push_back(&*std::next(body.begin(), lifetime.lastUse));
    }
    nnc::ArenaPlan arena = nnc::planArena(lifetimes, nnc::kBufferAlignment);
    int64_t bytes = arena.arenaBytes;
    const std::vector<int64_t> &offsets = arena.offsets;
    OpBuilder builder(func.getContext());
    auto scratchType = MemRefType::get({bytes}, builder.getI8Type());
    unsigned index = func.getNumArguments();
    func.insertArgument(index, scratchType,
                                   builder.getDictionaryAttr(builder.getNamedAttr(
                                       "nn.name", builder.getStringAttr("scratch"))),
                                   func.getLoc());
    Value scratch = func.getArgument(index);
    for (auto [alloc, offset, lastUser] : llvm::zip(allocs, offsets, lastUsers)) {
      if (poisonFreed && !isa<func::ReturnOp>(lastUser)) {
        builder.setInsertionPointAfter(lastUser);
        int64_t size = alloc.getType().getNumElements() *
                       ((alloc.getType().getElementTypeBitWidth() + 7) / 8);
        Value start = builder.create<arith::ConstantIndexOp>(alloc.getLoc(), offset);
        Value raw = builder.create<memref::ViewOp>(
            alloc.getLoc(), MemRefType::get({size}, builder.getI8Type()), scratch, start,
            ValueRange{});
        Value ones = builder.create<arith::ConstantOp>(alloc.getLoc(),
                                                       builder.getI8IntegerAttr(-1));
        builder.create<linalg::FillOp>(alloc.getLoc(), ones, raw);
      }
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
