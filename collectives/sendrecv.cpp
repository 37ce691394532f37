// Point-to-point sends and receives, run as a group of small state machines polled round-robin, so any
// mix and order of sends and receives completes without deadlock.
//
// A message travels through the sender's mailbox for its receiver (a ring of chunks in the sender's
// segment). The first chunk starts with a descriptor line; the receiver checks it against its own
// call, always consumes the whole message (so the pair stays in step even when the calls disagree),
// and writes a status line back. The sender completes when its last chunk is consumed and reports the
// receiver's verdict, so both sides of a mismatched pair return groveInvalidUsage.
#include <sched.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <string>

#include "collectives/algorithms.hpp"
#include "collectives/datatype.hpp"
#include "grove/error.hpp"

namespace grove::coll {
namespace {

struct alignas(kLine) P2PDescriptor {
  std::uint64_t bytes;
  std::uint64_t count;
  std::uint32_t type;
  std::uint32_t magic;
};
constexpr std::uint32_t kP2PMagic = 0x70327032;

struct alignas(kLine) P2PStatus {
  std::uint64_t message;  // which message of the pair (1-based) this status belongs to
  char text[56];          // empty: matched
};

std::string describe(std::size_t count, std::uint32_t type) {
  return std::to_string(count) + " x " + typeName(static_cast<groveDataType_t>(type));
}

// Progress state of one operation.
struct Pending {
  P2POp op;
  std::uint64_t base = 0;    // pair chunk counter when the message started
  std::uint64_t chunks = 0;  // total chunks (receives learn it from the descriptor)
  std::uint64_t next = 0;    // next chunk to write/read
  std::uint64_t messageNo = 0;
  bool started = false;
  std::string error;
  bool done = false;
};

Pending makePending(const P2POp& op) {
  Pending p;
  p.op = op;
  return p;
}

class GroupRunner {
 public:
  GroupRunner(Engine& e, const std::vector<P2POp>& ops) : e_(e), L_(e.layout()) {
    sends_.resize(e.nranks());
    recvs_.resize(e.nranks());
    for (const P2POp& op : ops) {
      P2POp mine = op;
      // A send whose buffer a receive of the same group overwrites (in-place exchange) sends a snapshot:
      // the receive may land before the send has read everything.
      if (op.isSend && overlapsAnyReceive(op, ops)) {
        const std::size_t bytes = op.count * typeSize(op.type);
        snapshots_.emplace_back(static_cast<const char*>(op.buf), static_cast<const char*>(op.buf) + bytes);
        mine.buf = snapshots_.back().data();
      }
      (op.isSend ? sends_ : recvs_)[op.peer].push_back(makePending(mine));
    }
  }

  void run() {
    matchSelf();
    auto until = e_.deadline();
    int idle = 0;
    auto* doorbell = reinterpret_cast<SemaphoreWord*>(e_.base(e_.rank()) + L_.doorbellOffset());
    for (;;) {
      // Read the doorbell before polling: a ring after this point wakes the sleep below.
      const std::uint64_t rung = doorbell->value.load(std::memory_order_acquire);
      bool progress = false, remaining = false;
      for (int p = 0; p < e_.nranks(); ++p) {
        if (p == e_.rank()) continue;
        progress |= stepQueue(sends_[p], true, remaining);
        progress |= stepQueue(recvs_[p], false, remaining);
      }
      if (!remaining) break;
      if (progress) {  // the timeout bounds each wait, not the whole group
        idle = 0;
        until = e_.deadline();
        continue;
      }
      if (++idle % 64 == 0) checkAlive(until);
      if (idle < e_.spin()) continue;
      // Nothing to do until a peer signals: sleep on the doorbell (briefly, to re-check liveness).
      try {
        semaphoreWait(doorbell, rung + 1,
                      WaitPolicy{std::chrono::steady_clock::now() + std::chrono::milliseconds(20), 0, 0});
      } catch (const Error&) {  // the short deadline passed: loop, check the peers and the real deadline
      }
    }
    if (!firstError_.empty()) throw Error(groveInvalidUsage, firstError_);
  }

