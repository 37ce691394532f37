/// @file call_lock.hpp
/// The lock that serializes calls on one communicator (the caller's thread, stream threads, and
/// groveCommAbort waiting for a call to leave). Calls with count 0 on the caller's thread do without it
/// (runEmpty in comm_state.hpp).
#pragma once

#include <sched.h>
#include <time.h>

#include <atomic>

namespace grove::coll {

/// A test-and-set lock released with a plain store. A small call publishes its header just before it
/// returns; any locked instruction after that (a mutex release, a reference-count decrement) makes the
/// core wait until the header's cache line is owned, which costs a cross-core round trip per call.
/// Releasing with a store lets the line be fetched while the caller goes on. Contention is rare (two
/// threads calling on one communicator at once): waiters spin briefly, then yield, then sleep 50 µs.
class CallLock {
 public:
  void lock() {
    if (!held_.exchange(true, std::memory_order_acquire)) return;
    for (int i = 0;; ++i) {
      if (!held_.load(std::memory_order_relaxed) && !held_.exchange(true, std::memory_order_acquire)) return;
      if (i < 64) continue;
      if (i < 256) {
        ::sched_yield();
        continue;
      }
      timespec ts{0, 50000};
      ::nanosleep(&ts, nullptr);
    }
  }
  bool try_lock() { return !held_.exchange(true, std::memory_order_acquire); }
  void unlock() { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};

}  // namespace grove::coll
