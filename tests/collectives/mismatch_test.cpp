// Ranks that disagree on a call (count, type, op, root, collective, send/recv sizes, alltoallv count
// matrix): every rank returns groveInvalidUsage, the message names the difference, nothing is written,
// and the communicator still works for the next call.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include "matrix.hpp"

namespace grove::test {
namespace {

constexpr size_t kCount = 1000;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct MismatchCase {
  const char* name;
  std::vector<const char*> keywords;  ///< the message must contain one of these (case-insensitive)
  /// Makes this rank's call; `odd` is true on the rank that disagrees. recv has room for 2*kCount floats
  /// times nranks; send holds kCount*nranks floats of data.
  std::function<groveResult_t(bool odd, int rank, int nranks, void* send, void* recv, groveComm_t comm,
                              groveStream_t stream)>
      call;
};

const std::vector<MismatchCase>& cases() {
  static const std::vector<MismatchCase> all = {
      {"allreduce count",
       {"count"},
       [](bool odd, int, int, void* s, void* r, groveComm_t c, groveStream_t st) {
         return groveAllReduce(s, r, odd ? kCount + 1 : kCount, groveFloat32, groveSum, c, st);
       }},
      {"allreduce type (same size)",
       {"type"},
       [](bool odd, int, int, void* s, void* r, groveComm_t c, groveStream_t st) {
         return groveAllReduce(s, r, kCount, odd ? groveInt32 : groveFloat32, groveSum, c, st);
       }},
      {"allreduce type (same bytes)",
       {"type", "count"},
       [](bool odd, int, int, void* s, void* r, groveComm_t c, groveStream_t st) {
         return groveAllReduce(s, r, odd ? kCount * 4 : kCount, odd ? groveUint8 : groveFloat32, groveMax, c,
                               st);
       }},
      {"allreduce op",
       {"op"},
       [](bool odd, int, int, void* s, void* r, groveComm_t c, groveStream_t st) {
         return groveAllReduce(s, r, kCount, groveFloat32, odd ? groveMax : groveSum, c, st);
       }},
      {"broadcast root",
       {"root"},
       [](bool odd, int, int n, void* s, void* r, groveComm_t c, groveStream_t st) {
         return groveBroadcast(s, r, kCount, groveFloat32, odd ? n - 1 : 0, c, st);
       }},
      {"reduce root",
       {"root"},
       [](bool odd, int, int n, void* s, void* r, groveComm_t c, groveStream_t st) {
         return groveReduce(s, r, kCount, groveFloat32, groveSum, odd ? n - 1 : 0, c, st);
       }},
      {"allgather count",
       {"count"},
       [](bool odd, int, int, void* s, void* r, groveComm_t c, groveStream_t st) {
         return groveAllGather(s, r, odd ? kCount / 2 : kCount, groveFloat32, c, st);
       }},
      {"reduce-scatter count",
       {"count"},
       [](bool odd, int, int, void* s, void* r, groveComm_t c, groveStream_t st) {
         return groveReduceScatter(s, r, odd ? kCount / 2 : kCount, groveFloat32, groveSum, c, st);
       }},
      {"alltoall type",
       {"type"},
       [](bool odd, int, int, void* s, void* r, groveComm_t c, groveStream_t st) {
         return groveAllToAll(s, r, kCount, odd ? groveUint32 : groveFloat32, c, st);
       }},
      {"allreduce vs allgather",
       {"collective", "allreduce", "allgather", "all_reduce", "all-reduce"},
       [](bool odd, int, int, void* s, void* r, groveComm_t c, groveStream_t st) {
         return odd ? groveAllGather(s, r, kCount, groveFloat32, c, st)
                    : groveAllReduce(s, r, kCount, groveFloat32, groveSum, c, st);
       }},
      {"broadcast vs reduce",
       {"collective", "broadcast", "reduce"},
       [](bool odd, int, int, void* s, void* r, groveComm_t c, groveStream_t st) {
         return odd ? groveReduce(s, r, kCount, groveFloat32, groveSum, 0, c, st)
                    : groveBroadcast(s, r, kCount, groveFloat32, 0, c, st);
       }},
      {"alltoallv count matrix",
       {"count"},
       [](bool odd, int, int n, void* s, void* r, groveComm_t c, groveStream_t st) {
         // The disagreeing rank expects one element more from every peer than they send it.
         std::vector<size_t> sc(n, kCount / 2), sd(n), rc(n, odd ? kCount / 2 + 1 : kCount / 2), rd(n);
         for (int j = 0; j < n; ++j) sd[j] = rd[j] = static_cast<size_t>(j) * kCount;
         return groveAllToAllv(s, sc.data(), sd.data(), r, rc.data(), rd.data(), groveFloat32, c, st);
       }},
  };
  return all;
}

// Runs every mismatch case with the disagreeing rank rotating; after each, a correct allreduce.
bool runMismatches(int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
  int k = 0;
  for (const MismatchCase& mc : cases()) {
    for (groveStream_t st : {static_cast<groveStream_t>(nullptr), stream}) {
      const int oddRank = (k++) % nranks;
      const std::string what =
          format("%s (rank %d differs, %s)", mc.name, oddRank, st ? "stream" : "NULL stream");
      Buffer send(kCount * nranks * 4 * 2), recv(kCount * nranks * 4 * 2);
      for (size_t i = 0; i < kCount * nranks * 2; ++i) reinterpret_cast<float*>(send.data())[i] = 1.0f;
      const std::vector<unsigned char> input(send.data(), send.data() + send.size());
      groveResult_t r = mc.call(rank == oddRank, rank, nranks, send.data(), recv.data(), comm, st);
      // On a stream the disagreement is found when the call runs: it comes back from synchronize.
      if (st != nullptr && r == groveSuccess) r = groveStreamSynchronize(st);
      if (!check.result(r, groveInvalidUsage, what, comm)) {
        if (r != groveSuccess) return false;  // anything but success may have broken the communicator
        continue;
      }
      const std::string msg = lower(groveGetLastError(comm));
      bool named = false;
      for (const char* kw : mc.keywords) named = named || msg.find(kw) != std::string::npos;
      check.expect(named, what + ": last error does not name the difference: \"" + msg + "\"");
      check.expect(recv.isPoisoned(0, recv.size()), what + ": recvbuff was written");
      check.guards(recv, what + " (recvbuff)");
      check.bytes(send.data(), input.data(), send.size(), what + ": sendbuff modified");
      if (st != nullptr) check.result(groveStreamSynchronize(st), groveSuccess, what + ": error not cleared");
      // The communicator remains usable.
      std::vector<int32_t> v(257, rank + 1);
      const groveResult_t after =
          groveAllReduce(v.data(), v.data(), v.size(), groveInt32, groveSum, comm, nullptr);
      if (!check.result(after, groveSuccess, what + ": allreduce afterwards", comm)) return false;
      check.expect(v[0] == nranks * (nranks + 1) / 2 && v[256] == v[0],
                   what + ": allreduce afterwards wrong");
      groveResult_t async = groveSuccess;
      check.result(groveCommGetAsyncError(comm, &async), groveSuccess, what + ": groveCommGetAsyncError");
      check.result(async, groveSuccess, what + ": communicator marked failed");
    }
  }
  return true;
}

class Mismatch : public ::testing::TestWithParam<int> {};

TEST_P(Mismatch, EveryRankReportsAndCommStaysUsable) { GROVE_MATRIX_RUN(GetParam(), runMismatches, 120000); }

// A send and its receive disagree on the size: both sides report it.
TEST_P(Mismatch, SendRecvCount) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    Buffer buf(4000);
    if (rank == 0) {
      check.result(groveSend(buf.data(), 1000, groveFloat32, 1, comm, nullptr), groveInvalidUsage,
                   "send 1000", comm);
    } else if (rank == 1) {
      check.result(groveRecv(buf.data(), 500, groveFloat32, 0, comm, nullptr), groveInvalidUsage, "recv 500",
                   comm);
      check.expect(buf.isPoisoned(0, buf.size()), "recvbuff written by a mismatched receive");
      check.guards(buf, "mismatched receive");
    }
    int32_t v = 1;
    check.result(groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm, nullptr), groveSuccess,
                 "allreduce after", comm);
    check.expect(v == nranks, "allreduce after send/recv mismatch: wrong sum");
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// The same disagreement inside a group (ring exchange where one receive is too short): every rank of the
// exchange reports it at groveGroupEnd, nothing is written, and the communicator stays usable.
TEST_P(Mismatch, SendRecvCountInsideGroup) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    const int right = (rank + 1) % nranks, left = (rank + nranks - 1) % nranks;
    Buffer out(4000), in(4000);
    const size_t recvCount = rank == 0 ? 500 : 1000;  // rank 0 expects less than its left neighbour sends
    groveResult_t r = groveGroupStart();
    if (r == groveSuccess) r = groveSend(out.data(), 1000, groveFloat32, right, comm, nullptr);
    if (r == groveSuccess) r = groveRecv(in.data(), recvCount, groveFloat32, left, comm, nullptr);
    const groveResult_t end = groveGroupEnd();
    if (r == groveSuccess) r = end;
    // Rank 0 and its left neighbour are the parties of the mismatched pair.
    if (rank == 0 || rank == nranks - 1) {
      check.result(r, groveInvalidUsage, "ring with one short receive", comm);
      if (rank == 0) check.expect(in.isPoisoned(0, in.size()), "short receive wrote its buffer");
    }
    check.guards(in, "ring with one short receive");
    int32_t v = 1;
    check.result(groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm, nullptr), groveSuccess,
                 "allreduce after", comm);
    check.expect(v == nranks, "allreduce after the mismatched group wrong");
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

INSTANTIATE_TEST_SUITE_P(, Mismatch, ::testing::Values(2, 3, 5, 8), ranksName);

}  // namespace
}  // namespace grove::test
