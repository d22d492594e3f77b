//===- Parser.cpp - recursive-descent parser for .nn ----------------------===//
//
// Statements end at a line break: after a statement the next token must start
// a new line (or close a brace). Expressions may continue over lines after an
// operator or inside brackets, and a line may start with `|>` to continue a
// pipeline. The grammar is in docs/language.md.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"

#include <functional>
#include <set>

using namespace nnc::frontend;
using llvm::StringRef;

namespace {

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

} // namespace

bool Parser::expect(TokenKind kind, StringRef what) {
  if (consumeIf(kind))
    return true;
  errorHere() << "expected " << spell(kind) << " " << what << ", got '" << describe(tok())
              << "'";
  return false;
}

void Parser::skipToNextLine() {
  // Skip whole bodies opened on the way, and stop before a '}' that closes
  // the enclosing one.
  int depth = 0;
  do {
    if (is(TokenKind::LBrace))
      ++depth;
    else if (is(TokenKind::RBrace) && --depth < 0)
      return;
    advance();
  } while (!is(TokenKind::Eof) &&
           !(depth == 0 && tok().startsLine && !is(TokenKind::Pipe)));
}

void Parser::skipToTopLevel() {
  advance();
  while (!is(TokenKind::Eof) &&
         !(tok().startsLine && (is(TokenKind::KwModel) || is(TokenKind::KwBlock))))
    advance();
}

bool Parser::endStatement() {
  if (tok().startsLine || is(TokenKind::RBrace) || is(TokenKind::Eof))
    return true;
  if (is(TokenKind::Error)) {
    failed = true;
    skipToNextLine();
    return false;
  }
  errorHere() << "expected a line break after the statement, got '" << describe(tok())
              << "'";
  skipToNextLine();
  return false;
}

std::unique_ptr<File> Parser::parseFile() {
  auto file = std::make_unique<File>();
  while (!is(TokenKind::Eof)) {
    if (is(TokenKind::KwBlock)) {
      if (auto block = parseBlock())
        file->blocks.push_back(std::move(block));
    } else if (is(TokenKind::KwModel)) {
      if (auto model = parseModel())
        file->models.push_back(std::move(model));
    } else {
      errorHere() << "expected 'model' or 'block' at the top level, got '"
                  << describe(tok()) << "'";
      advance();
      while (!is(TokenKind::Eof) && !is(TokenKind::KwModel) && !is(TokenKind::KwBlock))
        advance();
    }
  }
  return file;
}

std::unique_ptr<BlockDef> Parser::parseBlock() {
  auto block = std::make_unique<BlockDef>(BlockDef{"", {}, {}, loc()});
  advance(); // 'block'
  block->name = std::string(tok().text);
  if (!expect(TokenKind::Identifier, "(the block's name)") ||
      !expect(TokenKind::LParen, "after the block name"))
    return skipToTopLevel(), nullptr;
  while (!is(TokenKind::RParen)) {
    BlockParam param{std::string(tok().text), "", nullptr, loc()};
    if (!expect(TokenKind::Identifier, "(a parameter name)"))
      return skipToTopLevel(), nullptr;
    if (consumeIf(TokenKind::Colon)) {
      param.type = std::string(tok().text);
      static const StringRef kTypes[] = {"tensor", "int", "float", "bool", "string", "list"};
      if (!is(TokenKind::Identifier) || llvm::find(kTypes, tok().text) == std::end(kTypes)) {
        errorHere() << "unknown parameter type '" << describe(tok())
                    << "' (expected tensor, int, float, bool, string or list)";
        return skipToTopLevel(), nullptr;
      }
      advance();
    }
    if (consumeIf(TokenKind::Assign)) {
      param.defaultValue = parseExpr();
      if (!param.defaultValue)
        return skipToTopLevel(), nullptr;
    }
    block->params.push_back(std::move(param));
    if (!consumeIf(TokenKind::Comma))
      break;
  }
  if (!expect(TokenKind::RParen, "to close the parameter list"))
    return skipToTopLevel(), nullptr;
  if (!parseBody(block->body, Context::Block, false))
    return nullptr;
  return block;
}

