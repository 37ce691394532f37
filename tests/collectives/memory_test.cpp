// groveMemAlloc buffers (zero-copy paths when every rank uses them) and groveCommRegister give the same
// results as malloc'd buffers, for every collective; ranks may mix kinds; alloc/free and register/
// deregister do not leak.
#include <dirent.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

// Runs every collective over a few types, counts and variants with the buffer kind chosen per rank.
bool runAllCollectives(const Ctx& x, MemKind mem, bool registerBuffers, uint64_t seed,
                       std::optional<MemKind> recvMem = std::nullopt) {
  const std::vector<groveDataType_t> types = {groveFloat32, groveBfloat16, groveInt64, groveUint8};
  int i = 0;
  for (size_t count : {size_t{1}, size_t{1031}, size_t{kMediumCount}, size_t{300007}}) {
    for (const Variant& v : kAllVariants) {
      if (count > kMediumCount && (v.inPlace || v.onStream)) continue;  // one large case is enough
      CaseSpec c;
      c.type = types[i % types.size()];
      c.op = ref::kAllOps[i % ref::kAllOps.size()];
      c.count = count;
      c.variant = v;
      c.seed = seed + i;
      c.root = i % x.nranks;
      c.mem = mem;
      c.recvMem = recvMem;
      c.registerBuffers = registerBuffers;
      ++i;
      CaseSpec per = c;
      per.count = count / static_cast<size_t>(x.nranks) + 1;  // per-rank counts for the gather-like calls
      if (!runAllReduce(x, c) || !runReduce(x, c) || !runBroadcast(x, c) || !runAllGather(x, per) ||
          !runReduceScatter(x, per) || !runAllToAll(x, per))
        return false;
    }
  }
  return true;
}

class Memory : public ::testing::TestWithParam<int> {};

TEST_P(Memory, GroveMemAllocBuffers) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    return runAllCollectives({rank, nranks, comm, stream, check}, MemKind::kGroveMem, false, 1500);
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

TEST_P(Memory, RegisteredGroveMemAllocBuffers) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    return runAllCollectives({rank, nranks, comm, stream, check}, MemKind::kGroveMem, true, 1600);
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// Streaming (non-temporal) stores forced on: the zero-copy allgather/alltoall and the two-shot's gather
// then write every output that way, at the odd sizes and offsets above (unaligned heads and tails).
TEST_P(Memory, StreamingStoresOnEveryLargeOutput) {
  ScopedEnv streaming("GROVE_STREAM_STORES", "1");
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    return runAllCollectives({rank, nranks, comm, stream, check}, MemKind::kGroveMem, false, 1650);
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

TEST_P(Memory, RegisteredHeapBuffers) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    return runAllCollectives({rank, nranks, comm, stream, check}, MemKind::kHeap, true, 1700);
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// Odd ranks use shared memory, even ranks the heap: zero-copy only applies when all do.
TEST_P(Memory, MixedKindsAcrossRanks) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    return runAllCollectives({rank, nranks, comm, stream, check},
                             rank % 2 ? MemKind::kGroveMem : MemKind::kHeap, rank % 3 == 0, 1800);
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// Send and receive buffers of different kinds within each rank (shared send, heap receive on some ranks,
// the reverse on others): each zero-copy decision must look at the right buffer.
TEST_P(Memory, SendAndRecvOfDifferentKinds) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    const bool odd = rank % 2;
    return runAllCollectives({rank, nranks, comm, stream, check}, odd ? MemKind::kGroveMem : MemKind::kHeap,
                             false, 1900, odd ? MemKind::kHeap : MemKind::kGroveMem) &&
           runAllCollectives({rank, nranks, comm, stream, check}, MemKind::kGroveMem, false, 1950,
                             MemKind::kHeap);
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// Fresh groveMemAlloc buffers for every call, as a framework that allocates per step would do: peers
// map each new segment, and however they manage those mappings, buffers of the current call must stay
// mapped until it ends.
TEST_P(Memory, FreshSharedBuffersEveryCall) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    const size_t count = 70001;
    for (int iter = 0; iter < 60; ++iter) {
      void *send = nullptr, *recv = nullptr;
      if (!check.result(groveMemAlloc(&send, count * 8), groveSuccess, "groveMemAlloc") ||
          !check.result(groveMemAlloc(&recv, count * 8), groveSuccess, "groveMemAlloc"))
        return false;
      std::vector<double> in(count, rank + iter), want(count, nranks * iter + nranks * (nranks - 1) / 2);
      std::memcpy(send, in.data(), count * 8);
      const groveResult_t r = groveAllReduce(send, recv, count, groveFloat64, groveSum, comm, nullptr);
      const bool ok =
          check.result(r, groveSuccess, format("allreduce %d on fresh shared buffers", iter), comm);
      if (ok) check.elements(recv, want.data(), count, groveFloat64, format("allreduce %d", iter));
      groveMemFree(send);
      groveMemFree(recv);
      if (!ok) return false;
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// Bytes of this process's shared mappings backed by memfd segments (grove's shared memory, own and
// mapped from peers).
size_t mappedMemfdBytes() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  size_t total = 0;
  while (std::getline(maps, line)) {
    if (line.find("memfd:") == std::string::npos) continue;
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) == 2) total += hi - lo;
  }
  return total;
}

