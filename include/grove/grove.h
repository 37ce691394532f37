/// @file grove.h
/// The grove C API: NCCL-shaped collectives over host memory.
///
/// Every function returns a groveResult_t; nothing in the library aborts or exits the calling process.
/// groveGetErrorString() names a result, groveGetLastError() explains the most recent failure.
/// See docs/c-api.md for the semantics of each call and docs/environment.md for GROVE_* variables.
#ifndef GROVE_GROVE_H_
#define GROVE_GROVE_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GROVE_MAJOR 0
#define GROVE_MINOR 1
#define GROVE_PATCH 0
/// GROVE_VERSION_CODE as returned by groveGetVersion(): major*10000 + minor*100 + patch.
#define GROVE_VERSION_CODE (GROVE_MAJOR * 10000 + GROVE_MINOR * 100 + GROVE_PATCH)

/// Result of every call.
typedef enum {
  groveSuccess = 0,          ///< The call completed.
  groveInvalidArgument = 1,  ///< A bad argument was caught locally; the communicator is unchanged and usable.
  groveInvalidUsage = 2,     ///< Ranks disagree (count, type, op, root, collective); nothing was written.
  groveSystemError = 3,      ///< An operating-system call failed (see groveGetLastError).
  groveInternalError = 4,    ///< A bug in grove; please report it with the message.
  groveRemoteError = 5,      ///< A peer died or failed; the communicator must be destroyed or aborted.
  groveTimeout = 6,          ///< A wait exceeded GROVE_TIMEOUT_MS; the communicator must be destroyed.
  groveInProgress = 7,       ///< groveStreamQuery: work queued on the stream is not finished yet.
  groveNumResults = 8
} groveResult_t;

/// Element types. Low-precision types (float16, bfloat16, float8) reduce in float32 and round once.
typedef enum {
  groveInt8 = 0,
  groveChar = 0,
  groveUint8 = 1,
  groveInt32 = 2,
  groveInt = 2,
  groveUint32 = 3,
  groveInt64 = 4,
  groveUint64 = 5,
  groveFloat16 = 6,
  groveHalf = 6,
  groveBfloat16 = 7,
  groveFloat32 = 8,
  groveFloat = 8,
  groveFloat64 = 9,
  groveDouble = 9,
  groveFloat8e4m3 = 10,
  groveFloat8e5m2 = 11,
  groveNumTypes = 12
} groveDataType_t;

/// Reduction operations. groveAvg divides the sum by the number of ranks (integers truncate).
typedef enum {
  groveSum = 0,
  groveProd = 1,
  groveMax = 2,
  groveMin = 3,
  groveAvg = 4,
  groveNumOps = 5
} groveRedOp_t;

/// Opaque communicator handle.
typedef struct groveComm* groveComm_t;
/// Opaque stream handle: a queue of operations run in order by a progress thread.
typedef struct groveStream* groveStream_t;

#define GROVE_UNIQUE_ID_BYTES 128
/// Produced once by groveGetUniqueId() and handed to every rank (out of band, e.g. MPI_Bcast).
/// It holds the root's address and a random secret; ranks that do not present the secret are refused.
typedef struct {
  char internal[GROVE_UNIQUE_ID_BYTES];
} groveUniqueId;

/// Writes GROVE_VERSION_CODE to *version.
groveResult_t groveGetVersion(int* version);
/// A static string naming the result, e.g. "invalid argument".
const char* groveGetErrorString(groveResult_t result);
/// The message of the most recent failure on comm (or on this thread when comm is NULL). Never NULL.
const char* groveGetLastError(groveComm_t comm);

/// Creates the bootstrap root on this process and describes it in *uniqueId. Call on one rank only.
groveResult_t groveGetUniqueId(groveUniqueId* uniqueId);
/// Joins a communicator of nranks ranks as rank `rank`. Collective over all ranks; bounded by
/// GROVE_TIMEOUT_MS.
groveResult_t groveCommInitRank(groveComm_t* comm, int nranks, groveUniqueId commId, int rank);
/// Waits for outstanding stream work, releases every resource. Not collective beyond a bounded goodbye.
groveResult_t groveCommDestroy(groveComm_t comm);
/// Releases every resource without waiting for peers; outstanding work is abandoned. A call waiting in
/// another thread on this communicator returns groveRemoteError promptly.
groveResult_t groveCommAbort(groveComm_t comm);
/// Number of ranks.
groveResult_t groveCommCount(const groveComm_t comm, int* count);
/// This process's rank.
groveResult_t groveCommUserRank(const groveComm_t comm, int* rank);
/// groveSuccess while the communicator is healthy; the first fatal error otherwise.
groveResult_t groveCommGetAsyncError(groveComm_t comm, groveResult_t* asyncError);

