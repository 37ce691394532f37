// The C API: argument checks, then dispatch to the algorithms. Nothing here aborts or exits; every
// failure becomes a groveResult_t with a message for groveGetLastError.
#include <climits>
#include <cstring>
#include <memory>
#include <new>

#include "collectives/algorithms.hpp"
#include "collectives/api_checks.hpp"
#include "collectives/comm_state.hpp"
#include "collectives/datatype.hpp"
#include "collectives/group.hpp"
#include "collectives/stream.hpp"
#include "grove/bootstrap.hpp"
#include "grove/error.hpp"
#include "grove/memory.hpp"

using grove::coll::CallDesc;
using grove::coll::checkCall;
using grove::coll::checkOp;
using grove::coll::checkRank;
using grove::coll::CollKind;
using grove::coll::CommState;
using grove::coll::emptyCall;
using grove::coll::Engine;
using grove::coll::failNoComm;

namespace {

// The collectives past their short path for calls with count 0 (emptyCall). Kept out of line: the entry
// point then needs no frame of its own, which was a tenth of such a call.
[[gnu::noinline]] groveResult_t allReduceCall(const void* sendbuff, void* recvbuff, size_t count,
                                              groveDataType_t type, groveRedOp_t op, groveComm_t comm,
                                              groveStream_t stream) {
  GROVE_CHECK(checkCall(comm, "groveAllReduce", count, type, sendbuff, recvbuff, count, count));
  GROVE_CHECK(checkOp(comm, "groveAllReduce", op));
  return grove::coll::runOn(comm->state, stream, [=](Engine& e) {
    grove::coll::allReduce(e, sendbuff, recvbuff, count, type, op);
  });
}

[[gnu::noinline]] groveResult_t allGatherCall(const void* sendbuff, void* recvbuff, size_t sendcount,
                                              groveDataType_t type, groveComm_t comm, groveStream_t stream) {
  GROVE_CHECK(checkCall(comm, "groveAllGather", sendcount, type, sendbuff, recvbuff, sendcount, sendcount));
  return grove::coll::runOn(comm->state, stream, [=](Engine& e) {
    grove::coll::allGather(e, sendbuff, recvbuff, sendcount, type);
  });
}

[[gnu::noinline]] groveResult_t reduceScatterCall(const void* sendbuff, void* recvbuff, size_t recvcount,
                                                  groveDataType_t type, groveRedOp_t op, groveComm_t comm,
                                                  groveStream_t stream) {
  GROVE_CHECK(
      checkCall(comm, "groveReduceScatter", recvcount, type, sendbuff, recvbuff, recvcount, recvcount));
  GROVE_CHECK(checkOp(comm, "groveReduceScatter", op));
  return grove::coll::runOn(comm->state, stream, [=](Engine& e) {
    grove::coll::reduceScatter(e, sendbuff, recvbuff, recvcount, type, op);
  });
}

[[gnu::noinline]] groveResult_t broadcastCall(const void* sendbuff, void* recvbuff, size_t count,
                                              groveDataType_t type, int root, groveComm_t comm,
                                              groveStream_t stream) {
  GROVE_CHECK(checkCall(comm, "groveBroadcast", count, type, sendbuff, recvbuff, 0, count));
  GROVE_CHECK(checkRank(comm, "groveBroadcast", "root", root));
  if (count > 0 && comm->state->engine->rank() == root && sendbuff == nullptr)
    return comm->state->fail(groveInvalidArgument,
                             "groveBroadcast: root's send buffer is NULL with count > 0");
  auto body = [=](Engine& e) { grove::coll::broadcast(e, sendbuff, recvbuff, count, type, root); };
  const std::size_t bytes = count * grove::coll::typeSize(type);
  if (!grove::coll::eagerCall(*comm->state->engine, bytes))
    return grove::coll::runOn(comm->state, stream, body);
  return grove::coll::runOnOrInline(
      comm->state, stream, [=](Engine& e) { return grove::coll::eagerBroadcastRunsNow(e, bytes, root); },
      body);
}

[[gnu::noinline]] groveResult_t reduceCall(const void* sendbuff, void* recvbuff, size_t count,
                                           groveDataType_t type, groveRedOp_t op, int root, groveComm_t comm,
                                           groveStream_t stream) {
  GROVE_CHECK(checkCall(comm, "groveReduce", count, type, sendbuff, recvbuff, count, 0));
  GROVE_CHECK(checkOp(comm, "groveReduce", op));
  GROVE_CHECK(checkRank(comm, "groveReduce", "root", root));
  if (count > 0 && comm->state->engine->rank() == root && recvbuff == nullptr)
    return comm->state->fail(groveInvalidArgument,
                             "groveReduce: root's receive buffer is NULL with count > 0");
  auto body = [=](Engine& e) { grove::coll::reduceToRoot(e, sendbuff, recvbuff, count, type, op, root); };
  const std::size_t bytes = count * grove::coll::typeSize(type);
  if (!grove::coll::eagerCall(*comm->state->engine, bytes))
    return grove::coll::runOn(comm->state, stream, body);
  return grove::coll::runOnOrInline(
      comm->state, stream, [=](Engine& e) { return grove::coll::eagerReduceRunsNow(e, bytes, root); }, body);
}

[[gnu::noinline]] groveResult_t allToAllCall(const void* sendbuff, void* recvbuff, size_t count,
                                             groveDataType_t type, groveComm_t comm, groveStream_t stream) {
  GROVE_CHECK(checkCall(comm, "groveAllToAll", count, type, sendbuff, recvbuff, count, count));
  return grove::coll::runOn(comm->state, stream,
                            [=](Engine& e) { grove::coll::allToAll(e, sendbuff, recvbuff, count, type); });
}

}  // namespace

