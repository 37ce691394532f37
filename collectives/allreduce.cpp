// Allreduce over shared memory: a one-shot algorithm for small messages and a pipelined two-shot
// (reduce-scatter then all-gather) for large ones. docs/algorithms.md explains both and the thresholds.
#include <algorithm>
#include <cstring>
#include <vector>

#include "collectives/algorithms.hpp"
#include "collectives/datatype.hpp"
#include "collectives/reduce_kernels.hpp"
#include "collectives/two_shot.hpp"
#include "grove/env.hpp"
#include "grove/error.hpp"

namespace grove::coll {

void allReduce(Engine& e, const void* send, void* recv, std::size_t count, groveDataType_t type,
               groveRedOp_t op) {
  CallDesc d{CollKind::kAllReduce, type, op, count, -1, 0};
  if (emptyCall(e, d)) return;
  const std::uint64_t seq = e.beginCall();
  const std::size_t bytes = count * typeSize(type);
  if (e.nranks() == 1) {
    e.agree(seq, d);
    if (send != recv) std::memmove(recv, send, bytes);
    if (op == groveAvg) {
      const void* s[1] = {recv};
      reduce(ReduceArgs{recv, nullptr, s, 1, count, type, op, 1});
    }
    return;
  }
  // One-shot pays n reads per element but only one synchronization: it wins for small messages.
  const std::size_t oneShotLimit = std::min<std::size_t>(e.layout().smallBytes, 32 * 1024);
  const Algo algo = e.forcedAlgo();
  bool useOneShot = algo == Algo::kOneShot   ? bytes <= e.layout().smallBytes
                    : algo == Algo::kTwoShot ? false
                                             : bytes <= oneShotLimit;
  if (useOneShot)
    oneShotReduce(e, seq, d, send, recv, -1);
  else
    twoShotReduce(e, seq, d, send, recv, -1);
}

}  // namespace grove::coll
