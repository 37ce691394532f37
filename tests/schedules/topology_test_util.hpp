/// @file topology_test_util.hpp
/// Helpers shared by the topology_, dot_io_, generators_, validate_ and detect_ tests.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "schedules/topology.hpp"

namespace grove::sched::testing {

/// Directory of the DOT files copied from ../shared/topologies (found next to this header, so the tests
/// need no compile definition).
inline std::filesystem::path dataDir() { return std::filesystem::path(__FILE__).parent_path() / "data"; }

/// What a topology means, independent of declaration order and of how parallel links are split: node
/// name -> (kind, rank) and (src, dst) -> total bandwidth.
struct Semantics {
  std::map<std::string, std::tuple<NodeKind, int>> nodes;
  std::map<std::pair<std::string, std::string>, Rational> bandwidth;
  bool operator==(const Semantics&) const = default;
};

inline Semantics semantics(const Topology& topo) {
  Semantics s;
  for (const Node& n : topo.nodes()) s.nodes[n.name] = {n.kind, n.rank};
  for (const Link& l : topo.links())
    s.bandwidth[{topo.nodes()[l.src].name, topo.nodes()[l.dst].name}] += l.bw;
  return s;
}

/// Runs `f` and returns the TopologyError it throws; fails the test when it throws nothing.
template <class F>
TopologyError expectTopologyError(F f) {
  try {
    f();
  } catch (const TopologyError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a TopologyError";
  return TopologyError("none", -1);
}

}  // namespace grove::sched::testing
