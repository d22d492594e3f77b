//===- AST.h - syntax tree of the .nn language ------------------*- C++ -*-===//
//
// The parser's output: a file of block definitions and one model. Nodes own
// their children and carry the source location of their first token. Kinds
// use LLVM-style RTTI (`llvm::isa`/`dyn_cast` through `classof`).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_AST_H
#define NNC_FRONTEND_AST_H

#include "mlir/IR/Location.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Casting.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nnc::frontend {

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

class Expr {
public:
  enum class Kind { Int, Float, String, Bool, Name, List, Unary, Binary, Index, Call };
  Expr(Kind kind, mlir::Location loc) : kind(kind), loc(loc) {}
  virtual ~Expr() = default;
  Kind getKind() const { return kind; }
  mlir::Location getLoc() const { return loc; }

private:
  Kind kind;
  mlir::Location loc;
};
using ExprPtr = std::unique_ptr<Expr>;

template <Expr::Kind K>
class ExprBase : public Expr {
public:
  explicit ExprBase(mlir::Location loc) : Expr(K, loc) {}
  static bool classof(const Expr *expr) { return expr->getKind() == K; }
};

struct IntExpr : ExprBase<Expr::Kind::Int> {
  IntExpr(mlir::Location loc, int64_t value) : ExprBase(loc), value(value) {}
  int64_t value;
};

struct FloatExpr : ExprBase<Expr::Kind::Float> {
  FloatExpr(mlir::Location loc, double value) : ExprBase(loc), value(value) {}
  double value;
};

struct StringExpr : ExprBase<Expr::Kind::String> {
  StringExpr(mlir::Location loc, std::string value) : ExprBase(loc), value(std::move(value)) {}
  std::string value;
};

struct BoolExpr : ExprBase<Expr::Kind::Bool> {
  BoolExpr(mlir::Location loc, bool value) : ExprBase(loc), value(value) {}
  bool value;
};

struct NameExpr : ExprBase<Expr::Kind::Name> {
  NameExpr(mlir::Location loc, std::string name) : ExprBase(loc), name(std::move(name)) {}
  std::string name;
};

struct ListExpr : ExprBase<Expr::Kind::List> {
  ListExpr(mlir::Location loc, std::vector<ExprPtr> elements)
      : ExprBase(loc), elements(std::move(elements)) {}
  std::vector<ExprPtr> elements;
};

struct UnaryExpr : ExprBase<Expr::Kind::Unary> {
  enum class Op { Negate, Not };
  UnaryExpr(mlir::Location loc, Op op, ExprPtr operand)
      : ExprBase(loc), op(op), operand(std::move(operand)) {}
  Op op;
  ExprPtr operand;
};

struct BinaryExpr : ExprBase<Expr::Kind::Binary> {
  enum class Op { Add, Sub, Mul, Div, FloorDiv, Mod, Eq, Ne, Lt, Le, Gt, Ge, And, Or };
  BinaryExpr(mlir::Location loc, Op op, ExprPtr lhs, ExprPtr rhs)
      : ExprBase(loc), op(op), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  Op op;
  ExprPtr lhs, rhs;
};

/// Spelling of a binary operator, e.g. "+".
llvm::StringRef spell(BinaryExpr::Op op);

struct IndexExpr : ExprBase<Expr::Kind::Index> {
  IndexExpr(mlir::Location loc, ExprPtr base, ExprPtr index)
      : ExprBase(loc), base(std::move(base)), index(std::move(index)) {}
  ExprPtr base, index;
};

/// One piece of a layer label such as `layer{s + 1}.{i}.conv1`: literal
/// text, or an interpolated `{expr}`. Pieces written without spaces between
/// them join into one dot-separated segment.
struct LabelPart {
  std::string text;
  ExprPtr interpolated; // set for `{expr}` parts
};
using LabelSegment = std::vector<LabelPart>;

struct Argument {
  std::string keyword; // empty for positional arguments
  mlir::Location loc;
  ExprPtr value;
};

/// A layer, block or builtin call: `label: callee(args)`. `a |> f(b)` is
/// parsed as `f(a, b)` with `piped` set.
struct CallExpr : ExprBase<Expr::Kind::Call> {
  CallExpr(mlir::Location loc, std::string callee) : ExprBase(loc), callee(std::move(callee)) {}
  std::string callee;
  std::vector<Argument> args;
  std::vector<LabelSegment> label; // empty when unlabeled
  std::optional<mlir::Location> labelLoc;
  bool piped = false;
};

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

