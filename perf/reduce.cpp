// reduce_perf: the reduction of all ranks' count elements lands on the root only.
#include "harness.hpp"

namespace grove::perf {
namespace {

Layout layout(size_t count, int) {
  Layout l;
  l.sendCount = l.recvCount = l.paramCount = count;
  return l;
}

double busFactor(int) { return 1.0; }

std::vector<Block> expected(const Layout& l, int rank, int, int root) {
  if (rank != root) return {};  // other ranks' receive buffers are unspecified
  return {{0, l.recvCount, true, 0, 0}};
}

groveResult_t runGrove(const Env& e, Call& c) {
  return groveReduce(c.send, c.recv, c.count, c.type, c.op, c.root, e.comm, e.stream);
}

void runMpi(const Env& e, Call& c) {
  // MPI allows MPI_IN_PLACE only at the root; other ranks pass their (shared) buffer as the input.
  const void* send = c.inPlace && e.rank == c.root ? MPI_IN_PLACE : c.send;
  MPI_Reduce(send, c.recv, mpiCount(c.count), c.mpiType, c.mpiOp, c.root, e.mpi);
}

}  // namespace
}  // namespace grove::perf

int main(int argc, char** argv) {
  using namespace grove::perf;
  static const Collective kColl{"reduce", true, true, false, layout, busFactor, expected, runGrove, runMpi};
  return run(kColl, argc, argv);
}
