//===- EvaluateExpressions.cpp - operators and names of .nn ---------------===//
//
// Evaluation of literals, names, lists, unary and binary operators (on
// compile-time numbers, or building nn arithmetic on tensors) and indexing.
//
//===----------------------------------------------------------------------===//

#include "frontend/Evaluator.h"

#include "ir/NNDialect.h"

#include "mlir/IR/Diagnostics.h"

#include <cmath>
#include <limits>

using namespace nnc::frontend;
using namespace nnc::frontend::detail;
using llvm::StringRef;
namespace nn = nnc::nn;

// Expressions
//===----------------------------------------------------------------------===//

Value Evaluator::evaluate(const Expr &expr, std::optional<StringRef> bindingName) {
  switch (expr.getKind()) {
  case Expr::Kind::Int: return Value::ofInt(llvm::cast<IntExpr>(expr).value);
  case Expr::Kind::Float: return Value::ofFloat(llvm::cast<FloatExpr>(expr).value);
  case Expr::Kind::String: return Value::ofString(llvm::cast<StringExpr>(expr).value);
  case Expr::Kind::Bool: return Value::ofBool(llvm::cast<BoolExpr>(expr).value);
  case Expr::Kind::Name: return evaluateName(llvm::cast<NameExpr>(expr));
  case Expr::Kind::List: {
    std::vector<Value> elements;
    for (const ExprPtr &element : llvm::cast<ListExpr>(expr).elements)
      elements.push_back(evaluate(*element));
    return Value::ofList(std::move(elements));
  }
  case Expr::Kind::Unary: return evaluateUnary(llvm::cast<UnaryExpr>(expr));
  case Expr::Kind::Binary: return evaluateBinary(llvm::cast<BinaryExpr>(expr));
  case Expr::Kind::Index: return evaluateIndex(llvm::cast<IndexExpr>(expr));
  case Expr::Kind::Call: return evaluateCall(llvm::cast<CallExpr>(expr), bindingName);
  }
  return Value::error();
}

Value Evaluator::evaluateName(const NameExpr &expr) {
  auto it = scope->find(expr.name);
  if (it != scope->end())
    return it->second.value;
  if (llvm::is_contained(initializerNames(), expr.name))
    return Value::ofString(expr.name);
  auto diag = error(expr.getLoc()) << "undefined name '" << expr.name << "'";
  StringRef best;
  unsigned bestDistance = 3;
  for (const auto &entry : *scope) {
    unsigned distance = StringRef(expr.name).edit_distance(entry.getKey(), true, bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = entry.getKey();
    }
  }
  if (!best.empty())
    diag << "; did you mean '" << best << "'?";
  else if (layerTable().count(expr.name) || blocks.count(expr.name))
    diag << "; '" << expr.name << "' is a layer: call it, e.g. " << expr.name << "(x)";
  return Value::error();
}

Value Evaluator::evaluateUnary(const UnaryExpr &expr) {
  Value operand = evaluate(*expr.operand);
  if (operand.containsError())
    return Value::error();
  if (expr.op == UnaryExpr::Op::Not) {
    if (operand.kind == Value::Kind::Bool)
      return Value::ofBool(!operand.boolValue);
    error(expr.getLoc()) << "'not' needs a bool, got " << operand.describe();
    return Value::error();
  }
  if (operand.kind == Value::Kind::Int) {
    if (operand.intValue == std::numeric_limits<int64_t>::min()) {
      error(expr.getLoc()) << "integer overflow in negation";
      return Value::error();
    }
    return Value::ofInt(-operand.intValue);
  }
  if (operand.kind == Value::Kind::Float)
    return Value::ofFloat(-operand.floatValue);
  if (operand.kind == Value::Kind::Tensor &&
      llvm::cast<mlir::ShapedType>(operand.tensor.getType()).getElementType().isF32())
    return tensorBinary(BinaryExpr::Op::Mul, Value::ofFloat(-1.0), operand, expr.getLoc());
  error(expr.getLoc()) << "cannot negate " << operand.describe();
  return Value::error();
}

