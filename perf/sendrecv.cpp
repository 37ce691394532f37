// sendrecv_perf: a ring shift; each rank sends count elements to rank+1 and receives from rank-1.
#include "harness.hpp"

namespace grove::perf {
namespace {

Layout layout(size_t count, int) {
  Layout l;
  l.sendCount = l.recvCount = l.paramCount = count;
  return l;
}

double busFactor(int) { return 1.0; }

std::vector<Block> expected(const Layout& l, int rank, int n, int) {
  return {{0, l.recvCount, false, (rank - 1 + n) % n, 0}};
}

groveResult_t runGrove(const Env& e, Call& c) {
  int next = (e.rank + 1) % e.nranks;
  int prev = (e.rank - 1 + e.nranks) % e.nranks;
  // The group lets both directions proceed together; two blocking calls in a ring would deadlock.
  groveResult_t r = groveGroupStart();
  if (r != groveSuccess) return r;
  groveResult_t rs = groveSend(c.send, c.count, c.type, next, e.comm, e.stream);
  groveResult_t rr = groveRecv(c.recv, c.count, c.type, prev, e.comm, e.stream);
  r = groveGroupEnd();  // always close the group, even after a failed send or receive
  if (rs != groveSuccess) return rs;
  if (rr != groveSuccess) return rr;
  return r;
}

void runMpi(const Env& e, Call& c) {
  int next = (e.rank + 1) % e.nranks;
  int prev = (e.rank - 1 + e.nranks) % e.nranks;
  int n = mpiCount(c.count);
  if (c.inPlace) {
    MPI_Sendrecv_replace(c.recv, n, c.mpiType, next, 0, prev, 0, e.mpi, MPI_STATUS_IGNORE);
  } else {
    MPI_Sendrecv(c.send, n, c.mpiType, next, 0, c.recv, n, c.mpiType, prev, 0, e.mpi, MPI_STATUS_IGNORE);
  }
}

}  // namespace
}  // namespace grove::perf

int main(int argc, char** argv) {
  using namespace grove::perf;
  static const Collective kColl{"sendrecv", false,    false,    false, layout,
                                busFactor,  expected, runGrove, runMpi};
  return run(kColl, argc, argv);
}
