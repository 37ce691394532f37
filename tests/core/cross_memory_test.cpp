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

// An address the peer does not map is the peer's failure (it offered memory it no longer has); a local
// buffer that cannot be written is a system error naming the read.
TEST(CrossMemory, UnmappedAddressOrMissingProcessIsAnError) {
  char out[16];
  try {
    crossMemoryRead(::getpid(), reinterpret_cast<const void*>(16), out, sizeof out);
    FAIL() << "reading address 16 succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), groveRemoteError) << e.what();
    EXPECT_NE(std::string(e.what()).find("no longer maps"), std::string::npos) << e.what();
  }
  const char src[16] = {1};
  try {
    crossMemoryRead(::getpid(), src, reinterpret_cast<void*>(16), sizeof src);
    FAIL() << "writing to address 16 succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), groveSystemError) << e.what();
    EXPECT_NE(std::string(e.what()).find("cross-memory read"), std::string::npos) << e.what();
  }
  const char expected[4] = {1, 2, 3, 4};
  EXPECT_FALSE(crossMemoryUsable(::getpid(), reinterpret_cast<const void*>(16), expected, sizeof expected));
  EXPECT_FALSE(crossMemoryUsable(0x3fffffff, expected, expected, sizeof expected));  // no such process
  EXPECT_TRUE(crossMemoryUsable(::getpid(), expected, expected, sizeof expected));
}

// A peer that died: reads report the peer gone (groveRemoteError), not a system error, and
// processExiting tells a dead or exiting process from a live one.
TEST(CrossMemory, ExitedProcessIsGone) {
  EXPECT_FALSE(processExiting(::getpid()));
  EXPECT_TRUE(processExiting(0x3fffffff));  // no such process
  static char data[64];
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  // Not reaped yet: a zombie until waitpid below.
  for (int i = 0; i < 5000 && !processExiting(child); ++i) ::usleep(1000);
  EXPECT_TRUE(processExiting(child)) << "child exited 5 s ago and is not seen exiting";
  char out[sizeof data];
  try {
    crossMemoryRead(child, data, out, sizeof out);
    ADD_FAILURE() << "reading from an exited process succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), groveRemoteError) << e.what();
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
}

}  // namespace
}  // namespace grove
