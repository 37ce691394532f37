// Checks the test reference itself against values taken from the format definitions, so a wrong
// expectation in the collective tests cannot come from a wrong reference.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "data.hpp"
#include "reference.hpp"

namespace grove::test::ref {
namespace {

float pow2(int e) { return std::ldexp(1.0f, e); }

TEST(Reference, HalfKnownEncodings) {
  EXPECT_EQ(floatToHalf(1.0f), 0x3C00);
  EXPECT_EQ(floatToHalf(-2.0f), 0xC000);
  EXPECT_EQ(floatToHalf(65504.0f), 0x7BFF);   // largest finite
  EXPECT_EQ(floatToHalf(65519.0f), 0x7BFF);   // below the halfway point to 2^16
  EXPECT_EQ(floatToHalf(65520.0f), 0x7C00);   // halfway, ties to even -> overflow to infinity
  EXPECT_EQ(floatToHalf(pow2(-14)), 0x0400);  // smallest normal
  EXPECT_EQ(floatToHalf(pow2(-24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(floatToHalf(pow2(-25)), 0x0000);  // halfway to zero, ties to even
  EXPECT_EQ(floatToHalf(1.5f * pow2(-25)), 0x0001);
  EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalf(2049.0f), floatToHalf(2048.0f));  // tie -> even mantissa
  EXPECT_EQ(floatToHalf(2051.0f), floatToHalf(2052.0f));
  EXPECT_EQ(floatToHalf(0.1f), 0x2E66);
  EXPECT_EQ(floatToHalf(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(std::nanf("")))));
  EXPECT_EQ(halfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(halfToFloat(0x0001), pow2(-24));
  EXPECT_EQ(halfToFloat(0xFBFF), -65504.0f);
}

TEST(Reference, Bfloat16KnownEncodings) {
  EXPECT_EQ(floatToBf16(1.0f), 0x3F80);
  EXPECT_EQ(floatToBf16(3.14159265f), 0x4049);
  EXPECT_EQ(floatToBf16(1.0f + pow2(-8)), 0x3F80);      // tie -> even
  EXPECT_EQ(floatToBf16(1.0f + 3 * pow2(-8)), 0x3F82);  // tie -> even (up)
  EXPECT_EQ(floatToBf16(std::numeric_limits<float>::max()), 0x7F80);
  EXPECT_EQ(floatToBf16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(bf16ToFloat(0xC2F7), -123.5f);
}

// bfloat16 is float32's top half, so rounding can also be written as an integer bit trick. The two
// formulations must agree everywhere (a cross-check of the generic encoder).
TEST(Reference, Bfloat16MatchesBitTrick) {
  for (uint64_t i = 0; i < 2000000; ++i) {
    const uint32_t bits = static_cast<uint32_t>(data::mix(17, i));
    float x;
    std::memcpy(&x, &bits, 4);
    if (std::isnan(x)) continue;
    const uint32_t expect = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
    ASSERT_EQ(floatToBf16(x), expect) << std::hex << bits;
  }
}

#if defined(__FLT16_MAX__)
// Where the compiler has a native half type, its float->half conversion (round to nearest even) must agree.
TEST(Reference, HalfMatchesCompiler) {
  for (uint64_t i = 0; i < 2000000; ++i) {
    const uint32_t bits = static_cast<uint32_t>(data::mix(23, i));
    float x;
    std::memcpy(&x, &bits, 4);
    if (std::isnan(x)) continue;
    const _Float16 h = static_cast<_Float16>(x);
    uint16_t hb;
    std::memcpy(&hb, &h, 2);
    ASSERT_EQ(floatToHalf(x), hb) << x;
  }
}
#endif

TEST(Reference, Float8E4m3KnownEncodings) {
  EXPECT_EQ(floatToE4m3(1.0f), 0x38);
  EXPECT_EQ(floatToE4m3(0.5f), 0x30);
  EXPECT_EQ(floatToE4m3(448.0f), 0x7E);  // largest finite: S.1111.110
  EXPECT_EQ(floatToE4m3(-448.0f), 0xFE);
  EXPECT_EQ(floatToE4m3(pow2(-6)), 0x08);  // smallest normal
  EXPECT_EQ(floatToE4m3(pow2(-9)), 0x01);  // smallest subnormal
  EXPECT_EQ(floatToE4m3(17.0f), floatToE4m3(16.0f));
  EXPECT_EQ(floatToE4m3(19.0f), floatToE4m3(20.0f));
  EXPECT_EQ(e4m3ToFloat(0x7E), 448.0f);
  EXPECT_TRUE(std::isnan(e4m3ToFloat(0x7F)));
  EXPECT_TRUE(std::isnan(e4m3ToFloat(0xFF)));
  EXPECT_EQ(e4m3ToFloat(0x78), 256.0f);  // exponent 1111 is a normal binade in E4M3
  EXPECT_EQ(maxFinite(kE4m3), 448.0f);
}

TEST(Reference, Float8E5m2KnownEncodings) {
  EXPECT_EQ(floatToE5m2(1.0f), 0x3C);
  EXPECT_EQ(floatToE5m2(57344.0f), 0x7B);  // largest finite
  EXPECT_EQ(floatToE5m2(61440.0f), 0x7C);  // halfway to 2^16, ties to even -> infinity
  EXPECT_EQ(floatToE5m2(pow2(-16)), 0x01);
  EXPECT_EQ(floatToE5m2(std::numeric_limits<float>::infinity()), 0x7C);
  EXPECT_EQ(floatToE5m2(-3.0f), 0xC2);
  EXPECT_EQ(floatToE5m2(9.0f), floatToE5m2(8.0f));
  EXPECT_EQ(floatToE5m2(11.0f), floatToE5m2(12.0f));
  EXPECT_TRUE(std::isnan(e5m2ToFloat(0x7D)));
  EXPECT_EQ(maxFinite(kE5m2), 57344.0f);
}

// Every non-NaN encoding decodes to a value that encodes back to itself.
TEST(Reference, MiniFloatsRoundTrip) {
  for (const MiniFloat* f : {&kHalf, &kBfloat16, &kE4m3, &kE5m2}) {
    const uint32_t n = 1u << (1 + f->expBits + f->manBits);
    for (uint32_t b = 0; b < n; ++b) {
      const float v = decode(*f, b);
      if (std::isnan(v)) continue;
      ASSERT_EQ(encode(*f, v), b) << "format e" << f->expBits << "m" << f->manBits << " bits " << b;
    }
  }
}

TEST(Reference, ReduceSemantics) {
  const int8_t a8[] = {-7, 100}, b8[] = {0, 27};
  int8_t o8[2];
  reduce(groveInt8, groveAvg, {a8, b8}, 2, o8);
  EXPECT_EQ(o8[0], -3);  // -7 / 2 truncates toward zero
  EXPECT_EQ(o8[1], 127 / 2);

  const uint64_t a64[] = {(1ull << 60) + 1}, b64[] = {(1ull << 60) + 2};
  uint64_t o64[1];
  reduce(groveUint64, groveSum, {a64, b64}, 1, o64);
  EXPECT_EQ(o64[0], (1ull << 61) + 3);  // exact beyond 2^53

  // float16: 2048 + 1 + 1 reduced in float32 is 2050, representable; rounding after every step would
  // give 2048 twice.
  const uint16_t h0[] = {floatToHalf(2048)}, h1[] = {floatToHalf(1)}, h2[] = {floatToHalf(1)};
  uint16_t oh[1];
  reduce(groveFloat16, groveSum, {h0, h1, h2}, 1, oh);
  EXPECT_EQ(halfToFloat(oh[0]), 2050.0f);
  reduce(groveFloat16, groveAvg, {h0, h1, h2}, 1, oh);
  EXPECT_EQ(oh[0], floatToHalf(2050.0f / 3.0f));

  const float f0[] = {-1.5f}, f1[] = {2.0f};
  float of[1];
  reduce(groveFloat32, groveMin, {f0, f1}, 1, of);
  EXPECT_EQ(of[0], -1.5f);
  reduce(groveFloat32, groveProd, {f0, f1}, 1, of);
  EXPECT_EQ(of[0], -3.0f);
}

// The exact pattern's promise: every partial sum is representable, so reducing in any order gives the
// same bits. Check it by reducing in reverse order too.
TEST(Reference, ExactPatternIsOrderIndependent) {
  for (groveDataType_t t : kAllTypes) {
    for (groveRedOp_t op : kAllOps) {
      for (int n : {2, 3, 5, 8}) {
        const size_t count = 4000, size = typeSize(t);
        std::vector<std::vector<unsigned char>> in(n, std::vector<unsigned char>(count * size));
        std::vector<const void*> fwd, rev;
        for (int r = 0; r < n; ++r) {
          data::fillReduceInput(t, op, data::Pattern::kExact, r, n, 0, count, 5, in[r].data());
          fwd.push_back(in[r].data());
        }
        rev.assign(fwd.rbegin(), fwd.rend());
        std::vector<unsigned char> a(count * size), b(count * size);
        reduce(t, op, fwd, count, a.data());
        reduce(t, op, rev, count, b.data());
        ASSERT_EQ(a, b) << typeName(t) << " " << opName(op) << " n=" << n;
      }
    }
  }
}

// The rounding pattern's promise: float32 partial sums are exact (so the single rounding is the only
// one), yet many final sums are not representable in the type (so the test can tell the difference).
TEST(Reference, RoundingPatternSumsAreExactInFloat32) {
  for (groveDataType_t t : {groveFloat16, groveBfloat16, groveFloat8e4m3, groveFloat8e5m2}) {
    const size_t count = 4000, size = typeSize(t);
    const int n = 8;
    std::vector<std::vector<unsigned char>> in(n, std::vector<unsigned char>(count * size));
    for (int r = 0; r < n; ++r)
      data::fillReduceInput(t, groveSum, data::Pattern::kRounding, r, n, 0, count, 9, in[r].data());
    size_t inexact = 0;
    for (size_t i = 0; i < count; ++i) {
      float f = 0;
      double d = 0;
      for (int r = 0; r < n; ++r) {
        f += static_cast<float>(elementAsDouble(t, in[r].data(), i));
        d += elementAsDouble(t, in[r].data(), i);
      }
      ASSERT_EQ(static_cast<double>(f), d) << typeName(t) << " element " << i;
      if (decode(*miniFloatOf(t), encode(*miniFloatOf(t), f)) != f) ++inexact;
    }
    EXPECT_GT(inexact, count / 4) << typeName(t);
  }
}

}  // namespace
}  // namespace grove::test::ref
