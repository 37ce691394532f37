// groveAllToAllv: per-peer counts (zeros included) and displacements laid out in reverse peer order with
// gaps; the gaps of recvbuff must not be written.
#include <gtest/gtest.h>

#include <vector>

#include "data.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

// Elements rank `from` sends to rank `to` in layout `shape`.
size_t pairCount(int from, int to, int shape, size_t scale) {
  if (shape == 0) return 0;                            // everything empty
  if ((from * 7 + to * 3 + shape) % 5 == 0) return 0;  // some pairs empty
  return (1 + static_cast<size_t>(from * 13 + to * 5 + shape * 11) % 37) * scale;
}

struct Layout {
  std::vector<size_t> sendcounts, sdispls, recvcounts, rdispls;
  size_t sendTotal = 0, recvTotal = 0;  // elements, gaps included
};

// Send blocks are placed in reverse peer order, receive blocks in peer order; both with gaps.
Layout layoutOf(int rank, int nranks, int shape, size_t scale) {
  Layout l;
  l.sendcounts.resize(nranks);
  l.sdispls.resize(nranks);
  l.recvcounts.resize(nranks);
  l.rdispls.resize(nranks);
  size_t off = 1;
  for (int j = nranks - 1; j >= 0; --j) {
    l.sendcounts[j] = pairCount(rank, j, shape, scale);
    l.sdispls[j] = off;
    off += l.sendcounts[j] + static_cast<size_t>(j % 3);
  }
  l.sendTotal = off;
  off = 2;
  for (int j = 0; j < nranks; ++j) {
    l.recvcounts[j] = pairCount(j, rank, shape, scale);
    l.rdispls[j] = off;
    off += l.recvcounts[j] + static_cast<size_t>((j + 1) % 2);
  }
  l.recvTotal = off + 1;
  return l;
}

bool runCase(int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check, groveDataType_t t,
             int shape, size_t scale, uint64_t seed) {
  const size_t size = ref::typeSize(t);
  const Layout l = layoutOf(rank, nranks, shape, scale);
  const std::string what = format("alltoallv %s shape=%d scale=%zu %s", ref::typeName(t), shape, scale,
                                  stream ? "stream" : "NULL stream");
  Buffer send(l.sendTotal * size), recv(l.recvTotal * size);
  data::fillBytes(rank, 0, send.size(), seed, send.data());
  const std::vector<unsigned char> input(send.data(), send.data() + send.size());
  const groveResult_t r = groveAllToAllv(send.data(), l.sendcounts.data(), l.sdispls.data(), recv.data(),
                                         l.recvcounts.data(), l.rdispls.data(), t, comm, stream);
  if (!check.result(complete(r, stream), groveSuccess, what, comm)) return false;
  // Expected: poison everywhere except block j, which is what rank j placed at its sdispls[rank].
  std::vector<unsigned char> want(recv.size(), 0xCD);
  for (int j = 0; j < nranks; ++j) {
    const Layout peer = layoutOf(j, nranks, shape, scale);
    data::fillBytes(j, peer.sdispls[rank] * size, l.recvcounts[j] * size, seed,
                    want.data() + l.rdispls[j] * size);
  }
  check.elements(recv.data(), want.data(), l.recvTotal, t, what + " (blocks and untouched gaps)");
  check.guards(recv, what + " (recvbuff)");
  check.bytes(send.data(), input.data(), send.size(), what + ": sendbuff modified");
  check.guards(send, what + " (sendbuff)");
  return true;
}

class AllToAllv : public RanksTest {};

TEST_P(AllToAllv, CountsDisplacementsAndGaps) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    uint64_t seed = 700;
    for (groveDataType_t t : ref::kAllTypes)
      for (int shape = 0; shape < 4; ++shape)
        for (groveStream_t s : {static_cast<groveStream_t>(nullptr), stream})
          if (!runCase(rank, nranks, comm, s, check, t, shape, 1, seed++)) return false;
    // Blocks of thousands of elements, past the small-message paths.
    for (int shape = 1; shape < 3; ++shape)
      if (!runCase(rank, nranks, comm, shape == 1 ? nullptr : stream, check, groveFloat32, shape, 2003,
                   seed++))
        return false;
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// In place (sendbuff == recvbuff) is not supported (docs/c-api.md): it must be refused, or else give the
// right result; never run on overlapping data and return garbage.
TEST_P(AllToAllv, InPlaceIsRefusedOrCorrect) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    std::vector<size_t> counts(nranks, 100), displs(nranks);
    for (int j = 0; j < nranks; ++j) displs[j] = static_cast<size_t>(j) * 100;
    std::vector<float> buf(100 * nranks, static_cast<float>(rank));
    const groveResult_t r = groveAllToAllv(buf.data(), counts.data(), displs.data(), buf.data(),
                                           counts.data(), displs.data(), groveFloat32, comm, nullptr);
    if (r == groveSuccess) {
      std::vector<float> want(buf.size());
      for (size_t i = 0; i < want.size(); ++i) want[i] = static_cast<float>(i / 100);
      check.elements(buf.data(), want.data(), buf.size(), groveFloat32, "in-place alltoallv (accepted)");
    } else {
      check.expect(r == groveInvalidArgument || r == groveInvalidUsage,
                   format("in-place alltoallv returned %d (%s)", r, groveGetErrorString(r)));
    }
    int32_t v = 1;
    check.result(groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm, nullptr), groveSuccess,
                 "allreduce after", comm);
    check.expect(v == nranks, "allreduce after in-place alltoallv wrong");
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 60000);
}

INSTANTIATE_TEST_SUITE_P(, AllToAllv, ::testing::ValuesIn(kRankCounts), ranksName);

}  // namespace
}  // namespace grove::test
