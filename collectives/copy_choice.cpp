#include "collectives/copy_choice.hpp"

#include <bit>

#include "collectives/core_distance.hpp"
#include "collectives/workspace.hpp"
#include "grove/env.hpp"

namespace grove::coll {
namespace {

// Whether ranks with a core each should hand call `seq` over in cache: rank 0's hop measurement decides,
// and its verdict travels once more around the ring, so every rank takes the same path.
bool closeCoresHandOver(Engine& e, std::uint64_t seq) {
  const int n = e.nranks(), me = e.rank();
  const double hop = measureHopNanos(e, seq);
  const MemoryChannel& next = e.channel((me + 1) % n);
  const MemoryChannel& prev = e.channel((me + n - 1) % n);
  // Values grow with the call number; the verdict is the lowest bit.
  const std::uint64_t base = 2 * seq;
  bool cached;
  if (me == 0) {
    // Read at every call (the calls that get here move megabytes), so a setting applies to every
    // communicator.
    const int forced = forcedChoice("GROVE_CACHED_HANDOFF");
    cached = forced >= 0 ? forced == 1 : hop <= kFarHopNanos;
  } else {
    prev.wait(kSemVerdict, base, e.deadline(), e.spin());
    cached = prev.poll(kSemVerdict, base + 1);
  }
  if (me != n - 1) next.signal(kSemVerdict, base + (cached ? 1 : 0));
  log(3, "rank %d: call %llu: %.0f ns per hop, %s", me, static_cast<unsigned long long>(seq), hop,
      cached ? "handoff in cache" : "single copies");
  return cached;
}

}  // namespace

bool CopyTuner::preferHandoff(std::size_t blockBytes) {
  Bin& b = bins_[std::bit_width(blockBytes)];
  if (b.nanosPerByte[0] == 0) return false;  // single copies first,
  if (b.nanosPerByte[1] == 0) return true;   // then the handoff once
  const bool handoffFaster = b.nanosPerByte[1] < b.nanosPerByte[0];
  if (++b.sinceExplore >= kExploreEvery) {
    b.sinceExplore = 0;
    return !handoffFaster;
  }
  return handoffFaster;
}

void CopyTuner::record(std::size_t blockBytes, bool handoff, double nanos) {
  Bin& b = bins_[std::bit_width(blockBytes)];
  double& v = b.nanosPerByte[handoff ? 1 : 0];
  const double x = nanos / static_cast<double>(blockBytes);
  // The way in use is averaged over its recent calls (recent ones count most: the machine changes); a way
  // tried once in a while is judged by that call alone, its older figure being stale.
  const bool inUse =
      b.nanosPerByte[0] != 0 && b.nanosPerByte[1] != 0 && (b.nanosPerByte[1] < b.nanosPerByte[0]) == handoff;
  v = inUse ? (v + x) / 2 : x;
}

void adviseCopies(Engine& e, std::size_t blockBytes) {
  // Four or more ranks per core copy once: through the ring, alltoall fell to 0.3-0.5x MPI in the far
  // state there, and trying it every 64 calls cost 7-17 % in 8-rank jobs of 12 calls per size.
  if (e.rank() != 0 || !e.oversubscribed() || e.crowded() || !e.crossMemoryFor(blockBytes)) return;
  const int forced = forcedChoice("GROVE_CACHED_HANDOFF");
  if (forced >= 0 ? forced == 1 : e.copyTuner().preferHandoff(blockBytes)) e.announce(kHandoffAdvice);
}

CopyChoice::CopyChoice(Engine& e, std::uint64_t seq, std::size_t blockBytes, bool possible)
    : blockBytes_(blockBytes) {
  if (!possible) return;
  if (!e.oversubscribed()) {
    single_ = !closeCoresHandOver(e, seq);
    return;
  }
  single_ = (e.headerOf(0, seq)->flags & kHandoffAdvice) == 0;
  if (e.rank() != 0 || blockBytes == 0) return;
  tuner_ = &e.copyTuner();
  start_ = std::chrono::steady_clock::now();
}

CopyChoice::~CopyChoice() {
  if (tuner_ == nullptr) return;
  const double nanos =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start_).count();
  tuner_->record(blockBytes_, !single_, nanos);
}

}  // namespace grove::coll
