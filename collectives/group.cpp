#include "collectives/group.hpp"

#include <memory>
#include <vector>

#include "collectives/comm_state.hpp"

namespace grove::coll {
namespace {

struct Batch {
  std::shared_ptr<CommState> state;
  groveStream_t stream;
  std::vector<P2POp> ops;
};

thread_local int groupDepth = 0;
thread_local std::vector<Batch> pending;

groveResult_t launch(Batch batch) {
  auto ops = std::make_shared<std::vector<P2POp>>(std::move(batch.ops));
  return runOn(batch.state, batch.stream, [ops](Engine& e) { sendRecvGroup(e, *ops); });
}

}  // namespace

groveResult_t groupStart() {
  ++groupDepth;
  return groveSuccess;
}

groveResult_t groupEnd() {
  if (groupDepth == 0) return failNoComm(groveInvalidUsage, "groveGroupEnd without groveGroupStart");
  if (--groupDepth > 0) return groveSuccess;
  std::vector<Batch> batches;
  batches.swap(pending);
  groveResult_t first = groveSuccess;
  for (Batch& b : batches) {
    groveResult_t r = launch(std::move(b));
    if (r != groveSuccess && first == groveSuccess) first = r;
  }
  return first;
}

groveResult_t enqueueP2P(groveComm_t comm, groveStream_t stream, const P2POp& op) {
  if (groupDepth == 0) return launch(Batch{comm->state, stream, {op}});
  for (Batch& b : pending) {
    if (b.state == comm->state) {
      b.ops.push_back(op);
      return groveSuccess;
    }
  }
  pending.push_back(Batch{comm->state, stream, {op}});
  return groveSuccess;
}

}  // namespace grove::coll
