#include "datatypes.hpp"

#include <cmath>

namespace grove::perf {
namespace {

struct TypeInfo {
  groveDataType_t type;
  const char* name;   // printed
  const char* alias;  // also accepted by -d
  size_t size;
  int mantissa;  // 0 for integers
  bool isSigned;
};

constexpr TypeInfo kTypes[] = {
    {groveInt8, "int8", "char", 1, 0, true},
    {groveUint8, "uint8", "uint8", 1, 0, false},
    {groveInt32, "int32", "int", 4, 0, true},
    {groveUint32, "uint32", "uint32", 4, 0, false},
    {groveInt64, "int64", "int64", 8, 0, true},
    {groveUint64, "uint64", "uint64", 8, 0, false},
    {groveFloat16, "half", "float16", 2, 10, true},
    {groveBfloat16, "bfloat16", "bf16", 2, 7, true},
    {groveFloat32, "float", "float32", 4, 23, true},
    {groveFloat64, "double", "float64", 8, 52, true},
    {groveFloat8e4m3, "fp8e4m3", "f8e4m3", 1, 3, true},
    {groveFloat8e5m2, "fp8e5m2", "f8e5m2", 1, 2, true},
};

const TypeInfo& info(groveDataType_t t) {
  for (const TypeInfo& i : kTypes)
    if (i.type == t) return i;
  return kTypes[8];
}

constexpr const char* kOpNames[] = {"sum", "prod", "max", "min", "avg"};

// A narrow binary floating-point format. OCP fp8 e4m3 ("FN") has no infinities and a single NaN
// mantissa (all ones), so its top binade is mostly finite; the others follow IEEE rules.
struct Format {
  int ebits, mbits, bias;
  bool hasInf;
  double maxFinite;
};
constexpr Format kHalf{5, 10, 15, true, 65504.0};
constexpr Format kBf16{8, 7, 127, true, 3.3895313892515355e38};
constexpr Format kE4m3{4, 3, 7, false, 448.0};
constexpr Format kE5m2{5, 2, 15, true, 57344.0};

uint32_t nanBits(const Format& f) {
  uint32_t expAll = (1u << f.ebits) - 1;
  uint32_t mant = f.hasInf ? (1u << (f.mbits - 1)) : ((1u << f.mbits) - 1);
  return (expAll << f.mbits) | mant;
}

// Rounds |v| to the format's grid with one round-half-even step, done exactly in double: dividing by
// a power of two is exact, and nearbyint() uses the default round-to-nearest-even mode.
uint32_t encode(const Format& f, double v) {
  uint32_t sign = std::signbit(v) ? 1u << (f.ebits + f.mbits) : 0u;
  if (std::isnan(v)) return sign | nanBits(f);
  double a = std::fabs(v);
  uint32_t expAll = (1u << f.ebits) - 1;
  if (std::isinf(a)) return sign | (f.hasInf ? expAll << f.mbits : nanBits(f));
  if (a == 0) return sign;
  int e2 = 0;
  std::frexp(a, &e2);
  int e = e2 - 1;  // a in [2^e, 2^(e+1))
  int minNormal = 1 - f.bias;
  double quantum = std::ldexp(1.0, (e < minNormal ? minNormal : e) - f.mbits);
  double r = std::nearbyint(a / quantum) * quantum;
  if (r > f.maxFinite) return sign | (f.hasInf ? expAll << f.mbits : nanBits(f));
  if (r < std::ldexp(1.0, minNormal)) {
    auto mant = static_cast<uint32_t>(r / std::ldexp(1.0, minNormal - f.mbits));
    return sign | mant;  // subnormal; a value rounded up to 2^minNormal took the normal path
  }
  std::frexp(r, &e2);
  e = e2 - 1;
  auto mant = static_cast<uint32_t>((r / std::ldexp(1.0, e) - 1.0) * std::ldexp(1.0, f.mbits));
  return sign | (static_cast<uint32_t>(e + f.bias) << f.mbits) | mant;
}

double decode(const Format& f, uint32_t bits) {
  bool neg = (bits >> (f.ebits + f.mbits)) & 1u;
  uint32_t expAll = (1u << f.ebits) - 1;
  uint32_t ex = (bits >> f.mbits) & expAll;
  uint32_t mant = bits & ((1u << f.mbits) - 1);
  double v;
  if (f.hasInf && ex == expAll) {
    v = mant == 0 ? INFINITY : NAN;
  } else if (!f.hasInf && ex == expAll && mant == (1u << f.mbits) - 1) {
    v = NAN;
  } else if (ex == 0) {
    v = std::ldexp(static_cast<double>(mant), 1 - f.bias - f.mbits);
  } else {
    v = std::ldexp(1.0 + std::ldexp(static_cast<double>(mant), -f.mbits), static_cast<int>(ex) - f.bias);
  }
  return neg ? -v : v;
}

std::vector<float> makeTable(const Format& f) {
  std::vector<float> t(size_t{1} << (1 + f.ebits + f.mbits));
  for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(decode(f, static_cast<uint32_t>(i)));
  return t;
}

}  // namespace

const char* typeName(groveDataType_t t) { return info(t).name; }
size_t typeSize(groveDataType_t t) { return info(t).size; }
bool isFloatType(groveDataType_t t) { return info(t).mantissa > 0; }
bool isSignedType(groveDataType_t t) { return info(t).isSigned; }
int mantissaBits(groveDataType_t t) { return info(t).mantissa; }

std::vector<groveDataType_t> parseTypes(const std::string& s) {
  std::vector<groveDataType_t> out;
  for (const TypeInfo& i : kTypes)
    if (s == "all" || s == i.name || s == i.alias) out.push_back(i.type);
  if (out.empty() && (s == "fp8_e4m3")) out.push_back(groveFloat8e4m3);
  if (out.empty() && (s == "fp8_e5m2")) out.push_back(groveFloat8e5m2);
  return out;
}

const char* opName(groveRedOp_t op) { return op < groveNumOps ? kOpNames[op] : "?"; }

std::vector<groveRedOp_t> parseOps(const std::string& s) {
  std::vector<groveRedOp_t> out;
  for (int o = 0; o < groveNumOps; ++o)
    if (s == "all" || s == kOpNames[o]) out.push_back(static_cast<groveRedOp_t>(o));
  return out;
}

std::optional<MPI_Datatype> mpiType(groveDataType_t t, std::string* why) {
  switch (t) {
    case groveInt8:
      return MPI_INT8_T;
    case groveUint8:
      return MPI_UINT8_T;
    case groveInt32:
      return MPI_INT32_T;
    case groveUint32:
      return MPI_UINT32_T;
    case groveInt64:
      return MPI_INT64_T;
    case groveUint64:
      return MPI_UINT64_T;
    case groveFloat32:
      return MPI_FLOAT;
    case groveFloat64:
      return MPI_DOUBLE;
    default:
      *why = std::string("MPI has no ") + typeName(t) + " datatype";
      return std::nullopt;
  }
}

std::optional<MPI_Op> mpiOp(groveRedOp_t op, std::string* why) {
  switch (op) {
    case groveSum:
      return MPI_SUM;
    case groveProd:
      return MPI_PROD;
    case groveMax:
      return MPI_MAX;
    case groveMin:
      return MPI_MIN;
    default:
      *why = std::string("MPI has no ") + opName(op) + " reduction";
      return std::nullopt;
  }
}

uint16_t encodeHalf(double v) { return static_cast<uint16_t>(encode(kHalf, v)); }
double decodeHalf(uint16_t bits) { return decode(kHalf, bits); }
uint16_t encodeBfloat16(double v) { return static_cast<uint16_t>(encode(kBf16, v)); }
double decodeBfloat16(uint16_t bits) { return decode(kBf16, bits); }
uint8_t encodeFp8e4m3(double v) { return static_cast<uint8_t>(encode(kE4m3, v)); }
double decodeFp8e4m3(uint8_t bits) { return decode(kE4m3, bits); }
uint8_t encodeFp8e5m2(double v) { return static_cast<uint8_t>(encode(kE5m2, v)); }
double decodeFp8e5m2(uint8_t bits) { return decode(kE5m2, bits); }

const float* halfTable() {
  static const std::vector<float> t = makeTable(kHalf);
  return t.data();
}
const float* bfloat16Table() {
  static const std::vector<float> t = makeTable(kBf16);
  return t.data();
}
const float* fp8e4m3Table() {
  static const std::vector<float> t = makeTable(kE4m3);
  return t.data();
}
const float* fp8e5m2Table() {
  static const std::vector<float> t = makeTable(kE5m2);
  return t.data();
}

}  // namespace grove::perf
