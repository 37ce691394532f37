// The reduction algorithms shared by allreduce and reduce: one-shot for small messages and a pipelined
// two-shot (reduce-scatter, then gather to everyone or to the root) for large ones.
#include "collectives/two_shot.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "collectives/copy_kernels.hpp"
#include "collectives/core_distance.hpp"
#include "collectives/datatype.hpp"
#include "collectives/reduce_kernels.hpp"
#include "grove/error.hpp"

namespace grove::coll {

// One-shot: every rank copies its input next to its call header; once every header is posted, every
// rank reduces all inputs (in rank order, so all ranks get bit-identical results) into its output.
// One synchronization, n reads per element: best while n*S stays in cache.
void oneShotReduce(Engine& e, std::uint64_t seq, const CallDesc& d, const void* send, void* recv, int root) {
  const std::size_t bytes = d.count * typeSize(d.type);
  const int n = e.nranks();
  e.postPayload(seq, d, send, bytes);
  if (root >= 0 && root != e.rank()) return e.waitAll(seq, d);
  e.waitAllPayloads(seq, d, bytes);
  // Small calls are latency-bound: no heap allocation for the common rank counts.
  const void* stackSrc[16];
  std::vector<const void*> heapSrc(n > 16 ? n : 0);
  const void** src = n > 16 ? heapSrc.data() : stackSrc;
  for (int r = 0; r < n; ++r) src[r] = r == e.rank() ? send : e.payloadOf(r, seq, bytes);
  reduce(ReduceArgs{recv, nullptr, src, n, d.count, d.type, d.op, n});
}

namespace {

// Which elements of a chunk each rank reduces: equal slices, aligned to cache lines.
struct Slices {
  std::size_t elems, slice;
  std::size_t begin(int r) const { return std::min(elems, slice * r); }
  std::size_t end(int r) const { return std::min(elems, slice * (r + 1)); }
};

Slices slicesOf(std::size_t elems, int n, std::size_t typeBytes) {
  const std::size_t align = std::max<std::size_t>(1, kLine / typeBytes);
  std::size_t slice = (elems + n - 1) / n;
  slice = (slice + align - 1) / align * align;
  return Slices{elems, slice};
}

}  // namespace

// Zero-copy allreduce, for buffers every rank allocated with groveMemAlloc: each rank reduces its
// slice of every chunk straight from all inputs into its output, then copies the other slices from
// the peers' outputs. No staging copies at all.
void zeroCopyAllReduce(Engine& e, std::uint64_t seq, const CallDesc& d, const void* send, void* recv) {
  const int n = e.nranks(), me = e.rank();
  const std::size_t tb = typeSize(d.type);
  const std::size_t chunkElems = e.layout().chunkBytes / tb;
  const std::size_t chunks = (d.count + chunkElems - 1) / chunkElems;
  if (chunks >= (1u << 24) - 2) throw Error(groveInvalidArgument, "message too large for the pipeline");
  std::vector<const char*> inputs(n);
  std::vector<char*> outputs(n);
  for (int r = 0; r < n; ++r) {
    inputs[r] = r == me ? static_cast<const char*>(send) : e.peerSend(r, seq);
    outputs[r] = r == me ? static_cast<char*>(recv) : e.peerRecv(r, seq);
  }
  std::vector<const void*> src(n);
  auto reduceChunk = [&](std::size_t c) {
    const std::size_t first = c * chunkElems;
    Slices s = slicesOf(std::min(chunkElems, d.count - first), n, tb);
    const std::size_t off = (first + s.begin(me)) * tb;
    for (int r = 0; r < n; ++r) src[r] = inputs[r] + off;
    reduce(ReduceArgs{outputs[me] + off, nullptr, src.data(), n, s.end(me) - s.begin(me), d.type, d.op, n});
    e.signalAll(kSemReduced, epoch(seq, c));
  };
  auto gather = [&](std::size_t c) {
    e.waitAllPeers(kSemReduced, epoch(seq, c));
    const std::size_t first = c * chunkElems;
    Slices s = slicesOf(std::min(chunkElems, d.count - first), n, tb);
    for (int k = 1; k < n; ++k) {
      const int r = (me + k) % n;
      const std::size_t off = (first + s.begin(r)) * tb;
      std::memcpy(outputs[me] + off, outputs[r] + off, (s.end(r) - s.begin(r)) * tb);
    }
  };
  for (std::size_t c = 0; c <= chunks; ++c) {
    if (c < chunks) reduceChunk(c);
    if (c >= 1) gather(c - 1);
  }
  e.finishTogether(seq);
}

// Two-shot, pipelined over chunks that cycle through a ring of workspace slots:
//   stage(c):  copy my input chunk (all but my slice) into my staging slot; tell peers
//   reduce(c): my slice = my input + every peer's staged copy; write it to my output and result slot
//   gather(c): copy every peer's reduced slice from its result slot into my output; tell peers I'm done
// Iteration i runs stage(i), reduce(i-1), gather(i-2) so copies, reductions and waits overlap.
void twoShotReduce(Engine& e, std::uint64_t seq, const CallDesc& d, const void* send, void* recv, int root) {
  const std::size_t bytes = d.count * typeSize(d.type);
  e.describeBuffers(seq, send, bytes, root < 0 ? recv : nullptr, bytes);
  e.agree(seq, d);
  if (root < 0 && e.everyoneHas(seq, kSendShared | kRecvShared))
    return zeroCopyAllReduce(e, seq, d, send, recv);
  const WorkspaceLayout& L = e.layout();
  const int n = e.nranks(), me = e.rank(), K = L.ringSlots;
  const std::size_t tb = typeSize(d.type);
  const std::size_t chunkElems = L.chunkBytes / tb;
  const std::size_t chunks = (d.count + chunkElems - 1) / chunkElems;
  if (chunks >= (1u << 24)) throw Error(groveInvalidArgument, "message too large for the pipeline");
  const char* in = static_cast<const char*>(send);
  char* out = static_cast<char*>(recv);
  std::vector<const void*> src(n);

  // Far-apart cores: hand chunks over through memory rather than through the caches (core_distance.hpp).
  const bool far = streamStaging(e, seq);
  const bool streaming = far || useStreamingStores(d.count * tb);
  char* scratch = far && root >= 0 && root != me ? e.scratch(L.chunkBytes) : nullptr;
  auto chunkElemsOf = [&](std::size_t c) { return std::min(chunkElems, d.count - c * chunkElems); };
  auto stage = [&](std::size_t c) {
    // Slot reuse: every peer must have read my staging and result slots of chunk c-K.
    if (c >= static_cast<std::size_t>(K)) e.waitAllPeers(kSemConsumed, epoch(seq, c - K));
    Slices s = slicesOf(chunkElemsOf(c), n, tb);
    const char* chunkIn = in + c * chunkElems * tb;
    char* slot = e.base(me) + L.stagingOffset(static_cast<int>(c % K));
    auto copy =
        far ? streamCopy : [](void* dst, const void* from, std::size_t len) { std::memcpy(dst, from, len); };
    copy(slot, chunkIn, s.begin(me) * tb);
    copy(slot + s.end(me) * tb, chunkIn + s.end(me) * tb, (s.elems - s.end(me)) * tb);
    e.signalAll(kSemStaged, epoch(seq, c));
  };
  auto reduceChunk = [&](std::size_t c) {
    e.waitAllPeers(kSemStaged, epoch(seq, c));
    Slices s = slicesOf(chunkElemsOf(c), n, tb);
    const std::size_t off = (c * chunkElems + s.begin(me)) * tb;
    const std::size_t slotOff = s.begin(me) * tb;
    for (int r = 0; r < n; ++r)
      src[r] = r == me ? in + off : e.base(r) + L.stagingOffset(static_cast<int>(c % K)) + slotOff;
    char* result = e.base(me) + L.resultOffset(static_cast<int>(c % K)) + slotOff;
    // My slice goes to my output if I gather, and to my result slot if anyone else does.
    const bool iGather = root < 0 || root == me, othersGather = root != me;
    const std::size_t len = s.end(me) - s.begin(me);
    if (far && othersGather) {  // reduce where it stays in this core's cache, then stream to the peers
      char* local = iGather ? out + off : scratch;
      reduce(ReduceArgs{local, nullptr, src.data(), n, len, d.type, d.op, n});
      streamCopy(result, local, len * tb);
    } else {
      reduce(ReduceArgs{iGather ? out + off : result, iGather && othersGather ? result : nullptr, src.data(),
                        n, len, d.type, d.op, n});
    }
    e.signalAll(kSemReduced, epoch(seq, c));
    if (!iGather) e.signalAll(kSemConsumed, epoch(seq, c));  // done reading peers' staging
  };
  auto gather = [&](std::size_t c) {
    if (root >= 0 && root != me) return;
    e.waitAllPeers(kSemReduced, epoch(seq, c));
    Slices s = slicesOf(chunkElemsOf(c), n, tb);
    for (int k = 1; k < n; ++k) {
      int r = (me + k) % n;  // start with the next rank so peers do not all read the same one
      const std::size_t len = (s.end(r) - s.begin(r)) * tb;
      if (len == 0) continue;
      char* dst = out + (c * chunkElems + s.begin(r)) * tb;
      const char* from = e.base(r) + L.resultOffset(static_cast<int>(c % K)) + s.begin(r) * tb;
      if (streaming)
        streamCopy(dst, from, len);
      else
        std::memcpy(dst, from, len);
    }
    e.signalAll(kSemConsumed, epoch(seq, c));
  };
  for (std::size_t i = 0; i < chunks + 2; ++i) {
    if (i < chunks) stage(i);
    if (i >= 1 && i - 1 < chunks) reduceChunk(i - 1);
    if (i >= 2) gather(i - 2);
  }
}

}  // namespace grove::coll
