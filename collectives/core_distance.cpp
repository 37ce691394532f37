#include "collectives/core_distance.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "collectives/workspace.hpp"
#include "grove/env.hpp"

namespace grove::coll {
namespace {

// Trips around the ring; the first is not timed, since ranks enter the call at slightly different times.
constexpr int kTrips = 4;
int forcedStaging() {
  static const int forced = forcedChoice("GROVE_STREAM_STAGING");
  return forced;
}

}  // namespace

int forcedChoice(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::strcmp(v, "auto") != 0 ? (std::atoi(v) != 0 ? 1 : 0) : -1;
}

double measureHopNanos(Engine& e, std::uint64_t seq) {
  const int n = e.nranks(), me = e.rank();
  if (n < 2 || e.oversubscribed()) return 0;
  const MemoryChannel& next = e.channel((me + 1) % n);
  const MemoryChannel& prev = e.channel((me + n - 1) % n);
  std::chrono::steady_clock::time_point start;
  for (int trip = 0; trip < kTrips; ++trip) {
    // Tokens grow from call to call (sequence numbers do), so a slot never needs resetting.
    const std::uint64_t token = seq * kTrips + static_cast<std::uint64_t>(trip) + 1;
    if (me == 0) {
      next.signal(kSemProbe, token);
      prev.wait(kSemProbe, token, e.deadline(), e.spin());
    } else {
      prev.wait(kSemProbe, token, e.deadline(), e.spin());
      next.signal(kSemProbe, token);
    }
    if (trip == 0) start = std::chrono::steady_clock::now();
  }
  const double nanos =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  return nanos / ((kTrips - 1) * n);
}

bool streamStaging(Engine& e, std::uint64_t seq) {
  // Oversubscribed, the distance cannot be measured, and streaming is the safer bet at every size: on the
  // development VM (4 ranks on 2 cores, allreduce and reduce from 64 KiB to 16 MiB) it cost up to a
  // third with near cores and saved half or more with far ones.
  if (e.oversubscribed()) return forcedStaging() != 0;
  // Measured even when the choice is forced: whether a rank takes part in the token ring must not depend
  // on its environment, or a rank configured differently would leave the others waiting.
  const double hop = measureHopNanos(e, seq);
  const bool far = forcedStaging() >= 0 ? forcedStaging() == 1 : hop > kFarHopNanos;
  log(3, "rank %d: call %llu: %.0f ns per hop, %s staging", e.rank(), static_cast<unsigned long long>(seq),
      hop, far ? "streaming" : "cached");
  return far;
}

}  // namespace grove::coll
