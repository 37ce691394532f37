// The nccl-tests-style table, printed by rank 0 only.
#pragma once

#include <cstddef>
#include <string>

namespace grove::perf {

struct Collective;
struct Options;

/// Measured figures of one placement (out-of-place or in-place) of one row.
struct Measurement {
  double seconds = 0;  // per iteration, after the cross-rank -a reduction
  double algbw = 0;    // GB/s (1e9 bytes)
  double busbw = 0;
  long long wrong = -1;  // -1: not checked
};

/// The lines before the table, including the two column-header lines.
void printHeader(const Collective& coll, const Options& opts, int nranks, const std::string& ranksInfo);
/// One table row. A `marker` (e.g. "#mpi") replaces the start of the size column, so the row reads as a
/// comment to tools that expect grove rows only.
void printRow(size_t bytes, size_t count, const char* type, const char* redop, int root,
              const Measurement& outOfPlace, const Measurement& inPlace, const char* marker = nullptr);
/// The footer: total wrong elements and the mean busbw over all printed measurements.
void printFooter(long long totalWrong, double avgBusbw);

}  // namespace grove::perf
