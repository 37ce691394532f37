/// @file solver.hpp
/// The throughput-optimal spanning-tree schedule solver (the ForestColl method): optimum, trees per
/// root, switch removal by edge splitting, arborescence packing, mapping back to physical paths.
#pragma once

#include <cstdint>

#include "arborescence_packing.hpp"
#include "edge_splitting.hpp"
#include "greedy_packing.hpp"
#include "schedule.hpp"
#include "solver_graph.hpp"
#include "solver_progress.hpp"

namespace grove::sched {

/// How the trees are packed once the tree rate is known. Both give the same algbw; they differ in speed.
enum class PackingMethod {
  kGreedyThenExact,  ///< greedy packing on the physical graph; the exact method if the greedy gets stuck
  kExactOnly,        ///< switch removal by edge splitting, then constructive arborescence packing
  kGreedyOnly,       ///< the greedy packing alone; SolverError if it gets stuck (for tests and experiments)
};

struct SolveOptions {
  Collective collective = Collective::kAllGather;
  std::int64_t treesPerRoot = 0;  ///< 0: the smallest k that reaches the optimum ("auto")
  PackingMethod packing = PackingMethod::kGreedyThenExact;
  SolverLimits limits;
  ProgressFn progress;
};

struct SolveResult {
  Schedule schedule;
  Fraction optimalAlgbw;   ///< GB/s, the cut bound (for allreduce: reduce-scatter + allgather bounds)
  Fraction scheduleAlgbw;  ///< GB/s, the schedule under the cost model
  Fraction treeRateAlgbw;  ///< GB/s, ranks * k * tree rate: what the tree capacities guarantee
  GreedyStats greedy;      ///< greedy.succeeded: the fast path made the trees (split and pack stay empty)
  SplitStats split;
  PackStats pack;
  double seconds = 0;
  /// Wall time of each phase: optimum, tree rate, switch removal, packing, path mapping, greedy packing.
  double phaseSeconds[6] = {0, 0, 0, 0, 0, 0};
};

/// Optimal algbw (GB/s) of `collective` on `topo`, exact. Throws SolverError / TopologyError.
Fraction optimalAlgbw(const Topology& topo, Collective collective, const SolverLimits& limits = {},
                      const ProgressFn& progress = {});

/// Computes a tree schedule. With treesPerRoot == 0 it reaches optimalAlgbw exactly (allgather and
/// reduce-scatter; allreduce too on topologies with symmetric links); with a fixed k it is the best
/// schedule with k trees per root. Throws SolverError / TopologyError.
SolveResult solveSchedule(const Topology& topo, const SolveOptions& options);

/// The topology with every link reversed (same nodes and ids).
Topology reversedTopology(const Topology& topo);

}  // namespace grove::sched
