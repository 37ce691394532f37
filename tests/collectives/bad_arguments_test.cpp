// Bad arguments are caught locally: groveInvalidArgument with a message, nothing aborts, and the
// communicator stays usable (every rank makes the same bad call, then a correct collective).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "matrix.hpp"

namespace grove::test {
namespace {

TEST(BadArguments, ErrorStringsAreNonEmpty) {
  for (int r = 0; r < groveNumResults; ++r) {
    const char* s = groveGetErrorString(static_cast<groveResult_t>(r));
    ASSERT_NE(s, nullptr) << r;
    EXPECT_GT(std::strlen(s), 0u) << r;
  }
  // Out-of-range values still get a string, not a crash or NULL.
  for (int r : {-1, static_cast<int>(groveNumResults), 99})
    EXPECT_NE(groveGetErrorString(static_cast<groveResult_t>(r)), nullptr);
  EXPECT_NE(groveGetLastError(nullptr), nullptr);
  // Different results are told apart.
  EXPECT_STRNE(groveGetErrorString(groveInvalidArgument), groveGetErrorString(groveInvalidUsage));
  EXPECT_STRNE(groveGetErrorString(groveRemoteError), groveGetErrorString(groveTimeout));
}

TEST(BadArguments, Version) {
  int v = 0;
  EXPECT_EQ(groveGetVersion(&v), groveSuccess);
  EXPECT_EQ(v, GROVE_VERSION_CODE);
  EXPECT_EQ(groveGetVersion(nullptr), groveInvalidArgument);
}

// groveCommInitRank with bad arguments returns at once, without joining or waiting for anyone.
TEST(BadArguments, CommInitRank) {
  auto body = [](int, int, const groveUniqueId& id) {
    Checker check(0);
    groveComm_t comm = nullptr;
    struct Bad {
      int nranks, rank;
      bool nullComm;
    };
    for (const Bad& b : {Bad{0, 0, false}, Bad{-1, 0, false}, Bad{2, -1, false}, Bad{2, 2, false},
                         Bad{4, 7, false}, Bad{2, 0, true}}) {
      const auto start = std::chrono::steady_clock::now();
      const groveResult_t r = groveCommInitRank(b.nullComm ? nullptr : &comm, b.nranks, id, b.rank);
      const std::string what = format("groveCommInitRank(%s, nranks=%d, rank=%d)",
                                      b.nullComm ? "NULL" : "&comm", b.nranks, b.rank);
      check.result(r, groveInvalidArgument, what);
      check.expect(std::strlen(groveGetLastError(nullptr)) > 0, what + ": empty message");
      check.expect(elapsedMs(start) < 1000, what + ": took " + std::to_string(elapsedMs(start)) + " ms");
    }
    check.result(groveGetUniqueId(nullptr), groveInvalidArgument, "groveGetUniqueId(NULL)");
    // The id is still good for a real (single-rank) communicator afterwards.
    check.result(groveCommInitRank(&comm, 1, id, 0), groveSuccess, "groveCommInitRank after bad calls");
    if (comm != nullptr) check.result(groveCommDestroy(comm), groveSuccess, "groveCommDestroy");
    return check.exitCode();
  };
  EXPECT_TRUE(allRanksPassed(runRanks(1, body, 30000)));
}

// One bad call: made identically by every rank. nullComm: the call passes NULL as communicator.
struct BadCall {
  std::string name;
  bool nullComm;
  std::function<groveResult_t(groveComm_t c, int nranks, void* s, void* r, groveStream_t st)> call;
};

std::vector<BadCall> badCalls() {
  const groveDataType_t badType = static_cast<groveDataType_t>(groveNumTypes);
  const groveDataType_t negType = static_cast<groveDataType_t>(-1);
  const groveRedOp_t badOp = static_cast<groveRedOp_t>(groveNumOps);
  const groveRedOp_t negOp = static_cast<groveRedOp_t>(-1);
  const size_t n = 16;
  std::vector<BadCall> v = {
      {"allreduce NULL comm", true,
       [=](groveComm_t, int, void* s, void* r, groveStream_t st) {
         return groveAllReduce(s, r, n, groveFloat32, groveSum, nullptr, st);
       }},
      {"allreduce NULL sendbuff", false,
       [=](groveComm_t c, int, void*, void* r, groveStream_t st) {
         return groveAllReduce(nullptr, r, n, groveFloat32, groveSum, c, st);
       }},
      {"allreduce NULL recvbuff", false,
       [=](groveComm_t c, int, void* s, void*, groveStream_t st) {
         return groveAllReduce(s, nullptr, n, groveFloat32, groveSum, c, st);
       }},
      {"allreduce type 12", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveAllReduce(s, r, n, badType, groveSum, c, st);
       }},
      {"allreduce type -1", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveAllReduce(s, r, n, negType, groveSum, c, st);
       }},
      {"allreduce op 5", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveAllReduce(s, r, n, groveFloat32, badOp, c, st);
       }},
      {"allreduce op -1", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveAllReduce(s, r, n, groveInt32, negOp, c, st);
       }},
      {"allreduce overflowing count", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveAllReduce(s, r, SIZE_MAX / 2, groveFloat64, groveSum, c, st);
       }},
      {"allgather NULL comm", true,
       [=](groveComm_t, int, void* s, void* r, groveStream_t st) {
         return groveAllGather(s, r, n, groveFloat32, nullptr, st);
       }},
      {"allgather NULL sendbuff", false,
       [=](groveComm_t c, int, void*, void* r, groveStream_t st) {
         return groveAllGather(nullptr, r, n, groveFloat32, c, st);
       }},
      {"allgather NULL recvbuff", false,
       [=](groveComm_t c, int, void* s, void*, groveStream_t st) {
         return groveAllGather(s, nullptr, n, groveFloat32, c, st);
       }},
      {"allgather type 99", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveAllGather(s, r, n, static_cast<groveDataType_t>(99), c, st);
       }},
      {"reduce-scatter NULL recvbuff", false,
       [=](groveComm_t c, int, void* s, void*, groveStream_t st) {
         return groveReduceScatter(s, nullptr, n, groveFloat32, groveSum, c, st);
       }},
      {"reduce-scatter op 7", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveReduceScatter(s, r, n, groveFloat32, static_cast<groveRedOp_t>(7), c, st);
       }},
      {"reduce-scatter type 12", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveReduceScatter(s, r, n, badType, groveSum, c, st);
       }},
      {"broadcast root -1", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveBroadcast(s, r, n, groveFloat32, -1, c, st);
       }},
      {"broadcast root nranks", false,
       [=](groveComm_t c, int k, void* s, void* r, groveStream_t st) {
         return groveBroadcast(s, r, n, groveFloat32, k, c, st);
       }},
      {"broadcast NULL recvbuff", false,
       [=](groveComm_t c, int, void* s, void*, groveStream_t st) {
         return groveBroadcast(s, nullptr, n, groveFloat32, 0, c, st);
       }},
      {"broadcast NULL comm", true,
       [=](groveComm_t, int, void* s, void* r, groveStream_t st) {
         return groveBroadcast(s, r, n, groveFloat32, 0, nullptr, st);
       }},
      {"reduce root -1", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveReduce(s, r, n, groveFloat32, groveSum, -1, c, st);
       }},
      {"reduce root nranks", false,
       [=](groveComm_t c, int k, void* s, void* r, groveStream_t st) {
         return groveReduce(s, r, n, groveFloat32, groveSum, k, c, st);
       }},
      {"reduce op 5", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveReduce(s, r, n, groveFloat32, badOp, 0, c, st);
       }},
      {"reduce NULL sendbuff", false,
       [=](groveComm_t c, int, void*, void* r, groveStream_t st) {
         return groveReduce(nullptr, r, n, groveFloat32, groveSum, 0, c, st);
       }},
      {"alltoall NULL sendbuff", false,
       [=](groveComm_t c, int, void*, void* r, groveStream_t st) {
         return groveAllToAll(nullptr, r, n, groveFloat32, c, st);
       }},
      {"alltoall type -1", false,
       [=](groveComm_t c, int, void* s, void* r, groveStream_t st) {
         return groveAllToAll(s, r, n, negType, c, st);
       }},
      {"send peer -1", false,
       [=](groveComm_t c, int, void* s, void*, groveStream_t st) {
         return groveSend(s, n, groveFloat32, -1, c, st);
       }},
      {"send peer nranks", false,
       [=](groveComm_t c, int k, void* s, void*, groveStream_t st) {
         return groveSend(s, n, groveFloat32, k, c, st);
       }},
      {"send NULL buffer", false,
       [=](groveComm_t c, int, void*, void*, groveStream_t st) {
         return groveSend(nullptr, n, groveFloat32, 0, c, st);
       }},
      {"send type 12", false,
       [=](groveComm_t c, int, void* s, void*, groveStream_t st) {
         return groveSend(s, n, badType, 0, c, st);
       }},
      {"send NULL comm", true,
       [=](groveComm_t, int, void* s, void*, groveStream_t st) {
         return groveSend(s, n, groveFloat32, 0, nullptr, st);
       }},
      {"recv peer -1", false,
       [=](groveComm_t c, int, void*, void* r, groveStream_t st) {
         return groveRecv(r, n, groveFloat32, -1, c, st);
       }},
      {"recv peer nranks", false,
       [=](groveComm_t c, int k, void*, void* r, groveStream_t st) {
         return groveRecv(r, n, groveFloat32, k, c, st);
       }},
      {"recv NULL buffer", false,
       [=](groveComm_t c, int, void*, void*, groveStream_t st) {
         return groveRecv(nullptr, n, groveFloat32, 0, c, st);
       }},
  };
  // alltoallv: NULL count or displacement arrays, NULL comm, bad type.
  for (int which = 0; which < 6; ++which) {
    v.push_back({format("alltoallv case %d", which), which == 4,
                 [=](groveComm_t c, int k, void* s, void* r, groveStream_t st) {
                   std::vector<size_t> counts(k, 1), displs(k);
                   for (int j = 0; j < k; ++j) displs[j] = static_cast<size_t>(j);
                   const size_t* sc = which == 0 ? nullptr : counts.data();
                   const size_t* sd = which == 1 ? nullptr : displs.data();
                   const size_t* rc = which == 2 ? nullptr : counts.data();
                   const size_t* rd = which == 3 ? nullptr : displs.data();
                   return groveAllToAllv(s, sc, sd, r, rc, rd, which == 5 ? badType : groveFloat32,
                                         which == 4 ? nullptr : c, st);
                 }});
  }
  return v;
}

