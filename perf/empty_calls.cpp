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
#include <cstdlib>
#include <cstring>

#include "grove/grove.h"
#include "mpi_include.hpp"

namespace {

template <class Call>
double nanosPerCall(const Call& call, long calls) {
  MPI_Barrier(MPI_COMM_WORLD);
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < calls; ++i) call();
  const auto t1 = std::chrono::steady_clock::now();
  double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(calls);
  // The slowest rank's time, as the perf binaries report.
  MPI_Allreduce(MPI_IN_PLACE, &ns, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return ns;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  long calls = 200000;
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
  }
  int rank = 0, nranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  groveUniqueId id;
  if (rank == 0 && groveGetUniqueId(&id) != groveSuccess) MPI_Abort(MPI_COMM_WORLD, 1);
  MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
  groveComm_t comm = nullptr;
  if (groveCommInitRank(&comm, nranks, id, rank) != groveSuccess) {
    std::fprintf(stderr, "groveCommInitRank: %s\n", groveGetLastError(nullptr));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
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
