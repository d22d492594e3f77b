//===- OutlineLoopNests.cpp - one function per distinct loop nest ---------===//
//
// Implements nnc-outline-loop-nests (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/LayerLocations.h"
#include "passes/LoopOutlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace nnc {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Top-level ops of one layer to move into a function together, in order.
using Run = SmallVector<Operation *>;

bool isPure(Operation &op) { return op.getNumRegions() == 0 && isMemoryEffectFree(&op); }

/// Whether `op`, or an op nested in it, uses a value defined by `ops`.
bool usesAnyOf(Operation *op, const llvm::SmallPtrSetImpl<Operation *> &ops) {
  WalkResult walk = op->walk([&](Operation *nested) {
    for (Value operand : nested->getOperands())
      if (ops.contains(operand.getDefiningOp()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return walk.wasInterrupted();
}

/// The runs of `function` worth a function of their own: the function's
/// top-level ops cut into runs of consecutive ops of one layer, each with
/// a loop nest and the ops that feed it its initial values (the
/// accumulators a register-blocked kernel loads) and consume its results
/// (their stores); a run that holds no loop stays in place. A new run
/// starts at a layer's first op and, once a run has a loop, at the first
/// op that does not use the run's values. Pure ops (constants, views)
/// between stay in place unless they compute on the run's values.
SmallVector<Run> loopRuns(func::FuncOp function) {
  SmallVector<Run> runs;
  if (!function.getBody().hasOneBlock())
    return runs;
  Run current;
  llvm::SmallPtrSet<Operation *, 16> inCurrent;
  bool hasLoop = false;
  std::string layer;
  auto close = [&] {
    if (hasLoop)
      runs.push_back(current);
    current.clear();
    inCurrent.clear();
    hasLoop = false;
  };
  for (Operation &op : function.getBody().front().without_terminator()) {
    bool usesRun = usesAnyOf(&op, inCurrent);
    if (isPure(op)) {
      if (usesRun) {
        current.push_back(&op);
        inCurrent.insert(&op);
      }
      continue;
    }
    std::string opLayer = nnc::layerNameOf(op.getLoc());
    if (!current.empty() && (opLayer != layer || (hasLoop && !usesRun)))
      close();
    layer = opLayer;
    current.push_back(&op);
    inCurrent.insert(&op);
    hasLoop |= op.getNumRegions() > 0;
  }
  close();
  return runs;
}

/// An outlined run and the one call to it.
struct Nest {
  func::FuncOp function;
  func::CallOp call;
};

/// Moves `run` into a new function after `insertAfter`, named `name`,
/// returning the values used after the run, and calls it where the run's
/// last op was: the ops skipped in between are pure, so the run may move
/// past them.
Nest outline(const Run &run, Operation *insertAfter, StringRef name) {
  nnc::LoopInputs inputs(run);
  llvm::SmallPtrSet<Operation *, 16> inside(run.begin(), run.end());
  SmallVector<Value> outputs;
  for (Operation *op : run)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) { return !inside.contains(user); }))
        outputs.push_back(result);
  Location loc = run.back()->getLoc();
  OpBuilder b(insertAfter->getContext());
  b.setInsertionPointAfter(insertAfter);
  SmallVector<Type> argumentTypes, resultTypes;
  for (Value argument : inputs.arguments())
    argumentTypes.push_back(argument.getType());
  for (Value output : outputs)
    resultTypes.push_back(output.getType());
  auto function =
      b.create<func::FuncOp>(loc, name, b.getFunctionType(argumentTypes, resultTypes));
  function.setPrivate();
  function->setAttr("no_inline", b.getUnitAttr());
  Block *body = function.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRMapping mapping;
  for (auto [argument, value] : llvm::zip(body->getArguments(), inputs.arguments()))
    mapping.map(value, argument);
  inputs.rematerialize(b, mapping);
  for (Operation *op : run)
    b.clone(*op, mapping);
  b.create<func::ReturnOp>(loc, llvm::to_vector(llvm::map_range(
                                    outputs, [&](Value v) { return mapping.lookup(v); })));
  b.setInsertionPointAfter(run.back());
  auto call = b.create<func::CallOp>(loc, function, inputs.arguments());
  for (auto [output, result] : llvm::zip(outputs, call.getResults()))
    output.replaceAllUsesWith(result);
  for (Operation *op : llvm::reverse(run))
    op->erase();
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
      SmallVector<Run> runs = loopRuns(function);
      if (runs.size() < 2)
        continue;
      Operation *insertAfter = function;
      for (auto [k, run] : llvm::enumerate(runs)) {
        std::string name = (function.getName() + ".nest" + Twine(k)).str();
        nests.push_back(outline(run, insertAfter, name));
        insertAfter = nests.back().function;
      }
    }
    mergeEqualNests(nests);
  }
};

} // namespace
