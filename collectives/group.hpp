/// @file group.hpp
/// groveGroupStart/End: sends and receives issued inside a group are collected per communicator and
/// run together at groveGroupEnd. Outside a group, a send or receive is a group of one.
#pragma once

#include "collectives/algorithms.hpp"
#include "grove/grove.h"

namespace grove::coll {

groveResult_t groupStart();
groveResult_t groupEnd();
/// Adds a send or receive to the thread's open group, or runs it at once outside a group. The operation
/// comes as scalars and is built where it is stored: a struct built by the caller and copied here stalled
/// on store forwarding (its fields are written one by one and read back as wider words).
groveResult_t enqueueP2P(groveComm_t comm, groveStream_t stream, bool isSend, int peer, void* buf,
                         std::size_t count, groveDataType_t type);
/// Called by groveCommDestroy/Abort before the handle goes: operations of the calling thread's open group
/// on `comm` keep its state alive and still run at groveGroupEnd.
void keepForOpenGroup(groveComm_t comm);

}  // namespace grove::coll
