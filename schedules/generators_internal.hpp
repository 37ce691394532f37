/// @file generators_internal.hpp
/// Builders behind generateTopology(), one per kind; options are already range-checked.
#pragma once

#include <string>
#include <string_view>

#include "schedules/generators.hpp"

namespace grove::sched::gen {

/// Joins text and integers into a node name. Appending piecewise (rather than `"r" + to_string(i)`)
/// also sidesteps a false -Wrestrict error of GCC 12 under -O3.
inline void appendPart(std::string& s, std::string_view part) { s.append(part); }
inline void appendPart(std::string& s, long long n) { s.append(std::to_string(n)); }
inline void appendPart(std::string& s, int n) { s.append(std::to_string(n)); }
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::string s;
  (appendPart(s, parts), ...);
  return s;
}

/// dgx-a100: 8 GPUs per box on an NVSwitch; with several boxes one NIC per GPU and two IB switches.
Topology dgxA100(const GeneratorOptions& opt);
/// dgx-h100: 8 GPUs per box on an NVSwitch; with several boxes one NIC per GPU on rail leaf switches.
Topology dgxH100(const GeneratorOptions& opt);
/// mi250: 16 GCDs per box joined directly by xGMI; with several boxes every GCD reaches one IB switch.
Topology mi250(const GeneratorOptions& opt);
/// ring: `size` nodes, each linked to the next.
Topology ring(const GeneratorOptions& opt);
/// torus2d: rows x cols nodes with wraparound links in both dimensions.
Topology torus2d(const GeneratorOptions& opt);
/// fat-tree: two levels, hosts under leaves, every leaf linked to every spine.
Topology fatTree(const GeneratorOptions& opt);

}  // namespace grove::sched::gen
