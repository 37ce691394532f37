// Streams: queued operations run in order; the call returns at once so the caller computes while the
// collective is in flight; groveStreamQuery reports groveInProgress then groveSuccess; errors come back
// from groveStreamSynchronize once; groveStreamDestroy waits for queued work.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include <vector>

#include "matrix.hpp"

namespace grove::test {
namespace {

class Streams : public ::testing::TestWithParam<int> {};

// A chain where each step reads the previous step's output: any reordering reads a poisoned buffer.
TEST_P(Streams, QueuedOperationsRunInOrder) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    const size_t count = 10007;
    const int steps = 12;
    std::vector<std::vector<int64_t>> b(steps + 1, std::vector<int64_t>(count * nranks, -1));
    std::fill_n(b[0].begin(), count * nranks, rank + 1);
    std::vector<int64_t> want(steps + 1);
    want[0] = rank + 1;
    for (int k = 0; k < steps; ++k) {
      groveResult_t r;
      switch (k % 3) {
        case 0:  // every rank holds the same value afterwards: n * previous (or the sum of ranks)
          r = groveAllReduce(b[k].data(), b[k + 1].data(), count * nranks, groveInt64, groveSum, comm,
                             stream);
          want[k + 1] = k == 0 ? nranks * (nranks + 1) / 2 : nranks * want[k];
          break;
        case 1:
          r = groveBroadcast(b[k].data(), b[k + 1].data(), count * nranks, groveInt64, k % nranks, comm,
                             stream);
          want[k + 1] = want[k];
          break;
        default:
          r = groveAllToAll(b[k].data(), b[k + 1].data(), count, groveInt64, comm, stream);
          want[k + 1] = want[k];
          break;
      }
      if (!check.result(r, groveSuccess, format("queueing step %d", k), comm)) return false;
    }
    if (!check.result(groveStreamSynchronize(stream), groveSuccess, "synchronize", comm)) return false;
    for (int k = 1; k <= steps; ++k) {
      const std::vector<int64_t> w(count * nranks, want[k]);
      check.elements(b[k].data(), w.data(), w.size(), groveInt64, format("step %d", k - 1));
    }
    // Many small operations queued back to back, one synchronize.
    std::vector<std::vector<int32_t>> small(200, std::vector<int32_t>(3));
    for (size_t i = 0; i < small.size(); ++i) {
      small[i] = {rank, static_cast<int32_t>(i), 1};
      check.result(groveAllReduce(small[i].data(), small[i].data(), 3, groveInt32, groveMax, comm, stream),
                   groveSuccess, "queue small allreduce", comm);
    }
    check.result(groveStreamSynchronize(stream), groveSuccess, "synchronize small", comm);
    for (size_t i = 0; i < small.size(); ++i)
      check.expect(small[i][0] == nranks - 1 && small[i][1] == static_cast<int32_t>(i) && small[i][2] == 1,
                   format("small allreduce %zu wrong", i));
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// groveStreamDestroy without a synchronize still completes the queued work.
TEST_P(Streams, DestroyWaitsForQueuedWork) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    std::vector<float> buf(1 << 20, static_cast<float>(rank));
    Stream s;
    if (s.create() != groveSuccess) return false;
    check.result(groveAllReduce(buf.data(), buf.data(), buf.size(), groveFloat32, groveSum, comm, s.get()),
                 groveSuccess, "queue", comm);
    check.result(s.destroy(), groveSuccess, "groveStreamDestroy");
    const float want = static_cast<float>(nranks * (nranks - 1) / 2);
    check.expect(buf.front() == want && buf.back() == want,
                 "allreduce not complete after groveStreamDestroy");
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 60000);
}

// A disagreement found while a queued call runs comes back from synchronize, once; the communicator and
// the stream keep working.
TEST_P(Streams, ErrorReportedOnceBySynchronize) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    if (nranks < 2) return true;  // nobody to disagree with
    std::vector<float> buf(2000, 1.0f);
    const size_t count = rank == 0 ? 1000 : 999;
    const groveResult_t q =
        groveAllReduce(buf.data(), buf.data(), count, groveFloat32, groveSum, comm, stream);
    check.result(q, groveSuccess, "queueing (the disagreement only shows when the call runs)", comm);
    // Query reports the error once the work is done, without clearing it; synchronize returns and clears it.
    groveResult_t polled = groveInProgress;
    const auto start = std::chrono::steady_clock::now();
    while (polled == groveInProgress && elapsedMs(start) < 10000) {
      polled = groveStreamQuery(stream);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    check.result(polled, groveInvalidUsage, "query after the mismatched call finished", comm);
    check.result(groveStreamSynchronize(stream), groveInvalidUsage, "mismatched count on a stream", comm);
    check.result(groveStreamSynchronize(stream), groveSuccess, "second synchronize (error should be cleared)",
                 comm);
    check.result(groveStreamQuery(stream), groveSuccess, "query after the error", comm);
    std::fill(buf.begin(), buf.end(), 1.0f);
    check.result(
        complete(groveAllReduce(buf.data(), buf.data(), 1000, groveFloat32, groveSum, comm, stream), stream),
        groveSuccess, "allreduce on the stream afterwards", comm);
    check.expect(buf[999] == static_cast<float>(nranks) && buf[1000] == 1.0f, "allreduce afterwards wrong");
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 60000);
}

