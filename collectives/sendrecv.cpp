// Point-to-point sends and receives, run as a group of small state machines polled round-robin, so any
// mix and order of sends and receives completes without deadlock. Protocol: docs/algorithms.md.
//
// A message travels through the sender's mailbox for its receiver (a ring of chunks in the sender's
// segment), each chunk's header line carrying its own ready flag; messages up to 40 bytes ride inside
// the first header. Large messages in a process the receiver can read (process_vm_readv) send only a
// header with the buffer's address, and the receiver copies once, directly.
//
// Matching is checked on both sides: the receiver compares the first header with its call, and the
// sender compares the receive the peer posted into its control line with its own call. The receiver
// always consumes the whole message, so the pair stays in step even when the calls disagree, and both
// return groveInvalidUsage. A send completes once its data is in the mailbox and the matching receive
// is posted; it waits for the receiver only when the mailbox ring is full or when the receiver reads
// the send buffer directly. Eager sends (up to GROVE_EAGER_BYTES) do not wait for the posted receive:
// on a mismatch the receiver writes a verdict into the sender's segment, and the sender's next call
// returns groveInvalidUsage (docs/algorithms.md, "Eager calls").
//
// The common small exchange (an eager send of one chunk, a lone receive of one) goes around this runner
// (collectives/p2p_eager.cpp); the mailbox helpers both use are in P2PState. One file, a little over the
// usual 400 lines, on purpose: the runner's members are local to it, so the compiler inlines the
// receive's state machine into the polling loop and the group's setup into sendRecvGroup. Split in two
// (the waiting and error paths in another file, the class in a hidden header), an 8 B exchange took 52
// more instructions (callgrind, 1 Dec) and, in an earlier attempt, 5-7 % more time.
#include <sched.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "collectives/algorithms.hpp"
#include "collectives/copy_kernels.hpp"
#include "collectives/datatype.hpp"
#include "collectives/p2p_state.hpp"
#include "grove/error.hpp"
#include "grove/fence.hpp"

namespace grove::coll {
namespace {

// Bytes read directly per step: keeps the other operations of the group moving during huge reads.
constexpr std::size_t kCmaPiece = 16u << 20;
// Idle rounds spent yielding the core (after spinning) before sleeping on the doorbell.
constexpr int kYieldRounds = 256;
// When ranks outnumber cores: polls spent waiting for a peer that is on a core right now (it is likely
// to deliver within microseconds, and giving our core away costs a context switch) before yielding.
constexpr int kOnCoreSpin = 2000;

std::string describe(std::size_t count, std::uint32_t type) {
  return std::to_string(count) + " x " + typeName(static_cast<groveDataType_t>(type));
}

std::string mismatch(int sender, std::uint64_t sentCount, std::uint32_t sentType, int receiver,
                     std::uint64_t wantCount, std::uint32_t wantType) {
  return "mismatched send/recv: rank " + std::to_string(sender) + " sent " + describe(sentCount, sentType) +
         ", rank " + std::to_string(receiver) + " expected " + describe(wantCount, wantType);
}

class GroupRunner {
 public:
  explicit GroupRunner(Engine& e) : e_(e), L_(e.layout()), s_(e.p2p()) {}

  // Queues the group's operations, by (peer, direction) in issue order.
  void add(const P2POp* ops, std::size_t n) {
    s_.ops.clear();
    // Only the queues the previous group used need resetting (clearing all 2 * nranks cost a memset call
    // each for head and tail on every group).
    for (int q : s_.active) s_.head[q] = s_.tail[q] = -1;
    s_.active.clear();
    std::size_t snapBytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
      // Built in place: copying the struct through the stack stalled on store forwarding.
      const int idx = static_cast<int>(s_.ops.size());
      P2PPending& p = s_.ops.emplace_back(ops[i]);
      // A send whose buffer a receive of the same group overwrites (in-place exchange) sends a snapshot:
      // the receive may land before the send has been read.
      if (p.op.isSend && p.bytes && overlapsAnyReceive(p, ops, n)) {
        p.snapshot = true;
        snapBytes += roundUp(p.bytes);
      }
      const int q = ops[i].peer * 2 + (ops[i].isSend ? 0 : 1);
      if (s_.tail[q] < 0) {
        s_.head[q] = idx;
        s_.active.push_back(q);
      } else
        s_.ops[s_.tail[q]].nextInQueue = idx;
      s_.tail[q] = idx;
    }
    if (snapBytes) takeSnapshots(snapBytes);
  }

