/// @file detect.hpp
/// Describes the local machine as a topology through hwloc, for shared-memory runs with one rank per
/// core. The model and the bandwidth figures (with their sources) are documented in docs/topologies.md.
#pragma once

#include "schedules/topology.hpp"

namespace grove::sched {

/// Choices for detectLocalTopology().
struct DetectOptions {
  /// Add a switch node per network interface hwloc reports, linked to the memory it is local to. They
  /// are dead ends for intra-machine collectives but show where traffic would leave the machine.
  bool includeNics = true;
};

/// Bandwidths used by detection, in GB/s per direction (see docs/topologies.md for their sources).
struct DetectBandwidths {
  Rational core{18};    ///< One core streaming to or from a shared cache or memory.
  Rational memory{36};  ///< A NUMA node's memory (shared caches reach memory at min(cores x core, this)).
  Rational interSocket{20};   ///< Between NUMA nodes through the socket interconnect.
  Rational nicDefault{5, 4};  ///< A NIC whose speed the kernel does not report (10 Gb/s Ethernet).
};

/// One compute node per core (ranked in hwloc's logical order: core0, core1, ...), one switch per cache
/// shared by two or more cores (l3_0, ...), one per NUMA node (numa0, ...), an `interconnect` switch when
/// there are several NUMA nodes and, if asked, one switch per network interface (nic_eth0, ...). All links
/// are symmetric, so the result passes validateTopology(). Throws TopologyError if hwloc fails.
Topology detectLocalTopology(const DetectOptions& options = {});

/// The figures detectLocalTopology() uses.
DetectBandwidths detectBandwidths();

}  // namespace grove::sched
