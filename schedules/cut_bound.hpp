/// @file cut_bound.hpp
/// The throughput optimum x* = min over vertex sets S (>= 1 rank inside, >= 1 outside) of
/// B+(S) / |S ∩ ranks|, and the tree rate for k trees per root, all in exact integer arithmetic.
#pragma once

#include <cstdint>
#include <vector>

#include "solver_graph.hpp"
#include "solver_progress.hpp"

namespace grove::sched {

/// A non-negative fraction num/den of scaled bandwidth units, kept reduced.
struct Ratio {
  std::int64_t num = 0;
  std::int64_t den = 1;
};

/// x* per rank in scaled units (optimal allgather algbw = ranks * x* / scale GB/s).
/// Found by a cut-improvement iteration: one max-flow per rank from a super-source, each failing
/// flow yields a violated cut whose own ratio becomes the next candidate (exact, no search tolerance).
Ratio optimalRate(const ScaledGraph& g, const ProgressFn& progress = {});

/// Trees per root and the rate of one tree: tree capacity of arc e is floor(cap_e * rateDen / rateNum).
struct TreeRate {
  std::int64_t treesPerRoot = 1;
  std::int64_t rateNum = 1;  ///< one tree carries rateNum / rateDen scaled units per unit time
  std::int64_t rateDen = 1;
  /// How many trees arc capacity `cap` can host.
  std::int64_t treeCapacity(std::int64_t cap) const { return mulDivFloor(cap, rateDen, rateNum); }
};

/// The smallest k for which every tree capacity is an integer at the optimum x*; rate = x* / k.
TreeRate autoTreeRate(const ScaledGraph& g, Ratio xstar, const SolverLimits& limits = {});
/// The best rate with exactly k trees per root (capacities floored); optimal among k-tree schedules.
TreeRate fixedTreeRate(const ScaledGraph& g, Ratio xstar, std::int64_t k, const ProgressFn& progress = {});

/// True iff k trees per root fit the tree capacities (every rank receives ranks*k units from a
/// super-source that gives k to each rank). Used by the solver's own assertions and tests.
bool treesFit(const ScaledGraph& g, const TreeRate& rate);

}  // namespace grove::sched
