// Buffers at addresses that are naturally aligned for the element type but not to 16/32/64 bytes (what a
// pointer into the middle of a tensor looks like), and byte-misaligned buffers: vectorised kernels must
// not assume more alignment than the element's.
#include <gtest/gtest.h>

#include <vector>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

class Alignment : public ::testing::TestWithParam<int> {};

// CaseSpec has no misalignment field: the cases allocate their own buffers, so this test drives the
// calls directly for allreduce, the reduction that goes through the vector kernels, and reuses the
// reference for the expected values.
bool allReduceAt(const Ctx& x, groveDataType_t t, groveRedOp_t op, size_t count, size_t sendOff,
                 size_t recvOff, uint64_t seed, MemKind mem) {
  const size_t size = ref::typeSize(t), bytes = count * size;
  Buffer send(bytes, mem, sendOff), recv(bytes, mem, recvOff);
  const std::string what =
      format("allreduce %s %s count=%zu send at 64k+%zu, recv at 64k+%zu%s", ref::typeName(t),
             ref::opName(op), count, sendOff, recvOff, mem == MemKind::kGroveMem ? " groveMemAlloc" : "");
  data::fillReduceInput(t, op, data::Pattern::kExact, x.rank, x.nranks, 0, count, seed, send.data());
  const groveResult_t r = groveAllReduce(send.data(), recv.data(), count, t, op, x.comm, nullptr);
  if (!x.check.result(r, groveSuccess, what, x.comm)) return false;
  std::vector<unsigned char> want(bytes);
  data::expectedReduce(t, op, data::Pattern::kExact, x.nranks, 0, count, seed, want.data());
  x.check.elements(recv.data(), want.data(), count, t, what);
  x.check.guards(recv, what);
  return true;
}

TEST_P(Alignment, ElementAlignedButNotVectorAligned) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 4000;
    for (MemKind mem : {MemKind::kHeap, MemKind::kGroveMem})
      for (groveDataType_t t : ref::kAllTypes)
        for (groveRedOp_t op : {groveSum, groveMax})
          for (size_t count : {size_t{37}, size_t{70001}}) {
            const size_t size = ref::typeSize(t);
            // Different offsets on send and receive (and across ranks) so no common alignment exists.
            if (!allReduceAt(x, t, op, count, size * (1 + rank % 3), size * 5, seed++, mem)) return false;
          }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// Not even element-aligned (e.g. a float at an odd address): a C API taking void* can be handed such
// pointers; results must still be right and nothing may crash.
TEST_P(Alignment, ByteMisaligned) {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizer builds also enable UBSan, which (rightly, for C++) stops at the library's typed loads
  // from such addresses; the release run keeps the check that results are right and nothing crashes.
  GTEST_SKIP() << "byte-misaligned typed loads are reported by UBSan";
#endif
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 4100;
    for (groveDataType_t t : {groveFloat32, groveFloat64, groveFloat16, groveInt64, groveBfloat16})
      for (size_t count : {size_t{37}, size_t{70001}})
        if (!allReduceAt(x, t, groveSum, count, 1, 3, seed++, MemKind::kHeap)) return false;
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// Every collective on shared-memory buffers whose offsets differ between ranks and between send and
// receive: the zero-copy paths address peers' buffers at their own offsets.
TEST_P(Alignment, EveryCollectiveAtRankDependentOffsets) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 4200;
    int i = 0;
    for (groveDataType_t t : {groveFloat32, groveFloat16, groveFloat64, groveUint8})
      for (size_t count : {size_t{33}, size_t{70001}})
        for (const Variant& v : kAllVariants) {
          const size_t size = ref::typeSize(t);
          CaseSpec c;
          c.type = t;
          c.op = ref::kAllOps[i % ref::kAllOps.size()];
          c.count = count;
          c.variant = v;
          c.seed = seed++;
          c.root = i++ % nranks;
          c.mem = MemKind::kGroveMem;
          c.sendMisalign = size * static_cast<size_t>(1 + rank % 5);
          c.recvMisalign = size * static_cast<size_t>(3 + rank % 2);
          CaseSpec per = c;
          per.count = count / static_cast<size_t>(nranks) + 1;
          if (!runAllReduce(x, c) || !runReduce(x, c) || !runBroadcast(x, c) || !runAllGather(x, per) ||
              !runReduceScatter(x, per) || !runAllToAll(x, per))
            return false;
        }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

INSTANTIATE_TEST_SUITE_P(, Alignment, ::testing::Values(2, 3, 8), ranksName);

}  // namespace
}  // namespace grove::test
