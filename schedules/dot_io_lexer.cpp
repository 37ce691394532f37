#include "schedules/dot_io_lexer.hpp"

#include <cstdio>

#include "schedules/topology.hpp"

namespace grove::sched::dot {
namespace {

// DOT identifiers may contain any byte >= 0x80 so that UTF-8 names work without quoting.
bool isIdStart(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdChar(char c) { return isIdStart(c) || isDigit(c); }

std::string printable(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", u);
  return buf;
}

}  // namespace

void Lexer::skipSpaceAndComments() {
  while (!atEnd()) {
    char c = peek();
    if (c == '\n') {
      ++line_;
      ++pos_;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++pos_;
    } else if (c == '#' || (c == '/' && peek(1) == '/')) {
      while (!atEnd() && peek() != '\n') ++pos_;
    } else if (c == '/' && peek(1) == '*') {
      int start = line_;
      pos_ += 2;
      while (!atEnd() && !(peek() == '*' && peek(1) == '/')) {
        if (peek() == '\n') ++line_;
        ++pos_;
      }
      if (atEnd()) throw TopologyError("comment '/*' is never closed with '*/'", start);
      pos_ += 2;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skipSpaceAndComments();
  Token t;
  t.line = line_;
  if (atEnd()) return t;
  char c = peek();
  auto single = [&](Tok kind) {
    ++pos_;
    t.kind = kind;
    t.text = std::string(1, c);
    return t;
  };
  switch (c) {
    case '{':
      return single(Tok::kLBrace);
    case '}':
      return single(Tok::kRBrace);
    case '[':
      return single(Tok::kLBracket);
    case ']':
      return single(Tok::kRBracket);
    case ';':
      return single(Tok::kSemi);
    case ',':
      return single(Tok::kComma);
    case '=':
      return single(Tok::kEqual);
    case ':':
      return single(Tok::kColon);
    case '+':
      return single(Tok::kPlus);
    case '"':
      return lexQuoted();
    case '<':
      return lexHtml();
    default:
      break;
  }
  if (c == '-' && (peek(1) == '>' || peek(1) == '-')) {
    t.kind = peek(1) == '>' ? Tok::kArrow : Tok::kDashDash;
    t.text = std::string(text_.substr(pos_, 2));
    pos_ += 2;
    return t;
  }
  if (isDigit(c) || c == '.' || c == '-') return lexNumeral();
  if (isIdStart(c)) {
    std::size_t start = pos_;
    while (!atEnd() && isIdChar(peek())) ++pos_;
    t.kind = Tok::kId;
    t.text = std::string(text_.substr(start, pos_ - start));
    return t;
  }
  throw TopologyError("unexpected character " + printable(c), line_);
}

// DOT numerals: -?(.[0-9]+ | [0-9]+(.[0-9]*)?). A fraction "400/3" is not a numeral; write it quoted.
Token Lexer::lexNumeral() {
  Token t;
  t.line = line_;
  t.kind = Tok::kId;
  std::size_t start = pos_;
  if (peek() == '-') ++pos_;
  bool digits = false;
  while (isDigit(peek())) ++pos_, digits = true;
  if (peek() == '.') {
    ++pos_;
    while (isDigit(peek())) ++pos_, digits = true;
  }
  std::string_view lexeme = text_.substr(start, pos_ - start);
  if (!digits) throw TopologyError("'" + std::string(lexeme) + "' is not a number", line_);
  if (isIdChar(peek()) || peek() == '.')
    throw TopologyError("'" + std::string(lexeme) + peek() +
                            "...' is neither a number nor an identifier; put names in double quotes",
                        line_);
  t.text = std::string(lexeme);
  return t;
}

Token Lexer::lexQuoted() {
  Token t;
  t.line = line_;
  t.kind = Tok::kId;
  t.quoted = true;
  ++pos_;  // opening quote
  while (true) {
    if (atEnd()) throw TopologyError("string starting here is never closed with '\"'", t.line);
    char c = peek();
    if (c == '"') {
      ++pos_;
      return t;
    }
    if (c == '\\' && peek(1) == '"') {
      t.text += '"';
      pos_ += 2;
    } else if (c == '\\' && (peek(1) == '\n' || (peek(1) == '\r' && peek(2) == '\n'))) {
      // A backslash before the newline continues the string on the next line without a newline.
      pos_ += peek(1) == '\n' ? 2 : 3;
      ++line_;
    } else {
      if (c == '\n') ++line_;
      t.text += c;
      ++pos_;
    }
  }
}

// HTML strings <...> nest angle brackets; graphviz uses them for labels. We only keep their text.
Token Lexer::lexHtml() {
  Token t;
  t.line = line_;
  t.kind = Tok::kId;
  t.quoted = true;
  ++pos_;
  int depth = 1;
  while (true) {
    if (atEnd()) throw TopologyError("HTML string starting here is never closed with '>'", t.line);
    char c = peek();
    ++pos_;
    if (c == '\n') ++line_;
    if (c == '<') ++depth;
    if (c == '>' && --depth == 0) return t;
    t.text += c;
  }
}

std::string Lexer::describe(const Token& token) {
  switch (token.kind) {
    case Tok::kEnd:
      return "the end of the input";
    case Tok::kId:
      return (token.quoted ? "string \"" : "identifier '") + token.text.substr(0, 40) +
             (token.text.size() > 40 ? "..." : "") + (token.quoted ? "\"" : "'");
    default:
      return "'" + token.text + "'";
  }
}

}  // namespace grove::sched::dot
