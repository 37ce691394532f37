// The shared perf harness: every *_perf binary is a Collective description plus run(desc, argc, argv).
// The harness owns option parsing, buffers, timing, checking and the nccl-tests-style table.
#pragma once

#include <cstddef>
#include <vector>

#include <grove/grove.h>

#include "check.hpp"
#include "mpi_include.hpp"

namespace grove::perf {

enum class Backend { kGrove, kMpi };

/// What one collective call needs besides its buffers.
struct Env {
  Backend backend;
  int rank;
  int nranks;
  groveComm_t comm;      // null with -B mpi
  groveStream_t stream;  // null with -z 1
  MPI_Comm mpi;
};

/// One call. count is the collective's own count argument (nccl-tests' "paramcount").
struct Call {
  const void* send;
  void* recv;
  size_t count;
  groveDataType_t type;
  groveRedOp_t op;
  int root;
  bool inPlace;
  MPI_Datatype mpiType;  // valid with -B mpi
  MPI_Op mpiOp;          // valid with -B mpi for reducing collectives
  /// Where the result lands; run functions may move it (MPI's in-place reduce-scatter writes the
  /// result at the start of the buffer, NCCL's at block `rank`).
  void* result;
};

/// Element counts of one size, as nccl-tests defines them: sendCount/recvCount are the buffer extents,
/// paramCount the count argument; in place, send = recvbuf + sendInplaceOffset*rank and
/// recv = recvbuf + recvInplaceOffset*rank.
struct Layout {
  size_t sendCount = 0;
  size_t recvCount = 0;
  size_t paramCount = 0;
  size_t sendInplaceOffset = 0;
  size_t recvInplaceOffset = 0;
};

struct Collective {
  const char* name;  // "all_reduce": the binary is name + "_perf"
  bool hasOp;        // reduces: -o applies and the redop column is filled
  bool hasRoot;      // -r applies and the root column is filled
  /// Only the root's input matters (broadcast): other ranks' in-place buffers start as sentinels.
  bool rootOnlyInput;
  /// Layout for `count` elements of total size (size / typesize) on nranks.
  Layout (*layout)(size_t count, int nranks);
  /// busbw = algbw * busFactor(nranks).
  double (*busFactor)(int nranks);
  /// What rank `rank` must hold after the call, relative to Call::result.
  std::vector<Block> (*expected)(const Layout& l, int rank, int nranks, int root);
  groveResult_t (*runGrove)(const Env& env, Call& call);
  /// MPI failures abort through MPI's default error handler.
  void (*runMpi)(const Env& env, Call& call);
};

/// Entry point of every perf binary. Returns the process exit code.
int run(const Collective& coll, int argc, char** argv);

/// Converts a size_t count to MPI's int, aborting the job when it does not fit.
int mpiCount(size_t count);

}  // namespace grove::perf
