/// @file workspace.hpp
/// Layout of the shared window every rank of a communicator owns (one segment per rank, mapped by all):
///
///   [ call ring | small rooms, parity 0 and 1 | semaphore lines | staging ring | result ring |
///     p2p mailboxes | p2p control lines | CMA probe line | doorbell | mismatch notices | checked line |
///     window hashes | send/recv notices ]
///
/// The call ring holds one entry per call, kCallSlots deep (entry seq % kCallSlots): a 64-byte header
/// line (the call's sequence number, what the call is, and up to 16 bytes of inline data) and a line
/// describing the caller's buffers when peers can map them, all entries together; then a payload room
/// per entry (eager calls' data, and one-synchronization paths' data that fits; docs/algorithms.md,
/// "Eager calls"). A rank writes entry seq only once every peer has started call seq - kCallSlots + 1
/// and compared call seq - kCallSlots, so a descriptor stays readable until every peer is done with
/// its call, even when the rank runs ahead through eager calls.
/// Synchronous calls with more data alternate between two small rooms; a rank reuses a room only after
/// every peer has started the call after the room's last use.
/// Semaphore lines are raised by peers (one line per slot and source). The rings carry the chunks of
/// pipelined large-message algorithms.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "grove/semaphore.hpp"

namespace grove::coll {

constexpr std::size_t kLine = 64;

/// The header line of a call slot. `seq` is raised last, after the descriptor and any data.
struct alignas(kLine) CallHeader {
  SemaphoreWord seq;    ///< Call number; equals the caller's sequence number once posted.
  std::uint64_t count;  ///< Element count as the collective defines it.
  std::uint8_t coll;    ///< CollKind.
  std::uint8_t type;    ///< groveDataType_t.
  std::uint8_t op;      ///< groveRedOp_t.
  std::uint8_t flags;   ///< kHeaderZeroCopy...
  std::int32_t root;    ///< Root or peer, -1 if none.
  std::uint64_t aux;    ///< Collective-specific check value (e.g. a hash of all-to-all-v counts).
  unsigned char inlineData[16];
  std::uint64_t freeCount;  ///< sharedFreeCount() of the caller: tells peers when to drop stale mappings.
};
static_assert(sizeof(CallHeader) == kLine);

/// Header flags: which of the caller's buffers peers can map (they lie in groveMemAlloc memory), and
/// whether peers may read the send buffer with cross-memory reads (its address is then the first word
/// of the caller's small-message room, which large calls do not otherwise use). kHandoffAdvice: rank 0
/// asks ranks that share cores to hand the data over in cache rather than copy once (CopyChoice).
enum HeaderFlags : std::uint8_t { kSendShared = 1, kRecvShared = 2, kSendAddress = 4, kHandoffAdvice = 8 };

/// Second line of a call slot: where the caller's buffers are, for peers that map them (zero-copy).
struct alignas(kLine) BufferLine {
  std::int32_t pid;
  std::int32_t sendFd, recvFd;
  std::uint32_t pad;
  std::uint64_t sendSerial, sendOffset, recvSerial, recvOffset;
  std::uint64_t sendSegmentBytes, recvSegmentBytes;
};
static_assert(sizeof(BufferLine) == kLine);

/// Semaphore slots of the pipelined algorithms.
enum SemSlot : int {
  kSemStaged = 0,    ///< Peer staged chunk c (collectives).
  kSemReduced = 1,   ///< Peer reduced its slice of chunk c.
  kSemConsumed = 2,  ///< Peer finished reading my slots of chunk c.
  kSemProbe = 3,     ///< Token of the core-distance measurement (core_distance.hpp).
  kSemVerdict = 4,   ///< Rank 0's choice of handoff, passed around the ring (core_distance.hpp).
  kSemSlots = 5
};

/// Entries of the call ring: how far eager calls may run ahead. A power of two (a mask, not a
/// division, finds an entry: every call computes several).
constexpr int kCallSlots = 512;
static_assert((kCallSlots & (kCallSlots - 1)) == 0);

/// Calls per window of the batched mismatch checks (Engine::checkPending): a rank checks its neighbours
/// once per window, comparing one hash of the window's descriptors.
constexpr int kCheckEvery = 16;
constexpr int kCheckWindows = kCallSlots / kCheckEvery;

/// The hash of one window of a rank's call descriptors, as published for its neighbours. `tag` (window
/// number + 1) is stored last, with release.
struct WindowHash {
  std::atomic<std::uint64_t> tag;
  std::uint64_t hash;
};

/// Sizes and offsets of one rank's segment.
struct WorkspaceLayout {
  int nranks = 0;
  std::size_t eagerBytes = 0;     ///< Payload room of each call-ring entry.
  std::size_t smallBytes = 0;     ///< Each small room.
  std::size_t chunkBytes = 0;     ///< One pipelined chunk.
  int ringSlots = 0;              ///< Chunks in flight.
  std::size_t p2pChunkBytes = 0;  ///< One point-to-point chunk.
  int p2pSlots = 0;               ///< Point-to-point chunks in flight per receiver (a power of two).

