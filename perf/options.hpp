// Command-line options of the perf binaries: nccl-tests' flags plus -A, -M and -B.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <grove/grove.h>

namespace grove::perf {

struct Options {
  size_t minBytes = size_t{32} << 20;
  size_t maxBytes = size_t{32} << 20;
  size_t stepBytes = size_t{1} << 20;
  double stepFactor = 1;  // > 1 multiplies, otherwise stepBytes is added
  int iters = 20;
  int warmup = 1;
  int check = 1;  // check iterations per size; 0 disables checking
  std::vector<groveDataType_t> types{groveFloat32};
  std::vector<groveRedOp_t> ops{groveSum};
  int root = 0;
  int average = 1;   // 0 rank 0, 1 mean, 2 min, 3 max over ranks
  int blocking = 0;  // 0: queue on a grove stream and synchronize; 1: NULL stream
  std::string algo;  // -A: exported as GROVE_ALGO before groveCommInitRank
  std::string memory = "host";
  bool mpiBackend = false;
  /// -B both: each size is measured with grove, then right away with MPI (same machine conditions).
  bool bothBackends = false;
  bool help = false;
};

/// Parses argv. On failure returns false and describes the problem in *error.
bool parseOptions(int argc, char** argv, Options* opts, std::string* error);
/// Parses "8", "64K", "128M", "1G" (binary multiples). Returns false on garbage.
bool parseSize(const std::string& s, size_t* out);
/// The usage text for binary `prog`.
std::string usage(const char* prog);
/// The sizes visited between minBytes and maxBytes.
std::vector<size_t> sizeSequence(const Options& opts);

}  // namespace grove::perf
