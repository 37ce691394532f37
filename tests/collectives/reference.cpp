#include "reference.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <type_traits>

namespace grove::test::ref {

const std::vector<groveDataType_t> kAllTypes = {groveInt8,    groveUint8,   groveInt32,      groveUint32,
                                                groveInt64,   groveUint64,  groveFloat16,    groveBfloat16,
                                                groveFloat32, groveFloat64, groveFloat8e4m3, groveFloat8e5m2};
const std::vector<groveRedOp_t> kAllOps = {groveSum, groveProd, groveMax, groveMin, groveAvg};

// IEEE 754 binary16; bfloat16 is float32's top half (8 exponent bits, 7 stored mantissa bits); OCP FP8:
// E4M3 has no infinity and a single NaN mantissa (max 448), E5M2 follows IEEE conventions (max 57344).
const MiniFloat kHalf{5, 10, true};
const MiniFloat kBfloat16{8, 7, true};
const MiniFloat kE4m3{4, 3, false};
const MiniFloat kE5m2{5, 2, true};

size_t typeSize(groveDataType_t t) {
  switch (t) {
    case groveInt8:
    case groveUint8:
    case groveFloat8e4m3:
    case groveFloat8e5m2:
      return 1;
    case groveFloat16:
    case groveBfloat16:
      return 2;
    case groveInt32:
    case groveUint32:
    case groveFloat32:
      return 4;
    case groveInt64:
    case groveUint64:
    case groveFloat64:
      return 8;
    default:
      return 0;
  }
}

const char* typeName(groveDataType_t t) {
  static const char* const names[] = {"int8",    "uint8",   "int32",      "uint32",
                                      "int64",   "uint64",  "float16",    "bfloat16",
                                      "float32", "float64", "float8e4m3", "float8e5m2"};
  return t >= 0 && t < groveNumTypes ? names[t] : "invalid-type";
}

const char* opName(groveRedOp_t op) {
  static const char* const names[] = {"sum", "prod", "max", "min", "avg"};
  return op >= 0 && op < groveNumOps ? names[op] : "invalid-op";
}

bool isFloating(groveDataType_t t) { return t >= groveFloat16 && t < groveNumTypes; }
bool isLowPrecision(groveDataType_t t) { return miniFloatOf(t) != nullptr; }
bool isSignedInteger(groveDataType_t t) { return t == groveInt8 || t == groveInt32 || t == groveInt64; }

const MiniFloat* miniFloatOf(groveDataType_t t) {
  switch (t) {
    case groveFloat16:
      return &kHalf;
    case groveBfloat16:
      return &kBfloat16;
    case groveFloat8e4m3:
      return &kE4m3;
    case groveFloat8e5m2:
      return &kE5m2;
    default:
      return nullptr;
  }
}

namespace {
int bias(const MiniFloat& f) { return (1 << (f.expBits - 1)) - 1; }
uint32_t expAllOnes(const MiniFloat& f) { return (1u << f.expBits) - 1; }
uint32_t manAllOnes(const MiniFloat& f) { return (1u << f.manBits) - 1; }
uint32_t nanBits(const MiniFloat& f) {
  // Quiet NaN for IEEE-style formats; the only NaN mantissa for E4M3.
  return f.hasInfinity ? (expAllOnes(f) << f.manBits) | (1u << (f.manBits - 1))
                       : (expAllOnes(f) << f.manBits) | manAllOnes(f);
}

// Round to nearest integer, ties to even, spelled out rather than relying on the FP environment.
float roundHalfEven(float m) {
  const float fl = std::floor(m);
  const float diff = m - fl;  // exact: m has few integer bits
  if (diff > 0.5f) return fl + 1.0f;
  if (diff < 0.5f) return fl;
  return std::fmod(fl, 2.0f) == 0.0f ? fl : fl + 1.0f;
}
}  // namespace

float decode(const MiniFloat& f, uint32_t bits) {
  const uint32_t sign = (bits >> (f.expBits + f.manBits)) & 1u;
  const uint32_t e = (bits >> f.manBits) & expAllOnes(f);
  const uint32_t m = bits & manAllOnes(f);
  float v;
  if (f.hasInfinity && e == expAllOnes(f)) {
    v = m != 0 ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else if (!f.hasInfinity && e == expAllOnes(f) && m == manAllOnes(f)) {
    v = std::numeric_limits<float>::quiet_NaN();
  } else if (e == 0) {
    // Subnormal: 0.m * 2^(1 - bias).
    v = std::ldexp(static_cast<float>(m), 1 - bias(f) - f.manBits);
  } else {
    v = std::ldexp(static_cast<float>(m | (1u << f.manBits)), static_cast<int>(e) - bias(f) - f.manBits);
  }
  return sign ? -v : v;
}

float maxFinite(const MiniFloat& f) {
  const uint32_t e = f.hasInfinity ? expAllOnes(f) - 1 : expAllOnes(f);
  const uint32_t m = f.hasInfinity ? manAllOnes(f) : manAllOnes(f) - 1;
  return decode(f, (e << f.manBits) | m);
}

uint32_t encode(const MiniFloat& f, float x) {
  const uint32_t signBit = 1u << (f.expBits + f.manBits);
  if (std::isnan(x)) return nanBits(f);
  const uint32_t sign = std::signbit(x) ? signBit : 0u;
  const float a = std::fabs(x);
  const uint32_t overflow = f.hasInfinity ? sign | (expAllOnes(f) << f.manBits) : sign | nanBits(f);
  if (std::isinf(a)) return overflow;
  if (a == 0.0f) return sign;
  const int emin = 1 - bias(f);  // exponent of the smallest normal number
  int e = 0;
  std::frexp(a, &e);
  e -= 1;  // a in [2^e, 2^(e+1))
  // The spacing of representable values around a is 2^q; below the normal range it stays 2^(emin-man).
  int q = std::max(e, emin) - f.manBits;
  const float scaled = std::ldexp(a, -q);  // exact: a power-of-two scaling that stays in float range
  uint32_t r = static_cast<uint32_t>(roundHalfEven(scaled));
  if (r == (2u << f.manBits)) {  // rounded up into the next binade
    r >>= 1;
    q += 1;
  }
  uint32_t expField = 0;
  uint32_t man = r;
  if (r >= (1u << f.manBits)) {  // normal (also covers a subnormal that rounded up to the smallest normal)
    expField = static_cast<uint32_t>(q + f.manBits + bias(f));
    man = r - (1u << f.manBits);
  }
  const uint32_t bits = (expField << f.manBits) | man;
  const uint32_t maxBits = f.hasInfinity ? ((expAllOnes(f) - 1) << f.manBits) | manAllOnes(f)
                                         : (expAllOnes(f) << f.manBits) | (manAllOnes(f) - 1);
  if (expField > expAllOnes(f) || bits > maxBits) return overflow;
  return sign | bits;
}

float halfToFloat(uint16_t h) { return decode(kHalf, h); }
uint16_t floatToHalf(float x) { return static_cast<uint16_t>(encode(kHalf, x)); }
float bf16ToFloat(uint16_t b) { return decode(kBfloat16, b); }
uint16_t floatToBf16(float x) { return static_cast<uint16_t>(encode(kBfloat16, x)); }
float e4m3ToFloat(uint8_t b) { return decode(kE4m3, b); }
uint8_t floatToE4m3(float x) { return static_cast<uint8_t>(encode(kE4m3, x)); }
float e5m2ToFloat(uint8_t b) { return decode(kE5m2, b); }
uint8_t floatToE5m2(float x) { return static_cast<uint8_t>(encode(kE5m2, x)); }

namespace {
template <typename T>
T load(const void* base, size_t index) {
  T v;
  std::memcpy(&v, static_cast<const char*>(base) + index * sizeof(T), sizeof(T));
  return v;
}
template <typename T>
void store(void* base, size_t index, T v) {
  std::memcpy(static_cast<char*>(base) + index * sizeof(T), &v, sizeof(T));
}
uint32_t loadBits(size_t size, const void* base, size_t index) {
  return size == 1 ? load<uint8_t>(base, index) : load<uint16_t>(base, index);
}

// Integers: sums and products wrap (computed in the unsigned type so wrapping is defined); avg is the
// sum divided by nranks in 64 bits, truncating toward zero as C++ integer division does.
template <typename T>
void reduceInteger(groveRedOp_t op, const std::vector<const void*>& in, size_t count, void* out) {
  using U = std::make_unsigned_t<T>;
  using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
  for (size_t i = 0; i < count; ++i) {
    T acc = load<T>(in[0], i);
    for (size_t r = 1; r < in.size(); ++r) {
      const T x = load<T>(in[r], i);
      switch (op) {
        case groveSum:
        case groveAvg:
          acc = static_cast<T>(static_cast<U>(static_cast<U>(acc) + static_cast<U>(x)));
          break;
        case groveProd:
          acc =
              static_cast<T>(static_cast<U>(static_cast<uint64_t>(static_cast<U>(acc)) * static_cast<U>(x)));
          break;
        case groveMax:
          acc = acc < x ? x : acc;
          break;
        case groveMin:
          acc = x < acc ? x : acc;
          break;
        default:
          break;
      }
    }
    if (op == groveAvg) acc = static_cast<T>(static_cast<Wide>(acc) / static_cast<Wide>(in.size()));
    store<T>(out, i, acc);
  }
}

template <typename F>
F combine(groveRedOp_t op, F acc, F x) {
  switch (op) {
    case groveSum:
    case groveAvg:
      return acc + x;
    case groveProd:
      return acc * x;
    case groveMax:
      return acc < x ? x : acc;
    case groveMin:
      return x < acc ? x : acc;
    default:
      return acc;
  }
}

template <typename F>
void reduceFloat(groveRedOp_t op, const std::vector<const void*>& in, size_t count, void* out) {
  for (size_t i = 0; i < count; ++i) {
    F acc = load<F>(in[0], i);
    for (size_t r = 1; r < in.size(); ++r) acc = combine<F>(op, acc, load<F>(in[r], i));
    if (op == groveAvg) acc = acc / static_cast<F>(in.size());
    store<F>(out, i, acc);
  }
}

// Low precision: widen every input to float32, reduce in float32, round once at the end.
void reduceMini(const MiniFloat& f, size_t size, groveRedOp_t op, const std::vector<const void*>& in,
                size_t count, void* out) {
  for (size_t i = 0; i < count; ++i) {
    float acc = decode(f, loadBits(size, in[0], i));
    for (size_t r = 1; r < in.size(); ++r) acc = combine<float>(op, acc, decode(f, loadBits(size, in[r], i)));
    if (op == groveAvg) acc = acc / static_cast<float>(in.size());
    const uint32_t bits = encode(f, acc);
    if (size == 1)
      store<uint8_t>(out, i, static_cast<uint8_t>(bits));
    else
      store<uint16_t>(out, i, static_cast<uint16_t>(bits));
  }
}
}  // namespace

void reduce(groveDataType_t t, groveRedOp_t op, const std::vector<const void*>& inputs, size_t count,
            void* out) {
  if (inputs.empty()) return;
  switch (t) {
    case groveInt8:
      return reduceInteger<int8_t>(op, inputs, count, out);
    case groveUint8:
      return reduceInteger<uint8_t>(op, inputs, count, out);
    case groveInt32:
      return reduceInteger<int32_t>(op, inputs, count, out);
    case groveUint32:
      return reduceInteger<uint32_t>(op, inputs, count, out);
    case groveInt64:
      return reduceInteger<int64_t>(op, inputs, count, out);
    case groveUint64:
      return reduceInteger<uint64_t>(op, inputs, count, out);
    case groveFloat32:
      return reduceFloat<float>(op, inputs, count, out);
    case groveFloat64:
      return reduceFloat<double>(op, inputs, count, out);
    default:
      if (const MiniFloat* f = miniFloatOf(t)) reduceMini(*f, typeSize(t), op, inputs, count, out);
      return;
  }
}

double elementAsDouble(groveDataType_t t, const void* base, size_t index) {
  switch (t) {
    case groveInt8:
      return load<int8_t>(base, index);
    case groveUint8:
      return load<uint8_t>(base, index);
    case groveInt32:
      return load<int32_t>(base, index);
    case groveUint32:
      return load<uint32_t>(base, index);
    case groveInt64:
      return static_cast<double>(load<int64_t>(base, index));
    case groveUint64:
      return static_cast<double>(load<uint64_t>(base, index));
    case groveFloat32:
      return load<float>(base, index);
    case groveFloat64:
      return load<double>(base, index);
    default:
      if (const MiniFloat* f = miniFloatOf(t)) return decode(*f, loadBits(typeSize(t), base, index));
      return 0.0;
  }
}

int64_t elementAsInt64(groveDataType_t t, const void* base, size_t index) {
  if (t == groveInt64) return load<int64_t>(base, index);
  if (t == groveUint64) return static_cast<int64_t>(load<uint64_t>(base, index));
  return static_cast<int64_t>(elementAsDouble(t, base, index));
}

uint64_t elementAsUint64(groveDataType_t t, const void* base, size_t index) {
  if (t == groveUint64 || t == groveInt64) return load<uint64_t>(base, index);
  return static_cast<uint64_t>(elementAsInt64(t, base, index));
}

std::string describeElement(groveDataType_t t, const void* base, size_t index) {
  const size_t size = typeSize(t);
  uint64_t bits = 0;
  std::memcpy(&bits, static_cast<const char*>(base) + index * size, size);
  char buf[96];
  if (t == groveInt64 || t == groveInt8 || t == groveInt32) {
    std::snprintf(buf, sizeof(buf), "%lld (0x%llx)", static_cast<long long>(elementAsInt64(t, base, index)),
                  static_cast<unsigned long long>(bits));
  } else if (!isFloating(t)) {
    std::snprintf(buf, sizeof(buf), "%llu (0x%llx)",
                  static_cast<unsigned long long>(elementAsUint64(t, base, index)),
                  static_cast<unsigned long long>(bits));
  } else {
    std::snprintf(buf, sizeof(buf), "%.17g (0x%llx)", elementAsDouble(t, base, index),
                  static_cast<unsigned long long>(bits));
  }
  return buf;
}

}  // namespace grove::test::ref
