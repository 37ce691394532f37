/// @file comm_state.hpp
/// What a groveComm_t points to, and how C API calls run: argument checks, error bookkeeping, and
/// execution on the caller's thread or on a stream's progress thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include "collectives/engine.hpp"
#include "collectives/stream.hpp"
#include "grove/fence.hpp"
#include "grove/grove.h"

namespace grove::coll {

/// Shared by the handle and by queued stream work, so destroying a communicator never frees state that
/// a progress thread is still using.
struct CommState {
  std::unique_ptr<Engine> engine;
  std::mutex errorMutex;
  std::string lastError;
  std::atomic<groveResult_t> asyncError{groveSuccess};
  std::atomic<bool> aborted{false};
  /// Raised while a call with count 0 runs its short path (runEmpty), which takes no call lock:
  /// groveCommAbort waits for it to drop before it releases the state (waitForEmptyCall).
  std::atomic<bool> emptyCallRunning{false};
  /// Stream operations of this communicator, queued (by callers) and finished (by progress threads),
  /// counted apart so that neither side writes the other's cache line on every call. A NULL-stream call
  /// waits until they are equal, so calls run in the order the caller issued them (like a legacy default
  /// stream).
  alignas(64) std::atomic<std::uint32_t> streamQueued{0};
  alignas(64) std::atomic<std::uint32_t> streamFinished{0};
  /// Registration handles given out by groveCommRegister and not yet deregistered.
  std::mutex handlesMutex;
  std::set<void*> handles;

  ~CommState();
  /// Records `message` as the last error; fatal codes also break the communicator for good.
  groveResult_t fail(groveResult_t code, const std::string& message);
};

/// Records a message for calls that have no communicator (thread-local).
groveResult_t failNoComm(groveResult_t code, const std::string& message);
/// Thread-local copy of the last message, valid until the next call on this thread.
const char* lastErrorOf(CommState* state);

/// Whether stream work of `state` is queued and not finished.
inline bool streamWorkPending(const CommState& state) {
  const std::uint32_t queued = state.streamQueued.load(std::memory_order_acquire);
  return state.streamFinished.load(std::memory_order_acquire) != queued;
}

/// Waits until no stream work of `state` is pending (a NULL-stream call keeps issue order).
void waitForQueued(CommState& state);

/// Waits until no call with count 0 runs its short path; called by groveCommAbort after it set `aborted`.
void waitForEmptyCall(CommState& state);

/// Runs a call on this thread, mapping exceptions to results recorded on `state`: `slow` when given,
/// else fast(engine, fastArg).
groveResult_t runNow(CommState& state, const std::function<void(Engine&)>* slow, void (*fast)(Engine&, void*),
                     void* fastArg);
/// runNow() for a caller that holds the call lock already.
groveResult_t runLocked(CommState& state, const std::function<void(Engine&)>* slow,
                        void (*fast)(Engine&, void*), void* fastArg);
/// What a call returns when it has nothing left to run: a failure recorded earlier, a mismatch a peer
/// found in an earlier eager call of ours, or success (runNow with an empty body).
inline groveResult_t reportPending(CommState& state) {
  return runNow(
      state, nullptr, [](Engine&, void*) {}, nullptr);
}

/// Counts one stream operation of `state` as finished; wakes NULL-stream calls waiting for it.
void finishStreamWork(CommState& state);

/// A queued operation's hold on its communicator: keeps the state alive, and counts the operation as
/// finished when the stream retires (destroys) the task, after it ran and left the call lock (runEmpty
/// relies on that order). Retiring happens in batches, away from the operation's own stores.
class StreamWork {
 public:
  explicit StreamWork(const std::shared_ptr<CommState>& state) : state_(state) {
    state_->streamQueued.fetch_add(1, std::memory_order_relaxed);
  }
  StreamWork(StreamWork&&) noexcept = default;
  StreamWork& operator=(StreamWork&&) = delete;
  ~StreamWork() {
    if (state_) finishStreamWork(*state_);
  }
  CommState& state() const { return *state_; }

