// Threads: two communicators used at the same time from two threads of each process (group state is per
// thread), and several ranks of one communicator living as threads of a single process.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "data.hpp"
#include "matrix.hpp"

namespace grove::test {
namespace {

// `iters` allreduces on comm with values tagged by `tag`, so messages crossing communicators show.
void allreduceLoop(groveComm_t comm, int rank, int nranks, int tag, int iters, Checker& check,
                   std::mutex& m) {
  std::vector<int64_t> buf(3001);
  for (int it = 0; it < iters; ++it) {
    std::fill(buf.begin(), buf.end(), int64_t{tag} * 1000000 + it * 100 + rank);
    const groveResult_t r =
        groveAllReduce(buf.data(), buf.data(), buf.size(), groveInt64, groveSum, comm, nullptr);
    const int64_t want = nranks * (int64_t{tag} * 1000000 + it * 100) + nranks * (nranks - 1) / 2;
    if (r != groveSuccess || buf[0] != want || buf.back() != want) {
      std::lock_guard<std::mutex> lock(m);
      check.fail(format("comm %d iteration %d: result %d (%s), got %lld, expected %lld", tag, it, r,
                        groveGetLastError(comm), static_cast<long long>(buf[0]),
                        static_cast<long long>(want)));
      return;
    }
  }
}

// A ring exchange inside a group, `iters` times.
void groupLoop(groveComm_t comm, int rank, int nranks, int tag, int iters, Checker& check, std::mutex& m) {
  const int right = (rank + 1) % nranks, left = (rank + nranks - 1) % nranks;
  std::vector<int32_t> out(777), in(777);
  for (int it = 0; it < iters; ++it) {
    std::fill(out.begin(), out.end(), tag * 100000 + it * 10 + rank);
    groveResult_t r = groveGroupStart();
    if (r == groveSuccess) r = groveSend(out.data(), out.size(), groveInt32, right, comm, nullptr);
    if (r == groveSuccess) r = groveRecv(in.data(), in.size(), groveInt32, left, comm, nullptr);
    const groveResult_t e = groveGroupEnd();
    if (r == groveSuccess) r = e;
    const int32_t want = tag * 100000 + it * 10 + left;
    if (r != groveSuccess || in[0] != want || in.back() != want) {
      std::lock_guard<std::mutex> lock(m);
      check.fail(format("comm %d group iteration %d: result %d (%s), got %d, expected %d", tag, it, r,
                        groveGetLastError(comm), in[0], want));
      return;
    }
  }
}

class Threads : public ::testing::TestWithParam<int> {};

TEST_P(Threads, TwoCommunicatorsFromTwoThreads) {
  MatrixBody body = [](int rank, int nranks, groveComm_t base, groveStream_t, Checker& check) {
    groveUniqueId id{};
    if (rank == 0 && !check.result(groveGetUniqueId(&id), groveSuccess, "groveGetUniqueId")) return false;
    if (!check.result(groveBroadcast(&id, &id, sizeof(id), groveUint8, 0, base, nullptr), groveSuccess,
                      "broadcast id", base))
      return false;
    Comm second;
    if (!check.result(second.init(id, nranks, rank), groveSuccess, "second communicator")) return false;
    std::mutex m;
    {
      std::thread t1([&] { allreduceLoop(base, rank, nranks, 1, 300, check, m); });
      std::thread t2([&] { allreduceLoop(second.get(), rank, nranks, 2, 300, check, m); });
      t1.join();
      t2.join();
    }
    {
      std::thread t1([&] { groupLoop(base, rank, nranks, 1, 200, check, m); });
      std::thread t2([&] { groupLoop(second.get(), rank, nranks, 2, 200, check, m); });
      t1.join();
      t2.join();
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

INSTANTIATE_TEST_SUITE_P(, Threads, ::testing::Values(2, 3), ranksName);

// All ranks of a communicator as threads of one process (the id is shared in memory).
TEST(ThreadRanks, RanksAsThreadsOfOneProcess) {
  for (int nranks : {2, 4}) {
    SCOPED_TRACE(nranks);
    auto body = [nranks](int, int, const groveUniqueId& id) {
      Checker check(0);
      std::mutex m;
      std::vector<std::thread> threads;
      for (int r = 0; r < nranks; ++r) {
        threads.emplace_back([&, r] {
          groveComm_t comm = nullptr;
          const groveResult_t init = groveCommInitRank(&comm, nranks, id, r);
          if (init != groveSuccess) {
            std::lock_guard<std::mutex> lock(m);
            check.fail(format("thread rank %d: init %d (%s)", r, init, groveGetLastError(nullptr)));
            return;
          }
          allreduceLoop(comm, r, nranks, 3, 100, check, m);
          groupLoop(comm, r, nranks, 3, 50, check, m);
          groveCommDestroy(comm);
        });
      }
      for (std::thread& t : threads) t.join();
      return check.exitCode();
    };
    EXPECT_TRUE(allRanksPassed(runRanks(1, body, 60000)));
  }
}

}  // namespace
}  // namespace grove::test
