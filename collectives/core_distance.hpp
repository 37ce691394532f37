/// @file core_distance.hpp
/// How far apart the ranks' cores are right now, and what that means for staging stores.
///
/// A virtual machine's vCPUs may sit on cores that share a cache one moment and on cores of different
/// chiplets (or sockets) the next. Between distant cores a cache line written by one core and read by
/// the other travels slowly, and a pipeline that hands every chunk over in cache (the two-shot
/// allreduce's staging and result slots) runs several times slower: 2 ranks, 128 MiB, 79 ms instead of
/// 18 ms on the development VM (docs/performance.md). Writing those slots with streaming stores sends
/// them to memory instead, which distant cores read at full speed (20 ms) but close cores read slower
/// than from a shared cache (28 ms). So each two-shot call first measures the distance, a token passed
/// around the ring of ranks (about 0.3 µs near and 1.5 µs far for 2 ranks), and streams only when the
/// cores are far apart.
#pragma once

#include <cstdint>

#include "collectives/engine.hpp"

namespace grove::coll {

/// A hop above this is far: close cores hand a line over in 30-45 ns on the development VM, distant ones
/// in 150-180 ns.
constexpr double kFarHopNanos = 100;

/// -1 when the environment variable `name` is unset or "auto", else 1 (a non-zero number) or 0.
int forcedChoice(const char* name);

/// Nanoseconds a token takes from one rank to the next, measured over a few trips around the ring of
/// ranks. Collective: every rank of call `seq` calls it after agree(). Returns 0 without measuring for
/// a single rank or when ranks outnumber the cores (the token would wait for the scheduler).
double measureHopNanos(Engine& e, std::uint64_t seq);

/// Whether call `seq` should write the data it hands to peers (staging and result slots) and its outputs
/// with streaming stores: GROVE_STREAM_STAGING=1/0 forces the answer; otherwise the call measures the
/// hop time and streams when it exceeds 100 ns, and always streams when ranks outnumber cores.
/// Collective, like measureHopNanos.
bool streamStaging(Engine& e, std::uint64_t seq);

}  // namespace grove::coll
