//===- IRGen.cpp - .nn syntax tree to nn dialect --------------------------===//
//
// A tree-walking evaluator. Ordinary values (ints, floats, lists, ...) are
// computed; tensor expressions and layer calls build nn ops. The model body
// is evaluated once per graph: inference first, then, if the model has a
// train section and inference had no errors, training. Parameters declared
// in the first graph are reused by the second.
//
// Errors never stop evaluation: an expression that failed yields an Error
// value that later uses pass through silently, so every independent mistake
// is reported once.
//
//===----------------------------------------------------------------------===//

#include "frontend/IRGen.h"

#include "frontend/CompileTimeFunctions.h"
#include "frontend/Layers.h"
#include "ir/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <set>

using namespace nnc::frontend;
using llvm::StringRef;
namespace nn = nnc::nn;

namespace {

struct Binding {
  Value value;
};
using Scope = llvm::StringMap<Binding>;

/// A declared graph input or training target: the function argument it is.
struct Declaration {
  const Stmt *stmt;
  std::string name;
  mlir::RankedTensorType type;
};

/// The most block calls one model may expand, so no input can hang nnc.
constexpr int64_t kMaxBlockExpansions = 100000;
constexpr size_t kMaxBlockDepth = 64;
/// The largest tensor a model may hold; beyond it sizes stop being real.
constexpr int64_t kMaxTensorElements = int64_t(1) << 40;

class Evaluator {
public:
  Evaluator(const File &file, mlir::MLIRContext *context)
      : file(file), context(context), builder(context) {}

  mlir::OwningOpRef<mlir::ModuleOp> run();

  // Services for layer emitters (see CallContext).
  mlir::OpBuilder &getBuilder() { return builder; }
  bool isTraining() const { return training; }
  mlir::Value declareParam(const std::string &name, llvm::ArrayRef<int64_t> shape,
                           const Init &init, bool trainable, mlir::Location loc);
  std::vector<mlir::Value> loadTrainableParams(mlir::Location loc);
  int64_t nextSeed() { return seedCounter++; }
  mlir::Location withCallStack(mlir::Location loc) const;
  /// Reports a tensor type with more than kMaxTensorElements elements.
  bool checkSize(mlir::Type type, mlir::Location loc);

private:
  // Top level.
  bool collectBlocks();
  const ModelDef *selectModel();
  std::vector<Declaration> collectDeclarations(const StmtList &body, Stmt::Kind kind);
  mlir::func::FuncOp beginGraph(StringRef name, llvm::ArrayRef<Declaration> args);
  void buildInferenceGraph(const ModelDef &model);
  void buildTrainingGraph(const ModelDef &model, const TrainStmt &train);
  void resetGraphState();

  // Statements.
  bool execute(const StmtList &stmts); // returns true when a `return` ran
  bool execute(const Stmt &stmt);
  void bind(const std::string &name, Value value, mlir::Location loc);
  void declareOutput(const OutputStmt &stmt);
  void declareOptimizer(const OptimizerStmt &stmt);

  // Expressions.
  Value evaluate(const Expr &expr, std::optional<StringRef> bindingName = std::nullopt);
  Value evaluateName(const NameExpr &expr);
  Value evaluateUnary(const UnaryExpr &expr);
  Value evaluateBinary(const BinaryExpr &expr);
  Value evaluateIndex(const IndexExpr &expr);
  Value evaluateCall(const CallExpr &expr, std::optional<StringRef> bindingName);
  Value numericBinary(BinaryExpr::Op op, const Value &lhs, const Value &rhs,
                      mlir::Location loc);
  Value tensorBinary(BinaryExpr::Op op, const Value &lhs, const Value &rhs,
                     mlir::Location loc);
  Value expandBlock(const BlockDef &block, const BoundArgs &args, const std::string &label,
                    mlir::Location callLoc);
  std::optional<std::string> layerLabel(const CallExpr &call, StringRef kind,
                                        std::optional<StringRef> bindingName);
  std::optional<std::vector<CallArg>> evaluateArguments(const CallExpr &call);

