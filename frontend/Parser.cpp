//===- Parser.cpp - recursive-descent parser for .nn ----------------------===//
//
// Statements end at a line break: after a statement the next token must start
// a new line (or close a brace). Expressions may continue over lines after an
// operator or inside brackets, and a line may start with `|>` to continue a
// pipeline. The grammar is in docs/language.md; expressions are parsed in
// ParseExpressions.cpp.
//
//===----------------------------------------------------------------------===//

#include "frontend/ParserImpl.h"

#include "llvm/ADT/StringExtras.h"

#include <set>

using namespace nnc::frontend;
using nnc::frontend::detail::Context;
using nnc::frontend::detail::Parser;
using llvm::StringRef;

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
