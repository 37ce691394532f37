#include "data.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "reference.hpp"

namespace grove::test::data {

uint64_t mix(uint64_t a, uint64_t b, uint64_t c) {
  uint64_t z = a + 0x9E3779B97F4A7C15ull * (b + 1) + 0xC2B2AE3D27D4EB4Full * (c + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

namespace {

template <typename T>
void put(void* dst, size_t i, T v) {
  std::memcpy(static_cast<char*>(dst) + i * sizeof(T), &v, sizeof(T));
}

// Writes the value v (an integer or a float exactly representable in t) as element i of dst.
void putValue(groveDataType_t t, void* dst, size_t i, double v) {
  switch (t) {
    case groveInt8:
      return put<int8_t>(dst, i, static_cast<int8_t>(v));
    case groveUint8:
      return put<uint8_t>(dst, i, static_cast<uint8_t>(v));
    case groveInt32:
      return put<int32_t>(dst, i, static_cast<int32_t>(v));
    case groveUint32:
      return put<uint32_t>(dst, i, static_cast<uint32_t>(v));
    case groveInt64:
      return put<int64_t>(dst, i, static_cast<int64_t>(v));
    case groveUint64:
      return put<uint64_t>(dst, i, static_cast<uint64_t>(v));
    case groveFloat32:
      return put<float>(dst, i, static_cast<float>(v));
    case groveFloat64:
      return put<double>(dst, i, v);
    case groveFloat16:
    case groveBfloat16:
      return put<uint16_t>(dst, i,
                           static_cast<uint16_t>(ref::encode(*ref::miniFloatOf(t), static_cast<float>(v))));
    default:
      return put<uint8_t>(dst, i,
                          static_cast<uint8_t>(ref::encode(*ref::miniFloatOf(t), static_cast<float>(v))));
  }
}

// A symmetric integer in [-bound, bound] (or [0, bound] for unsigned types).
int64_t smallInt(uint64_t h, int64_t bound, bool allowNegative) {
  if (!allowNegative) return static_cast<int64_t>(h % static_cast<uint64_t>(bound + 1));
  return static_cast<int64_t>(h % static_cast<uint64_t>(2 * bound + 1)) - bound;
}

// Random finite bit pattern of type t (not NaN, not infinity, not -0: max(-0, +0) has no single answer).
// With lo/hi > 0 the magnitude is restricted to [lo, hi].
void randomFinite(groveDataType_t t, uint64_t h, void* dst, size_t i, double lo = 0, double hi = 0) {
  const size_t size = ref::typeSize(t);
  for (uint64_t attempt = 0;; ++attempt) {
    const uint64_t bits = mix(h, attempt);
    unsigned char tmp[8];
    std::memcpy(tmp, &bits, sizeof(tmp));
    const double v = ref::elementAsDouble(t, tmp, 0);
    if (ref::isFloating(t)) {
      if (!std::isfinite(v) || (v == 0 && std::signbit(v))) continue;
      if (hi > 0 && (std::fabs(v) < lo || std::fabs(v) > hi)) continue;
    }
    std::memcpy(static_cast<char*>(dst) + i * size, tmp, size);
    return;
  }
}

// Magnitude bound for sums: every partial sum of up to 8 inputs stays exact in the type.
int64_t sumBound(groveDataType_t t) {
  switch (t) {
    case groveInt8:
      return 15;
    case groveUint8:
      return 31;
    case groveInt32:
    case groveUint32:
      return int64_t{1} << 27;
    case groveInt64:
    case groveUint64:
      return int64_t{1} << 59;  // beyond 2^53: an implementation reducing in double would lose bits
    case groveFloat32:
      return int64_t{1} << 19;  // in sixteenths
    case groveFloat64:
      return int64_t{1} << 44;  // in 256ths
    case groveFloat16:
      return 255;
    case groveBfloat16:
      return 31;
    case groveFloat8e4m3:
      return 2;
    default:  // e5m2: 2 mantissa bits, integers up to 8 exact
      return 1;
  }
}

double sumValue(groveDataType_t t, uint64_t h) {
  const int64_t k = smallInt(h, sumBound(t), t != groveUint8 && t != groveUint32 && t != groveUint64);
  if (t == groveFloat32) return static_cast<double>(k) / 16.0;
  if (t == groveFloat64) return static_cast<double>(k) / 256.0;
  return static_cast<double>(k);
}

void exactElement(groveDataType_t t, groveRedOp_t op, int rank, int nranks, size_t index, uint64_t seed,
                  void* dst, size_t i) {
  const uint64_t h = mix(seed ^ (static_cast<uint64_t>(t) << 40) ^ (static_cast<uint64_t>(op) << 48),
                         static_cast<uint64_t>(rank), index);
  const bool unsignedType = t == groveUint8 || t == groveUint32 || t == groveUint64;
  switch (op) {
    case groveSum:
      if (t == groveUint64 || t == groveInt64) {
        // Computed in integers: a double cannot hold these exactly.
        const uint64_t b = uint64_t{1} << 59;
        const uint64_t u = h % (2 * b + 1);
        if (t == groveUint64)
          put<uint64_t>(dst, i, u);
        else
          put<int64_t>(dst, i, static_cast<int64_t>(u) - static_cast<int64_t>(b));
        return;
      }
      return putValue(t, dst, i, sumValue(t, h));
    case groveProd: {
      // At most two ranks (those with (index + rank) % 5 == 0) contribute a factor other than 0 or +-1.
      double v = 1;
      if ((index + static_cast<size_t>(rank)) % 5 == 0) {
        if (t == groveInt32 || t == groveInt64 || t == groveUint32 || t == groveUint64)
          v = 2 + (h >> 8) % 50;
        else if (ref::isFloating(t))
          v = (h >> 8) & 1 ? 2.0 : 0.5;
        else
          v = 2;
      } else if ((h >> 16) % 61 == 0) {
        v = 0;
      } else if (!unsignedType && ((h >> 24) & 1)) {
        v = -1;
      }
      return putValue(t, dst, i, v);
    }
    case groveMax:
    case groveMin:
      return randomFinite(t, h, dst, i);
    case groveAvg: {
      if (!ref::isFloating(t)) return exactElement(t, groveSum, rank, nranks, index, seed, dst, i);
      // Floats: rank r holds base * c_r with sum(c_r) = nranks, so the average is exactly base; ranks 0 and
      // 1 hold 2*base and 0 (alternating with the index) so the result is not any one rank's input.
      const uint64_t hb = mix(seed ^ (static_cast<uint64_t>(t) << 40), 0xA5A5, index);
      double base;
      if (t == groveFloat8e4m3 || t == groveFloat8e5m2) {
        base = hb % 10 == 0 ? 0.0 : std::ldexp(1.0, static_cast<int>((hb >> 8) % 7) - 3);
        if ((hb >> 16) & 1) base = -base;
      } else if (t == groveFloat32 || t == groveFloat64) {
        base = static_cast<double>(smallInt(hb, 1 << 16, true)) / 8.0;
      } else {
        base = static_cast<double>(smallInt(hb, 31, true));
      }
      double c = 1;
      if (nranks > 1 && rank < 2) c = (rank == static_cast<int>(index % 2)) ? 2 : 0;
      return putValue(t, dst, i, base * c);
    }
    default:
      return;
  }
}

void roundingElement(groveDataType_t t, groveRedOp_t op, int rank, size_t index, uint64_t seed, void* dst,
                     size_t i) {
  const uint64_t h = mix(seed ^ (static_cast<uint64_t>(t) << 40) ^ (static_cast<uint64_t>(op) << 48) ^ 0x77,
                         static_cast<uint64_t>(rank), index);
  if (op == groveProd) return randomFinite(t, h, dst, i, 0.125, 8.0);
  if (op == groveMax || op == groveMin) return randomFinite(t, h, dst, i);
  // Narrow magnitude windows keep every float32 partial sum of up to 8 inputs exact and finite.
  switch (t) {
    case groveFloat16:
    case groveBfloat16: {
      // Built directly (sign, exponent 0..9, any mantissa): rejection sampling would waste most draws.
      const ref::MiniFloat& f = *ref::miniFloatOf(t);
      const int bias = (1 << (f.expBits - 1)) - 1;
      const uint32_t e = static_cast<uint32_t>(bias) + static_cast<uint32_t>(h % 10);
      const uint32_t m = static_cast<uint32_t>(h >> 8) & ((1u << f.manBits) - 1);
      const uint32_t s = static_cast<uint32_t>(h >> 40) & 1u;
      return put<uint16_t>(dst, i, static_cast<uint16_t>((s << 15) | (e << f.manBits) | m));
    }
    case groveFloat8e4m3:
      return randomFinite(t, h, dst, i, 1e-9, 56.0);
    default:
      return randomFinite(t, h, dst, i, 0.25, 16.0);
  }
}

}  // namespace

void fillReduceInput(groveDataType_t t, groveRedOp_t op, Pattern p, int rank, int nranks, size_t first,
                     size_t count, uint64_t seed, void* dst) {
  for (size_t i = 0; i < count; ++i) {
    if (p == Pattern::kRounding && ref::isLowPrecision(t))
      roundingElement(t, op, rank, first + i, seed, dst, i);
    else
      exactElement(t, op, rank, nranks, first + i, seed, dst, i);
  }
}

void expectedReduce(groveDataType_t t, groveRedOp_t op, Pattern p, int nranks, size_t first, size_t count,
                    uint64_t seed, void* dst) {
  const size_t size = ref::typeSize(t);
  const size_t chunk = 8192;
  std::vector<std::vector<unsigned char>> inputs(nranks, std::vector<unsigned char>(chunk * size));
  std::vector<const void*> ptrs(nranks);
  for (int r = 0; r < nranks; ++r) ptrs[r] = inputs[r].data();
  for (size_t done = 0; done < count; done += chunk) {
    const size_t n = std::min(chunk, count - done);
    for (int r = 0; r < nranks; ++r)
      fillReduceInput(t, op, p, r, nranks, first + done, n, seed, inputs[r].data());
    ref::reduce(t, op, ptrs, n, static_cast<char*>(dst) + done * size);
  }
}

void fillBytes(int rank, size_t first, size_t nbytes, uint64_t seed, void* dst) {
  auto* out = static_cast<unsigned char*>(dst);
  for (size_t j = 0; j < nbytes;) {
    const size_t pos = first + j;
    const uint64_t word = mix(seed, static_cast<uint64_t>(rank) + 0x1000, pos / 8);
    for (size_t b = pos % 8; b < 8 && j < nbytes; ++b, ++j)
      out[j] = static_cast<unsigned char>(word >> (8 * b));
  }
}

}  // namespace grove::test::data
