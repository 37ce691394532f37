// Large messages (labelled slow): 4M-element allreduces and prime counts around one million for every
// collective, through the pipelined large-message paths.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

constexpr size_t kFourM = size_t{4} << 20;
constexpr size_t kPrime = 1000003;

class Large : public ::testing::TestWithParam<int> {};

TEST_P(Large, AllReduceFourMillion) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 2000;
    // Every rank recomputes the reference of all ranks' data, so on 8 ranks (4 per core) two placements
    // keep the run time reasonable.
    for (const Variant& v : kAllVariants) {
      if (nranks > 4 && v.inPlace != v.onStream) continue;
      if (!runAllReduce(
              x, {.type = groveFloat32, .op = groveSum, .count = kFourM + 3, .variant = v, .seed = seed++}))
        return false;
    }
    // A 2-byte and an 8-byte type, and ops other than sum.
    return runAllReduce(x, {.type = groveBfloat16, .op = groveAvg, .count = kFourM / 2, .seed = seed++}) &&
           runAllReduce(x, {.type = groveInt64, .op = groveMax, .count = kFourM / 4, .seed = seed++});
  };
  GROVE_MATRIX_RUN(GetParam(), body, 600000);
}

TEST_P(Large, EveryCollectiveAtAPrimeCount) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 2100;
    const size_t perRank = kPrime / static_cast<size_t>(nranks) | 1;  // odd, not a multiple of nranks
    for (const Variant& v : {Variant{false, false}, Variant{true, true}}) {
      const CaseSpec c{.type = groveFloat32,
                       .op = groveSum,
                       .count = kPrime,
                       .variant = v,
                       .seed = seed++,
                       .root = nranks - 1};
      CaseSpec per = c;
      per.count = perRank;
      per.type = groveFloat16;
      per.op = groveMin;
      if (!runAllReduce(x, c) || !runReduce(x, c) || !runBroadcast(x, c) || !runAllGather(x, per) ||
          !runReduceScatter(x, per) || !runAllToAll(x, per))
        return false;
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 600000);
}

INSTANTIATE_TEST_SUITE_P(, Large, ::testing::Values(2, 3, 4, 8), ranksName);

}  // namespace
}  // namespace grove::test
