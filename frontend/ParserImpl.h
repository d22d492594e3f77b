//===- ParserImpl.h - the .nn parser's state, shared by its files -*- C++ -*-===//
//
// The recursive-descent parser behind nnc::frontend::parseFile: statements
// and declarations in Parser.cpp, expressions in ParseExpressions.cpp. Not a
// public interface; include Parser.h instead.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_PARSERIMPL_H
#define NNC_FRONTEND_PARSERIMPL_H

#include "frontend/Parser.h"

#include "mlir/IR/Diagnostics.h"

#include <algorithm>
#include <functional>

namespace nnc::frontend::detail {

using llvm::StringRef;

/// Where a statement list sits; decides which statements are legal.
enum class Context { Model, Block, Train };

class Parser {
public:
  Parser(std::vector<Token> tokens, StringRef filename, mlir::MLIRContext *context)
      : tokens(std::move(tokens)), filename(filename), context(context) {}

  std::unique_ptr<File> parseFile();
  bool hadError() const { return failed; }

private:
  // Token access.
  const Token &tok() const { return tokens[index]; }
  /// The token `ahead` positions from the current one (-1: the previous).
  const Token &peekTok(ptrdiff_t ahead) const {
    ptrdiff_t at = std::clamp<ptrdiff_t>(ptrdiff_t(index) + ahead, 0, tokens.size() - 1);
    return tokens[at];
  }
  bool is(TokenKind kind) const { return tok().kind == kind; }
  void advance() {
    if (!is(TokenKind::Eof))
      ++index;
  }
  bool consumeIf(TokenKind kind) {
    if (!is(kind))
      return false;
    advance();
    return true;
  }
  mlir::Location locOf(const Token &token) const {
    return mlir::FileLineColLoc::get(context, filename, token.line, token.column);
  }
  mlir::Location loc() const { return locOf(tok()); }

  // Diagnostics.
  mlir::InFlightDiagnostic error(mlir::Location at) {
    failed = true;
    return mlir::emitError(at);
  }
  /// An error at the current token. (At an Error token, which the lexer
  /// has reported, parseFile's handler drops it.)
  mlir::InFlightDiagnostic errorHere() { return error(loc()); }
  StringRef describe(const Token &token) const {
    return token.kind == TokenKind::Eof ? StringRef("end of file") : token.text;
  }
  bool expect(TokenKind kind, StringRef context);
  void skipToNextLine();
  /// Skips to the next `model` or `block` that starts a line.
  void skipToTopLevel();
  bool endStatement();

  // Top level.
  std::unique_ptr<BlockDef> parseBlock();
  std::unique_ptr<ModelDef> parseModel();
  bool parseBody(StmtList &body, Context ctx, bool nested);
  StmtPtr parseStatement(Context ctx, bool nested);
  std::optional<TensorTypeSpec> parseTensorType();

  // Expressions.
  ExprPtr parseExpr();
  ExprPtr parseOr();
  ExprPtr parseAnd();
  ExprPtr parseNot();
  ExprPtr parseComparison();
  ExprPtr parseAdditive();
  ExprPtr parseMultiplicative();
  ExprPtr parseUnary();
  /// Parses a prefix operator at the current token applied to `operand`.
  ExprPtr parsePrefix(UnaryExpr::Op op, const std::function<ExprPtr()> &operand);
  ExprPtr parsePostfix();
  ExprPtr parsePrimary();
  std::unique_ptr<CallExpr> parseCallTarget();
  bool parseLabel(std::vector<LabelSegment> &label);
  bool parseLabelSegment(LabelSegment &segment);
  size_t skipLabelSegment(size_t ahead) const;
  bool parseArguments(CallExpr &call);
  bool looksLikeLabel() const;

  /// Guards recursion depth so deeply nested input cannot overflow the stack.
  struct DepthGuard {
    explicit DepthGuard(Parser &parser) : parser(parser) { ++parser.depth; }
    ~DepthGuard() { --parser.depth; }
    bool tooDeep() const { return parser.depth > kMaxDepth; }
    Parser &parser;
  };
  static constexpr int kMaxDepth = 200;
  /// Binary operators, pipes and index suffixes one statement may chain; the
  /// evaluator recurses once per link.
  static constexpr int kMaxChain = 1000;
  int chainLinks = 0;
  bool countLink() {
    if (++chainLinks <= kMaxChain)
      return true;
    if (chainLinks == kMaxChain + 1)
      errorHere() << "expression is too long (more than " << kMaxChain << " operators)";
    return false;
  }

  std::vector<Token> tokens;
  size_t index = 0;
  StringRef filename;
  mlir::MLIRContext *context;
  bool failed = false;
  int depth = 0;
};

} // namespace nnc::frontend::detail

#endif // NNC_FRONTEND_PARSERIMPL_H
