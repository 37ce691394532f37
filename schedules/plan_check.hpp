/// @file plan_check.hpp
/// Independent verification of a grove-plan/1 file against a topology. It shares no code with the
/// solver (only the topology model and the exact fraction type): it re-reads names, rebuilds every tree,
/// and recomputes the per-link load itself.
#pragma once

#include <string>
#include <vector>

#include "exact_fraction.hpp"
#include "topology.hpp"

namespace grove::sched {

struct PlanCheckResult {
  bool ok = false;
  std::vector<std::string> violations;  ///< empty when ok
  std::string collective;
  int ranks = 0;
  int trees = 0;
  Fraction algbw;  ///< GB/s under the bandwidth cost model (valid when ok)
};

/// Checks: format tag; ranks equal the topology's compute nodes in rank order; every tree's root is a
/// rank, its edges are listed parent before child, each rank but the root gets exactly one parent, the
/// tree spans every rank; each path starts and ends at the edge's ranks, passes only switches and
/// follows links of the topology (reversed links for reduce-scatter, both for allreduce); every rank is
/// a root and its shares add up to exactly 1; per-link load vs bandwidth gives the algbw, which must not
/// be below the plan's own claim. Never throws for bad plans (reports violations instead).
PlanCheckResult checkPlan(const std::string& planJson, const Topology& topo);

}  // namespace grove::sched
