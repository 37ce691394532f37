// groveGroupStart / groveGroupEnd: sends and receives to several peers issued in any order complete
// together without deadlock; messages between one pair match in issue order.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "data.hpp"
#include "harness.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

// The operations of one group on this rank, with their buffers, checked after groveGroupEnd.
class GroupOps {
 public:
  GroupOps(int rank, groveComm_t comm, groveStream_t stream, Checker& check, uint64_t seed)
      : rank_(rank), comm_(comm), stream_(stream), check_(check), seed_(seed) {}
  // `tag` tells apart several messages between the same pair.
  void send(int to, size_t count, groveDataType_t t, int tag = 0) {
    auto buf = std::make_unique<Buffer>(count * ref::typeSize(t));
    data::fillBytes(key(rank_, to, tag), 0, buf->size(), seed_, buf->data());
    check_.result(groveSend(buf->data(), count, t, to, comm_, stream_), groveSuccess,
                  format("grouped send %d->%d count=%zu", rank_, to, count), comm_);
    ops_.push_back({false, to, tag, count, t, std::move(buf)});
  }
  void recv(int from, size_t count, groveDataType_t t, int tag = 0) {
    auto buf = std::make_unique<Buffer>(count * ref::typeSize(t));
    check_.result(groveRecv(buf->data(), count, t, from, comm_, stream_), groveSuccess,
                  format("grouped recv %d->%d count=%zu", from, rank_, count), comm_);
    ops_.push_back({true, from, tag, count, t, std::move(buf)});
  }
  // Ends the group (and waits for the stream) and checks every received buffer.
  bool end(const std::string& what) {
    const groveResult_t r = groveGroupEnd();
    if (!check_.result(complete(r, stream_), groveSuccess, what + ": groveGroupEnd", comm_)) return false;
    for (const Op& op : ops_) {
      std::vector<unsigned char> want(op.buf->size());
      const std::string desc = format("%s: %s peer %d tag %d count=%zu", what.c_str(),
                                      op.isRecv ? "recv" : "send", op.peer, op.tag, op.count);
      data::fillBytes(op.isRecv ? key(op.peer, rank_, op.tag) : key(rank_, op.peer, op.tag), 0, want.size(),
                      seed_, want.data());
      check_.elements(op.buf->data(), want.data(), op.count, op.type, desc);
      check_.guards(*op.buf, desc);
    }
    return true;
  }

 private:
  static int key(int from, int to, int tag) { return (from * 64 + to) * 16 + tag; }
  struct Op {
    bool isRecv;
    int peer, tag;
    size_t count;
    groveDataType_t type;
    std::unique_ptr<Buffer> buf;
  };
  int rank_;
  groveComm_t comm_;
  groveStream_t stream_;
  Checker& check_;
  uint64_t seed_;
  std::vector<Op> ops_;
};

class Group : public RanksTest {};

// Every rank sends to its right neighbour and receives from its left one; odd ranks issue the receive
// first. Without the group, blocking sends in a ring deadlock.
TEST_P(Group, RingExchange) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    const int right = (rank + 1) % nranks, left = (rank + nranks - 1) % nranks;
    uint64_t seed = 900;
    for (size_t count : {size_t{1}, size_t{1031}, size_t{300007}})
      for (groveStream_t s : {static_cast<groveStream_t>(nullptr), stream}) {
        if (!check.result(groveGroupStart(), groveSuccess, "groveGroupStart")) return false;
        GroupOps g(rank, comm, s, check, seed++);
        if (rank % 2) {
          g.recv(left, count, groveFloat32);
          g.send(right, count, groveFloat32);
        } else {
          g.send(right, count, groveFloat32);
          g.recv(left, count, groveFloat32);
        }
        if (!g.end(format("ring count=%zu %s", count, s ? "stream" : "NULL stream"))) return false;
      }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// Every rank sends a distinct message to every rank (itself included) and receives from every rank.
