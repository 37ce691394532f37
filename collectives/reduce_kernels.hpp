/// @file reduce_kernels.hpp
/// Element-wise reduction of several sources into one or two destinations, for every type and op.
/// Vectorized by the compiler and cloned for AVX-512, AVX2 and baseline x86-64 (chosen at load time),
/// so one binary runs anywhere and uses the widest vectors the CPU has.
#pragma once

#include <cstddef>

#include "grove/grove.h"

namespace grove::coll {

/// What to reduce: dst[i] = op(src[0][i], ..., src[nsrc-1][i]) for i < count; also written to dst2 when
/// it is not null. Low-precision types accumulate in float32 and round once; avg divides by `avgDivisor`.
/// Sources may alias dst (in-place), but not partially overlap it.
struct ReduceArgs {
  void* dst = nullptr;
  void* dst2 = nullptr;
  const void* const* src = nullptr;
  int nsrc = 0;
  std::size_t count = 0;
  groveDataType_t type = groveFloat32;
  groveRedOp_t op = groveSum;
  int avgDivisor = 1;
};

/// Runs the reduction described by `args`.
void reduce(const ReduceArgs& args);

}  // namespace grove::coll
