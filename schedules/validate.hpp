/// @file validate.hpp
/// Checks that a topology is something the schedule solver can work on, with messages a user can act on.
#pragma once

#include "schedules/topology.hpp"

namespace grove::sched {

/// Throws TopologyError (without a line: the model is already built) when `topo`
/// - has no compute node (rank), or ranks that are not exactly 0..N-1;
/// - has a link whose bandwidth is not positive;
/// - has a switch whose total in-bandwidth differs from its total out-bandwidth: the solver removes
///   switches by edge splitting, which needs every switch to forward exactly what it receives
///   (an Eulerian switch); the message names the switch and both sums;
/// - has two ranks where one cannot reach the other along the links; the message names the pair.
/// Returns normally for a valid topology.
void validateTopology(const Topology& topo);

}  // namespace grove::sched
