// Mismatch detection beyond the call's own wait: comparing descriptors, the batched checks of eager
// calls (window hashes with the ring neighbours), the notices that carry a mismatch to ranks whose part
// of the call had finished, and turning those notices into errors (docs/algorithms.md, "Eager calls").
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>

#include "collectives/datatype.hpp"
#include "collectives/engine.hpp"
#include "collectives/p2p_state.hpp"
#include "grove/error.hpp"

namespace grove::coll {
namespace {

std::string describe(const CallDesc& d) {
  if (d.coll == CollKind::kEmptyRun)
    return std::to_string(d.count) + (d.count == 1 ? " call" : " calls") + " with count 0 (the first " +
           describe(firstOfRun(d)) + ")";
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
  if (a.coll == CollKind::kEmptyRun || b.coll == CollKind::kEmptyRun) {
    // A rank's calls with count 0 against another's call that posts: the count, when the first of them
    // is the same collective.
    if (a.coll != b.coll) {
      const CallDesc& other = a.coll == CollKind::kEmptyRun ? b : a;
      const CallDesc first = firstOfRun(a.coll == CollKind::kEmptyRun ? a : b);
      return first.coll == other.coll ? "count" : "collective";
    }
    if (a.count != b.count) return "number of calls with count 0";
    if (a.aux == b.aux && a.type == b.type && a.op == b.op && a.root == b.root) return {};
    const std::string first = difference(firstOfRun(a), firstOfRun(b));
    return first.empty() ? "a call with count 0" : first;
  }
  if (a.coll != b.coll) return "collective";
  if (a.count != b.count) return "count";
  if (a.type != b.type) return "datatype";
  if (a.op != b.op) return "reduction op";
  if (a.root != b.root) return "root";
  if (a.aux != b.aux) return a.coll == CollKind::kAllToAllv ? "send/receive counts" : "arguments";
  return {};
}

}  // namespace

std::string Engine::compare(const CallDesc& d, int p, const CallHeader& theirsLine) const {
  if (!checkCalls_) return {};
  const CallDesc theirs = fromHeader(theirsLine);
  const std::string field = difference(d, theirs);
  if (field.empty()) return {};
  auto verb = [](const CallDesc& c) { return c.coll == CollKind::kEmptyRun ? " made " : " called "; };
  return "mismatched calls: " + field + " differs: rank " + std::to_string(rank_) + verb(d) + describe(d) +
         ", rank " + std::to_string(p) + verb(theirs) + describe(theirs);
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

}  // namespace grove::coll
