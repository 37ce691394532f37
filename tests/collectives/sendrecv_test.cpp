// groveSend / groveRecv outside groups: pairs, fan-out/fan-in, every type, NULL stream and a stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "data.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

const std::vector<size_t> kCounts = {0, 1, 7, 1031, kMediumCount};

// Sends `count` elements of a (from, to, seed) stream to peer, or receives and checks them.
bool sendTo(groveComm_t comm, groveStream_t stream, Checker& check, int from, int to, groveDataType_t t,
            size_t count, uint64_t seed) {
  std::vector<unsigned char> buf(count * ref::typeSize(t));
  data::fillBytes(from * 64 + to, 0, buf.size(), seed, buf.data());
  const std::string what = format("send %d->%d %s count=%zu", from, to, ref::typeName(t), count);
  const groveResult_t r = groveSend(buf.data(), count, t, to, comm, stream);
  // On a stream the call only queues: the buffer must stay valid until the stream is synchronized.
  return check.result(complete(r, stream), groveSuccess, what, comm);
}

bool recvFrom(groveComm_t comm, groveStream_t stream, Checker& check, int from, int to, groveDataType_t t,
              size_t count, uint64_t seed) {
  const size_t bytes = count * ref::typeSize(t);
  Buffer buf(bytes);
  const std::string what = format("recv %d->%d %s count=%zu", from, to, ref::typeName(t), count);
  const groveResult_t r = groveRecv(buf.data(), count, t, from, comm, stream);
  if (!check.result(complete(r, stream), groveSuccess, what, comm)) return false;
  std::vector<unsigned char> want(bytes);
  data::fillBytes(from * 64 + to, 0, bytes, seed, want.data());
  check.elements(buf.data(), want.data(), count, t, what);
  check.guards(buf, what);
  return true;
}

class SendRecv : public RanksTest {};

// Even rank r sends to r+1 and then receives from it; r+1 does the opposite.
TEST_P(SendRecv, PairsEveryTypeAndCount) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    const int peer = rank % 2 == 0 ? rank + 1 : rank - 1;
    if (peer >= nranks) return true;
    uint64_t seed = 800;
    for (groveDataType_t t : ref::kAllTypes)
      for (size_t count : kCounts)
        for (groveStream_t s : {static_cast<groveStream_t>(nullptr), stream}) {
          ++seed;
          bool ok;
          if (rank % 2 == 0)
            ok = sendTo(comm, s, check, rank, peer, t, count, seed) &&
                 recvFrom(comm, s, check, peer, rank, t, count, seed);
          else
            ok = recvFrom(comm, s, check, peer, rank, t, count, seed) &&
                 sendTo(comm, s, check, rank, peer, t, count, seed);
          if (!ok) return false;
        }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 300000);
}

