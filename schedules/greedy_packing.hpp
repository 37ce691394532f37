/// @file greedy_packing.hpp
/// The solver's fast path: packs k spanning out-trees per rank directly on the physical graph (switches
/// included) by greedy growth with capacity accounting, without any max-flow. Each logical tree edge is a
/// path rank -> switches... -> rank and takes one tree unit on every link of the path. When every tree
/// spans all ranks within the tree capacities, the packing reaches the tree rate the capacities were
/// derived from (the proven optimum, or the best rate for a fixed k), so it is as good as the exact
/// packing. When the greedy gets stuck it reports failure and the caller falls back to the exact method.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "schedule.hpp"
#include "solver_graph.hpp"
#include "solver_progress.hpp"

namespace grove::sched {

/// What the greedy packer did.
struct GreedyStats {
  bool attempted = false;
  bool succeeded = false;
  std::int64_t treesBuilt = 0;    ///< trees completed (all of them on success)
  std::int64_t searches = 0;      ///< path searches (one per attached rank, plus re-searches)
  std::int64_t rescans = 0;       ///< full re-searches from every reached rank when a tree ran dry
  int stuckRoot = -1;             ///< node id of the root whose tree could not be completed, or -1
  std::int64_t stuckReached = 0;  ///< ranks that tree had reached
};

/// Tries to pack `k` trees per rank into `g` where arc i may carry `treeCaps[i]` tree units. Trees grow
/// one at a time (unit j of every root before unit j + 1), Prim-style: the next edge is the candidate path
/// from a reached rank to an unreached one with, in order, the largest static tree capacity on its
/// narrowest link, the shallowest tail, the largest residual capacity on its narrowest link and the
/// fewest hops. Returns the trees (share 1/k each, identical trees of one root merged) or nullopt when
/// some tree cannot be completed. Never returns an over-subscribed packing.
std::optional<std::vector<ScheduleTree>> greedyPackTrees(const ScaledGraph& g,
                                                         const std::vector<std::int64_t>& treeCaps,
                                                         std::int64_t k, GreedyStats* stats = nullptr,
                                                         const ProgressFn& progress = {});

}  // namespace grove::sched