/// Reduces count elements across ranks; every rank receives the result. sendbuff may equal recvbuff.
groveResult_t groveAllReduce(const void* sendbuff, void* recvbuff, size_t count, groveDataType_t datatype,
                             groveRedOp_t op, groveComm_t comm, groveStream_t stream);
/// Gathers sendcount elements from every rank into recvbuff (nranks*sendcount), in rank order.
/// In place when sendbuff == recvbuff + rank*sendcount*size.
groveResult_t groveAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, groveDataType_t datatype,
                             groveComm_t comm, groveStream_t stream);
/// Reduces nranks*recvcount elements; rank i receives block i (recvcount elements).
/// In place when recvbuff == sendbuff + rank*recvcount*size.
groveResult_t groveReduceScatter(const void* sendbuff, void* recvbuff, size_t recvcount,
                                 groveDataType_t datatype, groveRedOp_t op, groveComm_t comm,
                                 groveStream_t stream);
/// Copies count elements from root's sendbuff to every rank's recvbuff.
groveResult_t groveBroadcast(const void* sendbuff, void* recvbuff, size_t count, groveDataType_t datatype,
                             int root, groveComm_t comm, groveStream_t stream);
/// Reduces count elements onto root's recvbuff (recvbuff is ignored on other ranks).
groveResult_t groveReduce(const void* sendbuff, void* recvbuff, size_t count, groveDataType_t datatype,
                          groveRedOp_t op, int root, groveComm_t comm, groveStream_t stream);
/// Sends block j (count elements) of sendbuff to rank j, which stores it as block i of its recvbuff.
groveResult_t groveAllToAll(const void* sendbuff, void* recvbuff, size_t count, groveDataType_t datatype,
                            groveComm_t comm, groveStream_t stream);
/// All-to-all with per-peer counts and displacements (in elements).
groveResult_t groveAllToAllv(const void* sendbuff, const size_t sendcounts[], const size_t sdispls[],
                             void* recvbuff, const size_t recvcounts[], const size_t rdispls[],
                             groveDataType_t datatype, groveComm_t comm, groveStream_t stream);
/// Sends count elements to peer. Blocks (NULL stream) until the peer has received them, unless grouped.
groveResult_t groveSend(const void* sendbuff, size_t count, groveDataType_t datatype, int peer,
                        groveComm_t comm, groveStream_t stream);
/// Receives count elements from peer.
groveResult_t groveRecv(void* recvbuff, size_t count, groveDataType_t datatype, int peer, groveComm_t comm,
                        groveStream_t stream);
/// Starts a group: sends and receives issued until groveGroupEnd() complete together, in any order.
groveResult_t groveGroupStart(void);
/// Ends a group and runs it (on the calling thread for a NULL stream).
groveResult_t groveGroupEnd(void);

/// Creates a stream with its own progress thread.
groveResult_t groveStreamCreate(groveStream_t* stream);
/// Waits until every operation queued on stream has finished; returns the first error among them.
groveResult_t groveStreamSynchronize(groveStream_t stream);
/// groveSuccess if the stream is idle, groveInProgress if work is pending, or the first error (which
/// stays until groveStreamSynchronize reports it).
groveResult_t groveStreamQuery(groveStream_t stream);
/// Synchronizes and destroys the stream.
groveResult_t groveStreamDestroy(groveStream_t stream);

/// Allocates size bytes backed by shared memory that peers can map: collectives on such buffers skip
/// the copies through grove's staging memory (zero-copy).
groveResult_t groveMemAlloc(void** ptr, size_t size);
/// Frees memory from groveMemAlloc.
groveResult_t groveMemFree(void* ptr);
/// Registers [buff, buff+size) with comm. Buffers inside groveMemAlloc memory then use zero-copy paths;
/// other buffers are accepted and use the copying paths. *handle is passed to groveCommDeregister.
groveResult_t groveCommRegister(const groveComm_t comm, void* buff, size_t size, void** handle);
/// Releases a registration; groveInvalidArgument for a handle not from groveCommRegister on comm.
groveResult_t groveCommDeregister(const groveComm_t comm, void* handle);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // GROVE_GROVE_H_
