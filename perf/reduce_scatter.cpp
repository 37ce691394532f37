// reduce_scatter_perf: count is the per-rank receive count; the size column is the reduced total.
#include "harness.hpp"

namespace grove::perf {
namespace {

Layout layout(size_t count, int n) {
  Layout l;
  size_t base = count / n;
  l.sendCount = base * n;
  l.recvCount = l.paramCount = base;
  l.recvInplaceOffset = base;  // in place, rank r's result is block r of its input
  return l;
}

double busFactor(int n) { return static_cast<double>(n - 1) / n; }

std::vector<Block> expected(const Layout& l, int rank, int, int) {
  return {{0, l.recvCount, true, 0, rank * l.recvCount}};
}

groveResult_t runGrove(const Env& e, Call& c) {
  return groveReduceScatter(c.send, c.recv, c.count, c.type, c.op, e.comm, e.stream);
}

void runMpi(const Env& e, Call& c) {
  if (c.inPlace) {
    // MPI's in-place form takes the whole input in recvbuf and leaves the result at its start.
    void* whole = const_cast<void*>(c.send);
    MPI_Reduce_scatter_block(MPI_IN_PLACE, whole, mpiCount(c.count), c.mpiType, c.mpiOp, e.mpi);
    c.result = whole;
  } else {
    MPI_Reduce_scatter_block(c.send, c.recv, mpiCount(c.count), c.mpiType, c.mpiOp, e.mpi);
  }
}

}  // namespace
}  // namespace grove::perf

int main(int argc, char** argv) {
  using namespace grove::perf;
  static const Collective kColl{"reduce_scatter", true,     false,    false, layout,
                                busFactor,        expected, runGrove, runMpi};
  return run(kColl, argc, argv);
}
