#include "grove/semaphore.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include "grove/error.hpp"

namespace grove {
namespace {

// The futex watches the low 32 bits of the 64-bit value (little-endian layout).
std::uint32_t* futexWord(const SemaphoreWord* w) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "futex word assumes little endian");
  return reinterpret_cast<std::uint32_t*>(const_cast<std::atomic<std::uint64_t>*>(&w->value));
}

bool processAlive(int pid) { return pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH; }

}  // namespace

void semaphoreRaise(SemaphoreWord* word, std::uint64_t value) {
  // seq_cst store then seq_cst load of `waiters`: pairs with the waiter's increment-then-check, so a
  // sleeper either sees the new value or is woken (no lost wake-up).
  word->value.store(value, std::memory_order_seq_cst);
  if (word->waiters.load(std::memory_order_seq_cst) > 0)
    ::syscall(SYS_futex, futexWord(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

void semaphoreRing(SemaphoreWord* word) {
  word->value.fetch_add(1, std::memory_order_seq_cst);
  if (word->waiters.load(std::memory_order_seq_cst) > 0)
    ::syscall(SYS_futex, futexWord(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

void semaphoreWait(const SemaphoreWord* word, std::uint64_t target, const WaitPolicy& policy) {
  for (int i = 0; i < policy.spinIterations; ++i) {
    if (word->value.load(std::memory_order_acquire) >= target) return;
    cpuRelax();
  }
  for (int i = 0; i < 8; ++i) {
    if (word->value.load(std::memory_order_acquire) >= target) return;
    ::sched_yield();
  }
  auto* mutableWord = const_cast<SemaphoreWord*>(word);
  int checks = 0;
  for (;;) {
    std::uint64_t seen = word->value.load(std::memory_order_acquire);
    if (seen >= target) return;
    auto now = std::chrono::steady_clock::now();
    if (now >= policy.deadline)
      throw Error(groveTimeout, "timed out waiting for a peer (GROVE_TIMEOUT_MS); value " +
                                    std::to_string(seen) + ", expected " + std::to_string(target));
    if (policy.cancel && policy.cancel->load(std::memory_order_relaxed))
      throw Error(groveRemoteError, "the wait was cancelled: the communicator was aborted");
    if ((++checks & 15) == 0 && !processAlive(policy.peerPid))
      throw Error(groveRemoteError, "peer process " + std::to_string(policy.peerPid) + " died");
    // Sleep at most 1 ms at a time: short enough to notice a dead peer and the deadline promptly.
    mutableWord->waiters.fetch_add(1, std::memory_order_seq_cst);
    if (word->value.load(std::memory_order_seq_cst) == seen) {
      timespec ts{0, 1000000};
      ::syscall(SYS_futex, futexWord(word), FUTEX_WAIT, static_cast<std::uint32_t>(seen), &ts, nullptr, 0);
    }
    mutableWord->waiters.fetch_sub(1, std::memory_order_seq_cst);
  }
}

}  // namespace grove