  mlir::InFlightDiagnostic error(mlir::Location loc) {
    return mlir::emitError(withCallStack(loc));
  }

  const File &file;
  mlir::MLIRContext *context;
  mlir::OpBuilder builder;
  mlir::ModuleOp module;
  llvm::StringMap<const BlockDef *> blocks;
  bool training = false;
  bool inTrainSection = false;

  // Per-graph state.
  Scope *scope = nullptr;
  std::vector<std::string> prefixes;       // label of each enclosing block instance
  std::vector<mlir::Location> callSites;   // block call sites, outermost first
  std::vector<const BlockDef *> blockStack;
  llvm::StringMap<mlir::Location> usedLabels;
  llvm::StringMap<unsigned> autoNameCounters;
  llvm::StringMap<mlir::Location> inputNames;
  std::optional<Value> returnValue;
  int64_t seedCounter = 0;
  int64_t expansions = 0;
  std::vector<std::pair<std::string, Value>> outputs;
  unsigned outputStatements = 0;
  unsigned loopDepth = 0;
  llvm::StringMap<mlir::Location> outputLocs;
  std::optional<Value> loss;
  mlir::Location lossLoc = mlir::UnknownLoc::get(context);
  bool optimizerDeclared = false;
  mlir::Operation *lastParam = nullptr;
};

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

//===----------------------------------------------------------------------===//
// Top level
//===----------------------------------------------------------------------===//

mlir::Location Evaluator::withCallStack(mlir::Location loc) const {
  if (callSites.empty())
    return loc;
  mlir::Location caller = callSites.front();
  for (mlir::Location site : llvm::ArrayRef(callSites).drop_front())
    caller = mlir::CallSiteLoc::get(site, caller);
  return mlir::CallSiteLoc::get(loc, caller);
}

bool Evaluator::collectBlocks() {
  bool ok = true;
  for (const auto &block : file.blocks) {
    if (layerTable().count(block->name) || isCompileTimeFunction(block->name)) {
      mlir::emitError(block->loc) << "block '" << block->name
                                  << "' has the name of a built-in layer or function";
      ok = false;
      continue;
    }
    auto [it, inserted] = blocks.try_emplace(block->name, block.get());
    if (!inserted) {
      mlir::emitError(block->loc) << "block '" << block->name << "' is already defined";
      mlir::emitRemark(it->second->loc) << "previous definition of '" << block->name << "'";
      ok = false;
    }
    llvm::StringMap<mlir::Location> params;
    for (const BlockParam &param : block->params) {
      if (!params.try_emplace(param.name, param.loc).second) {
        mlir::emitError(param.loc) << "parameter '" << param.name
                                   << "' appears twice in block '" << block->name << "'";
        ok = false;
      }
    }
  }
  return ok;
}

const ModelDef *Evaluator::selectModel() {
  if (file.models.empty()) {
    mlir::Location at = file.blocks.empty()
                            ? mlir::Location(mlir::UnknownLoc::get(context))
                            : file.blocks.front()->loc;
    mlir::emitError(at) << "the file defines no model (expected 'model <name> { ... }')";
    return nullptr;
  }
  if (file.models.size() > 1) {
    mlir::emitError(file.models[1]->loc)
        << "a file may define one model; '" << file.models[0]->name << "' is already defined";
    return nullptr;
  }
  return file.models.front().get();
}

std::vector<Declaration> Evaluator::collectDeclarations(const StmtList &body,
                                                        Stmt::Kind kind) {
  std::vector<Declaration> declarations;
  for (const StmtPtr &stmt : body) {
    if (stmt->getKind() != kind)
      continue;
    const auto &[name, spec] =
        kind == Stmt::Kind::Input
            ? std::pair(llvm::cast<InputStmt>(*stmt).name, llvm::cast<InputStmt>(*stmt).type)
            : std::pair(llvm::cast<TargetStmt>(*stmt).name, llvm::cast<TargetStmt>(*stmt).type);
    mlir::Type element = spec.elementType == "f32" ? mlir::Type(builder.getF32Type())
                                                   : mlir::Type(builder.getI32Type());
    declarations.push_back({stmt.get(), name, mlir::RankedTensorType::get(spec.shape, element)});
  }
  return declarations;
}

mlir::func::FuncOp Evaluator::beginGraph(StringRef name, llvm::ArrayRef<Declaration> args) {
  llvm::SmallVector<mlir::Type> types;
  for (const Declaration &arg : args)
    types.push_back(arg.type);
  builder.setInsertionPointToEnd(module.getBody());
  auto func = builder.create<mlir::func::FuncOp>(module.getLoc(), name,
                                                 builder.getFunctionType(types, {}));
  mlir::Block *entry = func.addEntryBlock();
  for (auto [index, arg] : llvm::enumerate(args)) {
    func.setArgAttr(index, "nn.name", builder.getStringAttr(arg.name));
    entry->getArgument(index).setLoc(arg.stmt->getLoc());
  }
  builder.setInsertionPointToStart(entry);
  return func;
}

void Evaluator::resetGraphState() {
  prefixes.clear();
  callSites.clear();
  blockStack.clear();
  usedLabels.clear();
  autoNameCounters.clear();
  inputNames.clear();
  returnValue.reset();
  seedCounter = 0;
  expansions = 0;
  outputStatements = 0;
  loopDepth = 0;
  outputs.clear();
  outputLocs.clear();
  loss.reset();
}

/// Binds each declaration to its function argument in `scope`.
static void bindDeclarations(Scope &scope, mlir::func::FuncOp func,
                          llvm::ArrayRef<Declaration> declarations, size_t first,
                          llvm::StringMap<mlir::Location> &declared) {
  for (auto [index, decl] : llvm::enumerate(declarations)) {
    auto [it, inserted] = declared.try_emplace(decl.name, decl.stmt->getLoc());
    if (!inserted) {
      mlir::emitError(decl.stmt->getLoc()) << "'" << decl.name << "' is already declared";
      mlir::emitRemark(it->second) << "previous declaration of '" << decl.name << "'";
      continue;
    }
    bool tooLarge = nn::numElements(decl.type.getShape()) == nn::kTooManyElements ||
                    nn::numElements(decl.type.getShape()) > kMaxTensorElements;
    // A too-large declaration was reported; its uses stay silent.
    scope[decl.name] = {tooLarge ? Value::error()
                                 : Value::ofTensor(func.getArgument(first + index))};
  }
}

void Evaluator::buildInferenceGraph(const ModelDef &model) {
  resetGraphState();
  training = false;
  std::vector<Declaration> inputs = collectDeclarations(model.body, Stmt::Kind::Input);
  for (const Declaration &input : inputs)
    checkSize(input.type, input.stmt->getLoc());
  for (const StmtPtr &stmt : model.body)
    if (auto *train = llvm::dyn_cast<TrainStmt>(stmt.get()))
      for (const Declaration &target : collectDeclarations(train->body, Stmt::Kind::Target))
        checkSize(target.type, target.stmt->getLoc());
  mlir::func::FuncOp func = beginGraph("infer", inputs);
  Scope modelScope;
  scope = &modelScope;
  bindDeclarations(modelScope, func, inputs, 0, inputNames);
  execute(model.body);
  if (inputs.empty())
    mlir::emitError(model.loc) << "model '" << model.name
                               << "' has no inputs (declare one with 'input x: f32[...]')";
  if (outputStatements == 0)
    mlir::emitError(model.loc) << "model '" << model.name
                               << "' has no outputs (declare one with 'output y = ...')";
  llvm::SmallVector<mlir::Value> results;
  for (auto &[name, value] : outputs)
    if (value.kind == Value::Kind::Tensor)
      results.push_back(value.tensor);
  builder.create<mlir::func::ReturnOp>(model.loc, results);
  func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                       mlir::ValueRange(results).getTypes()));
  if (results.size() == outputs.size())
    for (auto [index, output] : llvm::enumerate(outputs))
      func.setResultAttr(index, "nn.name", builder.getStringAttr(output.first));
  scope = nullptr;
}

