// Resources: after groveCommDestroy, after groveCommAbort (with work pending) and after a run in which a
// rank was SIGKILLed, nothing new is left in /dev/shm and no process is left behind; a process's file
// descriptors and threads go back to their count. Communicators are independent of each other.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "failure_util.hpp"
#include "matrix.hpp"

namespace grove::test {
namespace {

size_t countEntries(const char* dir) {
  size_t n = 0;
  if (DIR* d = ::opendir(dir)) {
    while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}
// Minus one: opendir itself holds a descriptor while counting.
size_t openFds() { return countEntries("/proc/self/fd") - 1; }
size_t threads() { return countEntries("/proc/self/task"); }
// The count before a rank's work, taken after the process made (and joined) a thread of its own: a
// runtime may start a helper thread of its own at a process's first thread creation and keep it (in a
// forked child, ThreadSanitizer starts a second background thread then), which is not grove's.
size_t threadsBaseline() {
  std::thread([] {}).join();
  return threads();
}

class Resources : public ::testing::Test {
 protected:
  // Orphaned grandchildren (helpers a rank might fork) are re-parented to this process, so
  // liveChildren() sees them.
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  void SetUp() override { shmBefore_ = listDevShm(); }
  void expectNothingLeft() {
    const std::vector<std::string> added = newShmEntries(shmBefore_);
    std::string names;
    for (const std::string& n : added) names += " " + n;
    EXPECT_TRUE(added.empty()) << "left in /dev/shm:" << names;
    const std::vector<int> kids = liveChildren();
    EXPECT_TRUE(kids.empty()) << kids.size() << " child processes still running, e.g. pid "
                              << (kids.empty() ? 0 : kids[0]);
  }
  std::set<std::string> shmBefore_;
};

// One rank's full life: shared-memory buffers, registration, a stream, then destroy (or abort).
int fullLife(int rank, int nranks, const groveUniqueId& id, bool useAbort) {
  Checker check(rank);
  const size_t fds0 = openFds(), threads0 = threadsBaseline();
  {
    Comm comm;
    if (comm.init(id, nranks, rank) != groveSuccess) return 80;
    Stream stream;
    if (stream.create() != groveSuccess) return 81;
    const size_t count = 1 << 20;
    void* mem = nullptr;
    if (!check.result(groveMemAlloc(&mem, count * sizeof(float)), groveSuccess, "groveMemAlloc")) return 1;
    void* handle = nullptr;
    check.result(groveCommRegister(comm.get(), mem, count * sizeof(float), &handle), groveSuccess, "register",
                 comm.get());
    std::fill_n(static_cast<float*>(mem), count, 1.0f);
    check.result(complete(groveAllReduce(mem, mem, count, groveFloat32, groveSum, comm.get(), stream.get()),
                          stream.get()),
                 groveSuccess, "allreduce", comm.get());
    check.expect(static_cast<float*>(mem)[count - 1] == static_cast<float>(nranks), "allreduce result");
    check.result(groveCommDeregister(comm.get(), handle), groveSuccess, "deregister", comm.get());
    check.result(groveMemFree(mem), groveSuccess, "groveMemFree");
    check.result(stream.destroy(), groveSuccess, "groveStreamDestroy");
    check.result(useAbort ? comm.abort() : comm.destroy(), groveSuccess,
                 useAbort ? "groveCommAbort" : "groveCommDestroy");
  }
  // Rank 0 made the bootstrap root before fds0 was measured; it may be gone now, hence <=.
  check.expect(openFds() <= fds0, format("file descriptors: %zu before, %zu after", fds0, openFds()));
  check.expect(threads() <= threads0, format("threads: %zu before, %zu after", threads0, threads()));
  return check.exitCode();
}

TEST_F(Resources, DestroyReleasesEverything) {
  EXPECT_TRUE(allRanksPassed(
      runRanks(4, [](int r, int n, const groveUniqueId& id) { return fullLife(r, n, id, false); })));
  expectNothingLeft();
}

TEST_F(Resources, AbortReleasesEverything) {
  EXPECT_TRUE(allRanksPassed(
      runRanks(4, [](int r, int n, const groveUniqueId& id) { return fullLife(r, n, id, true); })));
  expectNothingLeft();
}

// Abort while an allreduce is queued on a stream and cannot finish (the peer never calls it): abort
// returns without waiting for the peer, and the stream then reports an error instead of hanging.
TEST_F(Resources, AbortWithPendingWork) {
  ScopedTimeout env;
  EXPECT_TRUE(allRanksPassed(runRanks(
      2,
      [](int rank, int nranks, const groveUniqueId& id) {
        Checker check(rank);
        const size_t threads0 = threadsBaseline();
        Comm comm;
        if (comm.init(id, nranks, rank) != groveSuccess) return 80;
        Stream stream;
        if (stream.create() != groveSuccess) return 81;
        std::vector<float> buf(1 << 16, 1.0f);
        if (rank == 0)
          groveAllReduce(buf.data(), buf.data(), buf.size(), groveFloat32, groveSum, comm.get(),
                         stream.get());
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto start = std::chrono::steady_clock::now();
        check.result(comm.abort(), groveSuccess, "groveCommAbort with pending work");
        check.expect(elapsedMs(start) < 1000, format("groveCommAbort took %.0f ms", elapsedMs(start)));
        const auto s2 = std::chrono::steady_clock::now();
        const groveResult_t r = stream.destroy();
        if (rank == 0) check.expect(r != groveSuccess, "abandoned allreduce reported success");
        check.expect(elapsedMs(s2) < kTimeoutMs + kSlackMs,
                     format("groveStreamDestroy took %.0f ms", elapsedMs(s2)));
        check.expect(threads() <= threads0, format("threads: %zu before, %zu after", threads0, threads()));
        return check.exitCode();
      },
      60000)));
  expectNothingLeft();
}

TEST_F(Resources, KilledRankLeavesNothing) {
  ScopedTimeout env;
  const std::vector<RankOutcome> out = runRanks(
      3,
      [](int rank, int nranks, const groveUniqueId& id) {
        Checker check(rank);
        Comm comm;
        if (comm.init(id, nranks, rank) != groveSuccess) return 80;
        void* mem = nullptr;
        groveMemAlloc(&mem, 1 << 22);
        std::fill_n(static_cast<char*>(mem), 1 << 22, 0);
        check.result(groveAllReduce(mem, mem, 1 << 20, groveFloat32, groveSum, comm.get(), nullptr),
                     groveSuccess, "allreduce", comm.get());
        if (rank == 1) killSelf();  // dies holding shared memory and its part of the communicator
        const groveResult_t r =
            groveAllReduce(mem, mem, 1 << 20, groveFloat32, groveSum, comm.get(), nullptr);
        check.expect(r != groveSuccess, "allreduce with a dead rank succeeded");
        groveMemFree(mem);
        comm.destroy();
        return check.exitCode();
      },
      60000);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].signal, SIGKILL);
  EXPECT_TRUE(out[0].exited && out[0].exitCode == 0);
  EXPECT_TRUE(out[2].exited && out[2].exitCode == 0);
  expectNothingLeft();
}

// Twenty communicators created and destroyed in turn (each id broadcast over a first communicator):
// every one works, and descriptors and threads do not accumulate.
TEST_F(Resources, ManyCommunicatorsInTurn) {
  MatrixBody body = [](int rank, int nranks, groveComm_t base, groveStream_t, Checker& check) {
    size_t fds0 = 0, threads0 = 0;
    for (int i = 0; i < 20; ++i) {
      if (i == 2) fds0 = openFds(), threads0 = threads();  // after any lazily created state
      groveUniqueId id{};
      if (rank == 0 && !check.result(groveGetUniqueId(&id), groveSuccess, "groveGetUniqueId")) return false;
      if (!check.result(groveBroadcast(&id, &id, sizeof(id), groveUint8, 0, base, nullptr), groveSuccess,
                        "broadcast id", base))
        return false;
      Comm comm;
      if (!check.result(comm.init(id, nranks, rank), groveSuccess, format("init #%d", i))) return false;
      int32_t v = rank;
      check.result(groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm.get(), nullptr), groveSuccess,
                   "allreduce", comm.get());
      check.expect(v == nranks * (nranks - 1) / 2, format("communicator #%d: wrong sum %d", i, v));
      check.result(comm.destroy(), groveSuccess, format("destroy #%d", i));
    }
    check.expect(openFds() <= fds0, format("file descriptors grew from %zu to %zu", fds0, openFds()));
    check.expect(threads() <= threads0, format("threads grew from %zu to %zu", threads0, threads()));
    return true;
  };
  GROVE_MATRIX_RUN(3, body, 120000);
  expectNothingLeft();
}

