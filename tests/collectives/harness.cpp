#include "harness.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace grove::test {

namespace {
constexpr unsigned char kPoison = 0xCD;
unsigned char guardByte(size_t i) { return static_cast<unsigned char>(0xA5 ^ (i * 31)); }
constexpr int kMaxPrinted = 12;
}  // namespace

Buffer::Buffer(size_t bytes, MemKind kind, size_t misalign) : kind_(kind), bytes_(bytes) {
  total_ = kGuard + 64 + bytes + kGuard;
  if (kind == MemKind::kGroveMem) {
    void* p = nullptr;
    if (groveMemAlloc(&p, total_) != groveSuccess) {
      std::fprintf(stderr, "groveMemAlloc(%zu) failed: %s\n", total_, groveGetLastError(nullptr));
      return;
    }
    base_ = static_cast<unsigned char*>(p);
  } else {
    base_ = static_cast<unsigned char*>(std::malloc(total_));
    if (base_ == nullptr) return;
  }
  const uintptr_t start = reinterpret_cast<uintptr_t>(base_) + kGuard;
  const uintptr_t aligned = (start + 63) & ~uintptr_t{63};
  data_ = reinterpret_cast<unsigned char*>(aligned + misalign % 64);
  for (size_t i = 0; i < total_; ++i) base_[i] = guardByte(i);
  poison();
}

Buffer::~Buffer() {
  if (base_ == nullptr) return;
  if (kind_ == MemKind::kGroveMem)
    groveMemFree(base_);
  else
    std::free(base_);
}

void Buffer::poison() {
  if (data_ != nullptr) std::memset(data_, kPoison, bytes_);
}

bool Buffer::isPoisoned(size_t from, size_t n) const {
  for (size_t i = from; i < from + n; ++i)
    if (data_[i] != kPoison) return false;
  return true;
}

bool Buffer::guardsIntact(long* firstBad) const {
  const size_t lo = static_cast<size_t>(data_ - base_);
  const size_t hi = lo + bytes_;
  auto check = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      if (base_[i] != guardByte(i)) {
        if (firstBad) *firstBad = static_cast<long>(i) - static_cast<long>(lo);
        return false;
      }
    }
    return true;
  };
  return check(0, lo) && check(hi, total_);
}

Comm::~Comm() {
  if (comm_ != nullptr) groveCommDestroy(comm_);
}

groveResult_t Comm::init(const groveUniqueId& id, int nranks, int rank) {
  const groveResult_t r = groveCommInitRank(&comm_, nranks, id, rank);
  if (r != groveSuccess) {
    std::fprintf(stderr, "rank %d/%d: groveCommInitRank: %s: %s\n", rank, nranks, groveGetErrorString(r),
                 groveGetLastError(nullptr));
    comm_ = nullptr;
  }
  return r;
}

groveResult_t Comm::destroy() {
  const groveResult_t r = groveCommDestroy(comm_);
  comm_ = nullptr;
  return r;
}

groveResult_t Comm::abort() {
  const groveResult_t r = groveCommAbort(comm_);
  comm_ = nullptr;
  return r;
}

Stream::~Stream() {
  if (stream_ != nullptr) groveStreamDestroy(stream_);
}

groveResult_t Stream::create() {
  const groveResult_t r = groveStreamCreate(&stream_);
  if (r != groveSuccess) {
    std::fprintf(stderr, "groveStreamCreate: %s: %s\n", groveGetErrorString(r), groveGetLastError(nullptr));
    stream_ = nullptr;
  }
  return r;
}

groveResult_t Stream::destroy() {
  const groveResult_t r = groveStreamDestroy(stream_);
  stream_ = nullptr;
  return r;
}

void Checker::fail(const std::string& what) {
  ++failures_;
  if (printed_ < kMaxPrinted) {
    ADD_FAILURE() << "rank " << rank_ << ": " << what;
  } else if (printed_ == kMaxPrinted) {
    ADD_FAILURE() << "rank " << rank_ << ": further failures not printed";
  }
  ++printed_;
}