  // The group failed: a receiver still reading one of our send buffers directly must not trust what it
  // read, since the caller may write new data into it once the group has returned. Clearing the address
  // in the message's header tells it (readChunk); the fence orders that before the caller's writes.
  void withdrawOffers() {
    for (P2PPending& s : s_.ops)
      if (s.op.isSend && s.cma && s.next > 0 && !s.done)
        offeredAddress(s_.sendChunk(s.op.peer, s.base)).store(0, std::memory_order_seq_cst);
    fullFence();
  }

  void run() {
    setOnCore(true);
    matchSelf();
    std::chrono::steady_clock::time_point until{};
    bool timing = false;  // `until` is set for the current wait
    int idle = 0, onCoreSpins = 0;
    for (;;) {
      bool remaining = false;
      const bool progress = pollAll(remaining);
      if (!remaining) break;
      if (progress) {
        idle = 0;
        onCoreSpins = 0;
        timing = false;
        continue;
      }
      if (++idle < e_.spin() && idle % 64 != 0) continue;
      // The timeout bounds each wait, not the whole group. The clock is read only once a wait has lasted
      // a few rounds: exchanges that complete at once never pay for it.
      if (!timing) {
        until = e_.deadline();
        timing = true;
      }
      checkAlive(until);
      if (idle < e_.spin()) continue;
      // Yield for a while before sleeping: when ranks outnumber cores, the peer we wait for usually needs
      // our core for a moment, and waking from the doorbell costs the ringer a system call.
      if (idle < e_.spin() + kYieldRounds) {
        // Adaptive spinning, as locks do while their owner runs: keep the core while a peer we wait for
        // is on one, since it may deliver before a context switch would have completed.
        if (onCoreSpins < kOnCoreSpin && peerOnCore()) {
          ++onCoreSpins;
          --idle;
          cpuRelax();
          continue;
        }
        onCoreSpins = 0;
        setOnCore(false);
        ::sched_yield();
        setOnCore(true);
        continue;
      }
      setOnCore(false);
      const bool woken = sleep();
      setOnCore(true);
      if (woken) {
        idle = 0;
        timing = false;
      }
    }
    if (!firstError_.empty()) throw Error(groveInvalidUsage, firstError_);
  }

 private:
  static std::size_t bytesOf(const P2POp& op) { return op.count * typeSize(op.type); }
  static std::size_t roundUp(std::size_t b) { return (b + kLine - 1) / kLine * kLine; }

  static bool overlapsAnyReceive(const P2PPending& send, const P2POp* ops, std::size_t n) {
    const char* a = static_cast<const char*>(send.op.buf);
    const char* aEnd = a + send.bytes;
    for (std::size_t i = 0; i < n; ++i) {
      if (ops[i].isSend) continue;
      const char* b = static_cast<const char*>(ops[i].buf);
      const char* bEnd = b + bytesOf(ops[i]);
      if (a < bEnd && b < aEnd) return true;
    }
    return false;
  }

  void takeSnapshots(std::size_t snapBytes) {
    if (snapBytes > s_.snapshot.size()) s_.snapshot.resize(snapBytes);
    std::size_t off = 0;
    for (P2PPending& p : s_.ops) {
      if (!p.snapshot) continue;
      char* copy = s_.snapshot.data() + off;
      std::memcpy(copy, p.op.buf, p.bytes);
      p.op.buf = copy;
      off += roundUp(p.bytes);
    }
  }

  // Sends to self are matched with receives from self in order, by copying.
  void matchSelf() {
    int& s = s_.head[e_.rank() * 2];
    int& r = s_.head[e_.rank() * 2 + 1];
    while (s >= 0 && r >= 0) {
      const P2POp& a = s_.ops[s].op;
      const P2POp& b = s_.ops[r].op;
      if (a.count != b.count || a.type != b.type) {
        note("send to self of " + describe(a.count, a.type) + " met a receive of " +
             describe(b.count, b.type));
      } else if (a.count) {
        std::memmove(b.buf, a.buf, s_.ops[s].bytes);
      }
      s = s_.ops[s].nextInQueue;
      r = s_.ops[r].nextInQueue;
    }
    if (s >= 0 || r >= 0)
      throw Error(groveInvalidUsage, "a send to self needs a matching receive from self in the same group");
  }

