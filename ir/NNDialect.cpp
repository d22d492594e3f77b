//===- NNDialect.cpp - nn dialect registration ----------------------------===//
//
// Registers the nn ops with the dialect and defines the generated dialect
// and interface code.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"

using namespace nnc::nn;

#include "ir/NNOpsDialect.cpp.inc"
#include "ir/NNInterfaces.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/NNOps.cpp.inc"
      >();
}
