/// @file memory_channel.hpp
/// Direct load/store access to one peer's shared memory, with semaphores for ordering.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "grove/semaphore.hpp"

namespace grove {

/// The channel from this rank to one peer: `put`/`get` copy through the mapped memory, `signal`
/// raises a semaphore that lives in the peer's memory, `wait` waits on the one the peer raises here.
/// Semaphore values are absolute (monotonic epochs chosen by the algorithm), so a call that fails
/// half-way cannot shift later calls out of step.
class MemoryChannel {
 public:
  MemoryChannel() = default;
  /// `inbound[s]`: words in local memory raised by the peer; `outbound[s]`: words in the peer's memory
  /// raised by us; `stride` is the distance in words between consecutive slots.
  MemoryChannel(int peer, int peerPid, char* localBase, char* remoteBase, SemaphoreWord* inbound,
                SemaphoreWord* outbound, std::size_t stride, int slots)
      : peer_(peer),
        peerPid_(peerPid),
        local_(localBase),
        remote_(remoteBase),
        inbound_(inbound),
        outbound_(outbound),
        stride_(stride),
        slots_(slots) {}

  int peer() const { return peer_; }
  int peerPid() const { return peerPid_; }
  /// Address of `offset` in the peer's segment / in ours.
  char* remote(std::size_t offset) const { return remote_ + offset; }
  char* local(std::size_t offset) const { return local_ + offset; }
  /// Copies `bytes` from `src` into the peer's segment at `dstOffset`.
  void put(std::size_t dstOffset, const void* src, std::size_t bytes) const {
    std::memcpy(remote_ + dstOffset, src, bytes);
  }
  /// Copies `bytes` from the peer's segment at `srcOffset` into `dst`.
  void get(void* dst, std::size_t srcOffset, std::size_t bytes) const {
    std::memcpy(dst, remote_ + srcOffset, bytes);
  }
  /// Completes earlier puts. For memory channels puts are plain stores and signal() is a release store,
  /// so they are already ordered; flush() exists so algorithms read the same over a port channel, where
  /// it waits for the proxy.
  void flush() const {}
  /// Raises semaphore `slot` at the peer to `value`.
  void signal(int slot, std::uint64_t value) const { semaphoreRaise(outbound_ + slot * stride_, value); }
  /// Waits until the peer raised our semaphore `slot` to at least `value`.
  void wait(int slot, std::uint64_t value, std::chrono::steady_clock::time_point deadline, int spin) const {
    semaphoreWait(inbound_ + slot * stride_, value, WaitPolicy{deadline, peerPid_, spin, cancel_});
  }
  /// True if the peer already raised `slot` to `value`.
  bool poll(int slot, std::uint64_t value) const {
    return semaphoreReached(inbound_ + slot * stride_, value);
  }
  int slots() const { return slots_; }
  /// Makes every later wait() on this channel end early once `*flag` is set (abort from another thread).
  /// The flag must outlive the channel's waits.
  void setCancelFlag(const std::atomic<bool>* flag) { cancel_ = flag; }

 private:
  int peer_ = -1;
  int peerPid_ = 0;
  char* local_ = nullptr;
  char* remote_ = nullptr;
  SemaphoreWord* inbound_ = nullptr;
  SemaphoreWord* outbound_ = nullptr;
  const std::atomic<bool>* cancel_ = nullptr;
  std::size_t stride_ = 0;
  int slots_ = 0;
};

}  // namespace grove