  // One pass over the front operation of every queue. Sets `remaining` when any operation is left.
  bool pollAll(bool& remaining) {
    bool progress = false;
    for (int q : s_.active) {
      int& h = s_.head[q];
      if (h < 0) continue;
      P2PPending& p = s_.ops[h];
      progress |= (q & 1) ? stepRecv(p) : stepSend(p);
      if (p.done) h = p.nextInQueue;
      if (h >= 0) remaining = true;
    }
    return progress;
  }

  // Sleeps on this rank's doorbell until a peer rings it (or briefly, to re-check liveness). Peers ring
  // only when they see a sleeper, so the sleeper announces itself first and then polls once more: a
  // signal either lands before that poll or its sender sees the announcement. Returns true on progress.
  bool sleep() {
    SemaphoreWord* bell = s_.lines[e_.rank()].doorbell;
    bell->waiters.fetch_add(1, std::memory_order_seq_cst);
    if (s_.asymmetricFences) heavyFence();  // pairs with the lightFence() of nudge()
    const std::uint64_t rung = bell->value.load(std::memory_order_seq_cst);
    bool remaining = false;
    const bool progress = pollAll(remaining);
    if (!progress && remaining) {
      try {
        semaphoreWait(bell, rung + 1,
                      WaitPolicy{std::chrono::steady_clock::now() + std::chrono::milliseconds(20), 0, 0});
      } catch (const Error&) {  // the short deadline passed: the caller checks peers and the real deadline
      }
    }
    bell->waiters.fetch_sub(1, std::memory_order_seq_cst);
    return progress;
  }

  // Peers' liveness costs a system call per peer: it is checked once a millisecond, not every round.
  void checkAlive(std::chrono::steady_clock::time_point until) {
    if (e_.cancelled()) throw Error(groveRemoteError, "send/recv cancelled: the communicator was aborted");
    const auto now = std::chrono::steady_clock::now();
    if (now > until)
      throw Error(groveTimeout, "send/recv timed out (GROVE_TIMEOUT_MS): the peer never matched the call");
    if (now < s_.nextPeerCheck) return;
    s_.nextPeerCheck = now + std::chrono::milliseconds(1);
    for (int q : s_.active)
      if (s_.head[q] >= 0) checkPeer(q / 2);
  }

  std::atomic<std::uint32_t>* onCoreFlag(int r) const {
    return reinterpret_cast<std::atomic<std::uint32_t>*>(e_.base(r) + L_.onCoreOffset());
  }
  // Peers read the flag often: it is written only when it changes.
  void setOnCore(bool on) const {
    if (!e_.oversubscribed()) return;
    std::atomic<std::uint32_t>* flag = onCoreFlag(e_.rank());
    if (flag->load(std::memory_order_relaxed) != (on ? 1u : 0u))
      flag->store(on ? 1 : 0, std::memory_order_relaxed);
  }
  // True when an unfinished small operation (up to GROVE_EAGER_BYTES) waits for a peer that is on a core
  // (flags are kept only when ranks outnumber cores; otherwise waits spin anyway). Large messages keep
  // their peers busy copying, and a peer the scheduler preempted still shows its flag: spinning for
  // them cost 14-39 % from 128 KiB to 2 MiB at 4 ranks.
  bool peerOnCore() const {
    if (!e_.oversubscribed()) return false;
    for (int q : s_.active) {
      const int h = s_.head[q];
      if (h >= 0 && s_.ops[h].bytes <= e_.eagerBytes() && onCoreFlag(q / 2)->load(std::memory_order_relaxed))
        return true;
    }
    return false;
  }

  void checkPeer(int p) {
    const int pid = e_.channel(p).peerPid();
    if (::kill(pid, 0) != 0 && errno == ESRCH)
      throw Error(groveRemoteError, "peer rank " + std::to_string(p) + " died during send/recv");
  }

  void note(const std::string& msg) {
    if (firstError_.empty()) firstError_ = msg;
  }

