#include "harness.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "datatypes.hpp"
#include "options.hpp"
#include "report.hpp"

namespace grove::perf {
namespace {

// The generator's iteration argument: the row's sequence number in the upper bits and the check
// iteration below, so data differ between rows and placements as well as between check iterations.
// The timed runs use an iteration no check reaches.
constexpr uint64_t kTimingIter = ~uint64_t{0};
constexpr int kIterBits = 24;

class Runner {
 public:
  Runner(const Collective& coll, const Options& opts, int rank, int nranks)
      : coll_(coll), o_(opts), env_{opts.mpiBackend ? Backend::kMpi : Backend::kGrove,
                                    rank,
                                    nranks,
                                    nullptr,
                                    nullptr,
                                    MPI_COMM_WORLD} {}

  int run();

 private:
  [[noreturn]] void fail(const char* what, groveResult_t r);
  void check(const char* what, groveResult_t r) {
    if (r != groveSuccess) fail(what, r);
  }
  void setUp();
  void tearDown();
  void allocate();
  void issue(Call& call);
  void synchronize();
  void fillBuffers(const Call& call, const Layout& l, const Generator& gen, uint64_t iter);
  Measurement measure(const Layout& l, groveDataType_t type, groveRedOp_t op, bool inPlace);
  std::string ranksInfo();

