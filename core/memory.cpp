#include "grove/memory.hpp"

#include <atomic>
#include <iterator>
#include <map>
#include <mutex>

namespace grove {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<const char*, SharedSegment> byBase;  // ordered: upper_bound finds the containing block
};

std::atomic<std::uint64_t> freed{0};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: used from atexit paths and other threads
  return *r;
}

}  // namespace

void* sharedAlloc(std::size_t bytes) {
  SharedSegment seg = SharedSegment::create(bytes, "grove-mem");
  void* p = seg.data();
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.byBase.emplace(static_cast<const char*>(p), std::move(seg));
  return p;
}

bool sharedFree(void* ptr) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.byBase.erase(static_cast<const char*>(ptr)) != 1) return false;
  freed.fetch_add(1, std::memory_order_relaxed);
  return true;
}

std::uint64_t sharedFreeCount() { return freed.load(std::memory_order_relaxed); }

std::optional<SharedLocation> findShared(const void* ptr, std::size_t bytes) {
  const char* p = static_cast<const char*>(ptr);
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.byBase.upper_bound(p);
  if (it == r.byBase.begin()) return std::nullopt;
  --it;
  const SharedSegment& seg = it->second;
  std::size_t off = static_cast<std::size_t>(p - it->first);
  if (off + bytes > seg.size()) return std::nullopt;
  return SharedLocation{seg.handle(), off, seg.size() - off};
}

}  // namespace grove
