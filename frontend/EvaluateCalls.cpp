//===- EvaluateCalls.cpp - layer, block and function calls of .nn --------===//
//
// A call dispatches to a block (expanded inline with its own scope and label
// prefix), a built-in layer (arguments bound to its signature, then its
// emitter runs with a CallContext) or a compile-time function. Layer labels,
// which become parameter names, are resolved here.
//
//===----------------------------------------------------------------------===//

#include "frontend/Evaluator.h"

#include "frontend/CompileTimeFunctions.h"
#include "ir/NNDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"

using namespace nnc::frontend;
using namespace nnc::frontend::detail;
using llvm::StringRef;
namespace nn = nnc::nn;

namespace {

/// The LayerContext a layer emitter sees for one call.
class CallContext : public LayerContext {
public:
  CallContext(Evaluator &evaluator, mlir::Location callLoc, std::string label)
      : evaluator(evaluator), callLoc(callLoc), label(std::move(label)) {}

  mlir::OpBuilder &builder() override { return evaluator.getBuilder(); }
  mlir::Location loc() override {
    mlir::Location loc = evaluator.withCallStack(callLoc);
    if (label.empty())
      return loc;
    return mlir::NameLoc::get(mlir::StringAttr::get(loc.getContext(), label), loc);
  }
  mlir::InFlightDiagnostic error() override {
    return mlir::emitError(evaluator.withCallStack(callLoc));
  }
  bool training() override { return evaluator.isTraining(); }
  mlir::Value param(StringRef suffix, llvm::ArrayRef<int64_t> shape, const Init &init,
                    bool trainable) override {
    return evaluator.declareParam(label + "." + suffix.str(), shape, init, trainable, loc());
  }
  int64_t nextSeed() override { return evaluator.nextSeed(); }
  std::vector<mlir::Value> trainableParams() override {
    return evaluator.loadTrainableParams(loc());
  }

private:
  Evaluator &evaluator;
  mlir::Location callLoc;
  std::string label;
};

} // namespace

std::optional<std::vector<CallArg>> Evaluator::evaluateArguments(const CallExpr &call) {
  std::vector<CallArg> args;
  bool ok = true;
  for (const Argument &arg : call.args) {
    Value value = evaluate(*arg.value);
    ok &= !value.containsError();
    args.push_back({arg.keyword, withCallStack(arg.loc), std::move(value)});
  }
  if (!ok)
    return std::nullopt;
  return args;
}

