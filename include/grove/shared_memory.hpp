/// @file shared_memory.hpp
/// Shared-memory segments that other processes of the same host can map.
///
/// A segment is an anonymous memfd: it has no name in /dev/shm, so nothing can be left behind even when
/// a process is killed with SIGKILL; the kernel frees it when the last mapping goes. A peer maps it by
/// opening /proc/<owner pid>/fd/<fd>, which the kernel allows only to processes that may inspect the
/// owner (same user, or root): the same protection a 0600 POSIX segment gives. The owner closes its fd
/// as soon as its peers have mapped the segment (SharedSegment::closeHandle), the memfd equivalent of
/// shm_unlink.
#pragma once

#include <cstddef>
#include <cstdint>

namespace grove {

/// What a peer needs to map a segment: plain data, sent through the bootstrap.
struct SegmentHandle {
  std::int32_t pid = 0;      ///< Owner process.
  std::int32_t fd = -1;      ///< memfd in the owner.
  std::uint64_t size = 0;    ///< Bytes.
  std::uint64_t serial = 0;  ///< Unique per process: tells a reused fd number from the old segment.
};

/// A mapped shared-memory segment (owned or a peer's). Move-only; unmaps on destruction.
class SharedSegment {
 public:
  SharedSegment() = default;
  /// Creates and maps `bytes` of zeroed shared memory; `label` names it in /proc/<pid>/maps. With
  /// `populate`, every page is allocated and mapped now instead of at its first touch (a page fault per
  /// 4 KiB: worth it for memory that every rank will touch soon, like a communicator's workspace).
  static SharedSegment create(std::size_t bytes, const char* label, bool populate = false);
  /// Maps a peer's segment (`populate` as for create()). Throws Error(groveSystemError) if the owner is
  /// gone or refuses access.
  static SharedSegment map(const SegmentHandle& handle, bool populate = false);

  SharedSegment(SharedSegment&& other) noexcept;
  SharedSegment& operator=(SharedSegment&& other) noexcept;
  SharedSegment(const SharedSegment&) = delete;
  SharedSegment& operator=(const SharedSegment&) = delete;
  ~SharedSegment();

  void* data() const { return data_; }
  std::size_t size() const { return size_; }
  /// The handle peers use to map this segment (valid until closeHandle()).
  SegmentHandle handle() const { return handle_; }
  /// Closes the owner's fd once peers have mapped: afterwards nobody new can map it.
  void closeHandle();

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
  int fd_ = -1;
  SegmentHandle handle_;
};

}  // namespace grove
