//===- ArgumentBinding.cpp - binding call arguments to signatures ---------===//
//
// One binder serves layers, blocks and optimizers: positional arguments fill
// the signature in order, keywords by name, defaults fill the rest. Each
// mismatch is reported at the offending argument with the concrete value.
//
//===----------------------------------------------------------------------===//

#include "frontend/Layers.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace nnc::frontend;
using llvm::StringRef;

static const Value kNone = Value::none();

const Value &BoundArgs::get(StringRef name) const {
  auto it = values.find(name);
  return it == values.end() ? kNone : it->second;
}

std::vector<mlir::Value> BoundArgs::tensors(StringRef name) const {
  std::vector<mlir::Value> result;
  for (const Value &v : get(name).list)
    result.push_back(v.tensor);
  return result;
}

std::optional<llvm::SmallVector<int64_t>>
BoundArgs::ints(StringRef name, size_t count,
                const std::function<mlir::InFlightDiagnostic()> &error) const {
  const Value &v = get(name);
  if (v.kind == Value::Kind::Int)
    return llvm::SmallVector<int64_t>(count, v.intValue);
  if (v.list.size() != count) {
    error() << "argument '" << name << "' needs 1 or " << count << " integers, got "
            << v.describe();
    return std::nullopt;
  }
  llvm::SmallVector<int64_t> result;
  for (const Value &element : v.list)
    result.push_back(element.intValue);
  return result;
}

/// Describes what an argument kind accepts, for messages.
static StringRef expectation(ArgKind kind) {
  switch (kind) {
  case ArgKind::Tensor: return "an f32 tensor";
  case ArgKind::Labels: return "an i32 tensor of class labels";
  case ArgKind::Int: return "an int";
  case ArgKind::Number: return "a number";
  case ArgKind::Bool: return "a bool";
  case ArgKind::String: return "a string";
  case ArgKind::Ints: return "an int or a list of ints";
  case ArgKind::Tensors: return "f32 tensors";
  case ArgKind::Any: return "a value";
  }
  return "a value";
}

/// True for an f32 (or, with `f32` false, i32) tensor value.
static bool isTensorOf(const Value &value, bool f32) {
  if (value.kind != Value::Kind::Tensor)
    return false;
  mlir::Type element = llvm::cast<mlir::ShapedType>(value.tensor.getType()).getElementType();
  return f32 ? element.isF32() : element.isInteger(32);
}

/// Checks `value` against `kind`, normalizing numbers to float.
static bool conforms(Value &value, ArgKind kind) {
  switch (kind) {
  case ArgKind::Tensor: return isTensorOf(value, /*f32=*/true);
  case ArgKind::Labels: return isTensorOf(value, /*f32=*/false);
  case ArgKind::Int: return value.kind == Value::Kind::Int;
  case ArgKind::Number:
    if (value.kind == Value::Kind::Int)
      value = Value::ofFloat(double(value.intValue));
    return value.kind == Value::Kind::Float;
  case ArgKind::Bool: return value.kind == Value::Kind::Bool;
  case ArgKind::String: return value.kind == Value::Kind::String;
  case ArgKind::Ints:
    if (value.kind == Value::Kind::Int)
      return true;
    return value.kind == Value::Kind::List && !value.list.empty() &&
           llvm::all_of(value.list, [](const Value &v) { return v.kind == Value::Kind::Int; });
  case ArgKind::Tensors:
    // A keyword may pass one tensor or a list of them.
    if (value.kind == Value::Kind::Tensor)
      value = Value::ofList({value});
    return value.kind == Value::Kind::List && !value.list.empty() &&
           llvm::all_of(value.list, [](const Value &v) { return isTensorOf(v, true); });
  case ArgKind::Any: return true;
  }
  return false;
}

/// The closest name in `candidates` within edit distance 2, or "".
static StringRef closest(StringRef name, llvm::ArrayRef<std::string> candidates) {
  StringRef best;
  unsigned bestDistance = 3;
  for (const std::string &candidate : candidates) {
    unsigned distance = name.edit_distance(candidate, true, bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

std::optional<BoundArgs> nnc::frontend::bindArguments(StringRef callee,
                                                      const Signature &signature,
                                                      std::vector<CallArg> args,
                                                      mlir::Location callLoc) {
  llvm::StringMap<Value> bound;
  llvm::StringMap<mlir::Location> boundAt;
  bool ok = true;
  size_t position = 0;
  for (CallArg &arg : args) {
    if (!arg.keyword.empty())
      continue;
    if (position < signature.size() && signature[position].kind == ArgKind::Tensors) {
      bound[signature[position].name].list.push_back(std::move(arg.value));
      bound[signature[position].name].kind = Value::Kind::List;
      boundAt.try_emplace(signature[position].name, arg.loc);
      continue;
    }
    if (position >= signature.size()) {
      mlir::emitError(arg.loc) << callee << " takes at most " << signature.size()
                               << " positional argument" << (signature.size() == 1 ? "" : "s")
                               << ", got " << position + 1 << " or more";
      return std::nullopt;
    }
    bound[signature[position].name] = std::move(arg.value);
    boundAt.try_emplace(signature[position].name, arg.loc);
    ++position;
  }
  std::vector<std::string> names;
  for (const ArgSpec &spec : signature)
    names.push_back(spec.name);
  bool unknownKeyword = false;
  for (CallArg &arg : args) {
    if (arg.keyword.empty())
      continue;
    if (llvm::find(names, arg.keyword) == names.end()) {
      unknownKeyword = true;
      auto diag = mlir::emitError(arg.loc)
                  << callee << " has no argument '" << arg.keyword << "'";
      StringRef suggestion = closest(arg.keyword, names);
      if (!suggestion.empty())
        diag << "; did you mean '" << suggestion << "'?";
      ok = false;
      continue;
    }
    if (bound.count(arg.keyword)) {
      mlir::emitError(arg.loc) << "argument '" << arg.keyword << "' of " << callee
                               << " is given both by position and by keyword";
      ok = false;
      continue;
    }
    bound[arg.keyword] = std::move(arg.value);
    boundAt.try_emplace(arg.keyword, arg.loc);
  }
  for (const ArgSpec &spec : signature) {
    auto it = bound.find(spec.name);
    if (it == bound.end()) {
      if (spec.kind == ArgKind::Tensors) {
        mlir::emitError(callLoc) << callee << " needs at least one tensor argument";
        ok = false;
      } else if (!spec.defaultValue) {
        // After a misspelled keyword the "missing" one is usually the same.
        if (!unknownKeyword)
          mlir::emitError(callLoc) << callee << " is missing argument '" << spec.name << "'";
        ok = false;
      } else {
        bound[spec.name] = *spec.defaultValue;
        // A default "not given" stays None; a real default must fit its kind.
        Value &value = bound[spec.name];
        if (value.kind != Value::Kind::None && !value.containsError() &&
            !conforms(value, spec.kind)) {
          mlir::emitError(callLoc) << "the default of argument '" << spec.name << "' of "
                                   << callee << " must be " << expectation(spec.kind)
                                   << ", got " << value.describe();
          ok = false;
        }
      }
      continue;
    }
    Value &value = it->second;
    if (value.containsError()) {
      ok = false; // already reported
      continue;
    }
    if (!conforms(value, spec.kind)) {
      mlir::emitError(boundAt.find(spec.name)->second)
          << "argument '" << spec.name << "' of " << callee << " must be "
          << expectation(spec.kind) << ", got " << value.describe();
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return BoundArgs(std::move(bound));
}
