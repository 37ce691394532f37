/// @file communicator.hpp
/// The C++ primitive API (after MSCCL++): a Communicator over a Bootstrap hands out shared windows,
/// registered memory and memory channels; algorithms are written against channels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "grove/bootstrap.hpp"
#include "grove/memory_channel.hpp"
#include "grove/shared_memory.hpp"

namespace grove {

/// A buffer this process registered, described so a peer can map it. Peers can map only buffers that
/// live in shared memory (groveMemAlloc); others are `shareable == false`.
struct RegisteredMemory {
  void* data = nullptr;
  std::size_t size = 0;
  bool shareable = false;
  SegmentHandle segment;   ///< Segment holding the buffer (when shareable).
  std::size_t offset = 0;  ///< Offset of `data` inside the segment.
};

/// One shared segment per rank, all of the same size, every rank mapping every other rank's.
class SharedWindow {
 public:
  /// Base address of `rank`'s segment in this process.
  void* base(int rank) const { return bases_[rank]; }
  std::size_t bytesPerRank() const { return bytes_; }

 private:
  friend class Communicator;
  std::size_t bytes_ = 0;
  std::vector<void*> bases_;
  std::vector<SharedSegment> segments_;  // own segment at [rank], peers' elsewhere
};

/// Ranks of one job on one host: owns the bootstrap and the shared memory set up through it.
class Communicator {
 public:
  explicit Communicator(std::unique_ptr<Bootstrap> bootstrap);
  ~Communicator();
  Bootstrap& bootstrap() { return *bootstrap_; }
  int rank() const { return bootstrap_->rank(); }
  int size() const { return bootstrap_->size(); }
  /// Process id of `rank`.
  int pid(int rank) const { return bootstrap_->pids()[rank]; }
  /// True when every rank runs on this host (the shared-memory transport applies).
  bool allLocal() const;

  /// Collective: every rank creates `bytes` of shared memory and maps everyone else's. The owner's handle
  /// is closed once every rank has mapped, so the memory disappears with the last process.
  std::shared_ptr<SharedWindow> createWindow(std::size_t bytes, const char* label);
  /// Describes a local buffer; shareable when it lies inside groveMemAlloc memory.
  RegisteredMemory registerMemory(void* data, std::size_t size) const;
  /// A channel to `peer` over `window`: semaphore words at `semOffset` in every rank's segment, one
  /// 64-byte line per (slot, source rank): line index = slot * size() + source.
  MemoryChannel connect(const SharedWindow& window, int peer, std::size_t semOffset, int slots) const;

 private:
  std::unique_ptr<Bootstrap> bootstrap_;
};

}  // namespace grove
