//===- Value.h - compile-time values of the .nn evaluator -------*- C++ -*-===//
//
// The .nn language is evaluated at compile time: integers, floats, bools,
// strings and lists are ordinary values; tensors are SSA values of the `nn`
// graph being built. `Error` marks the result of an expression that already
// reported a diagnostic, so one mistake is reported once, not at every use.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_VALUE_H
#define NNC_FRONTEND_VALUE_H

#include "mlir/IR/Value.h"

#include <string>
#include <vector>

namespace nnc::frontend {

struct Value {
  enum class Kind { Error, None, Int, Float, Bool, String, List, Tensor };

  Kind kind = Kind::Error;
  int64_t intValue = 0;
  double floatValue = 0;
  bool boolValue = false;
  std::string stringValue;
  std::vector<Value> list;
  mlir::Value tensor;

  static Value error() { return Value(); }
  static Value none() { return make(Kind::None); }
  static Value ofInt(int64_t v) { Value x = make(Kind::Int); x.intValue = v; return x; }
  static Value ofFloat(double v) { Value x = make(Kind::Float); x.floatValue = v; return x; }
  static Value ofBool(bool v) { Value x = make(Kind::Bool); x.boolValue = v; return x; }
  static Value ofString(std::string v) {
    Value x = make(Kind::String);
    x.stringValue = std::move(v);
    return x;
  }
  static Value ofList(std::vector<Value> v) {
    Value x = make(Kind::List);
    x.list = std::move(v);
    return x;
  }
  static Value ofTensor(mlir::Value v) {
    Value x = make(Kind::Tensor);
    x.tensor = v;
    return x;
  }

  bool isError() const { return kind == Kind::Error; }
  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
  double asDouble() const { return kind == Kind::Int ? double(intValue) : floatValue; }
  /// True when this value or any list element is an Error.
  bool containsError() const;

  /// Describes the value for messages: "int 3", "f32[64,784]", "list [1,2]".
  std::string describe() const;

private:
  static Value make(Kind kind) {
    Value x;
    x.kind = kind;
    return x;
  }
};

/// Name of a value kind as written in the language ("int", "tensor", ...).
llvm::StringRef kindName(Value::Kind kind);

} // namespace nnc::frontend

#endif // NNC_FRONTEND_VALUE_H