 private:
  static bool overlapsAnyReceive(const P2POp& send, const std::vector<P2POp>& ops) {
    const char* a = static_cast<const char*>(send.buf);
    const char* aEnd = a + send.count * typeSize(send.type);
    for (const P2POp& r : ops) {
      if (r.isSend) continue;
      const char* b = static_cast<const char*>(r.buf);
      const char* bEnd = b + r.count * typeSize(r.type);
      if (a < bEnd && b < aEnd) return true;
    }
    return false;
  }

  // Sends to self are matched with receives from self in order, by copying.
  void matchSelf() {
    auto& s = sends_[e_.rank()];
    auto& r = recvs_[e_.rank()];
    while (!s.empty() && !r.empty()) {
      const P2POp& a = s.front().op;
      const P2POp& b = r.front().op;
      if (a.count != b.count || a.type != b.type) {
        note("send to self of " + describe(a.count, a.type) + " met a receive of " +
             describe(b.count, b.type));
      } else if (a.count) {
        std::memmove(b.buf, a.buf, a.count * typeSize(a.type));
      }
      s.pop_front();
      r.pop_front();
    }
    if (!s.empty() || !r.empty())
      throw Error(groveInvalidUsage, "a send to self needs a matching receive from self in the same group");
  }

  void checkAlive(std::chrono::steady_clock::time_point until) {
    if (e_.cancelled()) throw Error(groveRemoteError, "send/recv cancelled: the communicator was aborted");
    if (std::chrono::steady_clock::now() > until)
      throw Error(groveTimeout, "send/recv timed out (GROVE_TIMEOUT_MS): the peer never matched the call");
    for (int p = 0; p < e_.nranks(); ++p) {
      if (p == e_.rank() || (sends_[p].empty() && recvs_[p].empty())) continue;
      int pid = e_.channel(p).peerPid();
      if (::kill(pid, 0) != 0 && errno == ESRCH)
        throw Error(groveRemoteError, "peer rank " + std::to_string(p) + " died during send/recv");
    }
  }

  void ring(int peer) {
    semaphoreRing(reinterpret_cast<SemaphoreWord*>(e_.base(peer) + L_.doorbellOffset()));
  }

  void note(const std::string& msg) {
    if (firstError_.empty()) firstError_ = msg;
  }

  bool stepQueue(std::deque<Pending>& q, bool isSend, bool& remaining) {
    if (q.empty()) return false;
    remaining = true;
    bool progressed = isSend ? stepSend(q.front()) : stepRecv(q.front());
    if (q.front().done) q.pop_front();
    return progressed;
  }

  char* slot(int owner, int receiver, std::uint64_t chunk) const {
    return e_.base(owner) + L_.p2pOffset(receiver, static_cast<int>(chunk % L_.p2pSlots));
  }

  bool stepSend(Pending& s) {
    const int peer = s.op.peer;
    const MemoryChannel& ch = e_.channel(peer);
    const std::size_t bytes = s.op.count * typeSize(s.op.type);
    if (!s.started) {
      s.started = true;
      s.base = e_.p2pSent()[peer];
      s.chunks = (kLine + bytes + L_.p2pChunkBytes - 1) / L_.p2pChunkBytes;
      e_.p2pSent()[peer] += s.chunks;
      s.messageNo = ++messagesSent_[peer];
    }
    bool progressed = false;
    while (s.next < s.chunks) {
      const std::uint64_t c = s.base + s.next;
      if (c >= static_cast<std::uint64_t>(L_.p2pSlots) && !ch.poll(kSemP2PFree, c - L_.p2pSlots + 1)) break;
      char* dst = slot(e_.rank(), peer, c);
      const std::size_t streamOff = s.next * L_.p2pChunkBytes;  // offset in (descriptor + data)
      std::size_t room = L_.p2pChunkBytes, dataOff = 0;
      if (s.next == 0) {
        auto* d = reinterpret_cast<P2PDescriptor*>(dst);
        *d = P2PDescriptor{bytes, s.op.count, static_cast<std::uint32_t>(s.op.type), kP2PMagic};
        dst += kLine;
        room -= kLine;
      } else {
        dataOff = streamOff - kLine;
      }
      const std::size_t len = std::min(room, bytes - std::min(bytes, dataOff));
      if (len) std::memcpy(dst, static_cast<const char*>(s.op.buf) + dataOff, len);
      ch.signal(kSemP2PReady, c + 1);
      ring(peer);
      ++s.next;
      progressed = true;
    }
    if (s.next == s.chunks && ch.poll(kSemP2PFree, s.base + s.chunks)) {
      auto* st = reinterpret_cast<const P2PStatus*>(e_.base(e_.rank()) + L_.p2pStatusOffset(peer));
      if (st->message == s.messageNo && st->text[0] != '\0')
        note(std::string(st->text, strnlen(st->text, 56)));
      s.done = true;
      progressed = true;
    }
    return progressed;
  }

