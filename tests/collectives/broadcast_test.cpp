// groveBroadcast: every type x count x placement x stream, the root rotating over all ranks.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

class Broadcast : public RanksTest {};

TEST_P(Broadcast, EveryTypeCountVariantAndRoot) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 500;
    int i = 0;
    for (groveDataType_t t : ref::kAllTypes)
      for (size_t count : kSmallCounts)
        for (const Variant& v : kAllVariants) {
          const CaseSpec c{.type = t, .count = count, .variant = v, .seed = seed++, .root = i++ % nranks};
          if (!runBroadcast(x, c)) return false;
        }
    for (int root = 0; root < nranks; ++root) {
      const CaseSpec c{.type = groveFloat64,
                       .count = kMediumCount,
                       .variant = kAllVariants[root % kAllVariants.size()],
                       .seed = seed++,
                       .root = root};
      if (!runBroadcast(x, c)) return false;
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

INSTANTIATE_TEST_SUITE_P(, Broadcast, ::testing::ValuesIn(kRankCounts), ranksName);

}  // namespace
}  // namespace grove::test