/// True when `text` is a valid label segment: letters, digits, underscores.
static bool isLabelSegment(StringRef text) {
  return !text.empty() &&
         llvm::all_of(text, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

std::optional<std::string> Evaluator::layerLabel(const CallExpr &call, StringRef kind,
                                                 std::optional<StringRef> bindingName) {
  std::string local;
  bool fromBinding = false;
  if (!call.label.empty()) {
    for (const auto &[index, segment] : llvm::enumerate(call.label)) {
      local += index ? "." : "";
      for (const LabelPart &part : segment) {
        if (!part.interpolated) {
          local += part.text;
          continue;
        }
        Value value = evaluate(*part.interpolated);
        if (value.isError())
          return std::nullopt;
        std::string text = value.kind == Value::Kind::Int      ? std::to_string(value.intValue)
                           : value.kind == Value::Kind::String ? value.stringValue
                                                               : "";
        if (!isLabelSegment(text)) {
          error(part.interpolated->getLoc())
              << "an interpolated label part must be an int or a name of letters, digits "
                 "and '_', got "
              << value.describe();
          return std::nullopt;
        }
        local += text;
      }
    }
  } else if (bindingName) {
    local = bindingName->str();
    fromBinding = true;
  } else {
    // The next `<kind>_<k>` no layer of this scope uses yet.
    std::string counterKey = (prefixes.empty() ? "" : prefixes.back()) + "/" + kind.str();
    std::string scopePrefix = prefixes.empty() ? "" : prefixes.back() + ".";
    do
      local = kind.str() + "_" + std::to_string(autoNameCounters[counterKey]++);
    while (usedLabels.count(scopePrefix + local));
  }
  std::string full = prefixes.empty() ? local : prefixes.back() + "." + local;
  mlir::Location at = call.labelLoc ? *call.labelLoc : call.getLoc();
  auto [previous, inserted] = usedLabels.try_emplace(full, withCallStack(at));
  if (!inserted) {
    {
      auto diag = error(at) << "layer name '" << full << "' is already used";
      if (fromBinding && loopDepth > 0)
        diag << "; in a loop, give each layer its own label, e.g. '" << local
             << "_{i}: " << call.callee << "(...)'";
      else if (fromBinding)
        diag << "; label the layer, e.g. '" << local << "_2: " << call.callee << "(...)'";
    }
    mlir::emitRemark(previous->second) << "'" << full << "' was first used here";
    return std::nullopt;
  }
  return full;
}

Value Evaluator::evaluateCall(const CallExpr &call, std::optional<StringRef> bindingName) {
  bool isBlock = blocks.count(call.callee);
  auto layer = layerTable().find(call.callee);
  bool isLayer = layer != layerTable().end();
  if (!isBlock && !isLayer) {
    if (isCompileTimeFunction(call.callee)) {
      if (!call.label.empty()) {
        error(*call.labelLoc) << "only layers and blocks can be labeled; '" << call.callee
                              << "' is a compile-time function";
        return Value::error();
      }
      auto args = evaluateArguments(call);
      return args ? callCompileTimeFunction(call.callee, *args, withCallStack(call.getLoc()))
                  : Value::error();
    }
    auto diag = error(call.getLoc()) << "unknown layer or block '" << call.callee << "'";
    if (optimizerTable().count(call.callee)) {
      diag << "; optimizers belong in a train section: 'optimizer = " << call.callee << "(...)'";
      return Value::error();
    }
    StringRef best;
    unsigned bestDistance = 3;
    auto consider = [&](StringRef candidate) {
      // A difference of case alone is the best possible suggestion.
      unsigned distance = StringRef(call.callee).equals_insensitive(candidate)
                              ? 0
                              : StringRef(call.callee).edit_distance(candidate, true,
                                                                     bestDistance);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = candidate;
      }
    };
    for (const auto &entry : layerTable())
      consider(entry.getKey());
    for (const auto &entry : blocks)
      consider(entry.getKey());
    if (!best.empty())
      diag << "; did you mean '" << best << "'?";
    return Value::error();
  }
  auto args = evaluateArguments(call);
  if (!args)
    return Value::error();
  mlir::Location callLoc = call.getLoc();
  if (isBlock) {
    const BlockDef &block = *blocks.lookup(call.callee);
    // Which parameters the call gives, so only missing ones evaluate defaults.
    llvm::StringSet<> given;
    size_t positional = 0;
    for (const CallArg &arg : *args) {
      if (!arg.keyword.empty())
        given.insert(arg.keyword);
      else if (positional < block.params.size())
        given.insert(block.params[positional++].name);
    }
    Signature signature;
    for (const BlockParam &param : block.params) {
      ArgKind kind = llvm::StringSwitch<ArgKind>(param.type)
                         .Case("tensor", ArgKind::Tensor)
                         .Case("int", ArgKind::Int)
                         .Case("float", ArgKind::Number)
                         .Case("bool", ArgKind::Bool)
                         .Case("string", ArgKind::String)
                         .Default(ArgKind::Any);
      std::optional<Value> defaultValue;
      if (param.defaultValue && given.contains(param.name)) {
        defaultValue = Value::none(); // unused: the call gives this argument
      } else if (param.defaultValue) {
        // Defaults see no caller variables: evaluate them in an empty scope.
        Scope empty;
        Scope *saved = std::exchange(scope, &empty);
        defaultValue = evaluate(*param.defaultValue);
        scope = saved;
        if (defaultValue->containsError())
          return Value::error();
      }
      signature.push_back({param.name, kind, defaultValue});
    }
    auto bound = bindArguments("block '" + call.callee + "'", signature, std::move(*args),
                               withCallStack(callLoc));
    if (!bound)
      return Value::error();
    for (const BlockParam &param : block.params)
      if (param.type == "list" && bound->get(param.name).kind != Value::Kind::List) {
        error(callLoc) << "argument '" << param.name << "' of block '" << block.name
                       << "' must be a list, got " << bound->get(param.name).describe();
        return Value::error();
      }
    auto label = layerLabel(call, call.callee, bindingName);
    if (!label)
      return Value::error();
    return expandBlock(block, *bound, *label, callLoc);
  }
  auto bound = bindArguments(call.callee, layer->second.signature, std::move(*args),
                             withCallStack(callLoc));
  if (!bound)
    return Value::error();
  std::string label;
  if (layer->second.hasParams) {
    auto resolved = layerLabel(call, call.callee, bindingName);
    if (!resolved)
      return Value::error();
    label = *resolved;
  } else if (!call.label.empty()) {
    error(*call.labelLoc) << "'" << call.callee
                          << "' has no parameters; only layers with parameters and blocks "
                             "can be labeled";
    return Value::error();
  }
  CallContext ctx(*this, callLoc, label);
  Value result = layer->second.emit(ctx, *bound);
  if (result.kind == Value::Kind::Tensor && !checkSize(result.tensor.getType(), callLoc))
    return Value::error();
  return result;
}

Value Evaluator::expandBlock(const BlockDef &block, const BoundArgs &args,
                             const std::string &label, mlir::Location callLoc) {
  if (llvm::is_contained(blockStack, &block)) {
    auto diag = error(callLoc) << "block '" << block.name
                               << "' calls itself (blocks are expanded at compile time, so "
                                  "recursion is not allowed): ";
    for (const BlockDef *caller : blockStack)
      diag << caller->name << " -> ";
    diag << block.name;
    return Value::error();
  }
  if (blockStack.size() >= kMaxBlockDepth || ++expansions > kMaxBlockExpansions) {
    error(callLoc) << "block expansion limit reached (depth " << kMaxBlockDepth << ", "
                   << kMaxBlockExpansions << " calls)";
    return Value::error();
  }
  Scope blockScope;
  for (const BlockParam &param : block.params)
    blockScope[param.name] = {args.get(param.name)};
  Scope *savedScope = std::exchange(scope, &blockScope);
  prefixes.push_back(label);
  callSites.push_back(callLoc);
  blockStack.push_back(&block);
  std::optional<Value> savedReturn = std::exchange(returnValue, std::nullopt);
  auto restore = llvm::make_scope_exit([&] {
    scope = savedScope;
    prefixes.pop_back();
    callSites.pop_back();
    blockStack.pop_back();
    returnValue = savedReturn;
  });
  if (!execute(block.body)) {
    error(block.loc) << "block '" << block.name << "' ended without 'return'";
    return Value::error();
  }
  return *returnValue;
}
