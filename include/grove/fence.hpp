/// @file fence.hpp
/// Asymmetric fences between processes, for flags that are raised often and slept on rarely.
///
/// A raiser that stores a flag and then checks whether anyone sleeps on it needs its store ordered
/// before its load (x86 may let the load pass the store), and the sleeper needs the same between
/// announcing itself and its last look at the flag; otherwise both can miss each other and a wake-up is
/// lost. A full fence on both sides costs the raiser tens of nanoseconds per flag, on the latency path of
/// every small message. Here the frequent side (lightFence) is a compiler barrier only, and the rare
/// side (heavyFence, once per sleep) makes every running thread of the registered processes execute a
/// full barrier (Linux membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, about half a microsecond on this
/// machine). Where the system call is unavailable, lightFence is a full fence and heavyFence too.
#pragma once

#include <atomic>

namespace grove {

namespace detail {
/// Set once this process is registered for membarrier's global expedited command.
extern std::atomic<bool> asymmetricFences;
}  // namespace detail

/// A full fence of this thread. ThreadSanitizer does not model fences (GCC refuses them under
/// -fsanitize=thread): there, a sequentially consistent read-modify-write, a full barrier on the
/// machines grove builds for.
inline void fullFence() {
#if defined(__SANITIZE_THREAD__)
  static std::atomic<int> word{0};
  word.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

/// Registers the calling process so that heavyFence() in any process reaches its threads (once; safe to
/// call from several threads). Returns true when asymmetric fences are in use.
bool enableAsymmetricFences();

/// The frequent side: orders the thread's earlier stores before its later loads, paired with a
/// heavyFence() on the other side.
inline void lightFence() {
  if (detail::asymmetricFences.load(std::memory_order_relaxed))
    std::atomic_signal_fence(std::memory_order_seq_cst);
  else
    fullFence();
}

/// The rare side: a full fence in this thread and in every running thread of every registered process.
/// When the system call fails, only this thread's fence is executed: a raiser that relied on it may then
/// miss this sleeper, which is why sleepers also wake up on a timeout.
void heavyFence();

}  // namespace grove