struct TensorTypeSpec {
  std::string elementType; // "f32" or "i32"
  llvm::SmallVector<int64_t, 4> shape;
  mlir::Location loc;
};

class Stmt {
public:
  enum class Kind { Assign, For, If, Return, Input, Target, Output, Loss, Optimizer, Train };
  Stmt(Kind kind, mlir::Location loc) : kind(kind), loc(loc) {}
  virtual ~Stmt() = default;
  Kind getKind() const { return kind; }
  mlir::Location getLoc() const { return loc; }

private:
  Kind kind;
  mlir::Location loc;
};
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

template <Stmt::Kind K>
class StmtBase : public Stmt {
public:
  explicit StmtBase(mlir::Location loc) : Stmt(K, loc) {}
  static bool classof(const Stmt *stmt) { return stmt->getKind() == K; }
};

struct AssignStmt : StmtBase<Stmt::Kind::Assign> {
  AssignStmt(mlir::Location loc, std::string name, ExprPtr value)
      : StmtBase(loc), name(std::move(name)), value(std::move(value)) {}
  std::string name;
  ExprPtr value;
};

struct ForStmt : StmtBase<Stmt::Kind::For> {
  ForStmt(mlir::Location loc, std::string var, ExprPtr range, StmtList body)
      : StmtBase(loc), var(std::move(var)), range(std::move(range)), body(std::move(body)) {}
  std::string var;
  ExprPtr range;
  StmtList body;
};

struct IfStmt : StmtBase<Stmt::Kind::If> {
  IfStmt(mlir::Location loc, ExprPtr condition, StmtList thenBody, StmtList elseBody)
      : StmtBase(loc), condition(std::move(condition)), thenBody(std::move(thenBody)),
        elseBody(std::move(elseBody)) {}
  ExprPtr condition;
  StmtList thenBody, elseBody;
};

struct ReturnStmt : StmtBase<Stmt::Kind::Return> {
  ReturnStmt(mlir::Location loc, ExprPtr value) : StmtBase(loc), value(std::move(value)) {}
  ExprPtr value;
};

/// `input x: f32[...]` (Input) and `target y: i32[...]` (Target).
template <Stmt::Kind K>
struct DeclStmt : StmtBase<K> {
  DeclStmt(mlir::Location loc, std::string name, TensorTypeSpec type)
      : StmtBase<K>(loc), name(std::move(name)), type(std::move(type)) {}
  std::string name;
  TensorTypeSpec type;
};
using InputStmt = DeclStmt<Stmt::Kind::Input>;
using TargetStmt = DeclStmt<Stmt::Kind::Target>;

/// `output name = expr` or `output name`.
struct OutputStmt : StmtBase<Stmt::Kind::Output> {
  OutputStmt(mlir::Location loc, std::string name, ExprPtr value)
      : StmtBase(loc), name(std::move(name)), value(std::move(value)) {}
  std::string name;
  ExprPtr value; // null: output an existing value
};

struct LossStmt : StmtBase<Stmt::Kind::Loss> {
  LossStmt(mlir::Location loc, ExprPtr value) : StmtBase(loc), value(std::move(value)) {}
  ExprPtr value;
};

struct OptimizerStmt : StmtBase<Stmt::Kind::Optimizer> {
  OptimizerStmt(mlir::Location loc, std::unique_ptr<CallExpr> call)
      : StmtBase(loc), call(std::move(call)) {}
  std::unique_ptr<CallExpr> call;
};

struct TrainStmt : StmtBase<Stmt::Kind::Train> {
  TrainStmt(mlir::Location loc, StmtList body) : StmtBase(loc), body(std::move(body)) {}
  StmtList body;
};

//===----------------------------------------------------------------------===//
// Top level
//===----------------------------------------------------------------------===//

struct BlockParam {
  std::string name;
  std::string type; // "", "tensor", "int", "float", "bool", "string", "list"
  ExprPtr defaultValue;
  mlir::Location loc;
};

struct BlockDef {
  std::string name;
  std::vector<BlockParam> params;
  StmtList body;
  mlir::Location loc;
};

struct ModelDef {
  std::string name;
  StmtList body;
  mlir::Location loc;
};

struct File {
  std::vector<std::unique_ptr<BlockDef>> blocks;
  std::vector<std::unique_ptr<ModelDef>> models;
};

/// Prints the tree in an indented s-expression form (`nnc --emit=ast`).
void printAST(const File &file, llvm::raw_ostream &os);

} // namespace nnc::frontend

#endif // NNC_FRONTEND_AST_H
