/// @file group.hpp
/// groveGroupStart/End: sends and receives issued inside a group are collected per communicator and
/// run together at groveGroupEnd. Outside a group, a send or receive is a group of one.
#pragma once

#include "collectives/algorithms.hpp"
#include "grove/grove.h"

namespace grove::coll {

groveResult_t groupStart();
groveResult_t groupEnd();
/// Runs `op` now (no group open) or adds it to the open group.
groveResult_t enqueueP2P(groveComm_t comm, groveStream_t stream, const P2POp& op);

}  // namespace grove::coll
