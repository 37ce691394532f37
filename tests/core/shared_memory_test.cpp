// Shared segments: mapped by peers through the owner's fd, gone from the system once unmapped, and
// never visible in /dev/shm.
#include <dirent.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "grove/communicator.hpp"
#include "grove/error.hpp"
#include "grove/memory.hpp"
#include "support/multiprocess.hpp"

namespace {

std::set<std::string> listDir(const char* dir) {
  std::set<std::string> names;
  if (DIR* d = ::opendir(dir)) {
    while (dirent* e = ::readdir(d)) names.insert(e->d_name);
    ::closedir(d);
  }
  return names;
}

// Open file descriptors of this process that refer to a memfd called `name`. Counting every fd would
// be fooled by the bootstrap, which opens and closes its own sockets while the test runs.
int countSegmentFds(const std::string& name) {
  int n = 0;
  for (const std::string& fd : listDir("/proc/self/fd")) {
    char target[256] = {};
    const std::string path = "/proc/self/fd/" + fd;
    const ssize_t len = ::readlink(path.c_str(), target, sizeof(target) - 1);
    if (len > 0 && std::string(target, static_cast<size_t>(len)).find("memfd:" + name) != std::string::npos)
      ++n;
  }
  return n;
}

// grove's entries of /dev/shm (there should never be any: segments are memfds). Other programs' entries
// are ignored: MPI jobs of other tests running at the same time create and remove their own.
std::set<std::string> groveShmEntries() {
  std::set<std::string> mine;
  for (const std::string& name : listDir("/dev/shm"))
    if (name.rfind("grove", 0) == 0) mine.insert(name);
  return mine;
}

}  // namespace

TEST(SharedMemory, PeerMapsOwnersSegment) {
  auto before = groveShmEntries();
  GROVE_EXPECT_RANKS_PASS(2, [](int rank, int nranks, const groveUniqueId& id) {
    grove::Communicator comm(std::make_unique<grove::TcpBootstrap>(rank, nranks, id));
    {  // the counter sees a segment's fd while the owner holds it (else the checks below prove nothing)
      grove::SharedSegment probe = grove::SharedSegment::create(4096, "grove-fd-test");
      EXPECT_EQ(countSegmentFds("grove-fd-test"), 1);
    }
    {
      auto window = comm.createWindow(1 << 20, "grove-fd-test");
      std::memset(window->base(rank), 'a' + rank, 1 << 20);
      comm.bootstrap().barrier();
      const char* peer = static_cast<const char*>(window->base(1 - rank));
      for (int i = 0; i < (1 << 20); i += 4096) EXPECT_EQ(peer[i], 'a' + (1 - rank));
      comm.bootstrap().barrier();
      EXPECT_EQ(countSegmentFds("grove-fd-test"), 0) << "segment fds stay open once peers have mapped them";
    }
    EXPECT_EQ(countSegmentFds("grove-fd-test"), 0) << "segment fds were not closed";
    return 0;
  });
  EXPECT_EQ(groveShmEntries(), before) << "something was left in /dev/shm";
}

// Pages of `s` that are in memory (mincore: for shared memory, whether the page exists at all).
static std::size_t residentPages(const grove::SharedSegment& s) {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in((s.size() + page - 1) / page);
  if (::mincore(s.data(), s.size(), in.data()) != 0) return 0;
  std::size_t n = 0;
  for (unsigned char c : in) n += c & 1;
  return n;
}

TEST(SharedMemory, PopulatedSegmentsAreInMemoryBeforeTheirFirstTouch) {
  constexpr std::size_t kBytes = 1 << 20;
  const std::size_t pages = kBytes / static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  // Without populating, a fresh segment has no pages yet (this is what shows that mincore can tell).
  grove::SharedSegment lazy = grove::SharedSegment::create(kBytes, "grove-test");
  EXPECT_EQ(residentPages(lazy), 0u);
  grove::SharedSegment eager = grove::SharedSegment::create(kBytes, "grove-test", /*populate=*/true);
  EXPECT_EQ(residentPages(eager), pages);
  // A peer's populated mapping of a lazy segment brings its pages in too.
  grove::SharedSegment peer = grove::SharedSegment::map(lazy.handle(), /*populate=*/true);
  EXPECT_EQ(residentPages(peer), pages);
  EXPECT_EQ(residentPages(lazy), pages);
}

TEST(SharedMemory, MappingAClosedHandleFails) {
  grove::SegmentHandle h;
  {
    grove::SharedSegment s = grove::SharedSegment::create(4096, "grove-test");
    s.closeHandle();
    h = s.handle();
  }
  try {
    grove::SharedSegment::map(h);
    ADD_FAILURE() << "mapped a segment whose handle was closed";
  } catch (const grove::Error& e) {
    EXPECT_EQ(e.code(), groveSystemError);
  }
}

TEST(SharedMemory, RegistryFindsPointersInsideAllocations) {
  char* p = static_cast<char*>(grove::sharedAlloc(10000));
  ASSERT_NE(p, nullptr);
  auto loc = grove::findShared(p + 100, 200);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->offset, 100u);
  EXPECT_FALSE(grove::findShared(p + 9990, 100).has_value());  // runs past the end
  int onStack = 0;
  EXPECT_FALSE(grove::findShared(&onStack, sizeof(onStack)).has_value());
  EXPECT_TRUE(grove::sharedFree(p));
  EXPECT_FALSE(grove::sharedFree(p));
}
