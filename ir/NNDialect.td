//===- NNDialect.td - the nn dialect declaration -----------*- tablegen -*-===//
//
// The `nn` dialect: nnc's graph IR. Values are statically shaped tensors;
// parameters are module-level symbols (`nn.param`) read with `nn.param_load`,
// so passes can differentiate with respect to them and plan their storage.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_NNDIALECT_TD
#define NNC_IR_NNDIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::nnc::nn";
  let summary = "Neural-network graph operations with static shapes";
  let description = [{
    Every op verifies its operand shapes and its result shape against the
    shape rules in `ir/ShapeRules.h`, the same rules the front end uses to
    report errors in `.nn` models.
  }];
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

#endif // NNC_IR_NNDIALECT_TD