  // A kModeCma header keeps the address of the message in the sender's process just after its line.
  static std::uint64_t* cmaAddress(P2PChunkHeader* h) {
    return reinterpret_cast<std::uint64_t*>(reinterpret_cast<char*>(h) + kLine);
  }
  static std::uint64_t cmaAddressOf(const P2PChunkHeader* h) {
    return *reinterpret_cast<const std::uint64_t*>(reinterpret_cast<const char*>(h) + kLine);
  }
  // The sender clears the address when it gives the message up (withdrawOffers); the receiver looks
  // again after every piece it read.
  static std::atomic_ref<std::uint64_t> offeredAddress(const P2PChunkHeader* h) {
    return std::atomic_ref<std::uint64_t>(*cmaAddress(const_cast<P2PChunkHeader*>(h)));
  }

  // The sender of an eager message has moved on: it learns of the mismatch from its next call.
  void tellSender(const P2PPending& r) {
    auto* v = reinterpret_cast<P2PVerdict*>(e_.base(r.op.peer) + L_.p2pVerdictOffset(e_.rank()));
    v->sentCount = r.theirCount;
    v->sentType = r.theirType;
    v->wantCount = r.op.count;
    v->wantType = static_cast<std::uint32_t>(r.op.type);
    v->message.store(r.messageNo, std::memory_order_release);
    reinterpret_cast<SemaphoreWord*>(e_.base(r.op.peer) + L_.p2pNoticeOffset())
        ->value.fetch_add(1, std::memory_order_release);
  }

  bool stepSend(P2PPending& s);
  bool stepRecv(P2PPending& r);
  void startRecv(P2PPending& r);
  bool readChunk(P2PPending& r, const P2PChunkHeader* h);