// Even ranks issue peers in reverse order, odd ranks interleave receives and sends in a rotated order.
TEST_P(Group, AllPairsMixedOrder) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    uint64_t seed = 1000;
    for (size_t count : {size_t{0}, size_t{5}, size_t{40009}})
      for (groveStream_t s : {static_cast<groveStream_t>(nullptr), stream}) {
        if (!check.result(groveGroupStart(), groveSuccess, "groveGroupStart")) return false;
        GroupOps g(rank, comm, s, check, seed++);
        // Counts differ per pair so that a message delivered to the wrong receive is caught.
        auto countOf = [&](int from, int to) {
          return count == 0 ? 0 : count + static_cast<size_t>(from * 3 + to);
        };
        if (rank % 2 == 0) {
          for (int q = nranks - 1; q >= 0; --q) g.recv(q, countOf(q, rank), groveInt32);
          for (int q = nranks - 1; q >= 0; --q) g.send(q, countOf(rank, q), groveInt32);
        } else {
          for (int k = 0; k < nranks; ++k) {
            const int q = (rank + k) % nranks;
            g.send(q, countOf(rank, q), groveInt32);
            g.recv((rank + nranks - k) % nranks, countOf((rank + nranks - k) % nranks, rank), groveInt32);
          }
        }
        if (!g.end(format("all-pairs count=%zu %s", count, s ? "stream" : "NULL stream"))) return false;
      }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// Several messages between the same pair in one group match in issue order, whatever their sizes.
TEST_P(Group, SamePairMatchesInOrder) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    if (nranks < 2) return true;
    const std::vector<size_t> sizes = {17, 0, 70001, 1, 5000};
    if (!check.result(groveGroupStart(), groveSuccess, "groveGroupStart")) return false;
    GroupOps g(rank, comm, nullptr, check, 1100);
    if (rank == 0)
      for (int tag = 0; tag < static_cast<int>(sizes.size()); ++tag) g.send(1, sizes[tag], groveUint8, tag);
    if (rank == 1)
      for (int tag = 0; tag < static_cast<int>(sizes.size()); ++tag) g.recv(0, sizes[tag], groveUint8, tag);
    return g.end("same pair, five messages");
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// In-place exchanges inside a group: the same buffer is sent and received into. The send must carry the
// buffer's contents from before the group, whatever order the transfers run in. Sizes well past the
// mailbox (4 x 128 KiB by default) make the receive overwrite data not yet sent.
TEST_P(Group, InPlaceShiftAndSwap) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    const int right = (rank + 1) % nranks, left = (rank + nranks - 1) % nranks;
    for (size_t count : {size_t{1000}, size_t{1} << 20}) {
      std::vector<int32_t> buf(count), want(count);
      for (size_t i = 0; i < count; ++i) {
        buf[i] = static_cast<int32_t>(rank * 10000000 + i);
        want[i] = static_cast<int32_t>(left * 10000000 + i);
      }
      groveGroupStart();
      check.result(groveSend(buf.data(), count, groveInt32, right, comm, nullptr), groveSuccess, "send",
                   comm);
      check.result(groveRecv(buf.data(), count, groveInt32, left, comm, nullptr), groveSuccess, "recv", comm);
      if (!check.result(groveGroupEnd(), groveSuccess, format("in-place ring shift count=%zu", count), comm))
        return false;
      check.elements(buf.data(), want.data(), count, groveInt32,
                     format("in-place ring shift count=%zu", count));
      // Pairs swap one buffer, the receive issued before the send.
      const int partner = rank ^ 1;
      if (partner >= nranks) continue;
      for (size_t i = 0; i < count; ++i) {
        buf[i] = static_cast<int32_t>(rank * 10000000 + i);
        want[i] = static_cast<int32_t>(partner * 10000000 + i);
      }
      groveGroupStart();
      check.result(groveRecv(buf.data(), count, groveInt32, partner, comm, nullptr), groveSuccess, "recv",
                   comm);
      check.result(groveSend(buf.data(), count, groveInt32, partner, comm, nullptr), groveSuccess, "send",
                   comm);
      if (!check.result(groveGroupEnd(), groveSuccess, format("in-place swap count=%zu", count), comm))
        return false;
      check.elements(buf.data(), want.data(), count, groveInt32, format("in-place swap count=%zu", count));
    }
    return true;
  };
  GROVE_MATRIX_RUN(GetParam(), body, 120000);
}

