//===- RelaxFloatOrder.cpp - allow reordering float sums ------------------===//
//
// Implements nnc-relax-float-order (see Passes.td): marks float arithmetic
// `reassoc` and `contract`, the numerics every BLAS and DNN library already
// has (blocked sums, FMA), so LLVM vectorizes reductions.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

namespace nnc {
#define GEN_PASS_DEF_RELAXFLOATORDER
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct RelaxFloatOrderPass : nnc::impl::RelaxFloatOrderBase<RelaxFloatOrderPass> {
  void runOnOperation() override {
    auto flags = arith::FastMathFlagsAttr::get(
        &getContext(), arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
    getOperation()->walk([&](arith::ArithFastMathInterface op) {
      op->setAttr(op.getFastMathAttrName(), flags);
    });
  }
};

} // namespace
