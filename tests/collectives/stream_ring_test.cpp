// The stream's ring (collectives/stream.hpp) without a communicator: operations run once each, in the
// order they were queued, past the ring's capacity, from several threads at once, through the progress
// thread's sleep, and with tasks too large for a slot; errors come back from synchronize once; a caller
// catching up runs ready tasks in their place.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "collectives/stream.hpp"

namespace {

constexpr int kMany = 5000;  // several laps of the ring (1024 slots)

TEST(StreamRing, RunsEveryTaskOnceInOrderPastTheCapacity) {
  groveStream stream;
  std::vector<int> order;
  order.reserve(kMany);
  for (int i = 0; i < kMany; ++i)
    ASSERT_EQ(stream.enqueue([&order, i]() noexcept {
      order.push_back(i);
      return groveSuccess;
    }),
              groveSuccess);
  ASSERT_EQ(stream.synchronize(), groveSuccess);
  ASSERT_EQ(order.size(), static_cast<size_t>(kMany));
  for (int i = 0; i < kMany; ++i) ASSERT_EQ(order[i], i) << "task " << i << " ran out of order";
  EXPECT_EQ(stream.query(), groveSuccess);
}

// Tasks larger than a slot are kept on the heap; they run in their place among the small ones.
TEST(StreamRing, LargeTasksKeepTheirPlace) {
  groveStream stream;
  std::vector<int> order;
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 0) {
      std::array<int, 64> big{};  // 256 bytes: more than a slot holds
      big.fill(i);
      stream.enqueue([&order, big]() noexcept {
        order.push_back(big[63]);
        return groveSuccess;
      });
    } else {
      stream.enqueue([&order, i]() noexcept {
        order.push_back(i);
        return groveSuccess;
      });
    }
  }
  ASSERT_EQ(stream.synchronize(), groveSuccess);
  ASSERT_EQ(order.size(), 300u);
  for (int i = 0; i < 300; ++i) ASSERT_EQ(order[i], i);
}

// Four threads queue at once: each thread's tasks run in that thread's order, none is lost or repeated.
TEST(StreamRing, SeveralProducersKeepEachOnesOrder) {
  constexpr int kThreads = 4, kEach = 3000;
  groveStream stream;
  std::array<std::vector<int>, kThreads> seen;
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t)
    producers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        stream.enqueue([&seen, t, i]() noexcept {
          seen[t].push_back(i);  // only the progress thread writes
          return groveSuccess;
        });
    });
  for (auto& p : producers) p.join();
  ASSERT_EQ(stream.synchronize(), groveSuccess);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<size_t>(kEach)) << "thread " << t;
    for (int i = 0; i < kEach; ++i) ASSERT_EQ(seen[t][i], i) << "thread " << t;
  }
}