// An empty group and a group on a rank with nothing to do both succeed.
TEST(GroupEdges, EmptyGroupSucceeds) {
  MatrixBody body = [](int, int, groveComm_t, groveStream_t, Checker& check) {
    check.result(groveGroupStart(), groveSuccess, "groveGroupStart");
    check.result(groveGroupEnd(), groveSuccess, "empty groveGroupEnd");
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 60000);
}

// groveGroupEnd without groveGroupStart is misuse: reported, not a crash, and nothing else breaks.
TEST(GroupEdges, EndWithoutStartIsReported) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    const groveResult_t r = groveGroupEnd();
    check.expect(r == groveInvalidUsage || r == groveInvalidArgument,
                 format("groveGroupEnd without start returned %d (%s)", r, groveGetErrorString(r)));
    int32_t v = rank + 1;
    check.result(groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm, nullptr), groveSuccess,
                 "allreduce after", comm);
    check.expect(v == nranks * (nranks + 1) / 2, "allreduce after misuse: wrong sum");
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 60000);
}

// Collectives called between groveGroupStart and groveGroupEnd run immediately (docs/c-api.md): their
// result is there before groveGroupEnd, and the group's send/recv still complete at the end.
TEST_P(Group, CollectiveInsideGroupRunsImmediately) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    const int right = (rank + 1) % nranks, left = (rank + nranks - 1) % nranks;
    if (!check.result(groveGroupStart(), groveSuccess, "groveGroupStart")) return false;
    GroupOps g(rank, comm, nullptr, check, 1200);
    g.send(right, 999, groveFloat64);
    int32_t v = rank + 1;
    check.result(groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm, nullptr), groveSuccess,
                 "allreduce in group", comm);
    check.expect(v == nranks * (nranks + 1) / 2,
                 format("allreduce inside the group gave %d before groveGroupEnd", v));
    g.recv(left, 999, groveFloat64);
    return g.end("send/recv around a collective");
  };
  GROVE_MATRIX_RUN(GetParam(), body, 60000);
}

// A blocking send to oneself outside a group has no receive that could match it: it must come back
// with an error (not hang until the timeout), and the communicator must stay usable.
TEST(GroupEdges, SendToSelfOutsideGroup) {
  ScopedEnv timeout("GROVE_TIMEOUT_MS", "5000");
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
    std::vector<float> buf(100, 1.0f);
    const auto start = std::chrono::steady_clock::now();
    const groveResult_t r = groveSend(buf.data(), buf.size(), groveFloat32, rank, comm, nullptr);
    check.expect(r == groveInvalidUsage || r == groveInvalidArgument,
                 format("send to self outside a group returned %d (%s) after %.0f ms", r,
                        groveGetErrorString(r), elapsedMs(start)));
    int32_t v = 1;
    check.result(groveAllReduce(&v, &v, 1, groveInt32, groveSum, comm, nullptr), groveSuccess,
                 "allreduce after", comm);
    check.expect(v == nranks, "allreduce after send-to-self wrong");
    return true;
  };
  GROVE_MATRIX_RUN(2, body, 60000);
}

// A communicator destroyed inside an open group: groveGroupEnd still runs the group's operations on it
// (the group keeps its state alive), and frees it afterwards. AddressSanitizer sees any use after free.
TEST(GroupEdges, DestroyInsideGroupStillRunsTheGroup) {
  groveUniqueId id;
  ASSERT_EQ(groveGetUniqueId(&id), groveSuccess);
  groveComm_t comm = nullptr;
  ASSERT_EQ(groveCommInitRank(&comm, 1, id, 0), groveSuccess);
  std::vector<float> out(100), in(100, 0.0f);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(i) + 0.5f;
  ASSERT_EQ(groveGroupStart(), groveSuccess);
  EXPECT_EQ(groveSend(out.data(), out.size(), groveFloat32, 0, comm, nullptr), groveSuccess);
  EXPECT_EQ(groveRecv(in.data(), in.size(), groveFloat32, 0, comm, nullptr), groveSuccess);
  EXPECT_EQ(groveCommDestroy(comm), groveSuccess);
  EXPECT_EQ(groveGroupEnd(), groveSuccess) << groveGetLastError(nullptr);
  EXPECT_EQ(in, out);
}

INSTANTIATE_TEST_SUITE_P(, Group, ::testing::ValuesIn(kRankCounts), ranksName);

}  // namespace
}  // namespace grove::test
