// exchange_floor: the hardware floor under a 2-rank send/recv exchange. Two processes pinned to two
// cores exchange one small message per iteration through mailboxes like grove's (a ring of one-line
// slots in shared memory; the sender stores the data and then the slot's ready number, the receiver
// polls the peer's slot), with a full fence after each store and a credit store per message, as
// grove's send/recv does. Whatever grove's exchange takes above this is software (docs/performance.md).
// Usage: exchange_floor [--rounds N, default 2000000] [--slots S, default 64, at least 2] [--no-fence]
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

namespace {

struct alignas(64) Slot {
  std::atomic<unsigned long> ready;
  unsigned long data[7];
};

void pin(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  sched_setaffinity(0, sizeof set, &set);
}

}  // namespace

int main(int argc, char** argv) {
  long rounds = 2000000;
  long slots = 64;
  bool fence = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) {
      rounds = std::atol(argv[++i]);
    } else if (!std::strcmp(argv[i], "--slots") && i + 1 < argc) {
      slots = std::atol(argv[++i]);
    } else if (!std::strcmp(argv[i], "--no-fence")) {
      fence = false;
    } else {
      std::fprintf(stderr, "usage: exchange_floor [--rounds N] [--slots S (>= 2)] [--no-fence]\n");
      return 2;
    }
  }
  // One slot would let a rank overwrite a message its peer has not read: the ring needs two.
  if (rounds < 1 || slots < 2) {
    std::fprintf(stderr, "exchange_floor: --rounds must be >= 1 and --slots >= 2\n");
    return 2;
  }
  // Both mailboxes, one credit line per rank (written by the receiver into the sender's side), and a
  // stop line: a rank that finds a wrong message raises it, so its peer does not wait forever.
  const std::size_t bytes = sizeof(Slot) * (2 * slots + 3);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    std::perror("exchange_floor: mmap");
    return 1;
  }
  Slot* m = new (mem) Slot[2 * slots + 3]();
  const pid_t child = fork();
  if (child < 0) {
    std::perror("exchange_floor: fork");
    return 1;
  }
  const int rank = child == 0 ? 1 : 0;
  pin(rank);
  Slot* mine = m + rank * slots;
  Slot* theirs = m + (1 - rank) * slots;
  Slot* credit = m + 2 * slots + (1 - rank);
  const Slot* stop = m + 2 * slots + 2;
  const auto t0 = std::chrono::steady_clock::now();
  for (long k = 1; k <= rounds; ++k) {
    Slot& out = mine[k % slots];
    out.data[0] = k;
    out.ready.store(k, std::memory_order_release);
    if (fence) std::atomic_thread_fence(std::memory_order_seq_cst);
    const Slot& in = theirs[k % slots];
    while (in.ready.load(std::memory_order_acquire) != static_cast<unsigned long>(k)) {
      if (stop->ready.load(std::memory_order_relaxed)) break;  // the peer gave up
    }
    if (in.ready.load(std::memory_order_acquire) != static_cast<unsigned long>(k) ||
        in.data[0] != static_cast<unsigned long>(k)) {
      std::fprintf(stderr, "exchange_floor: rank %d: wrong or missing message in round %ld\n", rank, k);
      m[2 * slots + 2].ready.store(1, std::memory_order_relaxed);
      if (rank == 1) _exit(1);
      waitpid(child, nullptr, 0);
      return 1;
    }
    credit->ready.store(k, std::memory_order_release);
    if (fence) std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / rounds;
  if (rank == 1) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  munmap(mem, bytes);
  std::printf("exchange_floor cores 0-1: %.1f ns per exchange  (%ld rounds, %ld slots, %s)\n", ns, rounds,
              slots, fence ? "fenced" : "no fences");
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
