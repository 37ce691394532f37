// Exact text form of bandwidths: decimals and fractions <-> Rational, without floating point.
#include <cstdint>

#include "schedules/dot_io.hpp"

namespace grove::sched {
namespace {

// Limits keep every value and every sum of a few million values far from int64 overflow: at most 1e9
// GB/s (an exabyte per second) and at most nine decimal places (or a denominator of at most 1e9).
constexpr std::int64_t kMaxValue = 1'000'000'000;
constexpr std::int64_t kMaxDenominator = 1'000'000'000;
constexpr int kMaxDigits = 18;  // 10^18 < 2^63

// Reads an unsigned decimal integer of at most kMaxDigits significant digits.
std::optional<std::int64_t> parseDigits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  int significant = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v == 0 && c == '0') continue;
    if (++significant > kMaxDigits) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool inRange(const Rational& r) {
  return r.denominator() <= kMaxDenominator && r.numerator() / r.denominator() < kMaxValue;
}

}  // namespace

std::optional<Rational> parseRationalText(std::string_view text) {
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    auto num = parseDigits(text.substr(0, slash));
    auto den = parseDigits(text.substr(slash + 1));
    if (!num || !den || *den == 0) return std::nullopt;
    Rational r(*num, *den);
    if (!inRange(r)) return std::nullopt;
    return r;
  }
  if (text.find_first_of("0123456789") == std::string_view::npos) return std::nullopt;
  std::string_view whole = text, frac;
  if (auto dot = text.find('.'); dot != std::string_view::npos) {
    whole = text.substr(0, dot);
    frac = text.substr(dot + 1);
    while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);  // 12.50 == 12.5
  }
  if (frac.size() > 9) return std::nullopt;
  auto w = whole.empty() ? std::optional<std::int64_t>(0) : parseDigits(whole);
  auto f = frac.empty() ? std::optional<std::int64_t>(0) : parseDigits(frac);
  if (!w || !f || *w >= kMaxValue) return std::nullopt;
  std::int64_t scale = 1;
  for (std::size_t i = 0; i < frac.size(); ++i) scale *= 10;
  return Rational(*w * scale + *f, scale);
}

std::string formatRational(const Rational& value) {
  std::int64_t num = value.numerator(), den = value.denominator();
  // Work in unsigned __int128: |INT64_MIN| does not fit int64, and the scaled numerator below may exceed
  // 64 bits.
  unsigned __int128 mag = num < 0 ? static_cast<unsigned __int128>(-(num + 1)) + 1 : num;
  auto digitsOf = [](unsigned __int128 v) {
    char buf[48];
    int n = 0;
    do {
      buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
      v /= 10;
    } while (v != 0);
    std::string s;
    while (n > 0) s.push_back(buf[--n]);
    return s;
  };
  std::string out = num < 0 ? "-" : "";
  // A finite decimal exists iff the denominator has no prime factor other than 2 and 5.
  std::int64_t rest = den;
  int twos = 0, fives = 0;
  while (rest % 2 == 0) rest /= 2, ++twos;
  while (rest % 5 == 0) rest /= 5, ++fives;
  if (rest != 1) {
    out.append(digitsOf(mag));
    out.push_back('/');
    out.append(digitsOf(static_cast<unsigned __int128>(den)));
    return out;
  }
  int places = twos > fives ? twos : fives;
  unsigned __int128 factor = 1;
  for (int i = 0; i < places; ++i) factor *= 10;
  std::string digits = digitsOf(mag * (factor / static_cast<unsigned __int128>(den)));
  if (places == 0) return out.append(digits);
  // Left-pad so that at least one digit precedes the decimal point (0.125, not .125).
  std::size_t width = static_cast<std::size_t>(places) + 1;
  std::string padded(digits.size() < width ? width - digits.size() : 0, '0');
  padded.append(digits);
  std::size_t point = padded.size() - static_cast<std::size_t>(places);
  out.append(padded, 0, point);
  out.push_back('.');
  out.append(padded, point, std::string::npos);
  return out;
}

}  // namespace grove::sched