Value Evaluator::evaluateBinary(const BinaryExpr &expr) {
  Value lhs = evaluate(*expr.lhs), rhs = evaluate(*expr.rhs);
  if (lhs.containsError() || rhs.containsError())
    return Value::error();
  using Op = BinaryExpr::Op;
  if (expr.op == Op::And || expr.op == Op::Or) {
    if (lhs.kind != Value::Kind::Bool || rhs.kind != Value::Kind::Bool) {
      error(expr.getLoc()) << "'" << spell(expr.op) << "' needs bools, got "
                           << lhs.describe() << " and " << rhs.describe();
      return Value::error();
    }
    return Value::ofBool(expr.op == Op::And ? lhs.boolValue && rhs.boolValue
                                            : lhs.boolValue || rhs.boolValue);
  }
  if (lhs.kind == Value::Kind::Tensor || rhs.kind == Value::Kind::Tensor)
    return tensorBinary(expr.op, lhs, rhs, expr.getLoc());
  if (expr.op == Op::Add && lhs.kind == Value::Kind::List && rhs.kind == Value::Kind::List) {
    std::vector<Value> joined = lhs.list;
    joined.insert(joined.end(), rhs.list.begin(), rhs.list.end());
    return Value::ofList(std::move(joined));
  }
  bool sameScalarKind = lhs.kind == rhs.kind && (lhs.kind == Value::Kind::String ||
                                                 lhs.kind == Value::Kind::Bool);
  if ((expr.op == Op::Eq || expr.op == Op::Ne) && sameScalarKind) {
    bool equal = lhs.kind == Value::Kind::String ? lhs.stringValue == rhs.stringValue
                                                 : lhs.boolValue == rhs.boolValue;
    return Value::ofBool(expr.op == Op::Eq ? equal : !equal);
  }
  if (lhs.isNumber() && rhs.isNumber())
    return numericBinary(expr.op, lhs, rhs, expr.getLoc());
  error(expr.getLoc()) << "operator '" << spell(expr.op) << "' cannot combine "
                       << lhs.describe() << " and " << rhs.describe();
  return Value::error();
}

Value Evaluator::numericBinary(BinaryExpr::Op op, const Value &lhs, const Value &rhs,
                               mlir::Location loc) {
  using Op = BinaryExpr::Op;
  double a = lhs.asDouble(), b = rhs.asDouble();
  switch (op) {
  case Op::Eq: return Value::ofBool(a == b);
  case Op::Ne: return Value::ofBool(a != b);
  case Op::Lt: return Value::ofBool(a < b);
  case Op::Le: return Value::ofBool(a <= b);
  case Op::Gt: return Value::ofBool(a > b);
  case Op::Ge: return Value::ofBool(a >= b);
  default: break;
  }
  if ((op == Op::Div || op == Op::FloorDiv || op == Op::Mod) && b == 0) {
    error(loc) << "division by zero";
    return Value::error();
  }
  if (lhs.kind == Value::Kind::Int && rhs.kind == Value::Kind::Int && op != Op::Div) {
    int64_t x = lhs.intValue, y = rhs.intValue, out = 0;
    bool overflow = false;
    switch (op) {
    case Op::Add: overflow = __builtin_add_overflow(x, y, &out); break;
    case Op::Sub: overflow = __builtin_sub_overflow(x, y, &out); break;
    case Op::Mul: overflow = __builtin_mul_overflow(x, y, &out); break;
    case Op::FloorDiv:
    case Op::Mod: {
      overflow = x == std::numeric_limits<int64_t>::min() && y == -1;
      if (overflow)
        break;
      int64_t quotient = x / y, remainder = x % y;
      if (remainder != 0 && ((remainder < 0) != (y < 0))) { // floor like Python
        --quotient;
        remainder += y;
      }
      out = op == Op::FloorDiv ? quotient : remainder;
      break;
    }
    default: break;
    }
    if (overflow) {
      error(loc) << "integer overflow in '" << spell(op) << "'";
      return Value::error();
    }
    return Value::ofInt(out);
  }
  switch (op) {
  case Op::Add: return Value::ofFloat(a + b);
  case Op::Sub: return Value::ofFloat(a - b);
  case Op::Mul: return Value::ofFloat(a * b);
  case Op::Div: return Value::ofFloat(a / b);
  case Op::FloorDiv: return Value::ofFloat(std::floor(a / b));
  case Op::Mod: return Value::ofFloat(a - b * std::floor(a / b));
  default: break;
  }
  return Value::error();
}