class BadArgs : public ::testing::TestWithParam<int> {};

TEST_P(BadArgs, CollectivesRejectAndCommStaysUsable) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    std::vector<float> send(16 * 8, 1.0f), recv(16 * 8, 0.0f);
    for (const BadCall& b : badCalls()) {
      for (groveStream_t st : {static_cast<groveStream_t>(nullptr), stream}) {
        const std::string what = b.name + (st ? " (stream)" : " (NULL stream)");
        // Argument errors come back from the call itself, even on a stream.
        const groveResult_t r = b.call(comm, nranks, send.data(), recv.data(), st);
        check.result(r, groveInvalidArgument, what, b.nullComm ? nullptr : comm);
        const char* msg = groveGetLastError(b.nullComm ? nullptr : comm);
        check.expect(msg != nullptr && std::strlen(msg) > 0, what + ": empty error message");
        if (st != nullptr)
          check.result(groveStreamSynchronize(st), groveSuccess, what + ": stream error afterwards");
        int32_t v = rank + 1;
        if (!check.result(groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm, nullptr), groveSuccess,
                          what + ": allreduce afterwards", comm))
          return false;
        check.expect(v == nranks * (nranks + 1) / 2, what + ": allreduce afterwards wrong");
      }
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// NULL buffers are fine when there is nothing to read or write.
TEST_P(BadArgs, ZeroCountWithNullBuffersSucceeds) {
  MatrixBody body = [](int, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    check.result(groveAllReduce(nullptr, nullptr, 0, groveFloat32, groveSum, comm, nullptr), groveSuccess,
                 "allreduce", comm);
    check.result(groveAllGather(nullptr, nullptr, 0, groveInt8, comm, nullptr), groveSuccess, "allgather",
                 comm);
    check.result(groveReduceScatter(nullptr, nullptr, 0, groveInt8, groveMax, comm, nullptr), groveSuccess,
                 "reduce-scatter", comm);
    check.result(groveBroadcast(nullptr, nullptr, 0, groveInt8, nranks - 1, comm, nullptr), groveSuccess,
                 "broadcast", comm);
    check.result(groveReduce(nullptr, nullptr, 0, groveInt8, groveMin, 0, comm, nullptr), groveSuccess,
                 "reduce", comm);
    check.result(groveAllToAll(nullptr, nullptr, 0, groveInt8, comm, nullptr), groveSuccess, "alltoall",
                 comm);
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 60000);
}

