// Credit: when this rank may write the call-ring entry of its next call. A rank writes entry s only after
// every peer has started call s - kCallSlots + 1 and checked call s - kCallSlots (docs/algorithms.md,
// "Credit"); waitForCredit waits for that, eagerRunsNow only looks (a call on a stream that would wait
// is queued instead of run on the caller's thread).
#include <algorithm>
#include <cstdint>

#include "collectives/engine.hpp"
#include "grove/semaphore.hpp"

namespace grove::coll {

std::uint64_t Engine::creditTarget(std::uint64_t seq, std::uint64_t started) {
  // An eager call out of credit waits for kCreditBatch more calls than it needs (never for a call past
  // seq - 1, which the peer may need this rank to post first): it then looks at a line the peer writes
  // only every kCreditBatch calls, instead of pulling the line the peer is writing from its core at
  // every call. A synchronous call (started == seq - 1) waits for exactly what it needs.
  return std::max(started, std::min(started + kCreditBatch, seq - 1));
}

void Engine::waitForCredit(std::uint64_t seq, std::uint64_t started, std::uint64_t checked) {
  std::uint64_t lowStarted = UINT64_MAX, lowChecked = UINT64_MAX;
  for (int p = 0; p < nranks_; ++p) {
    if (p == rank_) continue;
    if (peerStarted_[p] < started) {
      // A peer that keeps up has posted the previous call: one look there gives the most credit.
      std::uint64_t v = headerOf(p, seq - 1)->seq.value.load(std::memory_order_acquire);
      if (v < started) {
        const std::uint64_t target = creditTarget(seq, started);
        const CallHeader* h = headerOf(p, target);
        waitWord(&h->seq, target, p);
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

bool Engine::eagerRunsNow(int from) {
  if (emptyRun_ != 0) return false;  // the pending run is posted first
  const std::uint64_t seq = seq_ + 1;
  const std::uint64_t reuse = seq > kCallSlots ? seq - kCallSlots : 0;
  const std::uint64_t started = reuse ? reuse + 1 : 0;
  int polls = kCreditPolls;
  auto waitBriefly = [&] {
    if (polls-- == 0) return false;
    cpuRelax();
    return true;
  };
  // The credit beginCall(true) needs. Out of it, this rank watches the line of the call kCreditBatch
  // later, as waitForCredit does, not the one the peer writes next.
  if (minPeerStarted_ < started || minPeerChecked_ < reuse) {
    const std::uint64_t target = creditTarget(seq, started);
    std::uint64_t lowStarted = UINT64_MAX, lowChecked = UINT64_MAX;
    for (int p = 0; p < nranks_; ++p) {
      if (p == rank_) continue;
      if (peerStarted_[p] < started) {
        std::uint64_t v = headerOf(p, seq - 1)->seq.value.load(std::memory_order_acquire);
        const auto& later = headerOf(p, target)->seq.value;
        while (v < started) {
          if (!waitBriefly()) return false;
          v = std::max(v, later.load(std::memory_order_acquire));
        }
        peerStarted_[p] = v;
      }
      const auto& checked = checkedWordOf(p)->value;
      while (peerChecked_[p] < reuse) {
        peerChecked_[p] = checked.load(std::memory_order_acquire);
        if (peerChecked_[p] < reuse && !waitBriefly()) return false;
      }
      lowStarted = std::min(lowStarted, peerStarted_[p]);
      lowChecked = std::min(lowChecked, peerChecked_[p]);
    }
    minPeerStarted_ = lowStarted;
    minPeerChecked_ = lowChecked;
  }
  // The posts the call reads.
  polls = std::min(polls, kReadyPolls);
  for (int p = 0; p < nranks_; ++p) {
    if (p == rank_ || from == kNoPeer || (from != kEveryPeer && p != from)) continue;
    const auto& word = headerOf(p, seq)->seq.value;
    while (word.load(std::memory_order_acquire) != seq)
      if (!waitBriefly()) return false;
  }
  return true;
}

}  // namespace grove::coll