extern "C" {

groveResult_t groveGetVersion(int* version) {
  if (!version) return failNoComm(groveInvalidArgument, "groveGetVersion: version is NULL");
  *version = GROVE_VERSION_CODE;
  return groveSuccess;
}

const char* groveGetErrorString(groveResult_t r) {
  switch (r) {
    case groveSuccess:
      return "no error";
    case groveInvalidArgument:
      return "invalid argument";
    case groveInvalidUsage:
      return "invalid usage (ranks disagree or the call is not allowed)";
    case groveSystemError:
      return "system error";
    case groveInternalError:
      return "internal error";
    case groveRemoteError:
      return "remote error (a peer failed)";
    case groveTimeout:
      return "timeout";
    case groveInProgress:
      return "operation in progress";
    default:
      return "unknown result code";
  }
}

const char* groveGetLastError(groveComm_t comm) {
  return grove::coll::lastErrorOf(comm && comm->state ? comm->state.get() : nullptr);
}

groveResult_t groveGetUniqueId(groveUniqueId* id) {
  if (!id) return failNoComm(groveInvalidArgument, "groveGetUniqueId: uniqueId is NULL");
  try {
    *id = grove::TcpBootstrap::createUniqueId();
    return groveSuccess;
  } catch (const grove::Error& e) {
    return failNoComm(e.code(), e.what());
  } catch (const std::exception& e) {
    return failNoComm(groveSystemError, e.what());
  }
}

groveResult_t groveCommInitRank(groveComm_t* comm, int nranks, groveUniqueId id, int rank) {
  if (!comm) return failNoComm(groveInvalidArgument, "groveCommInitRank: comm is NULL");
  *comm = nullptr;
  if (nranks <= 0) return failNoComm(groveInvalidArgument, "groveCommInitRank: nranks must be positive");
  if (rank < 0 || rank >= nranks)
    return failNoComm(groveInvalidArgument, "groveCommInitRank: rank " + std::to_string(rank) +
                                                " is out of range [0, " + std::to_string(nranks) + ")");
  try {
    auto state = std::make_shared<CommState>();
    state->engine = std::make_unique<Engine>(rank, nranks, id);
    *comm = new groveComm{std::move(state)};
    return groveSuccess;
  } catch (const grove::Error& e) {
    return failNoComm(e.code(), std::string("groveCommInitRank: ") + e.what());
  } catch (const std::bad_alloc&) {
    return failNoComm(groveSystemError, "groveCommInitRank: out of memory");
  } catch (const std::exception& e) {
    return failNoComm(groveInternalError, std::string("groveCommInitRank: ") + e.what());
  }
}

groveResult_t groveCommDestroy(groveComm_t comm) {
  if (!comm) return failNoComm(groveInvalidArgument, "groveCommDestroy: comm is NULL");
  // Queued stream work holds its own reference; the engine goes when the last reference does.
  grove::coll::keepForOpenGroup(comm);
  delete comm;
  return groveSuccess;
}

groveResult_t groveCommAbort(groveComm_t comm) {
  if (!comm) return failNoComm(groveInvalidArgument, "groveCommAbort: comm is NULL");
  comm->state->aborted = true;
  comm->state->fail(groveRemoteError, "the communicator was aborted");
  // Calls waiting in other threads (or on streams) end now. A NULL-stream call holds the call lock until
  // it has recorded its result (a call with count 0 its flag instead, runEmpty): wait for it to leave
  // before dropping the handle's reference. Stream work
  // holds references of its own, so the engine goes away when the last of it returns.
  comm->state->engine->cancel();
  grove::coll::waitForEmptyCall(*comm->state);
  { std::lock_guard<grove::coll::CallLock> wait(comm->state->engine->callLock()); }
  grove::coll::keepForOpenGroup(comm);
  delete comm;
  return groveSuccess;
}

groveResult_t groveCommCount(const groveComm_t comm, int* count) {
  if (!comm || !count) return failNoComm(groveInvalidArgument, "groveCommCount: NULL argument");
  *count = comm->state->engine->nranks();
  return groveSuccess;
}

groveResult_t groveCommUserRank(const groveComm_t comm, int* rank) {
  if (!comm || !rank) return failNoComm(groveInvalidArgument, "groveCommUserRank: NULL argument");
  *rank = comm->state->engine->rank();
  return groveSuccess;
}

groveResult_t groveCommGetAsyncError(groveComm_t comm, groveResult_t* asyncError) {
  if (!comm || !asyncError) return failNoComm(groveInvalidArgument, "groveCommGetAsyncError: NULL argument");
  *asyncError = comm->state->asyncError.load();
  return groveSuccess;
}

groveResult_t groveAllReduce(const void* sendbuff, void* recvbuff, size_t count, groveDataType_t type,
                             groveRedOp_t op, groveComm_t comm, groveStream_t stream) {
  groveResult_t r;
  if (count == 0 && emptyCall(comm, stream, CallDesc{CollKind::kAllReduce, type, op, 0, -1, 0}, false, r))
    return r;
  return allReduceCall(sendbuff, recvbuff, count, type, op, comm, stream);
}

groveResult_t groveAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, groveDataType_t type,
                             groveComm_t comm, groveStream_t stream) {
  groveResult_t r;
  if (sendcount == 0 &&
      emptyCall(comm, stream, CallDesc{CollKind::kAllGather, type, groveSum, 0, -1, 0}, false, r))
    return r;
  return allGatherCall(sendbuff, recvbuff, sendcount, type, comm, stream);
}

