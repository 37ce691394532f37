/// @file two_shot.hpp
/// Reduction algorithms shared by allreduce (root = -1: everyone gets the result) and reduce (root).
#pragma once

#include "collectives/engine.hpp"

namespace grove::coll {

/// One-shot: inputs go through the call slots (must fit layout().smallBytes); one synchronization.
void oneShotReduce(Engine& e, std::uint64_t seq, const CallDesc& d, const void* send, void* recv, int root);
/// Two-shot, pipelined through the staging and result rings; any size.
void twoShotReduce(Engine& e, std::uint64_t seq, const CallDesc& d, const void* send, void* recv, int root);

}  // namespace grove::coll
