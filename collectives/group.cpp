#include "collectives/group.hpp"

#include <memory>
#include <vector>

#include "collectives/comm_state.hpp"

namespace grove::coll {
namespace {

// The operations one open group collected for one communicator.
struct Batch {
  std::shared_ptr<CommState> state;
  groveStream_t stream = nullptr;
  std::vector<P2POp> ops;
};

// Batches are reused from group to group (only `used` of them are live), so that a group of a few
// operations on the NULL stream allocates nothing once warmed up: small messages are latency-bound.
thread_local int groupDepth = 0;
thread_local std::vector<Batch> pending;
thread_local std::size_t used = 0;

groveResult_t launch(const std::shared_ptr<CommState>& state, groveStream_t stream, const P2POp* ops,
                     std::size_t n) {
  if (stream == nullptr) return runOn(state, nullptr, [ops, n](Engine& e) { sendRecvGroup(e, ops, n); });
  // Queued work outlives this call: it owns a copy of the operations.
  return runOn(state, stream, [copy = std::vector<P2POp>(ops, ops + n)](Engine& e) {
    sendRecvGroup(e, copy.data(), copy.size());
  });
}

}  // namespace

groveResult_t groupStart() {
  ++groupDepth;
  return groveSuccess;
}

groveResult_t groupEnd() {
  if (groupDepth == 0) return failNoComm(groveInvalidUsage, "groveGroupEnd without groveGroupStart");
  if (--groupDepth > 0) return groveSuccess;
  groveResult_t first = groveSuccess;
  for (std::size_t i = 0; i < used; ++i) {
    Batch& b = pending[i];
    const groveResult_t r = launch(b.state, b.stream, b.ops.data(), b.ops.size());
    if (r != groveSuccess && first == groveSuccess) first = r;
  }
  for (std::size_t i = 0; i < used; ++i) {
    pending[i].state.reset();  // do not keep a destroyed communicator alive
    pending[i].ops.clear();    // keeps the capacity
  }
  used = 0;
  return first;
}

groveResult_t enqueueP2P(groveComm_t comm, groveStream_t stream, const P2POp& op) {
  if (groupDepth == 0) return launch(comm->state, stream, &op, 1);
  for (std::size_t i = 0; i < used; ++i) {
    if (pending[i].state == comm->state) {
      pending[i].ops.push_back(op);
      return groveSuccess;
    }
  }
  if (used == pending.size()) pending.emplace_back();
  Batch& b = pending[used++];
  b.state = comm->state;
  b.stream = stream;
  b.ops.push_back(op);
  return groveSuccess;
}

}  // namespace grove::coll
