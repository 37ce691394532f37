/// @file multiprocess.hpp
/// Runs a test body in several real processes: fork one child per rank, hand every child the same
/// groveUniqueId (created by rank 0 and passed through pipes, as an MPI program would broadcast it),
/// and collect exit statuses. Children that outlive the timeout are killed, so nothing is left behind.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "grove/grove.h"

namespace grove::test {

/// Outcome of one child.
struct RankOutcome {
  int rank = 0;
  bool exited = false;  ///< Exited normally (as opposed to killed by a signal).
  int exitCode = -1;    ///< Exit code when exited.
  int signal = 0;       ///< Terminating signal otherwise.
};

/// Body run in each child; its return value is the child's exit code (0 = pass). gtest assertions made
/// in a child are folded into the exit code as well.
using RankBody = std::function<int(int rank, int nranks, const groveUniqueId& id)>;

/// Runs `body` in `nranks` processes. Returns one outcome per rank. `timeoutMs` bounds the whole run.
std::vector<RankOutcome> runRanks(int nranks, const RankBody& body, int timeoutMs = 120000);

/// Convenience: true when every rank exited with code 0; prints a line per failed rank.
bool allRanksPassed(const std::vector<RankOutcome>& outcomes);

/// Sends SIGKILL to the calling process (used to simulate a dying rank).
[[noreturn]] void killSelf();

}  // namespace grove::test

/// Runs body on nranks processes and asserts that every rank passed.
/// Variadic so that a lambda with commas can be passed directly.
#define GROVE_EXPECT_RANKS_PASS(nranks, ...) \
  EXPECT_TRUE(::grove::test::allRanksPassed(::grove::test::runRanks((nranks), __VA_ARGS__)))
