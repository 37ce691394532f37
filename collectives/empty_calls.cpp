// Calls with nothing to move (count 0). Open MPI returns from them at once; a grove rank keeps them as
// a run instead of posting each: the run (how many calls, a hash of their descriptors, the first of
// them) is posted as one eager entry of the call ring when the rank next posts a call, or when the run
// reaches Engine::kEmptyRunMax calls. Ranks that made the same calls post the same runs in the same
// ring entries, so the checks of eager calls compare them like any call: ranks that disagree about a
// call with count 0 are told so, at the latest by their next call that posts (docs/algorithms.md, "Calls
// with nothing to move"). Posting each call took 0.7 µs at 8 ranks on the 2-core development VM, where
// MPI's takes 0.01.
#include "collectives/engine.hpp"

namespace grove::coll {

void Engine::postEmptyRun() {
  // The entry: coll kEmptyRun, count = calls in the run, type/op/root of the first call, and in aux the
  // first call's collective (top byte) above the run's hash, so that comparing entries compares both.
  CallDesc run;
  run.coll = CollKind::kEmptyRun;
  run.type = emptyFirst_.type;
  run.op = emptyFirst_.op;
  run.root = emptyFirst_.root;
  run.count = emptyRun_;
  run.aux = static_cast<std::uint64_t>(emptyFirst_.coll) << 56 | emptyHash_ >> 8;
  emptyRun_ = 0;
  emptyHash_ = 0;
  emptyLast_ = kNoCall;
  post(beginCall(true), run, nullptr, 0, PostMode::kSender);
}

CallDesc firstOfRun(const CallDesc& run) {
  CallDesc d;
  d.coll = static_cast<CollKind>(run.aux >> 56);
  d.type = run.type;
  d.op = run.op;
  d.root = run.root;
  return d;
}

}  // namespace grove::coll
