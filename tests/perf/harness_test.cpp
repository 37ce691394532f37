// Unit tests of the perf harness's own arithmetic: the narrow-float codecs the checker trusts, the
// input generator's guarantees, the element counter, and size parsing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

// perf/ is deliberately not on the include path (its `compare` script would shadow <compare>).
#include "../../perf/check.hpp"
#include "../../perf/datatypes.hpp"
#include "../../perf/options.hpp"

namespace grove::perf {
namespace {

TEST(PerfCodecs, HalfMatchesCompilerConversion) {
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i) {
    uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    if (std::isnan(f)) continue;
    _Float16 h = static_cast<_Float16>(f);
    uint16_t want;
    std::memcpy(&want, &h, sizeof want);
    ASSERT_EQ(encodeHalf(f), want) << f;
  }
}

TEST(PerfCodecs, Bfloat16RoundsToNearestEven) {
  std::mt19937 rng(8);
  for (int i = 0; i < 200000; ++i) {
    uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    if (std::isnan(f)) continue;
    auto want = static_cast<uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
    ASSERT_EQ(encodeBfloat16(f), want) << f;
  }
}

TEST(PerfCodecs, EveryNarrowCodeRoundTrips) {
  for (uint32_t b = 0; b < 65536; ++b) {
    double h = decodeHalf(static_cast<uint16_t>(b));
    if (!std::isnan(h)) {
      EXPECT_EQ(encodeHalf(h), b);
    }
    double bf = decodeBfloat16(static_cast<uint16_t>(b));
    if (!std::isnan(bf)) {
      EXPECT_EQ(encodeBfloat16(bf), b);
    }
  }
  for (uint32_t b = 0; b < 256; ++b) {
    double x = decodeFp8e4m3(static_cast<uint8_t>(b));
    if (!std::isnan(x)) {
      EXPECT_EQ(encodeFp8e4m3(x), b);
    }
    double y = decodeFp8e5m2(static_cast<uint8_t>(b));
    if (!std::isnan(y)) {
      EXPECT_EQ(encodeFp8e5m2(y), b);
    }
  }
}

TEST(PerfCodecs, Fp8KnownValues) {
  EXPECT_EQ(decodeFp8e4m3(0x7e), 448.0);  // OCP e4m3 "FN": the top binade is finite
  EXPECT_TRUE(std::isnan(decodeFp8e4m3(0x7f)));
  EXPECT_EQ(decodeFp8e5m2(0x7b), 57344.0);
  EXPECT_TRUE(std::isinf(decodeFp8e5m2(0x7c)));
  EXPECT_EQ(decodeFp8e4m3(encodeFp8e4m3(17)), 16.0);  // a tie rounds to the even mantissa
  EXPECT_EQ(decodeFp8e4m3(encodeFp8e4m3(19)), 20.0);
  EXPECT_EQ(decodeFp8e5m2(encodeFp8e5m2(9)), 8.0);
  EXPECT_EQ(decodeFp8e4m3(encodeFp8e4m3(std::ldexp(1.0, -9))), std::ldexp(1.0, -9));  // smallest subnormal
}

TEST(PerfGenerator, SumsStayExactAndDataVary) {
  for (groveDataType_t t : parseTypes("all")) {
    for (int n : {2, 3, 8}) {
      Generator g(t, groveSum, true, n);
      double limit = t == groveInt8 ? 127 : t == groveUint8 ? 255 : t == groveFloat8e5m2 ? 8 : 1e300;
      if (t == groveFloat8e4m3) limit = 16;
      if (t == groveFloat16) limit = 2048;
      if (t == groveBfloat16) limit = 256;
      int differ = 0;
      for (size_t i = 0; i < 1000; ++i) {
        EXPECT_LE(std::fabs(g.reduced(i, 0)), limit) << typeName(t);
        differ += g.value(0, i, 0) != g.value(1, i, 0);
        differ += g.value(0, i, 0) != g.value(0, i, 1);
      }
      EXPECT_GT(differ, 500) << typeName(t) << " inputs barely vary";
    }
  }
}

TEST(PerfGenerator, ProductsHaveOneFactorOfTwo) {
  Generator g(groveInt32, groveProd, true, 5);
  for (size_t i = 0; i < 1000; ++i) EXPECT_EQ(std::fabs(g.reduced(i, 3)), 2.0);
}

TEST(PerfCheck, CountsWrongAndUnwrittenElements) {
  Generator g(groveFloat16, groveSum, true, 4);
  std::vector<uint16_t> buf(100);
  fillSentinel(groveFloat16, buf.data(), buf.size());
  std::vector<Block> blocks{{0, 100, true, 0, 0}};
  EXPECT_EQ(countWrong(g, 2, buf.data(), blocks), 100u);  // nothing written: all NaN
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = encodeHalf(g.reduced(i, 2));
  EXPECT_EQ(countWrong(g, 2, buf.data(), blocks), 0u);
  EXPECT_GT(countWrong(g, 3, buf.data(), blocks), 50u);  // last iteration's result is stale
  buf[17] = encodeHalf(decodeHalf(buf[17]) + 1);
  EXPECT_EQ(countWrong(g, 2, buf.data(), blocks), 1u);
}

TEST(PerfOptions, SizesAndSteps) {
  size_t s = 0;
  EXPECT_TRUE(parseSize("128M", &s));
  EXPECT_EQ(s, size_t{128} << 20);
  EXPECT_TRUE(parseSize("8", &s));
  EXPECT_EQ(s, 8u);
  EXPECT_FALSE(parseSize("1X", &s));
  Options o;
  o.minBytes = 8;
  o.maxBytes = 1024;
  o.stepFactor = 2;
  EXPECT_EQ(sizeSequence(o).size(), 8u);
  o.stepFactor = 1;
  o.stepBytes = 500;
  EXPECT_EQ(sizeSequence(o), (std::vector<size_t>{8, 508, 1008}));
}

}  // namespace
}  // namespace grove::perf
