// Direct reads from a peer's address space (cross-memory attach, process_vm_readv), for large messages
// in ordinary (malloc'd) buffers: the receiver copies once, straight from the send buffer, instead of
// the sender copying into the mailbox and the receiver copying out.
#include <cstdlib>
#include <cstring>
#include <string>

#include "collectives/p2p_state.hpp"
#include "grove/cross_memory.hpp"
#include "grove/env.hpp"

namespace grove::coll {
void P2PState::init(const WorkspaceLayout& layout, int rank, const std::vector<char*>& bases,
                    bool asymmetric) {
  const int nranks = layout.nranks;
  chunkBytes = layout.p2pChunkBytes;
  dataBytes = chunkBytes - kLine;
  slots = static_cast<std::uint64_t>(layout.p2pSlots);
  asymmetricFences = asymmetric;
  lines.resize(nranks);
  for (int p = 0; p < nranks; ++p) {
    lines[p].sendBox = bases[rank] + layout.p2pOffset(p, 0);
    lines[p].recvBox = bases[p] + layout.p2pOffset(rank, 0);
    lines[p].sendControl = reinterpret_cast<P2PControl*>(bases[rank] + layout.p2pControlOffset(p));
    lines[p].recvControl = reinterpret_cast<P2PControl*>(bases[p] + layout.p2pControlOffset(rank));
    lines[p].doorbell = reinterpret_cast<SemaphoreWord*>(bases[p] + layout.doorbellOffset());
  }
  sent.assign(nranks, 0);
  received.assign(nranks, 0);
  messagesSent.assign(nranks, 0);
  messagesReceived.assign(nranks, 0);
  cmaProbed.assign(nranks, 0);
  freedSeen.assign(nranks, 0);
  head.assign(2 * nranks, -1);
  tail.assign(2 * nranks, -1);
  active.reserve(2 * nranks);
  ops.reserve(16);
  const char* cma = std::getenv("GROVE_P2P_CMA");
  cmaAllowed = !(cma && std::strcmp(cma, "0") == 0);
  cmaMinBytes = envSize("GROVE_P2P_CMA_BYTES", 64 * 1024);
  auto* probe = reinterpret_cast<P2PProbe*>(bases[rank] + layout.p2pProbeOffset());
  probe->addr = reinterpret_cast<std::uint64_t>(&probe->magic);
  probe->magic.store(kP2PProbeMagic, std::memory_order_release);
}

std::size_t cmaRead(int pid, std::uint64_t remoteAddr, void* dst, std::size_t bytes) {
  return crossMemoryReadSome(pid, reinterpret_cast<const void*>(remoteAddr), dst, bytes);
}

bool cmaProbe(int pid, const P2PProbe& probe) {
  if (probe.magic.load(std::memory_order_acquire) != kP2PProbeMagic) return false;
  const std::uint64_t expected = kP2PProbeMagic;
  return crossMemoryUsable(pid, reinterpret_cast<const void*>(probe.addr), &expected, sizeof expected);
}

}  // namespace grove::coll
