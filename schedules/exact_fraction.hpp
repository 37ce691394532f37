/// @file exact_fraction.hpp
/// A small exact fraction on 128-bit integers for bandwidth and share arithmetic that must not round
/// (plan shares, link loads, algbw). Overflow is detected and reported, never wrapped.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace grove::sched {

/// num/den with den > 0, always reduced.
class Fraction {
 public:
  using Int = __int128;
  Fraction() = default;
  Fraction(std::int64_t n) : num_(n), den_(1) {}  // NOLINT: integers convert implicitly
  Fraction(Int n, Int d) : num_(n), den_(d) { normalize(); }

  Int num() const { return num_; }
  Int den() const { return den_; }
  double toDouble() const { return static_cast<double>(num_) / static_cast<double>(den_); }
  /// "n/d", or "n" when den == 1.
  std::string toString() const;
  /// Parses "n", "n/d" or a decimal such as "0.25"; throws std::invalid_argument.
  static Fraction parse(const std::string& text);

  friend Fraction operator+(const Fraction& a, const Fraction& b);
  friend Fraction operator-(const Fraction& a, const Fraction& b) { return a + Fraction(-b.num_, b.den_); }
  friend Fraction operator*(const Fraction& a, const Fraction& b);
  friend Fraction operator/(const Fraction& a, const Fraction& b);
  friend bool operator<(const Fraction& a, const Fraction& b);
  friend bool operator==(const Fraction& a, const Fraction& b) {
    return a.num_ == b.num_ && a.den_ == b.den_;
  }
  friend bool operator!=(const Fraction& a, const Fraction& b) { return !(a == b); }
  friend bool operator>(const Fraction& a, const Fraction& b) { return b < a; }
  friend bool operator<=(const Fraction& a, const Fraction& b) { return !(b < a); }
  friend bool operator>=(const Fraction& a, const Fraction& b) { return !(a < b); }

 private:
  void normalize();
  Int num_ = 0;
  Int den_ = 1;
};

/// Greatest common divisor and least common multiple on 128-bit integers (non-negative results).
Fraction::Int gcd128(Fraction::Int a, Fraction::Int b);
Fraction::Int lcm128(Fraction::Int a, Fraction::Int b);

}  // namespace grove::sched
