#include "collectives/comm_state.hpp"

#include <new>

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

groveResult_t runOn(const std::shared_ptr<CommState>& state, groveStream_t stream,
                    std::function<void(Engine&)> body) {
  auto task = [state, body = std::move(body)]() -> groveResult_t {
    groveResult_t broken = state->asyncError.load();
    if (broken != groveSuccess)
      return state->fail(
          broken, "the communicator failed earlier and must be destroyed: " + [&] {
            std::lock_guard<std::mutex> lock(state->errorMutex);
            return state->lastError;
          }());
    try {
      body(*state->engine);
      return groveSuccess;
    } catch (const Error& e) {
      return state->fail(e.code(), e.what());
    } catch (const std::bad_alloc&) {
      return state->fail(groveSystemError, "out of memory");
    } catch (const std::exception& e) {
      return state->fail(groveInternalError, std::string("internal error: ") + e.what());
    }
  };
  if (stream == nullptr) return task();
  return stream->enqueue(std::move(task));
}

}  // namespace grove::coll
