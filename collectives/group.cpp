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

// A thread's open group. Batches are reused from group to group (only `used` of them are live), so that
// a group of a few operations on the NULL stream allocates nothing once warmed up: small messages are
// latency-bound. One thread-local object, not three: each thread-local of a shared library costs a
// call to find it.
struct OpenGroup {
  int depth = 0;
  std::vector<Batch> pending;
  std::size_t used = 0;
};
thread_local OpenGroup group;

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
  ++group.depth;
  return groveSuccess;
}

groveResult_t groupEnd() {
  OpenGroup& g = group;
  if (g.depth == 0) return failNoComm(groveInvalidUsage, "groveGroupEnd without groveGroupStart");
  if (--g.depth > 0) return groveSuccess;
  groveResult_t first = groveSuccess;
  for (std::size_t i = 0; i < g.used; ++i) {
    Batch& b = g.pending[i];
    const groveResult_t r = launch(b.state, b.stream, b.ops.data(), b.ops.size());
    if (r != groveSuccess && first == groveSuccess) first = r;
  }
  for (std::size_t i = 0; i < g.used; ++i) {
    g.pending[i].state.reset();  // do not keep a destroyed communicator alive
    g.pending[i].ops.clear();    // keeps the capacity
  }
  g.used = 0;
  return first;
}

groveResult_t enqueueP2P(groveComm_t comm, groveStream_t stream, const P2POp& op) {
  OpenGroup& g = group;
  if (g.depth == 0) return launch(comm->state, stream, &op, 1);
  for (std::size_t i = 0; i < g.used; ++i) {
    if (g.pending[i].state == comm->state) {
      g.pending[i].ops.push_back(op);
      return groveSuccess;
    }
  }
  if (g.used == g.pending.size()) g.pending.emplace_back();
  Batch& b = g.pending[g.used++];
  b.state = comm->state;
  b.stream = stream;
  b.ops.push_back(op);
  return groveSuccess;
}

}  // namespace grove::coll
