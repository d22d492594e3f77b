//===- nnc-opt.cpp - the mlir-opt of nnc ----------------------------------===//
//
// Parses textual IR of any nnc stage, runs the requested passes and prints
// the result: every bug reduces to one .mlir file and one pass. Registers
// only the dialects and passes nnc uses, to keep the build lean.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  nnc::registerDialects(registry);
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  nnc::registerPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "nnc optimizer driver\n", registry));
}
