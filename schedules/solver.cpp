#include "solver.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "cut_bound.hpp"

namespace grove::sched {
namespace {

Fraction algbwOf(const ScaledGraph& g, Ratio x) {
  // N * x / scale GB/s
  return Fraction(static_cast<Fraction::Int>(x.num) * g.rankCount(),
                  static_cast<Fraction::Int>(x.den) * g.scale);
}

bool symmetricLinks(const ScaledGraph& g) {
  std::map<std::pair<int, int>, std::int64_t> caps;
  for (const Arc& a : g.arcs) caps[{a.src, a.dst}] = a.cap;
  for (const Arc& a : g.arcs) {
    auto it = caps.find({a.dst, a.src});
    if (it == caps.end() || it->second != a.cap) return false;
  }
  return true;
}

// Expands tree groups into trees whose every logical arc maps to one physical path. A group of C
// identical logical trees may need several physical variants when its arcs' units come from different
// paths: the units [0, C) of each arc are cut where its paths change, and every piece between two cuts
// becomes one tree.
std::vector<ScheduleTree> mapToPaths(std::vector<LogicalArc>& arcs, const std::vector<TreeGroup>& groups,
                                     std::int64_t k) {
  std::vector<std::size_t> cursor(arcs.size(), 0);  // next piece to hand out per logical arc
  std::vector<std::int64_t> usedInPiece(arcs.size(), 0);
  std::map<std::pair<int, std::vector<std::vector<int>>>, std::size_t> seen;  // merges identical trees
  std::vector<ScheduleTree> trees;
  for (const TreeGroup& grp : groups) {
    // Per arc: (end of the unit range, path) segments covering [0, count).
    std::vector<std::vector<std::pair<std::int64_t, const std::vector<int>*>>> segs(grp.arcs.size());
    std::vector<std::int64_t> cuts{grp.count};
    for (std::size_t i = 0; i < grp.arcs.size(); ++i) {
      int a = grp.arcs[i];
      std::int64_t need = grp.count, at = 0;
      while (need > 0) {
        if (cursor[a] >= arcs[a].pieces.size()) throw SolverError("internal error: logical arc over-used");
        PathPiece& p = arcs[a].pieces[cursor[a]];
        std::int64_t use = std::min(need, p.amount - usedInPiece[a]);
        at += use;
        need -= use;
        segs[i].emplace_back(at, &p.path);
        if (at < grp.count) cuts.push_back(at);
        usedInPiece[a] += use;
        if (usedInPiece[a] == p.amount) ++cursor[a], usedInPiece[a] = 0;
      }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::int64_t start = 0;
    for (std::int64_t end : cuts) {
      ScheduleTree t;
      t.root = grp.root;
      t.share = Fraction(end - start, k);
      std::vector<std::vector<int>> signature;
      for (std::size_t i = 0; i < grp.arcs.size(); ++i) {
        auto seg = std::upper_bound(segs[i].begin(), segs[i].end(), start,
                                    [](std::int64_t v, const auto& s) { return v < s.first; });
        const LogicalArc& la = arcs[grp.arcs[i]];
        t.edges.push_back(TreeEdge{la.src, la.dst, *seg->second});
        signature.push_back(*seg->second);
      }
      auto key = std::make_pair(grp.root, std::move(signature));
      auto it = seen.find(key);
      if (it != seen.end()) {
        trees[it->second].share = trees[it->second].share + t.share;
      } else {
        seen.emplace(std::move(key), trees.size());
        trees.push_back(std::move(t));
      }
      start = end;
    }
  }
  return trees;
}

struct AllGatherTrees {
  std::vector<ScheduleTree> trees;
  std::int64_t k = 1;
  Fraction optimal;
  Fraction achievedByRate;  // N * k * tree rate, what the capacities promise
};

class PhaseTimer {
 public:
  explicit PhaseTimer(double* out) : out_(out), last_(std::chrono::steady_clock::now()) {}
  void lap(int phase) {
    auto now = std::chrono::steady_clock::now();
    out_[phase] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  double* out_;
  std::chrono::steady_clock::time_point last_;
};

AllGatherTrees allGatherTrees(const Topology& topo, const SolveOptions& opt, SolveResult& res) {
  SplitStats& split = res.split;
  PackStats& pack = res.pack;
  PhaseTimer timer(res.phaseSeconds);
  ScaledGraph g = scaleTopology(topo, opt.limits);
  Ratio x = optimalRate(g, opt.progress);
  timer.lap(0);
  if (opt.treesPerRoot > opt.limits.maxTreesPerRoot ||
      (opt.treesPerRoot > 0 && opt.treesPerRoot > opt.limits.maxTotalTrees / std::max(1, g.rankCount())))
    throw SolverError(
        std::to_string(opt.treesPerRoot) + " trees per root passes the limit of " +
        std::to_string(std::min<std::int64_t>(opt.limits.maxTreesPerRoot,
                                              opt.limits.maxTotalTrees / std::max(1, g.rankCount()))));
  TreeRate rate = opt.treesPerRoot == 0 ? autoTreeRate(g, x, opt.limits)
                                        : fixedTreeRate(g, x, opt.treesPerRoot, opt.progress);
  timer.lap(1);
  if (rate.treesPerRoot * g.rankCount() > opt.limits.maxTotalTrees)
    throw SolverError("too many trees: " + std::to_string(rate.treesPerRoot) + " per root * " +
                      std::to_string(g.rankCount()) + " ranks exceeds the limit of " +
                      std::to_string(opt.limits.maxTotalTrees));
  std::vector<std::int64_t> caps(g.arcs.size());
  for (std::size_t i = 0; i < g.arcs.size(); ++i) caps[i] = rate.treeCapacity(g.arcs[i].cap);
  AllGatherTrees out;
  // Fast path: greedy trees on the physical graph. Any complete packing within the tree capacities reaches
  // the tree rate, so it is as good as the exact one; the exact method runs only when the greedy is stuck.
  std::optional<std::vector<ScheduleTree>> greedy;
  if (opt.packing != PackingMethod::kExactOnly) {
    greedy = greedyPackTrees(g, caps, rate.treesPerRoot, &res.greedy, opt.progress);
    timer.lap(5);
    if (!greedy && opt.packing == PackingMethod::kGreedyOnly)
      throw SolverError("greedy packing got stuck on tree " + std::to_string(res.greedy.treesBuilt + 1) +
                        " (root node " + std::to_string(res.greedy.stuckRoot) + ")");
  }
  if (greedy) {
    out.trees = std::move(*greedy);
  } else {
    std::vector<LogicalArc> arcs = splitOffSwitches(g, caps, rate.treesPerRoot, &split, opt.progress);
    timer.lap(2);
    std::vector<TreeGroup> groups =
        packArborescences(arcs, g.ranks, g.nodes, rate.treesPerRoot, &pack, opt.progress);
    timer.lap(3);
    out.trees = mapToPaths(arcs, groups, rate.treesPerRoot);
    timer.lap(4);
  }
  out.k = rate.treesPerRoot;
  out.optimal = algbwOf(g, x);
  out.achievedByRate = Fraction(static_cast<Fraction::Int>(rate.rateNum) * rate.treesPerRoot * g.rankCount(),
                                static_cast<Fraction::Int>(rate.rateDen) * g.scale);
  return out;
}

}  // namespace

Topology reversedTopology(const Topology& topo) {
  Topology r;
  r.name = topo.name;
  for (const Node& n : topo.nodes()) r.addNode(n.name, n.kind, n.rank);
  for (const Link& l : topo.links()) r.addLink(l.dst, l.src, l.bw);
  return r;
}

Fraction optimalAlgbw(const Topology& topo, Collective collective, const SolverLimits& limits,
                      const ProgressFn& progress) {
  ScaledGraph g = scaleTopology(topo, limits);
  if (collective == Collective::kAllGather) return algbwOf(g, optimalRate(g, progress));
  ScaledGraph rg = g;
  for (Arc& a : rg.arcs) std::swap(a.src, a.dst);
  Fraction rs = algbwOf(rg, optimalRate(rg, progress));
  if (collective == Collective::kReduceScatter) return rs;
  Fraction ag = symmetricLinks(g) ? rs : algbwOf(g, optimalRate(g, progress));
  return Fraction(1) / (Fraction(1) / ag + Fraction(1) / rs);
}

SolveResult solveSchedule(const Topology& topo, const SolveOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  SolveResult res;
  Schedule& s = res.schedule;
  s.collective = opt.collective;
  s.ranks = topo.computeNodes();
  // Reduce-scatter runs the trees backwards, so its trees are allgather trees of the reversed graph.
  bool reverse = opt.collective == Collective::kReduceScatter;
  AllGatherTrees ag =
      reverse ? allGatherTrees(reversedTopology(topo), opt, res) : allGatherTrees(topo, opt, res);
  s.trees = std::move(ag.trees);
  s.treesPerRoot = ag.k;
  res.optimalAlgbw =
      opt.collective == Collective::kAllReduce ? optimalAlgbw(topo, opt.collective, opt.limits) : ag.optimal;
  res.scheduleAlgbw = scheduleAlgbw(topo, s);
  res.treeRateAlgbw = ag.achievedByRate;
  Fraction promised = ag.achievedByRate;
  if (opt.collective == Collective::kAllReduce) promised = Fraction(0);  // checked per phase below
  if (res.scheduleAlgbw < promised)
    throw SolverError("internal error: schedule is slower than its tree rate");
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace grove::sched