// After the progress thread went to sleep on an empty ring, a new task wakes it.
TEST(StreamRing, WakesAfterSleeping) {
  groveStream stream;
  std::atomic<int> ran{0};
  for (int round = 0; round < 5; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // far past the idle spin
    stream.enqueue([&ran]() noexcept {
      ran.fetch_add(1);
      return groveSuccess;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ran.load() != round + 1 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_EQ(ran.load(), round + 1) << "round " << round << ": the sleeping progress thread was not woken";
  }
  EXPECT_EQ(stream.synchronize(), groveSuccess);
}

// The first error comes back from synchronize once; query reports work in progress, then the error.
TEST(StreamRing, FirstErrorOnceAndQueryWhileRunning) {
  groveStream stream;
  std::atomic<bool> release{false};
  stream.enqueue([&release]() noexcept {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return groveSuccess;
  });
  EXPECT_EQ(stream.query(), groveInProgress);
  stream.enqueue([]() noexcept { return groveInvalidUsage; });
  stream.enqueue([]() noexcept { return groveTimeout; });
  release = true;
  EXPECT_EQ(stream.synchronize(), groveInvalidUsage);
  EXPECT_EQ(stream.synchronize(), groveSuccess);
  stream.enqueue([]() noexcept { return groveRemoteError; });
  while (stream.query() == groveInProgress) std::this_thread::yield();
  EXPECT_EQ(stream.query(), groveRemoteError) << "query keeps the error for synchronize";
  EXPECT_EQ(stream.synchronize(), groveRemoteError);
}

// A thread in synchronize runs queued tasks itself when the progress thread is not running one (the
// "turn"): tasks still run one at a time and in order, whichever thread runs them, and with a call and a
// synchronize each time the waiting caller runs some of them.
TEST(StreamRing, SynchronizeRunsTasksOneAtATime) {
  constexpr int kRounds = 2000;
  groveStream stream;
  std::atomic<int> inside{0};
  std::atomic<bool> overlap{false};
  std::vector<int> order;
  int onCaller = 0;
  const std::thread::id caller = std::this_thread::get_id();
  for (int i = 0; i < kRounds; ++i) {
    for (int k = 0; k < 2; ++k)
      stream.enqueue([&, i, k]() noexcept {
        if (inside.fetch_add(1) != 0) overlap = true;
        order.push_back(2 * i + k);
        if (std::this_thread::get_id() == caller) ++onCaller;
        inside.fetch_sub(1);
        return groveSuccess;
      });
    // Now and then give the progress thread time to take the tasks, so that both threads run some.
    if (i % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
    ASSERT_EQ(stream.synchronize(), groveSuccess);
  }
  EXPECT_FALSE(overlap.load()) << "two tasks ran at once";
  ASSERT_EQ(order.size(), 2u * kRounds);
  for (int i = 0; i < 2 * kRounds; ++i) ASSERT_EQ(order[i], i);
  EXPECT_GT(onCaller, 0) << "synchronize never ran a task on the waiting thread";
  std::printf("tasks run by the synchronizing thread: %d of %d\n", onCaller, 2 * kRounds);
}

// A task is destroyed (retired, which for a collective counts it finished on its communicator) after it
// ran and before the synchronize that waits for it returns, however the ring fills: one task at a time
// (retired when the ring drains) and many (retired in batches).
TEST(StreamRing, TasksAreDestroyedAfterRunningAndBeforeSynchronizeReturns) {
  struct Counts {
    std::atomic<int> ran{0}, destroyed{0};
    std::atomic<bool> destroyedUnrun{false};
  } counts;
  struct Probe {
    Counts* c;
    bool live = true, ran = false;
    explicit Probe(Counts* counts) : c(counts) {}
    Probe(Probe&& o) noexcept : c(o.c), live(o.live), ran(o.ran) { o.live = false; }
    ~Probe() {
      if (!live) return;
      if (!ran) c->destroyedUnrun = true;
      c->destroyed.fetch_add(1);
    }
    groveResult_t operator()() noexcept {
      ran = true;
      c->ran.fetch_add(1);
      return groveSuccess;
    }
  };
  groveStream stream;
  int queued = 0;
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(stream.enqueue(Probe(&counts)), groveSuccess);
    ++queued;
    ASSERT_EQ(stream.synchronize(), groveSuccess);
    ASSERT_EQ(counts.destroyed.load(), queued) << "one task: not destroyed when synchronize returned";
  }
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < kMany + round * 7; ++i) {
      ASSERT_EQ(stream.enqueue(Probe(&counts)), groveSuccess);
      ++queued;
    }
    ASSERT_EQ(stream.synchronize(), groveSuccess);
    ASSERT_EQ(counts.destroyed.load(), queued) << "round " << round << ": tasks left undestroyed";
  }
  EXPECT_EQ(counts.ran.load(), queued);
  EXPECT_FALSE(counts.destroyedUnrun.load()) << "a task was destroyed before it ran";
}

// A caller catching up (catchUp) runs the queued tasks that offer tryRun() and say they can run, in
// order, while the progress thread runs the others: every task runs once, in queue order, never two at
// once; a task whose tryRun() declines is left to the progress thread, and so is everything after it.
TEST(StreamRing, CatchUpRunsReadyTasksInTheirPlace) {
  struct Log {
    std::vector<int> order;
    std::atomic<int> running{0};
    std::atomic<bool> overlapped{false};
    int byCatchUp = 0, declined = 0;
  } log;
  struct Task {
    Log* log;
    int index;
    bool offers;  // whether tryRun() runs the task (else it declines)
    groveResult_t run(bool early) noexcept {
      if (log->running.fetch_add(1) != 0) log->overlapped = true;
      log->order.push_back(index);
      log->byCatchUp += early;
      log->running.fetch_sub(1);
      return groveSuccess;
    }
    groveResult_t operator()() noexcept { return run(false); }
    groveResult_t tryRun() noexcept {
      if (!offers) {
        ++log->declined;
        return groveInProgress;
      }
      return run(true);
    }
  };
  groveStream stream;
  int caughtUp = 0;
  for (int i = 0; i < kMany; ++i) {
    ASSERT_EQ(stream.enqueue(Task{&log, i, i % 7 != 0}), groveSuccess);
    if (i % 3 == 2) caughtUp += stream.catchUp();
  }
  ASSERT_EQ(stream.synchronize(), groveSuccess);
  ASSERT_EQ(log.order.size(), static_cast<size_t>(kMany));
  for (int i = 0; i < kMany; ++i) ASSERT_EQ(log.order[i], i) << "task " << i << " ran out of order";
  EXPECT_FALSE(log.overlapped.load()) << "two tasks ran at once";
  EXPECT_TRUE(stream.catchUp()) << "an idle stream is caught up";
  std::printf("%d of %d tasks run by catchUp (%d declined); caught up %d times\n", log.byCatchUp, kMany,
              log.declined, caughtUp);
}

// Destroying a stream runs what is still queued first.
TEST(StreamRing, DestroyRunsWhatIsQueued) {
  std::atomic<int> ran{0};
  {
    groveStream stream;
    for (int i = 0; i < kMany; ++i)
      stream.enqueue([&ran]() noexcept {
        ran.fetch_add(1, std::memory_order_relaxed);
        return groveSuccess;
      });
  }
  EXPECT_EQ(ran.load(), kMany);
}

}  // namespace
