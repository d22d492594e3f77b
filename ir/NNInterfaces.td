//===- NNInterfaces.td - op interfaces of the nn dialect ---*- tablegen -*-===//
//
// Interfaces through which analyses (the model summary, later the cost model)
// ask an op about itself instead of switching over op kinds.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_IR_NNINTERFACES_TD
#define NNC_IR_NNINTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_FlopCountOpInterface : OpInterface<"FlopCountOpInterface"> {
  let cppNamespace = "::nnc::nn";
  let description = [{
    The number of floating-point operations one execution of the op performs
    in inference mode, counting a multiply-add as two. The default counts one
    operation per result element, right for elementwise ops.
  }];
  let methods = [
    InterfaceMethod<"Returns the op's floating-point operation count.",
      "int64_t", "getFlopCount", (ins), [{}], [{
        int64_t count = 0;
        for (mlir::Type type : $_op->getResultTypes())
          count += llvm::cast<mlir::ShapedType>(type).getNumElements();
        return count;
      }]>,
  ];
}

#endif // NNC_IR_NNINTERFACES_TD
