/// @file solver_progress.hpp
/// Progress reports from long solver phases. The solver calls the hook; the front end decides whether
/// to print (grove-schedule prints only once a solve has run longer than 2 s).
#pragma once

#include <functional>
#include <string>

namespace grove::sched {

/// Called with a phase name and the fraction of that phase done (0..1). May be empty.
using ProgressFn = std::function<void(const std::string& phase, double fraction)>;

}  // namespace grove::sched
