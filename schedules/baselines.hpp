/// @file baselines.hpp
/// Classic schedules expressed as trees on the same topology, so that the cost model and the checker
/// compare them with the solver's: a ring (one chain per root) and a double binary tree (two heap-shaped
/// binary trees per root, each carrying half of the shard). Logical hops are routed along a path with the
/// fewest links that passes only through switches.
#pragma once

#include "schedule.hpp"
#include "topology.hpp"

namespace grove::sched {

/// Ring in rank order: root r's chunk travels r -> r+1 -> ... -> r-1. Throws TopologyError when a hop
/// has no switch-only route.
Schedule ringSchedule(const Topology& topo, Collective collective);

/// Two binary trees per root over the ranks in rank order starting at the root, one walking up and one
/// walking down the rank order, each with share 1/2.
Schedule doubleBinaryTreeSchedule(const Topology& topo, Collective collective);

}  // namespace grove::sched
