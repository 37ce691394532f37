// The optimum must equal a brute-force enumeration of all vertex cuts, and the known values of the shared
// topologies.
#include <gtest/gtest.h>

#include <random>

#include "schedules/dot_io.hpp"
#include "schedules/solver.hpp"
#include "solver_random_topologies.hpp"

namespace grove::sched {
namespace {

// The shared topologies are copied next to this file (tests/schedules/data/).
const std::string kData = testing::testDataDir();

// N * min over S of B+(S) / |S ∩ ranks|, enumerating every subset.
Fraction bruteForceOptimum(const Topology& t) {
  int n = t.nodeCount();
  int ranks = t.rankCount();
  bool found = false;
  Fraction best;
  for (std::uint32_t mask = 1; mask < (1u << n); ++mask) {
    int inside = 0;
    for (int v = 0; v < n; ++v) inside += t.isCompute(v) && (mask >> v & 1);
    if (inside == 0 || inside == ranks) continue;
    Fraction out(0);
    for (const Link& l : t.links())
      if ((mask >> l.src & 1) && !(mask >> l.dst & 1))
        out = out + Fraction(l.bw.numerator(), l.bw.denominator());
    Fraction ratio = out / Fraction(inside);
    if (!found || ratio < best) best = ratio, found = true;
  }
  return best * Fraction(ranks);
}

TEST(SolverBound, MatchesBruteForceOnRandomSymmetricTopologies) {
  std::mt19937 rng(12345);
  int checked = 0;
  for (int i = 0; i < 250; ++i) {
    Topology t = testing::randomTopology(rng);
    if (t.rankCount() < 2) continue;
    Fraction brute = bruteForceOptimum(t);
    EXPECT_EQ(optimalAlgbw(t, Collective::kAllGather).toString(), brute.toString()) << "case " << i;
    ++checked;
  }
  EXPECT_GE(checked, 200);
}

TEST(SolverBound, MatchesBruteForceOnRandomDirectedTopologies) {
  std::mt19937 rng(777);
  for (int i = 0; i < 100; ++i) {
    Topology t = testing::randomTopology(rng, 10, false);
    Fraction brute = bruteForceOptimum(t);
    EXPECT_EQ(optimalAlgbw(t, Collective::kAllGather).toString(), brute.toString()) << "case " << i;
    // Reduce-scatter is the same bound on the reversed graph.
    EXPECT_EQ(optimalAlgbw(t, Collective::kReduceScatter).toString(),
              bruteForceOptimum(reversedTopology(t)).toString());
  }
}

TEST(SolverBound, SharedTopologies) {
  EXPECT_EQ(optimalAlgbw(readDotFile(kData + "dgx-a100-x1.dot"), Collective::kAllGather).toString(),
            "2400/7");
  EXPECT_EQ(optimalAlgbw(readDotFile(kData + "dgx-a100-x2.dot"), Collective::kAllGather).toString(),
            "1040/3");
  EXPECT_EQ(optimalAlgbw(readDotFile(kData + "dgx-a100-x4.dot"), Collective::kAllGather).toString(), "800/3");
  EXPECT_EQ(optimalAlgbw(readDotFile(kData + "dgx-a100-x1.dot"), Collective::kAllReduce).toString(),
            "1200/7");
}

TEST(SolverBound, RejectsSingleRankAndUnreachableRanks) {
  Topology one;
  one.addNode("g0", NodeKind::kCompute);
  one.finalizeRanks();
  EXPECT_THROW(optimalAlgbw(one, Collective::kAllGather), SolverError);
  Topology cut;
  int a = cut.addNode("g0", NodeKind::kCompute), b = cut.addNode("g1", NodeKind::kCompute);
  cut.finalizeRanks();
  cut.addLink(a, b, Rational(10));
  EXPECT_THROW(optimalAlgbw(cut, Collective::kAllGather), SolverError);
}

}  // namespace
}  // namespace grove::sched
