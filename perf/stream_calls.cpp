// stream_calls: microseconds per small allreduce (2 floats) when it is queued on a grove stream, against
// the same call on the NULL stream and against MPI_Allreduce, in one run. Two ways of using a stream
// differ a lot in cost: queuing many calls and synchronizing once (the perf binaries' `-z 0`), and a
// call followed by groveStreamSynchronize each time (what a trainer does when it waits for every
// result). Rounds alternate the four; the best round of each is printed. Every call's result is
// checked; a wrong sum or a failed call prints #wrong and makes the exit status 1.
// Usage: mpirun -np N stream_calls [--calls 20000] [--rounds 5]
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "grove/grove.h"
#include "mpi_bench.hpp"

namespace {

template <class Calls>
double microsPerCall(const Calls& runCalls, long calls) {
  return 1e6 * grove::perf::slowestSecondsPerCall(runCalls, calls);
}

}  // namespace

int main(int argc, char** argv) {
  long calls = 20000;
  int rounds = 5;
  const grove::perf::MpiBench bench = grove::perf::startBench(&argc, &argv, calls, rounds);
  const int rank = bench.rank, nranks = bench.nranks;
  groveComm_t comm = bench.comm;
  groveStream_t stream = nullptr;
  if (groveStreamCreate(&stream) != groveSuccess) {
    std::fprintf(stderr, "stream_calls: groveStreamCreate: %s\n", groveGetLastError(nullptr));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  // Each rank contributes rank + 1: every result must be n(n+1)/2 in both elements.
  const float mine[2] = {static_cast<float>(rank + 1), static_cast<float>(rank + 1)};
  const float want = static_cast<float>(nranks * (nranks + 1) / 2);
  float out[2] = {0, 0};
  long bad = 0;
  auto check = [&](groveResult_t r) { bad += r != groveSuccess; };
  auto checkOut = [&] {
    bad += out[0] != want || out[1] != want;
    out[0] = out[1] = 0;
  };
  const char* names[4] = {"NULL stream", "stream, sync each", "stream, sync once", "MPI_Allreduce"};
  auto nullStream = [&](long n) {
    for (long i = 0; i < n; ++i) {
      check(groveAllReduce(mine, out, 2, groveFloat32, groveSum, comm, nullptr));
      checkOut();
    }
  };
  auto syncEach = [&](long n) {
    for (long i = 0; i < n; ++i) {
      check(groveAllReduce(mine, out, 2, groveFloat32, groveSum, comm, stream));
      check(groveStreamSynchronize(stream));
      checkOut();
    }
  };
  auto syncOnce = [&](long n) {
    for (long i = 0; i < n; ++i) check(groveAllReduce(mine, out, 2, groveFloat32, groveSum, comm, stream));
    check(groveStreamSynchronize(stream));
    checkOut();  // the last call's result (they all write the same buffer)
  };
  auto mpi = [&](long n) {
    for (long i = 0; i < n; ++i) {
      MPI_Allreduce(mine, out, 2, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      checkOut();
    }
  };
  double best[4] = {1e30, 1e30, 1e30, 1e30};
  for (int r = 0; r < rounds; ++r) {
    best[0] = std::min(best[0], microsPerCall(nullStream, calls));
    best[1] = std::min(best[1], microsPerCall(syncEach, calls));
    best[2] = std::min(best[2], microsPerCall(syncOnce, calls));
    best[3] = std::min(best[3], microsPerCall(mpi, calls));
  }
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) {
    std::printf("# %d ranks, allreduce of 2 floats, %ld calls per round, best of %d rounds\n", nranks, calls,
                rounds);
    std::printf("# %-20s %10s %10s\n", "how", "us/call", "vs MPI");
    for (int k = 0; k < 4; ++k) std::printf("  %-20s %10.3f %10.2f\n", names[k], best[k], best[k] / best[3]);
    if (bad) std::printf("#wrong: %ld failed calls or wrong sums\n", bad);
  }
  groveStreamDestroy(stream);
  groveCommDestroy(comm);
  MPI_Finalize();
  return bad ? 1 : 0;
}