bool Checker::result(groveResult_t got, groveResult_t want, const std::string& what, groveComm_t comm) {
  if (got == want) return true;
  fail(format("%s: returned %d (%s), expected %d (%s); last error: %s", what.c_str(), got,
              groveGetErrorString(got), want, groveGetErrorString(want), groveGetLastError(comm)));
  return false;
}

bool Checker::expect(bool cond, const std::string& what) {
  if (!cond) fail(what);
  return cond;
}

bool Checker::elements(const void* got, const void* want, size_t count, groveDataType_t t,
                       const std::string& what) {
  const size_t size = ref::typeSize(t);
  ++comparisons_;
  if (count == 0 || std::memcmp(got, want, count * size) == 0) return true;  // empty vectors may be NULL
  size_t wrong = 0, first = count;
  std::ostringstream detail;
  int shown = 0;
  for (size_t i = 0; i < count; ++i) {
    if (std::memcmp(static_cast<const char*>(got) + i * size, static_cast<const char*>(want) + i * size,
                    size) == 0)
      continue;
    if (first == count) first = i;
    ++wrong;
    if (shown++ < 3)
      detail << "\n    [" << i << "] got " << ref::describeElement(t, got, i) << ", expected "
             << ref::describeElement(t, want, i);
  }
  fail(format("%s: %zu of %zu elements wrong (first at %zu)", what.c_str(), wrong, count, first) +
       detail.str());
  return false;
}

bool Checker::bytes(const void* got, const void* want, size_t n, const std::string& what) {
  if (n == 0 || std::memcmp(got, want, n) == 0) return true;
  size_t first = 0;
  while (static_cast<const unsigned char*>(got)[first] == static_cast<const unsigned char*>(want)[first])
    ++first;
  fail(format("%s: bytes differ from offset %zu of %zu (got 0x%02x, expected 0x%02x)", what.c_str(), first, n,
              static_cast<const unsigned char*>(got)[first], static_cast<const unsigned char*>(want)[first]));
  return false;
}

bool Checker::guards(const Buffer& b, const std::string& what) {
  long bad = 0;
  if (b.guardsIntact(&bad)) return true;
  fail(format("%s: byte written outside the buffer, at offset %ld (buffer is %zu bytes)", what.c_str(), bad,
              b.size()));
  return false;
}

const std::vector<Variant> kAllVariants = {{false, false}, {true, false}, {false, true}, {true, true}};

std::string describe(const Variant& v) {
  return std::string(v.inPlace ? "in-place" : "out-of-place") + (v.onStream ? ", stream" : ", NULL stream");
}

groveResult_t complete(groveResult_t r, groveStream_t stream) {
  if (r != groveSuccess || stream == nullptr) return r;
  return groveStreamSynchronize(stream);
}

std::set<std::string> listDevShm() {
  std::set<std::string> names;
  if (DIR* d = ::opendir("/dev/shm")) {
    while (dirent* e = ::readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.insert(e->d_name);
    ::closedir(d);
  }
  return names;
}

std::vector<std::string> newShmEntries(const std::set<std::string>& before) {
  // Other test binaries may run at the same time and create their own segments briefly: only entries
  // that are still present after a settle time count.
  std::set<std::string> now = listDevShm();
  std::vector<std::string> added;
  for (const std::string& n : now)
    if (!before.count(n)) added.push_back(n);
  if (added.empty()) return added;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::set<std::string> later = listDevShm();
  std::vector<std::string> persistent;
  for (const std::string& n : added)
    if (later.count(n)) persistent.push_back(n);
  return persistent;
}

std::vector<int> liveChildren() {
  std::vector<int> out;
  const int self = static_cast<int>(::getpid());
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Format: pid (comm) state ppid ...; comm may contain spaces, so parse after the last ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == self && state != 'Z') out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

ScopedEnv::ScopedEnv(const char* name, const std::string& value) : name_(name) {
  if (const char* old = std::getenv(name)) {
    had_ = true;
    old_ = old;
  }
  ::setenv(name, value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
  if (had_)
    ::setenv(name_.c_str(), old_.c_str(), 1);
  else
    ::unsetenv(name_.c_str());
}

double elapsedMs(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::string format(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return buf;
}

}  // namespace grove::test
