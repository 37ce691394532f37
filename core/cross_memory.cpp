#include "grove/cross_memory.hpp"

#include <sys/uio.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "grove/error.hpp"

namespace grove {

bool processExiting(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return true;  // no such process (any more)
  char line[1024];
  const bool read = std::fgets(line, sizeof line, f) != nullptr;
  std::fclose(f);
  if (!read) return true;
  // "pid (comm) state ppid pgrp session tty tpgid flags ...": comm may hold spaces and parentheses.
  const char* rest = std::strrchr(line, ')');
  char state = 0;
  unsigned long flags = 0;
  if (rest == nullptr || std::sscanf(rest + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2)
    return false;
  constexpr unsigned long kPfExiting = 0x4;  // PF_EXITING in the kernel's task flags
  return state == 'Z' || state == 'X' || state == 'x' || (flags & kPfExiting) != 0;
}

namespace {

// Whether the first byte at `remote` in process `pid` is readable: after an EFAULT, tells the peer's
// range (unmapped there) from the local buffer.
bool remoteByteReadable(int pid, const void* remote) {
  char byte;
  iovec to{&byte, 1};
  iovec from{const_cast<void*>(remote), 1};
  ssize_t n;
  do n = ::process_vm_readv(pid, &to, 1, &from, 1, 0);
  while (n < 0 && errno == EINTR);
  return n == 1;
}

}  // namespace

std::size_t crossMemoryReadSome(int pid, const void* remote, void* local, std::size_t bytes) {
  iovec to{local, bytes};
  iovec from{const_cast<void*>(remote), bytes};
  for (;;) {
    const ssize_t n = ::process_vm_readv(pid, &to, 1, &from, 1, 0);
    if (n > 0) return static_cast<std::size_t>(n);
    const int err = n < 0 ? errno : EFAULT;
    if (err == EINTR) continue;
    if (err == ESRCH || (err == EFAULT && processExiting(pid)))
      throw Error(groveRemoteError, "peer process " + std::to_string(pid) + " is gone");
    // The peer offered memory it no longer has: it gave up on the call (its call failed, and its buffer
    // was freed) or it is on its way out (a killed process loses its mappings before its address space).
    if (err == EFAULT && !remoteByteReadable(pid, remote))
      throw Error(groveRemoteError,
                  "peer process " + std::to_string(pid) +
                      " no longer maps the buffer it offered (freed, or the process is exiting)");
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
