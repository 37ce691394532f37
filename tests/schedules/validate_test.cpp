// validateTopology(): each refusal explains itself.
#include <gtest/gtest.h>

#include "schedules/dot_io.hpp"
#include "schedules/validate.hpp"
#include "topology_test_util.hpp"

namespace grove::sched {
namespace {

std::string errorOf(const std::string& dot) {
  Topology t = parseDot(dot);
  return testing::expectTopologyError([&] { validateTopology(t); }).what();
}

TEST(Validate, AcceptsTheSharedExamples) {
  for (int boxes : {1, 2, 4})
    EXPECT_NO_THROW(validateTopology(
        readDotFile((testing::dataDir() / ("dgx-a100-x" + std::to_string(boxes) + ".dot")).string())));
}

TEST(Validate, NeedsARank) {
  EXPECT_NE(errorOf("digraph { s [kind=switch] }").find("no compute node"), std::string::npos);
  EXPECT_NE(errorOf("digraph { }").find("no compute node"), std::string::npos);
}

TEST(Validate, SingleRankIsFine) {
  EXPECT_NO_THROW(validateTopology(parseDot("digraph { a [kind=compute] }")));
}

TEST(Validate, NamesAnUnreachablePair) {
  std::string e = errorOf(
      "digraph { a [kind=compute]; b [kind=compute]; c [kind=compute];"
      " a -> b [bw=1]; b -> a [bw=1]; c -> a [bw=1] }");
  EXPECT_NE(e.find("rank 0 ('a') cannot reach rank 2 ('c')"), std::string::npos) << e;
  e = errorOf("digraph { a [kind=compute]; b [kind=compute]; a -> b [bw=1] }");
  EXPECT_NE(e.find("rank 1 ('b') cannot reach rank 0 ('a')"), std::string::npos) << e;
  e = errorOf("digraph { a [kind=compute]; b [kind=compute] }");
  EXPECT_NE(e.find("cannot reach"), std::string::npos) << e;
}

TEST(Validate, ReachabilityThroughSwitchesCounts) {
  EXPECT_NO_THROW(
      validateTopology(parseDot("graph { a [kind=compute]; b [kind=compute]; s [kind=switch]; t "
                                "[kind=switch]; a -- s -- t -- b [bw=4] }")));
}

TEST(Validate, NonEulerianSwitchNamesBothSums) {
  std::string e = errorOf(R"(digraph {
    a [kind=compute]; b [kind=compute]; s [kind=switch];
    a -> s [bw=10]; s -> a [bw=10]; b -> s [bw=12.5]; s -> b [bw=10] })");
  EXPECT_NE(e.find("switch 's' receives 22.5 GB/s in total but sends 20 GB/s"), std::string::npos) << e;
  EXPECT_NE(e.find("edge splitting"), std::string::npos) << e;
  EXPECT_NE(e.find("Eulerian"), std::string::npos) << e;
}

TEST(Validate, ComputeNodesNeedNotBeEulerian) {
  EXPECT_NO_THROW(validateTopology(
      parseDot("digraph { a [kind=compute]; b [kind=compute]; a -> b [bw=1]; b -> a [bw=2] }")));
}

TEST(Validate, RanksWithGapsAreRefused) {
  Topology t;
  t.addNode("a", NodeKind::kCompute, 0);
  t.addNode("b", NodeKind::kCompute, 2);  // finalizeRanks() not called
  std::string e = testing::expectTopologyError([&] { validateTopology(t); }).what();
  EXPECT_NE(e.find("without gaps"), std::string::npos) << e;
}

TEST(Validate, OverflowingSumsAreAnErrorNotUndefinedBehaviour) {
  // Denominators that are coprime and large make exact sums exceed 64 bits.
  std::string dot = "digraph { a [kind=compute]; s [kind=switch];\n";
  const char* fractions[] = {"1/999999937", "1/999999929", "1/999999893", "1/999999883"};
  for (const char* f : fractions)
    dot += std::string(" a -> s [bw=\"") + f + "\"]; s -> a [bw=\"" + f + "\"];\n";
  dot += "}";
  std::string e = errorOf(dot);
  EXPECT_NE(e.find("overflow"), std::string::npos) << e;
}

}  // namespace
}  // namespace grove::sched
