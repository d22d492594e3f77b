//===- CompileTimeFunctions.cpp - range, len, shape, ... ------------------===//
//
// Implements the compile-time functions. Each checks its argument count and
// kinds itself and reports the concrete mismatch.
//
//===----------------------------------------------------------------------===//

#include "frontend/CompileTimeFunctions.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringSwitch.h"

using namespace nnc::frontend;
using llvm::StringRef;

bool nnc::frontend::isCompileTimeFunction(StringRef name) {
  return llvm::StringSwitch<bool>(name)
      .Cases("range", "len", "shape", "channels", "min", "max", true)
      .Cases("int", "float", true)
      .Default(false);
}

/// Reports a wrong argument list for `name`, expecting `usage`.
static Value usageError(mlir::Location loc, StringRef name, StringRef usage,
                        const std::vector<CallArg> &args) {
  auto diag = mlir::emitError(loc) << name << " expects " << usage << ", got (";
  llvm::interleaveComma(args, diag, [&](const CallArg &arg) {
    if (!arg.keyword.empty())
      diag << arg.keyword << "=";
    diag << arg.value.describe();
  });
  diag << ")";
  return Value::error();
}

static Value range(const std::vector<CallArg> &args, mlir::Location loc) {
  bool ok = !args.empty() && args.size() <= 3 &&
            llvm::all_of(args, [](const CallArg &a) {
              return a.keyword.empty() && a.value.kind == Value::Kind::Int;
            });
  if (!ok)
    return usageError(loc, "range", "(stop), (start, stop) or (start, stop, step) ints", args);
  int64_t start = args.size() == 1 ? 0 : args[0].value.intValue;
  int64_t stop = args.size() == 1 ? args[0].value.intValue : args[1].value.intValue;
  int64_t step = args.size() == 3 ? args[2].value.intValue : 1;
  if (step == 0) {
    mlir::emitError(loc) << "range step must not be 0";
    return Value::error();
  }
  // 128-bit arithmetic: the length of any int64 range fits, exactly.
  __int128 span = (__int128)stop - start;
  __int128 length = 0;
  if ((span > 0 && step > 0) || (span < 0 && step < 0))
    length = (span + step + (step > 0 ? -1 : 1)) / step;
  if (length > kMaxRangeLength) {
    // Exact decimal digits of the 128-bit count.
    std::string count;
    for (__int128 rest = length; rest > 0; rest /= 10)
      count.insert(count.begin(), char('0' + int(rest % 10)));
    mlir::emitError(loc) << "range would have " << count << " elements; at most "
                         << kMaxRangeLength << " are allowed";
    return Value::error();
  }
  std::vector<Value> values;
  for (int64_t i = 0; i < int64_t(length); ++i)
    values.push_back(Value::ofInt(int64_t((__int128)start + (__int128)i * step)));
  return Value::ofList(std::move(values));
}

/// Min or max over numbers; the result is an int when all inputs are ints.
static Value extremum(StringRef name, const std::vector<CallArg> &args, mlir::Location loc) {
  if (args.empty() || llvm::any_of(args, [](const CallArg &a) {
        return !a.keyword.empty() || !a.value.isNumber();
      }))
    return usageError(loc, name, "one or more numbers", args);
  bool isMax = name == "max";
  Value best = args[0].value;
  for (const CallArg &arg : llvm::ArrayRef(args).drop_front()) {
    bool better = isMax ? arg.value.asDouble() > best.asDouble()
                        : arg.value.asDouble() < best.asDouble();
    if (better)
      best = arg.value;
  }
  bool allInts = llvm::all_of(args, [](const CallArg &a) { return a.value.kind == Value::Kind::Int; });
  return allInts ? best : Value::ofFloat(best.asDouble());
}

Value nnc::frontend::callCompileTimeFunction(StringRef name, const std::vector<CallArg> &args,
                                             mlir::Location loc) {
  if (name == "range")
    return range(args, loc);
  if (name == "min" || name == "max")
    return extremum(name, args, loc);
  if (args.size() != 1 || !args[0].keyword.empty())
    return usageError(loc, name, "one argument", args);
  const Value &arg = args[0].value;
  if (name == "len") {
    if (arg.kind != Value::Kind::List)
      return usageError(loc, name, "a list", args);
    return Value::ofInt(arg.list.size());
  }
  if (name == "int") {
    if (arg.kind == Value::Kind::Int)
      return arg;
    if (arg.kind != Value::Kind::Float || !(std::abs(arg.floatValue) < 9.2e18))
      return usageError(loc, name, "a number within the int64 range", args);
    return Value::ofInt(static_cast<int64_t>(arg.floatValue));
  }
  if (name == "float") {
    if (!arg.isNumber())
      return usageError(loc, name, "a number", args);
    return Value::ofFloat(arg.asDouble());
  }
  // shape and channels read a tensor's static type.
  if (arg.kind != Value::Kind::Tensor)
    return usageError(loc, name, "a tensor", args);
  llvm::ArrayRef<int64_t> shape =
      llvm::cast<mlir::RankedTensorType>(arg.tensor.getType()).getShape();
  if (name == "channels") {
    if (shape.size() < 2)
      return usageError(loc, name, "a tensor with a channel dim (rank >= 2)", args);
    return Value::ofInt(shape[1]);
  }
  std::vector<Value> dims;
  for (int64_t dim : shape)
    dims.push_back(Value::ofInt(dim));
  return Value::ofList(std::move(dims));
}
