/// @file copy_kernels.hpp
/// Copies for the large-message paths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace grove::coll {

/// Largest copy copySmall handles.
constexpr std::size_t kSmallCopyBytes = 40;

namespace detail {
/// Copies n bytes, W <= n <= 2W, as the first W and the last W (which overlap); loads before stores.
template <std::size_t W>
inline void copyEnds(unsigned char* d, const unsigned char* s, std::size_t n) {
  unsigned char first[W], last[W];
  __builtin_memcpy(first, s, W);
  __builtin_memcpy(last, s + n - W, W);
  __builtin_memcpy(d, first, W);
  __builtin_memcpy(d + n - W, last, W);
}
}  // namespace detail

/// Copies up to kSmallCopyBytes with a few overlapping word moves, every load before any store (so the
/// ranges may overlap, as with memmove). For the data that rides in header lines: the library call,
/// through the PLT and its size dispatch, was a tenth of a 2-rank 8 B exchange's instructions.
inline void copySmall(void* dst, const void* src, std::size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  if (n > 32) {  // the two 16-byte ends leave up to 8 bytes at 16
    unsigned char middle[8];
    __builtin_memcpy(middle, s + 16, 8);
    detail::copyEnds<16>(d, s, n);
    __builtin_memcpy(d + 16, middle, 8);
  } else if (n > 16) {
    detail::copyEnds<16>(d, s, n);
  } else if (n >= 8) {
    detail::copyEnds<8>(d, s, n);
  } else if (n >= 4) {
    detail::copyEnds<4>(d, s, n);
  } else if (n > 0) {  // 1-3 bytes: first, middle and last cover them all
    const unsigned char a = s[0], b = s[n / 2], c = s[n - 1];
    d[0] = a;
    d[n / 2] = b;
    d[n - 1] = c;
  }
}

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
