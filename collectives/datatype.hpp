/// @file datatype.hpp
/// Element types of the C API: sizes, names, and the float conversions of the low-precision types.
/// Low-precision types reduce in float32 and are rounded once, to nearest-even.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "grove/grove.h"

namespace grove::coll {

/// Bytes per element; 0 for an unknown type. Inline: every call of the C API asks.
inline std::size_t typeSize(groveDataType_t t) {
  switch (t) {
    case groveInt8:
    case groveUint8:
    case groveFloat8e4m3:
    case groveFloat8e5m2:
      return 1;
    case groveFloat16:
    case groveBfloat16:
      return 2;
    case groveInt32:
    case groveUint32:
    case groveFloat32:
      return 4;
    case groveInt64:
    case groveUint64:
    case groveFloat64:
      return 8;
    default:
      return 0;
  }
}
/// "float32", "bfloat16", ...; "unknown" otherwise.
const char* typeName(groveDataType_t t);
/// "sum", "prod", "max", "min", "avg"; "unknown" otherwise.
const char* opName(groveRedOp_t op);
inline bool validType(int t) { return t >= 0 && t < groveNumTypes; }
inline bool validOp(int op) { return op >= 0 && op < groveNumOps; }

/// bfloat16 <-> float32 (round to nearest-even; NaN stays NaN).
inline float bf16ToFloat(std::uint16_t h) {
  std::uint32_t u = static_cast<std::uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline std::uint16_t floatToBf16(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>(u >> 16);
}

/// float16 <-> float32 without compiler support for _Float16 (round to nearest-even).
float halfToFloat(std::uint16_t h);
std::uint16_t floatToHalf(float f);

/// 8-bit floats (OCP FP8): e4m3 ("FN": no infinities, max 448, NaN = S.1111.111) and e5m2 (IEEE-like).
/// Decoding uses 256-entry tables; encoding rounds to nearest-even; values beyond the largest finite
/// number become NaN (e4m3) or infinity (e5m2), i.e. no saturation.
float fp8e4m3ToFloat(std::uint8_t v);
float fp8e5m2ToFloat(std::uint8_t v);
std::uint8_t floatToFp8e4m3(float f);
std::uint8_t floatToFp8e5m2(float f);
/// The decode tables themselves (for vectorized loops).
const float* fp8e4m3Table();
const float* fp8e5m2Table();

}  // namespace grove::coll
