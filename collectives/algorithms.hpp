/// @file algorithms.hpp
/// Entry points of the collective algorithms. Each runs on the calling thread with the engine's call lock
/// held (runNow takes it) and throws grove::Error; arguments are already validated by the C API layer.
#pragma once

#include <cstddef>
#include <vector>

#include "collectives/engine.hpp"

namespace grove::coll {

void allReduce(Engine& e, const void* send, void* recv, std::size_t count, groveDataType_t type,
               groveRedOp_t op);

}  // namespace grove::coll

namespace grove::coll {

void allGather(Engine& e, const void* send, void* recv, std::size_t sendcount, groveDataType_t type);
void reduceScatter(Engine& e, const void* send, void* recv, std::size_t recvcount, groveDataType_t type,
                   groveRedOp_t op);
void broadcast(Engine& e, const void* send, void* recv, std::size_t count, groveDataType_t type, int root);
void reduceToRoot(Engine& e, const void* send, void* recv, std::size_t count, groveDataType_t type,
                  groveRedOp_t op, int root);
void allToAll(Engine& e, const void* send, void* recv, std::size_t count, groveDataType_t type);
void allToAllv(Engine& e, const void* send, const std::size_t* sendcounts, const std::size_t* sdispls,
               void* recv, const std::size_t* recvcounts, const std::size_t* rdispls, groveDataType_t type);

/// True when a broadcast or reduce of `bytes` runs as an eager call (collectives/eager.cpp).
inline bool eagerCall(const Engine& e, std::size_t bytes) {
  return e.nranks() > 1 && bytes <= e.eagerBytes();
}
/// A collective with nothing to move (count 0) only joins this rank's run of such calls (Engine::foldEmpty),
/// posted with the next call that posts; ranks that disagree about it are told as for an eager call
/// (docs/algorithms.md, "Calls with nothing to move"). True when `d` was handled so. Off with eager calls
/// (GROVE_EAGER_BYTES=0): every rank then waits for all, as for other calls.
inline bool emptyCall(Engine& e, const CallDesc& d) {
  if (d.count != 0 || !e.keepsEmptyRuns()) return false;
  e.foldEmpty(d);
  return true;
}
/// Eager broadcast and reduce; `seq` comes from beginCall(true).
void eagerBroadcast(Engine& e, std::uint64_t seq, const CallDesc& d, const void* send, void* recv);
void eagerReduce(Engine& e, std::uint64_t seq, const CallDesc& d, const void* send, void* recv);
/// True when a broadcast (or a reduce) of `bytes` to/from `root` would now run as an eager call to its
/// end without waiting for any peer: a root that sends, or a receiver whose data is posted already
/// (caller holds the call lock; Engine::eagerRunsNow).
inline bool eagerBroadcastRunsNow(Engine& e, std::size_t bytes, int root) {
  return bytes > 0 && eagerCall(e, bytes) && e.eagerRunsNow(e.rank() == root ? Engine::kNoPeer : root);
}
inline bool eagerReduceRunsNow(Engine& e, std::size_t bytes, int root) {
  return bytes > 0 && eagerCall(e, bytes) &&
         e.eagerRunsNow(e.rank() == root ? Engine::kEveryPeer : Engine::kNoPeer);
}

/// One point-to-point operation of a group.
struct P2POp {
  bool isSend = false;
  int peer = -1;
  void* buf = nullptr;  ///< Source for sends, destination for receives.
  std::size_t count = 0;
  groveDataType_t type = groveInt8;
};
/// Runs sends and receives together, in any order, without deadlock.
void sendRecvGroup(Engine& e, const P2POp* ops, std::size_t n);
/// Sends `send` at once when it can complete without waiting for anything: an eager message of one
/// mailbox chunk to another rank, with a free slot now. Returns false, having done nothing, otherwise.
bool trySendNow(Engine& e, const P2POp& send) noexcept;
/// Completes the receive `recv` alone when its message is, or within the spin becomes, a matching eager
/// message of one chunk. Returns false, having changed nothing, otherwise (the group runner takes it).
bool tryRecvNow(Engine& e, const P2POp& recv) noexcept;

}  // namespace grove::coll
