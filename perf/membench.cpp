// membench: STREAM-like copy and triad bandwidth on arrays far larger than the caches, with one
// thread and with one thread per core (pinned), for the roofline of the memory-bound collectives.
// Usage: membench [--mib N per array, default 256] [--reps R, default 8]
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

void pinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu % CPU_SETSIZE, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);  // best effort: unpinned still measures
}

struct Arrays {
  double* a;
  double* b;
  double* c;
  size_t n;
};

void copyKernel(const Arrays& x, size_t lo, size_t hi) {
  for (size_t i = lo; i < hi; ++i) x.c[i] = x.a[i];
}

void triadKernel(const Arrays& x, size_t lo, size_t hi) {
  const double s = 3.0;
  for (size_t i = lo; i < hi; ++i) x.a[i] = x.b[i] + s * x.c[i];
}

// Best time of `reps` runs of kernel over the arrays, split evenly across `threads` pinned threads.
// Each thread first-touches its own slice so pages live where they are used.
double bestSeconds(const Arrays& x, int threads, int reps, void (*kernel)(const Arrays&, size_t, size_t)) {
  std::vector<double> best(threads, 1e30);
  std::barrier sync(threads);
  auto body = [&](int t) {
    pinTo(t);
    size_t lo = x.n * t / threads, hi = x.n * (t + 1) / threads;
    for (size_t i = lo; i < hi; ++i) x.a[i] = 1.0, x.b[i] = 2.0, x.c[i] = 0.5;
    for (int r = 0; r < reps; ++r) {
      sync.arrive_and_wait();
      auto t0 = std::chrono::steady_clock::now();
      kernel(x, lo, hi);
      sync.arrive_and_wait();  // the slowest thread defines the time of the rep
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best[t] = std::min(best[t], s);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(body, t);
  body(0);
  for (auto& th : pool) th.join();
  return *std::max_element(best.begin(), best.end());
}

}  // namespace

int main(int argc, char** argv) {
  size_t mib = 256;
  int reps = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--mib")) mib = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
  }
  if (mib == 0 || reps <= 0) {
    std::fprintf(stderr, "usage: membench [--mib N] [--reps R]\n");
    return 1;
  }
  Arrays x{};
  x.n = mib * (size_t{1} << 20) / sizeof(double);
  x.a = static_cast<double*>(std::aligned_alloc(64, x.n * sizeof(double)));
  x.b = static_cast<double*>(std::aligned_alloc(64, x.n * sizeof(double)));
  x.c = static_cast<double*>(std::aligned_alloc(64, x.n * sizeof(double)));
  if (!x.a || !x.b || !x.c) {
    std::fprintf(stderr, "membench: cannot allocate 3 x %zu MiB\n", mib);
    return 1;
  }
  int cores = std::max(1u, std::thread::hardware_concurrency());
  for (int threads : {1, std::min(cores, 2)}) {
    // STREAM's accounting: copy moves 2 doubles per element, triad 3 (write-allocate traffic excluded).
    double copy = 2.0 * sizeof(double) * x.n / bestSeconds(x, threads, reps, copyKernel) / 1e9;
    double triad = 3.0 * sizeof(double) * x.n / bestSeconds(x, threads, reps, triadKernel) / 1e9;
    std::printf("membench copy  threads %d: %8.2f GB/s  (best of %d, 3 x %zu MiB arrays)\n", threads, copy,
                reps, mib);
    std::printf("membench triad threads %d: %8.2f GB/s  (best of %d, 3 x %zu MiB arrays)\n", threads, triad,
                reps, mib);
    if (cores < 2) break;
  }
  volatile double sink = x.a[x.n / 2] + x.c[x.n / 3];  // keeps the kernels observable
  (void)sink;
  std::free(x.a);
  std::free(x.b);
  std::free(x.c);
  return 0;
}
