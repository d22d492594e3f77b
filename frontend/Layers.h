//===- Layers.h - the built-in layers of the .nn language -------*- C++ -*-===//
//
// A layer is a named signature (arguments with kinds and defaults) plus an
// emitter that builds nn ops. The evaluator binds a call's arguments against
// the signature (shared with block calls and optimizers), then runs the
// emitter with a LayerContext that knows the source location, the layer's
// parameter-name prefix and whether the graph is built for training.
// Families live in Layers<Family>.cpp; each registers through one function.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_LAYERS_H
#define NNC_FRONTEND_LAYERS_H

#include "frontend/Value.h"
#include "ir/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>

namespace nnc::frontend {

/// What an argument accepts. `Tensor` is an f32 tensor, `Labels` an i32
/// tensor; `Number` takes int or float; `Ints` takes an int (repeated to the
/// spatial rank) or a list of ints; `Tensors` takes all remaining positional
/// f32 tensors.
enum class ArgKind { Tensor, Labels, Int, Number, Bool, String, Ints, Tensors, Any };

struct ArgSpec {
  std::string name;
  ArgKind kind;
  std::optional<Value> defaultValue; // nullopt: required; None: "not given"
};

using Signature = std::vector<ArgSpec>;

/// Arguments after binding: every spec name maps to a value of its kind.
class BoundArgs {
public:
  explicit BoundArgs(llvm::StringMap<Value> values) : values(std::move(values)) {}
  const Value &get(llvm::StringRef name) const;
  bool given(llvm::StringRef name) const { return get(name).kind != Value::Kind::None; }
  mlir::Value tensor(llvm::StringRef name) const { return get(name).tensor; }
  int64_t integer(llvm::StringRef name) const { return get(name).intValue; }
  double number(llvm::StringRef name) const { return get(name).asDouble(); }
  bool flag(llvm::StringRef name) const { return get(name).boolValue; }
  llvm::StringRef string(llvm::StringRef name) const { return get(name).stringValue; }
  std::vector<mlir::Value> tensors(llvm::StringRef name) const;
  /// An `Ints` argument as exactly `count` values (an int is repeated);
  /// nullopt after reporting when a list has the wrong length.
  std::optional<llvm::SmallVector<int64_t>> ints(llvm::StringRef name, size_t count,
                                                 const std::function<mlir::InFlightDiagnostic()> &error) const;

private:
  llvm::StringMap<Value> values;
};

/// A parameter initializer in the primitive form nn.param stores.
struct Init {
  std::string kind; // uniform | normal | constant
  llvm::SmallVector<double, 2> args;
};

/// Services the evaluator offers a layer emitter.
class LayerContext {
public:
  virtual ~LayerContext() = default;
  virtual mlir::OpBuilder &builder() = 0;
  /// Location of the call, with the layer label and block call stack.
  virtual mlir::Location loc() = 0;
  virtual mlir::InFlightDiagnostic error() = 0;
  /// True when building the training graph (batch statistics, dropout on).
  virtual bool training() = 0;
  /// Declares (or, in a later graph, reuses) parameter `<label>.<suffix>`
  /// and returns its value.
  virtual mlir::Value param(llvm::StringRef suffix, llvm::ArrayRef<int64_t> shape,
                            const Init &init, bool trainable = true) = 0;
  /// A fresh deterministic seed for stochastic layers (dropout).
  virtual int64_t nextSeed() = 0;
  /// All trainable parameters declared so far, for l2_penalty().
  virtual std::vector<mlir::Value> trainableParams() = 0;

  /// A callable for nn::ErrorFn parameters; pass it directly as an argument.
  auto errorFn() {
    return [this]() { return error(); };
  }
  /// Builds an f32 splat constant of `shape`.
  mlir::Value splat(llvm::ArrayRef<int64_t> shape, double value);
  /// The f32 tensor type of `shape`.
  mlir::RankedTensorType f32(llvm::ArrayRef<int64_t> shape);
};

using LayerEmitter = std::function<Value(LayerContext &, const BoundArgs &)>;

struct LayerDef {
  Signature signature;
  LayerEmitter emit;
  bool hasParams = false; // gets a label and declares parameters
};

/// The table of all built-in layers by name.
const llvm::StringMap<LayerDef> &layerTable();

// Family registration, one per Layers<Family>.cpp.
void registerLinearLayers(llvm::StringMap<LayerDef> &table);
void registerSpatialLayers(llvm::StringMap<LayerDef> &table);
void registerNormLayers(llvm::StringMap<LayerDef> &table);
void registerActivationLayers(llvm::StringMap<LayerDef> &table);
void registerLossLayers(llvm::StringMap<LayerDef> &table);
void registerConstantLayers(llvm::StringMap<LayerDef> &table);

/// Resolves an initializer name (`default`, `zeros`, `kaiming_normal`, ...)
/// for a tensor with the given fans; nullopt after reporting an unknown name.
std::optional<Init> resolveInit(llvm::StringRef name, int64_t fanIn, int64_t fanOut,
                                const Init &defaultInit, LayerContext &ctx);

/// PyTorch's default for weights and biases of dense/conv layers:
/// uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Init defaultFanInUniform(int64_t fanIn);

/// Names of all initializers, usable unquoted in .nn code.
llvm::ArrayRef<llvm::StringRef> initializerNames();

/// The optimizers of the train section: signature with PyTorch's defaults.
struct OptimizerDef {
  std::string kind; // the nn.optimizer kind
  Signature signature;
  bool decoupledWeightDecay = false;
};
const llvm::StringMap<OptimizerDef> &optimizerTable();

/// Binds `positional` and `keyword` arguments to `signature`. Reports unknown
/// or missing arguments and kind mismatches at the argument locations.
struct CallArg {
  std::string keyword;
  mlir::Location loc;
  Value value;
};
std::optional<BoundArgs> bindArguments(llvm::StringRef callee, const Signature &signature,
                                       std::vector<CallArg> args, mlir::Location callLoc);

} // namespace nnc::frontend

#endif // NNC_FRONTEND_LAYERS_H
