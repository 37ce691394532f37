// Memory channels between two processes: put/get through mapped memory, ordered by semaphores.
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "grove/communicator.hpp"
#include "support/multiprocess.hpp"

using Clock = std::chrono::steady_clock;

TEST(MemoryChannel, PutSignalWaitGet) {
  GROVE_EXPECT_RANKS_PASS(2, [](int rank, int nranks, const groveUniqueId& id) {
    grove::Communicator comm(std::make_unique<grove::TcpBootstrap>(rank, nranks, id));
    constexpr std::size_t kSem = 0, kData = 4096, kBytes = 64 * 1024;
    auto window = comm.createWindow(kData + kBytes, "grove-test");
    const int peer = 1 - rank;
    grove::MemoryChannel ch = comm.connect(*window, peer, kSem, 2);
    std::vector<int> mine(kBytes / sizeof(int)), got(kBytes / sizeof(int));
    for (int round = 1; round <= 50; ++round) {
      for (std::size_t i = 0; i < mine.size(); ++i) mine[i] = round * 1000 + rank + static_cast<int>(i);
      // Wait until the peer has read what we put in the previous round, then put and signal.
      if (round > 1) ch.wait(1, round - 1, Clock::now() + std::chrono::seconds(10), 1000);
      ch.put(kData, mine.data(), kBytes);
      ch.flush();
      ch.signal(0, round);
      ch.wait(0, round, Clock::now() + std::chrono::seconds(10), 1000);
      std::memcpy(got.data(), ch.local(kData), kBytes);
      ch.signal(1, round);
      for (std::size_t i = 0; i < got.size(); i += 97) {
        EXPECT_EQ(got[i], round * 1000 + peer + static_cast<int>(i));
        if (got[i] != round * 1000 + peer + static_cast<int>(i)) return 1;
      }
    }
    // get() reads the peer's segment directly.
    std::vector<char> probe(16);
    ch.get(probe.data(), kData, probe.size());
    return 0;
  });
}