 private:
  std::shared_ptr<CommState> state_;  // null once moved from
};

/// Runs `body` under the call lock when nobody holds it, the communicator has not failed, and
/// ready(engine) says the call runs to its end without waiting for any peer; else returns groveInProgress
/// with nothing done. An error of the call is returned (and recorded on `state`).
template <class Ready, class Body>
groveResult_t tryRunNow(CommState& state, const Ready& ready, Body& body) {
  CallLock& lock = state.engine->callLock();
  if (!lock.try_lock()) return groveInProgress;
  if (state.asyncError.load(std::memory_order_relaxed) != groveSuccess || !ready(*state.engine)) {
    lock.unlock();
    return groveInProgress;
  }
  auto fast = [](Engine& e, void* arg) { (*static_cast<Body*>(arg))(e); };
  const groveResult_t r = runLocked(state, nullptr, fast, &body);
  lock.unlock();
  return r;
}

/// The `ready` of a call that cannot tell whether it would wait: it always runs from the queue.
struct NoReadyCheck {};

/// A queued call: `body` (void(Engine&)) and, for calls that can tell when they would not wait, `ready`
/// (bool(Engine&), as for tryRunNow), which lets a caller catching up run it (groveStream::catchUp).
template <class Body, class Ready>
struct QueuedCall {
  StreamWork work;
  Body body;
  [[no_unique_address]] Ready ready;
  groveResult_t operator()() noexcept {
    auto fast = [](Engine& e, void* arg) { (*static_cast<Body*>(arg))(e); };
    return runNow(work.state(), nullptr, fast, &body);
  }
  groveResult_t tryRun() noexcept requires(!std::is_same_v<Ready, NoReadyCheck>) {
    return tryRunNow(work.state(), ready, body);
  }
};

/// Queues `body` (void(Engine&)) on `stream`; the task keeps `state` alive. No allocation: the task
/// lives in a slot of the stream's ring. `ready` as in QueuedCall.
template <class Body, class Ready = NoReadyCheck>
groveResult_t enqueueOn(const std::shared_ptr<CommState>& state, groveStream_t stream, Body&& body,
                        Ready ready = {}) {
  using B = std::decay_t<Body>;
  // When the task cannot be queued, the StreamWork in this temporary (never moved from then) counts it
  // finished as the temporary is destroyed.
  const groveResult_t queued =
      stream->enqueue(QueuedCall<B, Ready>{StreamWork(state), B(std::forward<Body>(body)), ready});
  if (queued == groveSuccess) return groveSuccess;
  return state->fail(queued, "out of memory queuing an operation on a stream");
}

/// Runs `body` on the caller's thread (stream == nullptr) or queues it on `stream`. Maps exceptions to
/// results and records them on `state`. The NULL-stream path makes no allocation: small calls are
/// latency-bound.
template <class Body>
groveResult_t runOn(const std::shared_ptr<CommState>& state, groveStream_t stream, Body&& body) {
  if (stream != nullptr) return enqueueOn(state, stream, std::forward<Body>(body));
  using B = std::remove_reference_t<Body>;
  auto fast = [](Engine& e, void* arg) { (*static_cast<B*>(arg))(e); };
  if (streamWorkPending(*state)) {
    // Waiting for stream work, without the call lock: groveCommAbort from another thread may drop the
    // handle's reference meanwhile, so hold one of our own.
    std::shared_ptr<CommState> keep = state;
    waitForQueued(*keep);
    return runNow(*keep, nullptr, fast, &body);
  }
  // No reference of our own on the common path (its atomic increment and decrement would cost a
  // cache-line round trip per call): groveCommAbort takes the call lock before it drops the handle's.
  return runNow(*state, nullptr, fast, &body);
}

/// A call on `stream` that cannot block the caller runs at once on the caller's thread instead of being
/// queued: when nothing is pending on the stream or on the communicator (so the call keeps its place in
/// the order of calls; calls queued before it that can run at once are run first, here), nobody holds
/// the call lock, and ready(engine), asked under the lock, says the call runs to its end without
/// waiting for any peer (Engine::eagerRunsNow: eager calls whose data is there). Handing it to the
/// progress thread would cost more than running it: the thread shares the caller's core when ranks
/// have one each (docs/architecture.md, "Streams"). An error is kept for the stream's synchronize, as a
/// queued call's would be. Returns false, with nothing done, otherwise.
template <class Ready, class Body>
bool runInline(CommState& state, groveStream_t stream, const Ready& ready, Body& body) {
  // Ranks sharing cores cannot wait for a peer's post even briefly (the peer may need this core), so
  // their calls are seldom ready: at 4 and 8 ranks on 2 cores, 90-99 % of small broadcasts and reduces
  // found their stream behind, and trying to catch it up only added to each call.
  if (state.engine->oversubscribed()) return false;
  if (!stream->idle() && !stream->catchUp()) return false;
  if (streamWorkPending(state)) return false;
  const groveResult_t r = tryRunNow(state, ready, body);
  if (r == groveInProgress) return false;
  if (r != groveSuccess) stream->noteError(r);
  return true;
}

/// runOn() for a small broadcast or reduce, which may run on the caller's thread (runInline), or, queued,
/// on a thread catching up (QueuedCall).
template <class Ready, class Body>
groveResult_t runOnOrInline(const std::shared_ptr<CommState>& state, groveStream_t stream, const Ready& ready,
                            Body& body) {
  if (stream == nullptr) return runOn(state, stream, body);
  if (runInline(*state, stream, ready, body)) return groveSuccess;
  return enqueueOn(state, stream, body, ready);
}

/// The path of the smallest calls: runs `body` (bool(Engine&), which cannot throw) on the caller's
/// thread under the call lock, without runNow's error mapping. Returns false, with nothing done, when
/// stream work is pending or when the body returns false (the caller then takes the general path).
/// Returns true with `result` set otherwise; a failure recorded earlier, or a mismatch a peer found in
/// an earlier eager call of ours, is reported through runNow as usual.
template <class Body>
bool runQuick(CommState& state, Body&& body, groveResult_t& result) {
  static_assert(noexcept(body(std::declval<Engine&>())), "runQuick bodies cannot throw");
  if (streamWorkPending(state)) return false;
  {
    std::lock_guard<CallLock> lock(state.engine->callLock());
    if (state.asyncError.load(std::memory_order_relaxed) == groveSuccess) {
      if (!body(*state.engine)) return false;
      if (!state.engine->lateMismatchPending()) [[likely]] {
        result = groveSuccess;
        return true;
      }
    }
  }
  // The failure, or the late mismatch, is what the call returns.
  result = reportPending(state);
  return true;
}

/// A call with count 0 on the caller's thread: joins the run of such calls (Engine::foldEmptyQuick)
/// without the call lock. False when it must take the general path (a stream, stream work pending, a
/// full run, eager calls off). `d` must be what the algorithm's own entry point builds: a rank on the
/// general path compares it with the others' (test Eager.EmptyCallsOnAStreamMatchTheShortPath).
///
/// Why no lock: its atomic exchange was 6 of the 11 ns such a call took, where MPI's takes 3. The lock
/// serializes a call with stream work and with groveCommAbort. Stream work of this communicator is
/// ruled out by streamWorkPending (a stream task counts itself finished after it left the lock), and calls
/// from two threads at once on one communicator are not allowed. groveCommAbort is met by a flag and
/// asymmetric fences (grove/fence.hpp): this side raises `emptyCallRunning` and then looks at `aborted`;
/// abort raises `aborted`, runs heavyFence() and waits for the flag to drop, so either this call sees the
/// abort or abort sees the call and waits for it.
inline bool runEmpty(CommState& state, groveStream_t stream, const CallDesc& d, groveResult_t& result) {
  if (stream != nullptr || streamWorkPending(state)) return false;
  Engine& e = *state.engine;
  state.emptyCallRunning.store(true, std::memory_order_relaxed);
  lightFence();
  bool handled = true;
  if (state.aborted.load(std::memory_order_relaxed) ||
      state.asyncError.load(std::memory_order_relaxed) != groveSuccess) [[unlikely]] {
    // The failure is what the call returns (abort waits for the flag meanwhile).
    result = reportPending(state);
  } else if (!e.keepsEmptyRuns() || !e.foldEmptyQuick(d)) {
    handled = false;
  } else if (e.lateMismatchPending()) [[unlikely]] {
    // A peer found that an earlier eager call of ours did not match: this call reports it, as any call.
    result = reportPending(state);
  } else {
    result = groveSuccess;
  }
  state.emptyCallRunning.store(false, std::memory_order_release);
  return handled;
}

}  // namespace grove::coll

/// The handle behind groveComm_t.
struct groveComm {
  std::shared_ptr<grove::coll::CommState> state;
};
