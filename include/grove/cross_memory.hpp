/// @file cross_memory.hpp
/// Single-copy reads from another process's private memory (Linux cross-memory attach,
/// process_vm_readv). Buffers from malloc cannot be mapped by peers; with this the kernel copies them
/// straight into the reader's buffer, one copy instead of the two a staging area needs.
///
/// Needs permission to inspect the other process (same user, and ptrace not restricted by Yama or a
/// container's seccomp profile); probe with crossMemoryUsable() before relying on it.
#pragma once

#include <cstddef>

namespace grove {

/// Copies `bytes` from address `remote` in process `pid` to `local`. Throws Error(groveRemoteError)
/// when the process is gone or exiting, or no longer maps `remote` (a peer that gave up on the call
/// and freed its buffer, or a killed process, whose memory disappears before the process does), and
/// Error(groveSystemError) naming the cause for anything else (the kernel refuses, `local` is not
/// writable).
void crossMemoryRead(int pid, const void* remote, void* local, std::size_t bytes);

/// One system call of crossMemoryRead: copies at most `bytes` and returns how many it copied (at least
/// one), so a caller can interleave long reads with other work. Errors as crossMemoryRead.
std::size_t crossMemoryReadSome(int pid, const void* remote, void* local, std::size_t bytes);

/// True when process `pid` does not exist, has exited (a zombie), or is exiting (/proc/<pid>/stat).
bool processExiting(int pid);

/// True when reading `bytes` at `remote` in process `pid` works and returns `expected` (a probe: never
/// throws).
bool crossMemoryUsable(int pid, const void* remote, const void* expected, std::size_t bytes);

}  // namespace grove
