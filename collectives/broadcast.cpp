// Broadcast: the root stages chunks, every other rank copies them out. Small messages ride in the
// root's call slot.
#include <cstring>

#include "collectives/algorithms.hpp"
#include "collectives/copy_choice.hpp"
#include "collectives/copy_kernels.hpp"
#include "collectives/datatype.hpp"
#include "collectives/pipeline.hpp"

namespace grove::coll {

void broadcast(Engine& e, const void* send, void* recv, std::size_t count, groveDataType_t type, int root) {
  const CallDesc d{CollKind::kBroadcast, type, groveSum, count, root, 0};
  if (emptyCall(e, d)) return;
  const std::size_t bytes = count * typeSize(type);
  if (eagerCall(e, bytes)) return eagerBroadcast(e, e.beginCall(true), d, send, recv);
  const std::uint64_t seq = e.beginCall();
  const bool isRoot = e.rank() == root;
  // The root's own copy waits until the ranks agree: a mismatched call must not write `recv`.
  const bool rootCopies = isRoot && send != recv && bytes;
  if (bytes <= sizeof(CallHeader::inlineData)) {  // tiny: the data rides in the root's header line
    e.post(seq, d, isRoot ? send : nullptr, isRoot ? bytes : 0);
    e.waitAll(seq, d);
    if (rootCopies) std::memmove(recv, send, bytes);
    if (!isRoot && bytes) std::memcpy(recv, e.headerOf(root, seq)->inlineData, bytes);
    return;
  }
  // Messages big enough for a single kernel copy skip the call-slot path (two copies through shared memory).
  const bool singleCopy = e.crossMemoryFor(bytes) && !e.crowded();
  if (bytes <= e.layout().smallBytes && !singleCopy) {
    if (isRoot && bytes) std::memcpy(e.myRoom(seq, bytes), send, bytes);
    e.agree(seq, d);
    if (rootCopies) std::memmove(recv, send, bytes);
    if (!isRoot && bytes) std::memcpy(recv, e.roomOf(root, seq, bytes), bytes);
    return;
  }
  e.describeBuffers(seq, isRoot ? send : nullptr, bytes, nullptr, 0);
  if (isRoot && singleCopy) e.offerSendAddress(seq, send, bytes);
  adviseCopies(e, bytes);
  e.agree(seq, d);
  if (rootCopies) copyOwnBlock(recv, send, bytes, bytes * e.nranks());
  if (e.headerOf(root, seq)->flags & kSendShared) {  // zero-copy: copy straight from the root's buffer
    if (!isRoot) std::memcpy(recv, e.peerSend(root, seq), bytes);
    return e.finishTogether(seq);
  }
  // Single copy: the kernel reads the root's private buffer (unless a handoff in cache is faster now,
  // copy_choice.hpp).
  const CopyChoice copies(e, seq, bytes, (e.headerOf(root, seq)->flags & kSendAddress) != 0);
  if (copies.singleCopies()) {
    if (!isRoot) e.readFromPeer(root, e.peerSendAddress(root, seq), recv, bytes);
    return e.finishTogether(seq);
  }
  const std::size_t chunk = alignedPiece(e.layout().chunkBytes, typeSize(type));
  const char* in = static_cast<const char*>(send);
  char* out = static_cast<char*>(recv);
  runStagedPipeline(
      e, seq, chunksFor(bytes, chunk), rootToAllRoles(e, root),
      [&](std::size_t c, char* slot) {
        std::memcpy(slot, in + c * chunk, std::min(chunk, bytes - c * chunk));
      },
      [&](std::size_t c, int slot) {
        std::memcpy(out + c * chunk, e.base(root) + e.layout().stagingOffset(slot),
                    std::min(chunk, bytes - c * chunk));
      });
}

}  // namespace grove::coll
