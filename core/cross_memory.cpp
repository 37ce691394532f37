#include "grove/cross_memory.hpp"

#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "grove/error.hpp"

namespace grove {

std::size_t crossMemoryReadSome(int pid, const void* remote, void* local, std::size_t bytes) {
  iovec to{local, bytes};
  iovec from{const_cast<void*>(remote), bytes};
  for (;;) {
    const ssize_t n = ::process_vm_readv(pid, &to, 1, &from, 1, 0);
    if (n > 0) return static_cast<std::size_t>(n);
    const int err = n < 0 ? errno : EFAULT;
    if (err == EINTR) continue;
    if (err == ESRCH) throw Error(groveRemoteError, "peer process " + std::to_string(pid) + " is gone");
    throw Error(groveSystemError, "cross-memory read of " + std::to_string(bytes) + " bytes from process " +
                                      std::to_string(pid) + " failed: " + std::strerror(err));
  }
}

void crossMemoryRead(int pid, const void* remote, void* local, std::size_t bytes) {
  char* dst = static_cast<char*>(local);
  const char* src = static_cast<const char*>(remote);
  // The kernel may copy less than asked (it works in batches of pages); continue where it stopped.
  while (bytes > 0) {
    const std::size_t n = crossMemoryReadSome(pid, src, dst, bytes);
    dst += n;
    src += n;
    bytes -= n;
  }
}

bool crossMemoryUsable(int pid, const void* remote, const void* expected, std::size_t bytes) {
  std::vector<char> got(bytes);
  iovec to{got.data(), bytes};
  iovec from{const_cast<void*>(remote), bytes};
  const ssize_t n = ::process_vm_readv(pid, &to, 1, &from, 1, 0);
  return n == static_cast<ssize_t>(bytes) && std::memcmp(got.data(), expected, bytes) == 0;
}

}  // namespace grove
