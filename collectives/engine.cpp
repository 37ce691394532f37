#include "collectives/engine.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "collectives/copy_choice.hpp"
#include "collectives/copy_kernels.hpp"
#include "collectives/p2p_state.hpp"
#include "collectives/prefetch.hpp"
#include "core/affinity.hpp"
#include "grove/cross_memory.hpp"
#include "grove/env.hpp"
#include "grove/error.hpp"
#include "grove/fence.hpp"
#include "grove/memory.hpp"

namespace grove::coll {
namespace {

// A size setting of at least 4096 bytes; smaller or malformed values give `fallback`.
std::size_t envBytes(const char* name, std::size_t fallback) {
  const std::size_t x = envSize(name, 0);
  // Whole cache lines: the workspace layout keeps every header and semaphore line 64-byte aligned.
  return x >= 4096 ? (x & ~std::size_t{0x3F}) : fallback;
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
    case CollKind::kEmptyRun:
      return "calls with count 0";
  }
  return "unknown";
}

Engine::Engine(int rank, int nranks, const groveUniqueId& id)
    : rank_(rank), nranks_(nranks), timeout_(timeout()) {
  // Send/recv wakes sleeping peers through asymmetric fences (grove/fence.hpp).
  enableAsymmetricFences();
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
  // When ranks outnumber cores, the rank we wait for usually needs our core: yield after the first
  // failed poll (as Open MPI does when oversubscribed). 64 polls first cost 10-45 % at 4 and 8 ranks on
  // two cores, small and large messages alike (docs/performance.md, "Waiting when ranks share cores").
  spin_ = oversubscribed_ ? 1 : 20000;

  layout_.nranks = nranks;
  // Eager broadcasts and reduces up to this size (docs/algorithms.md, "Eager calls"); 0 turns them off.
  layout_.eagerBytes =
      std::min<std::size_t>(envSize("GROVE_EAGER_BYTES", 2048), 64 * 1024) & ~std::size_t{0x3F};
  layout_.smallBytes = envBytes("GROVE_SMALL_BYTES", 64 * 1024);
  layout_.chunkBytes = envBytes("GROVE_CHUNK_BYTES", 256 * 1024);
  layout_.ringSlots = 4;
  layout_.p2pChunkBytes = envBytes("GROVE_P2P_CHUNK_BYTES", 8 * 1024);
  // A power of two: the slot of a chunk is a mask, not a division, on every poll of a send or receive.
  layout_.p2pSlots =
      static_cast<int>(std::bit_floor(std::max<std::size_t>(4, (512u << 10) / layout_.p2pChunkBytes)));
  window_ = comm_->createWindow(layout_.totalBytes(), "grove-workspace");
  myNotice_ = noticeOf(rank);
  myP2PNotice_ = reinterpret_cast<SemaphoreWord*>(base(rank) + layout_.p2pNoticeOffset());
  verdictSeen_.assign(nranks, 0);
  failed_.assign(kCallSlots, 0);
  windowHashes_.assign(kCheckWindows, 0);
  if (nranks > 1) neighbours_.push_back((rank + 1) % nranks);
  if (nranks > 2) neighbours_.push_back((rank + nranks - 1) % nranks);
  p2p_ = std::make_unique<P2PState>();
  copyTuner_ = std::make_unique<CopyTuner>();
  std::vector<char*> bases(nranks);
  for (int r = 0; r < nranks; ++r) bases[r] = base(r);
  p2p_->init(layout_, rank, bases, !oversubscribed_);
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
  warmControlPages();
  log(2, "rank %d: workspace %zu bytes, chunk %zu, spin %d, cross-memory reads %s", rank,
      layout_.totalBytes(), layout_.chunkBytes, spin_, crossMemory_ ? "on" : "off");
}

Engine::~Engine() = default;

void Engine::warmControlPages() const {
  // The pages every call touches: call headers, semaphores, and the control lines at the segment's end
  // (notices, checks, send/recv control), in every rank's segment. They are mapped already (populated),
  // but on the development VM's hypervisor the first access of a process to a page still costs 3-80 µs,
  // and a first write after a read again 10-15 µs: the 1st and the 16th post took 27-175 µs each
  // (docs/performance.md). So each page is touched here once, as it will be used: this rank's own pages
  // by an atomic add of 0 (peers may be writing other words of them; the add changes nothing they could
  // see), the peers' pages by a read.
  const std::size_t page = 4096;
  const std::pair<std::size_t, std::size_t> ranges[] = {{0, layout_.eagerOffset(0)},
                                                        {layout_.semOffset(), layout_.stagingOffset(0)},
                                                        {layout_.p2pControlOffset(0), layout_.totalBytes()}};
  unsigned sum = 0;
  for (int r = 0; r < nranks_; ++r)
    for (const auto& [begin, end] : ranges)
      for (std::size_t o = begin & ~(page - 1); o < end; o += page) {
        char* p = base(r) + std::max(o, begin);  // every page the range spans, at a byte inside it
        sum += r == rank_ ? __atomic_fetch_add(p, 0, __ATOMIC_RELAXED) : __atomic_load_n(p, __ATOMIC_RELAXED);
      }
  warmSum_ = sum;  // keeps the reads
}

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
  // An eager sender asks to own a later entry's line now, so that its call's stores find it owned (peers
  // read it between our uses); the stores would otherwise wait for it in the store buffer and stall the
  // next call's lock (prefetch.hpp). Other calls only bring the next entry's line near (a read prefetch,
  // as before the write prefetch was measured).
  if (mode == PostMode::kSender)
    prefetchForWrite(headerOf(rank_, seq + kPrefetchAhead));
  else
    __builtin_prefetch(headerOf(rank_, seq + 1), 0);
  h->count = d.count;
  h->coll = static_cast<std::uint8_t>(d.coll);
  h->type = static_cast<std::uint8_t>(d.type);
  h->op = static_cast<std::uint8_t>(d.op);
  h->flags = pendingFlags_;
  pendingFlags_ = 0;
  h->root = d.root;
  h->aux = d.aux;
  h->freeCount = sharedFreeCount();
  if (inlineBytes > sizeof(h->inlineData))
    throw Error(groveInternalError, "inline data too large for a header");
  copySmall(h->inlineData, inlineData, inlineBytes);
  // Fold the descriptor into this window's hash (the fields compare() compares, in call order); publish
  // it with the window's last call.
  windowHash_ = foldCall(windowHash_, d);
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

void Engine::waitAll(std::uint64_t seq, const CallDesc& d) {
  // Nothing is mapped for this call yet, so this is the safe moment to bound the cache: peers that keep
  // allocating live buffers must not exhaust our address space.
  if (mapped_.size() >= 256) mapped_.clear();
  int disagrees = -1;  // the first peer whose call differs (its message is built only then)
  for (int p = 0; p < nranks_; ++p) {
    if (p == rank_) continue;
    const CallHeader* h = headerOf(p, seq);
    waitWord(&h->seq, seq, p);
    if (h->seq.value.load(std::memory_order_acquire) != seq)
      throw Error(groveInternalError, "rank " + std::to_string(p) + " is ahead by a ring of calls");
    if (h->freeCount != peerFreeCount_[p]) dropStaleMappings(p, h->freeCount);
    if (disagrees < 0 && !agrees(d, *h)) disagrees = p;
  }
  if (disagrees >= 0) mismatched(seq, compare(d, disagrees, *headerOf(disagrees, seq)));
  // Every peer has started this call: it finished the previous ones.
  for (int p = 0; p < nranks_; ++p)
    if (p != rank_) peerStarted_[p] = seq;
  if (nranks_ > 1) minPeerStarted_ = seq;
  if (checked_ + 1 < seq) checkAllBefore(seq);
  checked_ = seq;
  if (checked_ >= published_ + kCheckEvery) publishChecked();
}

const CallHeader* Engine::waitFor(int r, std::uint64_t seq, const CallDesc& d) {
  const CallHeader* h = headerOf(r, seq);
  waitWord(&h->seq, seq, r);
  if (h->seq.value.load(std::memory_order_acquire) != seq)
    throw Error(groveInternalError, "rank " + std::to_string(r) + " is ahead by a ring of calls");
  peerStarted_[r] = seq;
  if (!agrees(d, *h)) {
    const std::string problem = compare(d, r, *h);
    if (!problem.empty()) mismatched(seq, problem);
  }
  return h;
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
  // What was read is trusted only if no peer had given the call up when the reads ended: a peer's
  // giveUp() comes before anything its caller writes next, and the fences order both sides' accesses.
  fullFence();
  for (int r = 0; r < nranks_; ++r)
    if (r != rank_ && gaveUpOf(r)->load(std::memory_order_acquire) >= seq)
      throw Error(groveRemoteError, "rank " + std::to_string(r) + " gave up call " + std::to_string(seq) +
                                        " (it failed there) while this rank was reading its buffers; what "
                                        "was read cannot be trusted");
  constexpr std::uint64_t kFinal = (1u << 24) - 2;
  signalAll(kSemConsumed, epoch(seq, kFinal));
  waitAllPeers(kSemConsumed, epoch(seq, kFinal));
}

void Engine::giveUp() noexcept {
  gaveUpOf(rank_)->store(seq_, std::memory_order_seq_cst);
  fullFence();  // before anything the caller writes once the call has returned
}

}  // namespace grove::coll
