// groveMemAlloc buffers (zero-copy paths when every rank uses them) and groveCommRegister give the same
// results as malloc'd buffers, for every collective; ranks may mix kinds; alloc/free and register/
// deregister do not leak.
#include <dirent.h>
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

// Runs every collective over a few types, counts and variants with the buffer kind chosen per rank.
bool runAllCollectives(const Ctx& x, MemKind mem, bool registerBuffers, uint64_t seed) {
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
