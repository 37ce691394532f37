// Allgather: small messages go through the call slots (one synchronization); large ones through the
// staging ring, every rank producing its own block chunk by chunk and copying everyone else's.
#include <cstring>

#include "collectives/algorithms.hpp"
#include "collectives/copy_choice.hpp"
#include "collectives/copy_kernels.hpp"
#include "collectives/datatype.hpp"
#include "collectives/pipeline.hpp"

namespace grove::coll {

void allGather(Engine& e, const void* send, void* recv, std::size_t sendcount, groveDataType_t type) {
  const CallDesc d{CollKind::kAllGather, type, groveSum, sendcount, -1, 0};
  if (emptyCall(e, d)) return;
  const std::uint64_t seq = e.beginCall();
  const int n = e.nranks(), me = e.rank();
  const std::size_t bytes = sendcount * typeSize(type);
  char* out = static_cast<char*>(recv);
  const char* in = static_cast<const char*>(send);
  // Blocks big enough for a single kernel copy skip the call-slot path (two copies through shared memory).
  const bool singleCopy = e.crossMemoryFor(bytes) && !e.crowded();
  if (bytes <= e.layout().smallBytes && bytes <= 64 * 1024 && !singleCopy) {
    e.postPayload(seq, d, in, bytes);
    e.waitAllPayloads(seq, d, bytes);
    if (bytes == 0) return;      // (buffers may be NULL)
    for (int r = 0; r < n; ++r)  // memmove: in place, my block is already where it belongs
      std::memmove(out + r * bytes, r == me ? in : e.payloadOf(r, seq, bytes), bytes);
    return;
  }
  e.describeBuffers(seq, send, bytes, nullptr, 0);
  if (singleCopy) e.offerSendAddress(seq, send, bytes);
  adviseCopies(e, bytes);
  e.agree(seq, d);
  copyOwnBlock(out + me * bytes, in, bytes, bytes * n * n);
  if (e.everyoneHas(seq, kSendShared)) {  // zero-copy: read every peer's input directly
    for (int k = 1; k < n; ++k) {
      const int r = (me + k) % n;
      copyOut(out + r * bytes, e.peerSend(r, seq), bytes, bytes * n * n);
    }
    return e.finishTogether(seq);
  }
  // Single copy: the kernel reads every peer's private input (unless a handoff in cache is faster now,
  // copy_choice.hpp).
  const CopyChoice copies(e, seq, bytes, e.everyoneHas(seq, kSendAddress));
  if (copies.singleCopies()) {
    for (int k = 1; k < n; ++k) {
      const int r = (me + k) % n;
      e.readFromPeer(r, e.peerSendAddress(r, seq), out + r * bytes, bytes);
    }
    return e.finishTogether(seq);
  }
  const std::size_t chunk = alignedPiece(e.layout().chunkBytes, typeSize(type));
  const std::size_t chunks = chunksFor(bytes, chunk);
  runStagedPipeline(
      e, seq, chunks, allToAllRoles(e),
      [&](std::size_t c, char* slot) {
        std::memcpy(slot, in + c * chunk, std::min(chunk, bytes - c * chunk));
      },
      [&](std::size_t c, int slot) {
        const std::size_t len = std::min(chunk, bytes - c * chunk);
        for (int k = 1; k < n; ++k) {
          const int r = (me + k) % n;
          std::memcpy(out + r * bytes + c * chunk, e.base(r) + e.layout().stagingOffset(slot), len);
        }
      });
}

}  // namespace grove::coll
