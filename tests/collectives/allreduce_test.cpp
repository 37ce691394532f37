// groveAllReduce: every type x op x count x placement x stream, on 1..8 ranks.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

class AllReduce : public RanksTest {};

TEST_P(AllReduce, EveryTypeOpCountAndVariant) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 100;
    for (groveDataType_t t : ref::kAllTypes)
      for (groveRedOp_t op : ref::kAllOps)
        for (size_t count : kSmallCounts)
          for (const Variant& v : kAllVariants)
            if (!runAllReduce(x, {.type = t, .op = op, .count = count, .variant = v, .seed = seed++}))
              return false;
    // Past the first chunk boundaries: every type, ops and placements rotating.
    size_t i = 0;
    for (groveDataType_t t : ref::kAllTypes) {
      for (int k = 0; k < 2; ++k, ++i) {
        const CaseSpec c{.type = t,
                         .op = ref::kAllOps[i % ref::kAllOps.size()],
                         .count = kMediumCount,
                         .variant = kAllVariants[i % kAllVariants.size()],
                         .seed = seed++};
        if (!runAllReduce(x, c)) return false;
      }
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// Back-to-back calls on the same buffers: each result must reflect its own call, not a stale one.
TEST_P(AllReduce, RepeatedCallsOnSameBuffers) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    const size_t count = 4099;
    std::vector<int32_t> buf(count), want(count);
    for (int iter = 0; iter < 50; ++iter) {
      for (size_t i = 0; i < count; ++i) buf[i] = static_cast<int32_t>(iter * 1000 + rank * 7 + i % 13);
      const groveResult_t r = groveAllReduce(buf.data(), buf.data(), count, groveInt32, groveSum, comm,
                                             iter % 2 ? stream : nullptr);
      if (!check.result(complete(r, iter % 2 ? stream : nullptr), groveSuccess, format("iteration %d", iter),
                        comm))
        return false;
      for (size_t i = 0; i < count; ++i)
        want[i] = static_cast<int32_t>(nranks * (iter * 1000 + static_cast<int>(i % 13)) +
                                       7 * nranks * (nranks - 1) / 2);
      check.elements(buf.data(), want.data(), count, groveInt32, format("iteration %d", iter));
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

INSTANTIATE_TEST_SUITE_P(, AllReduce, ::testing::ValuesIn(kRankCounts), ranksName);

}  // namespace
}  // namespace grove::test