// groveCommDestroy right after queueing: the queued work keeps the communicator's state alive and
// completes (docs/c-api.md, Setup).
TEST_P(Streams, CommDestroyWithQueuedWork) {
  for (int rep = 0; rep < 2; ++rep) {
    EXPECT_TRUE(allRanksPassed(runRanks(
        GetParam(),
        [rep](int rank, int nranks, const groveUniqueId& id) {
          Checker check(rank);
          Comm comm;
          if (comm.init(id, nranks, rank) != groveSuccess) return 80;
          Stream stream;
          if (stream.create() != groveSuccess) return 81;
          std::vector<float> a(1 << 20, 1.0f), b(1000, static_cast<float>(rank));
          check.result(
              groveAllReduce(a.data(), a.data(), a.size(), groveFloat32, groveSum, comm.get(), stream.get()),
              groveSuccess, "queue large", comm.get());
          check.result(
              groveAllReduce(b.data(), b.data(), b.size(), groveFloat32, groveMax, comm.get(), stream.get()),
              groveSuccess, "queue small", comm.get());
          // rep 1: ranks destroy at different times.
          if (rep == 1 && rank == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
          check.result(comm.destroy(), groveSuccess, "groveCommDestroy with queued work");
          check.result(groveStreamSynchronize(stream.get()), groveSuccess, "synchronize after destroy");
          check.expect(a.back() == static_cast<float>(nranks), "large allreduce did not complete");
          check.expect(b.back() == static_cast<float>(nranks - 1), "small allreduce did not complete");
          return check.exitCode();
        },
        60000)));
  }
}

// A call queued on a stream, then a NULL-stream call on the same communicator, on every rank in the same
// order. Issue order is the only order all ranks agree on; if the caller's call could overtake the queued
// one on some ranks but not others, ranks would pair different calls (silently, when the shapes match).
TEST_P(Streams, StreamThenNullStreamKeepIssueOrder) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    for (int it = 0; it < 20; ++it) {
      // Same shape for both calls, so a wrong pairing is not caught as a mismatch: only the values show it.
      std::vector<float> a(1 << 18, static_cast<float>(rank)), b(1 << 18, static_cast<float>(1000 + rank));
      check.result(groveAllReduce(a.data(), a.data(), a.size(), groveFloat32, groveSum, comm, stream),
                   groveSuccess, "queue on stream", comm);
      const groveResult_t r =
          groveAllReduce(b.data(), b.data(), b.size(), groveFloat32, groveSum, comm, nullptr);
      const groveResult_t s = groveStreamSynchronize(stream);
      if (!check.result(r, groveSuccess, format("iteration %d: NULL-stream call after a queued one", it),
                        comm) ||
          !check.result(s, groveSuccess, format("iteration %d: the queued call", it), comm))
        return false;
      const float wantA = static_cast<float>(nranks * (nranks - 1) / 2);
      const float wantB = static_cast<float>(1000 * nranks + nranks * (nranks - 1) / 2);
      if (!check.expect(
              a.back() == wantA && b.back() == wantB,
              format(
                  "iteration %d: queued allreduce gave %g (want %g), NULL-stream allreduce gave %g (want %g)",
                  it, a.back(), wantA, b.back(), wantB)))
        return false;
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// Small broadcasts and reduces on a stream may run on the caller's thread (when nothing is queued before
// them and they would not wait: runInline in collectives/comm_state.hpp), else queued, or run by a caller
// catching up. A chain where each call reads the previous one's output, with a queued allreduce every
// 25 steps (the stream falls behind, then catches up): any reordering reads a poisoned (-1) buffer.
TEST_P(Streams, SmallBroadcastsAndReducesKeepTheirPlace) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    const int steps = 300;
    const size_t count = 2;  // 16 bytes: eager
    std::vector<std::vector<int64_t>> y(steps + 1, std::vector<int64_t>(count, -1)),
        z(steps, std::vector<int64_t>(count, -1));
    y[0] = {rank, 7};
    for (int k = 0; k < steps; ++k) {
      const int root = k % nranks;
      groveResult_t r;
      if (k % 25 == 24) {
        r = groveAllReduce(y[k].data(), y[k + 1].data(), count, groveInt64, groveMax, comm, stream);
      } else {
        r = groveReduce(y[k].data(), z[k].data(), count, groveInt64, groveMax, root, comm, stream);
        if (r == groveSuccess)
          r = groveBroadcast(z[k].data(), y[k + 1].data(), count, groveInt64, root, comm, stream);
      }
      if (!check.result(r, groveSuccess, format("queueing step %d", k), comm)) return false;
    }
    if (!check.result(groveStreamSynchronize(stream), groveSuccess, "synchronize", comm)) return false;
    const int64_t want[] = {nranks - 1, 7};
    for (int k = 1; k <= steps; ++k)
      if (!check.elements(y[k].data(), want, count, groveInt64, format("step %d", k - 1))) break;
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// A small broadcast whose ranks disagree, on a stream: every rank reports it exactly once, from the
// synchronize after it or (a root that had already sent) the one after its next call.
TEST_P(Streams, MismatchedSmallBroadcastReportedOnce) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    if (nranks < 2) return true;
    std::vector<float> buf(8, 1.0f);
    check.result(groveBroadcast(buf.data(), buf.data(), rank == 1 ? 3 : 2, groveFloat32, 0, comm, stream),
                 groveSuccess, "queueing the broadcast", comm);
    const groveResult_t first = groveStreamSynchronize(stream);
    check.result(groveAllReduce(buf.data(), buf.data(), 8, groveFloat32, groveSum, comm, stream),
                 groveSuccess, "queueing the next call", comm);
    const groveResult_t second = groveStreamSynchronize(stream);
    check.expect(
        (first == groveInvalidUsage) != (second == groveInvalidUsage) &&
            (first == groveSuccess || second == groveSuccess),
        format("synchronize returned %d then %d: want groveInvalidUsage exactly once", first, second));
    check.result(complete(groveBroadcast(buf.data(), buf.data(), 2, groveFloat32, 0, comm, stream), stream),
                 groveSuccess, "a matching broadcast afterwards", comm);
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 60000);
}

