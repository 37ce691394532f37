// parseDot on valid input: every supported DOT feature and the exact bandwidths.
#include <gtest/gtest.h>

#include "schedules/dot_io.hpp"
#include "topology_test_util.hpp"

namespace grove::sched {
namespace {

using testing::semantics;

TEST(DotIoParse, DesignExample) {
  Topology t = parseDot(R"(digraph two_boxes {
  b0_gpu0 [kind=compute];        // a rank; ranks are numbered in order of declaration, or rank=N
  b0_nvs  [kind=switch];         // forwards data, never keeps or reduces it
  b0_gpu0 -> b0_nvs [bw=300];    // GB/s in this direction
  b0_nvs -> b0_gpu0 [bw=300];
})");
  EXPECT_EQ(t.name, "two_boxes");
  ASSERT_EQ(t.nodeCount(), 2);
  EXPECT_EQ(t.nodes()[0].kind, NodeKind::kCompute);
  EXPECT_EQ(t.nodes()[0].rank, 0);
  EXPECT_EQ(t.nodes()[1].kind, NodeKind::kSwitch);
  ASSERT_EQ(t.links().size(), 2u);
  EXPECT_EQ(t.links()[0].bw, Rational(300));
}

TEST(DotIoParse, UndirectedGraphMeansBothDirections) {
  Topology t = parseDot("graph g { a [kind=compute]; b [kind=compute]; a -- b [bw=12.5]; }");
  ASSERT_EQ(t.links().size(), 2u);
  EXPECT_EQ(t.links()[0].src, 0);
  EXPECT_EQ(t.links()[1].src, 1);
  EXPECT_EQ(t.links()[1].bw, Rational(25, 2));
}

TEST(DotIoParse, DecimalsAreExact) {
  Topology t = parseDot(R"(digraph { a [kind=compute]; b [kind=compute];
    a -> b [bw=0.1]; a -> b [bw=.2]; b -> a [bw="400/3"]; b -> a [bw=7.]; a -> b [bw=1.000000001] })");
  EXPECT_EQ(t.links()[0].bw, Rational(1, 10));
  EXPECT_EQ(t.links()[1].bw, Rational(1, 5));
  EXPECT_EQ(t.links()[2].bw, Rational(400, 3));
  EXPECT_EQ(t.links()[3].bw, Rational(7));
  EXPECT_EQ(t.links()[4].bw, Rational(1000000001, 1000000000));
  // 0.1 + 0.2 is exactly 0.3 here, unlike in floating point.
  EXPECT_EQ(semantics(t).bandwidth.at({"a", "b"}), Rational(3, 10) + Rational(1000000001, 1000000000));
}

TEST(DotIoParse, ParallelEdgesAddUp) {
  Topology t =
      parseDot("digraph { a [kind=compute]; b [kind=compute]; a -> b [bw=1]; a -> b [bw=2]; b -> a [bw=3] }");
  EXPECT_EQ(t.links().size(), 3u);
  EXPECT_EQ(semantics(t).bandwidth.at({"a", "b"}), Rational(3));
}

TEST(DotIoParse, CommentsQuotesAndSeparateAttributeLines) {
  Topology t = parseDot(R"(# a preprocessor-style comment line
/* a block
   comment */ digraph "my graph" {
  "gpu 0" [kind=compute]   // trailing comment
  "gpu" + " 1"
    [kind = compute,
     label="GPU \"one\""]
  "sw\"x" [kind=switch];
  "gpu 0" -> "sw\"x"
     [bw=5]
     [color=red];
  "sw\"x" -> "gpu 1" [bw=5]; "gpu 1" -> "sw\"x" [bw=5]; "sw\"x" -> "gpu 0" [bw=5]
})");
  EXPECT_EQ(t.name, "my graph");
  EXPECT_NE(t.findNode("gpu 1"), -1);
  EXPECT_NE(t.findNode("sw\"x"), -1);
  EXPECT_EQ(t.links().size(), 4u);
}

TEST(DotIoParse, DefaultNodeAndEdgeAttributesWithSubgraphScopes) {
  Topology t = parseDot(R"(digraph {
  node [kind=compute]
  edge [bw=10]
  a; b;
  subgraph cluster_net {
    node [kind=switch]; edge [bw=2.5]
    s
    a -> s; s -> a
  }
  c
  b -> s -> b; c -> s [bw=3]; s -> c [bw=3]
})");
  EXPECT_TRUE(t.isCompute(t.findNode("a")));
  EXPECT_FALSE(t.isCompute(t.findNode("s")));
  EXPECT_TRUE(t.isCompute(t.findNode("c")));  // after the subgraph the outer default is back
  auto bw = semantics(t).bandwidth;
  EXPECT_EQ(bw.at({"a", "s"}), Rational(5, 2));
  EXPECT_EQ(bw.at({"b", "s"}), Rational(10));
  EXPECT_EQ(bw.at({"s", "b"}), Rational(10));
  EXPECT_EQ(bw.at({"c", "s"}), Rational(3));
}

TEST(DotIoParse, NodesMayBeUsedBeforeTheirDeclaration) {
  Topology t = parseDot("digraph { a -> s [bw=1]; s -> a [bw=1]; a [kind=compute]; s [kind=switch] }");
  EXPECT_EQ(t.rankCount(), 1);
  EXPECT_EQ(t.links().size(), 2u);
}

TEST(DotIoParse, ExplicitRanksAndDeclarationOrder) {
  Topology t = parseDot(R"(digraph { x [kind=compute]; y [kind=compute, rank=0]; z [kind=compute];
    s [kind=switch] })");
  EXPECT_EQ(t.nodes()[t.findNode("y")].rank, 0);
  EXPECT_EQ(t.nodes()[t.findNode("x")].rank, 1);  // the free numbers go in declaration order
  EXPECT_EQ(t.nodes()[t.findNode("z")].rank, 2);
  std::vector<int> order = t.computeNodes();
  EXPECT_EQ(t.nodes()[order[0]].name, "y");
}

TEST(DotIoParse, IgnoredDrawingSyntax) {
  // Graph attributes, ports, HTML labels, unknown attributes and keyword case are all accepted.
  Topology t = parseDot(R"(DiGraph g { rankdir=LR; graph [splines=true]
    a [kind=compute, shape=box, label=<<b>GPU</b>>]; b [kind=compute];
    a:p1 -> b:p2:n [bw=1, color="blue"]; b -> a [bw=1] })");
  EXPECT_EQ(t.links().size(), 2u);
}

TEST(DotIoParse, SharedExamplesParse) {
  for (int boxes : {1, 2, 4}) {
    Topology t = readDotFile((testing::dataDir() / ("dgx-a100-x" + std::to_string(boxes) + ".dot")).string());
    EXPECT_EQ(t.rankCount(), 8 * boxes);
    EXPECT_EQ(t.nodes()[t.computeNodes()[7]].name, "b0_gpu7") << boxes;
  }
}

}  // namespace
}  // namespace grove::sched
