// The TCP bootstrap: rank discovery, all-gather, barrier, point-to-point, and refusing intruders.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "grove/bootstrap.hpp"
#include "grove/error.hpp"
#include "support/multiprocess.hpp"

namespace {

int allGatherBody(int rank, int nranks, const groveUniqueId& id) {
  grove::TcpBootstrap boot(rank, nranks, id);
  std::vector<int> all(nranks, -1);
  all[rank] = rank * 10 + 7;
  boot.allGather(all.data(), sizeof(int));
  for (int r = 0; r < nranks; ++r) EXPECT_EQ(all[r], r * 10 + 7);
  boot.barrier();
  // Ring exchange through point-to-point messages.
  int next = (rank + 1) % nranks, prev = (rank + nranks - 1) % nranks, got = -1;
  if (nranks > 1) {
    boot.send(next, &rank, sizeof(rank));
    boot.recv(prev, &got, sizeof(got));
    EXPECT_EQ(got, prev);
  }
  EXPECT_EQ(static_cast<int>(boot.pids().size()), nranks);
  EXPECT_EQ(boot.pids()[rank], static_cast<int>(::getpid()));
  return 0;
}

// Connects to the root and sends `bytes` of junk, as a stray client or port scanner would.
void sendJunk(const std::string& address, const std::string& junk) {
  auto colon = address.rfind(':');
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0)
    (void)!::write(fd, junk.data(), junk.size());
  ::close(fd);
}

}  // namespace

TEST(Bootstrap, AllGatherBarrierSendRecv) {
  for (int n : {1, 2, 3, 5}) GROVE_EXPECT_RANKS_PASS(n, allGatherBody);
}

TEST(Bootstrap, GarbageAndWrongSecretAreRefusedWithoutDisturbingRanks) {
  GROVE_EXPECT_RANKS_PASS(3, [](int rank, int nranks, const groveUniqueId& id) {
    if (rank == 1) {
      std::string address = grove::TcpBootstrap::rootAddress(id);
      sendJunk(address, "GET / HTTP/1.0\r\n\r\n");
      sendJunk(address, std::string(200, '\x5a'));
      // A well-formed id with a different secret must not get in either.
      ::setenv("GROVE_TIMEOUT_MS", "1500", 1);
      groveUniqueId forged = id;
      forged.internal[8] ^= 0x1;
      auto t0 = std::chrono::steady_clock::now();
      try {
        grove::TcpBootstrap intruder(2, nranks, forged);
        ADD_FAILURE() << "a rank with a wrong secret joined";
      } catch (const grove::Error& e) {
        EXPECT_TRUE(e.code() == groveTimeout || e.code() == groveRemoteError) << e.what();
      }
      EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
    }
    return allGatherBody(rank, nranks, id);
  });
}

TEST(Bootstrap, MissingRankTimesOut) {
  GROVE_EXPECT_RANKS_PASS(1, [](int, int, const groveUniqueId& id) {
    ::setenv("GROVE_TIMEOUT_MS", "800", 1);
    auto t0 = std::chrono::steady_clock::now();
    try {
      grove::TcpBootstrap boot(0, 2, id);  // rank 1 never comes
      ADD_FAILURE() << "bootstrap completed without rank 1";
    } catch (const grove::Error& e) {
      EXPECT_EQ(e.code(), groveTimeout) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    return 0;
  });
}

TEST(Bootstrap, CorruptIdIsRejected) {
  groveUniqueId junk;
  std::memset(&junk, 0x33, sizeof(junk));
  try {
    grove::TcpBootstrap boot(0, 1, junk);
    ADD_FAILURE() << "accepted a corrupt id";
  } catch (const grove::Error& e) {
    EXPECT_EQ(e.code(), groveInvalidArgument);
  }
}
