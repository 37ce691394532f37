/// @file memory.hpp
/// Process-wide registry of shared-memory allocations (groveMemAlloc), so any pointer into one can be
/// described to peers and mapped by them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "grove/shared_memory.hpp"

namespace grove {

/// Where a pointer lives inside a groveMemAlloc allocation.
struct SharedLocation {
  SegmentHandle segment;
  std::size_t offset = 0;
  std::size_t available = 0;  ///< Bytes from the pointer to the end of the allocation.
};

/// Allocates `bytes` of shared memory (page aligned) and records it.
void* sharedAlloc(std::size_t bytes);
/// Frees memory from sharedAlloc; false if `ptr` is not the start of such an allocation.
bool sharedFree(void* ptr);
/// How many allocations sharedFree has released in this process so far. Peers compare it between calls to
/// learn when their mappings of this process's buffers may be stale and should be dropped.
std::uint64_t sharedFreeCount();
/// Finds the allocation containing [ptr, ptr+bytes), if any.
std::optional<SharedLocation> findShared(const void* ptr, std::size_t bytes);

}  // namespace grove
