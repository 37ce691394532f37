/// @file schedule.hpp
/// A tree schedule: for every root, trees that each carry a share of the root's shard along physical
/// paths; plus the cost model (per-link load against bandwidth) that turns it into algbw.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exact_fraction.hpp"
#include "topology.hpp"

namespace grove::sched {

enum class Collective { kAllGather, kReduceScatter, kAllReduce };

/// "allgather", "reduce-scatter", "allreduce".
std::string collectiveName(Collective c);
/// Parses the names above (also "reducescatter", "reduce_scatter"); throws std::invalid_argument.
Collective parseCollective(const std::string& name);

/// One logical tree edge: data moves from `from` to `to` (node ids) along `path` (node ids, from ... to,
/// switches in between). Reduce-scatter runs it backwards: `to` sends to `from` along the reversed path.
struct TreeEdge {
  int from = 0;
  int to = 0;
  std::vector<int> path;
};

/// An out-tree from `root` spanning every rank, carrying `share` of the root's shard. Edges are ordered
/// parent before child.
struct ScheduleTree {
  int root = 0;
  Fraction share;
  std::vector<TreeEdge> edges;
};

struct Schedule {
  Collective collective = Collective::kAllGather;
  std::string algorithm = "forestcoll";  ///< "forestcoll", "ring" or "double-binary-tree"
  std::vector<int> ranks;                ///< node ids in rank order
  std::int64_t treesPerRoot = 1;
  std::vector<ScheduleTree> trees;
};

/// Algbw (GB/s, M / T, M the allgather output or allreduce buffer size) of a schedule under the
/// bandwidth cost model: every tree moves share * M / N bytes over each link of each of its paths, links
/// run concurrently, T is the most loaded link's load / bandwidth. Reduce-scatter loads the reversed
/// links; allreduce is reduce-scatter followed by allgather (T = T_rs + T_ag). Throws TopologyError when
/// a path uses a link the topology lacks.
Fraction scheduleAlgbw(const Topology& topo, const Schedule& s);

}  // namespace grove::sched