std::unique_ptr<ModelDef> Parser::parseModel() {
  auto model = std::make_unique<ModelDef>(ModelDef{"", {}, loc()});
  advance(); // 'model'
  model->name = std::string(tok().text);
  if (!expect(TokenKind::Identifier, "(the model's name)"))
    return skipToTopLevel(), nullptr;
  if (!parseBody(model->body, Context::Model, false))
    return nullptr;
  return model;
}

bool Parser::parseBody(StmtList &body, Context ctx, bool nested) {
  if (!expect(TokenKind::LBrace, "to open a body"))
    return false;
  DepthGuard guard(*this);
  if (guard.tooDeep()) {
    errorHere() << "statements are nested too deeply (more than " << kMaxDepth << " levels)";
    return false;
  }
  while (!is(TokenKind::RBrace) && !is(TokenKind::Eof)) {
    size_t before = index;
    if (StmtPtr stmt = parseStatement(ctx, nested)) {
      if (endStatement())
        body.push_back(std::move(stmt));
    } else if (index == before || !tok().startsLine) {
      skipToNextLine();
    }
  }
  return expect(TokenKind::RBrace, "to close the body");
}

std::optional<TensorTypeSpec> Parser::parseTensorType() {
  TensorTypeSpec type{std::string(tok().text), {}, loc()};
  if (!is(TokenKind::Identifier) || (tok().text != "f32" && tok().text != "i32")) {
    errorHere() << "expected a tensor type such as f32[1,28,28] or i32[64], got '"
                << describe(tok()) << "'";
    return std::nullopt;
  }
  advance();
  if (!expect(TokenKind::LBracket, "after the element type"))
    return std::nullopt;
  do {
    int64_t dim = 0;
    if (!is(TokenKind::Integer) || tok().text.getAsInteger(10, dim)) {
      errorHere() << "expected a dimension size (a positive integer), got '"
                  << describe(tok()) << "'";
      return std::nullopt;
    }
    if (dim < 1 || dim > (int64_t(1) << 31)) {
      errorHere() << "dimension size must be between 1 and 2^31, got " << tok().text;
      return std::nullopt;
    }
    type.shape.push_back(dim);
    advance();
  } while (consumeIf(TokenKind::Comma));
  if (!expect(TokenKind::RBracket, "to close the shape"))
    return std::nullopt;
  return type;
}

