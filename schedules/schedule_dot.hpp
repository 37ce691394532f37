/// @file schedule_dot.hpp
/// Draws a schedule's trees with Graphviz: one cluster per tree, edges labelled with the switches their
/// path passes.
#pragma once

#include <string>

#include "schedule.hpp"
#include "topology.hpp"

namespace grove::sched {

/// DOT text (digraph) for `dot -Tsvg`.
std::string writeScheduleDot(const Topology& topo, const Schedule& s);

}  // namespace grove::sched
