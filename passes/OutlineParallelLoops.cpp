//===- OutlineParallelLoops.cpp - parallel loops as dispatched tasks ------===//
//
// Implements nnc-outline-parallel-loops (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/LoopOutlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

namespace nnc {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// A loop's static trip count, or nullopt.
std::optional<int64_t> tripCount(Value lower, Value upper, Value step) {
  std::optional<int64_t> l = getConstantIntValue(lower), u = getConstantIntValue(upper),
                         s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u > *l ? (*u - *l + *s - 1) / *s : 0;
}

/// The ops `loop` runs, each weighted by the trip counts of the loops around
/// it inside `loop` (dynamic bounds count once): its work, roughly.
int64_t estimatedWork(Operation *loop) {
  int64_t work = 0;
  loop->walk([&](Operation *op) {
    int64_t weight = 1;
    for (Operation *parent = op->getParentOp(); parent && parent != loop->getParentOp();
         parent = parent->getParentOp()) {
      std::optional<int64_t> trips;
      if (auto forOp = dyn_cast<scf::ForOp>(parent))
        trips = tripCount(forOp.getLowerBound(), forOp.getUpperBound(), forOp.getStep());
      else if (auto parallel = dyn_cast<scf::ParallelOp>(parent)) {
        trips = 1;
        for (auto [l, u, s] : llvm::zip(parallel.getLowerBound(), parallel.getUpperBound(),
                                        parallel.getStep()))
          trips = *trips * tripCount(l, u, s).value_or(1);
      }
      weight = std::min<int64_t>(weight * trips.value_or(1), int64_t(1) << 40);
    }
    work = std::min<int64_t>(work + weight, int64_t(1) << 40);
  });
  return work;
}

/// A top-level loop whose iterations (along its first dim) are independent:
/// an scf.parallel, or an scf.for its emitter marked `nnc.parallel`.
struct ParallelLoop {
  Operation *op;
  Value lower, upper, step; // of the split dim
  int64_t count;
};

std::optional<ParallelLoop> asParallelLoop(Operation *op) {
  if (op->getNumResults() != 0)
    return std::nullopt;
  ParallelLoop loop{op, {}, {}, {}, 0};
  if (auto parallel = dyn_cast<scf::ParallelOp>(op)) {
    loop.lower = parallel.getLowerBound()[0];
    loop.upper = parallel.getUpperBound()[0];
    loop.step = parallel.getStep()[0];
  } else if (auto forOp = dyn_cast<scf::ForOp>(op); forOp && op->hasAttr("nnc.parallel")) {
    loop.lower = forOp.getLowerBound();
    loop.upper = forOp.getUpperBound();
    loop.step = forOp.getStep();
  } else {
    return std::nullopt;
  }
  std::optional<int64_t> count = tripCount(loop.lower, loop.upper, loop.step);
  if (!count)
    return std::nullopt;
  loop.count = *count;
  return loop;
}

class Outliner {
public:
  Outliner(ModuleOp module, func::FuncOp parent, int64_t minWork)
      : module(module), parent(parent), minWork(minWork) {}

