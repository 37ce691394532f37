#include "grove/shared_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <utility>

#include "grove/error.hpp"

namespace grove {
namespace {

std::atomic<std::uint64_t> nextSerial{1};

void* mapShared(int fd, std::size_t bytes, bool populate) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, 0);
  if (p == MAP_FAILED) throwSystemError("mmap of a shared segment");
  return p;
}

}  // namespace

SharedSegment SharedSegment::create(std::size_t bytes, const char* label, bool populate) {
  if (bytes == 0) bytes = 1;
  int fd = ::memfd_create(label, MFD_CLOEXEC);
  if (fd < 0) throwSystemError("memfd_create");
  if (::ftruncate(fd, static_cast<off_t>(bytes)) != 0) {
    ::close(fd);
    throwSystemError("ftruncate of a shared segment");
  }
  SharedSegment s;
  try {
    s.data_ = mapShared(fd, bytes, populate);
  } catch (...) {
    ::close(fd);
    throw;
  }
  s.size_ = bytes;
  s.fd_ = fd;
  s.handle_ = SegmentHandle{static_cast<std::int32_t>(::getpid()), fd, bytes, nextSerial.fetch_add(1)};
  return s;
}

SharedSegment SharedSegment::map(const SegmentHandle& handle, bool populate) {
  std::string path = "/proc/" + std::to_string(handle.pid) + "/fd/" + std::to_string(handle.fd);
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throwSystemError("cannot open peer segment " + path);
  SharedSegment s;
  try {
    s.data_ = mapShared(fd, handle.size, populate);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);  // the mapping keeps the memory alive
  s.size_ = handle.size;
  s.handle_ = handle;
  return s;
}

SharedSegment::SharedSegment(SharedSegment&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      fd_(std::exchange(o.fd_, -1)),
      handle_(o.handle_) {}

SharedSegment& SharedSegment::operator=(SharedSegment&& o) noexcept {
  if (this != &o) {
    this->~SharedSegment();
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    fd_ = std::exchange(o.fd_, -1);
    handle_ = o.handle_;
  }
  return *this;
}

SharedSegment::~SharedSegment() {
  if (data_) ::munmap(data_, size_);
  closeHandle();
  data_ = nullptr;
}

void SharedSegment::closeHandle() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace grove
