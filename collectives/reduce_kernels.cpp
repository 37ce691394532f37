#include "collectives/reduce_kernels.hpp"

#include <algorithm>
#include <cstdint>

#include "collectives/datatype.hpp"

#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
#define GROVE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GROVE_CLONES
#endif
#define GROVE_INLINE __attribute__((always_inline)) inline

namespace grove::coll {
namespace {

// How an element type is loaded into its accumulator type and stored back.
template <typename T>
struct Plain {
  using Acc = T;
  static GROVE_INLINE Acc load(const void* p, std::size_t i) { return static_cast<const T*>(p)[i]; }
  static GROVE_INLINE void store(void* p, std::size_t i, Acc v) { static_cast<T*>(p)[i] = v; }
};
#if defined(__FLT16_MAX__)
// The compiler's _Float16 uses the hardware conversions (F16C, AVX-512 FP16) in the clones that have them.
struct Half {
  using Acc = float;
  static GROVE_INLINE Acc load(const void* p, std::size_t i) {
    return static_cast<float>(static_cast<const _Float16*>(p)[i]);
  }
  static GROVE_INLINE void store(void* p, std::size_t i, Acc v) {
    static_cast<_Float16*>(p)[i] = static_cast<_Float16>(v);
  }
};
#else
// Compilers without _Float16 (e.g. clang 14 on x86): portable conversions, same rounding.
struct Half {
  using Acc = float;
  static GROVE_INLINE Acc load(const void* p, std::size_t i) {
    return halfToFloat(static_cast<const std::uint16_t*>(p)[i]);
  }
  static GROVE_INLINE void store(void* p, std::size_t i, Acc v) {
    static_cast<std::uint16_t*>(p)[i] = floatToHalf(v);
  }
};
#endif
struct Bf16 {
  using Acc = float;
  static GROVE_INLINE Acc load(const void* p, std::size_t i) {
    return bf16ToFloat(static_cast<const std::uint16_t*>(p)[i]);
  }
  static GROVE_INLINE void store(void* p, std::size_t i, Acc v) {
    static_cast<std::uint16_t*>(p)[i] = floatToBf16(v);
  }
};
template <bool E4M3>
struct Fp8 {
  using Acc = float;
  static GROVE_INLINE Acc load(const void* p, std::size_t i) {
    const std::uint8_t v = static_cast<const std::uint8_t*>(p)[i];
    return E4M3 ? fp8e4m3ToFloat(v) : fp8e5m2ToFloat(v);
  }
  static GROVE_INLINE void store(void* p, std::size_t i, Acc v) {
    static_cast<std::uint8_t*>(p)[i] = E4M3 ? floatToFp8e4m3(v) : floatToFp8e5m2(v);
  }
};

// Integer sums wrap (as two's complement hardware does); computed in the unsigned type to stay defined.
template <typename A>
GROVE_INLINE A addOf(A a, A b) {
  if constexpr (std::is_integral_v<A>) {
    using U = std::make_unsigned_t<A>;
    return static_cast<A>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <typename A>
GROVE_INLINE A mulOf(A a, A b) {
  if constexpr (std::is_integral_v<A>) {
    using U = std::conditional_t<(sizeof(A) < sizeof(unsigned)), unsigned, std::make_unsigned_t<A>>;
    return static_cast<A>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}

template <typename A>
GROVE_INLINE A combine(groveRedOp_t op, A a, A b) {
  switch (op) {
    case groveProd:
      return mulOf(a, b);
    case groveMax:
      return a > b ? a : b;
    case groveMin:
      return a < b ? a : b;
    default:
      return addOf(a, b);  // sum and avg
  }
}

// Blocks keep the accumulator in L1 while every source is folded in; the inner loops vectorize.
constexpr std::size_t kBlock = 1024;

template <class Ty, groveRedOp_t Op>
GROVE_INLINE void reduceBlocks(const ReduceArgs& a) {
  using Acc = typename Ty::Acc;
  Acc acc[kBlock];
  for (std::size_t base = 0; base < a.count; base += kBlock) {
    const std::size_t len = std::min(kBlock, a.count - base);
    const void* s0 = a.src[0];
    for (std::size_t i = 0; i < len; ++i) acc[i] = Ty::load(s0, base + i);
    for (int s = 1; s < a.nsrc; ++s) {
      const void* sp = a.src[s];
      for (std::size_t i = 0; i < len; ++i) acc[i] = combine<Acc>(Op, acc[i], Ty::load(sp, base + i));
    }
    if (Op == groveAvg) {
      if constexpr (std::is_integral_v<Acc>) {
        for (std::size_t i = 0; i < len; ++i)
          acc[i] = static_cast<Acc>(acc[i] / static_cast<Acc>(a.avgDivisor));
      } else {
        const Acc d = static_cast<Acc>(a.avgDivisor);
        for (std::size_t i = 0; i < len; ++i) acc[i] = acc[i] / d;
      }
    }
    for (std::size_t i = 0; i < len; ++i) Ty::store(a.dst, base + i, acc[i]);
    if (a.dst2)
      for (std::size_t i = 0; i < len; ++i) Ty::store(a.dst2, base + i, acc[i]);
  }
}

// Two plain sources, the common case: one pass, no accumulator block. The pointers are declared
// non-aliasing (the in-place case gets its own loop) so the compiler vectorizes without runtime checks.
template <typename T, groveRedOp_t Op>
GROVE_INLINE void twoDistinct(T* __restrict d, T* __restrict d2, const T* __restrict x, const T* __restrict y,
                              std::size_t n) {
  if (d2) {
    for (std::size_t i = 0; i < n; ++i) {
      T v = combine<T>(Op, x[i], y[i]);
      d[i] = v;
      d2[i] = v;
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) d[i] = combine<T>(Op, x[i], y[i]);
  }
}

template <typename T, groveRedOp_t Op>
GROVE_INLINE void twoInPlace(T* __restrict d, T* __restrict d2, const T* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    T v = combine<T>(Op, d[i], y[i]);
    d[i] = v;
    if (d2) d2[i] = v;
  }
}

template <typename T, groveRedOp_t Op>
GROVE_INLINE void reduceTwo(const ReduceArgs& a) {
  const T* x = static_cast<const T*>(a.src[0]);
  const T* y = static_cast<const T*>(a.src[1]);
  T* d = static_cast<T*>(a.dst);
  T* d2 = static_cast<T*>(a.dst2);
  // The four ops are commutative bit for bit, so reducing into whichever source aliases d is exact.
  if (d == x) return twoInPlace<T, Op>(d, d2, y, a.count);
  if (d == y) return twoInPlace<T, Op>(d, d2, x, a.count);
  twoDistinct<T, Op>(d, d2, x, y, a.count);
}

template <class Ty>
GROVE_INLINE void dispatchOp(const ReduceArgs& a) {
  switch (a.op) {
    case groveSum:
      return reduceBlocks<Ty, groveSum>(a);
    case groveProd:
      return reduceBlocks<Ty, groveProd>(a);
    case groveMax:
      return reduceBlocks<Ty, groveMax>(a);
    case groveMin:
      return reduceBlocks<Ty, groveMin>(a);
    default:
      return reduceBlocks<Ty, groveAvg>(a);
  }
}

template <typename T>
GROVE_INLINE void dispatchPlain(const ReduceArgs& a) {
  if (a.nsrc == 2 && a.op != groveAvg) {
    switch (a.op) {
      case groveSum:
        return reduceTwo<T, groveSum>(a);
      case groveProd:
        return reduceTwo<T, groveProd>(a);
      case groveMax:
        return reduceTwo<T, groveMax>(a);
      default:
        return reduceTwo<T, groveMin>(a);
    }
  }
  dispatchOp<Plain<T>>(a);
}

GROVE_CLONES void reduceF32(const ReduceArgs& a) { dispatchPlain<float>(a); }
GROVE_CLONES void reduceF64(const ReduceArgs& a) { dispatchPlain<double>(a); }
GROVE_CLONES void reduceI32(const ReduceArgs& a) { dispatchPlain<std::int32_t>(a); }
GROVE_CLONES void reduceU32(const ReduceArgs& a) { dispatchPlain<std::uint32_t>(a); }
GROVE_CLONES void reduceI64(const ReduceArgs& a) { dispatchPlain<std::int64_t>(a); }
GROVE_CLONES void reduceU64(const ReduceArgs& a) { dispatchPlain<std::uint64_t>(a); }
GROVE_CLONES void reduceI8(const ReduceArgs& a) { dispatchPlain<std::int8_t>(a); }
GROVE_CLONES void reduceU8(const ReduceArgs& a) { dispatchPlain<std::uint8_t>(a); }
GROVE_CLONES void reduceF16(const ReduceArgs& a) { dispatchOp<Half>(a); }
GROVE_CLONES void reduceBf16(const ReduceArgs& a) { dispatchOp<Bf16>(a); }
void reduceE4m3(const ReduceArgs& a) { dispatchOp<Fp8<true>>(a); }
void reduceE5m2(const ReduceArgs& a) { dispatchOp<Fp8<false>>(a); }

}  // namespace

void reduce(const ReduceArgs& a) {
  if (a.count == 0 || a.nsrc <= 0) return;
  switch (a.type) {
    case groveInt8:
      return reduceI8(a);
    case groveUint8:
      return reduceU8(a);
    case groveInt32:
      return reduceI32(a);
    case groveUint32:
      return reduceU32(a);
    case groveInt64:
      return reduceI64(a);
    case groveUint64:
      return reduceU64(a);
    case groveFloat16:
      return reduceF16(a);
    case groveBfloat16:
      return reduceBf16(a);
    case groveFloat32:
      return reduceF32(a);
    case groveFloat64:
      return reduceF64(a);
    case groveFloat8e4m3:
      return reduceE4m3(a);
    case groveFloat8e5m2:
      return reduceE5m2(a);
    default:
      return;
  }
}

}  // namespace grove::coll
