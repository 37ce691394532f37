// All-to-all: each staging slot is cut into one piece per destination; round c moves piece c of every
// block. Own block is copied directly.
#include <cstring>

#include "collectives/algorithms.hpp"
#include "collectives/copy_choice.hpp"
#include "collectives/copy_kernels.hpp"
#include "collectives/datatype.hpp"
#include "collectives/peer_blocks.hpp"
#include "collectives/pipeline.hpp"

namespace grove::coll {

void allToAll(Engine& e, const void* send, void* recv, std::size_t count, groveDataType_t type) {
  const CallDesc d{CollKind::kAllToAll, type, groveSum, count, -1, 0};
  if (emptyCall(e, d)) return;
  const std::uint64_t seq = e.beginCall();
  const int n = e.nranks(), me = e.rank();
  const std::size_t bytes = count * typeSize(type);  // per block
  const char* in = static_cast<const char*>(send);
  char* out = static_cast<char*>(recv);
  // Blocks big enough for a single kernel copy skip the call-slot path (two copies through shared memory).
  if (bytes * n <= e.layout().smallBytes && !e.crossMemoryFor(bytes)) {
    postPeerBlocks(e, seq, d, in, bytes);  // my own block goes straight from `in` to `out`
    waitPeerBlocks(e, seq, d, bytes);
    if (bytes == 0) return;  // (buffers may be NULL)
    for (int r = 0; r < n; ++r)
      std::memmove(out + r * bytes, r == me ? in + me * bytes : peerBlockOf(e, r, seq, bytes), bytes);
    return;
  }
  // In place, a peer would read blocks this rank is overwriting: zero-copy only out of place.
  e.describeBuffers(seq, in != out ? send : nullptr, bytes * n, nullptr, 0);
  e.offerSendAddress(seq, in != out ? send : nullptr, bytes);
  adviseCopies(e, bytes);
  e.agree(seq, d);
  if (in != out) copyOwnBlock(out + me * bytes, in + me * bytes, bytes, bytes * n * n);
  if (e.everyoneHas(seq, kSendShared)) {
    for (int k = 1; k < n; ++k) {
      const int r = (me + k) % n;
      copyOut(out + r * bytes, e.peerSend(r, seq) + me * bytes, bytes, bytes * n * n);
    }
    return e.finishTogether(seq);
  }
  // Single copy: the kernel reads my block of every peer's input (unless a handoff in cache is faster now,
  // copy_choice.hpp).
  const CopyChoice copies(e, seq, bytes, e.everyoneHas(seq, kSendAddress));
  if (copies.singleCopies()) {
    for (int k = 1; k < n; ++k) {
      const int r = (me + k) % n;
      e.readFromPeer(r, e.peerSendAddress(r, seq) + me * bytes, out + r * bytes, bytes);
    }
    return e.finishTogether(seq);
  }
  const std::size_t piece = alignedPiece(e.layout().chunkBytes / n, typeSize(type));
  runStagedPipeline(
      e, seq, chunksFor(bytes, piece), allToAllRoles(e),
      [&](std::size_t c, char* slot) {
        const std::size_t len = std::min(piece, bytes - c * piece);
        for (int q = 0; q < n; ++q)
          if (q != me) std::memcpy(slot + q * piece, in + q * bytes + c * piece, len);
      },
      [&](std::size_t c, int slot) {
        const std::size_t len = std::min(piece, bytes - c * piece);
        for (int k = 1; k < n; ++k) {
          const int r = (me + k) % n;
          std::memcpy(out + r * bytes + c * piece, e.base(r) + e.layout().stagingOffset(slot) + me * piece,
                      len);
        }
      });
}

}  // namespace grove::coll
