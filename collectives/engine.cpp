#include "collectives/engine.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "collectives/datatype.hpp"
#include "collectives/p2p_state.hpp"
#include "core/affinity.hpp"
#include "grove/cross_memory.hpp"
#include "grove/env.hpp"
#include "grove/error.hpp"
#include "grove/memory.hpp"

namespace grove::coll {
namespace {

// A size setting of at least 4096 bytes; smaller or malformed values give `fallback`.
std::size_t envBytes(const char* name, std::size_t fallback) {
  const std::size_t x = envSize(name, 0);
  // Whole cache lines: the workspace layout keeps every header and semaphore line 64-byte aligned.
  return x >= 4096 ? (x & ~std::size_t{0x3F}) : fallback;
}

std::string describe(const CallDesc& d) {
  std::string s = collName(d.coll);
  s += "(count=" + std::to_string(d.count) + ", type=" + typeName(d.type);
  if (d.coll == CollKind::kAllReduce || d.coll == CollKind::kReduceScatter || d.coll == CollKind::kReduce)
    s += std::string(", op=") + opName(d.op);
  if (d.root >= 0)
    s += ", " + std::string(d.coll == CollKind::kSendRecv ? "peer" : "root") + "=" + std::to_string(d.root);
  return s + ")";
}

CallDesc fromHeader(const CallHeader& h) {
  CallDesc d;
  d.coll = static_cast<CollKind>(h.coll);
  d.type = static_cast<groveDataType_t>(h.type);
  d.op = static_cast<groveRedOp_t>(h.op);
  d.count = h.count;
  d.root = h.root;
  d.aux = h.aux;
  return d;
}

// Names the first field in which two descriptors differ, or returns empty.
std::string difference(const CallDesc& a, const CallDesc& b) {
  if (a.coll != b.coll) return "collective";
  if (a.count != b.count) return "count";
  if (a.type != b.type) return "datatype";
  if (a.op != b.op) return "reduction op";
  if (a.root != b.root) return "root";
  if (a.aux != b.aux) return a.coll == CollKind::kAllToAllv ? "send/receive counts" : "arguments";
  return {};
}

}  // namespace

const char* collName(CollKind k) {
  switch (k) {
    case CollKind::kAllReduce:
      return "allreduce";
    case CollKind::kAllGather:
      return "allgather";
    case CollKind::kReduceScatter:
      return "reduce-scatter";
    case CollKind::kBroadcast:
      return "broadcast";
    case CollKind::kReduce:
      return "reduce";
    case CollKind::kAllToAll:
      return "alltoall";
    case CollKind::kAllToAllv:
      return "alltoallv";
    case CollKind::kSendRecv:
      return "send/recv";
    case CollKind::kBarrier:
      return "barrier";
  }
  return "unknown";
}

Engine::Engine(int rank, int nranks, const groveUniqueId& id)
    : rank_(rank), nranks_(nranks), timeout_(timeout()) {
  comm_ = std::make_unique<Communicator>(std::make_unique<TcpBootstrap>(rank, nranks, id));
  if (!comm_->allLocal())
    throw Error(groveInvalidUsage, "ranks span several hosts; this build's collectives need one host");
  const auto& ids = comm_->bootstrap().hostIds();
  int localRanks = 0, localIndex = 0;
  for (int r = 0; r < nranks; ++r) {
    if (ids[r] != ids[rank]) continue;
    if (r < rank) ++localIndex;
    ++localRanks;
  }
  bindToCore(localIndex, localRanks);
  // GROVE_CHECK_CALLS=0 skips comparing descriptors (the synchronization stays): only for measuring
  // what the check costs (docs/performance.md). Mismatched calls are then undefined.
  const char* check = std::getenv("GROVE_CHECK_CALLS");
  checkCalls_ = !(check && std::strcmp(check, "0") == 0);
  const std::string algo = forcedAlgorithm();
  forced_ = algo == "oneshot" || algo == "one-shot"   ? Algo::kOneShot
            : algo == "twoshot" || algo == "two-shot" ? Algo::kTwoShot
                                                      : Algo::kAuto;
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  oversubscribed_ = localRanks > cpus;
  crowded_ = localRanks >= 4 * cpus;
  spin_ = oversubscribed_ ? 64 : 20000;

  layout_.nranks = nranks;
  // Eager broadcasts and reduces up to this size (docs/algorithms.md, "Eager calls"); 0 turns them off.
  layout_.eagerBytes =
      std::min<std::size_t>(envSize("GROVE_EAGER_BYTES", 2048), 64 * 1024) & ~std::size_t{0x3F};
  layout_.smallBytes = envBytes("GROVE_SMALL_BYTES", 64 * 1024);
  layout_.chunkBytes = envBytes("GROVE_CHUNK_BYTES", 256 * 1024);
  layout_.ringSlots = 4;
  layout_.p2pChunkBytes = envBytes("GROVE_P2P_CHUNK_BYTES", 128 * 1024);
  layout_.p2pSlots = 4;
  window_ = comm_->createWindow(layout_.totalBytes(), "grove-workspace");
  myNotice_ = noticeOf(rank);
  myP2PNotice_ = reinterpret_cast<SemaphoreWord*>(base(rank) + layout_.p2pNoticeOffset());
  verdictSeen_.assign(nranks, 0);
  failed_.assign(kCallSlots, 0);
  windowHashes_.assign(kCheckWindows, 0);
  if (nranks > 1) neighbours_.push_back((rank + 1) % nranks);
  if (nranks > 2) neighbours_.push_back((rank + nranks - 1) % nranks);
  p2p_ = std::make_unique<P2PState>();
  p2p_->init(nranks, reinterpret_cast<P2PProbe*>(base(rank) + layout_.p2pProbeOffset()));
  channels_.resize(nranks);
  peerFreeCount_.assign(nranks, 0);
  peerStarted_.assign(nranks, 0);
  peerStarted_[rank] = UINT64_MAX;
  minPeerStarted_ = nranks == 1 ? UINT64_MAX : 0;
  peerChecked_.assign(nranks, 0);
  peerChecked_[rank] = UINT64_MAX;
  minPeerChecked_ = nranks == 1 ? UINT64_MAX : 0;
  for (int p = 0; p < nranks; ++p) {
    if (p == rank) continue;
    channels_[p] = comm_->connect(*window_, p, layout_.semOffset(), kSemSlots);
    channels_[p].setCancelFlag(&cancelled_);
  }
  probeCrossMemory();
  log(2, "rank %d: workspace %zu bytes, chunk %zu, spin %d, cross-memory reads %s", rank,
      layout_.totalBytes(), layout_.chunkBytes, spin_, crossMemory_ ? "on" : "off");
}

Engine::~Engine() = default;

std::chrono::steady_clock::time_point Engine::deadline() const {
  return std::chrono::steady_clock::now() + timeout_;
}

void Engine::waitWord(const SemaphoreWord* word, std::uint64_t target, int peer) const {
  // Most waits are over at once: skip reading the clock for the deadline.
  if (word->value.load(std::memory_order_acquire) >= target) return;
  semaphoreWait(word, target, WaitPolicy{deadline(), channels_[peer].peerPid(), spin_, &cancelled_});
}

void Engine::post(std::uint64_t seq, const CallDesc& d, const void* inlineData, std::size_t inlineBytes,
                  PostMode mode) {
  CallHeader* h = headerOf(rank_, seq);
  // Ask for the next entry's line now, so that the next call's stores find it owned (peers read it
  // between our uses); the stores below would otherwise wait for it in the store buffer.
  __builtin_prefetch(headerOf(rank_, seq + 1), 1);
  h->count = d.count;
  h->coll = static_cast<std::uint8_t>(d.coll);
  h->type = static_cast<std::uint8_t>(d.type);
  h->op = static_cast<std::uint8_t>(d.op);
  h->flags = pendingFlags_;
  pendingFlags_ = 0;
  h->root = d.root;
  h->aux = d.aux;
  h->freeCount = sharedFreeCount();
  if (inlineBytes) std::memcpy(h->inlineData, inlineData, inlineBytes);
  // Fold the descriptor into this window's hash (the fields compare() compares, in call order); publish
  // it with the window's last call.
  for (std::uint64_t v : {static_cast<std::uint64_t>(d.coll) | static_cast<std::uint64_t>(d.type) << 8 |
                              static_cast<std::uint64_t>(d.op) << 16 |
                              static_cast<std::uint64_t>(static_cast<std::uint32_t>(d.root)) << 32,
                          d.count, d.aux}) {
    windowHash_ = (windowHash_ ^ v) * 0x9E3779B97F4A7C15ull;
    windowHash_ ^= windowHash_ >> 29;
  }
  if (seq % kCheckEvery == kCheckEvery - 1) {
    const std::uint64_t window = seq / kCheckEvery;
    windowHashes_[window % kCheckWindows] = windowHash_;
    WindowHash* w = windowHashOf(rank_, window);
    w->hash = windowHash_;
    w->tag.store(window + 1, std::memory_order_release);
    windowHash_ = 0;
  }
  if (mode == PostMode::kSync || oversubscribed_) return semaphoreRaise(&h->seq, seq);
  if (mode == PostMode::kSender) {
    h->seq.value.store(seq, std::memory_order_release);
    if (h->seq.waiters.load(std::memory_order_relaxed) > 0) semaphoreRaise(&h->seq, seq);
    return;
  }
  // A receiver's post: nobody but a peer waiting for credit waits on it, and such a peer sleeps only after
  // spinning for a long while, 1 ms at a time; not even the sleepers count is read (it shares the line
  // the store is waiting for).
  h->seq.value.store(seq, std::memory_order_release);
}

std::string Engine::compare(const CallDesc& d, int p, const CallHeader& theirsLine) const {
  if (!checkCalls_) return {};
  const CallDesc theirs = fromHeader(theirsLine);
  const std::string field = difference(d, theirs);
  if (field.empty()) return {};
  return "mismatched calls: " + field + " differs: rank " + std::to_string(rank_) + " called " + describe(d) +
         ", rank " + std::to_string(p) + " called " + describe(theirs);
}

void Engine::notifyAll(std::uint64_t seq, bool self) {
  for (int p = 0; p < nranks_; ++p) {
    if (p == rank_ && !self) continue;
    noticeRingOf(p)[seq % kCallSlots].store(seq, std::memory_order_relaxed);
    std::atomic<std::uint64_t>& word = noticeOf(p)->value;
    std::uint64_t seen = word.load(std::memory_order_relaxed);
    while (seen < seq && !word.compare_exchange_weak(seen, seq, std::memory_order_release)) {
    }
  }
}

void Engine::foundLate(std::uint64_t seq, const std::string& problem) {
  if (problem.empty()) return;
  if (foundLate_ < seq) {
    foundLate_ = seq;
    foundLateWhy_ = problem;  // peers may reuse their entries of the call before we report it
  }
  notifyAll(seq, true);
}

void Engine::mismatched(std::uint64_t seq, const std::string& problem) {
  failed_[seq % kCallSlots] = seq;
  // Peers whose part of this call has already finished (eager calls) learn of it from the notice.
  notifyAll(seq, false);
  throw Error(groveInvalidUsage, problem);
}

void Engine::waitAll(std::uint64_t seq, const CallDesc& d) {
  // Nothing is mapped for this call yet, so this is the safe moment to bound the cache: peers that keep
  // allocating live buffers must not exhaust our address space.
  if (mapped_.size() >= 256) mapped_.clear();
  std::string problem;
  for (int p = 0; p < nranks_; ++p) {
    if (p == rank_) continue;
    const CallHeader* h = headerOf(p, seq);
    waitWord(&h->seq, seq, p);
    if (h->seq.value.load(std::memory_order_acquire) != seq)
      throw Error(groveInternalError, "rank " + std::to_string(p) + " is ahead by a ring of calls");
    if (h->freeCount != peerFreeCount_[p]) dropStaleMappings(p, h->freeCount);
    if (problem.empty()) problem = compare(d, p, *h);
  }
  if (!problem.empty()) mismatched(seq, problem);
  // Every peer has started this call: it finished the previous ones.
  for (int p = 0; p < nranks_; ++p)
    if (p != rank_) peerStarted_[p] = seq;
  if (nranks_ > 1) minPeerStarted_ = seq;
  if (checked_ + 1 < seq) checkAllBefore(seq);
  checked_ = seq;
  if (checked_ >= published_ + kCheckEvery) publishChecked();
}

void Engine::checkAllBefore(std::uint64_t seq) {
  for (std::uint64_t j = checked_ + 1; j < seq; ++j) {
    const CallHeader* mine = headerOf(rank_, j);
    if (!checkCalls_ || mine->seq.value.load(std::memory_order_relaxed) != j) continue;
    const CallDesc d = fromHeader(*mine);
    // Every peer, not just the neighbours: each rank then finds every pending mismatch itself, so a
    // synchronous call reports it on every rank, without waiting for notices.
    for (int p = 0; p < nranks_; ++p)
      if (p != rank_) foundLate(j, compare(d, p, *headerOf(p, j)));
  }
}

void Engine::checkPending(std::uint64_t seq) {
  // The fence orders our posts before the reads below: of two neighbours that disagree on a call, at
  // least one sees the other's post here (the other then finds it at its own check).
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer does not model fences (GCC refuses them under -fsanitize=thread): a seq_cst
  // read-modify-write is a full barrier on the machines we build for.
  myNotice_->waiters.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
  // seq is a multiple of kCheckEvery: the window seq / kCheckEvery - 1 just ended. Earlier calls were
  // checked already (by the previous window's check or by a synchronous call).
  const std::uint64_t window = seq / kCheckEvery - 1;
  for (int p : neighbours_) {
    if (!checkCalls_) break;
    const WindowHash* w = windowHashOf(p, window);
    // Not published yet: that neighbour compares with ours when it checks.
    if (w->tag.load(std::memory_order_acquire) != window + 1) continue;
    if (w->hash == windowHashes_[window % kCheckWindows]) continue;  // the whole window agrees
    for (std::uint64_t j = std::max(checked_ + 1, window * kCheckEvery); j < seq; ++j) {
      const CallHeader* mine = headerOf(rank_, j);
      if (mine->seq.value.load(std::memory_order_relaxed) != j) continue;
      foundLate(j, compare(fromHeader(*mine), p, *headerOf(p, j)));
    }
  }
  checked_ = seq - 1;
  publishChecked();
}

void Engine::publishChecked() {
  published_ = checked_;
  semaphoreRaise(checkedWordOf(rank_), checked_);
}

const CallHeader* Engine::waitFor(int r, std::uint64_t seq, const CallDesc& d) {
  const CallHeader* h = headerOf(r, seq);
  waitWord(&h->seq, seq, r);
  if (h->seq.value.load(std::memory_order_acquire) != seq)
    throw Error(groveInternalError, "rank " + std::to_string(r) + " is ahead by a ring of calls");
  peerStarted_[r] = seq;
  const std::string problem = compare(d, r, *h);
  if (!problem.empty()) mismatched(seq, problem);
  return h;
}

void Engine::waitForCredit(std::uint64_t seq, std::uint64_t started, std::uint64_t checked) {
  std::uint64_t lowStarted = UINT64_MAX, lowChecked = UINT64_MAX;
  for (int p = 0; p < nranks_; ++p) {
    if (p == rank_) continue;
    if (peerStarted_[p] < started) {
      // A peer that keeps up has posted the previous call: one look there gives the most credit.
      std::uint64_t v = headerOf(p, seq - 1)->seq.value.load(std::memory_order_acquire);
      if (v < started) {
        const CallHeader* h = headerOf(p, started);
        waitWord(&h->seq, started, p);
        v = h->seq.value.load(std::memory_order_acquire);
      }
      peerStarted_[p] = v;
    }
    if (peerChecked_[p] < checked) {
      const SemaphoreWord* w = checkedWordOf(p);
      waitWord(w, checked, p);
      peerChecked_[p] = w->value.load(std::memory_order_acquire);
    }
    lowStarted = std::min(lowStarted, peerStarted_[p]);
    lowChecked = std::min(lowChecked, peerChecked_[p]);
  }
  minPeerStarted_ = lowStarted;
  minPeerChecked_ = lowChecked;
}

std::string Engine::takeLateP2PMismatch() {
  const std::uint64_t count = myP2PNotice_->value.load(std::memory_order_acquire);
  if (count <= p2pNoticeSeen_.load(std::memory_order_relaxed)) return {};
  p2pNoticeSeen_.store(count, std::memory_order_relaxed);
  std::string out;
  for (int p = 0; p < nranks_; ++p) {
    const auto* v = reinterpret_cast<const P2PVerdict*>(base(rank_) + layout_.p2pVerdictOffset(p));
    const std::uint64_t m = v->message.load(std::memory_order_acquire);
    if (m <= verdictSeen_[p]) continue;
    verdictSeen_[p] = m;
    if (!out.empty()) continue;  // one is enough to name
    auto what = [](std::uint64_t n, std::uint32_t t) {
      return std::to_string(n) + " x " + typeName(static_cast<groveDataType_t>(t));
    };
    out = "mismatched send/recv: rank " + std::to_string(rank_) + " sent " + what(v->sentCount, v->sentType) +
          ", rank " + std::to_string(p) + " expected " + what(v->wantCount, v->wantType) + " [message #" +
          std::to_string(m) + " to rank " + std::to_string(p) +
          "; the send was eager: it had completed when the receiver found the difference, and this call, "
          "which ran to completion, reports it]";
  }
  return out;
}

std::string Engine::takeLateMismatch() {
  std::string p2p = takeLateP2PMismatch();
  if (!p2p.empty()) return p2p;
  // Notices of calls this rank has not started yet (a peer ahead found one) wait until it gets there.
  const std::uint64_t upTo = std::min(noticeOf(rank_)->value.load(std::memory_order_acquire), seq_);
  std::uint64_t k = 0;
  for (std::uint64_t j = noticeSeen_.load(std::memory_order_relaxed) + 1; j <= upTo; ++j)
    if (noticeRingOf(rank_)[j % kCallSlots].load(std::memory_order_relaxed) == j &&
        failed_[j % kCallSlots] != j)  // not when this rank returned the error from that call itself
      k = j;
  noticeSeen_.store(std::max(upTo, noticeSeen_.load(std::memory_order_relaxed)), std::memory_order_relaxed);
  if (k == 0) return {};
  // Peers keep their descriptors of call k until this rank has published a check of it; describe the
  // difference when they are still there.
  std::string detail = k == foundLate_ ? foundLateWhy_ : std::string();
  const CallHeader* mine = headerOf(rank_, k);
  if (detail.empty() && mine->seq.value.load(std::memory_order_acquire) == k) {
    const CallDesc d = fromHeader(*mine);
    for (int p = 0; p < nranks_ && detail.empty(); ++p) {
      if (p == rank_) continue;
      const CallHeader* h = headerOf(p, k);
      if (h->seq.value.load(std::memory_order_acquire) == k) detail = compare(d, p, *h);
    }
  }
  if (detail.empty())
    detail = "mismatched calls (ranks disagreed; the rank that found it names the difference)";
  const std::string which = k == seq_ ? "this call" : "call #" + std::to_string(k) + " of this communicator";
  return detail + " [in " + which +
         "; this rank's part of it had finished before the difference was found (eager call), so it is "
         "reported " +
         (k == seq_ ? "now" : "by this later call, which itself completed") + "]";
}

void Engine::signalAll(int slot, std::uint64_t value) const {
  for (int p = 0; p < nranks_; ++p)
    if (p != rank_) channels_[p].signal(slot, value);
}

void Engine::waitAllPeers(int slot, std::uint64_t value) const {
  for (int p = 0; p < nranks_; ++p)
    if (p != rank_) channels_[p].wait(slot, value, deadline(), spin_);
}

}  // namespace grove::coll

