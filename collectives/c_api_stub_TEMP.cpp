// Temporary link shim while the implementation lands; every call reports groveInternalError.
#include "grove/grove.h"
extern "C" {
static groveResult_t notYet() { return groveInternalError; }
groveResult_t groveGetVersion(int* v) { if (!v) return groveInvalidArgument; *v = GROVE_VERSION_CODE; return groveSuccess; }
const char* groveGetErrorString(groveResult_t) { return "not yet implemented"; }
const char* groveGetLastError(groveComm_t) { return "not yet implemented"; }
groveResult_t groveGetUniqueId(groveUniqueId*) { return notYet(); }
groveResult_t groveCommInitRank(groveComm_t*, int, groveUniqueId, int) { return notYet(); }
groveResult_t groveCommDestroy(groveComm_t) { return notYet(); }
groveResult_t groveCommAbort(groveComm_t) { return notYet(); }
groveResult_t groveCommCount(const groveComm_t, int*) { return notYet(); }
groveResult_t groveCommUserRank(const groveComm_t, int*) { return notYet(); }
groveResult_t groveCommGetAsyncError(groveComm_t, groveResult_t*) { return notYet(); }
groveResult_t groveAllReduce(const void*, void*, size_t, groveDataType_t, groveRedOp_t, groveComm_t, groveStream_t) { return notYet(); }
groveResult_t groveAllGather(const void*, void*, size_t, groveDataType_t, groveComm_t, groveStream_t) { return notYet(); }
groveResult_t groveReduceScatter(const void*, void*, size_t, groveDataType_t, groveRedOp_t, groveComm_t, groveStream_t) { return notYet(); }
groveResult_t groveBroadcast(const void*, void*, size_t, groveDataType_t, int, groveComm_t, groveStream_t) { return notYet(); }
groveResult_t groveReduce(const void*, void*, size_t, groveDataType_t, groveRedOp_t, int, groveComm_t, groveStream_t) { return notYet(); }
groveResult_t groveAllToAll(const void*, void*, size_t, groveDataType_t, groveComm_t, groveStream_t) { return notYet(); }
groveResult_t groveAllToAllv(const void*, const size_t[], const size_t[], void*, const size_t[], const size_t[], groveDataType_t, groveComm_t, groveStream_t) { return notYet(); }
groveResult_t groveSend(const void*, size_t, groveDataType_t, int, groveComm_t, groveStream_t) { return notYet(); }
groveResult_t groveRecv(void*, size_t, groveDataType_t, int, groveComm_t, groveStream_t) { return notYet(); }
groveResult_t groveGroupStart(void) { return notYet(); }
groveResult_t groveGroupEnd(void) { return notYet(); }
groveResult_t groveStreamCreate(groveStream_t*) { return notYet(); }
groveResult_t groveStreamSynchronize(groveStream_t) { return notYet(); }
groveResult_t groveStreamQuery(groveStream_t) { return notYet(); }
groveResult_t groveStreamDestroy(groveStream_t) { return notYet(); }
groveResult_t groveMemAlloc(void**, size_t) { return notYet(); }
groveResult_t groveMemFree(void*) { return notYet(); }
groveResult_t groveCommRegister(const groveComm_t, void*, size_t, void**) { return notYet(); }
groveResult_t groveCommDeregister(const groveComm_t, void*) { return notYet(); }
}
