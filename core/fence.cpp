#include "grove/fence.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>

namespace grove {

namespace detail {
std::atomic<bool> asymmetricFences{false};
}  // namespace detail

namespace {

long membarrier(int cmd) { return ::syscall(__NR_membarrier, cmd, 0, 0); }

}  // namespace

bool enableAsymmetricFences() {
  static std::once_flag once;
  std::call_once(once, [] {
    const long supported = membarrier(MEMBARRIER_CMD_QUERY);
    const long needed = MEMBARRIER_CMD_GLOBAL_EXPEDITED | MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED;
    // Registered first, announced after: until the flag is set this process uses full fences.
    if (supported > 0 && (supported & needed) == needed &&
        membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0)
      detail::asymmetricFences.store(true, std::memory_order_release);
  });
  return detail::asymmetricFences.load(std::memory_order_acquire);
}

void heavyFence() {
  fullFence();
  // Also issued by a process that is not registered itself: the raisers it must reach may be.
  membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED);
  fullFence();
}

}  // namespace grove
