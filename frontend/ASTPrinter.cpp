//===- ASTPrinter.cpp - `nnc --emit=ast` ----------------------------------===//
//
// Prints the syntax tree as indented s-expressions, one statement a line,
// with each statement's line:col so parser tests can check structure.
//
//===----------------------------------------------------------------------===//

#include "frontend/AST.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace nnc::frontend;
using llvm::raw_ostream;

llvm::StringRef nnc::frontend::spell(BinaryExpr::Op op) {
  switch (op) {
  case BinaryExpr::Op::Add: return "+";
  case BinaryExpr::Op::Sub: return "-";
  case BinaryExpr::Op::Mul: return "*";
  case BinaryExpr::Op::Div: return "/";
  case BinaryExpr::Op::FloorDiv: return "//";
  case BinaryExpr::Op::Mod: return "%";
  case BinaryExpr::Op::Eq: return "==";
  case BinaryExpr::Op::Ne: return "!=";
  case BinaryExpr::Op::Lt: return "<";
  case BinaryExpr::Op::Le: return "<=";
  case BinaryExpr::Op::Gt: return ">";
  case BinaryExpr::Op::Ge: return ">=";
  case BinaryExpr::Op::And: return "and";
  case BinaryExpr::Op::Or: return "or";
  }
  return "?";
}

static void printExpr(const Expr &expr, raw_ostream &os);

static void printLabel(const std::vector<LabelSegment> &label, raw_ostream &os) {
  for (const auto &[index, segment] : llvm::enumerate(label)) {
    if (index)
      os << ".";
    for (const LabelPart &part : segment) {
      if (part.interpolated) {
        os << "{";
        printExpr(*part.interpolated, os);
        os << "}";
      } else {
        os << part.text;
      }
    }
  }
}

static void printExpr(const Expr &expr, raw_ostream &os) {
  llvm::TypeSwitch<const Expr *>(&expr)
      .Case([&](const IntExpr *e) { os << e->value; })
      .Case([&](const FloatExpr *e) { os << e->value; })
      .Case([&](const StringExpr *e) { os << '"' << e->value << '"'; })
      .Case([&](const BoolExpr *e) { os << (e->value ? "true" : "false"); })
      .Case([&](const NameExpr *e) { os << e->name; })
      .Case([&](const ListExpr *e) {
        os << "[";
        llvm::interleaveComma(e->elements, os, [&](const ExprPtr &x) { printExpr(*x, os); });
        os << "]";
      })
      .Case([&](const UnaryExpr *e) {
        os << "(" << (e->op == UnaryExpr::Op::Negate ? "-" : "not") << " ";
        printExpr(*e->operand, os);
        os << ")";
      })
      .Case([&](const BinaryExpr *e) {
        os << "(" << spell(e->op) << " ";
        printExpr(*e->lhs, os);
        os << " ";
        printExpr(*e->rhs, os);
        os << ")";
      })
      .Case([&](const IndexExpr *e) {
        os << "(index ";
        printExpr(*e->base, os);
        os << " ";
        printExpr(*e->index, os);
        os << ")";
      })
      .Case([&](const CallExpr *e) {
        os << "(call " << e->callee;
        if (!e->label.empty()) {
          os << " label=";
          printLabel(e->label, os);
        }
        if (e->piped)
          os << " piped";
        for (const Argument &arg : e->args) {
          os << " ";
          if (!arg.keyword.empty())
            os << arg.keyword << "=";
          printExpr(*arg.value, os);
        }
        os << ")";
      });
}

static void printPosition(mlir::Location loc, raw_ostream &os) {
  if (auto fileLoc = llvm::dyn_cast<mlir::FileLineColLoc>(loc))
    os << "  @" << fileLoc.getLine() << ":" << fileLoc.getColumn();
}

static void printType(const TensorTypeSpec &type, raw_ostream &os) {
  os << type.elementType << "[";
  llvm::interleave(type.shape, os, ",");
  os << "]";
}

static void printStmts(const StmtList &stmts, unsigned indent, raw_ostream &os);

static void printStmt(const Stmt &stmt, unsigned indent, raw_ostream &os) {
  os.indent(indent);
  llvm::TypeSwitch<const Stmt *>(&stmt)
      .Case([&](const AssignStmt *s) {
        os << "(assign " << s->name << " ";
        printExpr(*s->value, os);
        os << ")";
        printPosition(s->getLoc(), os);
      })
      .Case([&](const InputStmt *s) {
        os << "(input " << s->name << " ";
        printType(s->type, os);
        os << ")";
        printPosition(s->getLoc(), os);
      })
      .Case([&](const TargetStmt *s) {
        os << "(target " << s->name << " ";
        printType(s->type, os);
        os << ")";
        printPosition(s->getLoc(), os);
      })
      .Case([&](const OutputStmt *s) {
        os << "(output " << s->name;
        if (s->value) {
          os << " ";
          printExpr(*s->value, os);
        }
        os << ")";
        printPosition(s->getLoc(), os);
      })
      .Case([&](const LossStmt *s) {
        os << "(loss ";
        printExpr(*s->value, os);
        os << ")";
        printPosition(s->getLoc(), os);
      })
      .Case([&](const OptimizerStmt *s) {
        os << "(optimizer ";
        printExpr(*s->call, os);
        os << ")";
        printPosition(s->getLoc(), os);
      })
      .Case([&](const ReturnStmt *s) {
        os << "(return ";
        printExpr(*s->value, os);
        os << ")";
        printPosition(s->getLoc(), os);
      })
      .Case([&](const ForStmt *s) {
        os << "(for " << s->var << " ";
        printExpr(*s->range, os);
        printPosition(s->getLoc(), os);
        os << "\n";
        printStmts(s->body, indent + 2, os);
        os.indent(indent) << ")";
      })
      .Case([&](const IfStmt *s) {
        os << "(if ";
        printExpr(*s->condition, os);
        printPosition(s->getLoc(), os);
        os << "\n";
        printStmts(s->thenBody, indent + 2, os);
        if (!s->elseBody.empty()) {
          os.indent(indent) << " else\n";
          printStmts(s->elseBody, indent + 2, os);
        }
        os.indent(indent) << ")";
      })
      .Case([&](const TrainStmt *s) {
        os << "(train";
        printPosition(s->getLoc(), os);
        os << "\n";
        printStmts(s->body, indent + 2, os);
        os.indent(indent) << ")";
      });
  os << "\n";
}

static void printStmts(const StmtList &stmts, unsigned indent, raw_ostream &os) {
  for (const StmtPtr &stmt : stmts)
    printStmt(*stmt, indent, os);
}

void nnc::frontend::printAST(const File &file, raw_ostream &os) {
  for (const auto &block : file.blocks) {
    os << "(block " << block->name << " (";
    llvm::interleave(
        block->params, os,
        [&](const BlockParam &param) {
          os << param.name;
          if (!param.type.empty())
            os << ":" << param.type;
          if (param.defaultValue) {
            os << "=";
            printExpr(*param.defaultValue, os);
          }
        },
        " ");
    os << ")\n";
    printStmts(block->body, 2, os);
    os << ")\n";
  }
  for (const auto &model : file.models) {
    os << "(model " << model->name << "\n";
    printStmts(model->body, 2, os);
    os << ")\n";
  }
}
