// generateTopology(): the shared DGX A100 files, the MI250 xGMI matrix, fat-tree bandwidths, every kind
// valid, bad options rejected.
#include <gtest/gtest.h>

#include "schedules/dot_io.hpp"
#include "schedules/generators.hpp"
#include "schedules/validate.hpp"
#include "topology_test_util.hpp"

namespace grove::sched {
namespace {

using testing::semantics;

Rational inBandwidth(const Topology& t, const std::string& name) {
  Rational sum{0};
  for (const Link& l : t.links())
    if (l.dst == t.findNode(name)) sum += l.bw;
  return sum;
}
Rational outBandwidth(const Topology& t, const std::string& name) {
  Rational sum{0};
  for (const Link& l : t.links())
    if (l.src == t.findNode(name)) sum += l.bw;
  return sum;
}

TEST(Generators, DgxA100MatchesTheSharedFiles) {
  for (int boxes : {1, 2, 4}) {
    GeneratorOptions opt;
    opt.boxes = boxes;
    Topology generated = generateTopology("dgx-a100", opt);
    Topology shared =
        readDotFile((testing::dataDir() / ("dgx-a100-x" + std::to_string(boxes) + ".dot")).string());
    EXPECT_EQ(semantics(generated), semantics(shared)) << boxes;  // names, kinds, ranks, bandwidths
    EXPECT_EQ(generated.name, shared.name);
  }
}

TEST(Generators, DgxA100NicsAlternateBetweenTwoIbSwitches) {
  GeneratorOptions opt;
  opt.boxes = 2;
  auto bw = semantics(generateTopology("dgx-a100", opt)).bandwidth;
  EXPECT_EQ(bw.at({"b1_nic4", "ib0"}), Rational(25));
  EXPECT_EQ(bw.at({"ib1", "b0_nic3"}), Rational(25));
  EXPECT_EQ(bw.count({"b0_nic3", "ib0"}), 0u);
  EXPECT_EQ(bw.at({"b1_gpu7", "b1_nvs"}), Rational(300));
}

TEST(Generators, DgxH100IsRailOptimised) {
  GeneratorOptions opt;
  opt.boxes = 3;
  Topology t = generateTopology("dgx-h100", opt);
  EXPECT_EQ(t.rankCount(), 24);
  auto bw = semantics(t).bandwidth;
  for (int b = 0; b < 3; ++b)
    for (int i = 0; i < 8; ++i) {
      std::string nic = "b" + std::to_string(b) + "_nic" + std::to_string(i);
      EXPECT_EQ(bw.at({nic, "leaf" + std::to_string(i)}), Rational(50));
      EXPECT_EQ(
          bw.at({"b" + std::to_string(b) + "_gpu" + std::to_string(i), "b" + std::to_string(b) + "_nvs"}),
          Rational(450));
    }
  opt.boxes = 1;
  Topology one = generateTopology("dgx-h100", opt);
  EXPECT_EQ(one.nodeCount(), 9);  // no NICs in a single box
}

TEST(Generators, Mi250MatrixIsSymmetricWithSevenLinksPerGcd) {
  const auto& m = mi250XgmiLinks();
  int total = 0;
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(m[i][i], 0);
    int row = 0;
    for (int j = 0; j < 16; ++j) {
      EXPECT_EQ(m[i][j], m[j][i]) << i << "," << j;
      row += m[i][j];
    }
    EXPECT_EQ(row, 7) << "GCD " << i;
    total += row;
  }
  EXPECT_EQ(total / 2, 56);  // distinct xGMI links in one box
  EXPECT_EQ(m[0][1], 4);
  EXPECT_EQ(m[0][4], 2);
  EXPECT_EQ(m[15][11], 2);
}

TEST(Generators, Mi250LinksFollowTheMatrix) {
  GeneratorOptions opt;
  opt.boxes = 2;
  Topology t = generateTopology("mi250", opt);
  EXPECT_EQ(t.rankCount(), 32);
  auto bw = semantics(t).bandwidth;
  EXPECT_EQ(bw.at({"b1_gcd0", "b1_gcd1"}), Rational(200));
  EXPECT_EQ(bw.at({"b0_gcd3", "b0_gcd7"}), Rational(100));
  EXPECT_EQ(bw.count({"b0_gcd0", "b0_gcd2"}), 0u);
  EXPECT_EQ(bw.at({"b0_gcd5", "ib"}), Rational(16));
  // The IB switch is Eulerian: it forwards exactly what it receives.
  EXPECT_EQ(inBandwidth(t, "ib"), outBandwidth(t, "ib"));
  EXPECT_EQ(inBandwidth(t, "ib"), Rational(16 * 32));
  opt.boxes = 1;
  EXPECT_EQ(generateTopology("mi250", opt).nodeCount(), 16);  // no switch at all
}

TEST(Generators, FatTreeOversubscription) {
  GeneratorOptions opt;
  opt.leaves = 3;
  opt.hostsPerLeaf = 4;
  opt.spines = 2;
  opt.bw = Rational(100);
  opt.oversubscription = Rational(3);
  Topology t = generateTopology("fat-tree", opt);
  EXPECT_EQ(t.rankCount(), 12);
  auto bw = semantics(t).bandwidth;
  // Each leaf: 4 x 100 towards hosts, (4 x 100) / 3 towards the spines, split over 2 links.
  EXPECT_EQ(bw.at({"leaf1", "spine0"}), Rational(200, 3));
  EXPECT_EQ(bw.at({"host5", "leaf1"}), Rational(100));
  EXPECT_EQ(outBandwidth(t, "leaf0") - Rational(400), Rational(400, 3));
  opt.oversubscription = Rational(1);
  EXPECT_EQ(semantics(generateTopology("fat-tree", opt)).bandwidth.at({"spine1", "leaf2"}), Rational(200));
}

TEST(Generators, RingAndTorusLinkCounts) {
  GeneratorOptions opt;
  for (int size : {1, 2, 3, 8}) {
    opt.size = size;
    Topology t = generateTopology("ring", opt);
    EXPECT_EQ(t.rankCount(), size);
    EXPECT_EQ(t.links().size(), size == 1 ? 0u : size == 2 ? 2u : 2u * size) << size;
  }
  opt.rows = 3;
  opt.cols = 5;
  opt.bw = Rational(25, 2);
  Topology torus = generateTopology("torus2d", opt);
  EXPECT_EQ(torus.rankCount(), 15);
  EXPECT_EQ(torus.links().size(), 4u * 15);  // every node has 4 neighbours, each link both ways
  EXPECT_EQ(semantics(torus).bandwidth.at({"t2_4", "t0_4"}), Rational(25, 2));  // wraparound
}

TEST(Generators, EveryKindIsValid) {
  for (const std::string& kind : generatorKinds()) {
    for (int boxes : {1, 2, 3}) {
      GeneratorOptions opt;
      opt.boxes = boxes;
      opt.leaves = boxes;
      opt.rows = boxes;
      opt.size = boxes + 1;
      Topology t = generateTopology(kind, opt);
      EXPECT_NO_THROW(validateTopology(t)) << kind << " " << boxes;
    }
  }
}

TEST(Generators, BadOptionsAreNamed) {
  GeneratorOptions opt;
  auto fails = [](const std::string& kind, const GeneratorOptions& o, const std::string& says) {
    TopologyError e = testing::expectTopologyError([&] { generateTopology(kind, o); });
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  };
  fails("dgx-b200", opt, "known kinds: dgx-a100");
  GeneratorOptions o = opt;
  o.boxes = 0;
  fails("dgx-a100", o, "--boxes");
  o = opt;
  o.oversubscription = Rational(0);
  fails("fat-tree", o, "--oversubscription");
  o = opt;
  o.bw = Rational(-1);
  fails("ring", o, "--bw");
  o = opt;
  o.spines = 0;
  fails("fat-tree", o, "--spines");
  o.leaves = 1;
  EXPECT_NO_THROW(generateTopology("fat-tree", o));  // one leaf needs no spine
}

}  // namespace
}  // namespace grove::sched
