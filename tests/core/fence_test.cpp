// Asymmetric fences: the store-buffering litmus test (each thread stores its flag, fences, then reads
// the other's) must never let both threads miss the other's store when one side uses lightFence() and
// the other heavyFence(). With the heavy fence replaced by a light one, 6500-7900 of the 50000 rounds
// showed that outcome here (the test then fails).
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "grove/fence.hpp"

TEST(AsymmetricFence, RegistrationAnswerIsStable) {
  const bool first = grove::asymmetricFencesAvailable();
  EXPECT_EQ(grove::asymmetricFencesAvailable(), first);
  if (first) {
    EXPECT_NO_THROW(grove::heavyFence());
  }
}

TEST(AsymmetricFence, NoRoundLetsBothSidesMissTheOther) {
  if (!grove::asymmetricFencesAvailable()) GTEST_SKIP() << "no expedited membarrier here";
  constexpr int kRounds = 50000;
  // Per round: `go` starts both sides at once; each side stores its flag, fences, reads the other flag.
  std::atomic<int> go{0}, done{0};
  std::atomic<int> x{0}, y{0};
  std::atomic<int> ySawX{0};
  int bothMissed = 0;
  // Each side waits a different few hundred nanoseconds per round before its store, so that across the
  // rounds the two stores happen at every offset, including within the other's store-buffer window.
  auto delay = [](int n) {
    for (int i = 0; i < n; ++i) asm volatile("" ::: "memory");
  };
  std::thread sleeper([&] {
    for (int r = 1; r <= kRounds; ++r) {
      while (go.load(std::memory_order_acquire) < r) {
      }
      delay((r * 37) % 256);
      y.store(r, std::memory_order_relaxed);
      grove::heavyFence();
      ySawX.store(x.load(std::memory_order_relaxed) == r, std::memory_order_relaxed);
      done.store(r, std::memory_order_release);
    }
  });
  for (int r = 1; r <= kRounds; ++r) {
    go.store(r, std::memory_order_release);
    delay((r * 101) % 256 + 64);
    x.store(r, std::memory_order_relaxed);
    grove::lightFence();
    const bool xSawY = y.load(std::memory_order_relaxed) == r;
    while (done.load(std::memory_order_acquire) < r) {
    }
    if (!xSawY && !ySawX.load(std::memory_order_relaxed)) ++bothMissed;
  }
  sleeper.join();
  EXPECT_EQ(bothMissed, 0) << "rounds in which neither side saw the other's store";
}
