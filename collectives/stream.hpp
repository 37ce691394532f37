/// @file stream.hpp
/// groveStream_t: an in-order queue of operations run by a progress thread, so communication overlaps
/// the caller's compute.
///
/// Queuing a call costs tens of nanoseconds and no allocation: the queue is a ring of slots, each holding
/// one operation in place (a collective's arguments and its communicator's reference), claimed and
/// published with atomics (a bounded queue with several producers). A full ring makes the caller wait
/// for room, as a device's launch queue does. Nobody sleeps or wakes anyone while work flows: the
/// progress thread sleeps only on an empty ring and is woken only then, and a thread in synchronize() is
/// woken when the ring drains (or every 512 operations while it keeps filling).
///
/// A thread in synchronize() runs queued operations itself while the progress thread is not running
/// one: the waiting thread is on a core already, where handing each operation to another thread and
/// back costs microseconds of wake-ups when ranks share cores. One operation runs at a time, in queue
/// order, whichever thread runs it (the "turn").
///
/// An operation that has run is retired (destroyed, its slot freed, waiters told) in batches, when the
/// ring drains or every kRetireBatch operations: a task's destruction takes locked instructions (its
/// communicator's reference and pending count), and a locked instruction right after an operation
/// waits until every store of the operation reached its cache line — for a line a peer has just read,
/// a transfer between cores per operation (docs/performance.md, history (9)).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>

#include "grove/grove.h"

/// The object behind groveStream_t.
struct groveStream {
  groveStream();
  ~groveStream();
  groveStream(const groveStream&) = delete;
  groveStream& operator=(const groveStream&) = delete;

  /// Queues `task` (callable as groveResult_t() noexcept); waits while the ring is full. Returns
  /// groveSuccess, or groveSystemError when a task too large for a slot cannot be allocated; errors of
  /// the task itself surface in synchronize() and query(). A task may also offer `groveResult_t
  /// tryRun() noexcept`: runs it when it cannot block and returns its result, else returns
  /// groveInProgress with nothing done (catchUp).
  template <class Task>
  groveResult_t enqueue(Task&& task);
  /// Waits until everything queued before the call has run and been retired (destroyed); returns and
  /// clears the first error.
  groveResult_t synchronize();
  /// groveInProgress while work is pending; otherwise the first error, without clearing it.
  groveResult_t query();
  /// Runs queued operations on the calling thread, in order, while the next one says it can run to its
  /// end at once (a task's tryRun(), see enqueue); true when the stream is then idle. False at once when
  /// another thread is running operations.
  bool catchUp();
  /// True when everything queued has run and been retired (what query() looks at).
  bool idle() const {
    return retired_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire);
  }
  /// Keeps `r` as the stream's first error unless there is one: the error of an operation run on the
  /// caller's thread in the stream's place (runInline in collectives/comm_state.hpp).
  void noteError(groveResult_t r) {
    groveResult_t none = groveSuccess;
    firstError_.compare_exchange_strong(none, r, std::memory_order_acq_rel);
  }

 private:
  static constexpr std::uint32_t kCapacity = 1024;   // a power of two
  static constexpr std::size_t kInlineBytes = 96;    // a collective's arguments fit with room to spare
  static constexpr std::uint32_t kRoomBatch = 512;   // free slots a producer waits for when the ring is full
  static constexpr std::uint32_t kRetireBatch = 32;  // operations run before they are retired together
  enum class Action { kRun, kTryRun, kRetire };
  // Runs the task in place (kTryRun: only if it cannot block, else groveInProgress), or destroys it.
  using TaskFn = groveResult_t (*)(void*, Action) noexcept;

  struct alignas(64) Slot {
    /// Vyukov's sequence: == position when free for that position, position + 1 once published.
    std::atomic<std::uint32_t> sequence;
    TaskFn task;
    alignas(16) unsigned char storage[kInlineBytes];
  };

  template <class F>
  static groveResult_t taskInPlace(void* p, Action action) noexcept {
    F* f = std::launder(static_cast<F*>(p));
    if (action == Action::kRun) return (*f)();
    if (action == Action::kTryRun) {
      if constexpr (requires { f->tryRun(); })
        return f->tryRun();
      else
        return groveInProgress;
    }
    f->~F();
    return groveSuccess;
  }

  Slot& claim();                          // a slot for the next position, waiting for room
  void publish(Slot& slot, TaskFn task);  // makes the slot's task visible and wakes the thread if asleep
  void waitForRetired(std::uint32_t target, bool help);  // until `target` operations have been retired
  bool runnable() const;                                 // a published task waits and nobody is running tasks
  bool takeTurn();                                       // becomes the one running tasks, if nobody is
  bool runNext();  // runs the task at head_, if published, retiring in batches (turn held)
  void retire();   // destroys the tasks that have run, frees their slots, wakes waiters (turn held)
  void endTurn();  // retires what has run, lets the other side run tasks again
  void loop();
  bool idleWait();  // until runnable(); false when stopping with nothing queued

  std::unique_ptr<Slot[]> ring_;
  alignas(64) std::atomic<std::uint32_t> tail_{0};  // next position to claim (producers)
  alignas(64) std::atomic<std::uint32_t> head_{0};  // next position to run (written by the turn's holder)
  std::atomic<std::uint32_t> retired_{0};  // positions before it are retired and free (turn's holder)
  std::atomic<bool> turn_{false};  // held while running tasks: by the progress thread or a waiting caller
  std::atomic<std::uint32_t> retiredWaiters_{0};  // threads asleep in waitForRetired
  std::atomic<std::uint32_t> wakeups_{0};         // what those threads sleep on: raised only to wake them
  alignas(64) std::atomic<std::uint32_t> sleeping_{0};  // 1 while the progress thread sleeps
  std::atomic<bool> stop_{false};
  std::atomic<groveResult_t> firstError_{groveSuccess};
  std::thread thread_;
};

template <class Task>
groveResult_t groveStream::enqueue(Task&& task) {
  using F = std::decay_t<Task>;
  static_assert(std::is_nothrow_invocable_r_v<groveResult_t, F&>, "stream tasks cannot throw");
  if constexpr (sizeof(F) <= kInlineBytes && alignof(F) <= 16) {
    // A claimed slot must be published: nothing may throw between the two.
    static_assert(std::is_nothrow_constructible_v<F, Task&&>, "pass stream tasks as rvalues");
    Slot& slot = claim();
    ::new (slot.storage) F(std::forward<Task>(task));
    publish(slot, &taskInPlace<F>);
  } else {
    // Larger than a slot: the slot holds a pointer to it.
    struct Boxed {
      std::unique_ptr<F> f;
      groveResult_t operator()() noexcept { return (*f)(); }
    };
    std::unique_ptr<F> boxed(new (std::nothrow) F(std::forward<Task>(task)));
    if (!boxed) return groveSystemError;
    Slot& slot = claim();
    ::new (slot.storage) Boxed{std::move(boxed)};
    publish(slot, &taskInPlace<Boxed>);
  }
  return groveSuccess;
}
