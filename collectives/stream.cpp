#include "collectives/stream.hpp"

#include <chrono>

#include "grove/semaphore.hpp"

namespace {

// Signed distance between two positions of the ring; positions wrap at 2^32, the ring is far smaller.
std::int32_t distance(std::uint32_t from, std::uint32_t to) { return static_cast<std::int32_t>(to - from); }

// How long a thread keeps looking (yielding the core to anyone runnable) before it sleeps. Measured
// (history (8) of docs/performance.md): a call and a synchronize each time took 1.8 µs with no such
// spin, 0.9-1.9 µs with 20 or 100 µs; the shorter one burns less of the caller's cores when idle.
constexpr std::chrono::microseconds kSpinBudget{20};

// True as soon as ready() holds, false when the budget ran out first.
template <class Ready>
bool spinUntil(Ready ready) {
  for (int i = 0; i < 64; ++i) {
    if (ready()) return true;
    grove::cpuRelax();
  }
  const auto end = std::chrono::steady_clock::now() + kSpinBudget;
  do {
    if (ready()) return true;
    std::this_thread::yield();
  } while (std::chrono::steady_clock::now() < end);
  return ready();
}

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
      // Full: the slot still holds the task of position pos - kCapacity. Sleep until a batch of slots is
      // free rather than spinning for each one: with ranks sharing cores, a producer woken per operation
      // takes turns on the cores the operations need (4 ranks: 14 µs per call against 9.6).
      waitForRetired(pos - kCapacity + kRoomBatch, false);
      pos = tail_.load(std::memory_order_relaxed);
    } else {
      pos = tail_.load(std::memory_order_relaxed);  // another producer took it
    }
  }
}

void groveStream::publish(Slot& slot, TaskFn task) {
  slot.task = task;
  const std::uint32_t pos = slot.sequence.load(std::memory_order_relaxed);
  // seq_cst store, then seq_cst load of sleeping_: with idleWait's store-then-load, either the thread
  // sees this task or this side sees it asleep (no lost wake-up).
  slot.sequence.store(pos + 1, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst) != 0) {
    sleeping_.store(0, std::memory_order_seq_cst);
    sleeping_.notify_one();
  }
}

bool groveStream::runnable() const {
  if (turn_.load(std::memory_order_seq_cst)) return false;
  const std::uint32_t head = head_.load(std::memory_order_seq_cst);
  return ring_[head & (kCapacity - 1)].sequence.load(std::memory_order_seq_cst) == head + 1;
}

bool groveStream::takeTurn() {
  bool free = false;
  return !turn_.load(std::memory_order_relaxed) &&
         turn_.compare_exchange_strong(free, true, std::memory_order_acquire, std::memory_order_relaxed);
}

bool groveStream::runNext() {
  const std::uint32_t head = head_.load(std::memory_order_relaxed);
  Slot& slot = ring_[head & (kCapacity - 1)];
  if (slot.sequence.load(std::memory_order_acquire) != head + 1) return false;
  const groveResult_t r = slot.task(slot.storage, Action::kRun);
  if (r != groveSuccess) noteError(r);
  head_.store(head + 1, std::memory_order_release);
  const bool drained =
      ring_[(head + 1) & (kCapacity - 1)].sequence.load(std::memory_order_acquire) != head + 2;
  if (drained || head + 1 - retired_.load(std::memory_order_relaxed) >= kRetireBatch) retire();
  return true;
}

bool groveStream::catchUp() {
  if (!takeTurn()) return false;
  for (;;) {
    const std::uint32_t head = head_.load(std::memory_order_relaxed);
    Slot& slot = ring_[head & (kCapacity - 1)];
    if (slot.sequence.load(std::memory_order_acquire) != head + 1) break;
    const groveResult_t r = slot.task(slot.storage, Action::kTryRun);
    if (r == groveInProgress) break;  // it would wait: the progress thread runs it
    if (r != groveSuccess) noteError(r);
    head_.store(head + 1, std::memory_order_release);
  }
  endTurn();
  return idle();
}

