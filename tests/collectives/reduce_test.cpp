// groveReduce: every type x op x count x placement x stream, the root rotating over all ranks.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

class Reduce : public RanksTest {};

TEST_P(Reduce, EveryTypeOpCountVariantAndRoot) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 300;
    int i = 0;
    for (groveDataType_t t : ref::kAllTypes)
      for (groveRedOp_t op : ref::kAllOps)
        for (size_t count : kSmallCounts)
          for (const Variant& v : kAllVariants) {
            const CaseSpec c{
                .type = t, .op = op, .count = count, .variant = v, .seed = seed++, .root = i++ % nranks};
            if (!runReduce(x, c)) return false;
          }
    for (int root = 0; root < nranks; ++root) {
      const CaseSpec c{.type = ref::kAllTypes[root % ref::kAllTypes.size()],
                       .op = ref::kAllOps[root % ref::kAllOps.size()],
                       .count = kMediumCount,
                       .variant = kAllVariants[root % kAllVariants.size()],
                       .seed = seed++,
                       .root = root};
      if (!runReduce(x, c)) return false;
      // 48 KiB: above allreduce's one-shot limit, within reduce's (the small room's 64 KiB).
      const CaseSpec between{.type = groveFloat32,
                             .op = ref::kAllOps[(root + 1) % ref::kAllOps.size()],
                             .count = 12289,
                             .variant = kAllVariants[(root + 1) % kAllVariants.size()],
                             .seed = seed++,
                             .root = root};
      if (!runReduce(x, between)) return false;
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// recvbuff is ignored on non-root ranks, so NULL is acceptable there (as in NCCL).
TEST_P(Reduce, NullRecvbuffOnNonRoot) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    const size_t count = 1000;
    for (int root = 0; root < nranks; ++root) {
      std::vector<int32_t> send(count, rank + 1), recv(count, -1);
      const groveResult_t r = groveReduce(send.data(), rank == root ? recv.data() : nullptr, count,
                                          groveInt32, groveSum, root, comm, nullptr);
      if (!check.result(r, groveSuccess, format("reduce root=%d with NULL recvbuff on non-roots", root),
                        comm))
        return false;
      if (rank == root) {
        const std::vector<int32_t> want(count, nranks * (nranks + 1) / 2);
        check.elements(recv.data(), want.data(), count, groveInt32, format("reduce root=%d", root));
      }
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

INSTANTIATE_TEST_SUITE_P(, Reduce, ::testing::ValuesIn(kRankCounts), ranksName);

}  // namespace
}  // namespace grove::test
