/// @file baselines.hpp
/// Classic schedules expressed as trees on the same topology, so that the cost model and the checker
/// compare them with the solver's: a ring (one chain per root) and a double binary tree (two heap-shaped
/// binary trees per root, each carrying half of the shard). Logical hops are routed along a path with the
/// fewest links that passes only through switches; a hop with no such route hangs the rank under the
/// first already-reached rank that has one (so rail-separated boxes still get valid trees).
#pragma once

#include "schedule.hpp"
#include "topology.hpp"

namespace grove::sched {

/// Ring in rank order: root r's chunk travels r -> r+1 -> ... -> r-1. Throws TopologyError when a rank
/// cannot be reached through switches at all.
Schedule ringSchedule(const Topology& topo, Collective collective);

/// Two binary trees per root over the ranks in rank order starting at the root, one walking up and one
/// walking down the rank order, each with share 1/2.
Schedule doubleBinaryTreeSchedule(const Topology& topo, Collective collective);

}  // namespace grove::sched