INSTANTIATE_TEST_SUITE_P(, Streams, ::testing::Values(1, 2, 3, 8), ranksName);

// Rank 1 joins a large allreduce only after 300 ms, so rank 0's queued call cannot be finished early:
// the call must return at once, Query must say in progress, and rank 0 computes meanwhile.
TEST(StreamOverlap, CallerComputesWhileAllreduceInFlight) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    const size_t count = 4 << 20;
    std::vector<float> buf(count, static_cast<float>(rank + 1));
    if (rank == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      check.result(groveAllReduce(buf.data(), buf.data(), count, groveFloat32, groveSum, comm, nullptr),
                   groveSuccess, "allreduce (late rank)", comm);
    } else {
      check.result(groveStreamQuery(stream), groveSuccess, "query on an idle stream", comm);
      const auto start = std::chrono::steady_clock::now();
      check.result(groveAllReduce(buf.data(), buf.data(), count, groveFloat32, groveSum, comm, stream),
                   groveSuccess, "queue allreduce", comm);
      const double queueMs = elapsedMs(start);
      check.expect(queueMs < 100, format("queueing took %.0f ms: the call did not return at once", queueMs));
      check.result(groveStreamQuery(stream), groveInProgress, "query right after queueing", comm);
      // Compute while the allreduce waits for rank 1, polling the stream.
      double acc = 0;
      int polls = 0, inProgress = 0;
      while (elapsedMs(start) < 150) {
        for (int i = 1; i < 20000; ++i) acc += std::sqrt(static_cast<double>(i));
        const groveResult_t q = groveStreamQuery(stream);
        check.expect(q == groveInProgress || q == groveSuccess, format("query returned %d", q));
        ++polls;
        inProgress += q == groveInProgress;
      }
      check.expect(acc > 0 && inProgress == polls,
                   format("%d of %d polls in progress before rank 1 joined", inProgress, polls));
      check.result(groveStreamSynchronize(stream), groveSuccess, "synchronize", comm);
      check.result(groveStreamQuery(stream), groveSuccess, "query after synchronize", comm);
    }
    const float want = static_cast<float>(nranks * (nranks + 1) / 2);
    check.expect(buf.front() == want && buf.back() == want, "allreduce result wrong");
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 60000);
}

}  // namespace
}  // namespace grove::test
