// The copy helpers of the collectives: copySmall against memmove for every size it takes and every
// overlap of source and destination, and copyOwnBlock for disjoint, equal and partly overlapping ranges.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <vector>

#include "collectives/copy_kernels.hpp"

namespace grove::coll {
namespace {

TEST(CopySmall, MatchesMemmoveForEverySizeAndOverlap) {
  constexpr int kPad = 48;
  for (std::size_t n = 0; n <= kSmallCopyBytes; ++n) {
    for (int shift = -kPad; shift <= kPad; ++shift) {
      std::vector<unsigned char> mine(3 * kPad + kSmallCopyBytes), want;
      std::iota(mine.begin(), mine.end(), static_cast<unsigned char>(n));
      want = mine;
      unsigned char* src = mine.data() + kPad;
      copySmall(src + shift, src, n);
      std::memmove(want.data() + kPad + shift, want.data() + kPad, n);
      ASSERT_EQ(mine, want) << "n=" << n << " shift=" << shift;
    }
  }
}

TEST(CopyOwnBlock, DisjointEqualAndOverlappingRanges) {
  const std::size_t bytes = 1 << 20;
  // Forcing streaming stores would need the environment; the large outputs take them automatically.
  for (std::size_t outputs : {bytes, std::size_t{64} << 20}) {
    std::vector<unsigned char> a(3 * bytes), want;
    std::iota(a.begin(), a.end(), static_cast<unsigned char>(7));
    want = a;
    copyOwnBlock(a.data() + 2 * bytes, a.data(), bytes, outputs);  // disjoint
    std::memmove(want.data() + 2 * bytes, want.data(), bytes);
    EXPECT_EQ(a, want);
    copyOwnBlock(a.data(), a.data(), bytes, outputs);  // in place: nothing to do
    EXPECT_EQ(a, want);
    copyOwnBlock(a.data() + 100, a.data(), bytes, outputs);  // overlapping: as memmove
    std::memmove(want.data() + 100, want.data(), bytes);
    EXPECT_EQ(a, want);
  }
}

}  // namespace
}  // namespace grove::coll
