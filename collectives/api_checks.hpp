/// @file api_checks.hpp
/// The argument checks of the C API's calls, and the short path of calls with count 0.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "collectives/comm_state.hpp"
#include "collectives/datatype.hpp"
#include "grove/grove.h"

namespace grove::coll {

// The checks every call makes. The common case is inlined into each entry point; the messages are built
// out of line, by functions that check again and name the first problem: a function that can build
// strings saves six registers and sets up a 200-byte frame even when it builds none (together 15-20 %
// of a one-rank 8 B send/recv group, whose calls check twice each).

[[gnu::cold, gnu::noinline]] inline groveResult_t badCall(groveComm_t comm, const char* what,
                                                          std::size_t count, groveDataType_t type,
                                                          const void* a, const void* b, std::size_t elemsA,
                                                          std::size_t elemsB) {
  if (comm == nullptr || !comm->state)
    return failNoComm(groveInvalidArgument, std::string(what) + ": comm is NULL");
  CommState& s = *comm->state;
  if (!grove::coll::validType(type))
    return s.fail(groveInvalidArgument, std::string(what) + ": unknown datatype " + std::to_string(type));
  std::size_t total = 0;
  const std::size_t ranks = static_cast<std::size_t>(std::max(1, s.engine->nranks()));
  if (__builtin_mul_overflow(count, grove::coll::typeSize(type) * ranks, &total))
    return s.fail(groveInvalidArgument,
                  std::string(what) + ": count " + std::to_string(count) + " overflows");
  if (elemsA > 0 && a == nullptr)
    return s.fail(groveInvalidArgument, std::string(what) + ": send buffer is NULL with count > 0");
  if (elemsB > 0 && b == nullptr)
    return s.fail(groveInvalidArgument, std::string(what) + ": receive buffer is NULL with count > 0");
  return groveSuccess;
}

// Returns groveSuccess or the (recorded) problem.
inline groveResult_t checkCall(groveComm_t comm, const char* what, std::size_t count, groveDataType_t type,
                               const void* a, const void* b, std::size_t elemsA, std::size_t elemsB) {
  // A multiplication that overflows, not a division: two 64-bit divisions were a tenth of a small call.
  std::size_t total = 0;
  if (comm != nullptr && comm->state && grove::coll::validType(type) &&
      !__builtin_mul_overflow(
          count,
          grove::coll::typeSize(type) * static_cast<std::size_t>(std::max(1, comm->state->engine->nranks())),
          &total) &&
      (elemsA == 0 || a != nullptr) && (elemsB == 0 || b != nullptr)) [[likely]]
    return groveSuccess;
  return badCall(comm, what, count, type, a, b, elemsA, elemsB);
}

[[gnu::cold, gnu::noinline]] inline groveResult_t badOp(groveComm_t comm, const char* what, groveRedOp_t op) {
  return comm->state->fail(groveInvalidArgument,
                           std::string(what) + ": unknown reduction op " + std::to_string(op));
}

inline groveResult_t checkOp(groveComm_t comm, const char* what, groveRedOp_t op) {
  if (grove::coll::validOp(op)) [[likely]]
    return groveSuccess;
  return badOp(comm, what, op);
}

[[gnu::cold, gnu::noinline]] inline groveResult_t badRank(groveComm_t comm, const char* what,
                                                          const char* role, int r) {
  return comm->state->fail(groveInvalidArgument, std::string(what) + ": " + role + " " + std::to_string(r) +
                                                     " is out of range [0, " +
                                                     std::to_string(comm->state->engine->nranks()) + ")");
}

inline groveResult_t checkRank(groveComm_t comm, const char* what, const char* role, int r) {
  if (r >= 0 && r < comm->state->engine->nranks()) [[likely]]
    return groveSuccess;
  return badRank(comm, what, role, r);
}

#define GROVE_CHECK(expr)              \
  do {                                 \
    groveResult_t r_ = (expr);         \
    if (r_ != groveSuccess) return r_; \
  } while (0)

/// A call with count 0 whose arguments are valid, on the short path (runEmpty); false when it must take
/// the general path, which checks the arguments again and names what is wrong. For count 0 only the
/// communicator, the type, the op and a root can be wrong: no size to overflow, no buffer read. Checked
/// first, before the checks of calls that move data, so that the entry point needs no frame for it.
inline bool emptyCall(groveComm_t comm, groveStream_t stream, const CallDesc& d, bool rooted,
                      groveResult_t& result) {
  if (comm == nullptr || !comm->state || !validType(d.type) || !validOp(d.op)) return false;
  if (rooted && (d.root < 0 || d.root >= comm->state->engine->nranks())) return false;
  return runEmpty(*comm->state, stream, d, result);
}

}  // namespace grove::coll