groveResult_t groveReduceScatter(const void* sendbuff, void* recvbuff, size_t recvcount, groveDataType_t type,
                                 groveRedOp_t op, groveComm_t comm, groveStream_t stream) {
  groveResult_t r;
  if (recvcount == 0 &&
      emptyCall(comm, stream, CallDesc{CollKind::kReduceScatter, type, op, 0, -1, 0}, false, r))
    return r;
  return reduceScatterCall(sendbuff, recvbuff, recvcount, type, op, comm, stream);
}

groveResult_t groveBroadcast(const void* sendbuff, void* recvbuff, size_t count, groveDataType_t type,
                             int root, groveComm_t comm, groveStream_t stream) {
  groveResult_t r;
  if (count == 0 &&
      emptyCall(comm, stream, CallDesc{CollKind::kBroadcast, type, groveSum, 0, root, 0}, true, r))
    return r;
  return broadcastCall(sendbuff, recvbuff, count, type, root, comm, stream);
}

groveResult_t groveReduce(const void* sendbuff, void* recvbuff, size_t count, groveDataType_t type,
                          groveRedOp_t op, int root, groveComm_t comm, groveStream_t stream) {
  groveResult_t r;
  if (count == 0 && emptyCall(comm, stream, CallDesc{CollKind::kReduce, type, op, 0, root, 0}, true, r))
    return r;
  return reduceCall(sendbuff, recvbuff, count, type, op, root, comm, stream);
}