StmtPtr Parser::parseStatement(Context ctx, bool nested) {
  mlir::Location start = loc();
  DepthGuard guard(*this);
  if (guard.tooDeep()) {
    errorHere() << "statements are nested too deeply (more than " << kMaxDepth << " levels)";
    return nullptr;
  }
  if (!nested)
    chainLinks = 0;
  auto requireTopLevelOf = [&](Context where, StringRef what) {
    if (ctx == where && !nested)
      return true;
    errorHere() << "'" << tok().text << "' is only allowed at the top level of " << what;
    return false;
  };
  switch (tok().kind) {
  case TokenKind::KwInput:
  case TokenKind::KwTarget: {
    bool isInput = is(TokenKind::KwInput);
    if (!requireTopLevelOf(isInput ? Context::Model : Context::Train,
                           isInput ? "a model" : "a train section"))
      return nullptr;
    advance();
    std::string name(tok().text);
    if (!expect(TokenKind::Identifier, "(the declared name)") ||
        !expect(TokenKind::Colon, "before the tensor type"))
      return nullptr;
    auto type = parseTensorType();
    if (!type)
      return nullptr;
    if (isInput)
      return std::make_unique<InputStmt>(start, std::move(name), std::move(*type));
    return std::make_unique<TargetStmt>(start, std::move(name), std::move(*type));
  }
  case TokenKind::KwOutput: {
    if (!requireTopLevelOf(Context::Model, "a model"))
      return nullptr;
    advance();
    std::string name(tok().text);
    if (!expect(TokenKind::Identifier, "(the output's name)"))
      return nullptr;
    ExprPtr value;
    if (consumeIf(TokenKind::Assign) && !(value = parseExpr()))
      return nullptr;
    return std::make_unique<OutputStmt>(start, std::move(name), std::move(value));
  }
  case TokenKind::KwTrain: {
    if (!requireTopLevelOf(Context::Model, "a model"))
      return nullptr;
    advance();
    StmtList body;
    if (!parseBody(body, Context::Train, false))
      return nullptr;
    return std::make_unique<TrainStmt>(start, std::move(body));
  }
  case TokenKind::KwLoss: {
    if (!requireTopLevelOf(Context::Train, "a train section"))
      return nullptr;
    advance();
    if (!expect(TokenKind::Assign, "after 'loss'"))
      return nullptr;
    ExprPtr value = parseExpr();
    return value ? std::make_unique<LossStmt>(start, std::move(value)) : nullptr;
  }
  case TokenKind::KwOptimizer: {
    if (!requireTopLevelOf(Context::Train, "a train section"))
      return nullptr;
    advance();
    if (!expect(TokenKind::Assign, "after 'optimizer'"))
      return nullptr;
    auto call = parseCallTarget();
    return call ? std::make_unique<OptimizerStmt>(start, std::move(call)) : nullptr;
  }
  case TokenKind::KwFor: {
    advance();
    std::string var(tok().text);
    if (!expect(TokenKind::Identifier, "(the loop variable)") ||
        !expect(TokenKind::KwIn, "after the loop variable"))
      return nullptr;
    ExprPtr range = parseExpr();
    StmtList body;
    if (!range || !parseBody(body, ctx, true))
      return nullptr;
    return std::make_unique<ForStmt>(start, std::move(var), std::move(range), std::move(body));
  }
  case TokenKind::KwIf: {
    advance();
    ExprPtr condition = parseExpr();
    StmtList thenBody, elseBody;
    if (!condition || !parseBody(thenBody, ctx, true))
      return nullptr;
    if (consumeIf(TokenKind::KwElse)) {
      if (is(TokenKind::KwIf)) {
        StmtPtr elseIf = parseStatement(ctx, true);
        if (!elseIf)
          return nullptr;
        elseBody.push_back(std::move(elseIf));
      } else if (!parseBody(elseBody, ctx, true)) {
        return nullptr;
      }
    }
    return std::make_unique<IfStmt>(start, std::move(condition), std::move(thenBody),
                                    std::move(elseBody));
  }
  case TokenKind::KwReturn: {
    if (ctx != Context::Block) {
      errorHere() << "'return' is only allowed in a block";
      return nullptr;
    }
    advance();
    ExprPtr value = parseExpr();
    return value ? std::make_unique<ReturnStmt>(start, std::move(value)) : nullptr;
  }
  case TokenKind::Identifier: {
    if (peekTok(1).kind != TokenKind::Assign)
      break;
    std::string name(tok().text);
    advance();
    advance();
    ExprPtr value = parseExpr();
    return value ? std::make_unique<AssignStmt>(start, std::move(name), std::move(value))
                 : nullptr;
  }
  default:
    break;
  }
  errorHere() << "expected a statement (such as 'name = expression'), got '"
              << describe(tok()) << "'";
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

ExprPtr Parser::parseExpr() {
  DepthGuard guard(*this);
  if (guard.tooDeep()) {
    errorHere() << "expression is nested too deeply (more than " << kMaxDepth << " levels)";
    return nullptr;
  }
  ExprPtr lhs = parseOr();
  while (lhs && is(TokenKind::Pipe)) {
    if (!countLink())
      return nullptr;
    advance();
    std::unique_ptr<CallExpr> call = parseCallTarget();
    if (!call)
      return nullptr;
    call->args.insert(call->args.begin(), Argument{"", lhs->getLoc(), std::move(lhs)});
    call->piped = true;
    lhs = std::move(call);
  }
  return lhs;
}

/// Parses a left-associative chain of binary operators over `next`.
template <typename NextFn, typename OpFn>
static ExprPtr parseBinaryChain(NextFn next, OpFn opFor,
                                const std::function<mlir::Location()> &loc,
                                const std::function<void()> &advance,
                                const std::function<bool()> &countLink) {
  ExprPtr lhs = next();
  while (lhs) {
    std::optional<BinaryExpr::Op> op = opFor();
    if (!op)
      break;
    if (!countLink())
      return nullptr;
    mlir::Location at = loc();
    advance();
    ExprPtr rhs = next();
    if (!rhs)
      return nullptr;
    lhs = std::make_unique<BinaryExpr>(at, *op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseOr() {
  return parseBinaryChain(
      [&] { return parseAnd(); },
      [&]() -> std::optional<BinaryExpr::Op> {
        if (is(TokenKind::KwOr))
          return BinaryExpr::Op::Or;
        return std::nullopt;
      },
      [&] { return loc(); }, [&] { advance(); }, [&] { return countLink(); });
}

ExprPtr Parser::parseAnd() {
  return parseBinaryChain(
      [&] { return parseNot(); },
      [&]() -> std::optional<BinaryExpr::Op> {
        if (is(TokenKind::KwAnd))
          return BinaryExpr::Op::And;
        return std::nullopt;
      },
      [&] { return loc(); }, [&] { advance(); }, [&] { return countLink(); });
}

ExprPtr Parser::parseNot() {
  if (!is(TokenKind::KwNot))
    return parseComparison();
  return parsePrefix(UnaryExpr::Op::Not, [&] { return parseNot(); });
}

ExprPtr Parser::parsePrefix(UnaryExpr::Op op, const std::function<ExprPtr()> &operand) {
  mlir::Location at = loc();
  advance(); // the operator
  DepthGuard guard(*this);
  if (guard.tooDeep()) {
    errorHere() << "expression is nested too deeply (more than " << kMaxDepth << " levels)";
    return nullptr;
  }
  ExprPtr value = operand();
  return value ? std::make_unique<UnaryExpr>(at, op, std::move(value)) : nullptr;
}

ExprPtr Parser::parseComparison() {
  ExprPtr lhs = parseAdditive();
  if (!lhs)
    return nullptr;
  std::optional<BinaryExpr::Op> op;
  switch (tok().kind) {
  case TokenKind::Equal: op = BinaryExpr::Op::Eq; break;
  case TokenKind::NotEqual: op = BinaryExpr::Op::Ne; break;
  case TokenKind::Less: op = BinaryExpr::Op::Lt; break;
  case TokenKind::LessEqual: op = BinaryExpr::Op::Le; break;
  case TokenKind::Greater: op = BinaryExpr::Op::Gt; break;
  case TokenKind::GreaterEqual: op = BinaryExpr::Op::Ge; break;
  default: return lhs;
  }
  mlir::Location at = loc();
  if (!countLink())
    return nullptr;
  advance();
  ExprPtr rhs = parseAdditive();
  if (!rhs)
    return nullptr;
  return std::make_unique<BinaryExpr>(at, *op, std::move(lhs), std::move(rhs));
}

ExprPtr Parser::parseAdditive() {
  return parseBinaryChain(
      [&] { return parseMultiplicative(); },
      [&]() -> std::optional<BinaryExpr::Op> {
        if (is(TokenKind::Plus))
          return BinaryExpr::Op::Add;
        if (is(TokenKind::Minus))
          return BinaryExpr::Op::Sub;
        return std::nullopt;
      },
      [&] { return loc(); }, [&] { advance(); }, [&] { return countLink(); });
}

ExprPtr Parser::parseMultiplicative() {
  return parseBinaryChain(
      [&] { return parseUnary(); },
      [&]() -> std::optional<BinaryExpr::Op> {
        switch (tok().kind) {
        case TokenKind::Star: return BinaryExpr::Op::Mul;
        case TokenKind::Slash: return BinaryExpr::Op::Div;
        case TokenKind::SlashSlash: return BinaryExpr::Op::FloorDiv;
        case TokenKind::Percent: return BinaryExpr::Op::Mod;
        default: return std::nullopt;
        }
      },
      [&] { return loc(); }, [&] { advance(); }, [&] { return countLink(); });
}

ExprPtr Parser::parseUnary() {
  if (!is(TokenKind::Minus))
    return parsePostfix();
  return parsePrefix(UnaryExpr::Op::Negate, [&] { return parseUnary(); });
}

ExprPtr Parser::parsePostfix() {
  ExprPtr base = parsePrimary();
  while (base && is(TokenKind::LBracket) && !tok().startsLine) {
    if (!countLink())
      return nullptr;
    mlir::Location at = loc();
    advance();
    ExprPtr index = parseExpr();
    if (!index || !expect(TokenKind::RBracket, "to close the index"))
      return nullptr;
    base = std::make_unique<IndexExpr>(at, std::move(base), std::move(index));
  }
  return base;
}

/// True when `next` follows `token` with no space between them.
static bool adjacent(const Token &token, const Token &next) {
  return next.line == token.line && next.column == token.column + token.text.size();
}

size_t Parser::skipLabelSegment(size_t ahead) const {
  // A segment is adjacent parts: identifiers, integers and `{...}` groups.
  while (true) {
    TokenKind kind = peekTok(ahead).kind;
    if (kind == TokenKind::LBrace) {
      int braces = 0;
      do {
        TokenKind inner = peekTok(ahead).kind;
        if (inner == TokenKind::LBrace)
          ++braces;
        else if (inner == TokenKind::RBrace)
          --braces;
        else if (inner == TokenKind::Eof)
          return 0;
        ++ahead;
      } while (braces > 0);
    } else if (kind == TokenKind::Identifier || kind == TokenKind::Integer ||
               kind == TokenKind::Float) {
      ++ahead;
    } else {
      return 0;
    }
    if (!adjacent(peekTok(ahead - 1), peekTok(ahead)) ||
        (peekTok(ahead).kind != TokenKind::LBrace &&
         peekTok(ahead).kind != TokenKind::Identifier &&
         peekTok(ahead).kind != TokenKind::Integer))
      return ahead;
  }
}

bool Parser::looksLikeLabel() const {
  // A label is a dotted path of segments followed by ':' ("layer{s}.{i}: ...").
  size_t ahead = skipLabelSegment(0);
  while (ahead && peekTok(ahead).kind == TokenKind::Dot)
    ahead = skipLabelSegment(ahead + 1);
  return ahead && peekTok(ahead).kind == TokenKind::Colon;
}

bool Parser::parseLabelSegment(LabelSegment &segment) {
  do {
    if (is(TokenKind::Identifier) || is(TokenKind::Integer)) {
      segment.push_back(LabelPart{std::string(tok().text), nullptr});
      advance();
    } else if (is(TokenKind::LBrace)) {
      advance();
      ExprPtr value = parseExpr();
      if (!value || !is(TokenKind::RBrace)) {
        if (value)
          errorHere() << "expected '}' to close the interpolated label part, got '"
                      << describe(tok()) << "'";
        return false;
      }
      segment.push_back(LabelPart{"", std::move(value)});
      advance();
    } else {
      errorHere() << "expected a label segment (a name, an integer or {expression}), got '"
                  << describe(tok()) << "'";
      return false;
    }
  } while (adjacent(peekTok(-1), tok()) &&
           (is(TokenKind::Identifier) || is(TokenKind::Integer) || is(TokenKind::LBrace)));
  return true;
}

bool Parser::parseLabel(std::vector<LabelSegment> &label) {
  do {
    if (is(TokenKind::Float) && !tok().text.contains_insensitive('e')) {
      // "stage.1.0" lexes its tail "1.0" as one float: split it back.
      auto [head, tail] = tok().text.split('.');
      for (StringRef part : {head, tail}) {
        label.emplace_back();
        label.back().push_back(LabelPart{std::string(part), nullptr});
      }
      advance();
      continue;
    }
    label.emplace_back();
    if (!parseLabelSegment(label.back()))
      return false;
  } while (consumeIf(TokenKind::Dot));
  return expect(TokenKind::Colon, "after the layer label");
}

std::unique_ptr<CallExpr> Parser::parseCallTarget() {
  std::vector<LabelSegment> label;
  std::optional<mlir::Location> labelLoc;
  if (is(TokenKind::Identifier) && looksLikeLabel()) {
    labelLoc = loc();
    if (!parseLabel(label))
      return nullptr;
  }
  if (!is(TokenKind::Identifier)) {
    errorHere() << "expected a layer or block name, got '" << describe(tok()) << "'";
    return nullptr;
  }
  auto call = std::make_unique<CallExpr>(loc(), std::string(tok().text));
  call->label = std::move(label);
  call->labelLoc = labelLoc;
  advance();
  if (is(TokenKind::LParen) && !tok().startsLine && !parseArguments(*call))
    return nullptr;
  return call;
}

bool Parser::parseArguments(CallExpr &call) {
  advance(); // '('
  bool sawKeyword = false;
  while (!is(TokenKind::RParen)) {
    Argument arg{"", loc(), nullptr};
    // Keywords of the language may name arguments too (`target=t`).
    bool isName = is(TokenKind::Identifier) ||
                  (!tok().text.empty() && llvm::isAlpha(tok().text.front()) &&
                   !is(TokenKind::Integer) && !is(TokenKind::Float));
    if (isName && peekTok(1).kind == TokenKind::Assign) {
      arg.keyword = std::string(tok().text);
      for (const Argument &previous : call.args)
        if (previous.keyword == arg.keyword) {
          errorHere() << "argument '" << arg.keyword << "' is given twice";
          return false;
        }
      sawKeyword = true;
      advance();
      advance();
    } else if (sawKeyword) {
      errorHere() << "positional argument after keyword arguments";
      return false;
    }
    arg.value = parseExpr();
    if (!arg.value)
      return false;
    call.args.push_back(std::move(arg));
    if (!consumeIf(TokenKind::Comma))
      break;
  }
  return expect(TokenKind::RParen, "to close the argument list");
}

ExprPtr Parser::parsePrimary() {
  mlir::Location at = loc();
  switch (tok().kind) {
  case TokenKind::Integer: {
    int64_t value = 0;
    if (tok().text.getAsInteger(10, value)) {
      errorHere() << "integer literal " << tok().text << " is too large";
      return nullptr;
    }
    advance();
    return std::make_unique<IntExpr>(at, value);
  }
  case TokenKind::Float: {
    double value = 0;
    if (tok().text.getAsDouble(value)) {
      errorHere() << "malformed float literal " << tok().text;
      return nullptr;
    }
    advance();
    return std::make_unique<FloatExpr>(at, value);
  }
  case TokenKind::String: {
    std::string value = tok().value;
    advance();
    return std::make_unique<StringExpr>(at, std::move(value));
  }
  case TokenKind::KwTrue:
  case TokenKind::KwFalse: {
    bool value = is(TokenKind::KwTrue);
    advance();
    return std::make_unique<BoolExpr>(at, value);
  }
  case TokenKind::LParen: {
    advance();
    ExprPtr inner = parseExpr();
    if (!inner || !expect(TokenKind::RParen, "to close the parenthesis"))
      return nullptr;
    return inner;
  }
  case TokenKind::LBracket: {
    advance();
    std::vector<ExprPtr> elements;
    while (!is(TokenKind::RBracket)) {
      ExprPtr element = parseExpr();
      if (!element)
        return nullptr;
      elements.push_back(std::move(element));
      if (!consumeIf(TokenKind::Comma))
        break;
    }
    if (!expect(TokenKind::RBracket, "to close the list"))
      return nullptr;
    return std::make_unique<ListExpr>(at, std::move(elements));
  }
  case TokenKind::Identifier: {
    bool isCall = looksLikeLabel() ||
                  (peekTok(1).kind == TokenKind::LParen && !peekTok(1).startsLine);
    if (isCall)
      return parseCallTarget();
    std::string name(tok().text);
    advance();
    return std::make_unique<NameExpr>(at, std::move(name));
  }
  case TokenKind::Error:
    // Already reported by the lexer.
    failed = true;
    return nullptr;
  default:
    errorHere() << "expected an expression, got '" << describe(tok()) << "'";
    return nullptr;
  }
}

std::unique_ptr<File> nnc::frontend::parseFile(StringRef source, StringRef filename,
                                               mlir::MLIRContext *context) {
  bool lexError = false;
  std::vector<Token> tokens = lex(source, filename, context, lexError);
  if (tokens.size() == 1 && !lexError) {
    mlir::emitError(mlir::FileLineColLoc::get(context, filename, 1, 1))
        << "the file contains no model (it is empty or only comments)";
    return nullptr;
  }
  // The lexer reported each bad token; drop the parser's errors about them.
  std::set<std::pair<unsigned, unsigned>> reported;
  for (const Token &token : tokens)
    if (token.kind == TokenKind::Error)
      reported.insert({token.line, token.column});
  mlir::ScopedDiagnosticHandler dropRepeats(context, [&](mlir::Diagnostic &diag) {
    auto at = llvm::dyn_cast<mlir::FileLineColLoc>(diag.getLocation());
    bool repeat = at && reported.count({at.getLine(), at.getColumn()});
    return repeat ? mlir::success() : mlir::failure();
  });
  Parser parser(std::move(tokens), filename, context);
  std::unique_ptr<File> file = parser.parseFile();
  if (lexError || parser.hadError())
    return nullptr;
  return file;
}
