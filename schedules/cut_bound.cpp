#include "cut_bound.hpp"

#include <algorithm>
#include <numeric>

#include "maxflow.hpp"

namespace grove::sched {
namespace {

Ratio reduced(std::int64_t num, std::int64_t den) {
  std::int64_t g = std::gcd(num, den);
  if (g == 0) g = 1;
  return Ratio{num / g, den / g};
}

// a/b < c/d for positive denominators, exactly.
bool less(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d) {
  return static_cast<__int128>(a) * d < static_cast<__int128>(c) * b;
}

// Network: topology arcs with the given capacities plus a super-source (node g.nodes) giving `sourceCap`
// to every rank. Returns the super-source id.
int buildRooted(FlowNetwork& net, const ScaledGraph& g, const std::vector<std::int64_t>& caps,
                std::int64_t sourceCap) {
  net.reset(g.nodes + 1);
  for (std::size_t i = 0; i < g.arcs.size(); ++i)
    if (caps[i] > 0) net.addArc(g.arcs[i].src, g.arcs[i].dst, caps[i]);
  for (int r : g.ranks) net.addArc(g.nodes, r, sourceCap);
  return g.nodes;
}

struct Cut {
  std::vector<char> inside;  // S: node ids on the source side (super-source excluded)
  std::int64_t ranksInside = 0;
};

Cut cutOf(const FlowNetwork& net, const ScaledGraph& g, int source) {
  Cut c;
  std::vector<char> side;
  net.sourceSide(source, side);
  c.inside.assign(side.begin(), side.begin() + g.nodes);
  for (int r : g.ranks) c.ranksInside += c.inside[r];
  return c;
}

std::int64_t outBandwidth(const ScaledGraph& g, const Cut& c) {
  std::int64_t sum = 0;
  for (const Arc& a : g.arcs)
    if (c.inside[a.src] && !c.inside[a.dst]) sum += a.cap;
  return sum;
}

// Largest rate y = b/m (b a bandwidth of the cut) with sum over cut arcs of floor(cap / y) >= need.
Ratio largestRateMeeting(const std::vector<std::int64_t>& cutCaps, std::int64_t need) {
  std::vector<std::int64_t> distinct(cutCaps);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  Ratio best{0, 1};
  for (std::int64_t b : distinct) {
    auto fits = [&](std::int64_t m) {  // units available at y = b/m
      __int128 units = 0;
      for (std::int64_t c : cutCaps) units += static_cast<__int128>(c) * m / b;
      return units >= need;
    };
    std::int64_t lo = 1, hi = need;  // fits(need) always holds: the arc b alone gives need units
    while (lo < hi) {
      std::int64_t mid = lo + (hi - lo) / 2;
      if (fits(mid))
        hi = mid;
      else
        lo = mid + 1;
    }
    if (best.num == 0 || less(best.num, best.den, b, lo)) best = reduced(b, lo);
  }
  return best;
}

}  // namespace

Ratio optimalRate(const ScaledGraph& g, const ProgressFn& progress) {
  const std::int64_t n = g.rankCount();
  if (n < 2) throw SolverError("a schedule needs at least two ranks");
  // Start from S = all nodes but one rank v: x <= B-(v) / (n-1).
  std::vector<std::int64_t> inBw(static_cast<std::size_t>(g.nodes), 0);
  for (const Arc& a : g.arcs) inBw[a.dst] += a.cap;
  std::int64_t minIn = inBw[g.ranks[0]];
  for (int r : g.ranks) minIn = std::min(minIn, inBw[r]);
  if (minIn == 0) throw SolverError("a rank has no incoming link");
  Ratio x = reduced(minIn, n - 1);
  // Feasibility of x = P/Q is monotone (true for every smaller x), so one pass over the ranks suffices:
  // a failing rank hands us a violated cut, whose ratio is strictly smaller and exact.
  FlowNetwork net;
  std::vector<std::int64_t> caps(g.arcs.size());
  bool dirty = true;
  int source = g.nodes;
  for (std::size_t i = 0; i < g.ranks.size(); ++i) {
    if (progress && i % 16 == 0) progress("optimum", static_cast<double>(i) / g.ranks.size());
    for (;;) {
      if (dirty) {
        for (std::size_t a = 0; a < g.arcs.size(); ++a) caps[a] = checkedMul(g.arcs[a].cap, x.den);
        source = buildRooted(net, g, caps, x.num);
        dirty = false;
      }
      net.clearFlow();
      std::int64_t demand = checkedMul(n, x.num);
      if (net.augment(source, g.ranks[i], demand) >= demand) break;
      Cut cut = cutOf(net, g, source);
      std::int64_t bplus = outBandwidth(g, cut);
      if (bplus == 0)
        throw SolverError("rank " + std::to_string(i) + " cannot be reached from every other rank");
      Ratio next = reduced(bplus, cut.ranksInside);
      if (!less(next.num, next.den, x.num, x.den)) throw SolverError("internal error: cut did not improve");
      x = next;
      dirty = true;
    }
  }
  return x;
}

TreeRate autoTreeRate(const ScaledGraph& g, Ratio xstar, const SolverLimits& limits) {
  std::int64_t gcdAll = 0;
  for (const Arc& a : g.arcs) gcdAll = std::gcd(gcdAll, a.cap);
  // cap_e * Q * k / P must be an integer for every arc; gcd(P, Q) = 1, so P / gcd(P, gcdAll) divides k.
  std::int64_t k = xstar.num / std::gcd(xstar.num, gcdAll);
  if (k > limits.maxTreesPerRoot || k * g.rankCount() > limits.maxTotalTrees)
    throw SolverError(
        "the optimum needs " + std::to_string(k) + " trees per root, above the limit of " +
        std::to_string(std::min(limits.maxTreesPerRoot, limits.maxTotalTrees / std::max(1, g.rankCount()))) +
        "; use --trees-per-root K");
  return TreeRate{k, xstar.num, checkedMul(xstar.den, k)};
}

TreeRate fixedTreeRate(const ScaledGraph& g, Ratio xstar, std::int64_t k, const ProgressFn& progress) {
  if (k < 1) throw SolverError("trees per root must be at least 1");
  TreeRate rate{k, xstar.num, checkedMul(xstar.den, k)};
  const std::int64_t n = g.rankCount();
  const std::int64_t demand = checkedMul(n, k);
  FlowNetwork net;
  std::vector<std::int64_t> caps(g.arcs.size());
  bool dirty = true;
  int source = g.nodes;
  for (std::size_t i = 0; i < g.ranks.size(); ++i) {
    if (progress && i % 16 == 0) progress("rate for fixed k", static_cast<double>(i) / g.ranks.size());
    for (;;) {
      if (dirty) {
        for (std::size_t a = 0; a < g.arcs.size(); ++a) caps[a] = rate.treeCapacity(g.arcs[a].cap);
        source = buildRooted(net, g, caps, k);
        dirty = false;
      }
      net.clearFlow();
      if (net.augment(source, g.ranks[i], demand) >= demand) break;
      Cut cut = cutOf(net, g, source);
      std::vector<std::int64_t> cutCaps;
      for (const Arc& a : g.arcs)
        if (cut.inside[a.src] && !cut.inside[a.dst]) cutCaps.push_back(a.cap);
      if (cutCaps.empty()) throw SolverError("a rank cannot be reached from every other rank");
      Ratio next = largestRateMeeting(cutCaps, checkedMul(k, cut.ranksInside));
      if (!less(next.num, next.den, rate.rateNum, rate.rateDen))
        throw SolverError("internal error: fixed-k rate did not decrease");
      rate.rateNum = next.num;
      rate.rateDen = next.den;
      dirty = true;
    }
  }
  return rate;
}

bool treesFit(const ScaledGraph& g, const TreeRate& rate) {
  FlowNetwork net;
  std::vector<std::int64_t> caps(g.arcs.size());
  for (std::size_t a = 0; a < g.arcs.size(); ++a) caps[a] = rate.treeCapacity(g.arcs[a].cap);
  int source = buildRooted(net, g, caps, rate.treesPerRoot);
  const std::int64_t demand = checkedMul(g.rankCount(), rate.treesPerRoot);
  for (int r : g.ranks) {
    net.clearFlow();
    if (net.augment(source, r, demand) < demand) return false;
  }
  return true;
}

}  // namespace grove::sched
