/// @file harness.hpp
/// Helpers shared by the C API tests: buffers with guard bytes, a communicator and a stream that clean up
/// after themselves, and a checker that reports mismatches from inside a rank process (a limited number
/// of messages, then a count) and turns them into the rank's exit code.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "grove/grove.h"
#include "reference.hpp"

namespace grove::test {

/// Where a Buffer's bytes live.
enum class MemKind { kHeap, kGroveMem };

/// `bytes` usable bytes surrounded by guard bytes, so a write outside the range is detected. The data
/// pointer is 64-byte aligned plus `misalign` bytes.
class Buffer {
 public:
  static constexpr size_t kGuard = 256;
  explicit Buffer(size_t bytes, MemKind kind = MemKind::kHeap, size_t misalign = 0);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  unsigned char* data() { return data_; }
  const unsigned char* data() const { return data_; }
  size_t size() const { return bytes_; }
  /// Start and size of the whole allocation (guards included), e.g. for groveCommRegister.
  unsigned char* allocation() { return base_; }
  size_t allocationSize() const { return total_; }
  bool ok() const { return base_ != nullptr; }
  /// Fills the usable bytes with a recognisable pattern that no test writes as data.
  void poison();
  bool isPoisoned(size_t from, size_t n) const;
  /// Index of the first damaged guard byte relative to data() (negative: before), or 0 with ok=true.
  bool guardsIntact(long* firstBad = nullptr) const;

 private:
  MemKind kind_;
  size_t bytes_;
  size_t total_ = 0;
  unsigned char* base_ = nullptr;
  unsigned char* data_ = nullptr;
};

/// A communicator destroyed on scope exit (aborted if `abortOnExit`).
class Comm {
 public:
  Comm() = default;
  ~Comm();
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;
  /// groveCommInitRank; prints the error on failure.
  groveResult_t init(const groveUniqueId& id, int nranks, int rank);
  groveComm_t get() const { return comm_; }
  /// Destroys now and reports the result.
  groveResult_t destroy();
  groveResult_t abort();

 private:
  groveComm_t comm_ = nullptr;
};

/// A stream destroyed on scope exit.
class Stream {
 public:
  Stream() = default;
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  groveResult_t create();
  groveStream_t get() const { return stream_; }
  groveResult_t destroy();

 private:
  groveStream_t stream_ = nullptr;
};

/// Collects failures inside one rank process.
class Checker {
 public:
  explicit Checker(int rank) : rank_(rank) {}
  /// Records a failure with a message (printed for the first few only).
  void fail(const std::string& what);
  /// True when got == want; otherwise records what, got and the last error on comm.
  bool result(groveResult_t got, groveResult_t want, const std::string& what, groveComm_t comm = nullptr);
  bool expect(bool cond, const std::string& what);
  /// Compares count elements of type t bit for bit; reports the first mismatches.
  bool elements(const void* got, const void* want, size_t count, groveDataType_t t, const std::string& what);
  /// Compares raw bytes.
  bool bytes(const void* got, const void* want, size_t n, const std::string& what);
  bool guards(const Buffer& b, const std::string& what);
  int failures() const { return failures_; }
  /// Number of element comparisons made (a guard against loops that silently check nothing).
  int comparisons() const { return comparisons_; }
  /// 0 when nothing failed, 1 otherwise (the rank's exit code).
  int exitCode() const { return failures_ == 0 ? 0 : 1; }

 private:
  int rank_;
  int failures_ = 0;
  int printed_ = 0;
  int comparisons_ = 0;
};

/// Placement of the buffers and the stream used by one case.
struct Variant {
  bool inPlace;
  bool onStream;
};
/// Out-of-place/in-place x NULL stream/real stream.
extern const std::vector<Variant> kAllVariants;
std::string describe(const Variant& v);

/// Finishes a call made on `stream` (synchronize) or returns r for the NULL stream.
groveResult_t complete(groveResult_t r, groveStream_t stream);

/// Names of the entries of /dev/shm.
std::set<std::string> listDevShm();
/// Entries in `after` but not in `before` that are still there after a short settle time.
std::vector<std::string> newShmEntries(const std::set<std::string>& before);
/// Live processes whose parent is this process (zombies excluded).
std::vector<int> liveChildren();

/// Sets an environment variable for the lifetime of the object (rank processes forked meanwhile inherit
/// it) and restores the previous state afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_, old_;
  bool had_ = false;
};

/// Milliseconds since `start`.
double elapsedMs(std::chrono::steady_clock::time_point start);

/// printf-style std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace grove::test
