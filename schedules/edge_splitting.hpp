/// @file edge_splitting.hpp
/// Removes switch nodes by directed edge splitting: pairs u->w->t through a switch w become direct
/// logical arcs u->t while every rank keeps receiving ranks*k units from a super-source that gives k
/// to each rank. Each logical arc remembers the physical paths (and amounts) it stands for.
#pragma once

#include <cstdint>
#include <vector>

#include "solver_graph.hpp"
#include "solver_progress.hpp"

namespace grove::sched {

/// A physical path (node ids, first and last are ranks or the ends of a partial path) carrying
/// `amount` tree units.
struct PathPiece {
  std::vector<int> path;
  std::int64_t amount = 0;
};

/// A switch-free arc between two ranks with its tree capacity and the physical paths behind it.
struct LogicalArc {
  int src = 0;
  int dst = 0;
  std::int64_t cap = 0;
  std::vector<PathPiece> pieces;  ///< amounts add up to cap
};

struct SplitStats {
  std::int64_t maxflows = 0;
  std::int64_t splits = 0;
  std::int64_t droppedUnits = 0;  ///< capacity left at switches that had nowhere to go (floored k)
};

/// Splits every switch off. `treeCaps[i]` is the tree capacity of g.arcs[i]; `k` the trees per root.
/// Returns the logical arcs among ranks (node ids as in the topology). Throws SolverError when a
/// switch cannot be split completely without losing connectivity (only possible for non-Eulerian
/// switches).
std::vector<LogicalArc> splitOffSwitches(const ScaledGraph& g, const std::vector<std::int64_t>& treeCaps,
                                         std::int64_t k, SplitStats* stats = nullptr,
                                         const ProgressFn& progress = {});

}  // namespace grove::sched
