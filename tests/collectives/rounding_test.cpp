// Rounding semantics (docs/c-api.md): low-precision types accumulate in float32 and round once, to
// nearest-even; avg is the sum divided by the rank count (floats rounded, integers truncated toward zero).
// The data make every float32 partial sum exact but the final result not representable in the type, so
// an implementation that rounds after every step, or reduces in the narrow type, gives other bits.
#include <gtest/gtest.h>

#include <vector>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

const std::vector<groveDataType_t> kLowPrecision = {groveFloat16, groveBfloat16, groveFloat8e4m3,
                                                    groveFloat8e5m2};

class Rounding : public ::testing::TestWithParam<int> {};

TEST_P(Rounding, LowPrecisionSumRoundsOnce) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 1200;
    for (groveDataType_t t : kLowPrecision)
      for (size_t count : {size_t{1031}, kMediumCount}) {
        const CaseSpec c{
            .type = t, .op = groveSum, .count = count, .seed = seed++, .pattern = data::Pattern::kRounding};
        if (!runAllReduce(x, c) || !runReduce(x, CaseSpec{c}) ||
            !runReduceScatter(x, {.type = t,
                                  .op = groveSum,
                                  .count = count / 4,
                                  .seed = seed++,
                                  .pattern = data::Pattern::kRounding}))
          return false;
      }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

TEST_P(Rounding, AvgDividesTheSum) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 1300;
    // Every type: integers truncate toward zero (negative sums included), floats round sum / nranks.
    for (groveDataType_t t : ref::kAllTypes) {
      const CaseSpec c{
          .type = t, .op = groveAvg, .count = 4099, .seed = seed++, .pattern = data::Pattern::kRounding};
      if (!runAllReduce(x, c) || !runReduceScatter(x, {.type = t,
                                                       .op = groveAvg,
                                                       .count = 1031,
                                                       .seed = seed++,
                                                       .pattern = data::Pattern::kRounding}))
        return false;
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// With two ranks a float32 product of two low-precision values is exact, so it too is rounded once.
TEST(RoundingTwoRanks, LowPrecisionProdRoundsOnce) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 1400;
    for (groveDataType_t t : kLowPrecision)
      if (!runAllReduce(x, {.type = t,
                            .op = groveProd,
                            .count = 4099,
                            .seed = seed++,
                            .pattern = data::Pattern::kRounding}))
        return false;
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 120000);
}

INSTANTIATE_TEST_SUITE_P(, Rounding, ::testing::Values(2, 3, 5, 8), ranksName);

}  // namespace
}  // namespace grove::test
