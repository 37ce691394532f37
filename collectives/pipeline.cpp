#include "collectives/pipeline.hpp"

#include "grove/error.hpp"

namespace grove::coll {

PipelineRoles allToAllRoles(const Engine& e) {
  PipelineRoles r;
  for (int p = 0; p < e.nranks(); ++p)
    if (p != e.rank()) {
      r.producers.push_back(p);
      r.consumers.push_back(p);
    }
  return r;
}

PipelineRoles rootToAllRoles(const Engine& e, int root) {
  PipelineRoles r;
  r.iProduce = e.rank() == root;
  r.iConsume = !r.iProduce;
  if (r.iProduce) {
    for (int p = 0; p < e.nranks(); ++p)
      if (p != root) r.consumers.push_back(p);
  } else {
    r.producers.push_back(root);
  }
  return r;
}

void runStagedPipeline(Engine& e, std::uint64_t seq, std::size_t chunks, const PipelineRoles& roles,
                       const std::function<void(std::size_t, char*)>& produce,
                       const std::function<void(std::size_t, int)>& consume) {
  if (chunks >= (1u << 24)) throw Error(groveInvalidArgument, "message too large for the pipeline");
  const int K = e.layout().ringSlots;
  const int spin = e.spin();
  auto produceChunk = [&](std::size_t c) {
    if (c >= static_cast<std::size_t>(K))
      for (int p : roles.consumers) e.channel(p).wait(kSemConsumed, epoch(seq, c - K), e.deadline(), spin);
    const int slot = static_cast<int>(c % K);
    produce(c, e.base(e.rank()) + e.layout().stagingOffset(slot));
    for (int p : roles.consumers) e.channel(p).signal(kSemStaged, epoch(seq, c));
  };
  auto consumeChunk = [&](std::size_t c) {
    for (int p : roles.producers) e.channel(p).wait(kSemStaged, epoch(seq, c), e.deadline(), spin);
    consume(c, static_cast<int>(c % K));
    for (int p : roles.producers) e.channel(p).signal(kSemConsumed, epoch(seq, c));
  };
  for (std::size_t i = 0; i <= chunks; ++i) {
    if (roles.iProduce && i < chunks) produceChunk(i);
    if (roles.iConsume && i >= 1) consumeChunk(i - 1);
  }
}

}  // namespace grove::coll