Value Evaluator::tensorBinary(BinaryExpr::Op op, const Value &lhs, const Value &rhs,
                              mlir::Location loc) {
  using Op = BinaryExpr::Op;
  bool supported = op == Op::Add || op == Op::Sub || op == Op::Mul ||
                   (op == Op::Div && rhs.isNumber());
  auto isF32Tensor = [](const Value &v) {
    return v.kind == Value::Kind::Tensor &&
           llvm::cast<mlir::ShapedType>(v.tensor.getType()).getElementType().isF32();
  };
  bool operandsOk = (isF32Tensor(lhs) || lhs.isNumber()) && (isF32Tensor(rhs) || rhs.isNumber());
  if (!supported || !operandsOk) {
    error(loc) << "operator '" << spell(op) << "' cannot combine " << lhs.describe()
               << " and " << rhs.describe()
               << " (tensors support +, - and * with f32 tensors or numbers, and / by a number)";
    return Value::error();
  }
  if (op == Op::Div && rhs.asDouble() == 0) {
    error(loc) << "division by zero";
    return Value::error();
  }
  mlir::Location opLoc = withCallStack(loc);
  mlir::RankedTensorType type = llvm::cast<mlir::RankedTensorType>(
      (lhs.kind == Value::Kind::Tensor ? lhs : rhs).tensor.getType());
  auto materialize = [&](const Value &v, bool invert) -> mlir::Value {
    if (v.kind == Value::Kind::Tensor)
      return v.tensor;
    double scalar = invert ? 1.0 / v.asDouble() : v.asDouble();
    return builder.create<nn::ConstantOp>(
        opLoc, mlir::DenseElementsAttr::get(type, static_cast<float>(scalar)));
  };
  if (lhs.kind == Value::Kind::Tensor && rhs.kind == Value::Kind::Tensor &&
      lhs.tensor.getType() != rhs.tensor.getType()) {
    auto shapeOf = [](const Value &v) {
      return llvm::cast<mlir::RankedTensorType>(v.tensor.getType()).getShape();
    };
    error(loc) << "operator '" << spell(op) << "' needs tensors of equal shape, got "
               << nn::formatShape(shapeOf(lhs)) << " and " << nn::formatShape(shapeOf(rhs));
    return Value::error();
  }
  mlir::Value a = materialize(lhs, false), b = materialize(rhs, op == Op::Div);
  mlir::Operation *result = nullptr;
  if (op == Op::Add)
    result = builder.create<nn::AddOp>(opLoc, type, a, b);
  else if (op == Op::Sub)
    result = builder.create<nn::SubOp>(opLoc, type, a, b);
  else
    result = builder.create<nn::MulOp>(opLoc, type, a, b);
  return Value::ofTensor(result->getResult(0));
}

Value Evaluator::evaluateIndex(const IndexExpr &expr) {
  Value base = evaluate(*expr.base), index = evaluate(*expr.index);
  if (base.isError() || index.isError())
    return Value::error();
  if (base.kind != Value::Kind::List || index.kind != Value::Kind::Int) {
    error(expr.getLoc()) << "indexing needs a list and an int, got " << base.describe()
                         << " and " << index.describe();
    return Value::error();
  }
  int64_t size = base.list.size(), i = index.intValue;
  if (i < -size || i >= size) {
    error(expr.getLoc()) << "index " << i << " is out of range for a list of " << size;
    return Value::error();
  }
  return base.list[i < 0 ? i + size : i];
}
