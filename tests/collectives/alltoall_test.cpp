// groveAllToAll: every type x per-peer count x placement x stream, on 1..8 ranks.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

class AllToAll : public RanksTest {};

TEST_P(AllToAll, EveryTypeCountAndVariant) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 600;
    for (groveDataType_t t : ref::kAllTypes)
      for (size_t count : kSmallCounts)
        for (bool onStream : {false, true})
          if (!runAllToAll(x, {.type = t, .count = count, .variant = {false, onStream}, .seed = seed++}))
            return false;
    for (bool onStream : {false, true})
      if (!runAllToAll(
              x,
              {.type = groveInt32, .count = kMediumCount / 8, .variant = {false, onStream}, .seed = seed++}))
        return false;
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

INSTANTIATE_TEST_SUITE_P(, AllToAll, ::testing::ValuesIn(kRankCounts), ranksName);

}  // namespace
}  // namespace grove::test
