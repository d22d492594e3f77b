//===- Rematerialize.cpp - recompute cheap activations in the backward ----===//
//
// Implements nnc-rematerialize (see Passes.td). In a ResNet layer, on
// tensors after lowering,
//   x = conv(...)                          saved: batch norm's gradient reads x
//   y = relu(batch_norm(x, mean, var))     saved: relu's gradient reads y
//   p = tensor.pad y                       saved: the weight gradient reads p
// the backward's reads of y and p become reads of copies of
// relu(batch_norm(x, ...)) and its pad, computed right before the first of
// them, so y and p die in the forward and only x stays saved.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/LayerLocations.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"

namespace nnc {
#define GEN_PASS_DEF_REMATERIALIZE
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// How many cheap ops a recomputation may chain behind the value it serves.
constexpr int kMaxDepth = 3;

/// An elementwise op worth recomputing rather than keeping its result: an
/// all-parallel generic on tensors with one result, not tagged for a kernel.
bool isElementwise(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  return generic && generic.hasPureTensorSemantics() && generic->getNumResults() == 1 &&
         generic.getNumParallelLoops() == generic.getNumLoops() &&
         llvm::none_of(generic->getDiscardableAttrs(), [](NamedAttribute attr) {
           return attr.getName().strref().starts_with("nnc.");
         });
}

/// A static pad by a constant: a copy, recomputed with its source.
bool isConstantPad(Operation *op) {
  auto pad = dyn_cast_or_null<tensor::PadOp>(op);
  return pad && pad.getResultType().hasStaticShape() && pad.getConstantPaddingValue() &&
         pad.getLow().empty() && pad.getHigh().empty();
}

int64_t elementsOf(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() ? type.getNumElements() : 0;
}

class Rematerializer {
public:
  explicit Rematerializer(func::FuncOp step) : step(step) {}

  void run() {
    Block &body = step.getBody().front();
    // Constants may carry a backward location to the top of the function.
    auto firstBackward = llvm::find_if(body, [](Operation &op) {
      return !op.hasTrait<OpTrait::ConstantLike>() && nnc::isBackwardLoc(op.getLoc());
    });
    if (firstBackward == body.end())
      return;
    for (Operation &op : llvm::make_range(body.begin(), firstBackward))
      forward.insert(&op);
    for (Operation *op : forward)
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(),
                         [&](Operation *user) { return !forward.contains(user); }))
          saved.insert(result);
    // In forward order, so each decision sees its operands' decisions.
    for (Operation &op : llvm::make_range(body.begin(), firstBackward)) {
      if (op.getNumResults() != 1 || !saved.contains(op.getResult(0)))
        continue;
      bool recompute =
          isConstantPad(&op)
              ? recomputed.contains(op.getOperand(0))
              : isElementwise(&op) && recomputable(&op, elementsOf(op.getResult(0)), 0);
      if (recompute)
        recomputed.insert(op.getResult(0));
    }
    // By first backward read, so that a pad's copy reuses its source's.
    SmallVector<std::pair<Operation *, Value>> order;
    for (Value value : recomputed)
      order.push_back({firstBackwardUser(value), value});
    llvm::sort(order, [](auto &a, auto &b) { return a.first->isBeforeInBlock(b.first); });
    for (auto [first, value] : order)
      recomputeBefore(first, value);
  }

private:
  /// A value a recomputation of something `elements` big reads as is:
  /// saved anyway (and not itself recomputed), defined outside the forward
  /// (arguments), a parameter or constant (no tensor operands), or much
  /// smaller (per-channel statistics).
  bool isAvailable(Value value, int64_t elements) {
    Operation *def = value.getDefiningOp();
    if (!def || !forward.contains(def) || def->getNumOperands() == 0 ||
        llvm::none_of(def->getOperandTypes(), [](Type t) { return isa<TensorType>(t); }))
      return true;
    if (elementsOf(value) * 8 <= elements)
      return true;
    return saved.contains(value) && !recomputed.contains(value);
  }

  /// Whether `op` can be recomputed from available values through at most
  /// kMaxDepth further elementwise ops that nothing else saves.
  bool recomputable(Operation *op, int64_t elements, int depth) {
    for (Value operand : op->getOperands()) {
      if (isAvailable(operand, elements) || operand.getDefiningOp<tensor::EmptyOp>())
        continue;
      Operation *def = operand.getDefiningOp();
      if (depth == kMaxDepth || saved.contains(operand) || !isElementwise(def) ||
          !recomputable(def, elements, depth + 1))
        return false;
    }
    return true;
  }

  Operation *firstBackwardUser(Value value) {
    Operation *first = nullptr;
    for (Operation *user : value.getUsers())
      if (!forward.contains(user) && (!first || user->isBeforeInBlock(first)))
        first = user;
    return first;
  }

  /// The copy of `value`'s computation, made at the builder's insertion
  /// point unless an earlier copy exists.
  Value copyOf(OpBuilder &b, Value value, int64_t elements) {
    if (Value copied = copies.lookupOrNull(value))
      return copied;
    if (isAvailable(value, elements) && !recomputed.contains(value))
      return value;
    Operation *def = value.getDefiningOp();
    for (Value operand : def->getOperands())
      copyOf(b, operand, elements);
    Operation *copy = b.clone(*def, copies);
    copy->setLoc(nnc::backwardLoc(def->getLoc()));
    return copy->getResult(cast<OpResult>(value).getResultNumber());
  }

  /// Points the backward's reads of `value` at a copy made before `first`.
  void recomputeBefore(Operation *first, Value value) {
    OpBuilder b(first);
    Value copy = copyOf(b, value, elementsOf(value));
    value.replaceUsesWithIf(copy, [&](OpOperand &use) { return !forward.contains(use.getOwner()); });
  }

  func::FuncOp step;
  llvm::DenseSet<Operation *> forward;
  llvm::DenseSet<Value> saved, recomputed;
  IRMapping copies;
};

struct RematerializePass : nnc::impl::RematerializeBase<RematerializePass> {
  void runOnOperation() override {
    if (auto step = getOperation().lookupSymbol<func::FuncOp>("train_step"))
      if (step.getBody().hasOneBlock())
        Rematerializer(step).run();
  }
};

} // namespace
