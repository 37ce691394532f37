// generateTopology(): option checks and dispatch to one builder per kind.
#include "schedules/generators.hpp"

#include <functional>
#include <utility>

#include "schedules/dot_io.hpp"
#include "schedules/generators_internal.hpp"

namespace grove::sched {
namespace {

using Builder = std::function<Topology(const GeneratorOptions&)>;

const std::vector<std::pair<std::string, Builder>>& builders() {
  static const std::vector<std::pair<std::string, Builder>> kBuilders = {
      {"dgx-a100", gen::dgxA100}, {"dgx-h100", gen::dgxH100}, {"mi250", gen::mi250},
      {"ring", gen::ring},        {"torus2d", gen::torus2d},  {"fat-tree", gen::fatTree},
  };
  return kBuilders;
}

// Limits keep generated graphs small enough to solve and far from integer overflow.
void checkRange(const char* flag, int value, int lo, int hi) {
  if (value < lo || value > hi)
    throw TopologyError(std::string("--") + flag + " must be between " + std::to_string(lo) + " and " +
                        std::to_string(hi) + ", not " + std::to_string(value));
}

}  // namespace

std::vector<std::string> generatorKinds() {
  std::vector<std::string> kinds;
  for (const auto& [name, builder] : builders()) kinds.push_back(name);
  return kinds;
}

Topology generateTopology(const std::string& kind, const GeneratorOptions& opt) {
  checkRange("boxes", opt.boxes, 1, 1024);
  checkRange("size", opt.size, 1, 65536);
  checkRange("rows", opt.rows, 1, 1024);
  checkRange("cols", opt.cols, 1, 1024);
  checkRange("leaves", opt.leaves, 1, 1024);
  checkRange("spines", opt.spines, opt.leaves == 1 ? 0 : 1, 1024);
  checkRange("hosts-per-leaf", opt.hostsPerLeaf, 1, 1024);
  if (opt.oversubscription <= 0)
    throw TopologyError("--oversubscription must be positive, not " + formatRational(opt.oversubscription));
  if (opt.bw < 0)
    throw TopologyError("--bw must be positive (or 0 for the default), not " + formatRational(opt.bw));
  for (const auto& [name, builder] : builders()) {
    if (name != kind) continue;
    Topology topo = builder(opt);
    topo.finalizeRanks();
    return topo;
  }
  std::string known;
  for (const std::string& k : generatorKinds()) known += (known.empty() ? "" : ", ") + k;
  throw TopologyError("unknown topology kind '" + kind + "'; known kinds: " + known);
}

}  // namespace grove::sched
