#include "grove/memory.hpp"

#include <iterator>
#include <map>
#include <mutex>

namespace grove {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<const char*, SharedSegment> byBase;  // ordered: upper_bound finds the containing block
};

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
  return r.byBase.erase(static_cast<const char*>(ptr)) == 1;
}

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
