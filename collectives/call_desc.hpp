/// @file call_desc.hpp
/// What a call is, as ranks compare it: the collective, type, op, count, root and a collective-specific
/// check value (CallDesc), packed into words for the call ring's header lines and folded into the
/// window hashes of the batched mismatch checks (engine.hpp).
#pragma once

#include <cstdint>

#include "grove/grove.h"

namespace grove::coll {

enum class CollKind : std::uint8_t {
  kAllReduce = 1,
  kAllGather,
  kReduceScatter,
  kBroadcast,
  kReduce,
  kAllToAll,
  kAllToAllv,
  kSendRecv,
  kBarrier,
  kEmptyRun  ///< A run of calls with nothing to move, posted as one entry (collectives/empty_calls.cpp).
};
const char* collName(CollKind k);

/// What a call is; compared across ranks. Fields a collective does not use must be left at defaults.
struct CallDesc {
  CollKind coll = CollKind::kBarrier;
  groveDataType_t type = groveInt8;
  groveRedOp_t op = groveSum;
  std::uint64_t count = 0;
  int root = -1;
  std::uint64_t aux = 0;
};

/// The first call (count 0) of a kEmptyRun entry.
CallDesc firstOfRun(const CallDesc& run);

/// The collective, type, op and root of `d` in one word.
inline std::uint64_t packCall(const CallDesc& d) {
  return static_cast<std::uint64_t>(d.coll) | static_cast<std::uint64_t>(d.type) << 8 |
         static_cast<std::uint64_t>(d.op) << 16 |
         static_cast<std::uint64_t>(static_cast<std::uint32_t>(d.root)) << 32;
}
/// No call packs to this (CollKind 0 does not exist).
constexpr std::uint64_t kNoCall = 0;

/// Folds the fields of `d` that calls compare into the running hash `h`.
inline std::uint64_t foldCall(std::uint64_t h, const CallDesc& d) {
  for (std::uint64_t v : {packCall(d), d.count, d.aux}) {
    h = (h ^ v) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
  }
  return h;
}

}  // namespace grove::coll
