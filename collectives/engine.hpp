/// @file engine.hpp
/// Per-communicator state of the collectives: the shared workspace, a channel to every peer, and the
/// call protocol every collective starts with.
///
/// Call protocol: each call takes the next sequence number, writes a descriptor (what the call is)
/// into this rank's entry of the call ring, and waits for every peer's descriptor of the same call.
/// Ranks that disagree all see the same set of descriptors, so all of them report groveInvalidUsage
/// naming the difference, before any data has moved.
///
/// Eager calls (small broadcasts and reduces, whose senders need nothing from the receivers) do not
/// wait: the sender posts its descriptor and data and returns, so a sender can run up to kCallSlots
/// calls ahead. Receivers compare with the sender they wait for; every rank compares a hash of each
/// window of 16 calls with its ring neighbours' (checkPending), and every synchronous call compares all
/// calls since the last check with every peer. Whoever finds a difference writes a notice into every rank's
/// segment. A rank whose part of the mismatched call had already finished learns of it through the notice:
/// the call it is in, or its next one, runs and then returns groveInvalidUsage naming the mismatched call
/// (takeLateMismatch). docs/algorithms.md, "Eager calls". Calls with count 0 are kept as runs, each
/// posted as one eager entry (foldEmpty; docs/algorithms.md, "Calls with nothing to move").
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectives/call_desc.hpp"
#include "collectives/call_lock.hpp"
#include "collectives/workspace.hpp"
#include "grove/communicator.hpp"

namespace grove::coll {

struct P2PState;
class CopyTuner;

/// Algorithm names accepted by GROVE_ALGO / -A (docs/algorithms.md).
enum class Algo { kAuto, kOneShot, kTwoShot };

class Engine {
 public:
  /// Joins the communicator (collective over all ranks) and builds the workspace.
  Engine(int rank, int nranks, const groveUniqueId& id);
  ~Engine();

  int rank() const { return rank_; }
  int nranks() const { return nranks_; }
  const WorkspaceLayout& layout() const { return layout_; }
  Communicator& comm() { return *comm_; }
  /// Serializes calls from the user thread and stream threads; runNow holds it for the whole call (calls
  /// with count 0 on the caller's thread go without it: runEmpty in comm_state.hpp).
  CallLock& callLock() { return callLock_; }

