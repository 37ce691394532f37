#include "grove/env.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>

#include "grove/error.hpp"

namespace grove {
namespace {

long envLong(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  return (end != nullptr && *end == '\0' && x >= 0) ? x : fallback;
}

}  // namespace

std::chrono::milliseconds timeout() {
  // Read each time: tests and launchers set it late; communicators cache their own copy at creation.
  const long ms = envLong("GROVE_TIMEOUT_MS", 60000);
  return std::chrono::milliseconds(ms > 0 ? ms : 60000);
}

int debugLevel() {
  static const int level = static_cast<int>(envLong("GROVE_DEBUG", 0));
  return level;
}

std::string forcedAlgorithm() {
  const char* v = std::getenv("GROVE_ALGO");
  return v ? std::string(v) : std::string();
}

void log(int level, const char* fmt, ...) {
  if (level > debugLevel()) return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "grove[%d] %s\n", static_cast<int>(::getpid()), line);
}

void throwSystemError(const std::string& what) {
  int e = errno;
  throw Error(groveSystemError, what + ": " + std::strerror(e));
}

std::size_t envSize(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const unsigned long long x = std::strtoull(v, &end, 10);
  return end && *end == '\0' ? static_cast<std::size_t>(x) : fallback;
}

}  // namespace grove
