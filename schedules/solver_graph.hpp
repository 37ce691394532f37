/// @file solver_graph.hpp
/// The topology as the solver sees it: parallel links merged, bandwidths scaled to exact integers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "topology.hpp"

namespace grove::sched {

/// One merged directed arc with an integer capacity (a scaled bandwidth or a count of tree units).
struct Arc {
  int src = 0;
  int dst = 0;
  std::int64_t cap = 0;
};

/// Hard limits; passing one gives a clear SolverError instead of an endless run or an overflow.
struct SolverLimits {
  int maxNodes = 20000;
  int maxArcs = 400000;
  std::int64_t maxTreesPerRoot = 100000;
  std::int64_t maxTotalTrees = 1 << 20;  ///< ranks * trees per root
};

/// Raised when the solver cannot produce a schedule (limits, invalid models, internal check failures).
class SolverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The topology with bandwidths scaled to integers: real bandwidth (GB/s) = cap / scale.
struct ScaledGraph {
  int nodes = 0;
  std::vector<Arc> arcs;        ///< merged, cap = bandwidth * scale (exact)
  std::vector<int> ranks;       ///< node id of each rank, in rank order
  std::vector<char> isCompute;  ///< per node id
  std::int64_t scale = 1;       ///< integer bandwidth units per GB/s
  int rankCount() const { return static_cast<int>(ranks.size()); }
};

/// Merges parallel links and scales all bandwidths to integers exactly; throws SolverError when the
/// scaled values would overflow or a limit is passed.
ScaledGraph scaleTopology(const Topology& topo, const SolverLimits& limits = {});

/// a * b / c rounded down, with a 128-bit intermediate; throws SolverError if the result overflows int64.
std::int64_t mulDivFloor(std::int64_t a, std::int64_t b, std::int64_t c);
/// a * b, throwing SolverError on int64 overflow.
std::int64_t checkedMul(std::int64_t a, std::int64_t b);

}  // namespace grove::sched
