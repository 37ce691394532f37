#include "check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "datatypes.hpp"

namespace grove::perf {
namespace {

// Largest magnitude the generator may use before reduction: an exact integer in the type, well inside
// the range, and away from the integer sentinels. Wide types are capped so sums stay readable.
int64_t maxMagnitude(groveDataType_t t) {
  switch (t) {
    case groveInt8:
      return 120;
    case groveUint8:
      return 250;
    case groveFloat16:
      return 2048;
    case groveBfloat16:
      return 256;
    case groveFloat8e4m3:
      return 16;
    case groveFloat8e5m2:
      return 8;
    default:
      return int64_t{1} << 20;
  }
}

// A stateless 64-bit mixer (splitmix64's finalizer): cheap enough to call per element, and any
// change of rank, index or iteration changes every bit of the result.
inline uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline uint64_t hashOf(uint64_t index, uint64_t rank, uint64_t iter) {
  return mix(index * 0x9e3779b97f4a7c15ULL + rank * 0xd1b54a32d192ed03ULL + iter * 0x8cb92ba72f3d8dd7ULL);
}

}  // namespace

Generator::Generator(groveDataType_t type, groveRedOp_t op, bool reduces, int nranks)
    : type_(type), op_(op), reduces_(reduces), nranks_(nranks) {
  int64_t k = maxMagnitude(type);
  if (reduces) k = std::max<int64_t>(1, k / nranks);
  lo_ = isSignedType(type) ? -k : 0;
  span_ = static_cast<uint64_t>(k - lo_ + 1);
}

double Generator::value(int rank, size_t index, uint64_t iter) const {
  uint64_t h = hashOf(index, static_cast<uint64_t>(rank), iter);
  if (reduces_ && op_ == groveProd) {
    // Exactly one rank contributes a 2 to each element, so the product never overflows.
    int twoRank = static_cast<int>(hashOf(index, 0x51ed, iter) % static_cast<uint64_t>(nranks_));
    double v = rank == twoRank ? 2.0 : 1.0;
    return isSignedType(type_) && (h & 1) ? -v : v;
  }
  // Multiply-shift maps the top 32 bits onto [0, span) without a division.
  uint64_t r = ((h >> 32) * span_) >> 32;
  return static_cast<double>(lo_ + static_cast<int64_t>(r));
}

double Generator::reduced(size_t index, uint64_t iter) const {
  double acc = value(0, index, iter);
  for (int r = 1; r < nranks_; ++r) {
    double v = value(r, index, iter);
    switch (op_) {
      case groveProd:
        acc *= v;
        break;
      case groveMax:
        acc = std::max(acc, v);
        break;
      case groveMin:
        acc = std::min(acc, v);
        break;
      default:
        acc += v;
        break;  // sum, and avg before its division
    }
  }
  if (op_ == groveAvg) {
    if (!isFloatType(type_)) return std::trunc(acc / nranks_);  // integers truncate toward zero
    if (type_ == groveFloat64) return acc / nranks_;
    // Narrow types reduce in float32: the division happens in float before the final rounding.
    return static_cast<float>(static_cast<float>(acc) / static_cast<float>(nranks_));
  }
  return acc;
}

void fillInput(const Generator& gen, int rank, uint64_t iter, void* buf, size_t count) {
  withType(gen.type(), [&](auto tag) {
    using Tag = decltype(tag);
    auto* p = static_cast<typename Tag::Storage*>(buf);
    for (size_t i = 0; i < count; ++i) p[i] = Tag::store(gen.value(rank, i, iter));
  });
}

void fillSentinel(groveDataType_t type, void* buf, size_t count) {
  bool isFloat = isFloatType(type);
  withType(type, [&](auto tag) {
    using Tag = decltype(tag);
    using S = typename Tag::Storage;
    S s;
    if (isFloat) {
      s = Tag::store(std::numeric_limits<double>::quiet_NaN());
    } else {
      s = std::numeric_limits<S>::is_signed ? std::numeric_limits<S>::min() : std::numeric_limits<S>::max();
    }
    std::fill_n(static_cast<S*>(buf), count, s);
  });
}

size_t countWrong(const Generator& gen, uint64_t iter, const void* recv, const std::vector<Block>& blocks) {
  // Averages are the only results that are not exact integers: allow a couple of units in the last
  // place, since a library may divide before or after summing.
  double relTol = 0;
  if (gen.op() == groveAvg && isFloatType(gen.type())) relTol = std::ldexp(2.0, -mantissaBits(gen.type()));
  return withType(gen.type(), [&](auto tag) {
    using Tag = decltype(tag);
    const auto* p = static_cast<const typename Tag::Storage*>(recv);
    size_t wrong = 0;
    for (const Block& b : blocks) {
      for (size_t j = 0; j < b.length; ++j) {
        double want =
            b.reduce ? gen.reduced(b.srcOffset + j, iter) : gen.value(b.srcRank, b.srcOffset + j, iter);
        want = Tag::load(Tag::store(want));  // the single rounding into the element type
        double got = Tag::load(p[b.recvOffset + j]);
        double tol = relTol * std::max(1.0, std::fabs(want));
        if (!(std::fabs(got - want) <= tol)) ++wrong;
      }
    }
    return wrong;
  });
}

}  // namespace grove::perf