namespace grove::coll {

std::uint8_t Engine::describeBuffers(std::uint64_t seq, const void* send, std::size_t sendBytes,
                                     const void* recv, std::size_t recvBytes) {
  auto* line = reinterpret_cast<BufferLine*>(base(rank_) + layout_.buffersOffset(seq));
  std::uint8_t flags = 0;
  line->pid = comm_->pid(rank_);
  if (auto s = send ? findShared(send, sendBytes) : std::nullopt) {
    flags |= kSendShared;
    line->sendFd = s->segment.fd;
    line->sendSerial = s->segment.serial;
    line->sendOffset = s->offset;
    line->sendSegmentBytes = s->segment.size;
  }
  if (auto r = recv ? findShared(recv, recvBytes) : std::nullopt) {
    flags |= kRecvShared;
    line->recvFd = r->segment.fd;
    line->recvSerial = r->segment.serial;
    line->recvOffset = r->offset;
    line->recvSegmentBytes = r->segment.size;
  }
  pendingFlags_ = flags;
  return flags;
}

bool Engine::everyoneHas(std::uint64_t seq, std::uint8_t flags) const {
  if (flags == 0) return true;
  for (int r = 0; r < nranks_; ++r)
    if ((headerOf(r, seq)->flags & flags) != flags) return false;
  return true;
}

char* Engine::peerBuffer(int r, std::uint64_t seq, bool send) {
  const auto* line = reinterpret_cast<const BufferLine*>(base(r) + layout_.buffersOffset(seq));
  const std::uint64_t serial = send ? line->sendSerial : line->recvSerial;
  const std::uint64_t offset = send ? line->sendOffset : line->recvOffset;
  auto key = std::make_pair(r, serial);
  auto it = mapped_.find(key);
  if (it == mapped_.end()) {
    SegmentHandle h{line->pid, send ? line->sendFd : line->recvFd,
                    send ? line->sendSegmentBytes : line->recvSegmentBytes, serial};
    it = mapped_.emplace(key, SharedSegment::map(h)).first;
  }
  return static_cast<char*>(it->second.data()) + offset;
}

void Engine::probeCrossMemory() {
  // GROVE_CROSS_MEMORY=0 turns the single-copy paths off; GROVE_CROSS_MEMORY_MIN_BYTES sets the smallest
  // per-peer block they are used for (below it the staging pipeline's lower start-up cost wins).
  const char* off = std::getenv("GROVE_CROSS_MEMORY");
  crossMemoryMinBytes_ = envBytes("GROVE_CROSS_MEMORY_MIN_BYTES", 32u << 10);
  probeWord_ = 0x67726f7665000000ull | static_cast<std::uint64_t>(rank_);
  std::vector<std::uint64_t> addresses(nranks_);
  addresses[rank_] = reinterpret_cast<std::uint64_t>(&probeWord_);
  comm_->bootstrap().allGather(addresses.data(), sizeof(std::uint64_t));
  std::uint8_t ok = !(off && std::strcmp(off, "0") == 0);
  for (int p = 0; p < nranks_ && ok; ++p) {
    if (p == rank_) continue;
    const std::uint64_t expected = 0x67726f7665000000ull | static_cast<std::uint64_t>(p);
    ok = crossMemoryUsable(comm_->pid(p), reinterpret_cast<const void*>(addresses[p]), &expected,
                           sizeof expected);
  }
  std::vector<std::uint8_t> all(nranks_);
  all[rank_] = ok;
  comm_->bootstrap().allGather(all.data(), 1);
  crossMemory_ = true;
  for (std::uint8_t v : all) crossMemory_ = crossMemory_ && v;
}

bool Engine::offerSendAddress(std::uint64_t seq, const void* send, std::size_t blockBytes) {
  if (send == nullptr || !crossMemoryFor(blockBytes)) return false;
  *reinterpret_cast<const void**>(mySmall(seq)) = send;
  pendingFlags_ |= kSendAddress;
  return true;
}

void Engine::readFromPeer(int r, const void* remote, void* local, std::size_t bytes) const {
  crossMemoryRead(comm_->pid(r), remote, local, bytes);
}

void Engine::dropStaleMappings(int p, std::uint64_t peerFreeCount) {
  // The peer freed something, and we cannot tell what: its buffers of this call are remapped on use.
  peerFreeCount_[p] = peerFreeCount;
  for (auto it = mapped_.lower_bound({p, 0}); it != mapped_.end() && it->first.first == p;)
    it = mapped_.erase(it);
}

void Engine::finishTogether(std::uint64_t seq) {
  constexpr std::uint64_t kFinal = (1u << 24) - 2;
  signalAll(kSemConsumed, epoch(seq, kFinal));
  waitAllPeers(kSemConsumed, epoch(seq, kFinal));
}

}  // namespace grove::coll