// Memory a peer freed with groveMemFree must not stay mapped (and so allocated) in the other ranks:
// a training loop that allocates and frees large buffers would otherwise pin many times its memory.
TEST(MemoryLifecycle, FreedSharedBuffersAreNotRetainedByPeers) {
  MatrixBody body = [](int, int, groveComm_t comm, groveStream_t, Checker& check) {
    const size_t count = 4 << 20;  // 16 MB of floats
    size_t baseline = 0;
    for (int iter = 0; iter < 12; ++iter) {
      void* buf = nullptr;
      if (!check.result(groveMemAlloc(&buf, count * 4), groveSuccess, "groveMemAlloc")) return false;
      std::memset(buf, 0, count * 4);
      if (!check.result(groveAllReduce(buf, buf, count, groveFloat32, groveSum, comm, nullptr), groveSuccess,
                        "allreduce", comm))
        return false;
      check.result(groveMemFree(buf), groveSuccess, "groveMemFree");
      // Every rank is past the previous call here, so its buffers are no longer in use anywhere.
      int32_t v = 0;
      groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm, nullptr);
      if (iter == 1) baseline = mappedMemfdBytes();
    }
    const size_t now = mappedMemfdBytes();
    check.expect(now <= baseline + count * 4,
                 format("memfd mappings grew from %zu MB to %zu MB over 10 alloc/allreduce/free rounds of "
                        "16 MB",
                        baseline >> 20, now >> 20));
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 120000);
}

INSTANTIATE_TEST_SUITE_P(, Memory, ::testing::Values(2, 3, 5, 8), ranksName);

size_t openFds() {
  size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

// Many allocations and registrations, then everything released: memory is usable and writable, and
// descriptors do not accumulate.
TEST(MemoryLifecycle, AllocFreeRegisterDeregister) {
  MatrixBody body = [](int, int, groveComm_t comm, groveStream_t, Checker& check) {
    const size_t fds0 = openFds();
    for (int round = 0; round < 3; ++round) {
      std::vector<void*> ptrs, handles;
      for (size_t size : {size_t{1}, size_t{4096}, size_t{1} << 20, size_t{3} << 20, size_t{12345}}) {
        void* p = nullptr;
        if (!check.result(groveMemAlloc(&p, size), groveSuccess, format("groveMemAlloc(%zu)", size)))
          return false;
        check.expect(p != nullptr, "groveMemAlloc returned NULL");
        std::memset(p, 0x5A, size);
        check.expect(static_cast<unsigned char*>(p)[size - 1] == 0x5A, "groveMemAlloc memory not writable");
        void* h = nullptr;
        check.result(groveCommRegister(comm, p, size, &h), groveSuccess, "register whole", comm);
        handles.push_back(h);
        if (size > 2) {  // an interior range of the same allocation, registered again
          check.result(groveCommRegister(comm, static_cast<char*>(p) + 1, size - 2, &h), groveSuccess,
                       "register interior", comm);
          handles.push_back(h);
        }
        ptrs.push_back(p);
      }
      std::vector<char> heap(1000);
      void* h = nullptr;
      check.result(groveCommRegister(comm, heap.data(), heap.size(), &h), groveSuccess, "register heap",
                   comm);
      handles.push_back(h);
      for (void* hd : handles) check.result(groveCommDeregister(comm, hd), groveSuccess, "deregister", comm);
      for (void* p : ptrs) check.result(groveMemFree(p), groveSuccess, "groveMemFree");
    }
    for (int i = 0; i < 200; ++i) {
      void* p = nullptr;
      if (groveMemAlloc(&p, 65536) != groveSuccess || groveMemFree(p) != groveSuccess) {
        check.fail(format("alloc/free cycle %d failed: %s", i, groveGetLastError(nullptr)));
        break;
      }
    }
    check.expect(openFds() <= fds0, format("file descriptors grew from %zu to %zu", fds0, openFds()));
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 60000);
}

}  // namespace
}  // namespace grove::test
