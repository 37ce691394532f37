/// @file fence.hpp
/// Asymmetric fences, for hand-shakes where one side runs all the time and the other rarely.
///
/// A signaller stores a flag and then reads whether anyone sleeps; a sleeper announces itself and then
/// reads the flag once more before sleeping. Each side needs a full fence between its store and its
/// load, or both can miss the other (a lost wake-up). With the kernel's membarrier, the signaller's
/// fence shrinks to a compiler barrier and the sleeper pays instead: its heavyFence() makes every core
/// that runs a thread of a registered process execute a full fence. A full fence after a store to a
/// line a peer reads waits for that line's ownership, a cross-core round trip on every signal; the
/// sleeper's system call happens only when it is about to sleep anyway.
///
/// Both sides must use the asymmetric pair, so every process taking part must have registered:
/// asymmetricFencesAvailable() registers this process, and callers agree across processes before
/// relying on it (grove's Engine gathers every rank's answer).
#pragma once

#include <atomic>

namespace grove {

/// Registers this process for expedited global memory barriers (once; later calls return the first
/// answer). False when the kernel lacks them, or under ThreadSanitizer, which does not model them.
bool asymmetricFencesAvailable();

/// The frequent side of an asymmetric pair: orders this thread's earlier stores before its later loads
/// against a heavyFence() in any registered process. Only stops the compiler from reordering.
inline void lightFence() { std::atomic_signal_fence(std::memory_order_seq_cst); }

/// The rare side: returns once every core running a thread of a registered process has executed a full
/// fence. Throws Error(groveSystemError) when the kernel refuses (only after a successful registration,
/// which makes that unexpected).
void heavyFence();

}  // namespace grove