// Rank 0 sends to every rank in turn, then receives from every rank in turn.
TEST_P(SendRecv, FanOutFanIn) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    for (size_t count : {size_t{3}, size_t{100003}}) {
      for (int q = 1; q < nranks; ++q) {
        if (rank == 0 && !sendTo(comm, nullptr, check, 0, q, groveFloat32, count, q)) return false;
        if (rank == q && !recvFrom(comm, nullptr, check, 0, q, groveFloat32, count, q)) return false;
      }
      for (int q = 1; q < nranks; ++q) {
        if (rank == q && !sendTo(comm, nullptr, check, q, 0, groveInt64, count, q)) return false;
        if (rank == 0 && !recvFrom(comm, nullptr, check, q, 0, groveInt64, count, q)) return false;
      }
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// More messages than the mailbox has slots, sent in one group and received one by one: the group's
// sends run out of credits and queue behind each other, the receives take the lone-receive path for
// one-chunk eager messages and the group runner for the others (sizes around the inline, eager and
// chunk limits), and every message arrives in order and intact.
TEST(SendRecvMailbox, GroupOfSendsOutlastsTheRing) {
  MatrixBody body = [](int rank, int, groveComm_t comm, groveStream_t, Checker& check) {
    const std::vector<size_t> sizes = {1, 8, 40, 41, 100, 500, 2048, 2049, 8128, 8129, 0};
    constexpr int kMessages = 300;
    std::vector<std::vector<unsigned char>> out(kMessages);
    if (rank == 0) {
      if (!check.result(groveGroupStart(), groveSuccess, "groveGroupStart", comm)) return false;
      for (int i = 0; i < kMessages; ++i) {
        out[i].resize(sizes[i % sizes.size()]);
        data::fillBytes(i, 0, out[i].size(), 900, out[i].data());
        check.result(groveSend(out[i].data(), out[i].size(), groveInt8, 1, comm, nullptr), groveSuccess,
                     format("send %d", i), comm);
      }
      return check.result(groveGroupEnd(), groveSuccess, "groveGroupEnd of the sends", comm);
    }
    if (rank != 1) return true;
    for (int i = 0; i < kMessages; ++i) {
      const size_t bytes = sizes[i % sizes.size()];
      const std::string what = format("message %d of %zu B", i, bytes);
      Buffer buf(bytes);
      if (!check.result(groveRecv(buf.data(), bytes, groveInt8, 0, comm, nullptr), groveSuccess, what, comm))
        return false;
      std::vector<unsigned char> want(bytes);
      data::fillBytes(i, 0, bytes, 900, want.data());
      check.elements(buf.data(), want.data(), bytes, groveInt8, what);
      check.guards(buf, what);
    }
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 120000);
}

// The same on streams: every send queued on its own (a group of one operation), the receives queued in
// groups of two and alone, all synchronized at the end. Queued groups of up to two operations take the
// NULL stream's shortcuts (collectives/group.cpp): sends that find no free mailbox slot, messages longer
// than a chunk and pairs of receives fall back to the group runner, in order.
TEST(SendRecvMailbox, QueuedSendsOutlastTheRing) {
  MatrixBody body = [](int rank, int, groveComm_t comm, groveStream_t stream, Checker& check) {
    const std::vector<size_t> sizes = {1, 8, 40, 41, 100, 500, 2048, 2049, 8128, 8129, 0};
    constexpr int kMessages = 300;
    std::vector<std::vector<unsigned char>> out(kMessages);
    if (rank == 0) {
      for (int i = 0; i < kMessages; ++i) {
        out[i].resize(sizes[i % sizes.size()]);
        data::fillBytes(i, 0, out[i].size(), 700, out[i].data());
        check.result(groveSend(out[i].data(), out[i].size(), groveInt8, 1, comm, stream), groveSuccess,
                     format("queuing send %d", i), comm);
      }
      return check.result(groveStreamSynchronize(stream), groveSuccess, "synchronizing the sends", comm);
    }
    if (rank != 1) return true;
    std::vector<std::unique_ptr<Buffer>> in;
    for (int i = 0; i < kMessages; ++i) in.push_back(std::make_unique<Buffer>(sizes[i % sizes.size()]));
    for (int i = 0; i < kMessages;) {
      const bool pair = i % 3 != 2 && i + 1 < kMessages;  // two receives in a group, then one alone
      if (pair) check.result(groveGroupStart(), groveSuccess, "groveGroupStart", comm);
      for (int k = 0; k < (pair ? 2 : 1); ++k, ++i)
        check.result(groveRecv(in[i]->data(), in[i]->size(), groveInt8, 0, comm, stream), groveSuccess,
                     format("queuing receive %d", i), comm);
      if (pair) check.result(groveGroupEnd(), groveSuccess, "groveGroupEnd", comm);
    }
    if (!check.result(groveStreamSynchronize(stream), groveSuccess, "synchronizing the receives", comm))
      return false;
    for (int i = 0; i < kMessages; ++i) {
      const size_t bytes = in[i]->size();
      const std::string what = format("message %d of %zu B", i, bytes);
      std::vector<unsigned char> want(bytes);
      data::fillBytes(i, 0, bytes, 700, want.data());
      check.elements(in[i]->data(), want.data(), bytes, groveInt8, what);
      check.guards(*in[i], what);
    }
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 120000);
}

// A receiver whose sender is late spins, yields, then sleeps on its doorbell; the send must wake it at once
// (the doorbell's fences, grove/fence.hpp), not when its sleep times out (20 ms). The sender puts the
// time it sends into the message (the monotonic clock is the same in every process of the host). Measured
// here: median 0.03-0.04 ms; with the doorbell never rung, 11 ms.
TEST(SendRecvWake, SleepingReceiverIsWokenBySend) {
  MatrixBody body = [](int rank, int, groveComm_t comm, groveStream_t, Checker& check) {
    using Clock = std::chrono::steady_clock;
    constexpr int kRounds = 9;
    std::vector<double> delaysMs;
    for (int round = 0; round < kRounds; ++round) {
      const bool grouped = round % 2 == 1;  // a send inside a group goes out at groveSend (eager)
      std::int64_t stamp = 0;
      if (rank == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        stamp = Clock::now().time_since_epoch().count();
        if (grouped) groveGroupStart();
        const groveResult_t r = groveSend(&stamp, 1, groveInt64, 0, comm, nullptr);
        if (grouped) groveGroupEnd();
        if (!check.result(r, groveSuccess, "late send", comm)) return false;
      } else {
        if (!check.result(groveRecv(&stamp, 1, groveInt64, 1, comm, nullptr), groveSuccess, "recv", comm))
          return false;
        delaysMs.push_back(std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch() -
                                                                     Clock::duration(stamp))
                               .count());
      }
    }
    if (rank == 0) {
      std::sort(delaysMs.begin(), delaysMs.end());
      const double median = delaysMs[delaysMs.size() / 2];
      check.expect(median < 5.0, format("median wake-up delay %.2f ms (a lost wake-up waits 20 ms)", median));
    }
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 60000);
}

INSTANTIATE_TEST_SUITE_P(, SendRecv, ::testing::Values(2, 3, 4, 5, 8), ranksName);

}  // namespace
}  // namespace grove::test
