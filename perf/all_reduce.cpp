// all_reduce_perf: every rank ends with the reduction of all ranks' count elements.
#include "harness.hpp"

namespace grove::perf {
namespace {

Layout layout(size_t count, int) {
  Layout l;
  l.sendCount = l.recvCount = l.paramCount = count;
  return l;
}

double busFactor(int n) { return 2.0 * (n - 1) / n; }

std::vector<Block> expected(const Layout& l, int, int, int) { return {{0, l.recvCount, true, 0, 0}}; }

groveResult_t runGrove(const Env& e, Call& c) {
  return groveAllReduce(c.send, c.recv, c.count, c.type, c.op, e.comm, e.stream);
}

void runMpi(const Env& e, Call& c) {
  MPI_Allreduce(c.inPlace ? MPI_IN_PLACE : c.send, c.recv, mpiCount(c.count), c.mpiType, c.mpiOp, e.mpi);
}

}  // namespace
}  // namespace grove::perf

int main(int argc, char** argv) {
  using namespace grove::perf;
  static const Collective kColl{"all_reduce", true,     false,    false, layout,
                                busFactor,    expected, runGrove, runMpi};
  return run(kColl, argc, argv);
}
