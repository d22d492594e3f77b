//===- OutlineLoopNests.cpp - one function per distinct loop nest ---------===//
//
// Implements nnc-outline-loop-nests (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/LoopOutlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/OperationSupport.h"

namespace nnc {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// An outlined nest and the one call to it.
struct Nest {
  func::FuncOp function;
  func::CallOp call;
};

/// The top-level ops of `function` that hold a loop nest: region ops
/// without results.
SmallVector<Operation *> topLevelNests(func::FuncOp function) {
  SmallVector<Operation *> nests;
  if (!function.getBody().hasOneBlock())
    return nests;
  for (Operation &op : function.getBody().front())
    if (op.getNumRegions() > 0 && op.getNumResults() == 0)
      nests.push_back(&op);
  return nests;
}

/// Moves `loop` into a new function after `insertAfter`, named `name`, and
/// calls it in its place.
Nest outline(Operation *loop, Operation *insertAfter, StringRef name) {
  nnc::LoopInputs inputs(loop);
  Location loc = loop->getLoc();
  OpBuilder b(insertAfter->getContext());
  b.setInsertionPointAfter(insertAfter);
  SmallVector<Type> types;
  for (Value argument : inputs.arguments())
    types.push_back(argument.getType());
  auto function = b.create<func::FuncOp>(loc, name, b.getFunctionType(types, {}));
  function.setPrivate();
  function->setAttr("no_inline", b.getUnitAttr());
  Block *body = function.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRMapping mapping;
  for (auto [argument, value] : llvm::zip(body->getArguments(), inputs.arguments()))
    mapping.map(value, argument);
  inputs.rematerialize(b, mapping);
  b.clone(*loop, mapping);
  b.create<func::ReturnOp>(loc);
  b.setInsertionPoint(loop);
  auto call = b.create<func::CallOp>(loc, function, inputs.arguments());
  loop->erase();
  return {function, call};
}

/// A hash equal for equal nests: their type and their ops, values and
/// locations aside.
llvm::hash_code hashNest(func::FuncOp function) {
  llvm::hash_code hash = llvm::hash_value(function.getFunctionType().getAsOpaquePointer());
  function.getBody().walk([&](Operation *op) {
    hash = llvm::hash_combine(
        hash, OperationEquivalence::computeHash(op, OperationEquivalence::ignoreHashValue,
                                                OperationEquivalence::ignoreHashValue,
                                                OperationEquivalence::IgnoreLocations));
  });
  return hash;
}

bool equalNests(func::FuncOp a, func::FuncOp b) {
  return a.getFunctionType() == b.getFunctionType() &&
         OperationEquivalence::isRegionEquivalentTo(&a.getBody(), &b.getBody(),
                                                    OperationEquivalence::IgnoreLocations);
}

/// Keeps one function of every class of equal nests; the calls of the
/// others call it.
void mergeEqualNests(MutableArrayRef<Nest> nests) {
  DenseMap<unsigned, SmallVector<func::FuncOp>> kept;
  for (Nest &nest : nests) {
    SmallVector<func::FuncOp> &bucket = kept[hashNest(nest.function)];
    auto equal = llvm::find_if(bucket, [&](func::FuncOp other) {
      return equalNests(other, nest.function);
    });
    if (equal == bucket.end()) {
      bucket.push_back(nest.function);
      continue;
    }
    nest.call.setCallee(equal->getName());
    nest.function.erase();
  }
}

struct OutlineLoopNestsPass : nnc::impl::OutlineLoopNestsBase<OutlineLoopNestsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Nest> nests;
    for (auto function : llvm::to_vector(module.getOps<func::FuncOp>())) {
      SmallVector<Operation *> loops = topLevelNests(function);
      if (loops.size() < 2)
        continue;
      Operation *insertAfter = function;
      for (auto [k, loop] : llvm::enumerate(loops)) {
        std::string name = (function.getName() + ".nest" + Twine(k)).str();
        nests.push_back(outline(loop, insertAfter, name));
        insertAfter = nests.back().function;
      }
    }
    mergeEqualNests(nests);
  }
};

} // namespace
