// Cross-memory reads between real processes: a child reads what its parent wrote after the fork (so the
// child's own copy of the page is stale), and bad requests fail with an error instead of crashing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "grove/cross_memory.hpp"
#include "grove/error.hpp"

namespace grove {
namespace {

TEST(CrossMemory, ChildReadsWhatTheParentWroteAfterFork) {
  const std::size_t bytes = 3 * 4096 + 123;  // several pages, not page aligned
  std::vector<unsigned char> buf(bytes, 0);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char c;
    if (::read(ready[0], &c, 1) != 1) _exit(2);
    std::vector<unsigned char> got(bytes);
    try {
      crossMemoryRead(parent, buf.data(), got.data(), bytes);
    } catch (const Error&) {
      _exit(3);
    }
    for (std::size_t i = 0; i < bytes; ++i)
      if (got[i] != static_cast<unsigned char>(i * 7 + 1)) _exit(4);
    if (buf[0] != 0) _exit(5);  // the child's own copy did not change: the read really crossed over
    unsigned char probe = 1;
    _exit(crossMemoryUsable(parent, buf.data(), &probe, 1) ? 0 : 6);
  }
  for (std::size_t i = 0; i < bytes; ++i) buf[i] = static_cast<unsigned char>(i * 7 + 1);
  ASSERT_EQ(::write(ready[1], "x", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: pipe, 3: read refused, 4: wrong bytes, 5: no copy, 6: probe";
}

TEST(CrossMemory, UnmappedAddressOrMissingProcessIsAnError) {
  char out[16];
  try {
    crossMemoryRead(::getpid(), reinterpret_cast<const void*>(16), out, sizeof out);
    FAIL() << "reading address 16 succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), groveSystemError);
    EXPECT_NE(std::string(e.what()).find("cross-memory read"), std::string::npos) << e.what();
  }
  const char expected[4] = {1, 2, 3, 4};
  EXPECT_FALSE(crossMemoryUsable(::getpid(), reinterpret_cast<const void*>(16), expected, sizeof expected));
  EXPECT_FALSE(crossMemoryUsable(0x3fffffff, expected, expected, sizeof expected));  // no such process
  EXPECT_TRUE(crossMemoryUsable(::getpid(), expected, expected, sizeof expected));
}

}  // namespace
}  // namespace grove
