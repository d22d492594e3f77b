//===- Evaluator.h - the .nn compile-time evaluator -------------*- C++ -*-===//
//
// Private to frontend/: the tree-walking evaluator that IRGen.cpp (graphs,
// statements, parameters), EvaluateExpressions.cpp (operators, names) and
// EvaluateCalls.cpp (layer, block and function calls, layer labels)
// implement together. Ordinary values (ints, floats, lists, ...) are
// computed; tensor expressions and layer calls build nn ops.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_EVALUATOR_H
#define NNC_FRONTEND_EVALUATOR_H

#include "frontend/AST.h"
#include "frontend/Layers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

namespace nnc::frontend::detail {

using llvm::StringRef;


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

} // namespace nnc::frontend::detail

#endif // NNC_FRONTEND_EVALUATOR_H