// Accessors and helpers with NULL arguments; and the accessors' answers on a good communicator.
TEST_P(BadArgs, AccessorsAndMemory) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    int n = -1, me = -1;
    check.result(groveCommCount(comm, &n), groveSuccess, "groveCommCount");
    check.result(groveCommUserRank(comm, &me), groveSuccess, "groveCommUserRank");
    check.expect(n == nranks && me == rank, format("count/rank reported as %d/%d", n, me));
    groveResult_t async = groveInternalError;
    check.result(groveCommGetAsyncError(comm, &async), groveSuccess, "groveCommGetAsyncError");
    check.result(async, groveSuccess, "async error of a healthy communicator");
    check.result(groveCommCount(nullptr, &n), groveInvalidArgument, "groveCommCount(NULL comm)");
    check.result(groveCommCount(comm, nullptr), groveInvalidArgument, "groveCommCount(NULL out)", comm);
    check.result(groveCommUserRank(nullptr, &me), groveInvalidArgument, "groveCommUserRank(NULL comm)");
    check.result(groveCommUserRank(comm, nullptr), groveInvalidArgument, "groveCommUserRank(NULL out)", comm);
    check.result(groveCommGetAsyncError(nullptr, &async), groveInvalidArgument,
                 "groveCommGetAsyncError(NULL comm)");
    check.result(groveCommGetAsyncError(comm, nullptr), groveInvalidArgument,
                 "groveCommGetAsyncError(NULL out)", comm);
    check.result(groveCommDestroy(nullptr), groveInvalidArgument, "groveCommDestroy(NULL)");
    check.result(groveCommAbort(nullptr), groveInvalidArgument, "groveCommAbort(NULL)");
    check.result(groveStreamCreate(nullptr), groveInvalidArgument, "groveStreamCreate(NULL)");
    check.result(groveMemAlloc(nullptr, 64), groveInvalidArgument, "groveMemAlloc(NULL, 64)");
    std::vector<char> buf(64);
    void* handle = nullptr;
    check.result(groveCommRegister(comm, buf.data(), buf.size(), nullptr), groveInvalidArgument,
                 "groveCommRegister(NULL handle)", comm);
    check.result(groveCommRegister(nullptr, buf.data(), buf.size(), &handle), groveInvalidArgument,
                 "groveCommRegister(NULL comm)");
    check.result(groveCommRegister(comm, nullptr, 64, &handle), groveInvalidArgument,
                 "groveCommRegister(NULL buffer)", comm);
    check.result(groveCommDeregister(comm, nullptr), groveInvalidArgument, "groveCommDeregister(NULL handle)",
                 comm);
    // NULL streams: no crash; either accepted as a no-op or rejected.
    for (auto [name, r] : {std::pair{"groveStreamSynchronize(NULL)", groveStreamSynchronize(nullptr)},
                           std::pair{"groveStreamQuery(NULL)", groveStreamQuery(nullptr)},
                           std::pair{"groveStreamDestroy(NULL)", groveStreamDestroy(nullptr)}})
      check.expect(r == groveSuccess || r == groveInvalidArgument, format("%s returned %d", name, r));
    int32_t v = 1;
    check.result(groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm, nullptr), groveSuccess,
                 "allreduce afterwards", comm);
    check.expect(v == nranks, "allreduce afterwards wrong");
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 60000);
}

