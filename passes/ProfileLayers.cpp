//===- ProfileLayers.cpp - per-layer timers in the entry points -----------===//
//
// Implements nnc-profile-layers (see Passes.td). For `infer` with layers
// conv1 and fc1 the body becomes
//   %t0 = call @nnc_profile_clock()
//   ...conv1's loops...
//   %t1 = call @nnc_profile_clock()
//   nnc_profile_ns[0] += %t1 - %t0; nnc_profile_calls[0] += 1
//   ...fc1's loops...
//   %t2 = call @nnc_profile_clock()
//   nnc_profile_ns[1] += %t2 - %t1; nnc_profile_calls[1] += 1
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/LayerLocations.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace nnc {
#define GEN_PASS_DEF_PROFILELAYERS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

constexpr StringLiteral kClock = "nnc_profile_clock";
constexpr StringLiteral kNanoseconds = "nnc_profile_ns";
constexpr StringLiteral kCalls = "nnc_profile_calls";

/// A layer's run of consecutive top-level ops, up to and including `last`.
struct LayerRun {
  std::string name;
  Operation *last;
};

/// The runs of `func`'s body (see Passes.td).
SmallVector<LayerRun> layerRuns(func::FuncOp func) {
  SmallVector<LayerRun> runs;
  for (Operation &op : func.getBody().front().without_terminator()) {
    if (op.getNumRegions() == 0 && isMemoryEffectFree(&op))
      continue;
    std::string name = nnc::layerNameOf(op.getLoc());
    if (!runs.empty() && (name.empty() || name == runs.back().name))
      runs.back().last = &op;
    else
      runs.push_back({name.empty() ? "(unnamed)" : name, &op});
  }
  return runs;
}

struct ProfileLayersPass : nnc::impl::ProfileLayersBase<ProfileLayersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<func::FuncOp, SmallVector<LayerRun>>> functions;
    SmallVector<Attribute> names;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || func.isPrivate() || !func.getBody().hasOneBlock())
        continue;
      SmallVector<LayerRun> runs = layerRuns(func);
      for (const LayerRun &run : runs)
        names.push_back(StringAttr::get(&getContext(), func.getName() + "/" + run.name));
      functions.push_back({func, std::move(runs)});
    }
    if (names.empty())
      return;

    OpBuilder b(module.getBodyRegion());
    Location loc = module.getLoc();
    auto counters = MemRefType::get({int64_t(names.size())}, b.getI64Type());
    auto zeros = DenseElementsAttr::get(
        RankedTensorType::get(counters.getShape(), b.getI64Type()), b.getI64IntegerAttr(0));
    for (StringRef name : {kNanoseconds, kCalls})
      b.create<memref::GlobalOp>(loc, name, b.getStringAttr("private"), counters, zeros,
                                 /*constant=*/false, /*alignment=*/IntegerAttr());
    auto clock = b.create<func::FuncOp>(loc, kClock, b.getFunctionType({}, {b.getI64Type()}));
    clock.setPrivate();

    int64_t slot = 0;
    for (auto &[func, runs] : functions) {
      b.setInsertionPointToStart(&func.getBody().front());
      auto readClock = [&] { return b.create<func::CallOp>(loc, clock).getResult(0); };
      auto add = [&](StringRef counter, Value index, Value amount) {
        Value buffer = b.create<memref::GetGlobalOp>(loc, counters, counter);
        Value old = b.create<memref::LoadOp>(loc, buffer, index);
        b.create<memref::StoreOp>(loc, b.create<arith::AddIOp>(loc, old, amount), buffer, index);
      };
      Value start = readClock();
      for (const LayerRun &run : runs) {
        b.setInsertionPointAfter(run.last);
        Value end = readClock();
        Value index = b.create<arith::ConstantIndexOp>(loc, slot++);
        add(kNanoseconds, index, b.create<arith::SubIOp>(loc, end, start));
        add(kCalls, index, b.create<arith::ConstantIntOp>(loc, 1, 64));
        start = end;
      }
    }
    module->setAttr("nnc.profile_layers", b.getArrayAttr(names));
  }
};

} // namespace
