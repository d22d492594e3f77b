//===- ParseExpressions.cpp - expressions of .nn --------------------------===//
//
// The expression half of the .nn parser (ParserImpl.h): operators by
// precedence, postfix calls and indexing, layer labels and call arguments.
// Expressions may continue over lines after an operator or inside brackets.
//
//===----------------------------------------------------------------------===//

#include "frontend/ParserImpl.h"

#include "llvm/ADT/StringExtras.h"

using namespace nnc::frontend;
using nnc::frontend::detail::Parser;
using llvm::StringRef;

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
