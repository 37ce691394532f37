/// @file reference.hpp
/// An independent reference for the element types and reduction operations of the C API, written from
/// the formats' definitions (IEEE 754 binary16, bfloat16, OCP FP8 E4M3 and E5M2) and the semantics of
/// grove.h: low-precision types are widened to float32, reduced in float32 and rounded once (to nearest,
/// ties to even); avg is sum / nranks (integers truncate toward zero). Shares no code with the library,
/// so a bug in the library's conversions cannot hide behind the same bug here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "grove/grove.h"

namespace grove::test::ref {

/// Every valid type and op, for loops over the whole matrix.
extern const std::vector<groveDataType_t> kAllTypes;
extern const std::vector<groveRedOp_t> kAllOps;

size_t typeSize(groveDataType_t t);
const char* typeName(groveDataType_t t);
const char* opName(groveRedOp_t op);
bool isFloating(groveDataType_t t);
/// float16, bfloat16 and the two float8 formats: reduced in float32 and rounded once.
bool isLowPrecision(groveDataType_t t);
bool isSignedInteger(groveDataType_t t);

/// A binary floating-point format narrower than float32.
struct MiniFloat {
  int expBits;
  int manBits;
  bool hasInfinity;  ///< IEEE-style: all-ones exponent encodes inf/NaN. False for E4M3 (only S.1111.111 is
                     ///< NaN).
};
extern const MiniFloat kHalf, kBfloat16, kE4m3, kE5m2;

/// Exact value of an encoding (NaN for NaN encodings).
float decode(const MiniFloat& f, uint32_t bits);
/// Rounds x to the nearest representable value, ties to even. Overflow gives infinity where the format
/// has one; for E4M3 (no infinity) it gives NaN, like a non-saturating conversion.
uint32_t encode(const MiniFloat& f, float x);
/// Largest finite value of the format.
float maxFinite(const MiniFloat& f);

float halfToFloat(uint16_t h);
uint16_t floatToHalf(float x);
float bf16ToFloat(uint16_t b);
uint16_t floatToBf16(float x);
float e4m3ToFloat(uint8_t b);
uint8_t floatToE4m3(float x);
float e5m2ToFloat(uint8_t b);
uint8_t floatToE5m2(float x);

/// The format of a low-precision type (nullptr otherwise).
const MiniFloat* miniFloatOf(groveDataType_t t);

/// Reads element `index` of an array of type t as a double (exact for every type but 64-bit integers
/// beyond 2^53, which is why the integer accessors below exist).
double elementAsDouble(groveDataType_t t, const void* base, size_t index);
int64_t elementAsInt64(groveDataType_t t, const void* base, size_t index);
uint64_t elementAsUint64(groveDataType_t t, const void* base, size_t index);
/// Human-readable value and raw bits of one element, for failure messages.
std::string describeElement(groveDataType_t t, const void* base, size_t index);

/// out[i] = op over r of inputs[r][i], for i < count, with the C API's semantics. `out` may alias
/// inputs[0]. Ranks are combined in order 0, 1, ...; the tests choose data for which the order does not
/// matter (every partial result is exact), except where they test the single rounding on purpose.
void reduce(groveDataType_t t, groveRedOp_t op, const std::vector<const void*>& inputs, size_t count,
            void* out);

}  // namespace grove::test::ref
