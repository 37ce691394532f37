// Eager broadcast and reduce: for small messages, the ranks that only send (a broadcast's root, a
// reduce's non-roots) post their descriptor and data into their call-ring entry and return without
// waiting for anyone, like an MPI eager send. A sender can so run up to kCallSlots calls ahead,
// and ranks that share a core pass many calls per time slice instead of one.
//
// Mismatches are still found: receivers compare with the sender they wait for, every rank compares a
// hash of each window of 16 calls with its ring neighbours' (Engine::checkPending; if every rank agrees
// with its neighbours, all agree), and every synchronous call compares all pending calls with every
// peer. A rank whose part had already finished learns of it from the notice the finder writes, and
// reports it from the call it is in or a later one (docs/algorithms.md, "Eager calls").
#include <cstring>
#include <vector>

#include "collectives/algorithms.hpp"
#include "collectives/copy_kernels.hpp"
#include "collectives/datatype.hpp"
#include "collectives/prefetch.hpp"
#include "collectives/reduce_kernels.hpp"

namespace grove::coll {
namespace {

constexpr std::size_t kInline = sizeof(CallHeader::inlineData);
// Largest room a reduce's root fetches ahead (prefetchNextRoom): 1 KiB measured 1.3-2.4x slower at
// 1 KiB, 256 B faster at 128-256 B.
constexpr std::size_t kPrefetchRoomBytes = 256;

// Posts this rank's call with `bytes` of `data`: inside the header line when they fit (one line for
// peers to fetch), else in the entry's payload room.
void postWithData(Engine& e, std::uint64_t seq, const CallDesc& d, const void* data, std::size_t bytes) {
  if (bytes <= kInline) return e.post(seq, d, data, bytes, Engine::PostMode::kSender);
  std::memcpy(e.myEager(seq), data, bytes);
  e.post(seq, d, nullptr, 0, Engine::PostMode::kSender);
  // As post() does for the header: the room of a later call, as many lines as this call used (calls in
  // a row tend to move the same size). Every line: asking for the first four of 512 B alone measured
  // slower than asking for none. Not when ranks outnumber cores (reduce of 256-512 B at 4 ranks measured
  // 1.25x slower with it).
  if (!e.oversubscribed()) prefetchLinesForWrite(e.myEager(seq + Engine::kPrefetchAhead), bytes);
}

// Copies an eager call's data (memmove semantics): tiny data without a library call.
void copyData(void* dst, const void* src, std::size_t bytes) {
  if (bytes <= kSmallCopyBytes)
    copySmall(dst, src, bytes);
  else
    std::memmove(dst, src, bytes);
}

const void* dataOf(Engine& e, int r, std::uint64_t seq, std::size_t bytes) {
  return bytes <= kInline ? static_cast<const void*>(e.headerOf(r, seq)->inlineData) : e.eagerOf(r, seq);
}

// After a reduce whose sender `r` had posted before the root looked (the sender runs ahead, so its next
// call is most likely posted too): starts fetching the next call's room, up to kPrefetchRoomBytes. Only
// then: a room fetched before the sender writes it takes lines the sender asked to own (prefetch.hpp).
void prefetchNextRoom(const Engine& e, int r, std::uint64_t seq, std::size_t bytes) {
  if (bytes <= kInline || bytes > kPrefetchRoomBytes) return;
  const char* room = e.eagerOf(r, seq + 1);
  prefetchLinesForRead(room, bytes);
}

}  // namespace

void eagerBroadcast(Engine& e, std::uint64_t seq, const CallDesc& d, const void* send, void* recv) {
  const std::size_t bytes = d.count * typeSize(d.type);
  if (e.rank() == d.root) {
    postWithData(e, seq, d, send, bytes);
    if (send != recv) copyData(recv, send, bytes);
    return;
  }
  // A receiver compares with the root it waits for; its own post is read only by batched checks.
  e.post(seq, d, nullptr, 0, Engine::PostMode::kReceiver);
  const bool ahead = e.headerOf(d.root, seq)->seq.value.load(std::memory_order_relaxed) >= seq;
  e.waitFor(d.root, seq, d);
  copyData(recv, dataOf(e, d.root, seq, bytes), bytes);
  // A root running ahead has posted the next call already: start fetching it. Not a root in step (unless
  // ranks share cores): the line would be taken from it just before it writes it (see eagerReduce).
  if (ahead || e.oversubscribed()) __builtin_prefetch(e.headerOf(d.root, seq + 1), 0);
}

void eagerReduce(Engine& e, std::uint64_t seq, const CallDesc& d, const void* send, void* recv) {
  const std::size_t bytes = d.count * typeSize(d.type);
  const int n = e.nranks();
  if (e.rank() != d.root) {
    postWithData(e, seq, d, send, bytes);
    return;
  }
  e.post(seq, d, nullptr, 0, Engine::PostMode::kReceiver);
  // Bit r: rank r had posted before the root looked (ranks below 64). Asked for what it decides below:
  // which headers and rooms to fetch ahead (all headers when ranks share cores).
  const bool shared = e.oversubscribed();
  std::uint64_t ahead = 0;
  if (!shared || (bytes > kInline && bytes <= kPrefetchRoomBytes))
    for (int r = 0; r < n && r < 64; ++r)
      if (r != e.rank() && e.headerOf(r, seq)->seq.value.load(std::memory_order_relaxed) >= seq)
        ahead |= std::uint64_t{1} << r;
  e.waitAll(seq, d);
  const void* stackSrc[16];
  std::vector<const void*> heapSrc(n > 16 ? n : 0);
  const void** src = n > 16 ? heapSrc.data() : stackSrc;
  for (int r = 0; r < n; ++r) src[r] = r == e.rank() ? send : dataOf(e, r, seq, bytes);
  reduce(ReduceArgs{recv, nullptr, src, n, d.count, d.type, d.op, n});
  // Senders running ahead have posted the next call already: start fetching it (as a broadcast does).
  // Only those, unless ranks share cores: a sender in step has not written that line yet, and taking it
  // from the sender's core just before the write makes the sender's next call wait for the line (the
  // call lock waits for its stores), which keeps it in step: a slow state both ranks stayed in.
  for (int r = 0; r < n; ++r) {
    const bool wasAhead = r < 64 && (ahead >> r & 1);
    if (r == e.rank() || !(wasAhead || shared)) continue;
    __builtin_prefetch(e.headerOf(r, seq + 1), 0);
    if (wasAhead) prefetchNextRoom(e, r, seq, bytes);
  }
}

}  // namespace grove::coll
