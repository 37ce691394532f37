// groveAllGather: every type x count x placement x stream, on 1..8 ranks, with arbitrary bit patterns
// (NaN payloads included: a data-movement collective must not interpret the elements).
#include <gtest/gtest.h>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

class AllGather : public RanksTest {};

TEST_P(AllGather, EveryTypeCountAndVariant) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 400;
    for (groveDataType_t t : ref::kAllTypes)
      for (size_t count : kSmallCounts)
        for (const Variant& v : kAllVariants)
          if (!runAllGather(x, {.type = t, .count = count, .variant = v, .seed = seed++})) return false;
    for (const Variant& v : kAllVariants)
      if (!runAllGather(x, {.type = groveUint8, .count = kMediumCount, .variant = v, .seed = seed++}))
        return false;
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

INSTANTIATE_TEST_SUITE_P(, AllGather, ::testing::ValuesIn(kRankCounts), ranksName);

}  // namespace
}  // namespace grove::test
