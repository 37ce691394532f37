#include "exact_fraction.hpp"

#include <algorithm>

namespace grove::sched {
namespace {

using Int = Fraction::Int;

Int absInt(Int v) { return v < 0 ? -v : v; }

Int gcdInt(Int a, Int b) {
  a = absInt(a);
  b = absInt(b);
  while (b != 0) {
    Int t = a % b;
    a = b;
    b = t;
  }
  return a;
}

Int mulChecked(Int a, Int b) {
  Int r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw std::overflow_error("exact fraction overflow");
  return r;
}

Int addChecked(Int a, Int b) {
  Int r = 0;
  if (__builtin_add_overflow(a, b, &r)) throw std::overflow_error("exact fraction overflow");
  return r;
}

std::string intToString(Int v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  std::string s;
  for (Int a = absInt(v); a > 0; a /= 10) s.push_back(static_cast<char>('0' + static_cast<int>(a % 10)));
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

Int parseInt(const std::string& t) {
  if (t.empty()) throw std::invalid_argument("empty number");
  std::size_t i = 0;
  bool neg = false;
  if (t[0] == '-' || t[0] == '+') neg = t[0] == '-', i = 1;
  if (i == t.size()) throw std::invalid_argument("bad number '" + t + "'");
  Int v = 0;
  for (; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') throw std::invalid_argument("bad number '" + t + "'");
    v = addChecked(mulChecked(v, 10), t[i] - '0');
  }
  return neg ? -v : v;
}

}  // namespace

Fraction::Int gcd128(Fraction::Int a, Fraction::Int b) { return gcdInt(a, b); }
Fraction::Int lcm128(Fraction::Int a, Fraction::Int b) {
  if (a == 0 || b == 0) return 0;
  return mulChecked(absInt(a) / gcdInt(a, b), absInt(b));
}

void Fraction::normalize() {
  if (den_ == 0) throw std::invalid_argument("fraction with zero denominator");
  if (den_ < 0) num_ = -num_, den_ = -den_;
  Int g = gcdInt(num_, den_);
  if (g > 1) num_ /= g, den_ /= g;
}

std::string Fraction::toString() const {
  return den_ == 1 ? intToString(num_) : intToString(num_) + "/" + intToString(den_);
}

Fraction Fraction::parse(const std::string& text) {
  auto slash = text.find('/');
  if (slash != std::string::npos)
    return Fraction(parseInt(text.substr(0, slash)), parseInt(text.substr(slash + 1)));
  auto dot = text.find('.');
  if (dot == std::string::npos) return Fraction(parseInt(text), 1);
  std::string frac = text.substr(dot + 1);
  Int den = 1;
  for (std::size_t i = 0; i < frac.size(); ++i) den = mulChecked(den, 10);
  std::string whole = text.substr(0, dot);
  bool neg = !whole.empty() && whole[0] == '-';
  Int w = whole.empty() || whole == "-" || whole == "+" ? 0 : parseInt(whole);
  Int f = frac.empty() ? 0 : parseInt(frac);
  Int n = addChecked(mulChecked(absInt(w), den), f);
  return Fraction(neg ? -n : n, den);
}

Fraction operator+(const Fraction& a, const Fraction& b) {
  Int g = gcdInt(a.den_, b.den_);
  Int den = mulChecked(a.den_ / g, b.den_);
  return Fraction(addChecked(mulChecked(a.num_, b.den_ / g), mulChecked(b.num_, a.den_ / g)), den);
}

Fraction operator*(const Fraction& a, const Fraction& b) {
  Int g1 = gcdInt(a.num_, b.den_), g2 = gcdInt(b.num_, a.den_);
  if (g1 == 0) g1 = 1;
  if (g2 == 0) g2 = 1;
  return Fraction(mulChecked(a.num_ / g1, b.num_ / g2), mulChecked(a.den_ / g2, b.den_ / g1));
}

Fraction operator/(const Fraction& a, const Fraction& b) {
  if (b.num_ == 0) throw std::invalid_argument("division by zero fraction");
  return a * Fraction(b.den_, b.num_);
}

bool operator<(const Fraction& a, const Fraction& b) {
  // Cross-multiplication can overflow 128 bits only for absurd inputs; fall back to subtraction.
  return (a - b).num_ < 0;
}

}  // namespace grove::sched