void groveStream::retire() {
  const std::uint32_t from = retired_.load(std::memory_order_relaxed);
  const std::uint32_t to = head_.load(std::memory_order_relaxed);
  if (from == to) return;
  for (std::uint32_t pos = from; pos != to; ++pos) {
    Slot& slot = ring_[pos & (kCapacity - 1)];
    slot.task(slot.storage, Action::kRetire);
    slot.sequence.store(pos + kCapacity, std::memory_order_release);  // free for the next lap
  }
  retired_.store(to, std::memory_order_release);
  // Sleeping waiters are woken when the ring drained, and every kRoomBatch operations in case it never
  // does (not at every batch: a producer waiting for room would take turns on the cores the operations
  // need). The read-modify-write reads the latest count of waiters: a waiter registered after it sees
  // retired_ (the waiter's own increment comes later in the count's order and synchronizes with it).
  const bool drained = ring_[to & (kCapacity - 1)].sequence.load(std::memory_order_acquire) != to + 1;
  if (drained || from / kRoomBatch != to / kRoomBatch) {
    if (retiredWaiters_.fetch_add(0, std::memory_order_seq_cst) != 0) {
      wakeups_.fetch_add(1, std::memory_order_seq_cst);
      wakeups_.notify_all();
    }
  }
}

void groveStream::endTurn() {
  retire();
  // seq_cst store, then seq_cst load of sleeping_ (as in publish): the progress thread, asleep because
  // this side held the turn, is woken if work is left.
  turn_.store(false, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst) != 0 && runnable()) {
    sleeping_.store(0, std::memory_order_seq_cst);
    sleeping_.notify_one();
  }
}

void groveStream::waitForRetired(std::uint32_t target, bool help) {
  // After this thread registered in retiredWaiters_: pairs with the read-modify-write in retire().
  auto done = [&] { return distance(target, retired_.load(std::memory_order_seq_cst)) >= 0; };
  for (;;) {
    if (done()) return;
    // Run what is queued on this thread while the progress thread is not running anything.
    if (help && takeTurn()) {
      while (!done() && runNext()) {
      }
      endTurn();
      continue;
    }
    if (help && spinUntil([&] { return done() || runnable(); })) continue;
    retiredWaiters_.fetch_add(1, std::memory_order_seq_cst);
    // Sleep on wakeups_, not on retired_: that changes with every operation, and a wait on it would
    // return each time, so the waiter would spin on the cores the operations need.
    const std::uint32_t wakeups = wakeups_.load(std::memory_order_seq_cst);
    // Each operation is bounded by its communicator's timeout, so this wait is bounded too. The turn's
    // holder runs until the ring drains, and the ring drained wakes this thread.
    if (!done()) wakeups_.wait(wakeups, std::memory_order_seq_cst);
    retiredWaiters_.fetch_sub(1, std::memory_order_relaxed);
  }
}

groveResult_t groveStream::synchronize() {
  waitForRetired(tail_.load(std::memory_order_acquire), true);
  return firstError_.exchange(groveSuccess, std::memory_order_acq_rel);
}

groveResult_t groveStream::query() {
  if (retired_.load(std::memory_order_acquire) != tail_.load(std::memory_order_acquire))
    return groveInProgress;
  return firstError_.load(std::memory_order_acquire);  // reported again by synchronize(), which clears it
}

bool groveStream::idleWait() {
  auto ready = [&] { return runnable(); };
  if (spinUntil(ready)) return true;
  for (;;) {
    sleeping_.store(1, std::memory_order_seq_cst);
    if (ready()) break;
    if (stop_.load(std::memory_order_seq_cst) && !turn_.load(std::memory_order_seq_cst) &&
        retired_.load(std::memory_order_seq_cst) == tail_.load(std::memory_order_seq_cst)) {
      sleeping_.store(0, std::memory_order_relaxed);
      return false;
    }
    sleeping_.wait(1, std::memory_order_seq_cst);
  }
  sleeping_.store(0, std::memory_order_relaxed);
  return true;
}

void groveStream::loop() {
  while (idleWait()) {
    if (!takeTurn()) continue;  // a waiting caller took it first
    while (runNext()) {
    }
    endTurn();
  }
}
