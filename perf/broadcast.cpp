// broadcast_perf: the root's count elements reach every rank.
#include "harness.hpp"

#include <cstring>

#include "datatypes.hpp"

namespace grove::perf {
namespace {

Layout layout(size_t count, int) {
  Layout l;
  l.sendCount = l.recvCount = l.paramCount = count;
  return l;
}

double busFactor(int) { return 1.0; }

std::vector<Block> expected(const Layout& l, int, int, int root) {
  return {{0, l.recvCount, false, root, 0}};
}

groveResult_t runGrove(const Env& e, Call& c) {
  return groveBroadcast(c.send, c.recv, c.count, c.type, c.root, e.comm, e.stream);
}

void runMpi(const Env& e, Call& c) {
  // MPI_Bcast has a single buffer: out of place, the root pays the copy into its receive buffer, as
  // an out-of-place broadcast in grove must.
  if (!c.inPlace && e.rank == c.root) std::memcpy(c.recv, c.send, c.count * typeSize(c.type));
  MPI_Bcast(c.recv, mpiCount(c.count), c.mpiType, c.root, e.mpi);
}

}  // namespace
}  // namespace grove::perf

int main(int argc, char** argv) {
  using namespace grove::perf;
  static const Collective kColl{"broadcast", false,    true,     true,  layout,
                                busFactor,   expected, runGrove, runMpi};
  return run(kColl, argc, argv);
}
