// Result checking: deterministic inputs that differ per rank and per check iteration, an independent
// computation of what every rank should receive, and an element-wise comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <grove/grove.h>

namespace grove::perf {

/// The input of every rank, as a pure function of (rank, element index, iteration). Values are small
/// integers chosen so that any order of reduction is exact in the element type (and in every partial
/// result), so the expected value does not depend on the algorithm. Products use +-1 and a single +-2
/// per element; sums keep nranks*|max value| inside the type's exact-integer range.
class Generator {
 public:
  Generator(groveDataType_t type, groveRedOp_t op, bool reduces, int nranks);
  double value(int rank, size_t index, uint64_t iter) const;
  /// The reduction over all ranks of value(., index, iter), before rounding to the element type.
  double reduced(size_t index, uint64_t iter) const;
  groveDataType_t type() const { return type_; }
  groveRedOp_t op() const { return op_; }
  int nranks() const { return nranks_; }

 private:
  groveDataType_t type_;
  groveRedOp_t op_;
  bool reduces_;
  int nranks_;
  int64_t lo_ = 0;
  uint64_t span_ = 1;  // values are lo_ .. lo_+span_-1
};

/// A run of the receive buffer whose expected contents are either the reduction over all ranks of
/// input elements [srcOffset, srcOffset+length) or a copy of rank srcRank's input at srcOffset.
struct Block {
  size_t recvOffset;
  size_t length;
  bool reduce;
  int srcRank;
  size_t srcOffset;
};

/// Writes elements [0, count) of rank's input for iteration iter.
void fillInput(const Generator& gen, int rank, uint64_t iter, void* buf, size_t count);
/// Writes a value the generator never produces (NaN for floats, the extreme integer otherwise), so
/// an element the collective forgot to write is always counted wrong.
void fillSentinel(groveDataType_t type, void* buf, size_t count);
/// Counts elements of recv that differ from the expected blocks by more than the type's tolerance.
size_t countWrong(const Generator& gen, uint64_t iter, const void* recv, const std::vector<Block>& blocks);

}  // namespace grove::perf
