/// @file env.hpp
/// Settings read from GROVE_* environment variables (documented in docs/environment.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace grove {

/// GROVE_TIMEOUT_MS: bound on every wait (default 60000 ms).
std::chrono::milliseconds timeout();
/// GROVE_DEBUG: 0 silent (default), 1 warnings, 2 info, 3 trace.
int debugLevel();
/// GROVE_ALGO: forced algorithm name, or empty.
std::string forcedAlgorithm();

/// A non-negative integer setting: the value of `name` when it is a plain decimal number, else
/// `fallback` (unset, empty or malformed values never fail).
std::size_t envSize(const char* name, std::size_t fallback);

/// Writes a log line to stderr when `level` <= debugLevel().
void log(int level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace grove
