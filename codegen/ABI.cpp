//===- ABI.cpp - the interface between generated objects and C ------------===//
//
// Describes a model's ABI from its IR, adds the exported entry point and
// the nnc_model_info tables to the LLVM module, and writes the C header.
// The C types come from runtime/nnc_types.h, embedded verbatim at build time.
//
//===----------------------------------------------------------------------===//

#include "codegen/ABI.h"
#include "codegen/ParallelDispatch.h"

#include "ir/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

using namespace nnc::codegen;
using llvm::StringRef;

#include "codegen/NNCTypesText.inc"

namespace {
// Mirrors of runtime/nnc_types.h constants.
constexpr int kMaxRank = 8;
constexpr int kAbiVersion = 2;
constexpr int kAlignment = 64;
constexpr int kStatusNullArgument = 1;
constexpr int kStatusAlignment = 2;
} // namespace

int64_t TensorABI::numElements() const {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

int64_t ParamABI::numElements() const {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

bool nnc::codegen::isValidSymbolPrefix(StringRef name) {
  return !name.empty() && (llvm::isAlpha(name[0]) || name[0] == '_') &&
         llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

ModelABI nnc::codegen::describeModel(mlir::ModuleOp module, StringRef name) {
  ModelABI model;
  model.name = name.str();
  auto infer = module.lookupSymbol<mlir::func::FuncOp>("infer");
  auto describe = [](mlir::Type type, mlir::DictionaryAttr attrs) {
    auto tensor = llvm::cast<mlir::RankedTensorType>(type);
    TensorABI abi;
    if (auto nameAttr = attrs ? attrs.getAs<mlir::StringAttr>("nn.name") : nullptr)
      abi.name = nameAttr.str();
    abi.isInteger = tensor.getElementType().isInteger(32);
    abi.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    return abi;
  };
  for (unsigned i = 0; i < infer.getNumArguments(); ++i)
    model.inputs.push_back(describe(infer.getArgumentTypes()[i], infer.getArgAttrDict(i)));
  for (unsigned i = 0; i < infer.getNumResults(); ++i)
    model.outputs.push_back(describe(infer.getResultTypes()[i], infer.getResultAttrDict(i)));
  // @train takes the inputs of @infer, then the targets.
  if (auto train = module.lookupSymbol<mlir::func::FuncOp>("train"))
    for (unsigned i = infer.getNumArguments(); i < train.getNumArguments(); ++i)
      model.targets.push_back(describe(train.getArgumentTypes()[i], train.getArgAttrDict(i)));
  for (auto param : module.getOps<nnc::nn::ParamOp>()) {
    ParamABI abi;
    abi.name = param.getSymName().str();
    abi.shape.assign(param.getTensorType().getShape().begin(),
                     param.getTensorType().getShape().end());
    abi.trainable = param.getTrainable();
    abi.initKind = llvm::StringSwitch<int>(param.getInit())
                       .Case("uniform", 0)
                       .Case("normal", 1)
                       .Default(2);
    for (auto [i, arg] : llvm::enumerate(param.getInitArgs()))
      abi.initArgs[i] = arg;
    model.params.push_back(std::move(abi));
  }
  return model;
}

void nnc::codegen::finishModel(mlir::ModuleOp lowered, ModelABI &model) {
  if (auto bytes = lowered->getAttrOfType<mlir::IntegerAttr>("nn.param_bytes"))
    model.paramBytes = bytes.getInt();
  if (auto bytes = lowered->getAttrOfType<mlir::IntegerAttr>("nn.opt_state_bytes"))
    model.optStateBytes = bytes.getInt();
  if (auto defaults = lowered->getAttrOfType<mlir::DenseF32ArrayAttr>("nn.default_hparams"))
    model.defaultHyperparams.assign(defaults.asArrayRef().begin(), defaults.asArrayRef().end());
  // The model's parameters come first, in the order describeModel saw them;
  // the optimizer state is internal to the training step.
  size_t index = 0;
  for (auto param : llvm::make_early_inc_range(lowered.getOps<nnc::nn::ParamOp>())) {
    if (!param->hasAttr("nn.optimizer_state")) {
      if (auto offset = param->getAttrOfType<mlir::IntegerAttr>("offset"))
        model.params[index].offset = offset.getInt();
      ++index;
    }
    param.erase();
  }
  lowered.walk([&](mlir::LLVM::LLVMFuncOp func) {
    if (func.getName() == "train_step")
      model.hasTraining = true;
    if (auto bytes = func->getAttrOfType<mlir::IntegerAttr>("nn.scratch_bytes")) {
      if (func.getName() == "infer")
        model.inferScratchBytes = bytes.getInt();
      if (func.getName() == "train_step")
        model.trainScratchBytes = bytes.getInt();
    }
    func->removeAttr("nn.scratch_bytes");
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.removeArgAttr(i, "nn.name");
  });
  if (!model.hasTraining)
    model.targets.clear();
  if (auto layers = lowered->getAttrOfType<mlir::ArrayAttr>("nnc.profile_layers"))
    for (auto layer : layers.getAsValueRange<mlir::StringAttr>())
      model.profileLayers.push_back(layer.str());
  for (StringRef attr : {"nn.param_bytes", "nn.opt_state_bytes", "nn.default_hparams", "nn.model",
                         "nnc.profile_layers"})
    lowered->removeAttr(attr);
}

//===----------------------------------------------------------------------===//
// LLVM IR: entry point and tables
//===----------------------------------------------------------------------===//

namespace {

class TableBuilder {
public:
  TableBuilder(llvm::Module &module, const ModelABI &model)
      : module(module), model(model), ctx(module.getContext()),
        ptr(llvm::PointerType::getUnqual(ctx)), i32(llvm::Type::getInt32Ty(ctx)),
        i64(llvm::Type::getInt64Ty(ctx)), f32(llvm::Type::getFloatTy(ctx)),
        shapeType(llvm::ArrayType::get(i64, kMaxRank)) {}

  void emit();

private:
  llvm::Constant *string(StringRef text) {
    auto *init = llvm::ConstantDataArray::getString(ctx, text);
    auto *global = new llvm::GlobalVariable(module, init->getType(), true,
                                            llvm::GlobalValue::PrivateLinkage, init,
                                            model.name + ".str");
    global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return global;
  }
  llvm::Constant *shape(llvm::ArrayRef<int64_t> dims) {
    llvm::SmallVector<llvm::Constant *, kMaxRank> values;
    for (int i = 0; i < kMaxRank; ++i)
      values.push_back(llvm::ConstantInt::get(i64, i < int(dims.size()) ? dims[i] : 0));
    return llvm::ConstantArray::get(shapeType, values);
  }
  llvm::Constant *array(llvm::StructType *type, llvm::ArrayRef<llvm::Constant *> rows,
                        const std::string &symbol) {
    if (rows.empty())
      return llvm::ConstantPointerNull::get(ptr);
    auto *arrayType = llvm::ArrayType::get(type, rows.size());
    return new llvm::GlobalVariable(module, arrayType, true,
                                    llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(arrayType, rows), symbol);
  }
  llvm::Constant *tensorTable(const std::vector<TensorABI> &tensors, const std::string &symbol);
  void emitProfile();

  llvm::Module &module;
  const ModelABI &model;
  llvm::LLVMContext &ctx;
  llvm::PointerType *ptr;
  llvm::Type *i32, *i64, *f32;
  llvm::ArrayType *shapeType;
};

} // namespace

llvm::Constant *TableBuilder::tensorTable(const std::vector<TensorABI> &tensors,
                                          const std::string &symbol) {
  // struct nnc_tensor_info { name; dtype; rank; shape[8]; numel; }
  auto *type = llvm::StructType::get(ctx, {ptr, i32, i32, shapeType, i64});
  std::vector<llvm::Constant *> rows;
  for (const TensorABI &t : tensors)
    rows.push_back(llvm::ConstantStruct::get(
        type, {string(t.name), llvm::ConstantInt::get(i32, t.isInteger ? 1 : 0),
               llvm::ConstantInt::get(i32, t.shape.size()), shape(t.shape),
               llvm::ConstantInt::get(i64, t.numElements())}));
  return array(type, rows, symbol);
}

void TableBuilder::emitProfile() {
  // struct nnc_profile { layer_count; layer_names; nanoseconds; calls; }
  std::vector<llvm::Constant *> names;
  for (const std::string &layer : model.profileLayers)
    names.push_back(string(layer));
  auto *namesType = llvm::ArrayType::get(ptr, names.size());
  auto *namesTable = new llvm::GlobalVariable(
      module, namesType, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantArray::get(namesType, names), model.name + ".profile_layers");
  auto *type = llvm::StructType::get(ctx, {i32, ptr, ptr, ptr});
  auto *profile = llvm::ConstantStruct::get(
      type, {llvm::ConstantInt::get(i32, names.size()), namesTable,
             module.getGlobalVariable("nnc_profile_ns", /*AllowInternal=*/true),
             module.getGlobalVariable("nnc_profile_calls", /*AllowInternal=*/true)});
  new llvm::GlobalVariable(module, type, true, llvm::GlobalValue::ExternalLinkage, profile,
                           model.name + "_profile");
}

void TableBuilder::emit() {
  // struct nnc_param_info { name; offset; numel; rank; trainable; shape[8];
  //                         init_kind; init_args[2]; }
  auto *paramType = llvm::StructType::get(
      ctx, {ptr, i64, i64, i32, i32, shapeType, i32, llvm::ArrayType::get(f32, 2)});
  std::vector<llvm::Constant *> params;
  for (const ParamABI &p : model.params)
    params.push_back(llvm::ConstantStruct::get(
        paramType,
        {string(p.name), llvm::ConstantInt::get(i64, p.offset),
         llvm::ConstantInt::get(i64, p.numElements()), llvm::ConstantInt::get(i32, p.shape.size()),
         llvm::ConstantInt::get(i32, p.trainable ? 1 : 0), shape(p.shape),
         llvm::ConstantInt::get(i32, p.initKind),
         llvm::ConstantArray::get(llvm::ArrayType::get(f32, 2),
                                  {llvm::ConstantFP::get(f32, p.initArgs[0]),
                                   llvm::ConstantFP::get(f32, p.initArgs[1])})}));
  // struct nnc_model_info { abi_version; name; param_bytes; infer_scratch_bytes;
  //   param_count; input_count; output_count; params; inputs; outputs;
  //   opt_state_bytes; train_scratch_bytes; target_count; targets; }
  auto *infoType = llvm::StructType::get(
      ctx, {i32, ptr, i64, i64, i32, i32, i32, ptr, ptr, ptr, i64, i64, i32, ptr});
  auto *info = llvm::ConstantStruct::get(
      infoType,
      {llvm::ConstantInt::get(i32, kAbiVersion), string(model.name),
       llvm::ConstantInt::get(i64, model.paramBytes),
       llvm::ConstantInt::get(i64, model.inferScratchBytes),
       llvm::ConstantInt::get(i32, model.params.size()),
       llvm::ConstantInt::get(i32, model.inputs.size()),
       llvm::ConstantInt::get(i32, model.outputs.size()),
       array(paramType, params, model.name + ".params"),
       tensorTable(model.inputs, model.name + ".inputs"),
       tensorTable(model.outputs, model.name + ".outputs"),
       llvm::ConstantInt::get(i64, model.optStateBytes),
       llvm::ConstantInt::get(i64, model.trainScratchBytes),
       llvm::ConstantInt::get(i32, model.targets.size()),
       tensorTable(model.targets, model.name + ".targets")});
  new llvm::GlobalVariable(module, infoType, true, llvm::GlobalValue::ExternalLinkage, info,
                           model.name + "_model_info");

  if (!model.profileLayers.empty())
    emitProfile();

  if (model.embeddedParams) {
    auto *data = llvm::ConstantDataArray::get(
        ctx, llvm::ArrayRef<uint8_t>(
                 reinterpret_cast<const uint8_t *>(model.embeddedParams->data()),
                 model.embeddedParams->size()));
    auto *global = new llvm::GlobalVariable(module, data->getType(), true,
                                            llvm::GlobalValue::ExternalLinkage, data,
                                            model.name + "_embedded_params");
    global->setAlignment(llvm::Align(kAlignment));
  }
}

namespace {

/// How an exported entry point checks one pointer argument.
enum class ArgCheck {
  Buffer,        // non-NULL and NNC_ALIGNMENT-aligned
  OptionalBuffer, // not read when its size is 0: unchecked
  NonNull,       // non-NULL, any alignment (the loss scalar)
  DefaultIfNull, // NULL selects a default (the hyperparameters)
};

/// Emits `int32_t name(ptr...)`: checks each argument as `checks` says,
/// returns the matching nnc_status on failure, otherwise calls `impl` with
/// the arguments `impl` takes (a leading buffer `impl` does not take, such as
/// the parameters of a model without any, is skipped) and returns NNC_OK.
void emitCheckedEntry(llvm::Module &module, llvm::Function *impl, const std::string &name,
                      llvm::ArrayRef<ArgCheck> checks, llvm::Constant *defaultValue) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *intPtr = llvm::Type::getInt64Ty(ctx);
  llvm::SmallVector<llvm::Type *> argTypes(checks.size(), ptr);
  auto *entry = llvm::Function::Create(llvm::FunctionType::get(i32, argTypes, false),
                                       llvm::GlobalValue::ExternalLinkage, name, module);
  entry->addFnAttr(llvm::Attribute::NoUnwind);
  auto *checkBlock = llvm::BasicBlock::Create(ctx, "checks", entry);
  llvm::IRBuilder<> b(checkBlock);
  auto fail = [&](int status) {
    auto *block = llvm::BasicBlock::Create(ctx, "fail", entry);
    llvm::IRBuilder<>(block).CreateRet(llvm::ConstantInt::get(i32, status));
    return block;
  };
  llvm::BasicBlock *nullFail = fail(kStatusNullArgument);
  llvm::BasicBlock *alignFail = fail(kStatusAlignment);
  auto check = [&](llvm::Value *bad, llvm::BasicBlock *onBad) {
    auto *next = llvm::BasicBlock::Create(ctx, "ok", entry);
    b.CreateCondBr(bad, onBad, next);
    b.SetInsertPoint(next);
  };
  llvm::SmallVector<llvm::Value *> callArgs;
  for (auto [i, kind] : llvm::enumerate(checks)) {
    llvm::Value *arg = entry->getArg(i);
    if (kind == ArgCheck::Buffer || kind == ArgCheck::NonNull)
      check(b.CreateIsNull(arg), nullFail);
    if (kind == ArgCheck::Buffer) {
      llvm::Value *low = b.CreateAnd(b.CreatePtrToInt(arg, intPtr), kAlignment - 1);
      check(b.CreateICmpNE(low, llvm::ConstantInt::get(intPtr, 0)), alignFail);
    }
    if (kind == ArgCheck::DefaultIfNull)
      arg = b.CreateSelect(b.CreateIsNull(arg), defaultValue, arg);
    callArgs.push_back(arg);
  }
  // The lowered function takes params only when the model has parameters.
  size_t skip = callArgs.size() - impl->arg_size();
  b.CreateCall(impl, llvm::ArrayRef(callArgs).drop_front(skip));
  b.CreateRet(llvm::ConstantInt::get(i32, 0));
}

} // namespace

void nnc::codegen::emitABI(llvm::Module &module, const ModelABI &model,
                           llvm::GlobalVariable *parallel) {
  // Everything the lowering produced becomes local to the object.
  for (llvm::Function &function : module.functions())
    if (!function.isDeclaration())
      function.setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable &global : module.globals())
    if (!global.isDeclaration())
      global.setLinkage(llvm::GlobalValue::InternalLinkage);

  auto buffer = [](int64_t bytes) {
    return bytes > 0 ? ArgCheck::Buffer : ArgCheck::OptionalBuffer;
  };
  llvm::Function *infer = module.getFunction("infer");
  infer->setName(model.name + ".infer");
  llvm::SmallVector<ArgCheck> inferChecks{buffer(model.paramBytes)};
  inferChecks.append(model.inputs.size() + model.outputs.size(), ArgCheck::Buffer);
  inferChecks.push_back(buffer(model.inferScratchBytes));
  emitCheckedEntry(module, infer, model.name + "_infer", inferChecks, nullptr);
  emitParallelEntry(module, module.getFunction(model.name + "_infer"),
                    model.name + "_infer_parallel", parallel);

  if (model.hasTraining) {
    llvm::LLVMContext &ctx = module.getContext();
    auto *f32 = llvm::Type::getFloatTy(ctx);
    auto *hparamsType = llvm::ArrayType::get(f32, model.defaultHyperparams.size());
    llvm::SmallVector<llvm::Constant *, 8> values;
    for (float v : model.defaultHyperparams)
      values.push_back(llvm::ConstantFP::get(f32, v));
    auto *defaults = new llvm::GlobalVariable(
        module, hparamsType, true, llvm::GlobalValue::ExternalLinkage,
        llvm::ConstantArray::get(hparamsType, values), model.name + "_default_hparams");

    llvm::Function *step = module.getFunction("train_step");
    step->setName(model.name + ".train_step");
    llvm::SmallVector<ArgCheck> stepChecks{buffer(model.paramBytes), ArgCheck::Buffer};
    stepChecks.append(model.inputs.size() + model.targets.size(), ArgCheck::Buffer);
    stepChecks.append({ArgCheck::DefaultIfNull, ArgCheck::NonNull,
                       buffer(model.trainScratchBytes)});
    emitCheckedEntry(module, step, model.name + "_train_step", stepChecks, defaults);
    emitParallelEntry(module, module.getFunction(model.name + "_train_step"),
                      model.name + "_train_step_parallel", parallel);

    // init_opt_state: the whole optimizer state starts at zero.
    auto *ptr = llvm::PointerType::getUnqual(ctx);
    auto *zero = llvm::Function::Create(llvm::FunctionType::get(ptr, {ptr}, false),
                                        llvm::GlobalValue::InternalLinkage,
                                        model.name + ".zero_opt_state", module);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", zero));
    b.CreateMemSet(zero->getArg(0), b.getInt8(0), model.optStateBytes,
                   llvm::MaybeAlign(kAlignment));
    b.CreateRet(zero->getArg(0));
    emitCheckedEntry(module, zero, model.name + "_init_opt_state", {ArgCheck::Buffer},
                     nullptr);
  }

  TableBuilder(module, model).emit();
}

//===----------------------------------------------------------------------===//
// The C header
//===----------------------------------------------------------------------===//

/// A C identifier for a tensor named `name` in a prototype.
static std::string cParameterName(StringRef name) {
  static const char *const kKeywords[] = {
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
      "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
      "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
      "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
      "class", "new", "delete", "this", "template", "params", "scratch",
      "opt_state", "hparams", "loss"};
  for (const char *keyword : kKeywords)
    if (name == keyword)
      return name.str() + "_";
  return name.str();
}

static void writeShapeMacros(llvm::raw_ostream &os, StringRef prefix, const TensorABI &t) {
  std::string macro = prefix.str() + llvm::StringRef(t.name).upper();
  os << "#define " << macro << "_RANK " << t.shape.size() << "\n";
  os << "#define " << macro << "_SHAPE {";
  llvm::interleaveComma(t.shape, os);
  os << "}\n";
  os << "#define " << macro << "_ELEMENTS " << t.numElements() << "u\n";
  os << "#define " << macro << "_BYTES " << t.numElements() * 4 << "u\n";
}

void nnc::codegen::emitHeader(const ModelABI &model, llvm::raw_ostream &os) {
  std::string upper = StringRef(model.name).upper();
  const std::string &m = model.name;
  os << "/* " << m << ".h - interface of the nnc-compiled model '" << m << "'.\n"
     << " * Generated by nnc; do not edit. Self-contained C99, usable from C++.\n"
     << " *\n"
     << " * Memory: the caller owns every buffer, and every buffer passed to the model\n"
     << " * must be NNC_ALIGNMENT (64) byte aligned, e.g. from aligned_alloc(64, n) with\n"
     << " * n rounded up to a multiple of 64:\n"
     << " *   params  " << upper << "_PARAM_BYTES bytes, laid out as " << m
     << "_model_info.params\n"
     << " *           describes (fill it with nnc_init_params or nnc_load_safetensors\n"
     << " *           from libnncrt, or your own code);\n"
     << " *   scratch " << upper << "_INFER_SCRATCH_BYTES bytes of working memory;\n"
     << " *   inputs and outputs as the shapes below state (row-major).\n"
     << " * The model keeps no state: concurrent calls with distinct scratch buffers are\n"
     << " * safe.\n"
     << " */\n";
  os << "#ifndef NNC_MODEL_" << upper << "_H\n#define NNC_MODEL_" << upper << "_H\n\n";
  os << kNNCTypesHeader << "\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  os << "#define " << upper << "_PARAM_BYTES " << model.paramBytes << "u\n";
  os << "#define " << upper << "_INFER_SCRATCH_BYTES " << model.inferScratchBytes << "u\n";
  os << "#define " << upper << "_PARAM_COUNT " << model.params.size() << "u\n";
  if (model.hasTraining) {
    os << "#define " << upper << "_OPT_STATE_BYTES " << model.optStateBytes << "u\n";
    os << "#define " << upper << "_TRAIN_SCRATCH_BYTES " << model.trainScratchBytes << "u\n";
  }
  os << "\n";
  for (const TensorABI &t : model.inputs)
    writeShapeMacros(os, upper + "_INPUT_", t);
  for (const TensorABI &t : model.outputs)
    writeShapeMacros(os, upper + "_OUTPUT_", t);
  for (const TensorABI &t : model.targets)
    writeShapeMacros(os, upper + "_TARGET_", t);
  os << "\n/* Names, shapes, offsets and initializers of all parameters; sizes. */\n";
  os << "extern const nnc_model_info " << m << "_model_info;\n\n";
  if (model.embeddedParams)
    os << "/* The parameters given with --weights, read-only, ready to pass as `params`. */\n"
       << "extern const unsigned char " << m << "_embedded_params[" << upper
       << "_PARAM_BYTES];\n\n";
  if (!model.profileLayers.empty())
    os << "/* Compiled with --profile: the time each layer took, summed over calls\n"
       << " * (print with nnc_profile_print from libnncrt, which this object needs). */\n"
       << "#define " << upper << "_PROFILE_LAYERS " << model.profileLayers.size() << "u\n"
       << "extern const nnc_profile " << m << "_profile;\n\n";
  os << "/* Runs inference. Returns NNC_OK (0), NNC_ERR_NULL_ARGUMENT or\n"
     << " * NNC_ERR_ALIGNMENT; nothing is written unless it returns NNC_OK. */\n";
  // The tensor parameters of the entry points, after params (and opt_state).
  auto writeTensors = [&](const std::vector<TensorABI> &tensors, bool isConst) {
    for (const TensorABI &t : tensors)
      os << ", " << (isConst ? "const " : "") << (t.isInteger ? "int32_t" : "float") << " *"
         << cParameterName(t.name);
  };
  auto writeInferTensors = [&] {
    writeTensors(model.inputs, true);
    writeTensors(model.outputs, false);
  };
  auto writeStepTensors = [&] {
    writeTensors(model.inputs, true);
    writeTensors(model.targets, true);
  };
  os << "int32_t " << m << "_infer(const void *params";
  writeInferTensors();
  os << ", void *scratch);\n";
  os << "/* " << m << "_infer with its parallel loops split over the threads of\n"
     << " * `parallel` (e.g. nnc_thread_pool_parallel from libnncrt; NULL: this\n"
     << " * thread only). The results are bit-identical to " << m << "_infer's. */\n";
  os << "int32_t " << m << "_infer_parallel(const void *params";
  writeInferTensors();
  os << ",\n    void *scratch, const nnc_parallel *parallel);\n\n";
  if (model.hasTraining) {
    os << "/* Training. The optimizer state (" << upper << "_OPT_STATE_BYTES bytes) holds the\n"
       << " * optimizer's buffers and step count; start it with " << m << "_init_opt_state.\n"
       << " * One step runs the forward in training mode (batch statistics, dropout),\n"
       << " * the backward and the optimizer update, updating params (and batch-norm\n"
       << " * running statistics) and opt_state in place, and stores the batch's loss\n"
       << " * (before the update) in *loss. params are then ready for " << m
       << "_infer.\n"
       << " * hparams may be NULL (" << m << "_default_hparams, the train section's\n"
       << " * values) or point to a modified copy, e.g. for a learning-rate schedule.\n"
       << " * scratch: " << upper << "_TRAIN_SCRATCH_BYTES bytes. loss and hparams need no\n"
       << " * alignment. Returns like " << m << "_infer. */\n";
    os << "extern const nnc_hparams " << m << "_default_hparams;\n";
    os << "int32_t " << m << "_init_opt_state(void *opt_state);\n";
    os << "int32_t " << m << "_train_step(void *params, void *opt_state";
    writeStepTensors();
    os << ",\n    const nnc_hparams *hparams, float *loss, void *scratch);\n";
    os << "/* " << m << "_train_step on the threads of `parallel` (as " << m
       << "_infer_parallel);\n * bit-identical to " << m << "_train_step. */\n";
    os << "int32_t " << m << "_train_step_parallel(void *params, void *opt_state";
    writeStepTensors();
    os << ",\n    const nnc_hparams *hparams, float *loss, void *scratch,\n"
       << "    const nnc_parallel *parallel);\n\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* NNC_MODEL_" << upper << "_H */\n";
}
