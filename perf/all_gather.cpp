// all_gather_perf: count is the per-rank send count; the size column is the gathered total.
#include "harness.hpp"

namespace grove::perf {
namespace {

Layout layout(size_t count, int n) {
  Layout l;
  size_t base = count / n;
  l.sendCount = l.paramCount = base;
  l.recvCount = base * n;
  l.sendInplaceOffset = base;  // in place, rank r's input already sits in block r of the output
  return l;
}

double busFactor(int n) { return static_cast<double>(n - 1) / n; }

std::vector<Block> expected(const Layout& l, int, int n, int) {
  std::vector<Block> blocks;
  for (int r = 0; r < n; ++r) blocks.push_back({r * l.paramCount, l.paramCount, false, r, 0});
  return blocks;
}

groveResult_t runGrove(const Env& e, Call& c) {
  return groveAllGather(c.send, c.recv, c.count, c.type, e.comm, e.stream);
}

void runMpi(const Env& e, Call& c) {
  int n = mpiCount(c.count);
  if (c.inPlace) {
    MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, c.recv, n, c.mpiType, e.mpi);
  } else {
    MPI_Allgather(c.send, n, c.mpiType, c.recv, n, c.mpiType, e.mpi);
  }
}

}  // namespace
}  // namespace grove::perf

int main(int argc, char** argv) {
  using namespace grove::perf;
  static const Collective kColl{"all_gather", false,    false,    false, layout,
                                busFactor,    expected, runGrove, runMpi};
  return run(kColl, argc, argv);
}