  bool stepRecv(Pending& r) {
    const int peer = r.op.peer;
    const MemoryChannel& ch = e_.channel(peer);
    if (!r.started) {
      r.started = true;
      r.base = e_.p2pReceived()[peer];
      r.messageNo = ++messagesReceived_[peer];
    }
    bool progressed = false;
    const std::size_t want = r.op.count * typeSize(r.op.type);
    for (;;) {
      const std::uint64_t c = r.base + r.next;
      if (r.next > 0 && r.next == r.chunks) break;
      if (!ch.poll(kSemP2PReady, c + 1)) break;
      const char* src = slot(peer, e_.rank(), c);
      std::size_t room = L_.p2pChunkBytes, dataOff = 0;
      if (r.next == 0) {
        const auto* d = reinterpret_cast<const P2PDescriptor*>(src);
        r.chunks = (kLine + d->bytes + L_.p2pChunkBytes - 1) / L_.p2pChunkBytes;
        if (d->magic != kP2PMagic || d->bytes != want || d->type != static_cast<std::uint32_t>(r.op.type))
          r.error = "mismatched send/recv: rank " + std::to_string(peer) + " sent " +
                    describe(d->count, d->type) + ", rank " + std::to_string(e_.rank()) + " expected " +
                    describe(r.op.count, r.op.type);
        src += kLine;
        room -= kLine;
      } else {
        dataOff = r.next * L_.p2pChunkBytes - kLine;
      }
      if (r.error.empty() && dataOff < want)
        std::memcpy(static_cast<char*>(r.op.buf) + dataOff, src, std::min(room, want - dataOff));
      ++r.next;
      if (r.next == r.chunks) {
        // The verdict goes to the sender before the last chunk is released.
        auto* st = reinterpret_cast<P2PStatus*>(e_.base(peer) + L_.p2pStatusOffset(e_.rank()));
        std::memset(st->text, 0, sizeof(st->text));
        std::strncpy(st->text, r.error.c_str(), sizeof(st->text) - 1);
        st->message = r.messageNo;
        e_.p2pReceived()[peer] = r.base + r.chunks;
      }
      ch.signal(kSemP2PFree, c + 1);
      ring(peer);
      progressed = true;
    }
    if (r.next > 0 && r.next == r.chunks) {
      if (!r.error.empty()) note(r.error);
      r.done = true;
    }
    return progressed;
  }

  Engine& e_;
  const WorkspaceLayout& L_;
  std::deque<std::vector<char>> snapshots_;  // deque: stable addresses as it grows
  std::vector<std::deque<Pending>> sends_, recvs_;
  std::string firstError_;
  std::vector<std::uint64_t>& messagesSent_ = e_.p2pMessagesSent();
  std::vector<std::uint64_t>& messagesReceived_ = e_.p2pMessagesReceived();
};

}  // namespace

void sendRecvGroup(Engine& e, const std::vector<P2POp>& ops) {
  std::lock_guard<std::mutex> lock(e.callMutex());
  GroupRunner(e, ops).run();
}

}  // namespace grove::coll
