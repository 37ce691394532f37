/// @file prefetch.hpp
/// Asking for a cache line ahead of a store.
///
/// A rank posts each call into lines its peers have read (its call-ring entry, last used kCallSlots
/// calls ago, or just polled): the first store to such a line must first take it from the peers' caches,
/// a round trip between cores (200-250 ns when the VM's two cores are far apart). Asked for a few calls
/// ahead, that round trip overlaps the calls in between instead of stalling the next locked instruction
/// (the call lock), which waits until every earlier store owns its line.
#pragma once

#include <cstddef>

namespace grove::coll {

/// Asks for the line at `p` in a state that lets this core write it (PREFETCHW on x86). GCC's
/// `__builtin_prefetch(p, 1)` emits a plain read prefetch (prefetcht0) unless the target has PRFCHW,
/// which the default x86-64 target does not; the instruction itself is a no-op on x86 cores without it.
inline void prefetchForWrite(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetchw %0" ::"m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1);
#endif
}

/// Asks for the line at `p` to read it soon (PREFETCHT0 on x86). An instruction of its own rather than
/// `__builtin_prefetch(p, 0)`, which GCC dropped from a loop after an inlined call in a scratch build.
inline void prefetchForRead(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" ::"m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 0);
#endif
}

/// prefetchForWrite() for every line of the `bytes` at `p` (64-byte lines).
inline void prefetchLinesForWrite(const void* p, std::size_t bytes) {
  for (std::size_t at = 0; at < bytes; at += 64) prefetchForWrite(static_cast<const char*>(p) + at);
}

/// prefetchForRead() for every line of the `bytes` at `p` (64-byte lines).
inline void prefetchLinesForRead(const void* p, std::size_t bytes) {
  for (std::size_t at = 0; at < bytes; at += 64) prefetchForRead(static_cast<const char*>(p) + at);
}

}  // namespace grove::coll