void Evaluator::buildTrainingGraph(const ModelDef &model, const TrainStmt &train) {
  resetGraphState();
  training = true;
  std::vector<Declaration> args = collectDeclarations(model.body, Stmt::Kind::Input);
  std::vector<Declaration> targets = collectDeclarations(train.body, Stmt::Kind::Target);
  args.insert(args.end(), targets.begin(), targets.end());
  mlir::func::FuncOp func = beginGraph("train", args);
  Scope modelScope;
  scope = &modelScope;
  bindDeclarations(modelScope, func, args, 0, inputNames);
  execute(model.body);
  inTrainSection = true;
  execute(train.body);
  inTrainSection = false;
  if (!loss)
    mlir::emitError(train.getLoc()) << "the train section has no 'loss = ...'";
  if (!optimizerDeclared)
    mlir::emitError(train.getLoc())
        << "the train section has no 'optimizer = ...' (e.g. optimizer = sgd(lr=0.01))";
  llvm::SmallVector<mlir::Value> results;
  if (loss && loss->kind == Value::Kind::Tensor)
    results.push_back(loss->tensor);
  builder.create<mlir::func::ReturnOp>(train.getLoc(), results);
  func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                       mlir::ValueRange(results).getTypes()));
  if (!results.empty())
    func.setResultAttr(0, "nn.name", builder.getStringAttr("loss"));
  scope = nullptr;
}

