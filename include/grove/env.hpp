/// @file env.hpp
/// Settings read from GROVE_* environment variables (documented in docs/environment.md).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace grove {

/// GROVE_TIMEOUT_MS: bound on every wait (default 60000 ms).
std::chrono::milliseconds timeout();
/// GROVE_DEBUG: 0 silent (default), 1 warnings, 2 info, 3 trace.
int debugLevel();
/// GROVE_ALGO: forced algorithm name, or empty.
std::string forcedAlgorithm();

/// Writes a log line to stderr when `level` <= debugLevel().
void log(int level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace grove
