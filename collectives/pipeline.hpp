/// @file pipeline.hpp
/// The staging-ring pipeline most copy collectives share: producers fill their staging slot for chunk
/// c and raise kSemStaged; consumers read the producers' slots and raise kSemConsumed; a producer
/// reuses a slot only after every consumer released it. Chunk c+1 is produced while chunk c is consumed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <vector>

#include "collectives/engine.hpp"

namespace grove::coll {

/// Roles of the ranks in one pipelined call.
struct PipelineRoles {
  bool iProduce = true;
  bool iConsume = true;
  std::vector<int> producers;  ///< Ranks whose slots I read (excluding me).
  std::vector<int> consumers;  ///< Ranks that read my slots (excluding me).
};

/// Every rank except me produces and consumes.
PipelineRoles allToAllRoles(const Engine& e);
/// `root` produces, everyone else consumes.
PipelineRoles rootToAllRoles(const Engine& e, int root);

/// Runs `chunks` chunks of call `seq`: produce(c, slotPointer) then consume(c, slotIndex).
void runStagedPipeline(Engine& e, std::uint64_t seq, std::size_t chunks, const PipelineRoles& roles,
                       const std::function<void(std::size_t c, char* mySlot)>& produce,
                       const std::function<void(std::size_t c, int slot)>& consume);

/// Number of chunks of `chunkBytes` needed for `bytes` (at least 0).
inline std::size_t chunksFor(std::size_t bytes, std::size_t chunkBytes) {
  return (bytes + chunkBytes - 1) / chunkBytes;
}

/// Largest multiple of `typeBytes` (and of 64 bytes when possible) not above `bytes`.
inline std::size_t alignedPiece(std::size_t bytes, std::size_t typeBytes) {
  std::size_t unit = std::max<std::size_t>(64, typeBytes);
  std::size_t piece = bytes / unit * unit;
  return piece > 0 ? piece : typeBytes;
}

}  // namespace grove::coll
