// The documented tuning variables (docs/environment.md) set to their minimum, so that even medium
// messages leave the small-message slots and run through many pipeline chunks and mailbox rounds, and
// each allreduce algorithm forced in turn (GROVE_ALGO). Results must not change.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "cases.hpp"
#include "matrix.hpp"
#include "reference.hpp"

namespace grove::test {
namespace {

class Tuning : public ::testing::TestWithParam<int> {};

void runCrossMemoryCases(int ranks);

// Sizes chosen around the 4096-byte chunk: one byte short of, exactly, and just past chunk multiples.
const std::vector<size_t> kByteCounts = {4095, 4096, 4097, 3 * 4096 + 1, 50001};

TEST_P(Tuning, EveryCollectiveWithMinimalChunks) {
  // The two-shot runs twice: handing chunks over in cache, then with streaming stores (far-apart cores).
  const std::pair<const char*, const char*> configs[] = {
      {"oneshot", "0"}, {"twoshot", "0"}, {"twoshot", "1"}};
  for (const auto& [algo, streaming] : configs) {
    SCOPED_TRACE(std::string(algo) + (std::string(streaming) == "1" ? ", streaming staging" : ""));
    ScopedEnv a("GROVE_ALGO", algo), small("GROVE_SMALL_BYTES", "4096"), chunk("GROVE_CHUNK_BYTES", "4096"),
        p2p("GROVE_P2P_CHUNK_BYTES", "4096"), staging("GROVE_STREAM_STAGING", streaming);
    MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
      Ctx x{rank, nranks, comm, stream, check};
      uint64_t seed = 3000;
      size_t i = 0;
      for (groveDataType_t t : ref::kAllTypes) {
        for (size_t bytes : kByteCounts) {
          CaseSpec c;
          c.type = t;
          c.op = ref::kAllOps[i % ref::kAllOps.size()];
          c.count = bytes / ref::typeSize(t) + (i % 2);
          c.variant = kAllVariants[i % kAllVariants.size()];
          c.seed = seed++;
          c.root = static_cast<int>(i % static_cast<size_t>(nranks));
          ++i;
          CaseSpec per = c;
          per.count = c.count / static_cast<size_t>(nranks) + 1;
          if (!runAllReduce(x, c) || !runReduce(x, c) || !runBroadcast(x, c) || !runAllGather(x, per) ||
              !runReduceScatter(x, per) || !runAllToAll(x, per))
            return false;
        }
      }
      return true;
    };
    GROVE_MATRIX_RUN(GetParam(), body, 300000);
  }
}

// Single-copy (cross-memory) reads from 4096-byte blocks up, so allgather, alltoall and broadcast of
// malloc'd buffers take that path at test sizes, in place and out of place, for every type (broadcast
// and allgather only below four ranks per core: more crowded ranks use the staging ring). Twice: with
// the single copies forced, then with the handoff in cache forced (ranks with a core each choose
// between them by the cores' distance; oversubscribed ranks always copy once).
TEST_P(Tuning, CrossMemoryReadsFromSmallBlocks) {
  for (const char* cached : {"0", "1"}) {
    SCOPED_TRACE(std::string("GROVE_CACHED_HANDOFF=") + cached);
    ScopedEnv small("GROVE_SMALL_BYTES", "4096"), cross("GROVE_CROSS_MEMORY_MIN_BYTES", "4096"),
        handoff("GROVE_CACHED_HANDOFF", cached);
    runCrossMemoryCases(GetParam());
  }
}

void runCrossMemoryCases(int ranks) {
  MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t stream, Checker& check) {
    Ctx x{rank, nranks, comm, stream, check};
    uint64_t seed = 7000;
    size_t i = 0;
    for (groveDataType_t t : ref::kAllTypes) {
      for (size_t bytes : kByteCounts) {
        CaseSpec c;
        c.type = t;
        c.count = bytes / ref::typeSize(t) + (i % 2);
        c.variant = kAllVariants[i % kAllVariants.size()];
        c.seed = seed++;
        ++i;
        c.root = static_cast<int>(i % static_cast<size_t>(nranks));
        if (!runAllGather(x, c) || !runAllToAll(x, c) || !runBroadcast(x, c)) return false;
      }
    }
    return true;
  };
  GROVE_MATRIX_RUN(ranks, body, 300000);
}

// Send/recv through 4096-byte mailboxes: messages of many chunks in both directions at once, first with
// direct reads (process_vm_readv) off, then with them from 4096 bytes on.
TEST_P(Tuning, SendRecvWithMinimalMailboxes) {
  for (const char* cma : {"0", "1"}) {
    SCOPED_TRACE(cma);
    ScopedEnv p2p("GROVE_P2P_CHUNK_BYTES", "4096"), direct("GROVE_P2P_CMA", cma),
        threshold("GROVE_P2P_CMA_BYTES", "4096");
    MatrixBody body = [](int rank, int nranks, groveComm_t comm, groveStream_t, Checker& check) {
      const int right = (rank + 1) % nranks, left = (rank + nranks - 1) % nranks;
      for (size_t count : {size_t{1023}, size_t{1024}, size_t{1025}, size_t{100003}}) {
        std::vector<int32_t> out(count), in(count, -1), want(count);
        for (size_t i = 0; i < count; ++i) {
          out[i] = static_cast<int32_t>(rank * 1000003 + i);
          want[i] = static_cast<int32_t>(left * 1000003 + i);
        }
        check.result(groveGroupStart(), groveSuccess, "groveGroupStart");
        check.result(groveSend(out.data(), count, groveInt32, right, comm, nullptr), groveSuccess, "send",
                     comm);
        check.result(groveRecv(in.data(), count, groveInt32, left, comm, nullptr), groveSuccess, "recv",
                     comm);
        if (!check.result(groveGroupEnd(), groveSuccess, format("ring count=%zu", count), comm)) return false;
        check.elements(in.data(), want.data(), count, groveInt32, format("ring count=%zu", count));
      }
      return true;
    };
    GROVE_MATRIX_RUN(GetParam(), body, 120000);
  }
}

INSTANTIATE_TEST_SUITE_P(, Tuning, ::testing::Values(2, 3, 5, 8), ranksName);

}  // namespace
}  // namespace grove::test
