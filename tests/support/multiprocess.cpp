#include "support/multiprocess.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

namespace grove::test {
namespace {

bool writeAll(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool readAll(int fd, void* data, size_t n) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

[[noreturn]] void childMain(int rank, int nranks, const RankBody& body, const std::vector<int>& writeFds,
                            int readFd) {
  groveUniqueId id;
  std::memset(&id, 0, sizeof(id));
  if (rank == 0) {
    if (groveGetUniqueId(&id) != groveSuccess) {
      std::fprintf(stderr, "rank 0: groveGetUniqueId failed: %s\n", groveGetLastError(nullptr));
      ::_exit(90);
    }
    for (int fd : writeFds)
      if (!writeAll(fd, &id, sizeof(id))) ::_exit(91);
  } else if (!readAll(readFd, &id, sizeof(id))) {
    ::_exit(92);
  }
  int code = 0;
  try {
    code = body(rank, nranks, id);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rank %d: exception: %s\n", rank, e.what());
    code = 93;
  }
  if (code == 0 && ::testing::Test::HasFailure()) code = 94;
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(code);
}

}  // namespace

std::vector<RankOutcome> runRanks(int nranks, const RankBody& body, int timeoutMs) {
  std::fflush(stdout);
  std::fflush(stderr);
  // One pipe per non-zero rank carries the unique id from rank 0.
  std::vector<int> readEnds(nranks, -1), writeEnds(nranks, -1);
  for (int r = 1; r < nranks; ++r) {
    int fds[2];
    if (::pipe(fds) != 0) return {};
    readEnds[r] = fds[0];
    writeEnds[r] = fds[1];
  }
  std::vector<pid_t> pids(nranks, -1);
  for (int r = 0; r < nranks; ++r) {
    pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<int> mine;
      for (int q = 1; q < nranks; ++q) {
        if (r == 0)
          mine.push_back(writeEnds[q]);
        else
          ::close(writeEnds[q]);
        if (q != r) ::close(readEnds[q]);
      }
      childMain(r, nranks, body, mine, r > 0 ? readEnds[r] : -1);
    }
    pids[r] = pid;
  }
  for (int r = 1; r < nranks; ++r) {
    ::close(readEnds[r]);
    ::close(writeEnds[r]);
  }
  std::vector<RankOutcome> out(nranks);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  int remaining = 0;
  for (int r = 0; r < nranks; ++r) {
    out[r].rank = r;
    if (pids[r] > 0) ++remaining;
  }
  while (remaining > 0) {
    bool progressed = false;
    for (int r = 0; r < nranks; ++r) {
      if (pids[r] <= 0) continue;
      int status = 0;
      pid_t got = ::waitpid(pids[r], &status, WNOHANG);
      if (got == pids[r]) {
        out[r].exited = WIFEXITED(status);
        out[r].exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        out[r].signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        pids[r] = -1;
        --remaining;
        progressed = true;
      }
    }
    if (remaining == 0) break;
    if (std::chrono::steady_clock::now() > deadline) {
      for (int r = 0; r < nranks; ++r) {
        if (pids[r] <= 0) continue;
        std::fprintf(stderr, "rank %d: still running after %d ms, killed\n", r, timeoutMs);
        ::kill(pids[r], SIGKILL);
        ::waitpid(pids[r], nullptr, 0);
        out[r].signal = SIGKILL;
        pids[r] = -1;
      }
      break;
    }
    if (!progressed) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return out;
}

bool allRanksPassed(const std::vector<RankOutcome>& outcomes) {
  bool ok = !outcomes.empty();
  for (const RankOutcome& o : outcomes) {
    if (o.exited && o.exitCode == 0) continue;
    ok = false;
    if (o.exited)
      std::fprintf(stderr, "rank %d exited with code %d\n", o.rank, o.exitCode);
    else
      std::fprintf(stderr, "rank %d died of signal %d\n", o.rank, o.signal);
  }
  return ok;
}

void killSelf() {
  ::kill(::getpid(), SIGKILL);
  ::_exit(99);
}

}  // namespace grove::test
