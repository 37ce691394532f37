/// @file generators.hpp
/// Synthetic topologies of well-known machines and fabrics, for `grove-topo generate` and tests.
/// Every kind, its node names and its parameters are described in docs/topologies.md.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "schedules/topology.hpp"

namespace grove::sched {

/// Parameters of generateTopology(); each kind reads only the ones it needs.
struct GeneratorOptions {
  int boxes = 1;         ///< dgx-a100, dgx-h100, mi250: number of boxes (servers), 1..1024.
  int size = 8;          ///< ring: number of nodes, 1..65536.
  int rows = 4;          ///< torus2d: rows, 1..1024.
  int cols = 4;          ///< torus2d: columns, 1..1024.
  int leaves = 4;        ///< fat-tree: leaf switches, 1..1024.
  int spines = 2;        ///< fat-tree: spine switches joined to every leaf, 1..1024 (0 allowed with 1 leaf).
  int hostsPerLeaf = 4;  ///< fat-tree: hosts (ranks) under each leaf, 1..1024.
  /// fat-tree: ratio of a leaf's host-facing to spine-facing bandwidth; > 0 (1 = non-blocking).
  Rational oversubscription{1};
  /// Main link bandwidth in GB/s per direction; 0 takes the kind's default. It sets the NVSwitch port of
  /// dgx-* (300 / 450), one xGMI link of mi250 (50), every link of ring and torus2d (100) and the
  /// host-leaf links of fat-tree (100). NIC and IB bandwidths of the machine kinds are fixed.
  Rational bw{0};
};

/// Builds a topology of the given kind ("dgx-a100", "dgx-h100", "mi250", "ring", "torus2d", "fat-tree")
/// with dense ranks. Throws TopologyError for an unknown kind (listing the known ones) or a parameter out
/// of range (naming it).
Topology generateTopology(const std::string& kind, const GeneratorOptions& opt);

/// The kinds generateTopology() understands, in the order the documentation presents them.
std::vector<std::string> generatorKinds();

/// Number of xGMI links between GCD i and GCD j inside one MI250 box (8 MI250X packages, 16 GCDs).
/// Symmetric with a zero diagonal; each link carries 50 GB/s per direction.
const std::array<std::array<int, 16>, 16>& mi250XgmiLinks();

}  // namespace grove::sched
