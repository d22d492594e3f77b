//===- ABI.h - the interface between generated objects and C ----*- C++ -*-===//
//
// The one owner of nnc's application binary interface. A compiled model
// exports, for model name <m>:
//
//   int32_t <m>_infer(const void *params, const <in> *..., <out> *...,
//                     void *scratch);
//   extern const nnc_model_info <m>_model_info;   // tables, sizes
//   extern const unsigned char <m>_embedded_params[]; // with --weights only
//   extern const nnc_profile <m>_profile;              // with --profile only
// and, for a model with a train section:
//   int32_t <m>_train_step(void *params, void *opt_state, const <in> *...,
//                          const <target> *..., const nnc_hparams *hparams,
//                          float *loss, void *scratch);
//   int32_t <m>_init_opt_state(void *opt_state);
//   extern const nnc_hparams <m>_default_hparams;
//
// Every buffer is caller-owned and NNC_ALIGNMENT (64) byte aligned; the
// entry point checks this and returns an nnc_status. The parameter buffer
// layout is the one nnc-materialize-params recorded (declaration order,
// 64-byte aligned offsets). All other symbols of the object are local.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_CODEGEN_ABI_H
#define NNC_CODEGEN_ABI_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Module.h"

#include <optional>
#include <string>
#include <vector>

namespace nnc::codegen {

struct TensorABI {
  std::string name;
  bool isInteger = false; // i32 (class labels) instead of f32
  llvm::SmallVector<int64_t, 4> shape;
  int64_t numElements() const;
};

struct ParamABI {
  std::string name;
  llvm::SmallVector<int64_t, 4> shape;
  int64_t offset = 0; // bytes into the parameter buffer
  bool trainable = true;
  int initKind = 0;   // nnc_init_kind
  double initArgs[2] = {0, 0};
  int64_t numElements() const;
};

/// Everything the ABI exposes about one compiled model.
struct ModelABI {
  std::string name; // the symbol prefix
  std::vector<ParamABI> params;
  std::vector<TensorABI> inputs, outputs;
  int64_t paramBytes = 0;
  int64_t inferScratchBytes = 0;
  /// Training (hasTraining false: inference only).
  bool hasTraining = false;
  std::vector<TensorABI> targets;
  int64_t optStateBytes = 0;
  int64_t trainScratchBytes = 0;
  llvm::SmallVector<float, 8> defaultHyperparams; // nnc_hparams field order
  /// Parameter bytes to embed read-only (--weights), laid out per `params`.
  std::optional<std::vector<char>> embeddedParams;
  /// The timed layers of a --profile build (nnc-profile-layers), in slot
  /// order; empty otherwise.
  std::vector<std::string> profileLayers;
};

/// Reads the inputs, outputs and parameters of the nn module's `@infer`,
/// and the targets of `@train` if present (before lowering); `name` is the
/// symbol prefix.
ModelABI describeModel(mlir::ModuleOp module, llvm::StringRef name);

/// Fills in what lowering decided: parameter offsets and sizes, scratch
/// sizes, whether a training step was compiled and its default
/// hyperparameters. Then erases the nn-level metadata the LLVM translation cannot
/// express (nn.param ops and nn.* attributes).
void finishModel(mlir::ModuleOp lowered, ModelABI &model);

/// Adds the exported entry points and tables to `module`, which holds the
/// lowered function `infer` (and `train_step` when model.hasTraining);
/// makes every other symbol internal. The `_parallel` entry points set
/// `parallel`, the thread-local nnc_parallel of ParallelDispatch.h.
void emitABI(llvm::Module &module, const ModelABI &model, llvm::GlobalVariable *parallel);

/// Writes the self-contained C99 header describing `model`.
void emitHeader(const ModelABI &model, llvm::raw_ostream &os);

/// Checks that `name` is a valid C identifier prefix.
bool isValidSymbolPrefix(llvm::StringRef name);

} // namespace nnc::codegen

#endif // NNC_CODEGEN_ABI_H
