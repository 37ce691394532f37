#include "collectives/comm_state.hpp"

#include <new>
#include <thread>

#include "collectives/stream.hpp"
#include "grove/env.hpp"
#include "grove/error.hpp"

namespace grove::coll {
namespace {

thread_local std::string threadError;

bool isFatal(groveResult_t code) {
  return code == groveTimeout || code == groveRemoteError || code == groveSystemError ||
         code == groveInternalError;
}

}  // namespace

CommState::~CommState() {
  for (void* h : handles) delete static_cast<RegisteredMemory*>(h);  // never deregistered by the caller
}

groveResult_t CommState::fail(groveResult_t code, const std::string& message) {
  {
    std::lock_guard<std::mutex> lock(errorMutex);
    lastError = message;
  }
  threadError = message;
  if (isFatal(code)) {
    groveResult_t expected = groveSuccess;
    asyncError.compare_exchange_strong(expected, code);
  }
  log(1, "%s", message.c_str());
  return code;
}

groveResult_t failNoComm(groveResult_t code, const std::string& message) {
  threadError = message;
  return code;
}

const char* lastErrorOf(CommState* state) {
  if (state) {
    std::lock_guard<std::mutex> lock(state->errorMutex);
    threadError = state->lastError;
  }
  return threadError.c_str();
}

// The body of runNow and runLocked, inlined into both (a call through the library's PLT on every call
// costs).
[[gnu::always_inline]] static inline groveResult_t runHeld(CommState& state,
                                                           const std::function<void(Engine&)>* slow,
                                                           void (*fast)(Engine&, void*), void* fastArg) {
  groveResult_t broken = state.asyncError.load(std::memory_order_relaxed);
  if (broken != groveSuccess) {
    std::string why;
    {
      std::lock_guard<std::mutex> lock(state.errorMutex);
      why = state.lastError;
    }
    return state.fail(broken, "the communicator failed earlier and must be destroyed: " + why);
  }
  try {
    if (slow)
      (*slow)(*state.engine);
    else
      fast(*state.engine, fastArg);
    // A peer found that an earlier eager call of ours did not match theirs: report it now.
    if (state.engine->lateMismatchPending()) {
      const std::string late = state.engine->takeLateMismatch();
      if (!late.empty()) return state.fail(groveInvalidUsage, late);
    }
    return groveSuccess;
  } catch (const Error& e) {
    state.engine->giveUp();
    return state.fail(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    state.engine->giveUp();
    return state.fail(groveSystemError, "out of memory");
  } catch (const std::exception& e) {
    state.engine->giveUp();
    return state.fail(groveInternalError, std::string("internal error: ") + e.what());
  }
}

groveResult_t runNow(CommState& state, const std::function<void(Engine&)>* slow, void (*fast)(Engine&, void*),
                     void* fastArg) {
  // Held until the result is recorded: groveCommAbort waits for it before it drops the handle.
  std::lock_guard<CallLock> lock(state.engine->callLock());
  return runHeld(state, slow, fast, fastArg);
}

groveResult_t runLocked(CommState& state, const std::function<void(Engine&)>* slow,
                        void (*fast)(Engine&, void*), void* fastArg) {
  return runHeld(state, slow, fast, fastArg);
}

void waitForEmptyCall(CommState& state) {
  // Pairs with runEmpty's lightFence(): the call saw `aborted`, or its raised flag is seen here.
  heavyFence();
  while (state.emptyCallRunning.load(std::memory_order_acquire)) std::this_thread::yield();
}

void waitForQueued(CommState& state) {
  // Each queued operation is itself bounded by the timeout, so this wait is bounded too.
  const std::uint32_t queued = state.streamQueued.load(std::memory_order_acquire);
  for (;;) {
    const std::uint32_t finished = state.streamFinished.load(std::memory_order_acquire);
    if (static_cast<std::int32_t>(finished - queued) >= 0) return;  // (counts wrap)
    state.streamFinished.wait(finished, std::memory_order_acquire);
  }
}

void finishStreamWork(CommState& state) {
  state.streamFinished.fetch_add(1, std::memory_order_acq_rel);
  state.streamFinished.notify_all();  // a system call only when someone waits
}

}  // namespace grove::coll