mlir::OwningOpRef<mlir::ModuleOp> Evaluator::run() {
  bool hadError = false;
  // Loops re-evaluate their bodies: report each distinct error once, and the
  // remarks that follow an error only with it.
  std::set<std::string> reported;
  bool droppedLastError = false;
  mlir::ScopedDiagnosticHandler errorTracker(context, [&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() != mlir::DiagnosticSeverity::Error)
      return droppedLastError ? mlir::success() : mlir::failure();
    hadError = true;
    std::string key;
    llvm::raw_string_ostream os(key);
    os << diag.getLocation() << ": " << diag;
    droppedLastError = !reported.insert(key).second;
    // success() drops a repeat; failure() lets the caller's handler print it.
    return droppedLastError ? mlir::success() : mlir::failure();
  });
  bool blocksOk = collectBlocks();
  const ModelDef *model = selectModel();
  if (!model || !blocksOk)
    return nullptr;
  mlir::OwningOpRef<mlir::ModuleOp> owned =
      mlir::ModuleOp::create(model->loc, StringRef(model->name));
  module = *owned;
  buildInferenceGraph(*model);
  const TrainStmt *train = nullptr;
  for (const StmtPtr &stmt : model->body)
    if (auto *t = llvm::dyn_cast<TrainStmt>(stmt.get())) {
      if (train) {
        mlir::emitError(t->getLoc()) << "a model may have one train section";
        mlir::emitRemark(train->getLoc()) << "previous train section";
      }
      train = t;
    }
  if (train && !hadError)
    buildTrainingGraph(*model, *train);
  if (hadError || mlir::failed(mlir::verify(module)))
    return nullptr;
  return owned;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

bool Evaluator::checkSize(mlir::Type type, mlir::Location loc) {
  auto tensor = llvm::cast<mlir::RankedTensorType>(type);
  int64_t count = nn::numElements(tensor.getShape());
  if (count != nn::kTooManyElements && count <= kMaxTensorElements)
    return true;
  error(loc) << "tensor " << nn::formatShape(tensor.getShape())
             << " is too large (more than 2^40 elements)";
  return false;
}

