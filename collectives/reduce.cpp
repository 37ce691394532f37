// Reduce to a root: the allreduce algorithms with the gather step only at the root.
#include <algorithm>
#include <cstring>

#include "collectives/algorithms.hpp"
#include "collectives/datatype.hpp"
#include "collectives/two_shot.hpp"

namespace grove::coll {

void reduceToRoot(Engine& e, const void* send, void* recv, std::size_t count, groveDataType_t type,
                  groveRedOp_t op, int root) {
  const CallDesc d{CollKind::kReduce, type, op, count, root, 0};
  if (emptyCall(e, d)) return;
  const std::size_t bytes = count * typeSize(type);
  if (eagerCall(e, bytes)) return eagerReduce(e, e.beginCall(true), d, send, recv);
  const std::uint64_t seq = e.beginCall();
  if (e.nranks() == 1 || bytes <= std::min<std::size_t>(e.layout().smallBytes, 32 * 1024))
    oneShotReduce(e, seq, d, send, recv, root);
  else
    twoShotReduce(e, seq, d, send, recv, root);
}

}  // namespace grove::coll
