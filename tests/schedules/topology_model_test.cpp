// The Topology model itself: errors, rank numbering, the error message format.
#include <gtest/gtest.h>

#include "schedules/topology.hpp"
#include "topology_test_util.hpp"

namespace grove::sched {
namespace {

TEST(TopologyModel, ErrorMessageFormat) {
  EXPECT_STREQ(TopologyError("bad", 7).what(), "line 7: bad");
  EXPECT_STREQ(TopologyError("bad").what(), "bad");
  EXPECT_STREQ(TopologyError("bad", 7, "t.dot").what(), "t.dot:7: bad");
  EXPECT_STREQ(TopologyError("bad", 0, "t.dot").what(), "t.dot: bad");
  EXPECT_EQ(TopologyError("bad", 7, "t.dot").detail(), "bad");
  EXPECT_EQ(TopologyError("bad", 7, "t.dot").line(), 7);
}

TEST(TopologyModel, RejectsBadNodesAndLinks) {
  Topology t;
  int a = t.addNode("a", NodeKind::kCompute);
  int s = t.addNode("s", NodeKind::kSwitch);
  EXPECT_THROW(t.addNode("a", NodeKind::kSwitch), TopologyError);
  EXPECT_THROW(t.addNode("", NodeKind::kSwitch), TopologyError);
  EXPECT_THROW(t.addNode("s2", NodeKind::kSwitch, 3), TopologyError);
  EXPECT_THROW(t.addLink(a, a, Rational(1)), TopologyError);
  EXPECT_THROW(t.addLink(a, s, Rational(0)), TopologyError);
  EXPECT_THROW(t.addLink(a, s, Rational(-1, 2)), TopologyError);
  EXPECT_THROW(t.addLink(a, 9, Rational(1)), TopologyError);
  t.addBidirectional(a, s, Rational(5, 2));
  EXPECT_EQ(t.links().size(), 2u);
}

TEST(TopologyModel, FinalizeRanksFillsFreeNumbersInOrder) {
  Topology t;
  t.addNode("x", NodeKind::kCompute);
  t.addNode("y", NodeKind::kCompute, 0);
  t.addNode("s", NodeKind::kSwitch);
  t.addNode("z", NodeKind::kCompute);
  t.finalizeRanks();
  EXPECT_EQ(t.nodes()[0].rank, 1);
  EXPECT_EQ(t.nodes()[1].rank, 0);
  EXPECT_EQ(t.nodes()[3].rank, 2);
  EXPECT_EQ(t.rankCount(), 3);
  EXPECT_EQ(t.computeNodes(), (std::vector<int>{1, 0, 3}));
}

TEST(TopologyModel, FinalizeRanksRefusesDuplicatesAndGaps) {
  Topology dup;
  dup.addNode("a", NodeKind::kCompute, 1);
  dup.addNode("b", NodeKind::kCompute, 1);
  EXPECT_THROW(dup.finalizeRanks(), TopologyError);
  Topology gap;
  gap.addNode("a", NodeKind::kCompute, 5);
  EXPECT_THROW(gap.finalizeRanks(), TopologyError);
}

TEST(TopologyModel, RationalComparesWithoutTheCxx20Pitfall) {
  // See the note on Rational: only Rational-to-Rational equality is used in grove.
  EXPECT_TRUE(Rational(1, 10) + Rational(2, 10) == Rational(3, 10));
  EXPECT_TRUE(Rational(1, 3) > 0);
  EXPECT_TRUE(Rational(0).numerator() == 0);
}

}  // namespace
}  // namespace grove::sched
