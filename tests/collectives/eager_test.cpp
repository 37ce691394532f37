// Eager broadcasts and reduces (docs/algorithms.md, "Eager calls"): senders return without waiting and
// may run up to a ring of calls ahead. Long mixed runs with lagging ranks must give the right results,
// and a mismatched eager call must still reach every rank as groveInvalidUsage: from the call itself or,
// on a rank whose part had finished, from the next call (which runs), and never both.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "matrix.hpp"

namespace grove::test {
namespace {

constexpr size_t kSmall = 100;  // elements of a mismatch case: 400 bytes, eager by default

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool allReduceCheck(int rank, int nranks, groveComm_t comm, Checker& check, const std::string& what,
                    groveResult_t* got = nullptr) {
  std::vector<int32_t> v(257, rank + 1);
  const groveResult_t r = groveAllReduce(v.data(), v.data(), v.size(), groveInt32, groveSum, comm, nullptr);
  if (got) *got = r;
  if (r != groveSuccess && r != groveInvalidUsage) return check.result(r, groveSuccess, what, comm);
  return check.expect(v[0] == nranks * (nranks + 1) / 2 && v[256] == v[0], what + ": wrong sum");
}

// Hundreds of small broadcasts and reduces with rotating roots and sizes on both sides of the eager limit,
// allreduces and send/recv rings in between, and one rank at a time falling behind.
bool runLongMix(int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
  std::vector<int32_t> send(1024), recv(1024);
  for (int i = 0; i < 700; ++i) {
    const int root = i % nranks;
    const size_t count = static_cast<size_t>(i * 37 % 700);  // up to 2.7 KiB: eager and not
    const std::string what = format("call %d (count %zu, root %d)", i, count, root);
    if (rank == (i / 50) % nranks && i % 50 == 7) ::usleep(3000);  // this rank lags behind for a while
    for (size_t j = 0; j < count; ++j) send[j] = static_cast<int32_t>((rank + 1) * 1000 + i + j);
    std::fill(recv.begin(), recv.end(), -1);
    if (i % 2 == 0) {
      if (!check.result(groveBroadcast(send.data(), recv.data(), count, groveInt32, root, comm, nullptr),
                        groveSuccess, what + " broadcast", comm))
        return false;
      for (size_t j = 0; j < count; ++j)
        if (recv[j] != (root + 1) * 1000 + i + static_cast<int32_t>(j))
          return check.expect(false, what + format(" broadcast: element %zu is %d", j, recv[j]));
    } else {
      if (!check.result(
              groveReduce(send.data(), recv.data(), count, groveInt32, groveSum, root, comm, nullptr),
              groveSuccess, what + " reduce", comm))
        return false;
      if (rank == root)
        for (size_t j = 0; j < count; ++j) {
          const int32_t want =
              static_cast<int32_t>(nranks * (nranks + 1) / 2 * 1000 + nranks * (i + static_cast<int32_t>(j)));
          if (recv[j] != want) return check.expect(false, what + format(" reduce: element %zu", j));
        }
      if (rank != root && !check.expect(recv[0] == -1, what + ": reduce wrote a non-root's buffer"))
        return false;
    }
    if (i % 37 == 0 && !allReduceCheck(rank, nranks, comm, check, what + ", allreduce after")) return false;
    if (i % 53 == 0) {
      int32_t out = rank * 7 + i, in = -1;
      groveResult_t r = groveGroupStart();
      if (r == groveSuccess) r = groveSend(&out, 1, groveInt32, (rank + 1) % nranks, comm, nullptr);
      if (r == groveSuccess) r = groveRecv(&in, 1, groveInt32, (rank + nranks - 1) % nranks, comm, nullptr);
      const groveResult_t end = groveGroupEnd();
      if (!check.result(r == groveSuccess ? end : r, groveSuccess, what + ", ring exchange", comm))
        return false;
      check.expect(in == (rank + nranks - 1) % nranks * 7 + i, what + ", ring exchange value");
    }
  }
  return true;
}

class Eager : public ::testing::TestWithParam<int> {};

TEST_P(Eager, LongRunsWithLaggingRanksGiveRightResults) { GROVE_MATRIX_RUN(GetParam(), runLongMix, 120000); }

struct EagerMismatch {
  const char* name;
  std::vector<const char*> keywords;  ///< the message names one of these (case-insensitive)
  /// Makes this rank's call; `odd` on the rank that disagrees.
  std::function<groveResult_t(bool odd, int nranks, float* send, float* recv, groveComm_t comm)> call;
};

const std::vector<EagerMismatch>& mismatches() {
  static const std::vector<EagerMismatch> all = {
      {"broadcast count",
       {"count"},
       [](bool odd, int, float* s, float* r, groveComm_t c) {
         return groveBroadcast(s, r, odd ? kSmall + 1 : kSmall, groveFloat32, 0, c, nullptr);
       }},
      {"broadcast root",
       {"root"},
       [](bool odd, int n, float* s, float* r, groveComm_t c) {
         return groveBroadcast(s, r, kSmall, groveFloat32, odd ? n - 1 : 0, c, nullptr);
       }},
      {"reduce root",
       {"root"},
       [](bool odd, int n, float* s, float* r, groveComm_t c) {
         return groveReduce(s, r, kSmall, groveFloat32, groveSum, odd ? n - 1 : 0, c, nullptr);
       }},
      {"reduce op",
       {"op"},
       [](bool odd, int, float* s, float* r, groveComm_t c) {
         return groveReduce(s, r, kSmall, groveFloat32, odd ? groveMax : groveSum, 0, c, nullptr);
       }},
      {"reduce type (same size)",
       {"type"},
       [](bool odd, int, float* s, float* r, groveComm_t c) {
         return groveReduce(s, r, kSmall, odd ? groveInt32 : groveFloat32, groveSum, 0, c, nullptr);
       }},
      {"broadcast vs reduce",  // every rank only sends: only the checks after the call can find it
       {"collective", "broadcast", "reduce"},
       [](bool odd, int, float* s, float* r, groveComm_t c) {
         return odd ? groveReduce(s, r, kSmall, groveFloat32, groveSum, 0, c, nullptr)
                    : groveBroadcast(s, r, kSmall, groveFloat32, 0, c, nullptr);
       }},
      {"broadcast vs allreduce",
       {"collective", "broadcast", "allreduce"},
       [](bool odd, int, float* s, float* r, groveComm_t c) {
         return odd ? groveAllReduce(s, r, kSmall, groveFloat32, groveSum, c, nullptr)
                    : groveBroadcast(s, r, kSmall, groveFloat32, 0, c, nullptr);
       }},
      // A call with count 0 only posts (collectives/algorithms.hpp, emptyCall): the ranks that wait find it.
      {"allgather count 0 vs more",
       {"count"},
       [](bool odd, int, float* s, float* r, groveComm_t c) {
         return groveAllGather(s, r, odd ? 0 : kSmall, groveFloat32, c, nullptr);
       }},
      {"empty alltoall vs empty reduce-scatter",  // nobody waits: only the checks after the call find it
       {"collective", "alltoall", "reduce"},
       [](bool odd, int, float* s, float* r, groveComm_t c) {
         return odd ? groveAllToAll(s, r, 0, groveFloat32, c, nullptr)
                    : groveReduceScatter(s, r, 0, groveFloat32, groveSum, c, nullptr);
       }},
  };
  return all;
}

// Each case with the disagreeing rank rotating. `strict`: eager calls are off (GROVE_EAGER_BYTES=0), so
// every rank must report at the call itself.
bool runEagerMismatches(int rank, int nranks, groveComm_t comm, Checker& check, bool strict) {
  int k = 0;
  for (const EagerMismatch& mc : mismatches()) {
    for (int round = 0; round < 2; ++round) {
      const int oddRank = (k++) % nranks;
      const std::string what = format("%s (rank %d differs)", mc.name, oddRank);
      Buffer send(kSmall * 4 * 2), recv(kSmall * 4 * 2);
      auto* in = reinterpret_cast<float*>(send.data());
      for (size_t i = 0; i < kSmall * 2; ++i) in[i] = 1.0f;
      const groveResult_t atCall =
          mc.call(rank == oddRank, nranks, in, reinterpret_cast<float*>(recv.data()), comm);
      const std::string callMsg = lower(groveGetLastError(comm));
      check.guards(recv, what + " (recvbuff)");
      groveResult_t after = groveSuccess;
      if (!allReduceCheck(rank, nranks, comm, check, what + ": the next call", &after)) return false;
      const std::string afterMsg = lower(groveGetLastError(comm));
      if (strict) {
        check.result(atCall, groveInvalidUsage, what + ": the call (eager calls off)", comm);
        check.result(after, groveSuccess, what + ": the next call (eager calls off)", comm);
      } else {
        const bool once = (atCall == groveInvalidUsage) != (after == groveInvalidUsage);
        check.expect(once, what + format(": groveInvalidUsage must come exactly once; the call returned %d, "
                                         "the next call %d",
                                         atCall, after));
        check.expect(atCall == groveSuccess || atCall == groveInvalidUsage, what + ": the call's result");
      }
      const std::string& msg = atCall == groveInvalidUsage ? callMsg : afterMsg;
      if (atCall == groveInvalidUsage || after == groveInvalidUsage) {
        bool named = false;
        for (const char* kw : mc.keywords) named = named || msg.find(kw) != std::string::npos;
        check.expect(named, what + ": the message does not name the difference: \"" + msg + "\"");
      }
      // Reported once: the communicator is usable and quiet again.
      groveResult_t again = groveSuccess;
      if (!allReduceCheck(rank, nranks, comm, check, what + ": the call after that", &again)) return false;
      if (!check.result(again, groveSuccess, what + ": the call after that", comm)) return false;
      groveResult_t async = groveSuccess;
      check.result(groveCommGetAsyncError(comm, &async), groveSuccess, what + ": groveCommGetAsyncError");
      check.result(async, groveSuccess, what + ": communicator marked failed");
    }
  }
  return true;
}

TEST_P(Eager, MismatchReachesEveryRankOnce) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    return runEagerMismatches(rank, nranks, comm, check, false);
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

TEST_P(Eager, OffMeansEveryRankReportsAtTheCall) {
  ScopedEnv off("GROVE_EAGER_BYTES", "0");
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    return runEagerMismatches(rank, nranks, comm, check, true);
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// A mismatch among eager calls with only eager calls after it: the batched checks (every rank against its
// ring neighbours, every 16 calls) must find it before any synchronous call, and the synchronous call
// that follows must have reported it on every rank, once.
TEST_P(Eager, BatchedChecksFindMismatchWithoutSynchronousCalls) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    const int odd = nranks / 2;  // not rank 0 and, from 4 ranks on, not its neighbour
    Buffer send(kSmall * 4), recv(kSmall * 4);
    auto* in = reinterpret_cast<float*>(send.data());
    for (size_t i = 0; i < kSmall; ++i) in[i] = 1.0f;
    auto* out = reinterpret_cast<float*>(recv.data());
    // Every rank only sends or only waits for rank 0: no receiver compares with the odd rank.
    groveResult_t r = rank == odd ? groveReduce(in, out, kSmall, groveFloat32, groveSum, 0, comm, nullptr)
                                  : groveBroadcast(in, out, kSmall, groveFloat32, 0, comm, nullptr);
    int reports = r == groveInvalidUsage ? 1 : 0, eagerReports = reports;
    check.expect(r == groveSuccess || r == groveInvalidUsage, "the mismatched call's result");
    for (int i = 0; i < 40; ++i) {
      const groveResult_t b = groveBroadcast(in, out, kSmall, groveFloat32, i % nranks, comm, nullptr);
      check.expect(b == groveSuccess || b == groveInvalidUsage, format("eager call %d's result", i));
      reports += b == groveInvalidUsage;
      eagerReports += b == groveInvalidUsage;
    }
    groveResult_t after = groveSuccess;
    if (!allReduceCheck(rank, nranks, comm, check, "the synchronous call after", &after)) return false;
    reports += after == groveInvalidUsage;
    check.expect(reports == 1, format("groveInvalidUsage %d times, expected once", reports));
    // Some rank found it in the eager calls: the batched checks work without synchronous calls.
    int found = eagerReports;
    check.result(groveAllReduce(&found, &found, 1, groveInt32, groveMax, comm, nullptr), groveSuccess,
                 "gathering who found it", comm);
    check.expect(found == 1, "no rank reported the mismatch during the 40 eager calls");
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// Calls with count 0 are kept as runs and posted with the next call that posts, or every
// kEmptyRunMax (1024) calls (collectives/empty_calls.cpp). Runs that differ in length or in any call, before
// and after a full run was posted, must reach every rank as groveInvalidUsage exactly once, naming what
// differs; identical runs must change nothing.
struct EmptyRunCase {
  const char* name;
  const char* keyword;  // in the message; nullptr: the ranks agree
  int calls;            // on every rank but the odd one, which makes `calls + extra`
  int extra;
  int differsAt;  // the odd rank's call there is another collective; -1: none
};

groveResult_t emptyCall(int i, bool different, groveComm_t c) {
  float x = 0;
  if (different) return groveReduceScatter(&x, &x, 0, groveFloat32, groveSum, c, nullptr);
  return i % 3 == 2 ? groveBroadcast(&x, &x, 0, groveFloat32, i % 2, c, nullptr)
                    : groveAllGather(&x, &x, 0, groveFloat32, c, nullptr);
}

TEST_P(Eager, RunsOfEmptyCallsAreCompared) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    const EmptyRunCase cases[] = {
        {"identical runs past the longest kept", nullptr, 2500, 0, -1},
        {"runs of different lengths", "number of calls with count 0", 2, 1, -1},
        {"a run differing in its middle", "a call with count 0", 5, 0, 2},
        {"a difference in a full run (posted at its 1024th call)", "a call with count 0", 1500, 0, 500},
        {"a difference after a full run", "a call with count 0", 1500, 0, 1030},
    };
    int k = 0;
    for (const EmptyRunCase& rc : cases) {
      const int odd = (k++) % nranks;
      const std::string what = format("%s (rank %d differs)", rc.name, odd);
      const int calls = rc.calls + (rank == odd ? rc.extra : 0);
      groveResult_t atCalls = groveSuccess;
      for (int i = 0; i < calls && atCalls == groveSuccess; ++i)
        atCalls = emptyCall(i, rank == odd && i == rc.differsAt, comm);
      const std::string callMsg = lower(groveGetLastError(comm));
      groveResult_t after = groveSuccess;
      if (!allReduceCheck(rank, nranks, comm, check, what + ": the next call", &after)) return false;
      const std::string msg = atCalls == groveInvalidUsage ? callMsg : lower(groveGetLastError(comm));
      const int reports = (atCalls == groveInvalidUsage) + (after == groveInvalidUsage);
      check.expect(atCalls == groveSuccess || atCalls == groveInvalidUsage, what + ": the calls' result");
      check.expect(reports == (rc.keyword ? 1 : 0),
                   what + format(": groveInvalidUsage %d times (the calls returned %d, the next call %d)",
                                 reports, atCalls, after));
      if (rc.keyword && reports > 0)
        check.expect(msg.find(rc.keyword) != std::string::npos,
                     what + ": the message does not name the difference: \"" + msg + "\"");
      groveResult_t again = groveSuccess;
      if (!allReduceCheck(rank, nranks, comm, check, what + ": the call after that", &again)) return false;
      if (!check.result(again, groveSuccess, what + ": the call after that", comm)) return false;
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// Calls with count 0 take a short path on the caller's thread and the general one on a stream: both must
// describe the same call, or ranks on different paths would disagree about agreeing calls.
TEST_P(Eager, EmptyCallsOnAStreamMatchTheShortPath) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    groveStream_t mine = rank == nranks - 1 ? stream : nullptr;
    float x = 0;
    for (int i = 0; i < 50; ++i) {
      const std::string what = format("round %d", i);
      const int root = i % nranks;
      const groveResult_t rs[] = {
          groveAllReduce(&x, &x, 0, groveInt32, groveMax, comm, mine),
          groveAllGather(&x, &x, 0, groveFloat64, comm, mine),
          groveReduceScatter(&x, &x, 0, groveFloat16, groveMin, comm, mine),
          groveBroadcast(&x, &x, 0, groveUint8, root, comm, mine),
          groveReduce(&x, &x, 0, groveInt64, groveProd, root, comm, mine),
          groveAllToAll(&x, &x, 0, groveBfloat16, comm, mine),
      };
      for (groveResult_t r : rs)
        if (!check.result(r, groveSuccess, what + ": a call with count 0", comm)) return false;
      if (mine && !check.result(groveStreamSynchronize(mine), groveSuccess, what + ": stream", comm))
        return false;
    }
    groveResult_t after = groveSuccess;
    if (!allReduceCheck(rank, nranks, comm, check, "the call after them", &after)) return false;
    return check.result(after, groveSuccess, "the call after them", comm);
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// An eager send whose receive is shorter: the receiver reports at the call, the sender (whose send had
// completed) when it returns or from its next call, which runs; nothing is written to the receive buffer.
TEST_P(Eager, SendRecvMismatchReachesTheSenderLate) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    for (int round = 0; round < 3; ++round) {
      const int sender = round % nranks, receiver = (round + 1) % nranks;
      const std::string what =
          format("round %d: rank %d sends 100 floats, rank %d expects 50", round, sender, receiver);
      Buffer buf(400);
      groveResult_t atCall = groveSuccess;
      if (rank == sender)
        atCall = groveSend(buf.data(), 100, groveFloat32, receiver, comm, nullptr);
      else if (rank == receiver)
        atCall = groveRecv(buf.data(), 50, groveFloat32, sender, comm, nullptr);
      if (rank == receiver) {
        check.result(atCall, groveInvalidUsage, what + ": the receive", comm);
        check.expect(buf.isPoisoned(0, buf.size()), what + ": the short receive wrote its buffer");
      }
      const std::string callMsg = lower(groveGetLastError(comm));
      check.guards(buf, what);
      groveResult_t after = groveSuccess;
      if (!allReduceCheck(rank, nranks, comm, check, what + ": the next call", &after)) return false;
      if (rank == sender) {
        // The send completed before the receiver looked: it reports the mismatch if the verdict is back
        // by the time it returns, else the next call does; exactly one of them.
        check.expect((atCall == groveInvalidUsage) != (after == groveInvalidUsage),
                     what + format(": the sender must see groveInvalidUsage once; the send returned %d, the "
                                   "next call %d",
                                   atCall, after));
        const std::string msg = atCall == groveInvalidUsage ? callMsg : lower(groveGetLastError(comm));
        check.expect(msg.find("send/recv") != std::string::npos && msg.find("100") != std::string::npos,
                     what + ": the sender's message does not name the sizes: \"" + msg + "\"");
      } else {
        check.result(after, groveSuccess, what + ": the next call", comm);
      }
      groveResult_t again = groveSuccess;
      if (!allReduceCheck(rank, nranks, comm, check, what + ": the call after that", &again)) return false;
      check.result(again, groveSuccess, what + ": the call after that", comm);
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

INSTANTIATE_TEST_SUITE_P(, Eager, ::testing::Values(2, 3, 5, 8), ranksName);

}  // namespace
}  // namespace grove::test