  /// Outlines `loop` when it is worth it.
  void run(const ParallelLoop &loop) {
    if (loop.count < 2 || estimatedWork(loop.op) < minWork)
      return;
    // Values from outside: those the body uses and the loop's bounds.
    nnc::LoopInputs inputs(loop.op);
    ArrayRef<Value> arguments = inputs.arguments();

    // The task: (begin, end, arguments...) runs iterations [begin, end).
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointAfter(parent);
    Location loc = loop.op->getLoc();
    std::string name = (parent.getName() + ".parallel" + Twine(counter)).str();
    std::string dispatchName = (parent.getName() + ".dispatch" + Twine(counter)).str();
    ++counter;
    SmallVector<Type> types{b.getIndexType(), b.getIndexType()};
    for (Value argument : arguments)
      types.push_back(argument.getType());
    auto task = b.create<func::FuncOp>(loc, name, b.getFunctionType(types, {}));
    task.setPrivate();
    Block *body = task.addEntryBlock();
    b.setInsertionPointToStart(body);
    IRMapping mapping;
    for (auto [argument, value] : llvm::zip(body->getArguments().drop_front(2), arguments))
      mapping.map(value, argument);
    inputs.rematerialize(b, mapping);
    auto iterations = b.create<scf::ForOp>(loc, body->getArgument(0), body->getArgument(1),
                                           b.create<arith::ConstantIndexOp>(loc, 1));
    b.setInsertionPointToStart(iterations.getBody());
    // iv = lower + i * step.
    Value iv = b.create<arith::AddIOp>(
        loc, mapping.lookup(loop.lower),
        b.create<arith::MulIOp>(loc, iterations.getInductionVar(), mapping.lookup(loop.step)));
    cloneIteration(b, loop, iv, mapping);
    b.setInsertionPointToEnd(body);
    b.create<func::ReturnOp>(loc);

    // The dispatch: the code generator defines it (codegen/ParallelDispatch)
    // to run the task on the caller's threads, or on this one.
    b.setInsertionPoint(task);
    SmallVector<Type> dispatchTypes(llvm::drop_begin(types, 2));
    auto dispatch =
        b.create<func::FuncOp>(loc, dispatchName, b.getFunctionType(dispatchTypes, {}));
    dispatch.setPrivate();
    b.setInsertionPoint(loop.op);
    b.create<func::CallOp>(loc, dispatch, arguments);
    records.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("dispatch", b.getStringAttr(dispatchName)),
         b.getNamedAttr("task", b.getStringAttr(name)),
         b.getNamedAttr("count", b.getI64IntegerAttr(loop.count))}));
    loop.op->erase();
  }

  SmallVector<Attribute> records;

private:
  /// One iteration of `loop` at `iv` along its split dim.
  void cloneIteration(OpBuilder &b, const ParallelLoop &loop, Value iv, IRMapping &mapping) {
    if (auto forOp = dyn_cast<scf::ForOp>(loop.op)) {
      mapping.map(forOp.getInductionVar(), iv);
      for (Operation &op : forOp.getBody()->without_terminator())
        b.clone(op, mapping);
      return;
    }
    auto parallel = cast<scf::ParallelOp>(loop.op);
    mapping.map(parallel.getInductionVars()[0], iv);
    if (parallel.getNumLoops() == 1) {
      for (Operation &op : parallel.getBody()->without_terminator())
        b.clone(op, mapping);
      return;
    }
    auto remap = [&](ValueRange values) {
      return llvm::to_vector(
          llvm::map_range(values.drop_front(), [&](Value v) { return mapping.lookup(v); }));
    };
    auto rest = b.create<scf::ParallelOp>(parallel.getLoc(), remap(parallel.getLowerBound()),
                                          remap(parallel.getUpperBound()),
                                          remap(parallel.getStep()));
    // getInductionVars() returns a new vector: keep both alive for the loop.
    SmallVector<Value> oldVars = parallel.getInductionVars();
    SmallVector<Value> newVars = rest.getInductionVars();
    for (auto [old, fresh] : llvm::zip(llvm::drop_begin(oldVars), newVars))
      mapping.map(old, fresh);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(rest.getBody());
    for (Operation &op : parallel.getBody()->without_terminator())
      b.clone(op, mapping);
  }

  ModuleOp module;
  func::FuncOp parent;
  int64_t minWork;
  int counter = 0;
};

struct OutlineParallelLoopsPass
    : nnc::impl::OutlineParallelLoopsBase<OutlineParallelLoopsPass> {
  using OutlineParallelLoopsBase::OutlineParallelLoopsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Attribute> records;
    for (auto function : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (function.isExternal())
        continue;
      Outliner outliner(module, function, minWork);
      for (Operation &op : llvm::make_early_inc_range(function.getBody().front()))
        if (std::optional<ParallelLoop> loop = asParallelLoop(&op))
          outliner.run(*loop);
      records.append(outliner.records);
    }
    if (!records.empty())
      module->setAttr("nnc.parallel_loops", ArrayAttr::get(module.getContext(), records));
  }
};

} // namespace
