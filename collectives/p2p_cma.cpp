// Direct reads from a peer's address space (cross-memory attach, process_vm_readv), for large messages
// in ordinary (malloc'd) buffers: the receiver copies once, straight from the send buffer, instead of
// the sender copying into the mailbox and the receiver copying out.
#include <sys/uio.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "collectives/p2p_state.hpp"
#include "grove/error.hpp"

namespace grove::coll {
namespace {

std::size_t envSize(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const unsigned long long x = std::strtoull(v, &end, 10);
  return end && *end == '\0' ? static_cast<std::size_t>(x) : fallback;
}

}  // namespace

void P2PState::init(int nranks, P2PProbe* probe) {
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
  probe->addr = reinterpret_cast<std::uint64_t>(&probe->magic);
  probe->magic.store(kP2PProbeMagic, std::memory_order_release);
}

std::size_t cmaRead(int pid, std::uint64_t remoteAddr, void* dst, std::size_t bytes) {
  iovec local{dst, bytes};
  iovec remote{reinterpret_cast<void*>(remoteAddr), bytes};
  for (;;) {
    const ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ESRCH)
      throw Error(groveRemoteError, "peer process " + std::to_string(pid) + " died during send/recv");
    throwSystemError("process_vm_readv from process " + std::to_string(pid));
  }
}

bool cmaProbe(int pid, const P2PProbe& probe) {
  if (probe.magic.load(std::memory_order_acquire) != kP2PProbeMagic) return false;
  std::uint64_t seen = 0;
  iovec local{&seen, sizeof(seen)};
  iovec remote{reinterpret_cast<void*>(probe.addr), sizeof(seen)};
  return ::process_vm_readv(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(sizeof(seen)) &&
         seen == kP2PProbeMagic;
}

}  // namespace grove::coll
