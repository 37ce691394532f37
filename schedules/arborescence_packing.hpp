/// @file arborescence_packing.hpp
/// Packs k spanning out-trees per rank into a switch-free multigraph with integer arc capacities
/// (Edmonds' branching theorem, built constructively: trees grow one arc at a time, and a max-flow
/// decides how many of a group of identical trees may take the arc without making the remaining
/// trees impossible).
#pragma once

#include <cstdint>
#include <vector>

#include "edge_splitting.hpp"
#include "solver_progress.hpp"

namespace grove::sched {

/// `count` identical trees rooted at `root`; `arcs` are indices into the logical arc list, in an order
/// where each arc's tail is already reached (parent before child).
struct TreeGroup {
  int root = 0;  ///< node id
  std::int64_t count = 0;
  std::vector<int> arcs;
};

struct PackStats {
  std::int64_t maxflows = 0;
  std::int64_t groups = 0;
};

/// Packs `k` trees per rank into `arcs` (capacities are not modified). Throws SolverError if the
/// capacities do not admit them. The counts of the groups of one root add up to k.
std::vector<TreeGroup> packArborescences(const std::vector<LogicalArc>& arcs, const std::vector<int>& ranks,
                                         int nodes, std::int64_t k, PackStats* stats = nullptr,
                                         const ProgressFn& progress = {});

}  // namespace grove::sched
