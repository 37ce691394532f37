/// @file msccl_xml.hpp
/// Exports a tree schedule as an MSCCL / RCCL XML algorithm ("TACCL-EF" schema: algo / gpu / tb / step).
/// Mapping: each root's shard is cut into C chunks (C = lcm of the share denominators) and a tree owns
/// its share's consecutive chunks; one thread block per (tree, rank, role) with a single step; a chain
/// of receive-and-forward blocks along a tree path shares one channel, and every directed rank pair
/// gives each of its transfers its own channel. Details in docs/schedules.md.
#pragma once

#include <string>
#include <vector>

#include "schedule.hpp"
#include "topology.hpp"

namespace grove::sched {

struct MscclXml {
  std::string xml;
  int channels = 0;
  int maxThreadBlocksPerGpu = 0;
  std::vector<std::string> warnings;  ///< limits of the MSCCL runtime that this algorithm exceeds
};

/// Builds the XML; `name` goes into the algo element. The schedule's paths are not needed: MSCCL
/// addresses peers by rank and the fabric routes between them.
MscclXml writeMscclXml(const Topology& topo, const Schedule& s, const std::string& name);

}  // namespace grove::sched
