// Semaphores: raise/wait between threads (visible to ThreadSanitizer) and between processes, deadlines,
// and a dead raiser turning into an error.
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "grove/error.hpp"
#include "grove/semaphore.hpp"
#include "grove/shared_memory.hpp"
#include "support/multiprocess.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(Semaphore, PingPongBetweenThreads) {
  grove::SemaphoreWord ping, pong;
  constexpr int kRounds = 2000;
  std::thread other([&] {
    for (int i = 1; i <= kRounds; ++i) {
      grove::semaphoreWait(&ping, i, grove::WaitPolicy{Clock::now() + 10s, 0, 100});
      grove::semaphoreRaise(&pong, i);
    }
  });
  for (int i = 1; i <= kRounds; ++i) {
    grove::semaphoreRaise(&ping, i);
    grove::semaphoreWait(&pong, i, grove::WaitPolicy{Clock::now() + 10s, 0, 100});
  }
  other.join();
  EXPECT_EQ(pong.value.load(), static_cast<uint64_t>(kRounds));
}

TEST(Semaphore, SleepingWaiterIsWoken) {
  grove::SemaphoreWord w;
  std::thread raiser([&] {
    std::this_thread::sleep_for(50ms);  // long enough that the waiter is asleep on the futex
    grove::semaphoreRaise(&w, 1);
  });
  auto t0 = Clock::now();
  grove::semaphoreWait(&w, 1, grove::WaitPolicy{Clock::now() + 5s, 0, 10});
  EXPECT_LT(Clock::now() - t0, 2s);
  raiser.join();
}

TEST(Semaphore, DeadlineThrowsTimeout) {
  grove::SemaphoreWord w;
  auto t0 = Clock::now();
  try {
    grove::semaphoreWait(&w, 1, grove::WaitPolicy{Clock::now() + 100ms, 0, 10});
    ADD_FAILURE() << "wait returned without the semaphore being raised";
  } catch (const grove::Error& e) {
    EXPECT_EQ(e.code(), groveTimeout);
  }
  auto waited = Clock::now() - t0;
  EXPECT_GE(waited, 100ms);
  EXPECT_LT(waited, 2s);
}

TEST(Semaphore, AcrossProcessesAndDeadRaiser) {
  // The segment is created before fork, so both ranks share it.
  grove::SharedSegment seg = grove::SharedSegment::create(4096, "grove-test");
  auto* words = static_cast<grove::SemaphoreWord*>(seg.data());
  auto outcomes = grove::test::runRanks(2, [&](int rank, int, const groveUniqueId&) {
    static_assert(sizeof(grove::SemaphoreWord) * 2 <= 64);
    if (rank == 0) {
      for (int i = 1; i <= 500; ++i) {
        grove::semaphoreRaise(&words[0], i);
        grove::semaphoreWait(&words[4], i, grove::WaitPolicy{Clock::now() + 10s, 0, 1000});
      }
      // Rank 1 dies now; waiting on it must end with a remote error well before the deadline.
      auto t0 = Clock::now();
      try {
        const int raiserPid = static_cast<int>(words[8].value.load());
        grove::semaphoreWait(&words[4], 501, grove::WaitPolicy{Clock::now() + 20s, raiserPid, 10});
        ADD_FAILURE() << "wait on a dead process returned";
      } catch (const grove::Error& e) {
        EXPECT_EQ(e.code(), groveRemoteError) << e.what();
      }
      EXPECT_LT(Clock::now() - t0, 5s);
    } else {
      grove::semaphoreRaise(&words[8], static_cast<uint64_t>(::getpid()));
      for (int i = 1; i <= 500; ++i) {
        grove::semaphoreWait(&words[0], i, grove::WaitPolicy{Clock::now() + 10s, 0, 1000});
        grove::semaphoreRaise(&words[4], i);
      }
      grove::test::killSelf();
    }
    return 0;
  });
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes[0].exited && outcomes[0].exitCode == 0);
  EXPECT_EQ(outcomes[1].signal, SIGKILL);
}