  /// The headers (and buffer lines) lie together and the payload rooms after them: a rank that walks
  /// through many small calls touches one dense run of lines and pages.
  std::size_t headerOffset(std::uint64_t seq) const { return (seq & (kCallSlots - 1)) * 2 * kLine; }
  std::size_t buffersOffset(std::uint64_t seq) const { return headerOffset(seq) + kLine; }
  std::size_t eagerOffset(std::uint64_t seq) const {
    return kCallSlots * 2 * kLine + (seq & (kCallSlots - 1)) * eagerBytes;
  }
  std::size_t ringBytes() const { return kCallSlots * (2 * kLine + eagerBytes); }
  std::size_t smallOffset(std::uint64_t seq) const { return ringBytes() + (seq & 1) * smallBytes; }
  std::size_t semOffset() const { return ringBytes() + 2 * smallBytes; }
  std::size_t stagingOffset(int slot) const {
    return semOffset() + kSemSlots * nranks * kLine + static_cast<std::size_t>(slot) * chunkBytes;
  }
  std::size_t resultOffset(int slot) const { return stagingOffset(ringSlots) + slot * chunkBytes; }
  /// Ring slot `slot` of the point-to-point mailbox for receiver `peer` (in the sender's segment).
  std::size_t p2pOffset(int peer, int slot) const {
    return resultOffset(ringSlots) + (static_cast<std::size_t>(peer) * p2pSlots + slot) * p2pChunkBytes;
  }
  /// Control line that receiver `peer` writes into the sender's segment (posted receives, CMA verdict).
  std::size_t p2pControlOffset(int peer) const { return p2pOffset(nranks, 0) + peer * kLine; }
  /// Line telling peers where to find a known word in this process (probes process_vm_readv).
  std::size_t p2pProbeOffset() const { return p2pControlOffset(nranks); }
  /// Doorbell: a semaphore word peers ring after signalling this rank point-to-point while it sleeps.
  std::size_t doorbellOffset() const { return p2pProbeOffset() + kLine; }
  /// Mismatch notice: the highest call in which some rank found ranks disagreeing (written by that rank
  /// into every segment, so ranks whose part of an eager call had already finished learn of it).
  std::size_t noticeOffset() const { return doorbellOffset() + kLine; }
  /// Notice ring: word j % kCallSlots holds j once some rank found call j mismatched.
  std::size_t noticeRingOffset() const { return noticeOffset() + kLine; }
  /// Checked line: the call up to which this rank has compared every call with its peers (peers wait
  /// for it before reusing a call-ring entry).
  std::size_t checkedOffset() const { return noticeRingOffset() + kCallSlots * sizeof(std::uint64_t); }
  /// Send/recv notices: a counter receivers raise when an eager send they got did not match their
  /// receive, and one verdict line per receiver saying which (collectives/p2p_state.hpp).
  /// Window hashes: kCheckWindows WindowHash entries, by window number.
  std::size_t windowHashOffset() const { return checkedOffset() + kLine; }
  std::size_t p2pNoticeOffset() const {
    return windowHashOffset() + (kCheckWindows * sizeof(WindowHash) + kLine - 1) / kLine * kLine;
  }
  std::size_t p2pVerdictOffset(int receiver) const { return p2pNoticeOffset() + (1 + receiver) * kLine; }
  /// On-core line: a 32-bit flag, 0 while this rank has given its core away in a send/recv wait (yield or
  /// sleep), so waiting peers know whether spinning on it can pay off (kept only when ranks outnumber
  /// cores).
  std::size_t onCoreOffset() const { return p2pVerdictOffset(nranks); }
  /// Gave-up line: the last call this rank gave up (it failed here and returned while peers may still
  /// have been reading its buffers; Engine::giveUp).
  std::size_t gaveUpOffset() const { return onCoreOffset() + kLine; }
  std::size_t totalBytes() const { return gaveUpOffset() + kLine; }
};

/// Semaphore epoch for chunk `chunk` of call `seq`: grows across calls, so values never repeat.
inline std::uint64_t epoch(std::uint64_t seq, std::uint64_t chunk) { return (seq << 24) | (chunk + 1); }

}  // namespace grove::coll