mlir::Value Evaluator::declareParam(const std::string &name, llvm::ArrayRef<int64_t> shape,
                                    const Init &init, bool trainable, mlir::Location loc) {
  auto type = mlir::RankedTensorType::get(shape, builder.getF32Type());
  checkSize(type, loc);
  auto param = module.lookupSymbol<nn::ParamOp>(name);
  if (!param) {
    // Parameters are kept in declaration order at the top of the module.
    mlir::OpBuilder::InsertionGuard guard(builder);
    if (lastParam)
      builder.setInsertionPointAfter(lastParam);
    else
      builder.setInsertionPointToStart(module.getBody());
    param = builder.create<nn::ParamOp>(loc, name, type, init.kind,
                                        builder.getDenseF64ArrayAttr(init.args), trainable);
    lastParam = param;
  }
  return builder.create<nn::ParamLoadOp>(loc, param.getType(), name);
}

std::vector<mlir::Value> Evaluator::loadTrainableParams(mlir::Location loc) {
  std::vector<mlir::Value> values;
  for (auto param : module.getOps<nn::ParamOp>())
    if (param.getTrainable())
      values.push_back(builder.create<nn::ParamLoadOp>(loc, param.getType(), param.getSymName()));
  return values;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

bool Evaluator::execute(const StmtList &stmts) {
  for (const StmtPtr &stmt : stmts)
    if (execute(*stmt))
      return true;
  return false;
}

void Evaluator::bind(const std::string &name, Value value, mlir::Location loc) {
  auto input = inputNames.find(name);
  if (input != inputNames.end() && prefixes.empty()) {
    error(loc) << "cannot assign to '" << name << "': it is a declared input or target";
    mlir::emitRemark(input->second) << "'" << name << "' is declared here";
    return;
  }
  (*scope)[name] = {std::move(value)};
}

bool Evaluator::execute(const Stmt &stmt) {
  switch (stmt.getKind()) {
  case Stmt::Kind::Assign: {
    const auto &assign = llvm::cast<AssignStmt>(stmt);
    bind(assign.name, evaluate(*assign.value, StringRef(assign.name)), assign.getLoc());
    return false;
  }
  case Stmt::Kind::Input:
  case Stmt::Kind::Target:
    return false; // bound to function arguments when the graph began
  case Stmt::Kind::Output:
    if (!training)
      declareOutput(llvm::cast<OutputStmt>(stmt));
    else if (const ExprPtr &value = llvm::cast<OutputStmt>(stmt).value)
      bind(llvm::cast<OutputStmt>(stmt).name,
           evaluate(*value, StringRef(llvm::cast<OutputStmt>(stmt).name)), stmt.getLoc());
    return false;
  case Stmt::Kind::For: {
    const auto &loop = llvm::cast<ForStmt>(stmt);
    Value range = evaluate(*loop.range);
    if (range.isError())
      return false;
    if (range.kind != Value::Kind::List) {
      error(loop.range->getLoc()) << "'for' needs a list to iterate over (e.g. range(3)), got "
                                  << range.describe();
      return false;
    }
    ++loopDepth;
    auto leave = llvm::make_scope_exit([&] { --loopDepth; });
    for (const Value &element : range.list) {
      bind(loop.var, element, loop.getLoc());
      if (execute(loop.body))
        return true;
    }
    return false;
  }
  case Stmt::Kind::If: {
    const auto &branch = llvm::cast<IfStmt>(stmt);
    Value condition = evaluate(*branch.condition);
    if (condition.isError())
      return false;
    if (condition.kind != Value::Kind::Bool) {
      error(branch.condition->getLoc())
          << "'if' condition must be a bool, got " << condition.describe();
      return false;
    }
    return execute(condition.boolValue ? branch.thenBody : branch.elseBody);
  }
  case Stmt::Kind::Return:
    returnValue = evaluate(*llvm::cast<ReturnStmt>(stmt).value);
    return true;
  case Stmt::Kind::Train:
    return false; // evaluated by buildTrainingGraph
  case Stmt::Kind::Loss: {
    const auto &lossStmt = llvm::cast<LossStmt>(stmt);
    if (loss) {
      error(stmt.getLoc()) << "the train section has more than one 'loss'";
      mlir::emitRemark(lossLoc) << "previous 'loss'";
      return false;
    }
    Value value = evaluate(*lossStmt.value);
    lossLoc = stmt.getLoc();
    if (value.kind == Value::Kind::Tensor &&
        llvm::cast<mlir::RankedTensorType>(value.tensor.getType()).getRank() != 0) {
      error(lossStmt.value->getLoc())
          << "the loss must be a scalar (e.g. mse(...) or softmax_cross_entropy(...)), got "
          << value.describe();
      value = Value::error();
    } else if (!value.isError() && value.kind != Value::Kind::Tensor) {
      error(lossStmt.value->getLoc()) << "the loss must be a scalar tensor, got "
                                      << value.describe();
      value = Value::error();
    }
    loss = value;
    return false;
  }
  case Stmt::Kind::Optimizer:
    declareOptimizer(llvm::cast<OptimizerStmt>(stmt));
    return false;
  }
  return false;
}

void Evaluator::declareOutput(const OutputStmt &stmt) {
  ++outputStatements;
  Value value;
  if (stmt.value) {
    value = evaluate(*stmt.value, StringRef(stmt.name));
  } else {
    auto it = scope->find(stmt.name);
    if (it == scope->end()) {
      error(stmt.getLoc()) << "undefined name '" << stmt.name
                           << "' (write 'output " << stmt.name << " = <expression>')";
      return;
    }
    value = it->second.value;
  }
  auto [previous, inserted] = outputLocs.try_emplace(stmt.name, stmt.getLoc());
  if (!inserted) {
    error(stmt.getLoc()) << "output '" << stmt.name << "' is already declared";
    mlir::emitRemark(previous->second) << "previous declaration of '" << stmt.name << "'";
    return;
  }
  if (value.isError())
    return;
  if (value.kind != Value::Kind::Tensor) {
    error(stmt.getLoc()) << "output '" << stmt.name << "' must be a tensor, got "
                         << value.describe();
    return;
  }
  if (stmt.value)
    bind(stmt.name, value, stmt.getLoc());
  outputs.emplace_back(stmt.name, value);
}

void Evaluator::declareOptimizer(const OptimizerStmt &stmt) {
  const CallExpr &call = *stmt.call;
  if (!call.label.empty()) {
    error(*call.labelLoc) << "an optimizer cannot be labeled";
    optimizerDeclared = true;
    return;
  }
  auto def = optimizerTable().find(call.callee);
  if (def == optimizerTable().end()) {
    optimizerDeclared = true; // reported here; not "missing" too
    error(call.getLoc()) << "unknown optimizer '" << call.callee
                         << "' (expected sgd, rmsprop, adam or adamw)";
    return;
  }
  if (optimizerDeclared) {
    error(stmt.getLoc()) << "the train section has more than one 'optimizer'";
    return;
  }
  optimizerDeclared = true;
  auto args = evaluateArguments(call);
  if (!args)
    return;
  auto bound = bindArguments(call.callee, def->second.signature, std::move(*args),
                             call.getLoc());
  if (!bound)
    return;
  llvm::SmallVector<mlir::NamedAttribute> hyperparams;
  for (const ArgSpec &spec : def->second.signature) {
    const Value &value = bound->get(spec.name);
    mlir::Attribute attr = value.kind == Value::Kind::Bool
                               ? mlir::Attribute(builder.getBoolAttr(value.boolValue))
                               : mlir::Attribute(builder.getF64FloatAttr(value.asDouble()));
    hyperparams.push_back(builder.getNamedAttr(spec.name, attr));
  }
  hyperparams.push_back(builder.getNamedAttr(
      "decoupled_weight_decay", builder.getBoolAttr(def->second.decoupledWeightDecay)));
  mlir::OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  builder.create<nn::OptimizerOp>(call.getLoc(), def->second.kind,
                                  builder.getDictionaryAttr(hyperparams));
}

//===----------------------------------------------------------------------===//
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

mlir::OwningOpRef<mlir::ModuleOp> nnc::frontend::generateIR(const File &file,
                                                            mlir::MLIRContext *context) {
  context->loadDialect<nn::NNDialect, mlir::func::FuncDialect>();
  return Evaluator(file, context).run();
}
