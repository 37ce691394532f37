/// @file p2p_state.hpp
/// Point-to-point send/recv: the lines peers exchange (docs/algorithms.md, "Send/recv") and the state an
/// Engine keeps between groups, so that running a group of a few operations allocates nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "collectives/algorithms.hpp"
#include "collectives/copy_kernels.hpp"
#include "collectives/datatype.hpp"
#include "collectives/workspace.hpp"
#include "grove/fence.hpp"

namespace grove::coll {

/// How a message travels, announced in its first chunk header. kModeEager is added to kModeMailbox when
/// the sender did not wait for the matching receive (messages up to GROVE_EAGER_BYTES): the receiver
/// then reports a mismatch back through a P2PVerdict.
enum P2PMode : std::uint32_t { kModeMailbox = 1, kModeCma = 2, kModeEager = 4 };

/// What a receiver tells the sender of an eager message that did not match its receive; one line per
/// receiver in the sender's segment. `message` (the pair's message number) is stored last, with release.
struct alignas(kLine) P2PVerdict {
  std::atomic<std::uint64_t> message;
  std::uint64_t sentCount, wantCount;
  std::uint32_t sentType, wantType;
};
static_assert(sizeof(P2PVerdict) == kLine);

/// Bytes a message may carry inside its first chunk header: messages up to this size travel in one line.
constexpr std::size_t kP2PInlineBytes = 40;
static_assert(kP2PInlineBytes <= kSmallCopyBytes, "inline messages are copied with copySmall");

/// First line of every mailbox chunk. `seq` (pair chunk number + 1) is stored last, with release: it is
/// the receiver's "chunk ready" flag. The other fields are meaningful in a message's first chunk only.
/// The message's size is count times the type's size; a kModeCma message puts the address of its data in
/// the sender's process in the first word after the header line (the chunk's otherwise unused data).
struct alignas(kLine) P2PChunkHeader {
  std::atomic<std::uint64_t> seq;
  std::uint64_t count;  ///< Element count and type as the sender called.
  std::uint32_t type;
  std::uint32_t mode;  ///< P2PMode.
  unsigned char inlineData[kP2PInlineBytes];
};
static_assert(sizeof(P2PChunkHeader) == kLine);

/// Writes what the sender called into a message's first chunk header.
inline void describeMessage(P2PChunkHeader* h, const P2POp& op, std::uint32_t mode) {
  h->count = op.count;
  h->type = static_cast<std::uint32_t>(op.type);
  h->mode = mode;
}

/// A posted receive, as the receiver announces it to the sender so the sender can check the match
/// itself. `message` (1-based number of the message within the pair) is stored last, with release.
struct P2PPosted {
  std::atomic<std::uint64_t> message;
  std::uint64_t count;
  std::uint32_t type;
  std::uint32_t pad;
};

/// Control line one receiver writes into the sender's segment. Two posted entries (by message parity)
/// suffice: the receiver posts message m only after receiving m-1, which the sender sent only after it
/// had read entry m-2.
struct alignas(kLine) P2PControl {
  P2PPosted posted[2];
  std::atomic<std::uint32_t> cma;  ///< P2PCmaVerdict: can the receiver read this process directly?
  std::uint32_t pad;
  /// Chunks of the pair the receiver consumed: the sender's credits for reusing mailbox slots.
  std::atomic<std::uint64_t> freed;
};
static_assert(sizeof(P2PControl) == kLine);
enum P2PCmaVerdict : std::uint32_t { kCmaUnknown = 0, kCmaYes = 1, kCmaNo = 2 };

/// Owner-written line: a known value at a known address of the owner's process, for probing.
struct alignas(kLine) P2PProbe {
  std::atomic<std::uint64_t> magic;
  std::uint64_t addr;  ///< Address of `magic` in the owner's process.
};
constexpr std::uint64_t kP2PProbeMagic = 0x67726f7665636d61ull;

/// Progress of one operation of a group.
struct P2PPending {
  // Built in place for every operation of every group: without this constructor the compiler cleared
  // the struct with `rep stos`, whose start-up cost was 3-4 % of a 2-rank 8 B exchange.
  explicit P2PPending(const P2POp& o) : op(o), bytes(o.count * typeSize(o.type)) {}
  P2POp op;
  std::size_t bytes;         ///< Message size (computed once: it is needed at every step).
  std::uint64_t base = 0;    ///< Pair chunk counter when the message started.
  std::uint64_t chunks = 0;  ///< Chunks of the message (receives learn it from the first header).
  std::uint64_t next = 0;    ///< Next chunk to write / read.
  std::uint64_t messageNo = 0;
  std::uint64_t cmaDone = 0;  ///< Bytes already read directly from the sender.
  std::uint64_t cmaAddr = 0;
  std::uint64_t theirCount = 0;  ///< Receives: what the sender announced (mismatch message).
  std::uint32_t theirType = 0;
  int nextInQueue = -1;  ///< Next operation of the same (peer, direction), in issue order.
  bool started = false, done = false, cma = false, mismatch = false;
  bool snapshot = false;  ///< Sends: a receive of the group overwrites the buffer; send a copy.
  bool eager = false;  ///< Sends: done without waiting for the posted receive. Receives: the sender did so.
};

/// Where the lines a rank shares with one peer lie, computed once per communicator (finding them from
/// the layout cost about 150 instructions per 8 B exchange, a tenth of its software).
struct P2PPeerLines {
  char* sendBox;            ///< Slot 0 of my mailbox for the peer (in my segment).
  const char* recvBox;      ///< Slot 0 of the peer's mailbox for me (in its segment).
  P2PControl* sendControl;  ///< The line the peer writes into my segment about my sends to it.
  P2PControl* recvControl;  ///< The line I write into the peer's segment about my receives from it.
  SemaphoreWord* doorbell;  ///< The peer's doorbell.
};

/// Kept by the Engine between groups.
struct P2PState {
  /// By peer (this rank included).
  std::vector<P2PPeerLines> lines;
  /// Chunks sent to / received from each peer so far: they number the mailbox slots and flags.
  std::vector<std::uint64_t> sent, received;
  /// Messages sent to / received from each peer so far: they number posted receives.
  std::vector<std::uint64_t> messagesSent, messagesReceived;
  /// Receiver side: did we already tell peer p whether we can read it directly?
  std::vector<std::uint8_t> cmaProbed;
  /// Sender side: the receiver's `freed` counter as last read.
  std::vector<std::uint64_t> freedSeen;
  /// Scratch of the running group, reused: operations, per-queue (peer * 2 + isRecv) first and last
  /// operation, the queues with work, and in-place send snapshots.
  std::vector<P2PPending> ops;
  std::vector<int> head, tail, active;
  std::vector<char> snapshot;
  /// When waiting operations next check that their peers are alive (a system call per peer).
  std::chrono::steady_clock::time_point nextPeerCheck{};
  bool cmaAllowed = true;       ///< GROVE_P2P_CMA=0 turns direct reads off.
  std::size_t cmaMinBytes = 0;  ///< Messages from this size on are read directly (when allowed).
  /// Mailbox geometry, from the layout: one chunk, its data after the header line, slots per ring.
  std::size_t chunkBytes = 0, dataBytes = 0;
  std::uint64_t slots = 0;
  /// The doorbell's fences are asymmetric while every rank has a core of its own (sleeping is rare then;
  /// a full fence per raised flag cost 5-8 % of a 2-rank 8 B exchange). When ranks outnumber cores they
  /// sleep often, and the heavy side's interprocessor interrupts cost 1.2-1.6x at 8 ranks on 2 cores.
  bool asymmetricFences = false;

