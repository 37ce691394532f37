#include "collectives/copy_kernels.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace grove::coll {
namespace {

#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
__attribute__((target("avx2"))) void streamAvx2(char* dst, const char* src, std::size_t bytes) {
  std::size_t i = 0;
  for (; i + 128 <= bytes; i += 128) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i + 32));
    __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i + 64));
    __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i + 96));
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i), a);
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i + 32), b);
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i + 64), c);
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i + 96), d);
  }
  _mm_sfence();
  std::memcpy(dst + i, src + i, bytes - i);
}
#endif

}  // namespace

void streamCopy(void* dst, const void* src, std::size_t bytes) {
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  // Streaming stores need 32-byte aligned destinations: copy the head normally.
  std::size_t head = (32 - (reinterpret_cast<std::uintptr_t>(d) & 31)) & 31;
  if (avx2 && bytes >= 4096) {
    std::memcpy(d, s, head);
    streamAvx2(d + head, s + head, bytes - head);
    return;
  }
#endif
  std::memcpy(dst, src, bytes);
}

bool useStreamingStores(std::size_t bytes) {
  static const int forced = [] {
    const char* v = std::getenv("GROVE_STREAM_STORES");
    return v && *v ? std::atoi(v) : -1;
  }();
  if (forced >= 0) return forced != 0;
  return bytes >= (32u << 20);
}

}  // namespace grove::coll
