/// @file peer_blocks.hpp
/// The small path of the exchanges where block q of every rank's input goes to rank q (all-to-all,
/// reduce-scatter): a rank posts only the blocks its peers read, and tiny ones inside its header line.
#pragma once

#include <cstring>

#include "collectives/engine.hpp"

namespace grove::coll {

/// True when the n - 1 blocks of `bytes` that peers read fit the header line together (the same on
/// every rank).
inline bool peerBlocksInline(const Engine& e, std::size_t bytes) {
  return static_cast<std::size_t>(e.nranks() - 1) * bytes <= Engine::kInlineBytes;
}

/// Posts call `seq` with the blocks of `bytes` that peers read from `in` (not this rank's own): inside
/// the header line, packed in rank order, when they fit (peer r's block at index r - (r > me)); else in
/// the room at their places in the input (for 2 ranks, half the lines of copying everything).
inline void postPeerBlocks(Engine& e, std::uint64_t seq, const CallDesc& d, const char* in,
                           std::size_t bytes) {
  const int n = e.nranks(), me = e.rank();
  if (peerBlocksInline(e, bytes)) {
    if (n == 2) return e.post(seq, d, in + (1 - me) * bytes, bytes);  // one block: no packing
    unsigned char packed[Engine::kInlineBytes];
    std::size_t at = 0;
    for (int q = 0; q < n; ++q)
      if (q != me) {
        std::memcpy(packed + at, in + q * bytes, bytes);
        at += bytes;
      }
    return e.post(seq, d, packed, at);
  }
  char* room = e.myRoom(seq, bytes * n);
  for (int q = 0; q < n && bytes; ++q)
    if (q != me) std::memcpy(room + q * bytes, in + q * bytes, bytes);
  e.post(seq, d);
}

/// waitAll() for a call posted with postPeerBlocks(): asks for the lines of this rank's blocks in the
/// peers' rooms while it waits.
inline void waitPeerBlocks(Engine& e, std::uint64_t seq, const CallDesc& d, std::size_t bytes) {
  e.waitAllReading(seq, d, bytes * e.nranks(), e.rank() * bytes, peerBlocksInline(e, bytes) ? 0 : bytes);
}

/// After waitPeerBlocks(): where rank r's block for this rank lies.
inline const char* peerBlockOf(const Engine& e, int r, std::uint64_t seq, std::size_t bytes) {
  const int me = e.rank();
  if (peerBlocksInline(e, bytes))
    return reinterpret_cast<const char*>(e.headerOf(r, seq)->inlineData) + (me > r ? me - 1 : me) * bytes;
  return e.roomOf(r, seq, bytes * e.nranks()) + me * bytes;
}

}  // namespace grove::coll
