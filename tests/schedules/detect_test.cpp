// detectLocalTopology() on whatever machine runs the tests (a 2-core VM in CI).
#include <gtest/gtest.h>

#include <thread>

#include "schedules/detect.hpp"
#include "schedules/dot_io.hpp"
#include "schedules/validate.hpp"
#include "topology_test_util.hpp"

namespace grove::sched {
namespace {

TEST(Detect, ProducesAValidTopologyWithOneRankPerCore) {
  Topology t = detectLocalTopology();
  EXPECT_EQ(t.name, "local");
  EXPECT_GE(t.rankCount(), 1);
  unsigned hw = std::thread::hardware_concurrency();
  if (hw > 0) {
    EXPECT_LE(t.rankCount(), static_cast<int>(hw));  // cores <= hardware threads
  }
  EXPECT_NO_THROW(validateTopology(t));
  std::vector<int> ranks = t.computeNodes();
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    EXPECT_EQ(t.nodes()[ranks[r]].rank, static_cast<int>(r));
    EXPECT_EQ(t.nodes()[ranks[r]].name.rfind("core", 0) == 0 || t.nodes()[ranks[r]].name.rfind("pu", 0) == 0,
              true);
  }
  EXPECT_NE(t.findNode("numa0"), -1);
}

TEST(Detect, RoundTripsThroughDot) {
  Topology t = detectLocalTopology();
  EXPECT_EQ(testing::semantics(parseDot(writeDot(t))), testing::semantics(t));
}

TEST(Detect, WithoutNicsHasNoNicNodes) {
  DetectOptions opt;
  opt.includeNics = false;
  Topology t = detectLocalTopology(opt);
  for (const Node& n : t.nodes()) EXPECT_NE(n.name.rfind("nic_", 0), 0u) << n.name;
  EXPECT_NO_THROW(validateTopology(t));
}

TEST(Detect, CoresReachEachOtherAtTheDocumentedBandwidth) {
  Topology t = detectLocalTopology({.includeNics = false});
  DetectBandwidths bw = detectBandwidths();
  for (const Link& l : t.links())
    if (t.isCompute(l.src)) {
      EXPECT_EQ(l.bw, bw.core) << t.nodes()[l.src].name;
    }
}

}  // namespace
}  // namespace grove::sched
