// empty_calls: nanoseconds per collective call with count 0, grove against MPI, in one run. The perf
// binaries' "8 B" rows at 4 and 8 ranks are such calls for allgather, reduce-scatter and alltoall (8 B
// do not make one float per rank), and their table prints microseconds with two decimals: too coarse for
// calls that take a few nanoseconds. Rounds alternate grove and MPI; the best round of each is printed.
// The default round (200 000 calls) stays within what grove's call ring lets a rank run ahead of the
// others (512 posted runs of 1024 calls), as the perf binaries' loops do.
// Usage: mpirun -np N empty_calls [--calls 200000] [--rounds 5]; exits 1 when a call failed.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "grove/grove.h"
#include "mpi_bench.hpp"

namespace {

template <class Call>
double nanosPerCall(const Call& call, long calls) {
  return 1e9 * grove::perf::slowestSecondsPerCall(
                   [&](long n) {
                     for (long i = 0; i < n; ++i) call();
                   },
                   calls);
}

}  // namespace

int main(int argc, char** argv) {
  long calls = 200000;
  int rounds = 5;
  const grove::perf::MpiBench bench = grove::perf::startBench(&argc, &argv, calls, rounds);
  const int rank = bench.rank, nranks = bench.nranks;
  groveComm_t comm = bench.comm;
  float x[1] = {0};
  int failures = 0, wrong = 0;
  auto check = [&](groveResult_t r) { failures += r != groveSuccess; };
  if (rank == 0) std::printf("# %d ranks, %ld calls per round, best of %d rounds\n", nranks, calls, rounds);
  if (rank == 0) std::printf("# %-16s %10s %10s %8s\n", "collective", "grove ns", "MPI ns", "ratio");
  // Lambdas, not std::function: an indirect call would add the same nanoseconds to both sides.
  auto row = [&](const char* name, const auto& groveCall, const auto& mpiCall) {
    double bestGrove = 1e30, bestMpi = 1e30;
    for (int r = 0; r < rounds; ++r) {
      bestGrove = std::min(bestGrove, nanosPerCall(groveCall, calls));
      bestMpi = std::min(bestMpi, nanosPerCall(mpiCall, calls));
    }
    // A call that posts (and so checks grove's runs of calls with count 0); any error shows here.
    int ok = groveAllReduce(x, x, 1, groveFloat32, groveSum, comm, nullptr) == groveSuccess && failures == 0;
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    wrong += !ok;
    if (rank == 0)
      std::printf("  %-16s %10.2f %10.2f %8.2f%s\n", name, bestGrove, bestMpi, bestGrove / bestMpi,
                  ok ? "" : "  #wrong: a call failed");
  };
  row(
      "allgather", [&] { check(groveAllGather(x, x, 0, groveFloat32, comm, nullptr)); },
      [&] { MPI_Allgather(x, 0, MPI_FLOAT, x, 0, MPI_FLOAT, MPI_COMM_WORLD); });
  row(
      "reduce_scatter", [&] { check(groveReduceScatter(x, x, 0, groveFloat32, groveSum, comm, nullptr)); },
      [&] { MPI_Reduce_scatter_block(x, x, 0, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); });
  row(
      "alltoall", [&] { check(groveAllToAll(x, x, 0, groveFloat32, comm, nullptr)); },
      [&] { MPI_Alltoall(x, 0, MPI_FLOAT, x, 0, MPI_FLOAT, MPI_COMM_WORLD); });
  groveCommDestroy(comm);
  MPI_Finalize();
  return wrong ? 1 : 0;
}
