// pingpong: one-way cache-line latency between two cores, the floor under every small-message
// collective. Two threads of one process, then two processes sharing an anonymous mapping, bounce a
// counter in one 64-byte line; one-way latency = round trip / 2.
// Usage: pingpong [--rounds N, default 200000] [--cores A B, default 0 1]
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

namespace {

struct alignas(64) Line {
  std::atomic<uint64_t> value{0};
  char pad[64 - sizeof(std::atomic<uint64_t>)];
};

bool pinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu % CPU_SETSIZE, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

inline void relax() { __builtin_ia32_pause(); }

// The initiator writes odd values and waits for the following even one; the responder mirrors it.
double pingSeconds(Line* line, long rounds) {
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < rounds; ++i) {
    line->value.store(2 * i + 1, std::memory_order_release);
    while (line->value.load(std::memory_order_acquire) != static_cast<uint64_t>(2 * i + 2)) relax();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void pong(Line* line, long rounds) {
  for (long i = 0; i < rounds; ++i) {
    while (line->value.load(std::memory_order_acquire) != static_cast<uint64_t>(2 * i + 1)) relax();
    line->value.store(2 * i + 2, std::memory_order_release);
  }
}

void report(const char* mode, int a, int b, double seconds, long rounds) {
  std::printf("pingpong %-9s cores %d-%d: %7.1f ns one-way  (%ld round trips)\n", mode, a, b,
              seconds / rounds / 2 * 1e9, rounds);
}

}  // namespace

int main(int argc, char** argv) {
  long rounds = 200000;
  int coreA = 0, coreB = 1;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::atol(argv[++i]);
    if (!std::strcmp(argv[i], "--cores") && i + 2 < argc) {
      coreA = std::atoi(argv[++i]);
      coreB = std::atoi(argv[++i]);
    }
  }
  if (rounds <= 0) {
    std::fprintf(stderr, "usage: pingpong [--rounds N] [--cores A B]\n");
    return 1;
  }
  if (std::thread::hardware_concurrency() < 2)
    std::fprintf(stderr, "pingpong: fewer than 2 cores; figures measure time slicing, not the cache\n");

  {  // threads of one process
    Line line;
    std::thread responder([&] {
      pinTo(coreB);
      pong(&line, rounds);
    });
    pinTo(coreA);
    double s = pingSeconds(&line, rounds);
    responder.join();
    report("threads", coreA, coreB, s, rounds);
  }
  {  // processes: the same line in a MAP_SHARED mapping inherited across fork()
    void* mem = mmap(nullptr, sizeof(Line), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
      std::perror("pingpong: mmap");
      return 1;
    }
    Line* line = new (mem) Line;
    pid_t child = fork();
    if (child < 0) {
      std::perror("pingpong: fork");
      return 1;
    }
    if (child == 0) {
      pinTo(coreB);
      pong(line, rounds);
      _exit(0);
    }
    pinTo(coreA);
    double s = pingSeconds(line, rounds);
    int status = 0;
    waitpid(child, &status, 0);
    report("processes", coreA, coreB, s, rounds);
    munmap(mem, sizeof(Line));
  }
  return 0;
}
