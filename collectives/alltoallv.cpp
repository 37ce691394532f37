// All-to-all with per-pair counts. Every rank publishes its send and receive counts in its call slot;
// every rank checks the whole matrix (so all of them agree on a mismatch), then the data moves through
// the staging ring: each slot holds one piece per destination, round c carries bytes [c*piece,
// (c+1)*piece) of every pair's message.
#include <algorithm>
#include <cstring>
#include <string>

#include "collectives/algorithms.hpp"
#include "collectives/datatype.hpp"
#include "collectives/pipeline.hpp"
#include "grove/error.hpp"

namespace grove::coll {

void allToAllv(Engine& e, const void* send, const std::size_t* sendcounts, const std::size_t* sdispls,
               void* recv, const std::size_t* recvcounts, const std::size_t* rdispls, groveDataType_t type) {
  const int n = e.nranks(), me = e.rank();
  const std::size_t tb = typeSize(type);
  const CallDesc d{CollKind::kAllToAllv, type, groveSum, 0, -1, 0};
  const std::uint64_t seq = e.beginCall();
  if (2 * n * sizeof(std::uint64_t) > e.layout().smallBytes)
    throw Error(groveInvalidUsage, "alltoallv supports at most " +
                                       std::to_string(e.layout().smallBytes / 16) + " ranks in this build");
  auto* counts = reinterpret_cast<std::uint64_t*>(e.mySmall(seq));
  for (int p = 0; p < n; ++p) {
    counts[p] = sendcounts[p];
    counts[n + p] = recvcounts[p];
  }
  e.agree(seq, d);
  auto countsOf = [&](int r) { return reinterpret_cast<const std::uint64_t*>(e.smallOf(r, seq)); };
  std::size_t longest = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const std::uint64_t sent = countsOf(i)[j], expected = countsOf(j)[n + i];
      if (sent != expected)
        throw Error(groveInvalidUsage, "mismatched alltoallv counts: rank " + std::to_string(i) + " sends " +
                                           std::to_string(sent) + " elements to rank " + std::to_string(j) +
                                           ", which expects " + std::to_string(expected));
      if (i != j) longest = std::max<std::size_t>(longest, sent * tb);
    }
  const char* in = static_cast<const char*>(send);
  char* out = static_cast<char*>(recv);
  if (sendcounts[me]) std::memmove(out + rdispls[me] * tb, in + sdispls[me] * tb, sendcounts[me] * tb);
  const std::size_t piece = alignedPiece(e.layout().chunkBytes / n, tb);
  runStagedPipeline(
      e, seq, chunksFor(longest, piece), allToAllRoles(e),
      [&](std::size_t c, char* slot) {
        for (int q = 0; q < n; ++q) {
          const std::size_t total = sendcounts[q] * tb, from = c * piece;
          if (q != me && from < total)
            std::memcpy(slot + q * piece, in + sdispls[q] * tb + from, std::min(piece, total - from));
        }
      },
      [&](std::size_t c, int slot) {
        for (int k = 1; k < n; ++k) {
          const int r = (me + k) % n;
          const std::size_t total = recvcounts[r] * tb, from = c * piece;
          if (from < total)
            std::memcpy(out + rdispls[r] * tb + from, e.base(r) + e.layout().stagingOffset(slot) + me * piece,
                        std::min(piece, total - from));
        }
      });
}

}  // namespace grove::coll
