/// @file copy_kernels.hpp
/// Copies for the large-message paths.
#pragma once

#include <cstddef>
#include <cstring>

namespace grove::coll {

/// memcpy with non-temporal stores (where the CPU has them): the destination is not read first and not
/// kept in cache. Worth it for outputs larger than the caches, which the caller will not read soon;
/// falls back to memcpy for small or unaligned-tail parts.
void streamCopy(void* dst, const void* src, std::size_t bytes);

/// True when large outputs should be written with streamCopy (GROVE_STREAM_STORES=0/1 overrides the
/// automatic choice, which streams messages of `bytes` at least 32 MiB).
bool useStreamingStores(std::size_t bytes);
/// Copies one block of a zero-copy collective's output. `allOutputsBytes` is what every rank writes in
/// the call together: once that exceeds the last-level cache, the outputs will not stay cached anyway
/// and streaming stores save the read of each destination line (useStreamingStores decides).
inline void copyOut(void* dst, const void* src, std::size_t bytes, std::size_t allOutputsBytes) {
  if (useStreamingStores(allOutputsBytes))
    streamCopy(dst, src, bytes);
  else
    std::memcpy(dst, src, bytes);
}

/// Copies the caller's own block into its output (out of place) like copyOut; ranges that overlap without
/// coinciding (which the API does not define, but must not corrupt) are moved with memmove. glibc's memcpy
/// of 64 MiB ran at 10-11 GB/s here, streamCopy at 16-18 GB/s.
inline void copyOwnBlock(void* dst, const void* src, std::size_t bytes, std::size_t allOutputsBytes) {
  auto* d = static_cast<char*>(dst);
  const auto* s = static_cast<const char*>(src);
  if (d == s || bytes == 0) return;
  if (d < s + bytes && s < d + bytes)
    std::memmove(d, s, bytes);
  else
    copyOut(d, s, bytes, allOutputsBytes);
}

}  // namespace grove::coll
