#include "collectives/datatype.hpp"

#include <array>
#include <cmath>

namespace grove::coll {

const char* typeName(groveDataType_t t) {
  static const char* names[] = {"int8",    "uint8",    "int32",   "uint32",  "int64",   "uint64",
                                "float16", "bfloat16", "float32", "float64", "fp8e4m3", "fp8e5m2"};
  return validType(t) ? names[t] : "unknown";
}

const char* opName(groveRedOp_t op) {
  static const char* names[] = {"sum", "prod", "max", "min", "avg"};
  return validOp(op) ? names[op] : "unknown";
}

namespace {

// Decodes an 8-bit float with `mbits` mantissa bits and exponent bias `bias`.
float decodeFp8(std::uint8_t v, int mbits, int bias, bool hasInf) {
  const int ebits = 7 - mbits;
  const int sign = v >> 7, e = (v >> mbits) & ((1 << ebits) - 1), m = v & ((1 << mbits) - 1);
  float mag;
  if (e == (1 << ebits) - 1 && hasInf) {
    mag = m == 0 ? INFINITY : NAN;
  } else if (!hasInf && e == (1 << ebits) - 1 && m == (1 << mbits) - 1) {
    mag = NAN;
  } else if (e == 0) {
    mag = std::ldexp(static_cast<float>(m), 1 - bias - mbits);
  } else {
    mag = std::ldexp(static_cast<float>(m + (1 << mbits)), e - bias - mbits);
  }
  return sign ? -mag : mag;
}

// Rounds |f| to the nearest representable 8-bit float (ties to even) by searching the ordered codes:
// exact and simple, and encoding is off the hot path (once per output element).
std::uint8_t encodeFp8(float f, const float* table, std::uint8_t maxFinite, std::uint8_t overflow) {
  if (std::isnan(f)) return 0x7f;
  const std::uint8_t sign = std::signbit(f) ? 0x80 : 0;
  float a = std::fabs(f);
  const float maxv = table[maxFinite];
  const float nextUlp = maxv - table[maxFinite - 1];
  if (a >= maxv + nextUlp / 2) return sign | overflow;  // beyond rounding range: NaN / infinity
  int lo = 0, hi = maxFinite;                           // table[0..maxFinite] increasing
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (table[mid] <= a)
      lo = mid;
    else
      hi = mid - 1;
  }
  if (lo == maxFinite) return sign | static_cast<std::uint8_t>(lo);
  float below = table[lo], above = table[lo + 1];
  float dLo = a - below, dHi = above - a;
  int pick = dLo < dHi ? lo : dHi < dLo ? lo + 1 : ((lo & 1) ? lo + 1 : lo);
  return sign | static_cast<std::uint8_t>(pick);
}

struct Tables {
  std::array<float, 256> e4m3, e5m2;
  Tables() {
    for (int i = 0; i < 256; ++i) {
      e4m3[i] = decodeFp8(static_cast<std::uint8_t>(i), 3, 7, false);
      e5m2[i] = decodeFp8(static_cast<std::uint8_t>(i), 2, 15, true);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

float halfToFloat(std::uint16_t h) {
  const int sign = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float mag = e == 0x1f ? (m ? NAN : INFINITY)
              : e == 0  ? std::ldexp(static_cast<float>(m), -24)
                        : std::ldexp(static_cast<float>(m + 1024), e - 25);
  return sign ? -mag : mag;
}

std::uint16_t floatToHalf(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  u &= 0x7fffffffu;
  if (u > 0x7f800000u) return sign | 0x7e00;   // NaN
  if (u >= 0x477ff000u) return sign | 0x7c00;  // rounds beyond 65504: infinity
  if (u < 0x38800000u) {                       // below the smallest normal: subnormal or zero
    float a;
    std::memcpy(&a, &u, 4);
    return sign | static_cast<std::uint16_t>(std::nearbyint(a * 16777216.0f));  // units of 2^-24, ties even
  }
  std::uint32_t r = u + 0xfffu + ((u >> 13) & 1u);  // round mantissa to 10 bits, ties to even
  return sign | static_cast<std::uint16_t>((r - 0x38000000u) >> 13);
}

const float* fp8e4m3Table() { return tables().e4m3.data(); }
const float* fp8e5m2Table() { return tables().e5m2.data(); }
float fp8e4m3ToFloat(std::uint8_t v) { return tables().e4m3[v]; }
float fp8e5m2ToFloat(std::uint8_t v) { return tables().e5m2[v]; }
// e4m3: largest finite 0x7e (448), overflow -> NaN 0x7f. e5m2: largest finite 0x7b (57344), overflow -> inf
// 0x7c.
std::uint8_t floatToFp8e4m3(float f) { return encodeFp8(f, tables().e4m3.data(), 0x7e, 0x7f); }
std::uint8_t floatToFp8e5m2(float f) {
  if (std::isnan(f)) return 0x7e;
  return encodeFp8(f, tables().e5m2.data(), 0x7b, 0x7c);
}

}  // namespace grove::coll