// Handles and pointers the library did not hand out (or already took back) are rejected, not trusted.
// One test each, since a failure here tends to take the process down.
TEST(ForeignHandles, MemFreeOfHeapOrInteriorPointer) {
  MatrixBody body = [](int, int, groveComm_t, groveStream_t, Checker& check) {
    std::vector<char> heap(4096);
    check.result(groveMemFree(heap.data()), groveInvalidArgument, "groveMemFree(heap pointer)");
    void* p = nullptr;
    if (!check.result(groveMemAlloc(&p, 4096), groveSuccess, "groveMemAlloc")) return false;
    check.result(groveMemFree(static_cast<char*>(p) + 64), groveInvalidArgument,
                 "groveMemFree(interior pointer)");
    check.result(groveMemFree(p), groveSuccess, "groveMemFree");
    return true;
  };
  GROVE_MATRIX_RUN(1, body, 60000);
}

TEST(ForeignHandles, MemFreeTwice) {
  MatrixBody body = [](int, int, groveComm_t, groveStream_t, Checker& check) {
    void* p = nullptr;
    if (!check.result(groveMemAlloc(&p, 4096), groveSuccess, "groveMemAlloc")) return false;
    check.result(groveMemFree(p), groveSuccess, "groveMemFree");
    check.result(groveMemFree(p), groveInvalidArgument, "groveMemFree twice");
    return true;
  };
  GROVE_MATRIX_RUN(1, body, 60000);
}

