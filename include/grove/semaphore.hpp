/// @file semaphore.hpp
/// A monotonic 64-bit flag in shared memory that one process raises and others wait on.
///
/// Waiters spin briefly (cheap when the raiser runs on another core), then yield, then sleep on a
/// futex, so many ranks on few cores still make progress. Every wait has a deadline and checks that
/// the raising process is alive, turning a dead peer into an error instead of a hang.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace grove {

/// Tells the CPU that the caller is spinning on a flag another core writes (pause / yield instruction):
/// saves power and lets a sibling hyper-thread run.
inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  asm volatile("" ::: "memory");
#endif
}

/// The shared word: lives in shared memory, 16 bytes, usually alone on a cache line.
struct SemaphoreWord {
  std::atomic<std::uint64_t> value{0};    ///< Only ever increases (single writer).
  std::atomic<std::uint32_t> waiters{0};  ///< Sleepers on the futex; the raiser wakes them if > 0.
  std::uint32_t pad = 0;
};
static_assert(sizeof(SemaphoreWord) == 16);

/// How a wait behaves: when to give up, and whose death ends it early.
struct WaitPolicy {
  std::chrono::steady_clock::time_point deadline;
  int peerPid = 0;            ///< Process that raises the semaphore; 0 = do not check liveness.
  int spinIterations = 2000;  ///< Busy-wait rounds before yielding (lower it when oversubscribed).
  /// When non-null and set (by another thread, e.g. groveCommAbort), the wait ends with
  /// Error(groveRemoteError) within about a millisecond instead of waiting for the deadline.
  const std::atomic<bool>* cancel = nullptr;
};

/// Raises `word` to `value` (values must not decrease) and wakes sleeping waiters.
void semaphoreRaise(SemaphoreWord* word, std::uint64_t value);
/// Adds one to `word` (many writers may ring the same word) and wakes sleeping waiters: a doorbell
/// that lets a rank sleep until any of several peers has news.
void semaphoreRing(SemaphoreWord* word);
/// Waits until `word` >= `target`. Throws Error(groveTimeout) at the deadline and
/// Error(groveRemoteError) when the raiser died or the wait was cancelled.
void semaphoreWait(const SemaphoreWord* word, std::uint64_t target, const WaitPolicy& policy);
/// True when word >= target (no waiting).
inline bool semaphoreReached(const SemaphoreWord* word, std::uint64_t target) {
  return word->value.load(std::memory_order_acquire) >= target;
}

/// A semaphore raised by a peer: wraps a word and the policy to wait on it (MSCCL++-style handle).
class Semaphore {
 public:
  Semaphore() = default;
  Semaphore(SemaphoreWord* word, int raiserPid) : word_(word), raiserPid_(raiserPid) {}
  /// Raises to `value`.
  void raise(std::uint64_t value) { semaphoreRaise(word_, value); }
  /// Waits for `value`, bounded by `deadline`.
  void wait(std::uint64_t value, std::chrono::steady_clock::time_point deadline, int spin = 2000) const {
    semaphoreWait(word_, value, WaitPolicy{deadline, raiserPid_, spin});
  }
  std::uint64_t value() const { return word_->value.load(std::memory_order_acquire); }
  SemaphoreWord* word() const { return word_; }

 private:
  SemaphoreWord* word_ = nullptr;
  int raiserPid_ = 0;
};

}  // namespace grove
