// Element types and reduction ops as the perf harness sees them: names for the table and the -d/-o
// flags, sizes, the matching MPI handles, and exact software conversions for the low-precision types.
//
// The conversions live here rather than in the library on purpose: the harness must compute expected
// results independently of the code it checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <grove/grove.h>

#include "mpi_include.hpp"

namespace grove::perf {

/// Name printed in the `type` column, e.g. "float", "half", "fp8e4m3".
const char* typeName(groveDataType_t t);
/// Bytes per element.
size_t typeSize(groveDataType_t t);
/// True for the floating-point types (all widths).
bool isFloatType(groveDataType_t t);
/// True for the signed integer and all floating types.
bool isSignedType(groveDataType_t t);
/// Explicit mantissa bits of a floating type (23 for float); 0 for integers.
int mantissaBits(groveDataType_t t);
/// Parses a -d argument; "all" expands to every type. Empty on an unknown name.
std::vector<groveDataType_t> parseTypes(const std::string& s);

/// Name printed in the `redop` column.
const char* opName(groveRedOp_t op);
/// Parses a -o argument; "all" expands to every op. Empty on an unknown name.
std::vector<groveRedOp_t> parseOps(const std::string& s);

/// MPI equivalents; nullopt (the reason in *why) when MPI has no such type or op.
std::optional<MPI_Datatype> mpiType(groveDataType_t t, std::string* why);
std::optional<MPI_Op> mpiOp(groveRedOp_t op, std::string* why);

/// Bit-level codecs for the narrow float formats, exposed for unit checks.
uint16_t encodeHalf(double v);
double decodeHalf(uint16_t bits);
uint16_t encodeBfloat16(double v);
double decodeBfloat16(uint16_t bits);
uint8_t encodeFp8e4m3(double v);
double decodeFp8e4m3(uint8_t bits);
uint8_t encodeFp8e5m2(double v);
double decodeFp8e5m2(uint8_t bits);

}  // namespace grove::perf

namespace grove::perf {

/// Decode tables for the narrow formats (indexed by the raw bits), built once on first use.
const float* halfTable();
const float* bfloat16Table();
const float* fp8e4m3Table();
const float* fp8e5m2Table();

/// Per-type access used by the typed loops in check.cpp: Storage is the in-memory element,
/// load() widens it to double, store() rounds a double into it once.
template <class T>
struct NativeType {
  using Storage = T;
  static double load(T v) { return static_cast<double>(v); }
  static T store(double v) { return static_cast<T>(v); }
};
struct HalfType {
  using Storage = uint16_t;
  static double load(uint16_t v) { return halfTable()[v]; }
  static uint16_t store(double v) { return encodeHalf(v); }
};
struct Bfloat16Type {
  using Storage = uint16_t;
  static double load(uint16_t v) { return bfloat16Table()[v]; }
  static uint16_t store(double v) { return encodeBfloat16(v); }
};
struct Fp8e4m3Type {
  using Storage = uint8_t;
  static double load(uint8_t v) { return fp8e4m3Table()[v]; }
  static uint8_t store(double v) { return encodeFp8e4m3(v); }
};
struct Fp8e5m2Type {
  using Storage = uint8_t;
  static double load(uint8_t v) { return fp8e5m2Table()[v]; }
  static uint8_t store(double v) { return encodeFp8e5m2(v); }
};

/// Calls f(Tag{}) with the access type for t, so loops are compiled once per type.
template <class F>
decltype(auto) withType(groveDataType_t t, F&& f) {
  switch (t) {
    case groveInt8:
      return f(NativeType<int8_t>{});
    case groveUint8:
      return f(NativeType<uint8_t>{});
    case groveInt32:
      return f(NativeType<int32_t>{});
    case groveUint32:
      return f(NativeType<uint32_t>{});
    case groveInt64:
      return f(NativeType<int64_t>{});
    case groveUint64:
      return f(NativeType<uint64_t>{});
    case groveFloat16:
      return f(HalfType{});
    case groveBfloat16:
      return f(Bfloat16Type{});
    case groveFloat32:
      return f(NativeType<float>{});
    case groveFloat64:
      return f(NativeType<double>{});
    case groveFloat8e4m3:
      return f(Fp8e4m3Type{});
    default:
      return f(Fp8e5m2Type{});
  }
}

}  // namespace grove::perf
