// CommState: a call with count 0 takes no call lock on the caller's thread (runEmpty), so groveCommAbort
// meets it through a flag and asymmetric fences instead (collectives/comm_state.hpp). These tests hold a
// reference of their own to the state, so that it outlives the handle the abort releases.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "collectives/comm_state.hpp"
#include "harness.hpp"
#include "support/multiprocess.hpp"

namespace grove::test {
namespace {

using coll::CallDesc;
using coll::CollKind;
using coll::CommState;

const CallDesc kEmptyAllGather{CollKind::kAllGather, groveFloat32, groveSum, 0, -1, 0};

// An abort waits while a call with count 0 is between raising its flag and dropping it; a call with count
// 0 that starts after the abort returns the abort's error (and leaves its flag down).
TEST(EmptyCallAndAbort, AbortWaitsForTheCallAndTheCallSeesTheAbort) {
  GROVE_EXPECT_RANKS_PASS(1, [](int rank, int nranks, const groveUniqueId& id) {
    Checker check(rank);
    groveComm_t comm = nullptr;
    if (!check.result(groveCommInitRank(&comm, nranks, id, rank), groveSuccess, "groveCommInitRank"))
      return check.exitCode();
    const std::shared_ptr<CommState> keep = comm->state;
    keep->emptyCallRunning.store(true);  // as a call with count 0 does for a few nanoseconds
    std::atomic<bool> returned{false};
    std::thread aborter([&] {
      check.result(groveCommAbort(comm), groveSuccess, "groveCommAbort");
      returned = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    check.expect(!returned.load(), "groveCommAbort returned while a call with count 0 was running");
    keep->emptyCallRunning.store(false, std::memory_order_release);
    aborter.join();
    check.expect(returned.load(), "groveCommAbort did not return");

    groveResult_t r = groveSuccess;
    const bool handled = coll::runEmpty(*keep, nullptr, kEmptyAllGather, r);
    check.expect(handled, "a call with count 0 after the abort took the general path");
    check.result(r, groveRemoteError, "a call with count 0 after the abort");
    check.expect(!keep->emptyCallRunning.load(), "the call left its flag raised");
    return check.exitCode();
  });
}

// The race itself, many times: one thread of rank 0 makes calls with count 0 on the short path without
// pause while another aborts the communicator. Every round must end with the caller seeing the abort as
// groveRemoteError, after having made calls that succeeded, with nothing hanging or crashing (and, under
// the sanitizers, nothing reported).
TEST(EmptyCallAndAbort, CallsRacingAnAbortSeeIt) {
  GROVE_EXPECT_RANKS_PASS(1, [](int, int, const groveUniqueId&) {
    Checker check(0);
    constexpr int kRounds = 20;
    for (int round = 0; round < kRounds; ++round) {
      groveUniqueId id;
      if (!check.result(groveGetUniqueId(&id), groveSuccess, "groveGetUniqueId")) break;
      groveComm_t comms[2] = {nullptr, nullptr};
      std::vector<std::thread> inits;
      for (int r = 0; r < 2; ++r) inits.emplace_back([&, r] { groveCommInitRank(&comms[r], 2, id, r); });
      for (std::thread& t : inits) t.join();
      if (!check.expect(comms[0] && comms[1], "groveCommInitRank of two thread ranks")) break;

      const std::shared_ptr<CommState> keep = comms[0]->state;
      std::atomic<bool> started{false};
      long succeeded = 0;
      groveResult_t last = groveSuccess;
      std::thread caller([&] {
        // Bounded: a caller that never sees the abort ends the round as a failure after 10 s.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        for (long i = 0;; ++i) {
          if (i % 4096 == 0 && std::chrono::steady_clock::now() > deadline) return;
          groveResult_t r = groveSuccess;
          if (coll::runEmpty(*keep, nullptr, kEmptyAllGather, r)) {
            if (r != groveSuccess) {
              last = r;
              return;
            }
            ++succeeded;
          }
          started.store(true, std::memory_order_relaxed);
        }
      });
      while (!started.load()) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::microseconds(100 * round));
      check.result(groveCommAbort(comms[0]), groveSuccess, "groveCommAbort during calls with count 0");
      caller.join();
      const bool sawAbort = check.result(last, groveRemoteError,
                                         "the call that met the abort (round " + std::to_string(round) + ")");
      check.expect(succeeded > 0, "no call with count 0 succeeded before the abort");
      check.result(groveCommDestroy(comms[1]), groveSuccess, "groveCommDestroy of the other rank");
      if (!sawAbort) break;
    }
    return check.exitCode();
  });
}

}  // namespace
}  // namespace grove::test
