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
  // One-shot as far as the small rooms go (allreduce stops at 32 KiB): only the root reads every input,
  // and at 64 KiB it took half the two-shot's time at 2, 4 and 8 ranks (docs/algorithms.md, "Reduce").
  if (e.nranks() == 1 || bytes <= e.layout().smallBytes)
    oneShotReduce(e, seq, d, send, recv, root);
  else
    twoShotReduce(e, seq, d, send, recv, root);
}

}  // namespace grove::coll
