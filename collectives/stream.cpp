#include "collectives/stream.hpp"

#include "grove/semaphore.hpp"

namespace {

// Signed distance between two positions of the ring; positions wrap at 2^32, the ring is far smaller.
std::int32_t distance(std::uint32_t from, std::uint32_t to) { return static_cast<std::int32_t>(to - from); }

// Before sleeping, the progress thread looks this many times for work (a caller queuing call after call
// keeps it busy without a wake-up each).
constexpr int kIdleSpins = 256;
constexpr int kIdleYields = 4;

}  // namespace

groveStream::groveStream() : ring_(new Slot[kCapacity]) {
  for (std::uint32_t i = 0; i < kCapacity; ++i) ring_[i].sequence.store(i, std::memory_order_relaxed);
  thread_ = std::thread([this] { loop(); });
}

groveStream::~groveStream() {
  // Destroy means "synchronize, then free": the thread drains the ring before it sees the stop.
  stop_.store(true, std::memory_order_seq_cst);
  sleeping_.store(0, std::memory_order_seq_cst);
  sleeping_.notify_one();
  thread_.join();
}

groveStream::Slot& groveStream::claim() {
  std::uint32_t pos = tail_.load(std::memory_order_relaxed);
  for (;;) {
    Slot& slot = ring_[pos & (kCapacity - 1)];
    const std::int32_t d = distance(pos, slot.sequence.load(std::memory_order_acquire));
    if (d == 0) {
      if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) return slot;
    } else if (d < 0) {
      // Full: the slot still holds the task of position pos - kCapacity.
      waitForCompleted(pos - kCapacity + 1);
      pos = tail_.load(std::memory_order_relaxed);
    } else {
      pos = tail_.load(std::memory_order_relaxed);  // another producer took it
    }
  }
}

void groveStream::publish(Slot& slot, RunFn run) {
  slot.run = run;
  const std::uint32_t pos = slot.sequence.load(std::memory_order_relaxed);
  // seq_cst store, then seq_cst load of sleeping_: with idleWait's store-then-load, either the thread
  // sees this task or this side sees it asleep (no lost wake-up).
  slot.sequence.store(pos + 1, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst) != 0) {
    sleeping_.store(0, std::memory_order_seq_cst);
    sleeping_.notify_one();
  }
}

void groveStream::waitForCompleted(std::uint32_t target) {
  completedWaiters_.fetch_add(1, std::memory_order_seq_cst);
  for (;;) {
    // Sleep on wakeups_, not on completed_: that changes with every operation, and a wait on it would
    // return each time, so the waiter would spin on the cores the operations need.
    const std::uint32_t wakeups = wakeups_.load(std::memory_order_seq_cst);
    if (distance(target, completed_.load(std::memory_order_seq_cst)) >= 0) break;
    // Each operation is bounded by its communicator's timeout, so this wait is bounded too.
    wakeups_.wait(wakeups, std::memory_order_seq_cst);
  }
  completedWaiters_.fetch_sub(1, std::memory_order_relaxed);
}

groveResult_t groveStream::synchronize() {
  waitForCompleted(tail_.load(std::memory_order_acquire));
  return firstError_.exchange(groveSuccess, std::memory_order_acq_rel);
}

groveResult_t groveStream::query() {
  if (completed_.load(std::memory_order_acquire) != tail_.load(std::memory_order_acquire))
    return groveInProgress;
  return firstError_.load(std::memory_order_acquire);  // reported again by synchronize(), which clears it
}

bool groveStream::idleWait(std::uint32_t head) {
  const Slot& slot = ring_[head & (kCapacity - 1)];
  auto ready = [&] { return slot.sequence.load(std::memory_order_seq_cst) == head + 1; };
  for (int i = 0; i < kIdleSpins; ++i) {
    if (ready()) return true;
    grove::cpuRelax();
  }
  for (int i = 0; i < kIdleYields; ++i) {
    if (ready()) return true;
    std::this_thread::yield();
  }
  for (;;) {
    sleeping_.store(1, std::memory_order_seq_cst);
    if (ready()) break;
    if (stop_.load(std::memory_order_seq_cst)) {
      sleeping_.store(0, std::memory_order_relaxed);
      return false;
    }
    sleeping_.wait(1, std::memory_order_seq_cst);
  }
  sleeping_.store(0, std::memory_order_relaxed);
  return true;
}

void groveStream::loop() {
  for (std::uint32_t head = 0;; ++head) {
    Slot& slot = ring_[head & (kCapacity - 1)];
    if (slot.sequence.load(std::memory_order_acquire) != head + 1 && !idleWait(head)) return;
    const groveResult_t r = slot.run(slot.storage);
    if (r != groveSuccess) {
      groveResult_t none = groveSuccess;
      firstError_.compare_exchange_strong(none, r, std::memory_order_acq_rel);
    }
    slot.sequence.store(head + kCapacity, std::memory_order_release);  // free for the next lap
    completed_.store(head + 1, std::memory_order_seq_cst);
    // Wake waiters when the ring drained, and every 64 operations in case it never does.
    if (completedWaiters_.load(std::memory_order_seq_cst) != 0 &&
        (ring_[(head + 1) & (kCapacity - 1)].sequence.load(std::memory_order_acquire) != head + 2 ||
         (head + 1) % 64 == 0)) {
      wakeups_.fetch_add(1, std::memory_order_seq_cst);
      wakeups_.notify_all();
    }
  }
}
