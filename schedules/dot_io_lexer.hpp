/// @file dot_io_lexer.hpp
/// Tokens of the DOT language for the topology reader (internal to dot_io.cpp and its tests).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace grove::sched::dot {

/// Token kinds of DOT. Keywords are plain identifiers here; the parser recognises them, because DOT
/// keywords are case-insensitive and a quoted keyword is an ordinary name.
enum class Tok {
  kId,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kSemi,
  kComma,
  kEqual,
  kColon,
  kPlus,
  kArrow,
  kDashDash,
  kEnd
};

/// One token. `text` holds an identifier's value: quotes and line continuations removed, `\"` unescaped.
struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  bool quoted = false;  ///< A "string" or <html> ID: never a keyword.
  int line = 1;         ///< 1-based line where the token starts.
};

/// Splits DOT text into tokens one at a time, skipping whitespace and `//`, `/* */` and `#` comments.
/// Throws TopologyError naming the line for characters DOT does not allow, unterminated strings and
/// comments.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}
  /// Returns the next token; kEnd (repeatedly) at the end of the input.
  Token next();
  /// Human-readable description of a token for error messages, e.g. "'->'" or "identifier 'b0_nvs'".
  static std::string describe(const Token& token);

 private:
  void skipSpaceAndComments();
  Token lexNumeral();
  Token lexQuoted();
  Token lexHtml();
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  bool atEnd() const { return pos_ >= text_.size(); }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace grove::sched::dot
