// Engine::waitAllReading: a wait that brings a payload's lines along with the descriptor.
//
// A small synchronous call reads its peers' payloads right after their descriptors. Waiting for the
// descriptor alone and then loading the payload costs two transfers between cores one after the other
// (200-250 ns each when the VM's two cores are far apart). Asking for the payload's lines on every spin
// keeps a request for each in flight: a line the peer writes is taken back from this core, and the
// next spin asks for it again, so it arrives about when the descriptor does. 2 ranks, 64-256 B,
// medians of 5 alternated runs: reduce-scatter, all-to-all and send/recv 10-20 % faster, allreduce and
// allgather 0-14 % (docs/performance.md, history (12)).
#include "collectives/engine.hpp"
#include "collectives/prefetch.hpp"
#include "grove/semaphore.hpp"

namespace grove::coll {

void Engine::waitAllReading(std::uint64_t seq, const CallDesc& d, std::size_t roomBytes, std::size_t offset,
                            std::size_t bytes) {
  // Ranks that share cores do not spin long enough for it to matter (and a peer that is not running
  // writes nothing meanwhile).
  if (bytes > 0 && bytes <= kWarmRoomBytes && !oversubscribed_) {
    const std::size_t first = offset & ~std::size_t{63};
    for (int p = 0; p < nranks_; ++p) {
      if (p == rank_) continue;
      const CallHeader* h = headerOf(p, seq);
      const char* room = roomOf(p, seq, roomBytes);
      for (int i = 0; i < spin_ && h->seq.value.load(std::memory_order_acquire) < seq; ++i) {
        prefetchLinesForRead(room + first, offset + bytes - first);
        cpuRelax();
      }
    }
  }
  waitAll(seq, d);
}

}  // namespace grove::coll