  Engine& e_;
  const WorkspaceLayout& L_;
  P2PState& s_;
  std::string firstError_;
};

bool GroupRunner::stepSend(P2PPending& s) {
  const int peer = s.op.peer;
  const std::size_t bytes = s.bytes;
  P2PControl* ctl = s_.lines[peer].sendControl;
  if (!s.started) {
    s.started = true;
    s.messageNo = ++s_.messagesSent[peer];
    s.base = s_.sent[peer];
    s.cma = s_.readDirectly(peer, bytes);
    s.chunks = s.cma ? 1 : s_.chunksFor(bytes);
    s.eager = !s.cma && bytes <= e_.eagerBytes();
    s_.sent[peer] += s.chunks;
  }
  bool progressed = false;
  const char* src = static_cast<const char*>(s.op.buf);
  while (s.next < s.chunks) {
    const std::uint64_t c = s.base + s.next;
    // Credits: slot c was last used by chunk c - slots, which the receiver must have consumed.
    if (c >= s_.slots && !s_.hasCredit(peer, c - s_.slots + 1)) break;
    P2PChunkHeader* h = s_.sendChunk(peer, c);
    if (s.next == 0) {
      describeMessage(h, s.op, s.cma ? kModeCma : s.eager ? kModeMailbox | kModeEager : kModeMailbox);
      if (s.cma) *cmaAddress(h) = reinterpret_cast<std::uint64_t>(src);
      if (bytes <= kP2PInlineBytes) copySmall(h->inlineData, src, bytes);
    }
    if (!s.cma && bytes > kP2PInlineBytes) {
      const std::size_t off = s.next * s_.dataBytes;
      std::memcpy(reinterpret_cast<char*>(h) + kLine, src + off, std::min(s_.dataBytes, bytes - off));
    }
    h->seq.store(c + 1, std::memory_order_release);
    s_.nudge(peer);
    ++s.next;
    progressed = true;
  }
  if (s.next < s.chunks) return progressed;
  // An eager send is done once its data is in the mailbox, like an MPI eager send: the receiver checks
  // the match and reports a difference back (P2PVerdict).
  if (s.eager) {
    s.done = true;
    return true;
  }
  // Done once the receiver posted this message (and, for direct reads, finished reading our buffer).
  const P2PPosted& posted = ctl->posted[s.messageNo & 1];
  if (posted.message.load(std::memory_order_acquire) != s.messageNo) return progressed;
  if (s.cma && !s_.hasCredit(peer, s.base + 1)) return progressed;
  if (posted.count != s.op.count || posted.type != static_cast<std::uint32_t>(s.op.type))
    note(mismatch(e_.rank(), s.op.count, s.op.type, peer, posted.count, posted.type));
  s.done = true;
  return true;
}

void GroupRunner::startRecv(P2PPending& r) {
  const int peer = r.op.peer;
  r.started = true;
  r.messageNo = ++s_.messagesReceived[peer];
  r.base = s_.received[peer];
  P2PControl* ctl = s_.lines[peer].recvControl;
  if (!s_.cmaProbed[peer]) {
    // Once per pair: tell the sender whether we can read its memory directly. Its probe line may not be
    // written yet right after communicator creation: then ask again at the next receive.
    const auto* probe = reinterpret_cast<const P2PProbe*>(e_.base(peer) + L_.p2pProbeOffset());
    if (!s_.cmaAllowed) {
      ctl->cma.store(kCmaNo, std::memory_order_release);
      s_.cmaProbed[peer] = 1;
    } else if (probe->magic.load(std::memory_order_acquire) == kP2PProbeMagic) {
      ctl->cma.store(cmaProbe(e_.channel(peer).peerPid(), *probe) ? kCmaYes : kCmaNo,
                     std::memory_order_release);
      s_.cmaProbed[peer] = 1;
    }
  }
  P2PPosted& posted = ctl->posted[r.messageNo & 1];
  posted.count = r.op.count;
  posted.type = static_cast<std::uint32_t>(r.op.type);
  posted.message.store(r.messageNo, std::memory_order_release);
  s_.nudge(peer);
}

// Consumes what chunk `h` carries; false when a direct read of a large message is not finished yet.
bool GroupRunner::readChunk(P2PPending& r, const P2PChunkHeader* h) {
  const std::size_t want = r.bytes;
  char* dst = static_cast<char*>(r.op.buf);
  if (r.next == 0 && r.cmaDone == 0) {
    r.cma = (h->mode & kModeCma) != 0;
    r.eager = (h->mode & kModeEager) != 0;
    r.chunks = r.cma ? 1 : s_.chunksFor(h->count * typeSize(static_cast<groveDataType_t>(h->type)));
    if (r.cma) r.cmaAddr = cmaAddressOf(h);
    r.mismatch = h->count != r.op.count || h->type != static_cast<std::uint32_t>(r.op.type);
    r.theirCount = h->count;
    r.theirType = h->type;
    if (!r.mismatch && want <= kP2PInlineBytes) copySmall(dst, h->inlineData, want);
  }
  if (r.mismatch || want <= kP2PInlineBytes) return true;
  if (r.cma) {
    const std::size_t len = std::min(kCmaPiece, want - r.cmaDone);
    r.cmaDone += cmaRead(e_.channel(r.op.peer).peerPid(), r.cmaAddr + r.cmaDone, dst + r.cmaDone, len);
    fullFence();  // the read before the look at the offer
    if (offeredAddress(h).load(std::memory_order_acquire) != r.cmaAddr)
      throw Error(groveRemoteError, "rank " + std::to_string(r.op.peer) +
                                        " gave up its send (its call failed) while this rank was reading "
                                        "the message; what was read cannot be trusted");
    return r.cmaDone == want;
  }
  const std::size_t off = r.next * s_.dataBytes;
  std::memcpy(dst + off, reinterpret_cast<const char*>(h) + kLine, std::min(s_.dataBytes, want - off));
  return true;
}

bool GroupRunner::stepRecv(P2PPending& r) {
  const int peer = r.op.peer;
  if (!r.started) startRecv(r);
  bool progressed = false;
  while (r.next == 0 || r.next < r.chunks) {
    const std::uint64_t c = r.base + r.next;
    const P2PChunkHeader* h = s_.recvChunk(peer, c);
    if (h->seq.load(std::memory_order_acquire) < c + 1) break;
    progressed = true;
    if (!readChunk(r, h)) return true;
    ++r.next;
    if (r.next == r.chunks) s_.received[peer] = r.base + r.chunks;
    s_.lines[peer].recvControl->freed.store(c + 1, std::memory_order_release);
    s_.nudge(peer);
  }
  if (r.next > 0 && r.next == r.chunks) {
    if (r.mismatch) {
      note(mismatch(peer, r.theirCount, r.theirType, e_.rank(), r.op.count, r.op.type));
      if (r.eager) tellSender(r);
    }
    r.done = true;
    progressed = true;
  }
  return progressed;
}

}  // namespace

void sendRecvGroup(Engine& e, const P2POp* ops, std::size_t n) {
  GroupRunner runner(e);
  runner.add(ops, n);
  try {
    runner.run();
  } catch (...) {
    runner.withdrawOffers();
    throw;
  }
}

}  // namespace grove::coll