  /// Starts a call and returns its sequence number. First waits (bounded by the timeout) until this rank
  /// may write the call's ring entry and, unless `eager`, the call's small room: until every peer has
  /// started the call after the last one that used them and has checked the entry's previous call.
  /// Every kCheckEvery calls, an eager call first checks the calls this rank has not checked yet.
  std::uint64_t beginCall(bool eager = false) {
    if (emptyRun_ != 0) [[unlikely]]
      postEmptyRun();
    const std::uint64_t seq = ++seq_;
    constexpr std::uint64_t slots = kCallSlots;
    const std::uint64_t reuse = seq > slots ? seq - slots : 0;  // the entry's previous call
    if (eager && seq % kCheckEvery == 0) checkPending(seq);
    const std::uint64_t started = eager ? (reuse ? reuse + 1 : 0) : seq - 1;
    if (minPeerStarted_ < started || minPeerChecked_ < reuse) waitForCredit(seq, started, reuse);
    return seq;
  }
  /// Calls of credit an eager call out of credit waits for beyond what it needs (waitForCredit): with
  /// the sender running ahead in the far state, a broadcast of 8 B with -z 1 took 0.16-0.20 µs waiting
  /// call by call and 0.10-0.11 µs with 16, 64 or 128 (docs/performance.md, history (10)).
  static constexpr std::uint64_t kCreditBatch = 64;
  // A rank publishes its checks at most 2 * kCheckEvery calls late; credit must never depend on a rank
  // that stopped calling, so the ring must be deeper than that.
  static_assert(kCallSlots > 2 * kCheckEvery + 1);
  /// True when the next call, an eager one, would run to its end without waiting for any peer (caller
  /// holds the call lock; only what this rank knows of its peers is brought up to date): the credit it
  /// needs is there, and so are the posts it reads (rank `from`'s, every peer's when `from` is
  /// kEveryPeer, none when kNoPeer). Lets a call on a stream run on the caller's thread when it cannot
  /// block it (runInline in comm_state.hpp).
  bool eagerRunsNow(int from);
  /// How long eagerRunsNow() waits for a peer's post (pause instructions, 40 ns each on the development
  /// VM: about 5 µs): a sender running just behind posts within a microsecond, and a call handed to the
  /// progress thread instead leaves the stream behind for hundreds of calls.
  static constexpr int kReadyPolls = 128;
  /// How long it waits for credit (pause instructions, about 40 µs): long enough for a receiver to take
  /// kCreditBatch calls (the sender then runs that many without looking); still bounded, so that a caller
  /// whose peers wait for something else it must do first gets its call queued.
  static constexpr int kCreditPolls = 1024;
  static constexpr int kNoPeer = -1;
  static constexpr int kEveryPeer = -2;
  /// Records a call with nothing to move (count 0) without posting it: such calls are kept as a run,
  /// which the next call that posts (or the run's kEmptyRunMax-th call) first posts as one eager entry,
  /// compared like any call (collectives/empty_calls.cpp).
  void foldEmpty(const CallDesc& d) {
    noteEmpty(d);
    if (emptyRun_ == kEmptyRunMax) postEmptyRun();
  }
  /// foldEmpty() when it needs no post (the run is not full yet); else returns false, having done nothing.
  bool foldEmptyQuick(const CallDesc& d) noexcept {
    if (emptyRun_ + 1 >= kEmptyRunMax) return false;
    noteEmpty(d);
    return true;
  }
  /// True when calls with count 0 are kept as runs: with peers, and with eager calls on (GROVE_EAGER_BYTES=0
  /// makes them synchronous like every other call).
  bool keepsEmptyRuns() const { return nranks_ > 1 && layout_.eagerBytes != 0; }
  /// Longest run of calls with count 0 kept unposted: bounds how late a difference among them is found.
  static constexpr std::uint64_t kEmptyRunMax = 1024;
  /// Largest broadcast or reduce that runs as an eager call (GROVE_EAGER_BYTES; 0: none).
  std::size_t eagerBytes() const { return layout_.eagerBytes; }
  /// This rank's eager payload room of call `seq`, and rank r's as mapped here.
  char* myEager(std::uint64_t seq) const { return base(rank_) + layout_.eagerOffset(seq); }
  const char* eagerOf(int r, std::uint64_t seq) const { return base(r) + layout_.eagerOffset(seq); }
  /// Makes every wait of this engine (in any thread) end with groveRemoteError: groveCommAbort.
  void cancel() { cancelled_.store(true); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  /// This rank's small-message room for call `seq` (layout().smallBytes bytes).
  char* mySmall(std::uint64_t seq) const { return base(rank_) + layout_.smallOffset(seq); }
  /// Rank r's small-message room for call `seq`, as mapped here.
  const char* smallOf(int r, std::uint64_t seq) const { return base(r) + layout_.smallOffset(seq); }
  /// Where a one-synchronization path puts `bytes` of call `seq`: next to the call's header when they fit
  /// the entry's payload room and kNearbyRoomBytes (readers fetch nearby lines: measured 10-15 % faster
  /// at 32-128 B with 2 ranks than a separate room), else the small room. Every rank computes the same
  /// `bytes` once the call is agreed.
  char* myRoom(std::uint64_t seq, std::size_t bytes) const {
    return bytes <= kNearbyRoomBytes && bytes <= layout_.eagerBytes ? myEager(seq) : mySmall(seq);
  }
  const char* roomOf(int r, std::uint64_t seq, std::size_t bytes) const {
    return bytes <= kNearbyRoomBytes && bytes <= layout_.eagerBytes ? eagerOf(r, seq) : smallOf(r, seq);
  }
  /// The 512 entry rooms are used in turn, so 2 KiB payloads sweep 1 MiB per rank, more than a core's
  /// L2; the two small rooms stay in cache. Above 1 KiB the small room measured faster at 2 ranks
  /// (medians of 10 alternated jobs: allgather 4 KiB 0.42 -> 0.33 µs, allreduce 2 KiB 0.45 -> 0.30,
  /// reduce-scatter 2 KiB 0.29 -> 0.21); at 512 B to 1 KiB the entry room stays faster.
  static constexpr std::size_t kNearbyRoomBytes = 1024;
  /// Largest payload a synchronous call carries in its header line (post() copies it there): peers then
  /// fetch one line instead of two. Reduce-scatter, allgather and all-to-all of 8 B at 2 ranks measured
  /// 8-26 % faster so (docs/performance.md, history (11)); allreduce did so before.
  static constexpr std::size_t kInlineBytes = sizeof(CallHeader::inlineData);
  /// Largest payload waitAllReading() keeps asking for while it waits (every line on every spin): with
  /// 1 KiB, allreduce of 512 B-1 KiB at 2 ranks measured 10-20 % slower than without.
  static constexpr std::size_t kWarmRoomBytes = 256;
  /// Posts call `seq` with `bytes` of `data` for every peer to read with payloadOf(): inside the header
  /// line up to kInlineBytes, else in the room.
  void postPayload(std::uint64_t seq, const CallDesc& d, const void* data, std::size_t bytes) {
    if (bytes <= kInlineBytes) return post(seq, d, data, bytes);
    std::memcpy(myRoom(seq, bytes), data, bytes);
    post(seq, d);
  }
  /// waitAll() for a call whose peers posted a payload of `bytes` with postPayload().
  void waitAllPayloads(std::uint64_t seq, const CallDesc& d, std::size_t bytes) {
    waitAllReading(seq, d, bytes, 0, bytes <= kInlineBytes ? 0 : bytes);
  }
  /// Rank r's payload of `bytes` in call `seq` (postPayload): its header line up to kInlineBytes, else
  /// roomOf().
  const char* payloadOf(int r, std::uint64_t seq, std::size_t bytes) const {
    return bytes <= kInlineBytes ? reinterpret_cast<const char*>(headerOf(r, seq)->inlineData)
                                 : roomOf(r, seq, bytes);
  }
  CallHeader* headerOf(int r, std::uint64_t seq) const {
    return reinterpret_cast<CallHeader*>(base(r) + layout_.headerOffset(seq));
  }
  /// How many calls ahead an eager sender's post() asks to own its entry's header line (prefetch.hpp):
  /// without it, a root of eager 8 B broadcasts took 0.19-0.24 µs per call in the far state, one call
  /// ahead 0.12, two or four 0.09-0.10. Synchronous calls do not ask (they measured up to 15 % slower at
  /// 64-512 B: the peer reads this rank's entries in step, and asking steals lines it is fetching).
  static constexpr std::uint64_t kPrefetchAhead = 2;
  /// How post() publishes. kSync: with a full fence, waking any peer asleep on the word. kSender (eager
  /// calls that send): release only, then wakes sleepers it sees (one that fell asleep just then wakes
  /// within 1 ms). kReceiver (eager calls that wait for their sender): release only, nobody woken (only
  /// a peer waiting for credit waits on it). Skipping the fence lets the store wait in the store buffer
  /// for its line, which peers keep reading, while the rank goes on.
  enum class PostMode { kSync, kSender, kReceiver };
  /// Publishes the descriptor (and up to 16 inline bytes) of call `seq`.
  void post(std::uint64_t seq, const CallDesc& d, const void* inlineData = nullptr,
            std::size_t inlineBytes = 0, PostMode mode = PostMode::kSync);
  /// Waits for every peer's descriptor of call `seq`; throws Error(groveInvalidUsage) naming the first
  /// difference when they disagree with `d`.
  void waitAll(std::uint64_t seq, const CallDesc& d);
  /// waitAll() for a call whose next step reads `bytes` at `offset` in every peer's room of `roomBytes`
  /// (roomOf): while a peer's descriptor is not there, keeps asking for those lines too, so that they
  /// arrive with it instead of after it. `bytes` 0 (a payload inside the header line) asks for none.
  void waitAllReading(std::uint64_t seq, const CallDesc& d, std::size_t roomBytes, std::size_t offset,
                      std::size_t bytes);
  /// Waits for rank r's descriptor of call `seq` alone and compares it with `d` (like waitAll).
  const CallHeader* waitFor(int r, std::uint64_t seq, const CallDesc& d);
  /// True when some rank reported a mismatched call that this rank has not reported yet (cheap: one
  /// load of a line in this rank's own segment).
  bool lateMismatchPending() const {
    return myNotice_->value.load(std::memory_order_acquire) > noticeSeen_.load(std::memory_order_relaxed) ||
           myP2PNotice_->value.load(std::memory_order_acquire) >
               p2pNoticeSeen_.load(std::memory_order_relaxed);
  }
  /// The message for a mismatch found by a peer after this rank's part of the call had finished, or
  /// empty when there is none (or this rank reported that call itself). Clears it. Caller holds the
  /// call lock.
  std::string takeLateMismatch();
  /// post() then waitAll().
  void agree(std::uint64_t seq, const CallDesc& d) {
    post(seq, d);
    waitAll(seq, d);
  }

  /// Publishes where `send`/`recv` live (when they are in groveMemAlloc memory) for call `seq`; call
  /// before post(). Returns the HeaderFlags this rank will announce.
  std::uint8_t describeBuffers(std::uint64_t seq, const void* send, std::size_t sendBytes, const void* recv,
                               std::size_t recvBytes);
  /// Offers `send` to peers for cross-memory reads in call `seq` when this communicator can use them and
  /// `blockBytes` (what one peer reads) is large enough to pay for the system call; call after
  /// describeBuffers() and before post(). Returns true when offered.
  bool offerSendAddress(std::uint64_t seq, const void* send, std::size_t blockBytes);
  /// Adds HeaderFlags to what the next post() announces (after describeBuffers()).
  void announce(std::uint8_t flags) { pendingFlags_ |= flags; }
  /// Rank 0's record of how fast each way of moving large private blocks was (collectives/copy_choice.hpp).
  CopyTuner& copyTuner() { return *copyTuner_; }
  /// True when blocks of `blockBytes` go by cross-memory reads where buffers allow (the same on every rank).
  bool crossMemoryFor(std::size_t blockBytes) const {
    return crossMemory_ && blockBytes >= crossMemoryMinBytes_;
  }
  /// After waitAll(): rank r's send buffer address, as offered (valid in r's process only).
  const char* peerSendAddress(int r, std::uint64_t seq) const {
    return *reinterpret_cast<const char* const*>(smallOf(r, seq));
  }
  /// Copies `bytes` at `remote` in rank r's process to `local` (one kernel copy).
  void readFromPeer(int r, const void* remote, void* local, std::size_t bytes) const;
  /// After waitAll(): true when every rank announced all of `flags` (a decision all ranks share).
  bool everyoneHas(std::uint64_t seq, std::uint8_t flags) const;
  /// Rank r's send (or receive) buffer of call `seq`, mapped into this process.
  char* peerSend(int r, std::uint64_t seq) { return peerBuffer(r, seq, true); }
  char* peerRecv(int r, std::uint64_t seq) { return peerBuffer(r, seq, false); }
  /// Ends a call that read peers' own buffers (zero-copy or cross-memory): returns once every rank is done
  /// touching everyone's buffers. Throws groveRemoteError when a peer gave the call up (giveUp) before this
  /// rank had finished reading: its caller may have written new data into what was being read.
  void finishTogether(std::uint64_t seq);
  /// Records that this rank gave up its current call (the call failed here and is about to return): its
  /// caller may then overwrite or free the buffers peers are still reading, so peers must not trust what
  /// they read (finishTogether). Called on every failed call; harmless after an error found before any
  /// data moved.
  void giveUp() noexcept;

  char* base(int r) const { return static_cast<char*>(window_->base(r)); }
  const MemoryChannel& channel(int peer) const { return channels_[peer]; }
  /// Deadline for a wait starting now.
  std::chrono::steady_clock::time_point deadline() const;
  /// GROVE_ALGO as read when the communicator was created.
  Algo forcedAlgo() const { return forced_; }
  /// Spin rounds before yielding: short when ranks outnumber cores.
  int spin() const { return spin_; }
  /// True when this host runs more ranks of the communicator than it has cores.
  bool oversubscribed() const { return oversubscribed_; }
  /// True when this host runs at least four ranks per core: each rank then waits mostly for the scheduler,
  /// and one kernel copy per peer (cross-memory reads) costs more than the staging ring's two user-space
  /// copies for broadcast and allgather (8 ranks on 2 cores: 1.2-2× faster through the ring in both of
  /// the development VM's states; docs/algorithms.md).
  bool crowded() const { return crowded_; }
  /// A private buffer of at least `bytes`, kept between calls (valid until the next scratch() call;
  /// callers hold the call lock).
  char* scratch(std::size_t bytes) {
    if (scratch_.size() < bytes) scratch_.resize(bytes);
    return scratch_.data();
  }
  /// Point-to-point counters and scratch (collectives/p2p_state.hpp).
  P2PState& p2p() { return *p2p_; }

  /// Raises `slot` at every peer to `value`.
  void signalAll(int slot, std::uint64_t value) const;
  /// Waits until every peer raised `slot` here to `value`; each wait is bounded by the timeout on its own,
  /// so a long call that keeps making progress never times out.
  void waitAllPeers(int slot, std::uint64_t value) const;

 private:
  char* peerBuffer(int r, std::uint64_t seq, bool send);
  /// Adds `d` (count 0) to the run. A call like the one before it only counts: the hash takes each change
  /// of call with its place in the run (runs of one call repeated, the common case, cost an increment).
  void noteEmpty(const CallDesc& d) noexcept {
    const std::uint64_t v = packCall(d);
    if (v != emptyLast_) [[unlikely]] {
      if (emptyRun_ == 0) emptyFirst_ = d;
      emptyHash_ = foldCall(emptyHash_, CallDesc{d.coll, d.type, d.op, emptyRun_, d.root, d.aux});
      emptyLast_ = v;
    }
    ++emptyRun_;
  }
  /// Reads the pages every call touches once, at construction (engine.cpp says why).
  void warmControlPages() const;
  /// Posts the pending run of calls with count 0 as one eager entry.
  void postEmptyRun();
  /// Waits until `word` reaches `target`, raised by rank `peer` (bounded by the timeout).
  void waitWord(const SemaphoreWord* word, std::uint64_t target, int peer) const;
  /// Waits until every peer has posted call `started` (or a later one) and checked call `checked`;
  /// `seq` is the call starting.
  void waitForCredit(std::uint64_t seq, std::uint64_t started, std::uint64_t checked);
  /// The call whose post a rank out of credit for call `seq` (needing call `started`) waits for.
  static std::uint64_t creditTarget(std::uint64_t seq, std::uint64_t started);
  /// Compares the window of calls that ends at seq - 1 with the ring neighbours that have published it:
  /// one hash per neighbour, and the calls one by one only when the hashes differ (after a full fence,
  /// so that of two neighbours at least one sees the other). Publishes checked_. A difference is
  /// reported to every rank, this one included, through the notices.
  void checkPending(std::uint64_t seq);
  /// Compares calls checked_ + 1 .. seq - 1 with every peer: all of them have posted `seq`.
  void checkAllBefore(std::uint64_t seq);
  /// Writes checked_ where peers look for it.
  void publishChecked();
  /// The message for eager sends that receivers reported as mismatched since the last look, or empty.
  std::string takeLateP2PMismatch();
  /// Records `problem` (when not empty) as found in call `seq` after this rank's part had finished, and
  /// tells every rank, this one included.
  void foundLate(std::uint64_t seq, const std::string& problem);
  /// Tells every rank (this one too when `self`) that call `seq` did not match.
  void notifyAll(std::uint64_t seq, bool self);
  WindowHash* windowHashOf(int r, std::uint64_t window) const {
    return reinterpret_cast<WindowHash*>(base(r) + layout_.windowHashOffset()) + window % kCheckWindows;
  }
  SemaphoreWord* checkedWordOf(int r) const {
    return reinterpret_cast<SemaphoreWord*>(base(r) + layout_.checkedOffset());
  }
  std::atomic<std::uint64_t>* gaveUpOf(int r) const {
    return reinterpret_cast<std::atomic<std::uint64_t>*>(base(r) + layout_.gaveUpOffset());
  }
  SemaphoreWord* noticeOf(int r) const {
    return reinterpret_cast<SemaphoreWord*>(base(r) + layout_.noticeOffset());
  }
  std::atomic<std::uint64_t>* noticeRingOf(int r) const {
    return reinterpret_cast<std::atomic<std::uint64_t>*>(base(r) + layout_.noticeRingOffset());
  }
  /// Records that this rank reports call `seq` as mismatched, tells every rank, and throws.
  [[noreturn]] void mismatched(std::uint64_t seq, const std::string& problem);
  /// "mismatched calls: ..." for rank p's descriptor `theirs` against ours, or empty when they agree.
  std::string compare(const CallDesc& d, int p, const CallHeader& theirs) const;
  /// True when `theirs` describes the same call as `d` (or checks are off): what compare() finds empty,
  /// without building a string (every synchronous call makes this test once per peer).
  bool agrees(const CallDesc& d, const CallHeader& theirs) const {
    return !checkCalls_ ||
           (static_cast<CollKind>(theirs.coll) == d.coll && theirs.count == d.count &&
            static_cast<groveDataType_t>(theirs.type) == d.type &&
            static_cast<groveRedOp_t>(theirs.op) == d.op && theirs.root == d.root && theirs.aux == d.aux);
  }
  /// Decides (the same on every rank) whether cross-memory reads work between all ranks.
  void probeCrossMemory();
  /// Drops mappings of rank p's buffers when p freed groveMemAlloc memory since we last looked; called
  /// between calls, when no mapping is in use.
  void dropStaleMappings(int p, std::uint64_t peerFreeCount);

  int rank_;
  int nranks_;
  std::unique_ptr<Communicator> comm_;
  WorkspaceLayout layout_;
  std::shared_ptr<SharedWindow> window_;
  std::vector<MemoryChannel> channels_;
  std::uint64_t seq_ = 0;
  std::vector<std::uint64_t> peerStarted_;  // per peer: a call it is known to have posted
  std::uint64_t minPeerStarted_ = 0;        // lower bound of peerStarted_ over peers
  std::vector<std::uint64_t> peerChecked_;  // per peer: a call up to which it is known to have checked
  std::uint64_t minPeerChecked_ = 0;
  std::uint64_t checked_ = 0;    // every call up to here was compared (or waited in) by this rank
  std::uint64_t published_ = 0;  // checked_ as peers last saw it
  std::uint64_t foundLate_ = 0;  // last call this rank found mismatched after its part had finished
  std::string foundLateWhy_;
  std::uint64_t emptyRun_ = 0;               // calls with count 0 not posted yet (foldEmpty)
  std::uint64_t emptyHash_ = 0;              // hash of their changes of call (noteEmpty)
  std::uint64_t emptyLast_ = kNoCall;        // packCall() of the last of them
  CallDesc emptyFirst_;                      // the first of them
  std::uint64_t windowHash_ = 0;             // hash of this window's descriptors so far
  std::vector<std::uint64_t> windowHashes_;  // by window % kCheckWindows: this rank's published hashes
  std::vector<int> neighbours_;              // ranks rank±1: the peers batched checks compare with
  std::vector<std::uint64_t> failed_;        // by call % kCallSlots: calls this rank reported itself
  std::atomic<std::uint64_t> noticeSeen_{0};
  SemaphoreWord* myNotice_ = nullptr;     // noticeOf(rank_)
  SemaphoreWord* myP2PNotice_ = nullptr;  // receivers count eager sends of ours that did not match
  std::atomic<std::uint64_t> p2pNoticeSeen_{0};
  std::vector<std::uint64_t> verdictSeen_;  // per receiver: the last P2PVerdict message reported
  int spin_ = 20000;
  bool oversubscribed_ = false;
  bool crowded_ = false;
  std::vector<char> scratch_;
  bool checkCalls_ = true;
  Algo forced_ = Algo::kAuto;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<P2PState> p2p_;
  std::unique_ptr<CopyTuner> copyTuner_;
  CallLock callLock_;
  mutable unsigned warmSum_ = 0;                                   // what warmControlPages() read
  std::uint8_t pendingFlags_ = 0;                                  // announced by the next post()
  std::map<std::pair<int, std::uint64_t>, SharedSegment> mapped_;  // (rank, serial) -> peer buffer
  std::vector<std::uint64_t> peerFreeCount_;                       // last freeCount seen per rank
  std::atomic<bool> cancelled_{false};
  std::uint64_t probeWord_ = 0;          // read by peers once, to test cross-memory reads
  bool crossMemory_ = false;             // every rank can read every other rank's memory
  std::size_t crossMemoryMinBytes_ = 0;  // smallest per-peer block read that way
};

}  // namespace grove::coll
