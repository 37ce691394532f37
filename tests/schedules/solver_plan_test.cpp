// Every plan the solver emits passes the independent checker, and its checked algbw equals the optimum
// (auto k) or the best fixed-k value; exports and baselines are well-formed.
#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "schedules/baselines.hpp"
#include "schedules/dot_io.hpp"
#include "schedules/msccl_xml.hpp"
#include "schedules/plan.hpp"
#include "schedules/plan_check.hpp"
#include "schedules/schedule_dot.hpp"
#include "schedules/solver.hpp"
#include "solver_random_topologies.hpp"

namespace grove::sched {
namespace {

const std::string kData = testing::testDataDir();

PlanCheckResult solveAndCheck(const Topology& t, Collective c, std::int64_t k, SolveResult* out = nullptr) {
  SolveOptions o;
  o.collective = c;
  o.treesPerRoot = k;
  SolveResult r = solveSchedule(t, o);
  PlanCheckResult check = checkPlan(writePlanJson(t, r.schedule), t);
  EXPECT_TRUE(check.ok) << (check.violations.empty() ? "" : check.violations[0]);
  EXPECT_EQ(check.algbw, r.scheduleAlgbw);
  if (out) *out = std::move(r);
  return check;
}

TEST(SolverPlan, SharedTopologiesReachTheirOptimum) {
  struct Case {
    const char* file;
    std::int64_t k;
    const char* algbw;
    std::int64_t expectK;
  } cases[] = {{"dgx-a100-x1.dot", 0, "2400/7", 1},
               {"dgx-a100-x1.dot", 1, "2400/7", 1},
               {"dgx-a100-x2.dot", 0, "1040/3", 13},
               {"dgx-a100-x2.dot", 1, "2400/7", 1},
               {"dgx-a100-x4.dot", 1, "800/3", 1}};
  for (const Case& c : cases) {
    Topology t = readDotFile(kData + c.file);
    SolveResult r;
    PlanCheckResult check = solveAndCheck(t, Collective::kAllGather, c.k, &r);
    EXPECT_EQ(check.algbw.toString(), c.algbw) << c.file << " k=" << c.k;
    EXPECT_EQ(r.schedule.treesPerRoot, c.expectK) << c.file;
  }
}

TEST(SolverPlan, ReduceScatterAndAllReduceOnSharedTopology) {
  Topology t = readDotFile(kData + "dgx-a100-x2.dot");
  EXPECT_EQ(solveAndCheck(t, Collective::kReduceScatter, 1).algbw.toString(), "2400/7");
  PlanCheckResult ar = solveAndCheck(t, Collective::kAllReduce, 0);
  EXPECT_EQ(ar.algbw.toString(), "520/3");  // half of the allgather optimum: RS then AG
}

// Random topologies with switches: auto k reaches the brute-checked optimum, fixed k is feasible and no
// better than auto, and every plan passes the checker.
TEST(SolverPlan, RandomTopologiesAutoAndFixedK) {
  std::mt19937 rng(2024);
  int solved = 0;
  for (int i = 0; i < 120; ++i) {
    Topology t = testing::randomTopology(rng, 9);
    if (t.rankCount() < 2) continue;
    Fraction opt = optimalAlgbw(t, Collective::kAllGather);
    SolverLimits limits;
    SolveResult r;
    try {
      PlanCheckResult autoCheck = solveAndCheck(t, Collective::kAllGather, 0, &r);
      EXPECT_EQ(autoCheck.algbw, opt) << "case " << i;
    } catch (const SolverError& e) {
      // Only the tree-count limit may stop auto k on random bandwidths.
      EXPECT_NE(std::string(e.what()).find("trees per root"), std::string::npos) << e.what();
    }
    for (std::int64_t k : {1, 2}) {
      SolveResult fixed;
      PlanCheckResult c = solveAndCheck(t, Collective::kAllGather, k, &fixed);
      EXPECT_LE(c.algbw, opt) << "case " << i << " k=" << k;
      EXPECT_EQ(fixed.schedule.treesPerRoot, k);
    }
    ++solved;
  }
  EXPECT_GE(solved, 100);
}

// Fixed k = 1 is optimal among one-tree-per-root schedules: at the solver's tree rate y every cut S fits
// (sum of floor(b_e / y) over links leaving S >= |S ∩ ranks|), and some cut fails for every larger y (its
// links exactly at a breakpoint b_e / y integer each lose a unit just above y). Checked on every subset.
TEST(SolverPlan, FixedKMatchesBruteForceCutCondition) {
  std::mt19937 rng(99);
  for (int i = 0; i < 60; ++i) {
    Topology t = testing::randomTopology(rng, 8);
    if (t.rankCount() < 2) continue;
    SolveOptions o;
    o.treesPerRoot = 1;
    SolveResult r = solveSchedule(t, o);
    // y = algbw / N. Every cut S must satisfy sum floor(b_e / y) >= |S ∩ ranks|, and y must be maximal:
    // some cut becomes infeasible for any y' > y, i.e. a cut is tight at a breakpoint.
    Fraction y = r.treeRateAlgbw / Fraction(t.rankCount());
    EXPECT_GE(r.scheduleAlgbw, r.treeRateAlgbw);
    int n = t.nodeCount();
    bool someTight = false;
    for (std::uint32_t mask = 1; mask < (1u << n); ++mask) {
      int inside = 0;
      for (int v = 0; v < n; ++v) inside += t.isCompute(v) && (mask >> v & 1);
      if (inside == 0 || inside == t.rankCount()) continue;
      std::map<std::pair<int, int>, Fraction> bw;
      for (const Link& l : t.links())
        if ((mask >> l.src & 1) && !(mask >> l.dst & 1))
          bw[{l.src, l.dst}] = bw[{l.src, l.dst}] + Fraction(l.bw.numerator(), l.bw.denominator());
      Fraction::Int units = 0, atBreakpoint = 0;
      for (auto& [key, b] : bw) {
        Fraction q = b / y;
        units += q.num() / q.den();
        atBreakpoint += q.den() == 1;
      }
      ASSERT_GE(units, inside) << "case " << i;
      someTight = someTight || units - atBreakpoint < inside;
    }
    EXPECT_TRUE(someTight) << "case " << i << ": a larger tree rate would fit";
  }
}

TEST(SolverPlan, CheckerRejectsBrokenPlans) {
  Topology t = readDotFile(kData + "dgx-a100-x1.dot");
  SolveOptions o;
  o.treesPerRoot = 1;
  std::string plan = writePlanJson(t, solveSchedule(t, o).schedule);
  EXPECT_TRUE(checkPlan(plan, t).ok);
  auto broken = [&](const std::string& from, const std::string& to) {
    std::string p = plan;
    auto at = p.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    p.replace(at, from.size(), to);
    return checkPlan(p, t);
  };
  EXPECT_FALSE(broken("\"share_exact\":\"1\"", "\"share_exact\":\"1/2\"").ok);  // shares of a root != 1
  EXPECT_FALSE(broken("grove-plan/1", "grove-plan/9").ok);
  EXPECT_FALSE(broken("\"path\":[\"b0_gpu", "\"path\":[\"b0_nvs\",\"b0_gpu").ok);  // path start
  EXPECT_FALSE(checkPlan("{not json", t).ok);
  // A path through a link that does not exist: gpu0 -> gpu1 directly.
  PlanCheckResult r = broken("\"path\":[\"b0_gpu0\",\"b0_nvs\",", "\"path\":[\"b0_gpu0\",");
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(broken("\"trees\": [\n  {", "\"trees\": [\n  7, {").ok);  // a tree that is not an object
  // Trees are checked while the plan is read; fields after them (here everything) still count.
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(plan), reordered;
  reordered["trees"] = j["trees"];
  for (auto& [key, value] : j.items())
    if (key != "trees") reordered[key] = value;
  PlanCheckResult same = checkPlan(reordered.dump(), t);
  EXPECT_TRUE(same.ok) << (same.violations.empty() ? "" : same.violations[0]);
  EXPECT_EQ(same.algbw, checkPlan(plan, t).algbw);
  EXPECT_EQ(same.trees, 8);
  reordered["collective"] = "reduce-scatter";  // known only after the trees: links checked reversed
  EXPECT_TRUE(checkPlan(reordered.dump(), t).ok);
  reordered["collective"] = "broadcast";
  EXPECT_FALSE(checkPlan(reordered.dump(), t).ok);
}

TEST(SolverPlan, BaselinesAreValidAndSlowerOnA100) {
  Topology t = readDotFile(kData + "dgx-a100-x2.dot");
  Fraction opt = optimalAlgbw(t, Collective::kAllGather);
  for (const Schedule& s :
       {ringSchedule(t, Collective::kAllGather), doubleBinaryTreeSchedule(t, Collective::kAllGather)}) {
    PlanCheckResult c = checkPlan(writePlanJson(t, s), t);
    ASSERT_TRUE(c.ok) << c.violations[0];
    EXPECT_EQ(c.algbw, scheduleAlgbw(t, s));
    EXPECT_LT(c.algbw, opt);
  }
  Schedule rs = ringSchedule(t, Collective::kReduceScatter);
  EXPECT_TRUE(checkPlan(writePlanJson(t, rs), t).ok);
}

TEST(SolverPlan, ExportsAreWellFormed) {
  Topology t = readDotFile(kData + "dgx-a100-x1.dot");
  for (Collective c : {Collective::kAllGather, Collective::kReduceScatter, Collective::kAllReduce}) {
    SolveOptions o;
    o.collective = c;
    Schedule s = solveSchedule(t, o).schedule;
    MscclXml x = writeMscclXml(t, s, "test");
    EXPECT_NE(x.xml.find("<algo name=\"test\""), std::string::npos);
    EXPECT_NE(x.xml.find("ngpus=\"8\""), std::string::npos);
    EXPECT_EQ(x.xml.find("<tb id=\"0\" send=\"-1\" recv=\"-1\""), std::string::npos);
    EXPECT_TRUE(x.warnings.empty());
    std::string dot = writeScheduleDot(t, s);
    EXPECT_EQ(dot.rfind("digraph schedule {", 0), 0u);
  }
}

TEST(SolverPlan, LimitsGiveClearErrors) {
  Topology t = readDotFile(kData + "dgx-a100-x2.dot");
  SolveOptions o;
  o.limits.maxTreesPerRoot = 4;  // auto needs 13
  try {
    solveSchedule(t, o);
    FAIL() << "expected a limit error";
  } catch (const SolverError& e) {
    EXPECT_NE(std::string(e.what()).find("13 trees per root"), std::string::npos) << e.what();
  }
  o.limits = SolverLimits{};
  o.limits.maxNodes = 10;
  EXPECT_THROW(solveSchedule(t, o), SolverError);
}

}  // namespace
}  // namespace grove::sched
