// alltoall_perf: count is the per-peer block; block j of rank i's input becomes block i of rank j's output.
#include "harness.hpp"

namespace grove::perf {
namespace {

Layout layout(size_t count, int n) {
  Layout l;
  l.paramCount = count / n;
  l.sendCount = l.recvCount = l.paramCount * n;
  return l;
}

double busFactor(int n) { return static_cast<double>(n - 1) / n; }

std::vector<Block> expected(const Layout& l, int rank, int n, int) {
  std::vector<Block> blocks;
  for (int r = 0; r < n; ++r)
    blocks.push_back({r * l.paramCount, l.paramCount, false, r, rank * l.paramCount});
  return blocks;
}

groveResult_t runGrove(const Env& e, Call& c) {
  return groveAllToAll(c.send, c.recv, c.count, c.type, e.comm, e.stream);
}

void runMpi(const Env& e, Call& c) {
  int n = mpiCount(c.count);
  if (c.inPlace) {
    MPI_Alltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, c.recv, n, c.mpiType, e.mpi);
  } else {
    MPI_Alltoall(c.send, n, c.mpiType, c.recv, n, c.mpiType, e.mpi);
  }
}

}  // namespace
}  // namespace grove::perf

int main(int argc, char** argv) {
  using namespace grove::perf;
  static const Collective kColl{"alltoall", false,    false,    false, layout,
                                busFactor,  expected, runGrove, runMpi};
  return run(kColl, argc, argv);
}