TEST(ForeignHandles, DeregisterTwice) {
  MatrixBody body = [](int, int, groveComm_t comm, groveStream_t, Checker& check) {
    std::vector<char> heap(4096);
    void* h = nullptr;
    check.result(groveCommRegister(comm, heap.data(), heap.size(), &h), groveSuccess, "register", comm);
    check.result(groveCommDeregister(comm, h), groveSuccess, "deregister", comm);
    check.result(groveCommDeregister(comm, h), groveInvalidArgument, "deregister twice", comm);
    return true;
  };
  GROVE_MATRIX_RUN(1, body, 60000);
}

TEST(ForeignHandles, DeregisterForeignPointer) {
  MatrixBody body = [](int, int, groveComm_t comm, groveStream_t, Checker& check) {
    std::vector<char> notAHandle(64);
    check.result(groveCommDeregister(comm, notAHandle.data()), groveInvalidArgument,
                 "deregister a foreign pointer", comm);
    return true;
  };
  GROVE_MATRIX_RUN(1, body, 60000);
}

// Malformed tuning variables fall back to their defaults instead of breaking the communicator (a
// zero or negative timeout must not make every wait fail at once).
TEST(BadEnvironment, MalformedVariablesAreIgnored) {
  for (const char* value : {"abc", "-5", "0", ""}) {
    SCOPED_TRACE(value);
    ScopedEnv t("GROVE_TIMEOUT_MS", value), c("GROVE_CHUNK_BYTES", value), s("GROVE_SMALL_BYTES", value),
        a("GROVE_ALGO", value[0] ? "no-such-algorithm" : "");
    MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
      std::vector<float> buf(300000, static_cast<float>(rank));
      check.result(groveAllReduce(buf.data(), buf.data(), buf.size(), groveFloat32, groveSum, comm, nullptr),
                   groveSuccess, "allreduce", comm);
      check.expect(buf.back() == static_cast<float>(nranks * (nranks - 1) / 2), "wrong sum");
      return true;
    };
    GROVE_MATRIX_RUN(3, body, 60000);
  }
}

INSTANTIATE_TEST_SUITE_P(, BadArgs, ::testing::Values(1, 2, 3, 8), ranksName);

}  // namespace
}  // namespace grove::test