groveResult_t groveAllToAll(const void* sendbuff, void* recvbuff, size_t count, groveDataType_t type,
                            groveComm_t comm, groveStream_t stream) {
  groveResult_t r;
  if (count == 0 &&
      emptyCall(comm, stream, CallDesc{CollKind::kAllToAll, type, groveSum, 0, -1, 0}, false, r))
    return r;
  return allToAllCall(sendbuff, recvbuff, count, type, comm, stream);
}

groveResult_t groveAllToAllv(const void* sendbuff, const size_t sendcounts[], const size_t sdispls[],
                             void* recvbuff, const size_t recvcounts[], const size_t rdispls[],
                             groveDataType_t type, groveComm_t comm, groveStream_t stream) {
  GROVE_CHECK(checkCall(comm, "groveAllToAllv", 0, type, sendbuff, recvbuff, 0, 0));
  if (!sendcounts || !sdispls || !recvcounts || !rdispls)
    return comm->state->fail(groveInvalidArgument, "groveAllToAllv: a count or displacement array is NULL");
  const int n = comm->state->engine->nranks();
  std::size_t sendTotal = 0, recvTotal = 0;
  for (int p = 0; p < n; ++p) {
    sendTotal += sendcounts[p];
    recvTotal += recvcounts[p];
  }
  if ((sendTotal > 0 && !sendbuff) || (recvTotal > 0 && !recvbuff))
    return comm->state->fail(groveInvalidArgument, "groveAllToAllv: NULL buffer with non-zero counts");
  // Copy the arrays: with a stream the caller may reuse them before the operation runs.
  auto arrays = std::make_shared<std::vector<std::size_t>>();
  arrays->insert(arrays->end(), sendcounts, sendcounts + n);
  arrays->insert(arrays->end(), sdispls, sdispls + n);
  arrays->insert(arrays->end(), recvcounts, recvcounts + n);
  arrays->insert(arrays->end(), rdispls, rdispls + n);
  return grove::coll::runOn(comm->state, stream, [=](Engine& e) {
    const std::size_t* a = arrays->data();
    grove::coll::allToAllv(e, sendbuff, a, a + n, recvbuff, a + 2 * n, a + 3 * n, type);
  });
}

groveResult_t groveSend(const void* sendbuff, size_t count, groveDataType_t type, int peer, groveComm_t comm,
                        groveStream_t stream) {
  GROVE_CHECK(checkCall(comm, "groveSend", count, type, sendbuff, nullptr, count, 0));
  GROVE_CHECK(checkRank(comm, "groveSend", "peer", peer));
  return grove::coll::enqueueP2P(comm, stream, true, peer, const_cast<void*>(sendbuff), count, type);
}

