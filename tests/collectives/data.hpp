/// @file data.hpp
/// Deterministic test data: every rank can compute every other rank's input, so each rank checks its own
/// output against the reference without any extra communication.
#pragma once

#include <cstddef>
#include <cstdint>

#include "grove/grove.h"

namespace grove::test::data {

/// How reduction inputs are chosen.
enum class Pattern {
  /// Every partial result of every reduction order is exactly representable in the type (small integers,
  /// powers of two, full-range values for max/min), so any correct algorithm matches the reference bit
  /// for bit.
  kExact,
  /// Low-precision types only: values whose float32 sum is exact but not representable in the type, so
  /// the result depends on rounding exactly once (sum, avg; prod for two ranks). For avg on every other
  /// type: the sum data, so the average is generally not exact (float: the sum divided and rounded; integers:
  /// truncated toward zero).
  kRounding,
};

/// Fills element indices [first, first+count) of rank `rank`'s reduction input.
void fillReduceInput(groveDataType_t t, groveRedOp_t op, Pattern p, int rank, int nranks, size_t first,
                     size_t count, uint64_t seed, void* dst);

/// Writes the reference result for element indices [first, first+count) of a reduction over nranks
/// inputs produced by fillReduceInput.
void expectedReduce(groveDataType_t t, groveRedOp_t op, Pattern p, int nranks, size_t first, size_t count,
                    uint64_t seed, void* dst);

/// Arbitrary bytes (any bit pattern, NaNs included) for data-movement collectives: byte `first + i` of
/// rank `rank`'s stream.
void fillBytes(int rank, size_t first, size_t nbytes, uint64_t seed, void* dst);

/// A 64-bit mix of its inputs (splitmix64 finaliser).
uint64_t mix(uint64_t a, uint64_t b = 0, uint64_t c = 0);

}  // namespace grove::test::data
