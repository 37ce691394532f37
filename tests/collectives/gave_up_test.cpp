// A rank that gives up a call (here: groveCommAbort from another thread) while a peer still reads its
// buffer directly (a kernel copy of a malloc'd buffer, or a load from registered memory), then writes new
// contents into that buffer, as a caller may once the call has returned. The reading peer must not
// report success with a mix of old and new data: either it finished reading in time (success, the
// original data) or it returns an error.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "failure_util.hpp"
#include "matrix.hpp"

namespace grove::test {
namespace {

enum class Path { kBroadcastPrivate, kBroadcastRegistered, kSendPrivate };

std::string pathName(const ::testing::TestParamInfo<Path>& info) {
  switch (info.param) {
    case Path::kBroadcastPrivate:
      return "BroadcastPrivate";
    case Path::kBroadcastRegistered:
      return "BroadcastRegistered";
    case Path::kSendPrivate:
      return "SendPrivate";
  }
  return "Unknown";
}

// Large enough that the reader is still copying (into pages it has never touched) when the sender gives
// up a few milliseconds into the call.
constexpr std::size_t kCount = std::size_t{64} << 20;  // floats: 256 MiB
constexpr float kOld = 1.0f, kNew = 2.0f;

// The reading rank tells the sending rank through a pipe that it is done, so the sender's process (whose
// memory is read) stays alive until then.
class DonePipe {
 public:
  DonePipe() {
    if (::pipe(fds_) != 0) fds_[0] = fds_[1] = -1;
  }
  ~DonePipe() {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  bool ok() const { return fds_[0] >= 0; }
  void tell() const { (void)!::write(fds_[1], "x", 1); }
  bool await(int ms) const {
    pollfd p{fds_[0], POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
  }

 private:
  int fds_[2];
};

// The sender: starts the call in a thread, aborts the communicator a few milliseconds later, then
// overwrites its buffer.
int giveUp(Checker& check, Comm& comm, float* send, Path path, const DonePipe& done) {
  const groveComm_t c = comm.get();
  std::thread call([&] {
    // Its result does not matter: the call may also have finished before the abort.
    (void)(path == Path::kSendPrivate ? groveSend(send, kCount, groveFloat32, 1, c, nullptr)
                                      : groveBroadcast(send, send, kCount, groveFloat32, 0, c, nullptr));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  comm.abort();
  call.join();
  std::fill(send, send + kCount, kNew);
  check.expect(done.await(30000), "the reading rank never said it was done");
  return check.exitCode();
}

class GaveUp : public ::testing::TestWithParam<Path> {};

TEST_P(GaveUp, PeerReadingItsBufferGetsTheOldDataOrAnError) {
  ScopedTimeout timeout;
  ScopedEnv singleCopies("GROVE_CACHED_HANDOFF", "0");  // copy straight from the sender's buffer
  DonePipe done;
  ASSERT_TRUE(done.ok());
  const Path path = GetParam();
  GROVE_EXPECT_RANKS_PASS(2, [&](int rank, int nranks, const groveUniqueId& id) {
    Checker check(rank);
    Comm comm;
    if (comm.init(id, nranks, rank) != groveSuccess) return 80;
    float one = 1;  // both ranks start the call together
    if (!check.result(groveAllReduce(&one, &one, 1, groveFloat32, groveSum, comm.get(), nullptr),
                      groveSuccess, "allreduce before", comm.get()))
      return check.exitCode();
    if (rank == 0) {
      void* mem = nullptr;
      if (path == Path::kBroadcastRegistered) {
        if (groveMemAlloc(&mem, kCount * sizeof(float)) != groveSuccess) return 81;
      } else {
        mem = std::malloc(kCount * sizeof(float));
        if (mem == nullptr) return 81;
      }
      float* send = static_cast<float*>(mem);
      std::fill(send, send + kCount, kOld);
      void* handle = nullptr;
      if (path == Path::kBroadcastRegistered &&
          !check.result(groveCommRegister(comm.get(), send, kCount * sizeof(float), &handle), groveSuccess,
                        "register", comm.get()))
        return check.exitCode();
      const int code = giveUp(check, comm, send, path, done);
      if (path == Path::kBroadcastRegistered)
        groveMemFree(mem);
      else
        std::free(mem);
      return code;
    }
    std::unique_ptr<float[]> recv(new float[kCount]);  // pages not touched yet: a slow read
    const groveResult_t r =
        path == Path::kSendPrivate
            ? groveRecv(recv.get(), kCount, groveFloat32, 0, comm.get(), nullptr)
            : groveBroadcast(recv.get(), recv.get(), kCount, groveFloat32, 0, comm.get(), nullptr);
    done.tell();
    if (r == groveSuccess) {
      const std::size_t wrong = static_cast<std::size_t>(
          std::count_if(recv.get(), recv.get() + kCount, [](float v) { return v != kOld; }));
      check.expect(wrong == 0, format("reported success but %zu of %zu elements are not the sender's data",
                                      wrong, kCount));
    } else {
      check.expect(r == groveRemoteError || r == groveTimeout,
                   format("returned %d (%s): %s", r, groveGetErrorString(r), groveGetLastError(comm.get())));
      std::printf("rank 1: %s\n", groveGetLastError(comm.get()));
    }
    return check.exitCode();
  });
}

INSTANTIATE_TEST_SUITE_P(, GaveUp,
                         ::testing::Values(Path::kBroadcastPrivate, Path::kBroadcastRegistered,
                                           Path::kSendPrivate),
                         pathName);

}  // namespace
}  // namespace grove::test