// Two communicators made from their own unique ids, used at the same time by disjoint processes with
// the same rank numbers, do not disturb each other.
TEST_F(Resources, TwoCommunicatorsSideBySide) {
  int fds[2][2];
  ASSERT_EQ(::pipe(fds[0]), 0);  // carries the second id from process 2 to processes 3 and 4
  ASSERT_EQ(::pipe(fds[1]), 0);
  const std::vector<RankOutcome> out = runRanks(
      5,
      [&](int proc, int, const groveUniqueId& idA) {
        Checker check(proc);
        const bool inB = proc >= 2;
        const int rank = inB ? proc - 2 : proc, nranks = inB ? 3 : 2;
        groveUniqueId id = idA;
        if (proc == 2) {
          if (groveGetUniqueId(&id) != groveSuccess) return 82;
          if (::write(fds[0][1], &id, sizeof(id)) != sizeof(id) ||
              ::write(fds[1][1], &id, sizeof(id)) != sizeof(id))
            return 83;
        } else if (proc > 2) {
          if (::read(fds[proc - 3][0], &id, sizeof(id)) != sizeof(id)) return 84;
        }
        Comm comm;
        if (comm.init(id, nranks, rank) != groveSuccess) return 80;
        int n = 0;
        groveCommCount(comm.get(), &n);
        check.expect(n == nranks, format("communicator size %d, expected %d", n, nranks));
        std::vector<int64_t> buf(5000);
        for (int iter = 0; iter < 200; ++iter) {
          // Values differ between the two communicators; a crossed message would show.
          for (size_t i = 0; i < buf.size(); ++i) buf[i] = (inB ? 1000000 : 0) + iter * 100 + rank;
          if (!check.result(groveAllReduce(buf.data(), buf.data(), buf.size(), groveInt64, groveSum,
                                           comm.get(), nullptr),
                            groveSuccess, format("allreduce %d", iter), comm.get()))
            break;
          const int64_t want = nranks * ((inB ? 1000000 : 0) + iter * 100) + nranks * (nranks - 1) / 2;
          if (!check.expect(buf[0] == want && buf.back() == want,
                            format("iteration %d: got %lld, expected %lld", iter,
                                   static_cast<long long>(buf[0]), static_cast<long long>(want))))
            break;
        }
        return check.exitCode();
      },
      120000);
  for (auto& p : fds) ::close(p[0]), ::close(p[1]);
  EXPECT_TRUE(allRanksPassed(out));
  expectNothingLeft();
}

}  // namespace
}  // namespace grove::test