  /// Sizes the vectors, finds the lines in the segments (`bases`, by rank) and writes this rank's probe
  /// line.
  void init(const WorkspaceLayout& layout, int rank, const std::vector<char*>& bases, bool asymmetricFences);

  /// Mailbox slot of pair chunk `c` in my ring for `peer` / in `peer`'s ring for me.
  P2PChunkHeader* sendChunk(int peer, std::uint64_t c) const {
    return reinterpret_cast<P2PChunkHeader*>(lines[peer].sendBox + (c & (slots - 1)) * chunkBytes);
  }
  const P2PChunkHeader* recvChunk(int peer, std::uint64_t c) const {
    return reinterpret_cast<const P2PChunkHeader*>(lines[peer].recvBox + (c & (slots - 1)) * chunkBytes);
  }
  std::uint64_t chunksFor(std::size_t bytes) const {
    return bytes <= kP2PInlineBytes ? 1 : (bytes + dataBytes - 1) / dataBytes;
  }
  /// True when the receiver `peer` consumed our first `chunks` chunks. The last value seen is cached: a
  /// fresh read of the line the receiver writes is a cache miss, needed only every few messages.
  bool hasCredit(int peer, std::uint64_t chunks) {
    std::uint64_t& seen = freedSeen[peer];
    if (seen >= chunks) return true;
    seen = lines[peer].sendControl->freed.load(std::memory_order_acquire);
    return seen >= chunks;
  }
  /// True when a message of `bytes` to `peer` is to be read directly from the send buffer.
  bool readDirectly(int peer, std::size_t bytes) const {
    return bytes >= cmaMinBytes && bytes > kP2PInlineBytes &&
           lines[peer].sendControl->cma.load(std::memory_order_acquire) == kCmaYes;
  }
  /// Wakes `peer` if it sleeps on its doorbell. The fence orders our flag stores before reading its
  /// waiter count (pairs with the sleeper's increment and heavyFence()).
  void nudge(int peer) const {
    SemaphoreWord* bell = lines[peer].doorbell;
#if defined(__SANITIZE_THREAD__)
    // ThreadSanitizer does not model fences (GCC refuses them under -fsanitize=thread): a seq_cst
    // read-modify-write of the waiter count gives the same ordering, at the price of owning its line.
    if (bell->waiters.fetch_add(0, std::memory_order_seq_cst) > 0) semaphoreRing(bell);
#else
    if (asymmetricFences)
      lightFence();
    else
      fullFence();
    if (bell->waiters.load(std::memory_order_relaxed) > 0) semaphoreRing(bell);
#endif
  }
};

/// Reads `bytes` at `remoteAddr` of process `pid` into `dst` (process_vm_readv); returns the bytes
/// read, which may be fewer. Throws Error(groveRemoteError) when the process is gone and
/// Error(groveSystemError) for other failures.
std::size_t cmaRead(int pid, std::uint64_t remoteAddr, void* dst, std::size_t bytes);
/// True when this process can read `probe`'s owner (process `pid`) directly.
bool cmaProbe(int pid, const P2PProbe& probe);

}  // namespace grove::coll
