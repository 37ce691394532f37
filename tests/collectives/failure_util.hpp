/// @file failure_util.hpp
/// Shared by the failure and resource tests: a short GROVE_TIMEOUT_MS for the duration of a test, and a
/// way to corrupt the secret part of a unique id without knowing its layout.
#pragma once

#include <cstdlib>
#include <cstring>
#include <string>

#include "grove/grove.h"
#include "harness.hpp"

namespace grove::test {

inline constexpr int kTimeoutMs = 3000;
/// Allowance on top of the timeout for detection, scheduling on two cores and teardown.
inline constexpr int kSlackMs = 2500;

/// GROVE_TIMEOUT_MS for the duration of a test. Children forked meanwhile inherit it: the bootstrap
/// root reads it when the id is made, each communicator when it is created.
class ScopedTimeout : public ScopedEnv {
 public:
  explicit ScopedTimeout(int ms = kTimeoutMs) : ScopedEnv("GROVE_TIMEOUT_MS", std::to_string(ms)) {}
};

/// The header only says the id holds the root's address and a random secret. Two ids made by one
/// process share the address bytes; the secret differs everywhere. Flip one byte in the middle of the
/// longest run (>= 8 bytes) of differing bytes, so the address stays valid and only the secret is wrong.
inline bool corruptSecret(groveUniqueId* id) {
  groveUniqueId other;
  if (groveGetUniqueId(&other) != groveSuccess) return false;
  int bestStart = 0, bestLen = 0;
  for (int i = 0; i < GROVE_UNIQUE_ID_BYTES;) {
    if (id->internal[i] == other.internal[i]) {
      ++i;
      continue;
    }
    int j = i;
    // Allow isolated equal bytes inside a random run (two random bytes match with probability 1/256).
    while (j < GROVE_UNIQUE_ID_BYTES &&
           (id->internal[j] != other.internal[j] ||
            (j + 1 < GROVE_UNIQUE_ID_BYTES && id->internal[j + 1] != other.internal[j + 1])))
      ++j;
    if (j - i > bestLen) {
      bestLen = j - i;
      bestStart = i;
    }
    i = j;
  }
  if (bestLen < 8) return false;
  id->internal[bestStart + bestLen / 2] ^= 0x5A;
  return true;
}

}  // namespace grove::test
