// shared_core_floor: the floor under a synchronous call when ranks outnumber cores. N processes, bound to
// the cores round-robin as grove binds its ranks (or left to the scheduler with --no-bind), run rounds of
// a bare barrier: each stores its round number in its own line of shared memory, then waits for every
// other process's line to reach the round, yielding its core after each look that finds a peer behind
// (grove's and Open MPI's waiting when ranks share cores). Every synchronous collective needs at least
// this much: each rank must run again after the last rank posted the previous call. With --ring each
// process waits only for the one before it, as in a ring of eager sends and receives (sendrecv_perf):
// ranks may then run several rounds ahead of their successors. Prints µs per round and the process
// switches per round (getrusage of the children), from which the cost of one switch on this machine can
// be read. Usage:
//   shared_core_floor [--ranks N, default 8] [--rounds R, default 20000] [--ring] [--no-bind]
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace {

struct alignas(64) Line {
  std::atomic<long> value;
};

// A wait this long means a process died or the machine is stuck: give up instead of hanging.
constexpr auto kGiveUpAfter = std::chrono::seconds(30);

// One process's part: `rounds` barriers over lines[0, ranks) (with `ring`, waits for the previous rank's
// line only); lines[ranks] is the start line and lines[ranks + 1] the stop line, raised by a process
// that gives up. Returns the exit status.
int run(Line* lines, int rank, int ranks, long rounds, bool ring) {
  const Line& start = lines[ranks];
  Line& stop = lines[ranks + 1];
  while (start.value.load(std::memory_order_acquire) == 0) {
    if (stop.value.load(std::memory_order_relaxed)) return 1;  // the parent could not start every process
    sched_yield();
  }
  for (long k = 1; k <= rounds; ++k) {
    lines[rank].value.store(k, std::memory_order_release);
    for (int p = ring ? (rank + ranks - 1) % ranks : 0; p < ranks; ++p) {
      const auto since = std::chrono::steady_clock::now();
      while (lines[p].value.load(std::memory_order_acquire) < k) {
        if (stop.value.load(std::memory_order_relaxed)) return 1;
        if (std::chrono::steady_clock::now() - since > kGiveUpAfter) {
          std::fprintf(stderr, "shared_core_floor: rank %d gave up waiting for rank %d in round %ld\n", rank,
                       p, k);
          stop.value.store(1, std::memory_order_relaxed);
          return 1;
        }
        sched_yield();
      }
      if (ring) break;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int ranks = 8;
  long rounds = 20000;
  bool bind = true;
  bool ring = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--ranks") && i + 1 < argc) {
      ranks = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) {
      rounds = std::atol(argv[++i]);
    } else if (!std::strcmp(argv[i], "--no-bind")) {
      bind = false;
    } else if (!std::strcmp(argv[i], "--ring")) {
      ring = true;
    } else {
      std::fprintf(stderr, "usage: shared_core_floor [--ranks N] [--rounds R] [--ring] [--no-bind]\n");
      return 2;
    }
  }
  if (ranks < 2 || ranks > 1024 || rounds < 1) {
    std::fprintf(stderr, "shared_core_floor: --ranks must be 2-1024 and --rounds >= 1\n");
    return 2;
  }
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const std::size_t bytes = sizeof(Line) * (ranks + 2);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    std::perror("shared_core_floor: mmap");
    return 1;
  }
  Line* lines = new (mem) Line[ranks + 2]();
  int forked = 0;
  for (; forked < ranks; ++forked) {
    const pid_t pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      if (bind) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(forked % cores, &set);
        sched_setaffinity(0, sizeof set, &set);
      }
      _exit(run(lines, forked, ranks, rounds, ring));
    }
  }
  bool ok = forked == ranks;
  if (!ok) {
    std::perror("shared_core_floor: fork");
    lines[ranks + 1].value.store(1);  // the processes already started leave at once
  }
  usleep(100000);  // every process reaches the start line
  const auto t0 = std::chrono::steady_clock::now();
  lines[ranks].value.store(1, std::memory_order_release);
  for (int i = 0; i < forked; ++i) {
    int status = 0;
    if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) ok = false;
  }
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  munmap(mem, bytes);
  if (!ok) {
    std::fprintf(stderr, "shared_core_floor: a process failed\n");
    return 1;
  }
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  const double switches = static_cast<double>(children.ru_nvcsw + children.ru_nivcsw) / rounds;
  std::printf(
      "shared_core_floor %d ranks on %ld cores (%s, %s): %.2f us per round, %.1f process switches per round",
      ranks, cores, ring ? "ring" : "barrier", bind ? "bound round-robin" : "unbound", us / rounds, switches);
  // With a core per process the yields find nobody to switch to: there is no switch to put a cost on.
  if (switches >= 0.5)
    std::printf(", %.2f us per switch per core", us / rounds / (switches / static_cast<double>(cores)));
  std::printf("  (%ld rounds)\n", rounds);
  return 0;
}
