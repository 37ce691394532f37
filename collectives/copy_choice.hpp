/// @file copy_choice.hpp
/// How allgather, alltoall and broadcast move large private (`malloc`'d) blocks: single kernel copies
/// from the peers' buffers, or a handoff through the staging ring, whose second copy reads a cache the
/// cores share. Which is faster depends on how far apart the cores are at the moment, and this changes
/// within seconds on a virtual machine (docs/algorithms.md, "A handoff in cache between close cores").
/// Ranks with a core each measure the distance in the call. Ranks that share cores cannot (a token would
/// wait for the scheduler): rank 0 times the calls of each size made either way, advises the faster way
/// in its call header, and tries the other again every kExploreEvery calls.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "collectives/engine.hpp"

namespace grove::coll {

/// Rank 0's record, per block size (powers of two), of the time per byte of both ways.
class CopyTuner {
 public:
  /// A call of every kExploreEvery per size takes the way that was slower: the machine's state changes.
  static constexpr std::uint32_t kExploreEvery = 64;
  /// Whether the next call moving blocks of `blockBytes` should hand over in cache.
  bool preferHandoff(std::size_t blockBytes);
  /// A call moving blocks of `blockBytes` took `nanos` on rank 0.
  void record(std::size_t blockBytes, bool handoff, double nanos);

 private:
  struct Bin {
    double nanosPerByte[2] = {0, 0};  ///< single copies, handoff (0: not tried yet)
    std::uint32_t sinceExplore = 0;
  };
  Bin bins_[65];
};

/// Before post(), after offerSendAddress(): rank 0 of ranks that share cores (fewer than four per core)
/// advises (kHandoffAdvice) how a call moving blocks of `blockBytes` should go; without advice ranks copy
/// once.
void adviseCopies(Engine& e, std::size_t blockBytes);

/// The way of one call (after agree()), when `possible` (every rank offered its send buffer for single
/// copies). With a core per rank the ranks measure the cores' distance together (GROVE_CACHED_HANDOFF=1/0
/// forces the answer); otherwise they follow rank 0's advice, and rank 0 times the call until this
/// object is destroyed. Without `possible` the data goes through the staging ring.
class CopyChoice {
 public:
  CopyChoice(Engine& e, std::uint64_t seq, std::size_t blockBytes, bool possible);
  ~CopyChoice();
  CopyChoice(const CopyChoice&) = delete;
  CopyChoice& operator=(const CopyChoice&) = delete;
  bool singleCopies() const { return single_; }

 private:
  CopyTuner* tuner_ = nullptr;
  std::size_t blockBytes_;
  bool single_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace grove::coll
