// Reduce-scatter: every rank stages, per chunk, one piece of each destination's block; the destination
// reduces its own block's piece from every rank (in rank order) straight into its output.
#include <cstring>
#include <vector>

#include "collectives/algorithms.hpp"
#include "collectives/datatype.hpp"
#include "collectives/peer_blocks.hpp"
#include "collectives/pipeline.hpp"
#include "collectives/reduce_kernels.hpp"

namespace grove::coll {

void reduceScatter(Engine& e, const void* send, void* recv, std::size_t recvcount, groveDataType_t type,
                   groveRedOp_t op) {
  const CallDesc d{CollKind::kReduceScatter, type, op, recvcount, -1, 0};
  if (emptyCall(e, d)) return;
  const std::uint64_t seq = e.beginCall();
  const int n = e.nranks(), me = e.rank();
  const std::size_t tb = typeSize(type), bytes = recvcount * tb;  // per block
  const char* in = static_cast<const char*>(send);
  char* out = static_cast<char*>(recv);
  const std::size_t total = bytes * n;
  if (total <= e.layout().smallBytes && total <= 32 * 1024) {
    // Small calls are latency-bound: no heap allocation for the common rank counts.
    const void* stackSrc[16];
    std::vector<const void*> heapSrc(n > 16 ? n : 0);
    const void** src = n > 16 ? heapSrc.data() : stackSrc;
    postPeerBlocks(e, seq, d, in, bytes);  // my own block is reduced straight from `in`
    waitPeerBlocks(e, seq, d, bytes);
    if (bytes == 0) return;
    for (int r = 0; r < n; ++r) src[r] = r == me ? in + me * bytes : peerBlockOf(e, r, seq, bytes);
    reduce(ReduceArgs{out, nullptr, src, n, recvcount, type, op, n});
    return;
  }
  std::vector<const void*> src(n);
  e.describeBuffers(seq, send, bytes * n, nullptr, 0);
  e.agree(seq, d);
  if (e.everyoneHas(seq, kSendShared)) {  // zero-copy: reduce my block straight from every input
    for (int r = 0; r < n; ++r) src[r] = (r == me ? in : e.peerSend(r, seq)) + me * bytes;
    reduce(ReduceArgs{out, nullptr, src.data(), n, recvcount, type, op, n});
    return e.finishTogether(seq);
  }
  const std::size_t piece = alignedPiece(e.layout().chunkBytes / n, tb);
  runStagedPipeline(
      e, seq, chunksFor(bytes, piece), allToAllRoles(e),
      [&](std::size_t c, char* slot) {
        const std::size_t len = std::min(piece, bytes - c * piece);
        for (int q = 0; q < n; ++q)
          if (q != me) std::memcpy(slot + q * piece, in + q * bytes + c * piece, len);
      },
      [&](std::size_t c, int slot) {
        const std::size_t len = std::min(piece, bytes - c * piece);
        for (int r = 0; r < n; ++r)
          src[r] =
              r == me ? in + me * bytes + c * piece : e.base(r) + e.layout().stagingOffset(slot) + me * piece;
        reduce(ReduceArgs{out + c * piece, nullptr, src.data(), n, len / tb, type, op, n});
      });
}

}  // namespace grove::coll