  const Collective& coll_;
  const Options& o_;
  Env env_;
  MPI_Datatype mpiType_ = MPI_DATATYPE_NULL;
  MPI_Op mpiOp_ = MPI_OP_NULL;
  size_t bufBytes_ = 0;
  char* sendBuf_ = nullptr;
  char* recvBuf_ = nullptr;
  void* sendHandle_ = nullptr;
  void* recvHandle_ = nullptr;
  uint64_t measureSeq_ = 0;  // measure() calls so far
};

void Runner::fail(const char* what, groveResult_t r) {
  // Other ranks may be blocked inside a collective waiting for this one: MPI_Abort ends the whole job
  // instead of leaving it to hang until GROVE_TIMEOUT_MS.
  std::fprintf(stderr, "%s_perf: rank %d: %s failed: %s: %s\n", coll_.name, env_.rank, what,
               groveGetErrorString(r), groveGetLastError(env_.comm));
  std::fflush(stderr);
  if (env_.comm) groveCommAbort(env_.comm);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::exit(1);
}

void Runner::setUp() {
  if (o_.mpiBackend) return;
  if (!o_.algo.empty()) setenv("GROVE_ALGO", o_.algo.c_str(), 1);
  groveUniqueId id;
  std::memset(&id, 0, sizeof id);
  int status = groveSuccess;
  if (env_.rank == 0) status = groveGetUniqueId(&id);
  // Broadcast the status with the id: a failed root must not leave the others waiting for a bootstrap.
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (status != groveSuccess) fail("groveGetUniqueId", static_cast<groveResult_t>(status));
  MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
  check("groveCommInitRank", groveCommInitRank(&env_.comm, env_.nranks, id, env_.rank));
  if (o_.blocking == 0) check("groveStreamCreate", groveStreamCreate(&env_.stream));
}

void Runner::allocate() {
  // One pair of buffers for the largest size of any requested type, reused by every row.
  for (groveDataType_t t : o_.types) {
    Layout l = coll_.layout(o_.maxBytes / typeSize(t), env_.nranks);
    bufBytes_ = std::max(bufBytes_, std::max(l.sendCount, l.recvCount) * typeSize(t));
  }
  bufBytes_ = (bufBytes_ + 63) / 64 * 64 + 64;
  if (o_.memory == "shm") {
    void* p = nullptr;
    check("groveMemAlloc", groveMemAlloc(&p, bufBytes_));
    sendBuf_ = static_cast<char*>(p);
    check("groveMemAlloc", groveMemAlloc(&p, bufBytes_));
    recvBuf_ = static_cast<char*>(p);
    if (env_.comm) {
      check("groveCommRegister", groveCommRegister(env_.comm, sendBuf_, bufBytes_, &sendHandle_));
      check("groveCommRegister", groveCommRegister(env_.comm, recvBuf_, bufBytes_, &recvHandle_));
    }
  } else {
    sendBuf_ = static_cast<char*>(std::aligned_alloc(64, bufBytes_));
    recvBuf_ = static_cast<char*>(std::aligned_alloc(64, bufBytes_));
    if (!sendBuf_ || !recvBuf_) {
      std::fprintf(stderr, "%s_perf: rank %d: cannot allocate 2 x %zu bytes\n", coll_.name, env_.rank,
                   bufBytes_);
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
  // Touch every page now so first-touch faults never land in a timed loop.
  std::memset(sendBuf_, 0, bufBytes_);
  std::memset(recvBuf_, 0, bufBytes_);
}

void Runner::tearDown() {
  if (o_.memory == "shm") {
    if (sendHandle_) check("groveCommDeregister", groveCommDeregister(env_.comm, sendHandle_));
    if (recvHandle_) check("groveCommDeregister", groveCommDeregister(env_.comm, recvHandle_));
    check("groveMemFree", groveMemFree(sendBuf_));
    check("groveMemFree", groveMemFree(recvBuf_));
  } else {
    std::free(sendBuf_);
    std::free(recvBuf_);
  }
  if (env_.stream) check("groveStreamDestroy", groveStreamDestroy(env_.stream));
  if (env_.comm) check("groveCommDestroy", groveCommDestroy(env_.comm));
  env_.comm = nullptr;
}

void Runner::issue(Call& call) {
  if (env_.backend == Backend::kMpi) {
    coll_.runMpi(env_, call);
    return;
  }
  groveResult_t r = coll_.runGrove(env_, call);
  if (r != groveSuccess) {
    std::string what = std::string("grove ") + coll_.name;
    fail(what.c_str(), r);
  }
}

void Runner::synchronize() {
  if (env_.stream) check("groveStreamSynchronize", groveStreamSynchronize(env_.stream));
}

void Runner::fillBuffers(const Call& call, const Layout& l, const Generator& gen, uint64_t iter) {
  bool hasInput = !(coll_.rootOnlyInput && env_.rank != call.root);
  if (!call.inPlace) {
    fillInput(gen, env_.rank, iter, sendBuf_, l.sendCount);
    fillSentinel(call.type, recvBuf_, l.recvCount);
  } else {
    // The in-place buffer spans both extents (reduce-scatter's input is n blocks, allgather's output).
    fillSentinel(call.type, recvBuf_, std::max(l.sendCount, l.recvCount));
    if (hasInput) fillInput(gen, env_.rank, iter, const_cast<void*>(call.send), l.sendCount);
  }
}

Measurement Runner::measure(const Layout& l, groveDataType_t type, groveRedOp_t op, bool inPlace) {
  size_t ts = typeSize(type);
  int rank = env_.rank;
  Call call{};
  call.send = inPlace ? recvBuf_ + l.sendInplaceOffset * rank * ts : sendBuf_;
  call.recv = inPlace ? recvBuf_ + l.recvInplaceOffset * rank * ts : recvBuf_;
  call.count = l.paramCount;
  call.type = type;
  call.op = op;
  call.root = o_.root;
  call.inPlace = inPlace;
  call.mpiType = mpiType_;
  call.mpiOp = mpiOp_;
  call.result = call.recv;
  Generator gen(type, coll_.hasOp ? op : groveSum, coll_.hasOp, env_.nranks);
  ++measureSeq_;

  fillBuffers(call, l, gen, kTimingIter);
  for (int i = 0; i < o_.warmup; ++i) issue(call);
  synchronize();
  MPI_Barrier(MPI_COMM_WORLD);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < o_.iters; ++i) issue(call);
  synchronize();
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / o_.iters;
  switch (o_.average) {
    case 0:
      MPI_Bcast(&sec, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
      break;
    case 2:
      MPI_Allreduce(MPI_IN_PLACE, &sec, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
      break;
    case 3:
      MPI_Allreduce(MPI_IN_PLACE, &sec, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      break;
    default:
      MPI_Allreduce(MPI_IN_PLACE, &sec, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
      sec /= env_.nranks;
  }

  Measurement m;
  m.seconds = sec;
  double bytes = static_cast<double>(std::max(l.sendCount, l.recvCount) * ts);
  m.algbw = sec > 0 ? bytes / sec / 1e9 : 0;
  m.busbw = m.algbw * coll_.busFactor(env_.nranks);
  if (o_.check > 0) {
    std::vector<Block> blocks = coll_.expected(l, rank, env_.nranks, o_.root);
    long long wrong = 0;
    for (int k = 0; k < o_.check; ++k) {
      call.result = call.recv;
      uint64_t iter = (measureSeq_ << kIterBits) + static_cast<uint64_t>(k);
      fillBuffers(call, l, gen, iter);
      issue(call);
      synchronize();
      wrong += static_cast<long long>(countWrong(gen, iter, call.result, blocks));
    }
    MPI_Allreduce(MPI_IN_PLACE, &wrong, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    m.wrong = wrong;
  }
  return m;
}

std::string Runner::ranksInfo() {
  char mine[128];
  char host[64] = {0};
  gethostname(host, sizeof host - 1);
  std::snprintf(mine, sizeof mine, "#  Rank %2d Pid %6d on %s\n", env_.rank, static_cast<int>(getpid()),
                host);
  std::vector<char> all(env_.rank == 0 ? sizeof mine * env_.nranks : 1);
  MPI_Gather(mine, sizeof mine, MPI_CHAR, all.data(), sizeof mine, MPI_CHAR, 0, MPI_COMM_WORLD);
  std::string out;
  if (env_.rank == 0)
    for (int r = 0; r < env_.nranks; ++r) out += &all[sizeof mine * r];
  return out;
}

int Runner::run() {
  if (o_.memory == "opencl") {
    if (env_.rank == 0)
      std::fprintf(stderr,
                   "%s_perf: -M opencl: OpenCL buffers are not supported by this build (the C API has no "
                   "OpenCL allocation entry point); use -M host or -M shm\n",
                   coll_.name);
    return 1;
  }
  if (coll_.hasRoot && o_.root >= env_.nranks) {
    if (env_.rank == 0)
      std::fprintf(stderr, "%s_perf: root %d out of range for %d ranks\n", coll_.name, o_.root, env_.nranks);
    return 1;
  }
  setUp();
  allocate();
  std::string info = ranksInfo();
  if (env_.rank == 0) printHeader(coll_, o_, env_.nranks, info);

  std::vector<size_t> sizes = sizeSequence(o_);
  std::vector<groveRedOp_t> ops = coll_.hasOp ? o_.ops : std::vector<groveRedOp_t>{groveSum};
  long long totalWrong = 0;
  double busbwSum = 0;
  int busbwCount = 0;
  for (groveDataType_t type : o_.types) {
    for (groveRedOp_t op : ops) {
      bool withMpi = env_.backend == Backend::kMpi || o_.bothBackends;
      if (withMpi) {
        std::string why;
        auto t = mpiType(type, &why);
        std::optional<MPI_Op> mo = MPI_OP_NULL;
        if (t && coll_.hasOp) mo = mpiOp(op, &why);  // name the type first when both are missing
        if (!t || !mo) {
          if (env_.rank == 0)
            std::printf("# skipped %s%s %s: %s\n", o_.bothBackends ? "MPI rows of " : "", typeName(type),
                        coll_.hasOp ? opName(op) : "none", why.c_str());
          if (!o_.bothBackends) continue;
          withMpi = false;
        } else {
          mpiType_ = *t;
          mpiOp_ = *mo;
        }
      }
      // With -B both, grove then MPI for each size: the two see the same machine conditions.
      std::vector<Backend> backends{env_.backend};
      if (o_.bothBackends && withMpi) backends.push_back(Backend::kMpi);
      for (size_t bytes : sizes) {
        Layout l = coll_.layout(bytes / typeSize(type), env_.nranks);
        for (Backend b : backends) {
          env_.backend = b;
          Measurement out = measure(l, type, op, false);
          Measurement in = measure(l, type, op, true);
          for (const Measurement* m : {&out, &in}) {
            if (m->wrong > 0) totalWrong += m->wrong;
            busbwSum += m->busbw;
            ++busbwCount;
          }
          if (env_.rank == 0)
            printRow(std::max(l.sendCount, l.recvCount) * typeSize(type), l.paramCount, typeName(type),
                     coll_.hasOp ? opName(op) : "none", coll_.hasRoot ? o_.root : -1, out, in,
                     o_.bothBackends && b == Backend::kMpi ? "#mpi" : nullptr);
        }
        env_.backend = backends.front();
      }
    }
  }
  if (env_.rank == 0) printFooter(totalWrong, busbwCount ? busbwSum / busbwCount : 0);
  tearDown();
  return totalWrong == 0 ? 0 : 1;
}

}  // namespace

int mpiCount(size_t count) {
  if (count > static_cast<size_t>(INT_MAX)) {
    std::fprintf(stderr, "perf: count %zu exceeds MPI's int range\n", count);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return static_cast<int>(count);
}

int run(const Collective& coll, int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, nranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  Options opts;
  std::string error;
  int rc = 0;
  if (!parseOptions(argc, argv, &opts, &error)) {
    if (rank == 0) std::fprintf(stderr, "%s_perf: %s\n%s", coll.name, error.c_str(), usage(argv[0]).c_str());
    rc = 1;
  } else if (opts.help) {
    if (rank == 0) std::printf("%s", usage(argv[0]).c_str());
  } else {
    rc = Runner(coll, opts, rank, nranks).run();
  }
  MPI_Finalize();
  return rc;
}

}  // namespace grove::perf
