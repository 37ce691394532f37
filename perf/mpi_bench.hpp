// What the small MPI-launched benchmarks (empty_calls, stream_calls) share: their "--calls N --rounds R"
// arguments and a grove communicator over MPI_COMM_WORLD.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "grove/grove.h"
#include "mpi_include.hpp"

namespace grove::perf {

/// MPI_COMM_WORLD's rank and size, and a grove communicator over the same ranks.
struct MpiBench {
  int rank = 0;
  int nranks = 1;
  groveComm_t comm = nullptr;
};

/// Reads "--calls N" and "--rounds R" (each optional) into `calls` and `rounds`.
inline void parseCallsAndRounds(int argc, char** argv, long& calls, int& rounds) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
  }
}

/// MPI_Init, then "--calls N" and "--rounds R" into `calls` and `rounds` (defaults kept when absent), then
/// a grove communicator: rank 0 makes the unique id, MPI broadcasts it, every rank joins. Aborts the MPI
/// job on failure (these are benchmarks, not library code).
inline MpiBench startBench(int* argc, char*** argv, long& calls, int& rounds) {
  MPI_Init(argc, argv);
  parseCallsAndRounds(*argc, *argv, calls, rounds);
  MpiBench b;
  MPI_Comm_rank(MPI_COMM_WORLD, &b.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &b.nranks);
  groveUniqueId id;
  if (b.rank == 0 && groveGetUniqueId(&id) != groveSuccess) MPI_Abort(MPI_COMM_WORLD, 1);
  MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
  if (groveCommInitRank(&b.comm, b.nranks, id, b.rank) != groveSuccess) {
    std::fprintf(stderr, "groveCommInitRank: %s\n", groveGetLastError(nullptr));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return b;
}

/// Seconds per call of `run(calls)` (which makes `calls` calls) on the slowest rank, as the perf binaries
/// report; a template, so the calls inside `run` are not made through a pointer.
template <class RunCalls>
double slowestSecondsPerCall(const RunCalls& run, long calls) {
  MPI_Barrier(MPI_COMM_WORLD);
  const auto t0 = std::chrono::steady_clock::now();
  run(calls);
  const auto t1 = std::chrono::steady_clock::now();
  double sec = std::chrono::duration<double>(t1 - t0).count() / static_cast<double>(calls);
  MPI_Allreduce(MPI_IN_PLACE, &sec, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return sec;
}

}  // namespace grove::perf
