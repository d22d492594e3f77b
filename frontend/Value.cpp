//===- Value.cpp - compile-time values of the .nn evaluator ---------------===//
//
// Printing of compile-time values for diagnostics.
//
//===----------------------------------------------------------------------===//

#include "frontend/Value.h"

#include "ir/ShapeRules.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace nnc::frontend;

llvm::StringRef nnc::frontend::kindName(Value::Kind kind) {
  switch (kind) {
  case Value::Kind::Error: return "error";
  case Value::Kind::None: return "none";
  case Value::Kind::Int: return "int";
  case Value::Kind::Float: return "float";
  case Value::Kind::Bool: return "bool";
  case Value::Kind::String: return "string";
  case Value::Kind::List: return "list";
  case Value::Kind::Tensor: return "tensor";
  }
  return "value";
}

bool Value::containsError() const {
  if (kind == Kind::Error)
    return true;
  return llvm::any_of(list, [](const Value &v) { return v.containsError(); });
}

std::string Value::describe() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  switch (kind) {
  case Kind::Int: os << "int " << intValue; break;
  case Kind::Float: os << "float " << llvm::format("%g", floatValue); break;
  case Kind::Bool: os << "bool " << (boolValue ? "true" : "false"); break;
  case Kind::String: os << "string \"" << stringValue << "\""; break;
  case Kind::List:
    os << "list [";
    llvm::interleaveComma(list, os, [&](const Value &v) { os << v.describe(); });
    os << "]";
    break;
  case Kind::Tensor: {
    auto type = llvm::cast<mlir::RankedTensorType>(tensor.getType());
    os << "tensor "
       << nn::formatShape(type.getShape(), type.getElementType().isF32() ? "f32" : "i32");
    break;
  }
  default: os << kindName(kind); break;
  }
  return text;
}