groveResult_t groveRecv(void* recvbuff, size_t count, groveDataType_t type, int peer, groveComm_t comm,
                        groveStream_t stream) {
  GROVE_CHECK(checkCall(comm, "groveRecv", count, type, nullptr, recvbuff, 0, count));
  GROVE_CHECK(checkRank(comm, "groveRecv", "peer", peer));
  return grove::coll::enqueueP2P(comm, stream, false, peer, recvbuff, count, type);
}

groveResult_t groveGroupStart(void) { return grove::coll::groupStart(); }
groveResult_t groveGroupEnd(void) { return grove::coll::groupEnd(); }

groveResult_t groveStreamCreate(groveStream_t* stream) {
  if (!stream) return failNoComm(groveInvalidArgument, "groveStreamCreate: stream is NULL");
  try {
    *stream = new groveStream();
    return groveSuccess;
  } catch (const std::exception& e) {
    return failNoComm(groveSystemError, std::string("groveStreamCreate: ") + e.what());
  }
}

groveResult_t groveStreamSynchronize(groveStream_t stream) {
  if (!stream) return failNoComm(groveInvalidArgument, "groveStreamSynchronize: stream is NULL");
  return stream->synchronize();
}

groveResult_t groveStreamQuery(groveStream_t stream) {
  if (!stream) return failNoComm(groveInvalidArgument, "groveStreamQuery: stream is NULL");
  return stream->query();
}

groveResult_t groveStreamDestroy(groveStream_t stream) {
  if (!stream) return failNoComm(groveInvalidArgument, "groveStreamDestroy: stream is NULL");
  groveResult_t r = stream->synchronize();
  delete stream;
  return r;
}

groveResult_t groveMemAlloc(void** ptr, size_t size) {
  if (!ptr) return failNoComm(groveInvalidArgument, "groveMemAlloc: ptr is NULL");
  *ptr = nullptr;
  if (size == 0) return failNoComm(groveInvalidArgument, "groveMemAlloc: size is 0");
  try {
    *ptr = grove::sharedAlloc(size);
    return groveSuccess;
  } catch (const grove::Error& e) {
    return failNoComm(e.code(), e.what());
  }
}

groveResult_t groveMemFree(void* ptr) {
  if (!ptr) return groveSuccess;
  if (!grove::sharedFree(ptr))
    return failNoComm(groveInvalidArgument, "groveMemFree: pointer was not returned by groveMemAlloc");
  return groveSuccess;
}

groveResult_t groveCommRegister(const groveComm_t comm, void* buff, size_t size, void** handle) {
  if (!comm) return failNoComm(groveInvalidArgument, "groveCommRegister: comm is NULL");
  if (!handle || (!buff && size > 0))
    return comm->state->fail(groveInvalidArgument, "groveCommRegister: NULL buffer or handle");
  // Registration is a promise that the buffer stays valid; shared-memory buffers are recognized on
  // every call, so the handle only records the range (see docs/c-api.md).
  auto* registered = new grove::RegisteredMemory(comm->state->engine->comm().registerMemory(buff, size));
  std::lock_guard<std::mutex> lock(comm->state->handlesMutex);
  comm->state->handles.insert(registered);
  *handle = registered;
  return groveSuccess;
}

groveResult_t groveCommDeregister(const groveComm_t comm, void* handle) {
  if (!comm) return failNoComm(groveInvalidArgument, "groveCommDeregister: comm is NULL");
  if (!handle) return comm->state->fail(groveInvalidArgument, "groveCommDeregister: handle is NULL");
  {
    std::lock_guard<std::mutex> lock(comm->state->handlesMutex);
    if (comm->state->handles.erase(handle) == 0)
      return comm->state->fail(groveInvalidArgument,
                               "groveCommDeregister: handle was not returned by groveCommRegister on this "
                               "communicator, or was already deregistered");
  }
  delete static_cast<grove::RegisteredMemory*>(handle);
  return groveSuccess;
}

}  // extern "C"
