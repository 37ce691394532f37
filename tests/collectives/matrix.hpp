/// @file matrix.hpp
/// The shape of the per-collective matrices: rank counts, element counts, and a runner that starts one
/// group of rank processes per rank count and lets the body loop over every case inside it (forking per
/// case would cost far more than the cases themselves on a two-core machine).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "grove/grove.h"
#include "harness.hpp"
#include "support/multiprocess.hpp"

namespace grove::test {

/// Rank counts of every matrix (1 is the degenerate communicator).
inline const std::vector<int> kRankCounts = {1, 2, 3, 4, 5, 8};
/// Element counts of the full type x op matrix: empty, single, smaller than the rank count, and a prime
/// that no rank count divides.
inline const std::vector<size_t> kSmallCounts = {0, 1, 7, 1031};
/// A count past typical chunk sizes, used with fewer type/op combinations.
inline constexpr size_t kMediumCount = 65537;

/// Body of a matrix: runs every case on an initialised communicator, reporting through `check`.
/// Returns false to stop early (the communicator is no longer trustworthy).
using MatrixBody =
    std::function<bool(int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check)>;

/// Runs `body` on nranks processes, each with its own communicator and stream.
inline int runMatrixRank(int rank, int nranks, const groveUniqueId& id, const MatrixBody& body) {
  Checker check(rank);
  Comm comm;
  if (comm.init(id, nranks, rank) != groveSuccess) return 80;
  Stream stream;
  if (stream.create() != groveSuccess) return 81;
  const auto start = std::chrono::steady_clock::now();
  body(rank, nranks, comm.get(), stream.get(), check);
  if (rank == 0)
    std::printf("rank 0 of %d: %d comparisons, %d failures, %.0f ms\n", nranks, check.comparisons(),
                check.failures(), elapsedMs(start));
  if (check.failures() == 0) {
    check.result(stream.destroy(), groveSuccess, "groveStreamDestroy");
    check.result(comm.destroy(), groveSuccess, "groveCommDestroy");
  }
  return check.exitCode();
}

/// Parameterised fixture: the parameter is the rank count.
class RanksTest : public ::testing::TestWithParam<int> {};

inline std::string ranksName(const ::testing::TestParamInfo<int>& info) {
  return "Ranks" + std::to_string(info.param);
}

#define GROVE_MATRIX_RUN(nranks, body, timeoutMs)                                                 \
  EXPECT_TRUE(::grove::test::allRanksPassed(                                                      \
      ::grove::test::runRanks((nranks),                                                           \
                              [&](int rank_, int nranks_, const groveUniqueId& id_) {             \
                                return ::grove::test::runMatrixRank(rank_, nranks_, id_, (body)); \
                              },                                                                  \
                              (timeoutMs))))

}  // namespace grove::test
