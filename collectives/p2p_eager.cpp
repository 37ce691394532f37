// The common small exchange without the group runner: a send of one eager chunk is written at groveSend,
// and a lone receive of one eager chunk (the other half of a pipeline's exchange) reads it at
// groveGroupEnd. Neither waits for the peer's call, so neither needs the runner's queues, posting or
// polling loop; everything else goes through the runner (collectives/sendrecv.cpp), which uses the same
// mailbox protocol (docs/algorithms.md, "Send/recv"). Per 2-rank 8 B exchange this saves about 300 of
// 1120 instructions (callgrind, 1 Dec).
#include <algorithm>
#include <cstring>

#include "collectives/algorithms.hpp"
#include "collectives/copy_kernels.hpp"
#include "collectives/engine.hpp"
#include "collectives/p2p_state.hpp"
#include "collectives/prefetch.hpp"

namespace grove::coll {
namespace {

// A message that travels eagerly in a single chunk: the sender waits for nothing.
bool oneEagerChunk(const Engine& e, const P2PState& s, std::size_t bytes) {
  return bytes <= e.eagerBytes() && bytes <= s.dataBytes;
}

}  // namespace

bool trySendNow(Engine& e, const P2POp& op) noexcept {
  P2PState& s = e.p2p();
  const int peer = op.peer;
  const std::size_t bytes = op.count * typeSize(op.type);
  if (peer == e.rank() || !oneEagerChunk(e, s, bytes) || s.readDirectly(peer, bytes)) return false;
  const std::uint64_t c = s.sent[peer];
  // Slot c was last used by chunk c - slots, which the receiver must have consumed.
  if (c >= s.slots && !s.hasCredit(peer, c - s.slots + 1)) return false;
  ++s.messagesSent[peer];
  s.sent[peer] = c + 1;
  P2PChunkHeader* h = s.sendChunk(peer, c);
  describeMessage(h, op, kModeMailbox | kModeEager);
  if (bytes <= kP2PInlineBytes)
    copySmall(h->inlineData, op.buf, bytes);
  else
    std::memcpy(reinterpret_cast<char*>(h) + kLine, op.buf, bytes);
  h->seq.store(c + 1, std::memory_order_release);
  s.nudge(peer);
  return true;
}

bool tryRecvNow(Engine& e, const P2POp& op) noexcept {
  P2PState& s = e.p2p();
  const int peer = op.peer;
  const std::size_t bytes = op.count * typeSize(op.type);
  // Only a message that can be eager is waited for here: the sender of a longer one waits for the receive
  // to be posted. The runner tells the sender once whether it may be read directly (cmaProbed).
  if (peer == e.rank() || !oneEagerChunk(e, s, bytes) || !s.cmaProbed[peer]) return false;
  const std::uint64_t c = s.received[peer];
  const P2PChunkHeader* h = s.recvChunk(peer, c);
  // Spins as long as the runner would before it starts reading the clock, asking meanwhile for the lines
  // of a payload past the header line so that they arrive with it (Engine::waitAllReading).
  const char* payload = reinterpret_cast<const char*>(h) + kLine;
  const std::size_t warm =
      bytes > kP2PInlineBytes && bytes <= Engine::kWarmRoomBytes && !e.oversubscribed() ? bytes : 0;
  for (int polls = std::max(1, e.spin()); h->seq.load(std::memory_order_acquire) < c + 1;) {
    if (--polls == 0) return false;
    prefetchLinesForRead(payload, warm);
  }
  // A mismatch is left to the runner, which reports it on both sides.
  if (h->mode != (kModeMailbox | kModeEager) || h->count != op.count ||
      h->type != static_cast<std::uint32_t>(op.type))
    return false;
  if (bytes <= kP2PInlineBytes)
    copySmall(op.buf, h->inlineData, bytes);
  else
    std::memcpy(op.buf, payload, bytes);
  ++s.messagesReceived[peer];
  s.received[peer] = c + 1;
  s.lines[peer].recvControl->freed.store(c + 1, std::memory_order_release);
  s.nudge(peer);
  return true;
}

}  // namespace grove::coll
