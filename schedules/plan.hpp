/// @file plan.hpp
/// The grove-plan/1 JSON format (what the executor runs) and its writer. The format is described in
/// docs/schedules.md; DESIGN.md §6 fixes its core fields.
#pragma once

#include <string>

#include "schedule.hpp"
#include "topology.hpp"

namespace grove::sched {

/// Extra facts written into the plan (informational; the checker recomputes what it verifies).
struct PlanInfo {
  std::string optimalAlgbw;   ///< exact fraction text, or empty
  std::string scheduleAlgbw;  ///< exact fraction text, or empty
};

/// Serializes a schedule as grove-plan/1 JSON (pretty-printed, names instead of ids).
std::string writePlanJson(const Topology& topo, const Schedule& s, const PlanInfo& info = {});

}  // namespace grove::sched
