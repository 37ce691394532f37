/// @file cases.hpp
/// One checked call of each collective: prepare the inputs of this rank, call, wait, compare the output
/// with the reference, and check that nothing outside the destination was written (guard bytes; the
/// send buffer of an out-of-place call; recvbuff on non-root ranks of reduce). Shared by the matrices,
/// the memory tests (groveMemAlloc buffers) and the large-message tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "data.hpp"
#include "grove/grove.h"
#include "harness.hpp"

namespace grove::test {

/// The rank's view of the communicator under test.
struct Ctx {
  int rank;
  int nranks;
  groveComm_t comm;
  groveStream_t stream;  ///< used by cases whose variant asks for a stream
  Checker& check;
};

struct CaseSpec {
  groveDataType_t type = groveFloat32;
  groveRedOp_t op = groveSum;  ///< reductions only
  size_t count = 0;            ///< count (allreduce, reduce, broadcast), per-rank count otherwise
  Variant variant{false, false};
  uint64_t seed = 1;
  int root = 0;  ///< broadcast, reduce
  MemKind mem = MemKind::kHeap;
  /// Kind of the receive buffer when it differs from `mem` (out-of-place only).
  std::optional<MemKind> recvMem{};
  data::Pattern pattern = data::Pattern::kExact;
  /// Bytes added to the 64-byte alignment of the send and receive buffers (different values on different
  /// ranks give buffers with no common alignment).
  size_t sendMisalign = 0, recvMisalign = 0;
  /// Register every buffer with groveCommRegister before the call and deregister after.
  bool registerBuffers = false;
};

/// Each returns false when the call itself failed (the caller should stop: the communicator may be
/// unusable); wrong results are recorded in ctx.check and return true.
bool runAllReduce(const Ctx& ctx, const CaseSpec& c);
bool runReduceScatter(const Ctx& ctx, const CaseSpec& c);
bool runReduce(const Ctx& ctx, const CaseSpec& c);
bool runAllGather(const Ctx& ctx, const CaseSpec& c);
bool runBroadcast(const Ctx& ctx, const CaseSpec& c);
/// In place when sendbuff == recvbuff (docs/c-api.md).
bool runAllToAll(const Ctx& ctx, const CaseSpec& c);

/// "allreduce float32 sum count=7 in-place, stream root=0"-style description.
std::string describeCase(const char* collective, const CaseSpec& c);

}  // namespace grove::test
