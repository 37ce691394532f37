// The small path of the exchanges where block q of every rank's input goes to rank q (all-to-all,
// reduce-scatter): a rank posts only the blocks its peers read, and tiny ones inside its header line.
#include <cstring>

#include "collectives/algorithms.hpp"

namespace grove::coll {
namespace {

// True when the n - 1 blocks peers read fit the header line together (the same on every rank).
bool packedInline(const Engine& e, std::size_t bytes) {
  return static_cast<std::size_t>(e.nranks() - 1) * bytes <= Engine::kInlineBytes;
}

}  // namespace

void postPeerBlocks(Engine& e, std::uint64_t seq, const CallDesc& d, const char* in, std::size_t bytes) {
  const int n = e.nranks(), me = e.rank();
  if (packedInline(e, bytes)) {
    // Packed in rank order without this rank's own block: peer r's block is at index r - (r > me).
    unsigned char packed[Engine::kInlineBytes];
    std::size_t at = 0;
    for (int q = 0; q < n; ++q)
      if (q != me) {
        std::memcpy(packed + at, in + q * bytes, bytes);
        at += bytes;
      }
    return e.post(seq, d, packed, at);
  }
  // At their places in the input: for 2 ranks, half the lines of copying everything.
  char* room = e.myRoom(seq, bytes * n);
  for (int q = 0; q < n && bytes; ++q)
    if (q != me) std::memcpy(room + q * bytes, in + q * bytes, bytes);
  e.post(seq, d);
}

const char* peerBlockOf(const Engine& e, int r, std::uint64_t seq, std::size_t bytes) {
  const int me = e.rank();
  if (packedInline(e, bytes))
    return reinterpret_cast<const char*>(e.headerOf(r, seq)->inlineData) + (me - (me > r ? 1 : 0)) * bytes;
  return e.roomOf(r, seq, bytes * e.nranks()) + me * bytes;
}

}  // namespace grove::coll
