// groveReduceScatter: every type x op x per-rank count x placement x stream, on 1..8 ranks.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

class ReduceScatter : public RanksTest {};

TEST_P(ReduceScatter, EveryTypeOpCountAndVariant) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 200;
    for (groveDataType_t t : ref::kAllTypes)
      for (groveRedOp_t op : ref::kAllOps)
        for (size_t count : kSmallCounts)
          for (const Variant& v : kAllVariants)
            if (!runReduceScatter(x, {.type = t, .op = op, .count = count, .variant = v, .seed = seed++}))
              return false;
    size_t i = 0;
    for (groveDataType_t t : ref::kAllTypes) {
      const CaseSpec c{.type = t,
                       .op = ref::kAllOps[i % ref::kAllOps.size()],
                       .count = kMediumCount / 4,
                       .variant = kAllVariants[i % kAllVariants.size()],
                       .seed = seed++};
      ++i;
      if (!runReduceScatter(x, c)) return false;
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

INSTANTIATE_TEST_SUITE_P(, ReduceScatter, ::testing::ValuesIn(kRankCounts), ranksName);

}  // namespace
}  // namespace grove::test
